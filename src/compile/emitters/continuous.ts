/**
 * Continuous tests → one Flink SQL job each. The job reads the tested topic, evaluates every
 * assertion on every record, writes each violation (test, assertion, record key, details, time)
 * to the project's violations topic, and, with a `dlq` action, copies the violating records to
 * the DLQ topic in the same job. Pure, like the compiler: the caller deploys the statements.
 *
 * JSON topics are read with the `raw` format and their fields with JSON_VALUE, so a record whose
 * values have the wrong type (or that is not JSON) is reported, never dropped or fatal, and the
 * DLQ receives the record's exact bytes. Avro topics are read with their registered schema.
 *
 * Every assertion that compares records with each other (unique_key, foreign_key, throughput,
 * distribution) decides on event time, never on processing time, so its verdict depends on the
 * data only, not on how fast the machine reads it: the event time is the target's rowtime (its
 * `event_time` column and watermark) or, for a target without one, the Kafka record timestamp,
 * with the default watermark delay of `event_time`. See eventTimeOf and docs/testing.md.
 */
import { error, warning, type Diagnostic } from '../../core/diagnostics.js';
import { formatDuration, parseDuration } from '../../core/duration.js';
import type { AssertionSpec, NodeId, TestNode } from '../../project/types.js';
import type { ResolvedProject } from '../../resolve/types.js';
import { CompileContext, type NodeTable } from '../context.js';
import { contentHash } from '../hash.js';
import { flinkConnectionOptions } from '../kafka-identity.js';
import { FileNamer } from '../paths.js';
import { option, quoteIdent, quoteLiteral, safeType } from '../quote.js';
import { acceptedTypes, bucketName, FLINK_TYPE, typeFamily, type Bucket } from '../test-specs.js';
import type { FlinkJobArtifact, FlinkJobSpec, TopicArtifact, TopicSpec } from '../types.js';
import { commentText } from './common.js';
import { rowFields, typeRoot } from '../../sql/types.js';
import { createTable, type JobKafkaAccess } from './flink.js';

export interface ContinuousTestsOutput {
  /** The violations topic (one per project), when there is a continuous test. */
  topics: TopicArtifact[];
  /** One job per continuous test: addr `flink.job.test.<name>`, pipeline.name `streamt.<project>.test.<name>`. */
  flinkJobs: FlinkJobArtifact[];
  /** Relative path → content, for the output folder (`flink/tests/<name>.sql`, `topics/<violations>.json`). */
  files: Map<string, string>;
  diagnostics: Diagnostic[];
  /** Per test: assertions the job does not evaluate, with the reason (reported as skipped by `streamt test`). */
  skipped: Map<string, { index: number; assertion: string; reason: string }[]>;
  /** Placeholder → secret value (SASL, registry passwords), to merge into `CompileResult.secrets`. Never written. */
  secrets: Map<string, string>;
  /** Per job address: what the job reads and writes on Kafka (the ACLs of its principal). */
  access: Map<string, JobKafkaAccess>;
}

export const VIOLATION_COLUMNS = ['test', 'assertion', 'assertion_index', 'record_key', 'details', 'record_partition', 'record_offset', 'record_timestamp', 'detected_at'] as const;

export function violationsTopic(projectName: string): string {
  return `_streamt_violations.${projectName}`;
}

export function continuousJobName(projectName: string, testName: string): string {
  return `streamt.${projectName}.test.${testName}`;
}

/** Window of aggregate assertions (throughput, distribution) in continuous tests (event time). */
export const AGGREGATE_WINDOW_MS = 60_000;

/** Watermark delay for a target without `event_time` (judged on Kafka timestamps): the `event_time` default. */
export const DEFAULT_WATERMARK_DELAY_MS = 5_000;

/**
 * An input partition or reference topic with no record for this long stops holding the watermark
 * back (`scan.watermark.idle-timeout`). Without it, one empty partition, or a reference topic that
 * rarely changes, would stop every event-time verdict for good. Generous, so a reader that is
 * merely slow on a loaded machine is not taken for idle.
 */
export const SOURCE_IDLE_TIMEOUT_MS = 30_000;

const K = '_streamt_key';
const V = '_streamt_value';
const P = '_streamt_partition';
const O = '_streamt_offset';
const TS = '_streamt_ts';
const RT = '_streamt_rt';
const IN = '_streamt_in';
const ROWS = '_streamt_rows';
const TYPED = '_streamt_typed';
const OUT = '_streamt_violations';
const DLQ = '_streamt_dlq';

/** The continuous tests of a project on their own (what `streamt test` needs to know about them). */
export function compileContinuousTests(resolved: ResolvedProject, opts: { selection?: ReadonlySet<NodeId> } = {}): ContinuousTestsOutput {
  return emitContinuousTests(new CompileContext(resolved), opts);
}

