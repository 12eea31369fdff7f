/**
 * `streamt test`: runs the selected tests against the live systems (the I/O edge of the data
 * tests) and returns one result per test, with the outcome of each on_failure action.
 */
import { own } from '../core/own.js';
import type { TestNode } from '../project/types.js';
import type { ResolvedProject } from '../resolve/types.js';
import { actionsFire, sendAlert, type Poster, httpPost } from './actions.js';
import { compileContinuousTests, continuousJobName, violationsTopic } from '../compile/emitters/continuous.js';
import { decodeRecords } from './decode.js';
import { formatDuration, parseDuration } from './duration.js';
import { evaluateSample } from './evaluate.js';
import { FlinkAdapter, TERMINAL_STATES } from '../adapters/flink/client.js';
import { readTopic, type ReadOptions, type ReadResult } from '../adapters/kafka/sample.js';
import { LiveSystems } from '../adapters/live.js';
import { LeaseHeldError, describeHolder } from '../apply/lease.js';
import type { SchemaRegistryAdapter } from '../adapters/schema-registry/client.js';
import { evaluateSchemaTest, subjectOf } from './schema-test.js';
import { checkRecords, declaredSchemaOf } from './record-schema.js';
import { parseThreshold } from './threshold.js';
import { continuousResult, parseViolations } from './violations.js';
import type { ActionOutcome, AssertionResult, SampleRecord, TestResult } from './types.js';

export interface RunOptions {
  /** Violations window for continuous tests, ms (default 1 hour). */
  sinceMs?: number;
  /** Where sample tests read: the newest records (default) or the oldest. */
  sampleFrom?: 'latest' | 'earliest';
  env: Readonly<Record<string, string | undefined>>;
  now?: () => number;
  /** Seams for tests. */
  readTopic?: (topic: string, opts: ReadOptions) => Promise<ReadResult>;
  post?: Poster;
  /** Called before each test runs (progress). */
  onTest?: (test: TestNode) => void;
  /**
   * Runs `change` while holding the project's apply lease (src/apply/lease.ts): pause_model
   * stops a live job as apply does, so it must not race an apply that is upgrading or
   * resubmitting that job. Rejects with LeaseHeldError when an apply still holds the lease after
   * the wait. Without it (library use), the change runs unguarded.
   */
  underLease?: <T>(change: () => Promise<T>) => Promise<T>;
}

export const DEFAULT_SAMPLE_SIZE = 100;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_SINCE_MS = 3_600_000;

export async function runTests(resolved: ResolvedProject, tests: readonly TestNode[], opts: RunOptions): Promise<TestResult[]> {
  const now = opts.now ?? Date.now;
  const project = resolved.project;
  // Kafka and the registry are read through their adapters, like every other live call.
  const live = new LiveSystems(project.runtime, project.name);
  const read: NonNullable<RunOptions['readTopic']> = opts.readTopic ?? ((topic, o) => readTopic(live.kafka(), topic, o));
  const registry = project.runtime.schema_registry ? live.registry() : undefined;
  try {
    return await runEach(resolved, tests, opts, read, registry, now);
  } finally {
    await live.close();
  }
}

async function runEach(resolved: ResolvedProject, tests: readonly TestNode[], opts: RunOptions, read: NonNullable<RunOptions['readTopic']>, registry: SchemaRegistryAdapter | undefined, now: () => number): Promise<TestResult[]> {
  const continuous = tests.some((t) => t.type === 'continuous') ? compileContinuousTests(resolved) : undefined;
  const results: TestResult[] = [];
  for (const test of tests) {
    opts.onTest?.(test);
    const started = now();
    let result: TestResult;
    try {
      const bad = [test.warnIf, test.errorIf].filter((t): t is string => t !== undefined && !parseThreshold(t));
      if (bad.length) result = errorResult(test, `invalid threshold ${bad.map((b) => JSON.stringify(b)).join(', ')}: write e.g. ">0", ">=10" or ">1%"`);
      else if (test.type === 'schema') result = await runSchema(resolved, test, registry, read, opts.sampleFrom ?? 'latest');
      else if (test.type === 'sample') result = await runSample(resolved, test, registry, read, opts.sampleFrom ?? 'latest', now);
      else result = await runContinuous(resolved, test, continuous!.skipped.get(test.name) ?? [], read, opts.sinceMs ?? DEFAULT_SINCE_MS, now);
    } catch (e) {
      result = errorResult(test, (e as Error).message);
    }
    result.actions = actionsFire(result) ? await runActions(resolved, test, result, opts) : [];
    result.durationMs = now() - started;
    results.push(result);
  }
  return results;
}

function errorResult(test: TestNode, message: string): TestResult {
  return { test: test.name, type: test.type, target: test.target, severity: test.severity, status: 'error', failures: 0, checked: 0, message, assertions: [], actions: [] };
}

