/**
 * The live systems of one project: builds the adapters from `runtime`, observes what a plan needs
 * (read-only), and applies one planned change at a time. The only module that knows which
 * adapter handles which resource kind.
 */
import type { ConnectorSpec, FlinkJobSpec, GatewaySpec, SchemaSpecArtifact, TopicSpec } from '../compile/types.js';
import type { Runtime } from '../project/schema.js';
import type { DesiredResource, Observed, OwnershipRecord, RecordEntry, ResourceChange } from '../plan/types.js';
import { ConnectAdapter } from './connect/client.js';
import { FlinkAdapter } from './flink/client.js';
import { GatewayAdapter } from './gateway/client.js';
import { ServiceError } from './http.js';
import { KafkaAdapter } from './kafka/client.js';
import { RecordStore } from './kafka/record.js';
import { SchemaRegistryAdapter } from './schema-registry/client.js';

export interface LiveOptions {
  /** Overall time limit of one HTTP call with its retries. */
  timeLimitMs?: number;
  stateTopic?: string;
}

const PLACEHOLDER = /\$\{(?:env|secret|file):[^}]*\}/g;

/** Replaces secret placeholders with their values (in memory only). */
export function secretResolver(secrets: ReadonlyMap<string, string>): (s: string) => string {
  return (s) => s.replace(PLACEHOLDER, (m) => secrets.get(m) ?? m);
}

export class LiveSystems {
  private kafkaAdapter?: KafkaAdapter;
  private readonly flinks = new Map<string, FlinkAdapter>();
  private readonly connects = new Map<string, ConnectAdapter>();
  private sr?: SchemaRegistryAdapter;
  private gw?: GatewayAdapter;
  private store?: RecordStore;

  constructor(readonly runtime: Runtime, readonly project: string, readonly opts: LiveOptions = {}) {}

  private http() {
    return this.opts.timeLimitMs ? { timeLimitMs: this.opts.timeLimitMs } : {};
  }

  kafka(): KafkaAdapter {
    if (!this.runtime.kafka) throw new ServiceError('Kafka', '(not configured)', 'runtime.kafka is not configured: plan and apply need a Kafka cluster (it also holds the ownership record)');
    return (this.kafkaAdapter ??= new KafkaAdapter(this.runtime.kafka));
  }

  records(): RecordStore {
    return (this.store ??= new RecordStore(this.kafka(), this.opts.stateTopic));
  }

  flinkClusterNames(): string[] {
    return Object.keys(this.runtime.flink?.clusters ?? {}).sort();
  }

  flink(cluster: string | null): FlinkAdapter {
    const f = this.runtime.flink;
    const name = cluster ?? f?.default ?? this.flinkClusterNames()[0];
    const cfg = name ? f?.clusters?.[name] : undefined;
    if (!name || !cfg) throw new ServiceError('Flink REST', '(not configured)', `Flink cluster ${name ? `"${name}" ` : ''}is not configured in runtime.flink.clusters`);
    let a = this.flinks.get(name);
    if (!a) this.flinks.set(name, (a = new FlinkAdapter(name, cfg, this.http())));
    return a;
  }

  connect(cluster: string | null): ConnectAdapter {
    const c = this.runtime.connect;
    const name = cluster ?? c?.default ?? Object.keys(c?.clusters ?? {}).sort()[0];
    const cfg = name ? c?.clusters?.[name] : undefined;
    if (!name || !cfg) throw new ServiceError('Kafka Connect', '(not configured)', `Kafka Connect cluster ${name ? `"${name}" ` : ''}is not configured in runtime.connect.clusters`);
    let a = this.connects.get(name);
    if (!a) this.connects.set(name, (a = new ConnectAdapter(name, cfg, this.http())));
    return a;
  }

  registry(): SchemaRegistryAdapter {
    const cfg = this.runtime.schema_registry;
    if (!cfg) throw new ServiceError('Schema Registry', '(not configured)', 'runtime.schema_registry is not configured');
    return (this.sr ??= new SchemaRegistryAdapter(cfg, this.http()));
  }

  gateway(): GatewayAdapter {
    const g = this.runtime.conduktor?.gateway;
    const url = g?.admin_url ?? g?.url;
    if (!g || !url) throw new ServiceError('Conduktor Gateway', '(not configured)', 'runtime.conduktor.gateway.admin_url is not configured');
    return (this.gw ??= new GatewayAdapter({ url, username: g.username, password: g.password }, this.http()));
  }

  readRecord(): Promise<OwnershipRecord> {
    return this.records().read(this.project);
  }