/** One Flink job per continuous test, within a compile (the compile's context). */
export function emitContinuousTests(ctx: CompileContext, opts: { selection?: ReadonlySet<NodeId> } = {}): ContinuousTestsOutput {
  const resolved = ctx.resolved;
  const out: ContinuousTestsOutput = { topics: [], flinkJobs: [], files: new Map(), diagnostics: [], skipped: new Map(), secrets: new Map(), access: new Map() };
  const tests = resolved.project.tests
    .filter((t) => t.type === 'continuous' && resolved.nodes.has(t.id) && (!opts.selection || opts.selection.has(t.id)))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  if (!tests.length) return out;
  const topicName = violationsTopic(ctx.projectName);
  const namer = new FileNamer('flink/tests');
  for (const test of tests) {
    const job = compileOne(ctx, test, topicName, out);
    if (!job) continue;
    const spec = ctx.vault.scrubStrings(job.spec);
    const file = namer.name(test.name, '.sql');
    out.files.set(file, ctx.vault.scrubText(job.sql));
    out.flinkJobs.push({ addr: `flink.job.test.${test.name}`, owner: test.id, file, hash: contentHash(spec), spec });
    out.access.set(`flink.job.test.${test.name}`, job.access);
  }
  const topic: TopicSpec = { name: topicName, partitions: null, replication_factor: null, config: {} };
  const topicFile = new FileNamer('topics').name(topicName, '.json');
  out.files.set(topicFile, JSON.stringify(topic, null, 2) + '\n');
  out.topics.push({ addr: `kafka.topic.${topicName}`, owner: tests[0]!.id, file: topicFile, hash: contentHash(topic), spec: topic });
  out.secrets = new Map(ctx.vault.values);
  return out;
}

function targetTable(ctx: CompileContext, name: string): NodeTable | undefined {
  return ctx.table(`model.${name}`) ?? ctx.table(`source.${name}`);
}

interface Compiled {
  spec: FlinkJobSpec;
  sql: string;
  access: JobKafkaAccess;
}