async function runSchema(resolved: ResolvedProject, test: TestNode, registry: SchemaRegistryAdapter | undefined, read: NonNullable<RunOptions['readTopic']>, from: 'latest' | 'earliest'): Promise<TestResult> {
  const records = await recordsCheck(resolved, test, registry, read, from);
  if (!registry) return evaluateSchemaTest(resolved, test, undefined, records);
  const subject = subjectOf(resolved, test.target);
  if (!subject) return evaluateSchemaTest(resolved, test, undefined, records);
  const latest = await registry.version(subject, 'latest');
  return evaluateSchemaTest(resolved, test, latest ?? null, records);
}

/** A sample of the target's records against its declared schema (skipped when there is nothing to read or to check against). */
async function recordsCheck(resolved: ResolvedProject, test: TestNode, registry: SchemaRegistryAdapter | undefined, read: NonNullable<RunOptions['readTopic']>, from: 'latest' | 'earliest'): Promise<AssertionResult> {
  const skipped = (message: string): AssertionResult => ({ assertion: 'records', index: 0, status: 'skipped', failures: 0, checked: 0, examples: [], message });
  const declared = declaredSchemaOf(resolved, test.target);
  if (!declared) return skipped(`"${test.target}" has no Avro or JSON schema to check its records against`);
  const { topic, why } = topicOf(resolved, test.target);
  if (!topic) return skipped(why!);
  const max = test.sampleSize ?? resolved.project.defaults.tests?.sample_size ?? DEFAULT_SAMPLE_SIZE;
  const timeoutMs = parseDuration(test.timeout) ?? DEFAULT_TIMEOUT_MS;
  const got = await read(topic, { from, max, timeoutMs });
  if (!got.exists) return skipped(`topic ${topic} does not exist yet`);
  if (!got.records.length) return skipped(`no records in topic ${topic} yet`);
  return checkRecords(got.records, declared, registry, 0);
}

function topicOf(resolved: ResolvedProject, target: string): { topic?: string; why?: string } {
  const m = resolved.models.get(target);
  if (m?.materialized === 'sink') return { why: `"${target}" is a sink: it writes no topic to sample` };
  if (m?.materialized === 'virtual_topic') return { why: `"${target}" is a virtual topic, readable only through the Gateway; test its upstream model` };
  const t = resolved.tables.get(m ? m.node.id : `source.${target}`);
  return t ? { topic: t.topic } : { why: `"${target}" has no topic` };
}

async function runSample(resolved: ResolvedProject, test: TestNode, registry: SchemaRegistryAdapter | undefined, read: NonNullable<RunOptions['readTopic']>, from: 'latest' | 'earliest', now: () => number): Promise<TestResult> {
  const { topic, why } = topicOf(resolved, test.target);
  if (!topic) return { ...errorResult(test, why!), status: 'skipped' };
  const max = test.sampleSize ?? resolved.project.defaults.tests?.sample_size ?? DEFAULT_SAMPLE_SIZE;
  const timeoutMs = parseDuration(test.timeout) ?? DEFAULT_TIMEOUT_MS;
  const got = await read(topic, { from, max, timeoutMs });
  if (!got.exists) return errorResult(test, `topic ${topic} does not exist`);
  const decoded = await decodeRecords(got.records, registry);
  if (!got.records.length) return { ...errorResult(test, `no records in topic ${topic}${got.timedOut ? ` within ${formatDuration(timeoutMs)}` : ''}`), status: 'error' };

  // Records of models referenced by foreign_key.
  const refs = new Map<string, SampleRecord[]>();
  for (const a of test.assertions.filter((x) => x.type === 'foreign_key')) {
    const name = String(a.config.ref_model);
    if (refs.has(name)) continue;
    const refTopic = topicOf(resolved, name).topic;
    if (!refTopic) continue;
    const r = await read(refTopic, { from: 'latest', max: Math.max(10 * max, 10_000), timeoutMs });
    refs.set(name, (await decodeRecords(r.records, registry)).records);
  }
  const result = evaluateSample(test, decoded.records, { now: now(), reference: (n) => refs.get(n) });
  if (decoded.undecodable.count) {
    // Records that cannot be decoded fail the test: they would fail every consumer too.
    const decode: AssertionResult = {
      assertion: 'decode',
      index: test.assertions.length,
      status: 'fail',
      failures: decoded.undecodable.count,
      checked: got.records.length,
      examples: decoded.undecodable.examples,
      message: `${decoded.undecodable.count} of ${got.records.length} records could not be decoded`,
    };
    const failures = result.failures + decode.failures;
    const status = result.status === 'error' ? 'error' : test.severity === 'error' ? 'fail' : 'warn';
    return { ...result, status, failures, assertions: [...result.assertions, decode], message: `${decode.message}; ${result.message}` };
  }
  if (got.timedOut) result.message += ` (read stopped after ${formatDuration(timeoutMs)}: ${got.records.length} records)`;
  return result;
}

