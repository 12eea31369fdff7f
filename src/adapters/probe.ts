/**
 * Reachability and readiness of every configured system, all at once. Two depths:
 * - `quick` (before plan, apply, status, test, build, destroy): one attempt each, no retries; a
 *   refused port answers at once, so a stopped stack is reported, every system of it, in about a
 *   second instead of after each client's retries.
 * - `deep` (`streamt debug`): also authentication, versions and what streamt needs there (a
 *   TaskManager, the SQL Gateway, the Connect plugins the project uses, the registry's
 *   Confluent-compatible API).
 * Each check names its `runtime` key, so the message says what to fix.
 */
import { connect as tcpConnect } from 'node:net';
import kafkajs from 'kafkajs';
import type { Runtime } from '../project/schema.js';
import { displayUrl, HttpClient, ServiceError, type ServiceName } from './http.js';
import { bootstrapList, kafkaClientConfig } from './kafka/client.js';

export interface SystemCheck {
  system: ServiceName;
  /** The runtime key to fix, e.g. runtime.connect.clusters.local.rest_url. */
  name: string;
  url: string;
  ok: boolean;
  /** False when the system could not be reached at all (as opposed to reached and found lacking). */
  reachable: boolean;
  version: string | null;
  problems: string[];
  ms: number;
}

export interface ProbeNeeds {
  /** connector.class values the project's connectors use, by Connect cluster name (null: default). */
  connectorClasses?: { cluster: string | null; connectorClass: string }[];
  /** The project has Flink jobs (a TaskManager and the SQL Gateway are needed). */
  flinkJobs?: { cluster: string | null }[];
}

export interface ProbeOptions {
  deep?: boolean;
  /** Time limit of one check (ms). */
  timeoutMs?: number;
  needs?: ProbeNeeds;
}

interface Target {
  system: ServiceName;
  name: string;
  url: string;
  run: (check: SystemCheck) => Promise<void>;
}

function problemOf(e: unknown): { text: string; unreachable: boolean } {
  if (e instanceof ServiceError) {
    if (e.status === 401 || e.status === 403) return { text: `authentication failed (HTTP ${e.status}): check the username and password`, unreachable: false };
    const m = /\(([^,()]+)(?:, after[^)]*)?\)/.exec(e.message);
    return { text: e.unreachable ? `not reachable (${m?.[1] ?? 'no answer'})` : e.message, unreachable: e.unreachable };
  }
  return { text: (e as Error)?.message ?? String(e), unreachable: false };
}