function compileOne(ctx: CompileContext, test: TestNode, violationsTopicName: string, out: ContinuousTestsOutput): Compiled | undefined {
  const diag = (code: string, message: string, hint: string, path: (string | number)[] = [], level: 'error' | 'warning' = 'error') =>
    out.diagnostics.push((level === 'error' ? error : warning)(code, message, { ...(path.length ? test.at(path) : test.loc), node: test.id, hint }));
  const table = targetTable(ctx, test.target);
  if (!table) return undefined; // TEST_MODEL_NOT_FOUND was reported by resolve
  if (!table.columns) {
    diag('CONTINUOUS_TEST_COLUMNS_UNKNOWN', `The columns of "${test.target}" are unknown, so continuous test "${test.name}" cannot be compiled`, `declare columns: on "${test.target}"`, ['model']);
    return undefined;
  }
  if (table.format === 'protobuf') {
    diag('CONTINUOUS_TEST_FORMAT_UNSUPPORTED', `"${test.target}" is Protobuf, which continuous test "${test.name}" cannot read`, 'use a sample test', ['model']);
    return undefined;
  }
  const pipelineName = continuousJobName(ctx.projectName, test.name);
  const avro = table.format === 'avro-confluent';
  const statements: string[] = [
    `SET ${option('pipeline.name', pipelineName)}`,
    `SET ${option('table.local-time-zone', 'UTC')}`,
    `RESET 'parallelism.default'`,
    `RESET 'execution.checkpointing.interval'`,
    `RESET 'table.exec.state.ttl'`,
  ];
  const groupId = pipelineName;
  const cluster = test.flinkCluster ?? ctx.project.defaults.tests?.flink_cluster ?? ctx.project.runtime.flink?.default ?? null;
  const kafka = (topic: string) => [option('connector', 'kafka'), option('topic', topic), ...flinkConnectionOptions(ctx, ctx.bootstrapServers(), cluster)];
  const access: JobKafkaAccess = { reads: [{ topic: table.topic, group: groupId }], writes: [violationsTopicName] };
  const columns = table.columns.filter((c) => !c.proctime);
  const typeOf = (type: string) => safeType(type) ?? 'STRING';
  const time = eventTimeOf(table, avro ? 'avro' : 'json');
  const meta = [
    `${quoteIdent(P)} INT METADATA FROM 'partition' VIRTUAL`,
    `${quoteIdent(O)} BIGINT METADATA FROM 'offset' VIRTUAL`,
    `${quoteIdent(TS)} TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL`,
    `${quoteIdent(RT)} AS ${time.expr}`,
    `WATERMARK FOR ${quoteIdent(RT)} AS ${watermarkOf(time.delayMs)}`,
  ];
  const readOpts = [...kafka(table.topic), option('properties.group.id', groupId), option('scan.startup.mode', 'group-offsets'), option('properties.auto.offset.reset', 'earliest'), option('scan.watermark.idle-timeout', formatDurationOption(SOURCE_IDLE_TIMEOUT_MS)), option('key.format', 'raw'), option('key.fields', K), option('value.fields-include', 'EXCEPT_KEY')];
  if (avro) {
    const cols = [`${quoteIdent(K)} STRING`, ...columns.map((c) => `${quoteIdent(c.name)} ${typeOf(c.type)}`), ...meta];
    const fmt = [option('value.format', 'avro-confluent'), option('value.avro-confluent.url', ctx.vault.scrub(ctx.registryUrl() ?? '')), ...registryAuth(ctx, 'value.')];
    statements.push(createTable(IN, cols, [...readOpts, ...fmt]));
    // Text columns for the assertions, and the typed values (`_streamt_t<i>`) for an Avro DLQ.
    statements.push(
      createView(
        ROWS,
        [K, P, O, TS, RT].map(quoteIdent).concat(columns.map((c) => `CAST(${quoteIdent(c.name)} AS STRING) AS ${quoteIdent(c.name)}`), columns.map((c, i) => `${quoteIdent(c.name)} AS ${quoteIdent(`_streamt_t${i}`)}`)),
        IN,
      ),
    );
    statements.push(createView(TYPED, [K, P, O, TS, RT].map(quoteIdent).concat(columns.map((c) => quoteIdent(c.name))), IN));
  } else {
    const cols = [`${quoteIdent(K)} STRING`, `${quoteIdent(V)} STRING`, ...meta];
    statements.push(createTable(IN, cols, [...readOpts, option('value.format', 'raw')]));
    // A ROW, MAP or ARRAY column is its JSON text (JSON_VALUE reads scalars only), kept as text in
    // the typed view: Flink casts no STRING to them. Casts drop NOT NULL (Flink's parser refuses
    // `TRY_CAST(x AS STRING NOT NULL)`).
    const composite = (type: string) => ['ROW', 'MAP', 'ARRAY', 'MULTISET'].includes(typeRoot(type));
    const fields = columns.map((c) => `${composite(c.type) ? 'JSON_QUERY' : 'JSON_VALUE'}(${quoteIdent(V)}, ${quoteLiteral(jsonPath(c.name))}) AS ${quoteIdent(c.name)}`);
    statements.push(createView(ROWS, [K, V, P, O, TS, RT].map(quoteIdent).concat(fields), IN));
    const typed = (c: { name: string; type: string }) => (composite(c.type) ? quoteIdent(c.name) : `TRY_CAST(${quoteIdent(c.name)} AS ${typeOf(c.type.replace(/\s+NOT\s+NULL\s*$/i, ''))}) AS ${quoteIdent(c.name)}`);
    statements.push(createView(TYPED, [K, V, P, O, TS, RT].map(quoteIdent).concat(columns.map(typed)), ROWS));
  }
  statements.push(
    createTable(
      OUT,
      ['`test` STRING', '`assertion` STRING', '`assertion_index` INT', '`record_key` STRING', '`details` STRING', '`record_partition` INT', '`record_offset` BIGINT', '`record_timestamp` TIMESTAMP_LTZ(3)', '`detected_at` TIMESTAMP_LTZ(3)'],
      [...kafka(violationsTopicName), option('key.format', 'raw'), option('key.fields', 'test'), option('value.format', 'json')],
    ),
  );

  const queries: string[] = [];
  const dlqRowPredicates: string[] = [];
  const dlqQueries: string[] = [];
  const skipped: { index: number; assertion: string; reason: string }[] = [];
  const colNames = new Set(columns.map((c) => c.name));
  const inputTopics = [table.topic];
  let refCount = 0;

  const violation = (a: AssertionSpec, i: number, details: string, from: string, where: string, alias = '') => {
    const col = (c: string) => (alias ? `${alias}.${quoteIdent(c)}` : quoteIdent(c));
    return `SELECT ${quoteLiteral(test.name)}, ${quoteLiteral(a.type)}, ${i}, ${col(K)}, ${details}, ${col(P)}, ${col(O)}, ${col(TS)}, CURRENT_TIMESTAMP\nFROM ${from}\nWHERE ${where}`;
  };
  const missing = (a: AssertionSpec, i: number, cols: string[]) => {
    const unknown = cols.filter((c) => !colNames.has(c));
    if (!unknown.length) return false;
    skipped.push({ index: i, assertion: a.type, reason: `"${test.target}" has no column ${unknown.join(', ')}` });
    return true;
  };
  const c = (name: string) => quoteIdent(name);
  const lit = (v: unknown) => quoteLiteral(String(v));

  test.assertions.forEach((a, i) => {
    const cfg = a.config;
    switch (a.type) {
      case 'not_null': {
        const cols = cfg.columns as string[];
        if (missing(a, i, cols)) return;
        const pred = cols.map((x) => `${c(x)} IS NULL`).join(' OR ');
        const details = `CONCAT_WS(', ', ${cols.map((x) => `CASE WHEN ${c(x)} IS NULL THEN ${lit(x)} END`).join(', ')}) || ' is null'`;
        queries.push(violation(a, i, details, c(ROWS), pred));
        dlqRowPredicates.push(`(${pred})`);
        return;
      }
      case 'accepted_values': {
        const col = String(cfg.column);
        if (missing(a, i, [col])) return;
        const pred = `${c(col)} IS NOT NULL AND ${c(col)} NOT IN (${(cfg.values as unknown[]).map(lit).join(', ')})`;
        queries.push(violation(a, i, `${lit(`${col} = `)} || ${c(col)} || ' is not accepted'`, c(ROWS), pred));
        dlqRowPredicates.push(`(${pred})`);
        return;
      }
      case 'range': {
        const col = String(cfg.column);
        if (missing(a, i, [col])) return;
        const n = `TRY_CAST(${c(col)} AS DOUBLE)`;
        const bounds = [cfg.min !== undefined ? `${n} < ${Number(cfg.min)}` : '', cfg.max !== undefined ? `${n} > ${Number(cfg.max)}` : ''].filter(Boolean);
        const pred = `${c(col)} IS NOT NULL AND (${[`${n} IS NULL`, ...bounds].join(' OR ')})`;
        const details = `CASE WHEN ${n} IS NULL THEN ${lit(`${col} = `)} || ${c(col)} || ' is not a number' ELSE ${lit(`${col} = `)} || ${c(col)} || ${lit(` outside [${cfg.min ?? '-inf'}, ${cfg.max ?? '+inf'}]`)} END`;
        queries.push(violation(a, i, details, c(ROWS), pred));
        dlqRowPredicates.push(`(${pred})`);
        return;
      }
      case 'accepted_types': {
        const types = Object.entries(acceptedTypes(cfg));
        const bad = types.filter(([, t]) => !typeFamily(t));
        if (bad.length) {
          diag('UNKNOWN_ASSERTION_TYPE', `accepted_types of test "${test.name}" names unknown type ${bad.map(([, t]) => JSON.stringify(t)).join(', ')}`, 'use string, int, bigint, double, boolean, timestamp, date or time', a.path);
          return;
        }
        if (missing(a, i, types.map(([col]) => col))) return;
        const checks = types.filter(([, t]) => typeFamily(t) !== 'string').map(([col, t]) => ({ col, t, pred: `(${c(col)} IS NOT NULL AND TRY_CAST(${c(col)} AS ${FLINK_TYPE[typeFamily(t)!]}) IS NULL)` }));
        if (!checks.length) {
          skipped.push({ index: i, assertion: a.type, reason: 'every value can be read as a string' });
          return;
        }
        const pred = checks.map((x) => x.pred).join(' OR ');
        const details = `CASE ${checks.map((x) => `WHEN ${x.pred} THEN ${lit(`${x.col} = `)} || ${c(x.col)} || ${lit(` is not a ${x.t}`)}`).join(' ')} END`;
        queries.push(violation(a, i, details, c(ROWS), pred));
        dlqRowPredicates.push(`(${pred})`);
        return;
      }
      case 'max_lag': {
        const col = cfg.column as string | undefined;
        const max = Number(cfg.max_seconds ?? cfg.seconds);
        if (col && missing(a, i, [col])) return;
        const limit = `CURRENT_TIMESTAMP - ${intervalMs(Math.round(max * 1000))}`;
        let pred: string;
        let details: string;
        if (col) {
          const t = `COALESCE(CASE WHEN REGEXP(${c(col)}, '^[0-9]+$') THEN TO_TIMESTAMP_LTZ(TRY_CAST(${c(col)} AS BIGINT), 3) END, CAST(TRY_CAST(REPLACE(REPLACE(${c(col)}, 'T', ' '), 'Z', '') AS TIMESTAMP(3)) AS TIMESTAMP_LTZ(3)))`;
          pred = `${c(col)} IS NOT NULL AND (${t} IS NULL OR ${t} < ${limit})`;
          details = `CASE WHEN ${t} IS NULL THEN ${lit(`${col} = `)} || ${c(col)} || ' is not a time' ELSE ${lit(`${col} = `)} || ${c(col)} || ${lit(` lags more than ${max} s`)} END`;
        } else {
          pred = `${c(TS)} < ${limit}`;
          details = lit(`record timestamp lags more than ${max} s`);
        }
        queries.push(violation(a, i, details, c(ROWS), pred));
        dlqRowPredicates.push(`(${pred})`);
        return;
      }
      case 'unique_key': {
        const keys = Array.isArray(cfg.key) ? (cfg.key as string[]) : [String(cfg.key)];
        if (missing(a, i, keys)) return;
        const window = parseDuration(cfg.window as string | number | undefined);
        // Event-time order (Flink sorts each key's records by event time once the watermark has
        // passed them; records with the same event time keep their arrival order), ROWS frames (no
        // peers): every record is compared with the previous record of its key in event time.
        const part = `PARTITION BY ${keys.map(c).join(', ')} ORDER BY ${c(RT)}`;
        const inner =
          window === undefined
            ? `SELECT *, COUNT(*) OVER (${part} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${c('_streamt_n')}`
            : `SELECT *, COUNT(*) OVER w AS ${c('_streamt_n')}, MIN(${c(RT)}) OVER w AS ${c('_streamt_min')}, MAX(${c(RT)}) OVER w AS ${c('_streamt_max')}`;
        const windowClause = window === undefined ? '' : `\n  WINDOW w AS (${part} ROWS BETWEEN 1 PRECEDING AND CURRENT ROW)`;
        const from = `(\n  ${inner}\n  FROM ${c(ROWS)}\n  WHERE ${keys.map((k) => `${c(k)} IS NOT NULL`).join(' AND ')}${windowClause}\n)`;
        const dup = window === undefined ? `${c('_streamt_n')} > 1` : `${c('_streamt_n')} > 1 AND ${c('_streamt_min')} >= ${c('_streamt_max')} - ${intervalMs(window)}`;
        const details = `${lit(`duplicate ${keys.join(', ')} `)} || ${keys.length > 1 ? `CONCAT_WS(', ', ${keys.map(c).join(', ')})` : c(keys[0]!)}${window !== undefined ? ` || ${lit(` within ${formatDuration(window)}`)}` : ''}`;
        queries.push(violation(a, i, details, from, dup));
        if (!avro) dlqQueries.push(`SELECT ${c(K)}, ${c(V)} FROM ${from} WHERE ${dup}`);
        if (cfg.tolerance) skipped.push({ index: i, assertion: a.type, reason: 'tolerance applies to sample tests; the continuous job reports every duplicate' });
        return;
      }
      case 'foreign_key': {
        const col = String(cfg.column);
        const refName = String(cfg.ref_model);
        const refKey = String(cfg.ref_key ?? col);
        const window = parseDuration(cfg.window as string | number | undefined);
        if (missing(a, i, [col])) return;
        if (window === undefined) {
          diag('CONTINUOUS_TEST_WINDOW_REQUIRED', `foreign_key of continuous test "${test.name}" needs a window: a stream never proves a key will not arrive`, 'add window: "10 minutes" (how long to wait for the key)', a.path);
          return;
        }
        const ref = targetTable(ctx, refName);
        if (!ref) return;
        if (!ref.columns?.some((x) => x.name === refKey)) {
          diag('CONTINUOUS_TEST_COLUMNS_UNKNOWN', `foreign_key of test "${test.name}": "${refName}" has no known column "${refKey}"`, `declare columns: on "${refName}"`, [...a.path, 'ref_key']);
          return;
        }
        const refTable = `_streamt_ref_${refCount++}`;
        inputTopics.push(ref.topic);
        access.reads.push({ topic: ref.topic, group: `${groupId}.ref${refCount}` });
        const refOpts = [...kafka(ref.topic), option('properties.group.id', `${groupId}.ref${refCount}`), option('scan.startup.mode', 'group-offsets'), option('properties.auto.offset.reset', 'earliest'), option('scan.watermark.idle-timeout', formatDurationOption(SOURCE_IDLE_TIMEOUT_MS))];
        const refAvro = ref.format === 'avro-confluent';
        const refTime = eventTimeOf(ref, refAvro ? 'avro' : 'json');
        const refTimeCols = [`${c(TS)} TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL`, `${c(RT)} AS ${refTime.expr}`, `WATERMARK FOR ${c(RT)} AS ${watermarkOf(refTime.delayMs)}`];
        if (refAvro) {
          statements.push(createTable(refTable, [...ref.columns.filter((x) => !x.proctime).map((x) => `${c(x.name)} ${typeOf(x.type)}`), ...refTimeCols], [...refOpts, option('format', 'avro-confluent'), option('avro-confluent.url', ctx.vault.scrub(ctx.registryUrl() ?? '')), ...registryAuth(ctx, '')]));
          statements.push(createView(`${refTable}_keys`, [`CAST(${c(refKey)} AS STRING) AS ${c('_streamt_ref_key')}`, c(RT)], refTable));
        } else {
          statements.push(createTable(refTable, [`${c(V)} STRING`, ...refTimeCols], [...refOpts, option('format', 'raw')]));
          statements.push(createView(`${refTable}_keys`, [`JSON_VALUE(${c(V)}, ${quoteLiteral(jsonPath(refKey))}) AS ${c('_streamt_ref_key')}`, c(RT)], refTable));
        }
        // An event-time interval left join: a record with no reference key within `window` of its
        // event time is written once the watermark of both inputs has passed its time + window,
        // i.e. when no record that could still match may arrive in order. Which records are
        // orphans therefore depends on event times only, not on which topic Flink read first.
        const w = intervalMs(window);
        const from = `${c(ROWS)} AS s\nLEFT JOIN ${c(`${refTable}_keys`)} AS r\n  ON s.${c(col)} = r.${c('_streamt_ref_key')}\n  AND r.${c(RT)} BETWEEN s.${c(RT)} - ${w} AND s.${c(RT)} + ${w}`;
        const where = `s.${c(col)} IS NOT NULL AND r.${c('_streamt_ref_key')} IS NULL`;
        queries.push(violation(a, i, `${lit(`${col} = `)} || s.${c(col)} || ${lit(` not found in ${refName}.${refKey} within ${formatDuration(window)}`)}`, from, where, 's'));
        if (!avro) dlqQueries.push(`SELECT s.${c(K)}, s.${c(V)} FROM ${from} WHERE ${where}`);
        return;
      }
      case 'throughput': {
        const min = cfg.min_per_second as number | undefined;
        const max = cfg.max_per_second as number | undefined;
        const secs = AGGREGATE_WINDOW_MS / 1000;
        const rate = `COUNT(*) * 1.0 / ${secs}`;
        const conds = [min !== undefined ? `${rate} < ${min}` : '', max !== undefined ? `${rate} > ${max}` : ''].filter(Boolean);
        if (!conds.length) return;
        queries.push(
          `SELECT ${quoteLiteral(test.name)}, ${quoteLiteral(a.type)}, ${i}, CAST(NULL AS STRING), CAST(COUNT(*) AS STRING) || ${lit(` records in ${formatDuration(AGGREGATE_WINDOW_MS)}, outside [${min ?? 0}, ${max ?? '+inf'}] records/s`)}, CAST(NULL AS INT), CAST(NULL AS BIGINT), window_end, CURRENT_TIMESTAMP\nFROM TABLE(TUMBLE(TABLE ${c(ROWS)}, DESCRIPTOR(${c(RT)}), ${intervalMs(AGGREGATE_WINDOW_MS)}))\nGROUP BY window_start, window_end\nHAVING ${conds.join(' OR ')}`,
        );
        if (min !== undefined) skipped.push({ index: i, assertion: a.type, reason: `a ${formatDuration(AGGREGATE_WINDOW_MS)} window with no record at all emits nothing, so a stopped stream is not reported (use max_lag or status for that)` });
        return;
      }
      case 'distribution': {
        const col = String(cfg.column);
        if (missing(a, i, [col])) return;
        (cfg.buckets as Bucket[]).forEach((b) => {
          if (b.min_ratio === undefined && b.max_ratio === undefined) return;
          const inB = b.value !== undefined ? `${c(col)} = ${lit(b.value)}` : [b.min !== undefined ? `TRY_CAST(${c(col)} AS DOUBLE) >= ${b.min}` : `TRY_CAST(${c(col)} AS DOUBLE) IS NOT NULL`, b.max !== undefined ? `TRY_CAST(${c(col)} AS DOUBLE) < ${b.max}` : ''].filter(Boolean).join(' AND ');
          const share = `SUM(CASE WHEN ${inB} THEN 1 ELSE 0 END) * 1.0 / COUNT(${c(col)})`;
          const conds = [b.min_ratio !== undefined ? `${share} < ${b.min_ratio}` : '', b.max_ratio !== undefined ? `${share} > ${b.max_ratio}` : ''].filter(Boolean);
          queries.push(
            `SELECT ${quoteLiteral(test.name)}, ${quoteLiteral(a.type)}, ${i}, CAST(NULL AS STRING), ${lit(`${col} ${bucketName(b)}: `)} || CAST(SUM(CASE WHEN ${inB} THEN 1 ELSE 0 END) AS STRING) || ' of ' || CAST(COUNT(${c(col)}) AS STRING) || ${lit(` records in ${formatDuration(AGGREGATE_WINDOW_MS)}, expected ${b.min_ratio ?? 0}–${b.max_ratio ?? 1}`)}, CAST(NULL AS INT), CAST(NULL AS BIGINT), window_end, CURRENT_TIMESTAMP\nFROM TABLE(TUMBLE(TABLE ${c(ROWS)}, DESCRIPTOR(${c(RT)}), ${intervalMs(AGGREGATE_WINDOW_MS)}))\nWHERE ${c(col)} IS NOT NULL\nGROUP BY window_start, window_end\nHAVING ${conds.join(' OR ')}`,
          );
        });
        return;
      }
      case 'schema': {
        if (avro) {
          skipped.push({ index: i, assertion: a.type, reason: 'an Avro topic is decoded with its registered schema by the job itself (a record that does not decode stops it); check its records with a schema test' });
          return;
        }
        const only = cfg.columns as string[] | undefined;
        if (only && missing(a, i, only)) return;
        const checks = schemaChecks(columns.filter((x) => !only || only.includes(x.name)));
        const notObject = `NOT (${c(V)} IS JSON OBJECT)`;
        const pred = `${c(V)} IS NOT NULL AND (${[notObject, ...checks.map((x) => x.pred)].join(' OR ')})`;
        const details = `CASE WHEN ${notObject} THEN 'the value is not a JSON object' ELSE CONCAT_WS('; ', ${checks.map((x) => `CASE WHEN ${x.pred} THEN ${x.details} END`).join(', ')}) END`;
        queries.push(violation(a, i, details, c(ROWS), pred));
        dlqRowPredicates.push(`(${pred})`);
        return;
      }
      case 'custom_sql': {
        const cond = customCondition(cfg);
        if (!cond.ok) {
          diag('CUSTOM_SQL_UNSUPPORTED', `custom_sql of continuous test "${test.name}" is not evaluated: ${cond.reason}`, 'write it as where: <condition a violating record meets>, or sql: "SELECT COUNT(*) FROM <model> WHERE <condition>" with expect: 0', a.path, 'warning');
          skipped.push({ index: i, assertion: a.type, reason: cond.reason });
          return;
        }
        const name = typeof cfg.name === 'string' ? cfg.name : 'custom_sql';
        const detailCol = typeof cfg.detail_column === 'string' && colNames.has(cfg.detail_column) ? `${lit(`${name}: ${cfg.detail_column} = `)} || CAST(${c(cfg.detail_column)} AS STRING)` : lit(`${name}: condition met`);
        queries.push(violation(a, i, detailCol, c(TYPED), `(${cond.where})`));
        if (!avro) dlqQueries.push(`SELECT ${c(K)}, ${c(V)} FROM ${c(TYPED)} WHERE (${cond.where})`);
        return;
      }
      default:
        skipped.push({ index: i, assertion: a.type, reason: `${a.type} is not evaluated by continuous tests` });
    }
  });
  if (skipped.length) out.skipped.set(test.name, skipped);
  if (!queries.length) {
    diag('CONTINUOUS_TEST_EMPTY', `Continuous test "${test.name}" has no assertion a Flink job can evaluate`, 'fix the assertions, or use a sample test', ['assertions'], 'warning');
    return undefined;
  }

  const inserts = [`INSERT INTO ${c(OUT)}\n${queries.join('\nUNION ALL\n')}`];
  const dlq = test.actions.find((x) => x.type === 'dlq');
  let dlqTopic: string | undefined;
  if (dlq) {
    const model = typeof dlq.config.model === 'string' ? ctx.model(dlq.config.model) : undefined;
    dlqTopic = model ? ctx.table(model.node.id)?.topic : typeof dlq.config.topic === 'string' ? dlq.config.topic : undefined;
    if (dlqTopic) {
      access.writes.push(dlqTopic);
      if (avro) {
        const cols = [`${c(K)} STRING`, ...columns.map((x) => `${c(x.name)} ${typeOf(x.type)}`)];
        statements.push(createTable(DLQ, cols, [...kafka(dlqTopic), option('key.format', 'raw'), option('key.fields', K), option('value.fields-include', 'EXCEPT_KEY'), option('value.format', 'avro-confluent'), option('value.avro-confluent.url', ctx.vault.scrub(ctx.registryUrl() ?? '')), ...registryAuth(ctx, 'value.')]));
        if (dlqRowPredicates.length) inserts.push(`INSERT INTO ${c(DLQ)}\nSELECT ${[c(K), ...columns.map((x, i) => `${c(`_streamt_t${i}`)} AS ${c(x.name)}`)].join(', ')} FROM ${c(ROWS)}\nWHERE ${dlqRowPredicates.join('\n   OR ')}`);
      } else {
        statements.push(createTable(DLQ, [`${c(K)} STRING`, `${c(V)} STRING`], [...kafka(dlqTopic), option('key.format', 'raw'), option('key.fields', K), option('value.fields-include', 'EXCEPT_KEY'), option('value.format', 'raw')]));
        const parts = [...(dlqRowPredicates.length ? [`SELECT ${c(K)}, ${c(V)} FROM ${c(ROWS)}\nWHERE ${dlqRowPredicates.join('\n   OR ')}`] : []), ...dlqQueries];
        if (parts.length) inserts.push(`INSERT INTO ${c(DLQ)}\n${parts.join('\nUNION ALL\n')}`);
      }
    }
  }
  statements.push(inserts.length === 1 ? inserts[0]! : `EXECUTE STATEMENT SET\nBEGIN\n${inserts.map((s) => `${s};`).join('\n')}\nEND`);

  const header = [
    `-- Continuous test ${commentText(test.name)} on ${commentText(test.target)} (project ${commentText(ctx.projectName)}), compiled by streamt.`,
    `-- Violations go to topic ${commentText(violationsTopicName)}${dlqTopic ? `; violating records to ${commentText(dlqTopic)}` : ''}.`,
    '-- Run the whole script in a fresh SQL Gateway session.',
  ].join('\n');
  const sql = header + '\n\n' + statements.map((s) => `${s};`).join('\n\n') + '\n';
  const spec: FlinkJobSpec = {
    name: pipelineName,
    cluster,
    parallelism: null,
    checkpoint_interval_ms: null,
    state_ttl_ms: null,
    state_backend: null,
    input_topics: inputTopics,
    output_topic: violationsTopicName,
    sink_connector: 'kafka',
    primary_key: [],
    value_format: 'json',
    key_format: 'raw',
    key_fields: ['test'],
    statements,
  };
  return { spec, sql, access };
}

