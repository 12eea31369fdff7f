/**
 * Flink: jobs are found by pipeline.name through the JobManager REST API (one `GET /jobs/overview`
 * for all of them); a job is submitted in a fresh SQL Gateway session that is closed afterwards;
 * upgrades use stop-with-savepoint and resubmit with `execution.savepoint.path`.
 */
import type { FlinkJobSpec } from '../../compile/types.js';
import type { LiveJob, ObservedFlinkJob } from './job-handler.js';
import { HttpClient, ServiceError } from '../http.js';
import { flinkRejection, planningScript, type FlinkRejection } from './explain.js';

/** What Flink's planner says of a job's statements (nothing is submitted, nothing created). */
export type FlinkExplanation =
  | { accepted: true; /** EXPLAIN CHANGELOG_MODE's output. */ plan: string }
  | { accepted: false; /** Index of the rejected statement in the script. */ statement: number; rejection: FlinkRejection };

export interface FlinkCluster {
  rest_url?: string | undefined;
  sql_gateway_url?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  /**
   * Where stop-with-savepoint writes (runtime.flink.clusters.<name>.savepoint_dir). Sent as the
   * request's targetDirectory: Flink 1.20 ignores a job's own `execution.checkpointing.savepoint-dir`
   * for REST-triggered savepoints and uses the cluster's (checked on the stack, see
   * test/integration/flink-state.test.ts).
   */
  savepoint_dir?: string | undefined;
}

export const TERMINAL_STATES = new Set(['FAILED', 'CANCELED', 'FINISHED']);

interface JobOverview {
  jid: string;
  name: string;
  state: string;
  'start-time': number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A statement that submits a job. */
const SUBMITS = /^\s*(INSERT|EXECUTE)\b/i;
/** How long a submission whose answer was lost is looked for on the JobManager. */
export const SUBMIT_CONFIRM_MS = 60_000;

/** The SQL Gateway accepted a statement, then its result could not be read (gone, or too slow). */
class ResultLost extends ServiceError {}

/**
 * Whether a failed submission may have reached Flink: its answer was lost (reset, timeout, a
 * proxy's 502-504, the gateway gone while its result was read). A refused connection sent
 * nothing; an answer from Flink (a rejected statement) is definite.
 */
export function answerLost(e: unknown): boolean {
  if (e instanceof ResultLost) return true;
  if (!(e instanceof ServiceError) || e.notSent) return false;
  return e.unreachable || e.status === 502 || e.status === 503 || e.status === 504;
}

/** The root cause of a Flink error list: the last "Caused by" line, else the first line. */
export function flinkRootCause(errors: unknown): string {
  const text = Array.isArray(errors) ? errors.map(String).join('\n') : String(errors ?? '');
  const causes = [...text.matchAll(/Caused by: ([^\n]+)/g)].map((m) => m[1]!);
  const line = causes.length ? causes[causes.length - 1]! : (text.split('\n').find((l) => l.trim() && !/^<Exception on server side/.test(l)) ?? text);
  return line.trim().slice(0, 600);
}

export class FlinkAdapter {
  readonly rest: HttpClient;
  readonly gateway: HttpClient | undefined;
  readonly savepointDir: string | undefined;

  constructor(readonly clusterName: string, cluster: FlinkCluster, o: { timeLimitMs?: number } = {}) {
    if (!cluster.rest_url) throw new ServiceError('Flink REST', '(not configured)', `Flink cluster "${clusterName}" has no rest_url in runtime.flink.clusters`);
    const auth = { username: cluster.username, password: cluster.password, ...(o.timeLimitMs ? { timeLimitMs: o.timeLimitMs } : {}) };
    this.rest = new HttpClient({ service: 'Flink REST', baseUrl: cluster.rest_url, ...auth });
    this.gateway = cluster.sql_gateway_url ? new HttpClient({ service: 'Flink SQL Gateway', baseUrl: cluster.sql_gateway_url, ...auth }) : undefined;
    this.savepointDir = cluster.savepoint_dir || undefined;
  }

  async jobs(): Promise<(LiveJob & { name: string })[]> {
    const r = await this.rest.get<{ jobs: JobOverview[] }>('/jobs/overview');
    return (r.body?.jobs ?? []).map((j) => ({ jid: j.jid, name: j.name, state: j.state, startTime: j['start-time'] })).sort((a, b) => b.startTime - a.startTime || (a.jid < b.jid ? -1 : 1));
  }

