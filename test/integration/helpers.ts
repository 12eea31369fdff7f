// Shared helpers for integration tests against the real local stack
// (see stack/config.mjs for endpoints and docs/development.md for the stack).
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach } from 'vitest';
import kafkajs from 'kafkajs';
import { stackConfig } from '../../stack/config.mjs';

export { stackConfig };
export const endpoints = {
  kafkaBrokers: stackConfig.kafka.brokers,
  connect: stackConfig.connect.url,
  registry: stackConfig.registry.url,
  flinkRest: stackConfig.flink.restUrl,
  flinkSqlGateway: stackConfig.flink.sqlGatewayUrl,
  gateway: stackConfig.gateway.url,
  postgres: stackConfig.postgres,
};

const execFileP = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------
// Unique names
// ---------------------------------------------------------------------------------

/** A name unique to this test run and call: `<prefix>-<time>-<random>` (lowercase, [a-z0-9-]). */
export function uniqueName(prefix: string): string {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return `${clean}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
export const uniqueTopic = (p = 'it-topic') => uniqueName(p);
export const uniqueConnector = (p = 'it-connector') => uniqueName(p);
export const uniqueSubject = (p = 'it-subject') => `${uniqueName(p)}-value`;
export const uniqueJobName = (p = 'it-job') => uniqueName(p);
/** SQL identifier (Postgres table, Flink table): [a-z0-9_]. */
export const uniqueIdentifier = (p = 'it') => uniqueName(p).replace(/-/g, '_');

// ---------------------------------------------------------------------------------
// Cleanup: register undo actions; they run after each test, last-registered first.
// ---------------------------------------------------------------------------------

type Undo = () => unknown | Promise<unknown>;
const pending: { label: string; fn: Undo }[] = [];

/** Register a cleanup action to run after the current test (even when it fails). */
export function onCleanup(label: string, fn: Undo): void {
  pending.push({ label, fn });
}

afterEach(async () => {
  const errors: string[] = [];
  while (pending.length) {
    const { label, fn } = pending.pop()!;
    try {
      await fn();
    } catch (e) {
      errors.push(`${label}: ${(e as Error).message}`);
    }
  }
  if (errors.length) throw new Error(`cleanup failed:\n${errors.join('\n')}`);
});

/**
 * Poll until `fn` returns a truthy value; throw with `what` after `timeoutMs`. Deadlines are sized
 * for a loaded 2-core machine (other test runs, CPU burners): a poll returns as soon as the
 * condition holds, so a generous deadline costs nothing when things are fast.
 */
export async function eventually<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 180_000, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as T;
      last = undefined;
    } catch (e) {
      if ((e as { fatal?: boolean })?.fatal) throw e;
      last = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

// ---------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------

export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export async function http<T = any>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
  const res = await fetch(url, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

/** Like http(), but throws unless the status is 2xx. */
export async function httpOk<T = any>(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const r = await http<T>(method, url, body, headers);
  if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${url} -> ${r.status}: ${r.text.slice(0, 1000)}`);
  return r.body;
}

// ---------------------------------------------------------------------------------
// Kafka (kafkajs: verified against Kafka 4.1, see docs/development.md)
// ---------------------------------------------------------------------------------

export function kafkaClient(clientId = 'streamt-it'): kafkajs.Kafka {
  return new kafkajs.Kafka({ clientId, brokers: stackConfig.kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
}

/** Create topics (and delete them after the test). */
export async function createTopics(topics: { topic: string; numPartitions?: number; configEntries?: { name: string; value: string }[] }[]): Promise<void> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((t) => ({ numPartitions: 1, ...t })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  onCleanup(`delete topics ${topics.map((t) => t.topic).join(',')}`, () => deleteTopics(topics.map((t) => t.topic)));
}

export async function deleteTopics(topics: string[]): Promise<void> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const toDelete = topics.filter((t) => existing.has(t));
    if (toDelete.length) await admin.deleteTopics({ topics: toDelete });
  } finally {
    await admin.disconnect();
  }
}

/** `timestamp`: the record's Kafka timestamp (epoch ms as a string), else the producer's clock. */
export async function produce(topic: string, messages: { key?: string; value: string; timestamp?: string }[]): Promise<void> {
  const producer = kafkaClient().producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages });
  } finally {
    await producer.disconnect();
  }
}