/** `where:` as is; `sql: SELECT COUNT(*) FROM x WHERE cond` with `expect: 0` becomes `cond`. */
export function customCondition(cfg: Record<string, unknown>): { ok: true; where: string } | { ok: false; reason: string } {
  if (typeof cfg.where === 'string' && cfg.where.trim()) return { ok: true, where: cfg.where.trim() };
  if (typeof cfg.sql !== 'string') return { ok: false, reason: 'it has neither where: nor sql:' };
  const expectZero = cfg.expect === undefined || /^\s*(=|==)?\s*0\s*$/.test(String(cfg.expect));
  const m = /^\s*SELECT\s+COUNT\s*\(\s*\*\s*\)\s+(?:AS\s+\w+\s+)?FROM\s+\S+(?:\s+AS\s+\w+)?\s+WHERE\s+([\s\S]+?)\s*;?\s*$/i.exec(cfg.sql);
  if (!m) return { ok: false, reason: 'only "SELECT COUNT(*) FROM <model> WHERE <condition>" can be evaluated record by record' };
  if (!expectZero) return { ok: false, reason: `expect: ${JSON.stringify(cfg.expect)} is a count over all records; a continuous job can only check "expect: 0"` };
  return { ok: true, where: m[1]! };
}

/**
 * The event time a continuous test judges a target's records on, as a TIMESTAMP_LTZ(3) expression
 * over the source table's columns: the target's rowtime column with its watermark delay, or the
 * Kafka record timestamp when the target has no event time. A record whose event-time value is
 * missing or unreadable falls back to its Kafka timestamp (a rowtime may not be null in Flink,
 * and per-record assertions report the bad value itself).
 */