/** The Flink adapter of a cluster (default: the project's default cluster). */
export function flinkFor(resolved: ResolvedProject, clusterName?: string): FlinkAdapter | undefined {
  const f = resolved.project.runtime.flink;
  const name = clusterName ?? f?.default ?? Object.keys(f?.clusters ?? {})[0];
  const c = name ? own(f?.clusters, name) : undefined;
  if (!name || !c?.rest_url) return undefined;
  return new FlinkAdapter(name, c);
}

/** The job that matters for a name: an active one if any, else the newest. */
async function currentJob(flink: FlinkAdapter, name: string): Promise<{ id: string; state: string } | undefined> {
  const jobs = (await flink.jobs()).filter((j) => j.name === name);
  const job = jobs.find((j) => !TERMINAL_STATES.has(j.state)) ?? jobs[0];
  return job ? { id: job.jid, state: job.state } : undefined;
}

async function runContinuous(resolved: ResolvedProject, test: TestNode, skipped: { index: number; assertion: string; reason: string }[], read: NonNullable<RunOptions['readTopic']>, sinceMs: number, now: () => number): Promise<TestResult> {
  const project = resolved.project;
  const flink = flinkFor(resolved, test.flinkCluster ?? project.defaults.tests?.flink_cluster);
  if (!flink) return errorResult(test, 'no Flink REST URL is configured for the monitoring job');
  const name = continuousJobName(project.name, test.name);
  const job = await currentJob(flink, name);
  const topic = violationsTopic(project.name);
  const got = await read(topic, { from: 'since', sinceMs: now() - sinceMs, max: 1_000_000, timeoutMs: DEFAULT_TIMEOUT_MS });
  const records = got.exists ? (await decodeRecords(got.records, undefined)).records : [];
  return continuousResult(test, parseViolations(records), skipped, job ? { name, state: job.state, id: job.id } : undefined, formatDuration(sinceMs));
}

async function runActions(resolved: ResolvedProject, test: TestNode, result: TestResult, opts: RunOptions): Promise<ActionOutcome[]> {
  const out: ActionOutcome[] = [];
  const project = resolved.project;
  for (const action of test.actions) {
    switch (action.type) {
      case 'alert':
        out.push(await sendAlert(action, project.name, result, opts.env, opts.post ?? httpPost, project.environment?.name));
        break;
      case 'dlq': {
        const where = typeof action.config.model === 'string' ? `model ${action.config.model}` : `topic ${String(action.config.topic)}`;
        out.push(
          test.type === 'continuous'
            ? { action: 'dlq', status: 'done', message: `the continuous job routes violating records to ${where}` }
            : { action: 'dlq', status: 'skipped', message: `only continuous tests route records to a DLQ; ${test.type} tests only report them` },
        );
        break;
      }
      case 'pause_model':
        out.push(await pauseModel(resolved, test, opts.underLease));
        break;
      case 'block_deploy':
        out.push({ action: 'block_deploy', status: 'done', message: 'streamt apply refuses to deploy until this test passes' });
        break;
    }
  }
  return out;
}

/** Stops the tested model's Flink job with a savepoint; apply resumes it from there. */
export async function pauseModel(resolved: ResolvedProject, test: TestNode, underLease: NonNullable<RunOptions['underLease']> = (change) => change()): Promise<ActionOutcome> {
  const m = resolved.models.get(test.target);
  if (!m || (m.materialized !== 'flink' && m.materialized !== 'topic') || m.renderedSql === undefined) {
    return { action: 'pause_model', status: 'skipped', message: `"${test.target}" has no Flink job to pause` };
  }
  const flink = flinkFor(resolved, m.node.flinkCluster ?? resolved.project.defaults.models?.flink_cluster);
  if (!flink) return { action: 'pause_model', status: 'failed', message: 'no Flink REST URL is configured' };
  const name = `streamt.${resolved.project.name}.${m.node.name}`;
  try {
    // The job is looked up under the lease: an apply that held it may have replaced the job.
    return await underLease(async (): Promise<ActionOutcome> => {
      const job = await currentJob(flink, name);
      if (!job || job.state !== 'RUNNING') return { action: 'pause_model', status: 'skipped', message: `job ${name} is ${job ? job.state : 'not deployed'}; nothing to pause` };
      const location = await flink.stopWithSavepoint(job.id);
      return { action: 'pause_model', status: 'done', message: `stopped job ${name} (${job.id}) with savepoint ${location}; streamt apply resumes it` };
    });
  } catch (e) {
    if (e instanceof LeaseHeldError) {
      return { action: 'pause_model', status: 'failed', message: `did not pause ${name}: an apply of this project holds the apply lease (${describeHolder(e.holder)}); run streamt test again when it has finished` };
    }
    return { action: 'pause_model', status: 'failed', message: `could not pause ${name}: ${(e as Error).message}` };
  }
}