  /** Jobs named exactly like `names`, plus every other job whose name starts with `prefix` (owned by name). */
  async observe(names: readonly string[], prefix: string): Promise<Map<string, ObservedFlinkJob>> {
    const all = await this.jobs();
    const out = new Map<string, ObservedFlinkJob>();
    const wanted = new Set(names);
    for (const j of all) if (j.name.startsWith(prefix) && !TERMINAL_STATES.has(j.state)) wanted.add(j.name);
    for (const name of wanted) {
      const mine = all.filter((j) => j.name === name);
      const active = mine.filter((j) => !TERMINAL_STATES.has(j.state)).map(({ jid, state, startTime }) => ({ jid, state, startTime }));
      const o: ObservedFlinkJob = { kind: 'flink_job', name, active };
      const t = mine.find((j) => TERMINAL_STATES.has(j.state));
      if (t) o.lastTerminated = { jid: t.jid, state: t.state, startTime: t.startTime };
      out.set(name, o);
    }
    // What a job that is not running can be restored from: the newest terminated job's latest
    // savepoint or retained checkpoint (jobs checkpoint with RETAIN_ON_CANCELLATION, so a job
    // cancelled by hand or FAILED keeps its last checkpoint). The JobManager keeps terminated
    // jobs for jobstore.expiration-time (1 h by default); after that nothing is found and a
    // stateful job's plan is blocked rather than resubmitted empty.
    await Promise.all(
      [...out.values()]
        .filter((o) => !o.active.length && o.lastTerminated)
        .map(async (o) => {
          const r = await this.restorePoint(o.lastTerminated!.jid);
          if (r) {
            o.lastSavepoint = r.path;
            o.restoreKind = r.kind;
          }
        }),
    );
    return out;
  }

  /** The newest completed savepoint or externalized checkpoint of a job, if any. */
  async restorePoint(jid: string): Promise<{ path: string; kind: 'savepoint' | 'checkpoint'; id: number } | undefined> {
    const r = await this.rest.get<any>(`/jobs/${jid}/checkpoints`, { accept: [404, 500] });
    if (r.status !== 200) return undefined;
    const latest = r.body?.latest ?? {};
    const found: { path: string; kind: 'savepoint' | 'checkpoint'; id: number }[] = [];
    const sp = latest.savepoint;
    if (sp && sp.status === 'COMPLETED' && typeof sp.external_path === 'string') found.push({ path: sp.external_path, kind: 'savepoint', id: Number(sp.id) });
    const c = latest.completed;
    // A checkpoint without an external path (not retained) cannot be restored from.
    if (c && typeof c.external_path === 'string' && c.external_path && c.external_path !== '<checkpoint-not-externally-addressable>') {
      found.push({ path: c.external_path, kind: c.is_savepoint ? 'savepoint' : 'checkpoint', id: Number(c.id) });
    }
    return found.sort((a, b) => b.id - a.id)[0];
  }

  async jobState(jid: string): Promise<string | undefined> {
    const r = await this.rest.get<{ state: string }>(`/jobs/${jid}`, { accept: [404] });
    return r.status === 404 ? undefined : r.body.state;
  }

  async exceptions(jid: string): Promise<string> {
    const r = await this.rest.get<Record<string, unknown>>(`/jobs/${jid}/exceptions`, { accept: [404] });
    const root = r.body?.['root-exception'];
    return typeof root === 'string' ? flinkRootCause(root) : '';
  }

  async lastCheckpoint(jid: string): Promise<{ id: number; status: string; at: number; path?: string } | null> {
    const r = await this.rest.get<any>(`/jobs/${jid}/checkpoints`, { accept: [404] });
    const c = r.body?.latest?.completed;
    if (r.status === 404 || !c) return null;
    return { id: c.id, status: c.status ?? 'COMPLETED', at: c.latest_ack_timestamp ?? c.trigger_timestamp, ...(c.external_path ? { path: c.external_path } : {}) };
  }

  async lastSavepoint(jid: string): Promise<string | undefined> {
    const r = await this.rest.get<any>(`/jobs/${jid}/checkpoints`, { accept: [404, 500] });
    const sp = r.status === 200 ? r.body?.latest?.savepoint : undefined;
    return sp && sp.status === 'COMPLETED' && typeof sp.external_path === 'string' ? sp.external_path : undefined;
  }