export function eventTimeOf(table: NodeTable, format: 'json' | 'avro'): { expr: string; delayMs: number; column?: string } {
  const kafkaTs = quoteIdent(TS);
  const r = table.rowtime;
  const col = r ? table.columns?.find((x) => x.name === r.column && !x.proctime) : undefined;
  if (!r || !col) return { expr: kafkaTs, delayMs: DEFAULT_WATERMARK_DELAY_MS };
  const delayMs = r.strategy === 'monotonously_increasing' ? 1 : Math.max(0, Math.round(r.maxOutOfOrdernessMs));
  const typed = format === 'avro' && /^TIMESTAMP/i.test(col.type);
  const text = format === 'json' ? `JSON_VALUE(${quoteIdent(V)}, ${quoteLiteral(jsonPath(col.name))})` : `CAST(${quoteIdent(col.name)} AS STRING)`;
  const value = typed ? `CAST(${quoteIdent(col.name)} AS TIMESTAMP_LTZ(3))` : timeFromText(text);
  return { expr: `COALESCE(${value}, ${kafkaTs})`, delayMs, column: col.name };
}

/** Epoch milliseconds (digits), Flink's `yyyy-MM-dd HH:mm:ss[.SSS]` or ISO-8601 UTC, as TIMESTAMP_LTZ(3); null otherwise. */
function timeFromText(text: string): string {
  return `COALESCE(CASE WHEN REGEXP(${text}, '^[0-9]+$') THEN TO_TIMESTAMP_LTZ(TRY_CAST(${text} AS BIGINT), 3) END, CAST(TRY_CAST(REPLACE(REPLACE(${text}, 'T', ' '), 'Z', '') AS TIMESTAMP(3)) AS TIMESTAMP_LTZ(3)))`;
}