/** Consume `count` records from the beginning of a topic (unique throw-away group). */
export async function consume(topic: string, count: number, timeoutMs = 180_000): Promise<{ key: string | null; value: string | null; partition: number; offset: string }[]> {
  const groupId = uniqueName('it-consumer');
  const kafka = kafkaClient();
  const consumer = kafka.consumer({ groupId });
  const got: { key: string | null; value: string | null; partition: number; offset: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${got.length}/${count} records from ${topic} in ${timeoutMs / 1000}s`)), timeoutMs);
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            got.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, partition, offset: message.offset });
            if (got.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((e) => {
          clearTimeout(timer);
          reject(e);
        });
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
  return got;
}

export interface ReadRecord {
  key: string | null;
  value: string | null;
  partition: number;
  offset: string;
}

/**
 * Every record of a topic up to its end offsets at the time of the call, read_committed (kafkajs's
 * default): records of aborted transactions are never returned, and the read waits for open ones.
 * Done when the consumer's position passes each partition's end offset, whatever lies there (a
 * transaction marker takes an offset but is no record, so counting records cannot tell when a
 * transactional topic is read to its end). A fresh consumer group each time, deleted afterwards.
 */
export async function readToEnd(topic: string, timeoutMs = 180_000): Promise<ReadRecord[]> {
  const kafka = kafkaClient();
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: string; low: string }[];
  try {
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const pending = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high) - 1n]));
  if (!pending.size) return [];
  const groupId = uniqueName('it-reader');
  const consumer = kafka.consumer({ groupId });
  const got: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${got.length} records of ${topic} in ${timeoutMs / 1000}s without reaching its end offsets`)), timeoutMs);
      // Emitted after each fetched batch, also one holding only markers or aborted records.
      consumer.on(consumer.events.END_BATCH_PROCESS, (e: any) => {
        const last = pending.get(e.payload.partition);
        if (last !== undefined && BigInt(e.payload.lastOffset) >= last) pending.delete(e.payload.partition);
        if (!pending.size) {
          clearTimeout(timer);
          resolve();
        }
      });
      consumer
        .run({
          eachMessage: async ({ message, partition }) => {
            got.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, partition, offset: message.offset });
          },
        })
        .catch((e) => {
          clearTimeout(timer);
          reject(e);
        });
    });
  } finally {
    await consumer.disconnect();
    const a = kafka.admin();
    await a.connect();
    await a.deleteGroups([groupId]).catch(() => {});
    await a.disconnect();
  }
  return got;
}

/** The offsets a consumer group committed, by partition (-1: nothing committed), read from Kafka. */
export async function committedOffsets(groupId: string, topic: string): Promise<Map<number, number>> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

// ---------------------------------------------------------------------------------
// Kafka Connect
// ---------------------------------------------------------------------------------

/** Create (or update) a connector with PUT /connectors/{name}/config; deleted after the test. */
export async function putConnector(name: string, config: Record<string, string>): Promise<void> {
  // 409 means a rebalance is in progress: retry.
  await eventually(`PUT connector ${name}`, async () => {
    const r = await http('PUT', `${endpoints.connect}/connectors/${encodeURIComponent(name)}/config`, config);
    if (r.status === 409) return false;
    if (r.status !== 200 && r.status !== 201) throw new Error(`PUT connector ${name} -> ${r.status}: ${r.text}`);
    return true;
  });
  onCleanup(`delete connector ${name}`, () => deleteConnector(name));
}

export async function deleteConnector(name: string): Promise<void> {
  await eventually(`DELETE connector ${name}`, async () => {
    const r = await http('DELETE', `${endpoints.connect}/connectors/${encodeURIComponent(name)}`);
    if (r.status === 409) return false;
    if (r.status !== 204 && r.status !== 200 && r.status !== 404) throw new Error(`DELETE connector ${name} -> ${r.status}: ${r.text}`);
    return true;
  });
}

/** Wait until the connector and all its tasks are RUNNING; fail fast on FAILED with its trace. */
export async function waitForConnectorRunning(name: string, timeoutMs = 180_000): Promise<any> {
  return eventually(`connector ${name} RUNNING`, async () => {
    const r = await http('GET', `${endpoints.connect}/connectors/${encodeURIComponent(name)}/status`);
    if (r.status !== 200) return false;
    const s = r.body;
    const failed = [s.connector, ...(s.tasks ?? [])].find((x: any) => x.state === 'FAILED');
    if (failed) throw Object.assign(new Error(`connector ${name} FAILED: ${failed.trace ?? ''}`), { fatal: true });
    return s.connector.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t: any) => t.state === 'RUNNING') ? s : false;
  }, timeoutMs);
}

// ---------------------------------------------------------------------------------
// Flink SQL Gateway (REST v1) and Flink REST
// ---------------------------------------------------------------------------------

export interface SqlResult {
  resultKind?: string;
  jobID?: string;
  columns: string[];
  rows: { kind: string; fields: unknown[] }[];
}