function tcpReachable(hostPort: string, timeoutMs: number): Promise<string | undefined> {
  const i = hostPort.lastIndexOf(':');
  const host = (i > 0 ? hostPort.slice(0, i) : hostPort).replace(/^\[|\]$/g, '');
  const port = i > 0 ? Number(hostPort.slice(i + 1)) : 9092;
  return new Promise((done) => {
    const socket = tcpConnect({ host, port });
    const finish = (problem: string | undefined) => {
      socket.destroy();
      done(problem);
    };
    socket.setTimeout(timeoutMs, () => finish(`no answer within ${Math.round(timeoutMs / 100) / 10}s`));
    socket.once('connect', () => finish(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNREFUSED' ? 'connection refused' : (e.code ?? e.message)));
  });
}

/** The systems a runtime configures, each with its check. */
function targets(runtime: Runtime, o: Required<Pick<ProbeOptions, 'timeoutMs'>> & ProbeOptions): Target[] {
  const out: Target[] = [];
  const http = (service: ServiceName, url: string, auth: { username?: string | undefined; password?: string | undefined }) =>
    new HttpClient({ service, baseUrl: url, username: auth.username, password: auth.password, timeLimitMs: 0, attemptTimeoutMs: o.timeoutMs });
  const k = runtime.kafka;
  if (k) {
    const servers = bootstrapList(k);
    out.push({
      system: 'Kafka',
      name: 'runtime.kafka.bootstrap_servers',
      url: servers.join(','),
      run: async (c) => {
        const refused = await Promise.all(servers.map(async (s) => ({ s, problem: await tcpReachable(s, o.timeoutMs) })));
        const down = refused.filter((r) => r.problem);
        if (down.length === servers.length) {
          c.reachable = false;
          c.problems.push(`not reachable (${servers.length === 1 ? down[0]!.problem : down.map((d) => `${d.s}: ${d.problem}`).join('; ')})`);
          return;
        }
        if (!o.deep) return;
        // A metadata round trip with the configured security: authentication, brokers, controller.
        const kafka = new kafkajs.Kafka({ ...kafkaClientConfig(k, 'streamt-debug'), connectionTimeout: o.timeoutMs, requestTimeout: o.timeoutMs, retry: { retries: 0 } });
        const admin = kafka.admin();
        try {
          await admin.connect();
          const cluster = await admin.describeCluster();
          c.version = `${cluster.brokers.length} broker${cluster.brokers.length === 1 ? '' : 's'}, cluster ${cluster.clusterId}`;
        } catch (e) {
          const err = e as { type?: string; message?: string };
          c.problems.push(/SASL|auth/i.test(`${err.type ?? ''} ${err.message ?? ''}`) ? `authentication failed: ${err.message}` : `metadata request failed: ${err.message ?? String(e)}`);
        } finally {
          await admin.disconnect().catch(() => {});
        }
      },
    });
  }
  const sr = runtime.schema_registry;
  if (sr) {
    out.push({
      system: 'Schema Registry',
      name: 'runtime.schema_registry.url',
      url: displayUrl(sr.url),
      run: async (c) => {
        const client = http('Schema Registry', sr.url, sr);
        // GET /config is the Confluent-compatible API streamt uses (subjects, compatibility).
        const r = await client.get<{ compatibilityLevel?: string; compatibility?: string }>('/config', { accept: [404] });
        if (r.status === 404) c.problems.push('no Confluent-compatible API at this URL (GET /config answered 404); for Apicurio use .../apis/ccompat/v7');
        else c.version = `compatibility ${r.body?.compatibilityLevel ?? r.body?.compatibility ?? 'unknown'}`;
        if (!o.deep) return;
        await client.get('/subjects');
      },
    });
  }
  for (const [cluster, cfg] of Object.entries(runtime.flink?.clusters ?? {}).sort()) {
    const usedHere = (o.needs?.flinkJobs ?? []).some((j) => (j.cluster ?? runtime.flink?.default ?? Object.keys(runtime.flink?.clusters ?? {}).sort()[0]) === cluster);
    if (cfg.rest_url) {
      const url = cfg.rest_url;
      out.push({
        system: 'Flink REST',
        name: `runtime.flink.clusters.${cluster}.rest_url`,
        url: displayUrl(url),
        run: async (c) => {
          const client = http('Flink REST', url, cfg);
          const r = await client.get<{ 'flink-version'?: string; taskmanagers?: number; 'slots-total'?: number; 'slots-available'?: number }>('/overview');
          const b = r.body ?? {};
          c.version = `Flink ${b['flink-version'] ?? '?'}, ${b.taskmanagers ?? 0} TaskManager${b.taskmanagers === 1 ? '' : 's'}, ${b['slots-available'] ?? 0} of ${b['slots-total'] ?? 0} slots free`;
          if (o.deep && usedHere && !b.taskmanagers) c.problems.push('no TaskManager is registered: jobs cannot run');
        },
      });
    } else if (o.deep && usedHere) {
      out.push({ system: 'Flink REST', name: `runtime.flink.clusters.${cluster}.rest_url`, url: '(not configured)', run: async (c) => void c.problems.push('not configured: streamt needs the JobManager REST URL to observe and stop jobs') });
    }
    if (cfg.sql_gateway_url) {
      const url = cfg.sql_gateway_url;
      out.push({
        system: 'Flink SQL Gateway',
        name: `runtime.flink.clusters.${cluster}.sql_gateway_url`,
        url: displayUrl(url),
        run: async (c) => {
          const r = await http('Flink SQL Gateway', url, cfg).get<{ productName?: string; version?: string }>('/v1/info');
          c.version = `${r.body?.productName ?? 'Flink'} ${r.body?.version ?? '?'}`;
        },
      });
    } else if (o.deep && usedHere) {
      out.push({ system: 'Flink SQL Gateway', name: `runtime.flink.clusters.${cluster}.sql_gateway_url`, url: '(not configured)', run: async (c) => void c.problems.push('not configured: streamt submits Flink SQL jobs through the SQL Gateway') });
    }
  }
  const connect = runtime.connect;
  for (const [cluster, cfg] of Object.entries(connect?.clusters ?? {}).sort()) {
    out.push({
      system: 'Kafka Connect',
      name: `runtime.connect.clusters.${cluster}.rest_url`,
      url: displayUrl(cfg.rest_url),
      run: async (c) => {
        const client = http('Kafka Connect', cfg.rest_url, cfg);
        const r = await client.get<{ version?: string }>('/');
        c.version = `Kafka Connect ${r.body?.version ?? '?'}`;
        if (!o.deep) return;
        const wanted = (o.needs?.connectorClasses ?? []).filter((x) => (x.cluster ?? connect?.default ?? Object.keys(connect?.clusters ?? {}).sort()[0]) === cluster).map((x) => x.connectorClass);
        if (!wanted.length) return;
        const plugins = await client.get<{ class: string }[]>('/connector-plugins?connectorsOnly=true');
        const have = new Set((plugins.body ?? []).map((p) => p.class));
        const simple = new Set([...have].map((p) => p.split('.').pop()!));
        for (const w of [...new Set(wanted)].sort()) if (!have.has(w) && !simple.has(w)) c.problems.push(`the connector plugin ${w} that the project uses is not installed`);
      },
    });
  }
  const g = runtime.conduktor?.gateway;
  const gUrl = g?.admin_url ?? g?.url;
  if (g && gUrl) {
    out.push({
      system: 'Conduktor Gateway',
      name: g.admin_url ? 'runtime.conduktor.gateway.admin_url' : 'runtime.conduktor.gateway.url',
      url: displayUrl(gUrl),
      run: async (c) => {
        // Listing interceptors needs the admin credentials: reachability and authentication at once.
        await http('Conduktor Gateway', gUrl, g).get('/gateway/v2/interceptor');
        c.version = 'admin API v2';
      },
    });
  }
  return out;
}

/** Checks every configured system in parallel; never throws. */
export async function probeSystems(runtime: Runtime, opts: ProbeOptions = {}): Promise<SystemCheck[]> {
  const o = { ...opts, timeoutMs: opts.timeoutMs ?? 3_000 };
  return Promise.all(
    targets(runtime, o).map(async (t) => {
      const check: SystemCheck = { system: t.system, name: t.name, url: t.url, ok: false, reachable: true, version: null, problems: [], ms: 0 };
      const started = performance.now();
      try {
        await t.run(check);
      } catch (e) {
        const p = problemOf(e);
        check.problems.push(p.text);
        if (p.unreachable) check.reachable = false;
      }
      check.ms = Math.round(performance.now() - started);
      check.ok = check.problems.length === 0;
      return check;
    }),
  );
}

/** The runtime key(s) of the system each resource kind lives on (one table; handlers stay unaware). */
const SYSTEMS_OF_KIND: Record<string, (runtime: Runtime, spec: { cluster?: string | null }) => string[]> = {
  topic: () => ['runtime.kafka.bootstrap_servers'],
  subject: () => ['runtime.schema_registry.url'],
  flink_job: (r, s) => {
    const c = s.cluster ?? r.flink?.default ?? Object.keys(r.flink?.clusters ?? {}).sort()[0];
    return [`runtime.flink.clusters.${c}.rest_url`, `runtime.flink.clusters.${c}.sql_gateway_url`];
  },
  connector: (r, s) => [`runtime.connect.clusters.${s.cluster ?? r.connect?.default ?? Object.keys(r.connect?.clusters ?? {}).sort()[0]}.rest_url`],
  gateway_rule: (r) => [r.conduktor?.gateway?.admin_url ? 'runtime.conduktor.gateway.admin_url' : 'runtime.conduktor.gateway.url'],
};

/**
 * The systems a command cannot start without: Kafka (it holds the ownership record and the
 * lease) and the system of every declared resource. Others are probed too, but an unreachable one
 * is only a warning: the command may never need it (an apply that only deletes topics).
 */
export function requiredSystems(runtime: Runtime, desired: readonly { kind: string; spec: unknown }[]): Set<string> {
  const out = new Set(['runtime.kafka.bootstrap_servers']);
  for (const d of desired) for (const k of SYSTEMS_OF_KIND[d.kind]?.(runtime, (d.spec ?? {}) as { cluster?: string | null }) ?? []) out.add(k);
  return out;
}