  /**
   * Observes the declared resources and every resource the record or the name prefix says this
   * project owns. Read-only (the registry's compatibility check and Connect's validation change
   * nothing). `resolve` fills secrets into connector configs for validation.
   */
  async observe(desired: readonly DesiredResource[], record: OwnershipRecord, o: { orphans: boolean; resolve: (s: string) => string; validate?: boolean }): Promise<Map<string, Observed>> {
    const out = new Map<string, Observed>();
    const prefix = `streamt.${this.project}.`;
    const recorded = o.orphans ? [...record.entries.values()].filter((e) => !desired.some((d) => d.addr === e.addr)) : [];
    const tasks: Promise<void>[] = [];

    const topics = [...desired.filter((d) => d.kind === 'topic').map((d) => ({ addr: d.addr, name: d.name })), ...recorded.filter((e) => e.kind === 'topic').map((e) => ({ addr: e.addr, name: e.name }))];
    if (topics.length) {
      tasks.push(
        this.kafka()
          .observeTopics(topics.map((t) => t.name))
          .then((m) => {
            for (const t of topics) out.set(t.addr, m.get(t.name)!);
          }),
      );
    }

    const jobs = [
      ...desired.filter((d): d is Extract<DesiredResource, { kind: 'flink_job' }> => d.kind === 'flink_job').map((d) => ({ addr: d.addr, name: d.name, cluster: d.spec.cluster })),
      ...recorded.filter((e) => e.kind === 'flink_job').map((e) => ({ addr: e.addr, name: e.name, cluster: (e.spec as FlinkJobSpec).cluster })),
    ];
    const clusters = new Set<string | null>(jobs.map((j) => j.cluster));
    if (o.orphans) for (const n of this.flinkClusterNames()) if (![...clusters].some((c) => (c ?? this.runtime.flink?.default ?? this.flinkClusterNames()[0]) === n)) clusters.add(n);
    for (const cluster of clusters) {
      const flink = this.flink(cluster);
      const mine = jobs.filter((j) => this.flink(j.cluster) === flink);
      tasks.push(
        flink.observe(mine.map((j) => j.name), o.orphans ? prefix : '\u0000').then((m) => {
          for (const [name, obs] of m) {
            const j = mine.find((x) => x.name === name);
            out.set(j?.addr ?? `flink.job.${name.startsWith(prefix) ? name.slice(prefix.length) : name}`, obs);
          }
        }),
      );
    }

    const connectors = [
      ...desired.filter((d): d is Extract<DesiredResource, { kind: 'connector' }> => d.kind === 'connector').map((d) => ({ addr: d.addr, name: d.name, cluster: d.spec.cluster, spec: d.spec as ConnectorSpec | undefined })),
      ...recorded.filter((e) => e.kind === 'connector').map((e) => ({ addr: e.addr, name: e.name, cluster: (e.spec as ConnectorSpec).cluster, spec: undefined })),
    ];
    const byCluster = new Map<ConnectAdapter, typeof connectors>();
    for (const c of connectors) {
      const a = this.connect(c.cluster);
      byCluster.set(a, [...(byCluster.get(a) ?? []), c]);
    }
    for (const [a, list] of byCluster) {
      tasks.push(
        a.observe(list.map((c) => c.name)).then(async (m) => {
          for (const c of list) {
            const obs = m.get(c.name)!;
            if (o.validate !== false && c.spec) {
              const resolved = Object.fromEntries(Object.entries(c.spec.config).map(([k, v]) => [k, o.resolve(v)]));
              const needs = !obs.exists || Object.entries(resolved).some(([k, v]) => obs.config?.[k] !== v);
              if (needs) {
                const errors = await a.validate(c.spec.connector_class, { ...resolved, name: c.name });
                if (errors.length) obs.validationErrors = errors;
              }
            }
            out.set(c.addr, obs);
          }
        }),
      );
    }

    const subjects = [
      ...desired.filter((d): d is Extract<DesiredResource, { kind: 'subject' }> => d.kind === 'subject').map((d) => ({ addr: d.addr, subject: d.name, spec: d.spec as SchemaSpecArtifact | undefined })),
      ...recorded.filter((e) => e.kind === 'subject').map((e) => ({ addr: e.addr, subject: e.name, spec: undefined })),
    ];
    if (subjects.length) {
      const sr = this.registry();
      tasks.push(
        Promise.all(subjects.map(async (s) => out.set(s.addr, await sr.observe(s.subject, s.spec)))).then(() => undefined),
      );
    }

    const rules = [
      ...desired.filter((d): d is Extract<DesiredResource, { kind: 'gateway_rule' }> => d.kind === 'gateway_rule').map((d) => ({ addr: d.addr, name: d.name, kind: d.spec.kind })),
      ...recorded.filter((e) => e.kind === 'gateway_rule').map((e) => ({ addr: e.addr, name: e.name, kind: (e.spec as GatewaySpec).kind })),
    ];
    const gwConfigured = !!(this.runtime.conduktor?.gateway?.admin_url ?? this.runtime.conduktor?.gateway?.url);
    if (rules.length || (o.orphans && gwConfigured)) {
      tasks.push(
        this.gateway()
          .observe(rules.map((r) => ({ name: r.name, kind: r.kind })), o.orphans ? prefix : '\u0000')
          .then((m) => {
            for (const [name, obs] of m) out.set(rules.find((r) => r.name === name)?.addr ?? `gateway.rule.${name}`, obs);
          }),
      );
    }
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return out;
  }