export class SqlGatewaySession {
  private constructor(readonly handle: string) {}

  static async open(properties: Record<string, string> = {}): Promise<SqlGatewaySession> {
    const r = await httpOk<{ sessionHandle: string }>('POST', `${endpoints.flinkSqlGateway}/v1/sessions`, {
      sessionName: uniqueName('it-session'),
      properties,
    });
    const s = new SqlGatewaySession(r.sessionHandle);
    onCleanup(`close SQL Gateway session ${r.sessionHandle}`, () => s.close());
    return s;
  }

  /**
   * Execute one statement and collect its result. For a streaming INSERT this returns
   * as soon as the job is submitted (the first PAYLOAD carries the job id).
   */
  async execute(statement: string, timeoutMs = 120_000): Promise<SqlResult> {
    const base = `${endpoints.flinkSqlGateway}/v1/sessions/${this.handle}`;
    const { operationHandle } = await httpOk<{ operationHandle: string }>('POST', `${base}/statements`, { statement });
    const out: SqlResult = { columns: [], rows: [] };
    let next: string | null = `/v1/sessions/${this.handle}/operations/${operationHandle}/result/0?rowFormat=JSON`;
    const deadline = Date.now() + timeoutMs;
    while (next && Date.now() < deadline) {
      const r: HttpResult = await http('GET', `${endpoints.flinkSqlGateway}${next}${next.includes('rowFormat') ? '' : '?rowFormat=JSON'}`);
      if (r.status !== 200) {
        throw new Error(`SQL Gateway statement failed (${r.status}):\n${statement}\n${JSON.stringify(r.body?.errors ?? r.text).slice(0, 4000)}`);
      }
      const b: any = r.body;
      if (b.resultType === 'NOT_READY') {
        await sleep(300);
        continue;
      }
      out.resultKind = b.resultKind;
      if (b.jobID) out.jobID = b.jobID;
      if (b.results?.columns) out.columns = b.results.columns.map((c: any) => c.name);
      if (b.results?.data) out.rows.push(...b.results.data);
      if (b.resultType === 'EOS') break;
      if (out.jobID && !b.isQueryResult) break; // INSERT submitted
      next = b.nextResultUri ?? null;
    }
    if (next && Date.now() >= deadline) throw new Error(`SQL Gateway statement did not finish in ${timeoutMs / 1000}s: ${statement}`);
    return out;
  }

  /** Close the session; closing one that is already gone is fine (idempotent). */
  async close(): Promise<void> {
    const r = await http('DELETE', `${endpoints.flinkSqlGateway}/v1/sessions/${this.handle}`);
    // Flink 1.20 answers 500 "Session '<id>' does not exist." for an unknown session.
    if (r.status === 200 || r.status === 404 || /does not exist/.test(r.text)) return;
    throw new Error(`close session -> ${r.status}: ${r.text.slice(0, 500)}`);
  }
}

export async function flinkJob(jobId: string): Promise<any> {
  return httpOk('GET', `${endpoints.flinkRest}/jobs/${jobId}`);
}

/** Register a Flink job for cancellation after the test. */
export function cancelJobAfterTest(jobId: string): void {
  onCleanup(`cancel Flink job ${jobId}`, () => cancelFlinkJob(jobId));
}

export async function cancelFlinkJob(jobId: string): Promise<void> {
  const r = await http('PATCH', `${endpoints.flinkRest}/jobs/${jobId}?mode=cancel`);
  if (r.status !== 202 && r.status !== 404) throw new Error(`cancel job ${jobId} -> ${r.status}: ${r.text}`);
  await eventually(`Flink job ${jobId} to stop`, async () => {
    const j = await http('GET', `${endpoints.flinkRest}/jobs/${jobId}`);
    return j.status === 404 || ['CANCELED', 'FAILED', 'FINISHED'].includes(j.body?.state);
  }, 180_000);
}

/** `GET /jobs/:id/checkpoints` of the JobManager. */
export async function flinkCheckpoints(jobId: string): Promise<any> {
  return httpOk('GET', `${endpoints.flinkRest}/jobs/${jobId}/checkpoints`);
}

/** The id of the job with this pipeline.name that is RUNNING (there must be exactly one). */
export async function runningJobId(pipelineName: string): Promise<string | undefined> {
  const jobs = (await httpOk('GET', `${endpoints.flinkRest}/jobs/overview`)).jobs as { jid: string; name: string; state: string }[];
  const mine = jobs.filter((j) => j.name === pipelineName && !['CANCELED', 'FAILED', 'FINISHED'].includes(j.state));
  if (mine.length > 1) throw Object.assign(new Error(`${mine.length} active jobs named ${pipelineName}`), { fatal: true });
  return mine[0]?.state === 'RUNNING' ? mine[0].jid : undefined;
}