function watermarkOf(delayMs: number): string {
  return delayMs === 0 ? quoteIdent(RT) : `${quoteIdent(RT)} - ${intervalMs(delayMs)}`;
}

/** A duration option value Flink parses (`30 s`, `1500 ms`). */
function formatDurationOption(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function jsonPath(name: string): string {
  return `$${pathStep(name)}`;
}

function pathStep(name: string): string {
  return `['${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

/**
 * The `schema` assertion over a raw JSON value (column `_streamt_value`): per declared column, a
 * predicate a record that Flink's `json` format would not read into the declared type meets, and
 * the text naming the field. What Flink can tell from the text (judged on the stack, see
 * docs/testing.md#assertions): a NOT NULL column that is missing or null; a scalar column whose
 * value is an object or an array, or whose text `TRY_CAST` cannot read as the type (timestamps in
 * SQL or ISO-8601 text); a ROW or MAP
 * column that is not an object, an ARRAY or MULTISET column that is not an array. STRING columns
 * take any value (the json format keeps an object's text), BYTES/BINARY ones are not checked, and
 * the fields of a ROW are checked the same way when the row is there; array and map elements are not.
 */
export function schemaChecks(columns: readonly { name: string; type: string }[], parent?: { path: string; name: string; present: string }): { field: string; pred: string; details: string }[] {
  const out: { field: string; pred: string; details: string }[] = [];
  for (const col of columns) {
    const path = (parent?.path ?? '$') + pathStep(col.name);
    const field = parent ? `${parent.name}.${col.name}` : col.name;
    const value = `JSON_VALUE(${quoteIdent(V)}, ${quoteLiteral(path)})`;
    const query = `JSON_QUERY(${quoteIdent(V)}, ${quoteLiteral(path)})`;
    const notNull = /\bNOT\s+NULL\s*$/i.test(col.type);
    const base = col.type.replace(/\s+NOT\s+NULL\s*$/i, '').trim();
    const root = typeRoot(base);
    const present = `(${value} IS NOT NULL OR ${query} IS NOT NULL)`;
    const within = (pred: string) => (parent ? `(${parent.present} AND ${pred})` : `(${pred})`);
    if (notNull) out.push({ field, pred: within(`${value} IS NULL AND ${query} IS NULL`), details: quoteLiteral(`${field} is missing or null (declared ${col.type})`) });
    if (root === 'ROW' || root === 'MAP' || root === 'ARRAY' || root === 'MULTISET') {
      const shape = root === 'ARRAY' || root === 'MULTISET' ? 'ARRAY' : 'OBJECT';
      out.push({ field, pred: within(`${value} IS NOT NULL OR (${query} IS NOT NULL AND NOT (${query} IS JSON ${shape}))`), details: `${quoteLiteral(`${field} = `)} || COALESCE(${value}, ${query}) || ${quoteLiteral(` is not ${shape === 'ARRAY' ? 'an array' : 'an object'} (declared ${base})`)}` });
      if (root === 'ROW') out.push(...schemaChecks(rowFields(base), { path, name: field, present: parent ? `(${parent.present} AND ${query} IS JSON OBJECT)` : `${query} IS JSON OBJECT` }));
      continue;
    }
    if (['STRING', 'VARCHAR', 'CHAR', 'BYTES', 'BINARY', 'VARBINARY', 'RAW'].includes(root)) continue;
    // Timestamps: Flink's json format reads SQL (`2024-01-01 10:00:00`) or ISO-8601
    // (`2024-01-01T10:00:00Z`) text, as the table says; TRY_CAST reads only the first, so both are
    // brought to it.
    const cast = root === 'TIMESTAMP' || root === 'TIMESTAMP_LTZ' ? `TRY_CAST(REPLACE(REPLACE(${value}, 'T', ' '), 'Z', '') AS TIMESTAMP(3))` : `TRY_CAST(${value} AS ${safeType(base) ?? base})`;
    out.push({ field, pred: within(`${query} IS NOT NULL OR (${value} IS NOT NULL AND ${cast} IS NULL)`), details: `${quoteLiteral(`${field} = `)} || COALESCE(${value}, ${query}) || ${quoteLiteral(` does not read as ${base}`)}` });
  }
  return out;
}

/** An exact interval literal with a leading precision that fits (Flink rejects SECOND(9, 3)). */
export function intervalMs(ms: number): string {
  const p = (n: number) => Math.max(2, String(n).length);
  if (ms % 1000 !== 0) {
    const s = Math.floor(ms / 1000);
    return `INTERVAL '${s}.${String(ms % 1000).padStart(3, '0')}' SECOND(${p(s)}, 3)`;
  }
  const s = ms / 1000;
  if (s < 100) return `INTERVAL '${s}' SECOND`;
  if (s % 86_400 === 0) return `INTERVAL '${s / 86_400}' DAY(${p(s / 86_400)})`;
  if (s % 3600 === 0) return `INTERVAL '${s / 3600}' HOUR(${p(s / 3600)})`;
  if (s % 60 === 0) return `INTERVAL '${s / 60}' MINUTE(${p(s / 60)})`;
  return `INTERVAL '${s}' SECOND(${p(s)})`;
}

function createView(name: string, select: string[], from: string): string {
  return `CREATE TEMPORARY VIEW ${quoteIdent(name)} AS\nSELECT ${select.join(',\n  ')}\nFROM ${quoteIdent(from)}`;
}

function registryAuth(ctx: CompileContext, prefix: string): string[] {
  const sr = ctx.project.runtime.schema_registry;
  if (!sr?.username) return [];
  const pw = ctx.vault.configValue('schema_registry', 'password', sr.password ?? '');
  return [option(`${prefix}avro-confluent.basic-auth.credentials-source`, 'USER_INFO'), option(`${prefix}avro-confluent.basic-auth.user-info`, `${ctx.vault.scrub(sr.username)}:${pw}`)];
}