  /**
   * Stops the job with a savepoint and returns the savepoint location: in the cluster's
   * savepoint_dir when set, else where the Flink cluster's own configuration says. The job keeps
   * running if it fails.
   */
  async stopWithSavepoint(jid: string, timeoutMs = 180_000): Promise<string> {
    const body = { drain: false, ...(this.savepointDir ? { targetDirectory: this.savepointDir } : {}) };
    const trigger = await this.rest.call<{ 'request-id': string }>('POST', `/jobs/${jid}/stop`, { body, idempotent: false });
    const id = trigger.body['request-id'];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = await this.rest.get<any>(`/jobs/${jid}/savepoints/${id}`);
      if (s.body?.status?.id === 'COMPLETED') {
        const op = s.body.operation ?? {};
        if (op.location) {
          await this.waitTerminal(jid, 60_000);
          return op.location as string;
        }
        throw new ServiceError('Flink REST', this.rest.baseUrl, `Flink could not stop job ${jid} with a savepoint: ${flinkRootCause(op['failure-cause']?.['stack-trace'] ?? JSON.stringify(op['failure-cause'] ?? op))}; the job keeps running`);
      }
      await sleep(500);
    }
    throw new ServiceError('Flink REST', this.rest.baseUrl, `Flink did not finish the savepoint of job ${jid} in ${timeoutMs / 1000}s; the job may still be running`);
  }

  async cancel(jid: string): Promise<void> {
    await this.rest.call('PATCH', `/jobs/${jid}?mode=cancel`, { accept: [404, 409] });
    await this.waitTerminal(jid, 60_000);
  }