/**
 * Lines of the stack's JobManager log that name a job. Some of what Flink 1.20 applies to a job
 * is only reported there: its REST API shows the cluster's configuration
 * (`/jobs/:id/jobmanager/config`) and the deprecated ExecutionConfig (`/jobs/:id/config`, whose
 * restart-strategy field says "Cluster level default restart strategy" whatever the job sets),
 * while the JobMaster logs the restart strategy it really uses.
 */
export function jobManagerLogLines(jobId: string): string[] {
  const dir = join(stackConfig.paths.logs, 'flink');
  const files = readdirSync(dir).filter((f) => /standalonesession.*\.log(\.\d+)?$/.test(f));
  return files.flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.includes(jobId)));
}

/**
 * The Kafka client configurations the stack's TaskManager logged (`ConsumerConfig values:` /
 * `ProducerConfig values:` blocks, one per client a job created), each as key → value: what the
 * Kafka clients of a job really run with, `properties.*` table options included. Rotated files
 * (a TaskManager started again) are read too.
 */
export function taskManagerKafkaConfigs(kind: 'Consumer' | 'Producer'): Record<string, string>[] {
  const dir = join(stackConfig.paths.logs, 'flink');
  const out: Record<string, string>[] = [];
  for (const f of readdirSync(dir).filter((x) => /taskexecutor.*\.log(\.\d+)?$/.test(x))) {
    const lines = readFileSync(join(dir, f), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i]!.includes(`${kind}Config values:`)) continue;
      const block: Record<string, string> = {};
      for (let j = i + 1; j < lines.length && lines[j]!.startsWith('\t'); j++) {
        const m = lines[j]!.trim().match(/^(\S+) = (.*)$/);
        if (m) block[m[1]!] = m[2]!;
      }
      out.push(block);
    }
  }
  return out;
}

export async function waitForJobRunning(jobId: string, timeoutMs = 180_000): Promise<any> {
  return eventually(`Flink job ${jobId} RUNNING`, async () => {
    const j = await flinkJob(jobId);
    if (j.state === 'FAILED') {
      const ex = await http('GET', `${endpoints.flinkRest}/jobs/${jobId}/exceptions`);
      throw Object.assign(new Error(`job ${jobId} FAILED: ${String(ex.body?.['root-exception'] ?? '').slice(0, 3000)}`), { fatal: true });
    }
    return j.state === 'RUNNING' && j.vertices.every((v: any) => v.status === 'RUNNING') ? j : false;
  }, timeoutMs);
}

// ---------------------------------------------------------------------------------
// Schema Registry (Confluent API, served by Apicurio ccompat v7)
// ---------------------------------------------------------------------------------

export const SR_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export function registry<T = any>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
  return http<T>(method, `${endpoints.registry}${path}`, body, { 'content-type': SR_CONTENT_TYPE, accept: SR_CONTENT_TYPE });
}

/** Soft- then hard-delete a subject after the test (404 is fine: already gone). */
export function deleteSubjectAfterTest(subject: string): void {
  onCleanup(`delete subject ${subject}`, async () => {
    await registry('DELETE', `/subjects/${encodeURIComponent(subject)}`);
    await registry('DELETE', `/subjects/${encodeURIComponent(subject)}?permanent=true`);
  });
}

// ---------------------------------------------------------------------------------
// PostgreSQL (through the psql client from the same Debian packages)
// ---------------------------------------------------------------------------------

/** Run a query as the streamt user; returns rows as arrays of strings (psql -At, tab-separated). */
export async function pgQuery(sql: string): Promise<string[][]> {
  const pg = stackConfig.postgres;
  const { stdout } = await execFileP('psql', ['-X', '-q', '-At', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-h', pg.host, '-p', String(pg.port),
    '-U', pg.user, '-d', pg.database, '-c', sql], { env: { ...process.env, PGPASSWORD: pg.password } });
  return stdout.split('\n').filter((l) => l.length).map((l) => l.split('\t'));
}

export function dropTableAfterTest(table: string): void {
  onCleanup(`drop table ${table}`, () => pgQuery(`DROP TABLE IF EXISTS "${table}"`));
}

// ---------------------------------------------------------------------------------
// Conduktor Gateway admin API (CONTRACT FAKE, see stack/gateway-fake)
// ---------------------------------------------------------------------------------

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function gatewayAdmin<T = any>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
  return http<T>(method, `${endpoints.gateway}${path}`, body, {
    authorization: basicAuth(stackConfig.gateway.adminUser, stackConfig.gateway.adminPassword),
  });
}