  /**
   * Carries out one planned change. Returns the record entry to write (null: forget the
   * resource). Throws a ServiceError with a clear message on failure.
   */
  async apply(change: ResourceChange, resolve: (s: string) => string, meta: { streamtVersion: string; now: () => Date; progress?: (msg: string) => void; record?: (entry: RecordEntry) => Promise<void>; previous?: RecordEntry }): Promise<RecordEntry | null> {
    const entry = (): RecordEntry => ({
      project: this.project,
      addr: change.addr,
      kind: change.kind,
      name: change.name,
      owner: change.owner ?? '',
      hash: change.hash!,
      spec: change.desired!,
      ...(change.stateful !== undefined ? { stateful: change.stateful } : {}),
      applied_at: meta.now().toISOString(),
      streamt_version: meta.streamtVersion,
    });
    if (change.recordOnly) return entry();
    const d = change.desired;
    switch (change.kind) {
      case 'topic': {
        const kafka = this.kafka();
        if (change.action === 'delete') {
          await kafka.deleteTopic(change.name);
          return null;
        }
        const spec = d as TopicSpec;
        if (change.action === 'create') await kafka.createTopic(spec);
        else {
          const p = change.fields.find((f) => f.field === 'partitions');
          if (p && typeof p.after === 'number') await kafka.addPartitions(spec.name, p.after);
          const cfg = change.fields.filter((f) => f.field.startsWith('config.'));
          if (cfg.length) {
            await kafka.alterTopicConfig(
              spec.name,
              Object.fromEntries(cfg.filter((f) => f.after !== undefined).map((f) => [f.field.slice(7), String(f.after)])),
              cfg.filter((f) => f.after === undefined).map((f) => f.field.slice(7)),
            );
          }
        }
        return entry();
      }
      case 'subject': {
        const sr = this.registry();
        if (change.action === 'delete') {
          await sr.delete(change.name);
          return null;
        }
        const spec = d as SchemaSpecArtifact;
        if (spec.compatibility && change.fields.some((f) => f.field === 'compatibility')) await sr.setCompatibility(spec.subject, spec.compatibility);
        if (change.action === 'create' || change.fields.some((f) => f.field === 'schema')) await sr.register(spec);
        return entry();
      }
      case 'connector': {
        const spec = d as ConnectorSpec;
        const connect = this.connect(spec?.cluster ?? null);
        if (change.action === 'delete') {
          await connect.delete(change.name);
          return null;
        }
        const config = Object.fromEntries(Object.entries(spec.config).map(([k, v]) => [k, resolve(v)]));
        await connect.put(spec.name, config);
        if (change.reasons.some((r) => r.includes('FAILED'))) await connect.restart(spec.name);
        const ok = await connect.waitRunning(spec.name);
        if (!ok.ok) throw new ServiceError('Kafka Connect', connect.http.baseUrl, `Kafka Connect: ${ok.message}`);
        return entry();
      }
      case 'gateway_rule': {
        const gw = this.gateway();
        const spec = d as GatewaySpec | undefined;
        if (change.action === 'delete') {
          await gw.delete(change.name, spec?.kind ?? 'Interceptor', (spec?.resource.metadata ?? {}) as Record<string, unknown>);
          return null;
        }
        await gw.put(spec!);
        return entry();
      }
      case 'flink_job': {
        const spec = d as FlinkJobSpec | undefined;
        const flink = this.flink(spec?.cluster ?? null);
        const jobs = change.live?.jobIds ?? [];
        let savepoint: string | undefined = change.live?.savepoint;
        for (const step of change.steps ?? []) {
          if (step === 'stop-with-savepoint') {
            const [first, ...rest] = jobs;
            if (first) {
              meta.progress?.(`stopping ${change.name} (${first}) with a savepoint`);
              savepoint = await flink.stopWithSavepoint(first);
              // Remember the savepoint until the new job runs: a re-run resumes from it.
              if (meta.previous && meta.record) await meta.record({ ...meta.previous, savepoint });
            }
            for (const j of rest) await flink.cancel(j);
          } else if (step === 'cancel') {
            for (const j of jobs) {
              meta.progress?.(`cancelling ${change.name} (${j})`);
              await flink.cancel(j);
            }
          } else if (step === 'submit' || step === 'submit-from-savepoint') {
            const statements = spec!.statements.map(resolve);
            meta.progress?.(`submitting ${change.name}${savepoint ? ` from ${savepoint}` : ''}`);
            const jid = await flink.submit(spec!, statements, step === 'submit-from-savepoint' ? savepoint : undefined);
            await flink.waitRunning(jid);
          }
        }
        return change.action === 'delete' ? null : entry();
      }
    }
  }

  async close(): Promise<void> {
    await this.store?.close();
    await this.kafkaAdapter?.close();
  }
}