  async waitTerminal(jid: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = await this.jobState(jid);
      if (s === undefined || TERMINAL_STATES.has(s)) return;
      await sleep(300);
    }
    throw new ServiceError('Flink REST', this.rest.baseUrl, `Flink job ${jid} did not stop in ${timeoutMs / 1000}s`);
  }

  /**
   * Waits until the job and all its tasks run. A FAILED or CANCELED job is an error with its root
   * cause. A RESTARTING job is waited for: its restart strategy is recovering it (a TaskManager
   * lost, a broker slow to answer on a loaded machine); if it does not run by the deadline, the
   * error names the cause of its last restart.
   */
  async waitRunning(jid: string, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    let restartCause = '';
    while (Date.now() < deadline) {
      const r = await this.rest.get<any>(`/jobs/${jid}`, { accept: [404] });
      const state = r.body?.state as string | undefined;
      last = state ?? 'unknown';
      if (state === 'FAILED' || state === 'CANCELED') {
        const cause = await this.exceptions(jid);
        throw new ServiceError('Flink REST', this.rest.baseUrl, `Flink job ${jid} ${state}${cause ? `: ${cause}` : ''}`);
      }
      if (state === 'RESTARTING') restartCause = (await this.exceptions(jid)) || restartCause;
      if (state === 'RUNNING' && Array.isArray(r.body.vertices) && r.body.vertices.every((v: { status: string }) => v.status === 'RUNNING')) return;
      await sleep(500);
    }
    throw new ServiceError(
      'Flink REST',
      this.rest.baseUrl,
      `Flink job ${jid} is not running after ${timeoutMs / 1000}s (state ${last})${restartCause ? `; it restarted after: ${restartCause}` : '; are there free task slots?'}`,
    );
  }

  /**
   * Submits the job's statements one by one in a fresh session and returns the job id of its
   * INSERT. `savepoint` restores from a savepoint. The session is closed whatever happens.
   *
   * Right before submitting, the job is looked up again by its pipeline.name: one that is not
   * terminated was submitted by someone else after the plan was made (a person, another tool,
   * an apply that broke the lease), and a second copy would write the same topic twice, so
   * nothing is submitted and the change fails. The INSERT is sent once: when its answer is
   * lost (connection reset, timeout, 502-504 from a proxy), the job is confirmed by looking it
   * up by its pipeline.name on the JobManager for up to `confirmMs`, never by sending it again.
   */
  async submit(spec: FlinkJobSpec, statements: readonly string[], savepoint?: string, o: { progress?: (msg: string) => void; confirmMs?: number } = {}): Promise<string> {
    const gw = this.requireGateway();
    const before = (await this.jobs()).filter((j) => j.name === spec.name);
    const running = before.find((j) => !TERMINAL_STATES.has(j.state));
    if (running) {
      throw new ServiceError('Flink REST', this.rest.baseUrl, `A Flink job named ${spec.name} is already ${running.state} (job ${running.jid}, started ${new Date(running.startTime).toISOString()}): it was submitted by someone else after this plan was made, so streamt did not submit a second copy; run streamt plan to see it`);
    }
    const known = new Set(before.map((j) => j.jid));
    const session = await gw.call<{ sessionHandle: string }>('POST', '/v1/sessions', { body: { sessionName: spec.name, properties: {} }, idempotent: true });
    const handle = session.body.sessionHandle;
    try {
      let jobId: string | undefined;
      const script = [...statements];
      if (savepoint) {
        const insert = script.findIndex((s) => SUBMITS.test(s));
        script.splice(insert < 0 ? script.length - 1 : insert, 0, `SET 'execution.savepoint.path' = '${savepoint.replace(/'/g, "''")}'`);
      }
      for (const statement of script) {
        let id: string | undefined;
        try {
          id = await this.execute(handle, statement);
        } catch (e) {
          if (!SUBMITS.test(statement) || !answerLost(e)) throw e;
          const confirmMs = o.confirmMs ?? SUBMIT_CONFIRM_MS;
          o.progress?.(`the SQL Gateway's answer to the submission was lost (${(e as Error).message}); looking for the job on the JobManager by its pipeline.name, up to ${confirmMs / 1000} s`);
          const found = await this.newJobNamed(spec.name, known, confirmMs);
          if (!found) {
            throw new ServiceError('Flink SQL Gateway', gw.baseUrl, `The SQL Gateway's answer to the submission of ${spec.name} was lost (${(e as Error).message}), and no new job named ${spec.name} appeared on the JobManager within ${confirmMs / 1000} s. The job may be running or start later; it was not submitted again. Run streamt plan: it shows the job if it runs`, undefined, undefined, true);
          }
          o.progress?.(`job ${found} named ${spec.name} is on the JobManager: the submission went through (not sent again)`);
          return found;
        }
        if (id) jobId = id;
      }
      if (!jobId) throw new ServiceError('Flink SQL Gateway', gw.baseUrl, `Flink SQL Gateway returned no job id for ${spec.name}`);
      return jobId;
    } finally {
      await gw.call('DELETE', `/v1/sessions/${handle}`, { accept: [404, 500], timeLimitMs: 10_000 }).catch(() => {});
    }
  }

  private requireGateway(): HttpClient {
    if (!this.gateway) throw new ServiceError('Flink SQL Gateway', '(not configured)', `Flink cluster "${this.clusterName}" has no sql_gateway_url in runtime.flink.clusters`);
    return this.gateway;
  }

  /**
   * Asks Flink's planner about a job without running anything (see explain.ts, planningScript):
   * a fresh session whose properties are the script's `SET 'table.…'` values, the CREATE
   * TEMPORARY statements through `configure-session` (which refuses anything but catalog and
   * configuration statements), `EXPLAIN CHANGELOG_MODE` of the INSERT, and the session closed.
   * A statement Flink rejects is an answer (`accepted: false`, Flink's message and position);
   * an unreachable or unconfigured SQL Gateway is a ServiceError.
   */
  async explain(statements: readonly string[], o: { sessionName?: string } = {}): Promise<FlinkExplanation> {
    const gw = this.requireGateway();
    const script = planningScript(statements);
    if ('refused' in script) return { accepted: false, statement: script.index, rejection: { message: script.refused } };
    const session = await gw.call<{ sessionHandle: string }>('POST', '/v1/sessions', { body: { sessionName: o.sessionName ?? 'streamt-explain', properties: script.properties }, idempotent: true });
    const handle = session.body.sessionHandle;
    try {
      for (const d of script.declarations) {
        const r = await gw.call<any>('POST', `/v2/sessions/${handle}/configure-session`, { body: { statement: d.sql }, accept: [400, 500], idempotent: true });
        if (r.status !== 200) return { accepted: false, statement: d.index, rejection: flinkRejection(r.body?.errors ?? r.body) };
      }
      const op = await gw.call<{ operationHandle: string }>('POST', `/v1/sessions/${handle}/statements`, { body: { statement: script.explain.sql }, accept: [400, 500], idempotent: true });
      if (op.status !== 200) return { accepted: false, statement: script.explain.index, rejection: this.shift(flinkRejection((op.body as any)?.errors ?? op.body), script.prefix) };
      const rows: string[] = [];
      let next: string | null = `/v1/sessions/${handle}/operations/${op.body.operationHandle}/result/0?rowFormat=JSON`;
      const deadline = Date.now() + 120_000;
      let wait = 25;
      while (next) {
        if (Date.now() > deadline) throw new ServiceError('Flink SQL Gateway', gw.baseUrl, 'Flink SQL Gateway did not finish planning in 120s');
        const r: { status: number; body: any } = await gw.get<any>(next.startsWith('/') ? next : `/${next}`, { accept: [400, 500] });
        if (r.status !== 200) return { accepted: false, statement: script.explain.index, rejection: this.shift(flinkRejection(r.body?.errors ?? r.body), script.prefix) };
        if (r.body?.resultType === 'NOT_READY') {
          await sleep(wait);
          wait = Math.min(wait * 2, 200);
          continue;
        }
        for (const row of r.body?.results?.data ?? []) if (typeof row?.fields?.[0] === 'string') rows.push(row.fields[0]);
        next = r.body?.resultType === 'EOS' || !r.body?.nextResultUri ? null : `${r.body.nextResultUri}${String(r.body.nextResultUri).includes('rowFormat') ? '' : '?rowFormat=JSON'}`;
      }
      return { accepted: true, plan: rows.join('\n') };
    } finally {
      await gw.call('DELETE', `/v1/sessions/${handle}`, { accept: [404, 500], timeLimitMs: 10_000 }).catch(() => {});
    }
  }

  /** A position on the explained statement's first line moves back by the EXPLAIN prefix. */
  private shift(r: FlinkRejection, prefix: number): FlinkRejection {
    if (r.line === 1 && r.column !== undefined) return { ...r, column: Math.max(1, r.column - prefix) };
    return r;
  }

  /** Polls the JobManager for a job named `name` that is not one of `known`. */
  private async newJobNamed(name: string, known: ReadonlySet<string>, timeoutMs: number): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const j = (await this.jobs()).find((x) => x.name === name && !known.has(x.jid));
        if (j) return j.jid;
      } catch {
        /* the JobManager may be unreachable for a moment too: look again */
      }
      if (Date.now() + 1_000 > deadline) return undefined;
      await sleep(1_000);
    }
  }

  private async execute(handle: string, statement: string, timeoutMs = 120_000): Promise<string | undefined> {
    const gw = this.gateway!;
    const op = await gw.call<{ operationHandle: string }>('POST', `/v1/sessions/${handle}/statements`, {
      body: { statement },
      // SET and CREATE TEMPORARY in this job's own session can be repeated; an INSERT submits a
      // job, and a second one would be a second copy writing the same topic.
      idempotent: !SUBMITS.test(statement),
    });
    const base = `/v1/sessions/${handle}/operations/${op.body.operationHandle}`;
    let next: string | null = `${base}/result/0?rowFormat=JSON`;
    const deadline = Date.now() + timeoutMs;
    const head = statement.replace(/\s+/g, ' ').slice(0, 80);
    while (next && Date.now() < deadline) {
      let r: { status: number; body: any };
      try {
        r = await gw.get<any>(next.startsWith('/v') ? next : `/${next}`, { accept: [500, 400] });
      } catch (e) {
        // The statement was accepted: whether it ran is unknown, even when the gateway now refuses connections.
        if (e instanceof ServiceError) throw new ResultLost(e.service, e.url, e.message, e.status, e.body, e.unreachable);
        throw e;
      }
      if (r.status !== 200) throw new ServiceError('Flink SQL Gateway', gw.baseUrl, `Flink rejected "${head}…": ${flinkRootCause(r.body?.errors ?? r.body)}`, r.status);
      const b = r.body;
      if (b.resultType === 'NOT_READY') {
        await sleep(200);
        continue;
      }
      if (b.jobID) return b.jobID as string;
      if (b.resultType === 'EOS') return undefined;
      next = b.nextResultUri ? `${b.nextResultUri}${String(b.nextResultUri).includes('rowFormat') ? '' : '?rowFormat=JSON'}` : null;
    }
    if (next) throw new ResultLost('Flink SQL Gateway', gw.baseUrl, `Flink SQL Gateway did not finish "${head}…" in ${timeoutMs / 1000}s`);
    return undefined;
  }
}
