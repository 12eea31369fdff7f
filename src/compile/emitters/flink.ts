/**
 * One self-contained Flink SQL script per model: its own SET/RESET options, a TEMPORARY table per
 * input and for the output (real columns, types, watermarks, formats), then the INSERT. Run in a
 * fresh SQL Gateway session, nothing it declares can leak into another job.
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import { own } from '../../core/own.js';
import type { NodeId } from '../../project/types.js';
import type { ResolvedModel } from '../../resolve/types.js';
import { isRegistryFormat } from '../../resolve/tables.js';
import type { CompileContext, NodeTable, Rowtime, TableColumn } from '../context.js';
import { option, quoteIdent, safeType } from '../quote.js';
import type { FlinkJobSpec } from '../types.js';
import { commentText, nodeError } from './common.js';
import { maskedQuery, writesThroughGateway } from './masking.js';
import { flinkConnectionOptions } from '../kafka-identity.js';

export interface FlinkJobOutput {
  spec: FlinkJobSpec;
  /** The script written to flink/<model>.sql. */
  sql: string;
  /** What the job reads and writes on Kafka (the ACLs of its principal). */
  access: JobKafkaAccess;
}

/** What a compiled client does on Kafka: topics read with their consumer group, topics written. */
export interface JobKafkaAccess {
  reads: { topic: string; group: string }[];
  writes: string[];
  /** Exactly-once sinks: the prefix of their transactional ids (`<prefix>-<subtask>-<n>`). */
  transactionalIdPrefix?: string;
}

/**
 * SQL Gateway options every job sets or resets, so none keeps a value from an earlier statement.
 * A RESET option takes the cluster's own value (its config.yaml). Each is one Flink 1.20 reads for
 * the job, checked on the real cluster (test/integration/flink-state.test.ts); the SQL Gateway
 * accepts any key silently, so a key is only listed here with that proof. Not here:
 * `execution.checkpointing.savepoint-dir`, which Flink ignores for savepoints triggered through
 * REST (the cluster's applies); the savepoint directory is sent with each stop instead
 * (FlinkAdapter.stopWithSavepoint).
 */
export const JOB_OPTIONS = [
  'parallelism.default',
  'execution.checkpointing.interval',
  'execution.checkpointing.externalized-checkpoint-retention',
  'execution.checkpointing.dir',
  'restart-strategy.type',
  'restart-strategy.exponential-delay.initial-backoff',
  'restart-strategy.exponential-delay.max-backoff',
  'restart-strategy.exponential-delay.attempts-before-reset-backoff',
  'restart-strategy.fixed-delay.attempts',
  'restart-strategy.fixed-delay.delay',
  'table.exec.state.ttl',
  'state.backend.type',
] as const;

/**
 * Defaults that keep a job's state (docs/compile.md, "Job settings"): a checkpoint every minute,
 * kept when the job is cancelled (so a job cancelled by hand, or FAILED, can be restored from
 * it), and a bounded restart strategy, so a job that keeps failing ends FAILED instead of
 * restarting for ever.
 */
export const FLINK_JOB_DEFAULTS = {
  checkpointIntervalMs: 60_000,
  restartStrategy: 'exponential-delay',
  restartAttempts: 10,
  delivery: 'at_least_once',
} as const;

/**
 * The broker's default `transaction.max.timeout.ms` (15 min). The Kafka sink's own default
 * transaction timeout (1 h) is above it, so an exactly-once job would fail at its first
 * transaction; 15 min also stays well above any sensible checkpoint interval.
 */
export const EXACTLY_ONCE_TRANSACTION_TIMEOUT_MS = 900_000;

/** A changelog input partition with no record for this long stops holding the watermark back. */
export const CHANGELOG_IDLE_TIMEOUT_MS = 30_000;

export interface EffectiveFlinkSettings {
  parallelism?: number | undefined;
  checkpointIntervalMs: number;
  stateTtlMs?: number | undefined;
  restartStrategy: 'exponential-delay' | 'fixed-delay' | 'none';
  restartAttempts: number;
  delivery: 'at_least_once' | 'exactly_once';
  stateBackend?: string | undefined;
}

/**
 * `state.backend.type` for a declared state_backend. `filesystem` and `memory` are the names of
 * the heap backends before Flink 1.13, whose state lives where `hashmap` keeps it (checkpoints
 * still go to the checkpoint directory).
 */
export function stateBackendType(backend: string | undefined): 'hashmap' | 'rocksdb' | undefined {
  if (!backend) return undefined;
  return backend === 'rocksdb' ? 'rocksdb' : 'hashmap';
}

/** The model's settings, else the project's `defaults.models.flink`, else FLINK_JOB_DEFAULTS. */
export function effectiveFlinkSettings(ctx: CompileContext, m: ResolvedModel): EffectiveFlinkSettings {
  const own = m.node.flink;
  const d = ctx.project.defaults.models?.flink ?? {};
  return {
    parallelism: own.parallelism ?? d.parallelism,
    checkpointIntervalMs: own.checkpointIntervalMs ?? d.checkpoint_interval_ms ?? d.checkpoint_interval ?? FLINK_JOB_DEFAULTS.checkpointIntervalMs,
    stateTtlMs: own.stateTtlMs ?? d.state_ttl_ms,
    restartStrategy: own.restartStrategy ?? d.restart_strategy ?? FLINK_JOB_DEFAULTS.restartStrategy,
    restartAttempts: own.restartAttempts ?? d.restart_attempts ?? FLINK_JOB_DEFAULTS.restartAttempts,
    delivery: own.delivery ?? d.delivery ?? FLINK_JOB_DEFAULTS.delivery,
    stateBackend: own.stateBackend ?? d.state_backend,
  };
}

/** The job's SET/RESET statements (pipeline.name first, then every JOB_OPTIONS key) and its effective settings. */
export function jobSettingStatements(ctx: CompileContext, m: ResolvedModel, pipelineName: string): { eff: EffectiveFlinkSettings; clusterName: string | null; statements: string[] } {
  const node = m.node;
  const eff = effectiveFlinkSettings(ctx, m);
  const clusterName = node.flinkCluster ?? ctx.project.defaults.models?.flink_cluster ?? ctx.project.runtime.flink?.default ?? null;
  const cluster = clusterName ? own(ctx.project.runtime.flink?.clusters, clusterName) : undefined;
  const statements: string[] = [];
  const restart = eff.restartStrategy;
  const settings: Record<(typeof JOB_OPTIONS)[number], string | undefined> = {
    'parallelism.default': eff.parallelism !== undefined ? String(eff.parallelism) : undefined,
    'execution.checkpointing.interval': `${eff.checkpointIntervalMs} ms`,
    'execution.checkpointing.externalized-checkpoint-retention': 'RETAIN_ON_CANCELLATION',
    'execution.checkpointing.dir': cluster?.checkpoint_dir ? ctx.vault.scrub(cluster.checkpoint_dir) : undefined,
    'restart-strategy.type': restart,
    'restart-strategy.exponential-delay.initial-backoff': restart === 'exponential-delay' ? '1 s' : undefined,
    'restart-strategy.exponential-delay.max-backoff': restart === 'exponential-delay' ? '1 min' : undefined,
    'restart-strategy.exponential-delay.attempts-before-reset-backoff': restart === 'exponential-delay' ? String(eff.restartAttempts) : undefined,
    'restart-strategy.fixed-delay.attempts': restart === 'fixed-delay' ? String(eff.restartAttempts) : undefined,
    'restart-strategy.fixed-delay.delay': restart === 'fixed-delay' ? '10 s' : undefined,
    'table.exec.state.ttl': eff.stateTtlMs !== undefined && eff.stateTtlMs >= 0 ? `${eff.stateTtlMs} ms` : undefined,
    'state.backend.type': stateBackendType(eff.stateBackend),
  };
  statements.push(`SET ${option('pipeline.name', pipelineName)}`);
  for (const key of JOB_OPTIONS) {
    const v = settings[key];
    statements.push(v !== undefined ? `SET ${option(key, v)}` : `RESET ${quoteLiteralKey(key)}`);
  }

  return { eff, clusterName, statements };
}

export function emitFlinkJob(ctx: CompileContext, m: ResolvedModel, diagnostics: Diagnostic[]): FlinkJobOutput | undefined {
  const node = m.node;
  const errorsBefore = diagnostics.length;
  const out = ctx.table(node.id)!;
  const pipelineName = `streamt.${ctx.projectName}.${node.name}`;
  const groupId = pipelineName;
  const { eff, clusterName, statements } = jobSettingStatements(ctx, m, pipelineName);

  // Inputs: one temporary table each, named as the SQL names them (the node name).
  const inputTopics: string[] = [];
  const inputNames = new Set<string>();
  let complete = true;
  const access: JobKafkaAccess = { reads: [], writes: [] };
  for (const id of m.inputs) {
    const t = ctx.table(id);
    if (!t) continue;
    inputNames.add(t.name);
    inputTopics.push(t.topic);
    const ddl = inputTable(ctx, m, t, groupId, clusterName, diagnostics);
    if (ddl) statements.push(ddl);
    else complete = false;
    // A virtual topic is read through the Gateway's proxy, whose own rules apply.
    if (ctx.model(t.name)?.materialized !== 'virtual_topic' || !t.id.startsWith('model.')) access.reads.push({ topic: t.topic, group: groupId });
  }

  // Output.
  let sinkName = `${node.name}__output`;
  while (inputNames.has(sinkName)) sinkName += '_';
  const sinkConnector = out.connector;
  // Unknown output columns because an input's are unknown: the input's error says why.
  if (!out.columns && m.inputs.every((i) => ctx.table(i)?.columns)) {
    diagnostics.push(nodeError(ctx, node.id, 'COMPILE_COLUMNS_UNKNOWN', `The output columns of model "${node.name}" are unknown, so its Flink job cannot be compiled`, 'declare columns: on the model, or fix the errors that keep its SQL from being analysed'));
  }
  if (sinkConnector === 'upsert-kafka' && !out.primaryKey.length) {
    diagnostics.push(nodeError(ctx, node.id, 'UPSERT_KEY_REQUIRED', `Model "${node.name}" produces an updating result (${m.analysis?.features.join(', ') || 'changelog'}) but no key can be derived for upsert-kafka`, 'set key: to the column(s) that identify a row of the result'));
  }
  for (const k of out.keyFields) {
    if (out.columns && !out.columns.some((c) => c.name === k)) {
      diagnostics.push(nodeError(ctx, node.id, 'KEY_COLUMN_NOT_FOUND', `Key column "${k}" of model "${node.name}" is not an output column`, `output columns: ${out.columns.map((c) => c.name).join(', ')}`, ['key']));
    }
  }
  if (out.columns) {
    const cols = columnLines(ctx, node.id, out.columns.map((c) => ({ name: c.name, type: c.type })), diagnostics);
    if (sinkConnector === 'upsert-kafka' && out.primaryKey.length) cols.push(`PRIMARY KEY (${out.primaryKey.map(quoteIdent).join(', ')}) NOT ENFORCED`);
    // A model that encrypts writes through the Gateway's proxy, which encrypts on produce.
    const opts = [option('connector', sinkConnector), option('topic', out.topic), ...flinkConnectionOptions(ctx, writesThroughGateway(ctx, m) ?? ctx.bootstrapServers(), clusterName)];
    opts.push(...formatOptions(ctx, out, sinkConnector === 'upsert-kafka' || out.keyFields.length > 0, 'sink'));
    opts.push(...deliveryOptions(eff.delivery, pipelineName));
    statements.push(createTable(sinkName, cols, opts));
  }

  const rendered = (m.renderedSql ?? '').replace(/\s+$/, '').replace(/;\s*$/, '').replace(/^\s*\n/, '');
  // Masks for every reader are applied in the job: the topic never holds the clear value.
  const unmasked = (m.analysis?.columns ?? out.columns ?? []).map((c) => ({ name: c.name, type: c.type ?? 'STRING' }));
  const query = maskedQuery(ctx, m, rendered, unmasked, diagnostics);
  if (query !== undefined) statements.push(`INSERT INTO ${quoteIdent(sinkName)}\n${query}\n`);

  // An input or the output could not be declared: the reason is reported (here or at the source).
  if (!complete || !out.columns || diagnostics.slice(errorsBefore).some((d) => d.severity === 'error')) return undefined;
  access.writes.push(out.topic);
  if (eff.delivery === 'exactly_once') access.transactionalIdPrefix = pipelineName;

  let sql = '';
  if (!ctx.diagnosticsOnly) {
    const header = [
      `-- Flink job for model ${commentText(node.name)} of project ${commentText(ctx.projectName)}, compiled by streamt.`,
      `-- Materialized ${m.materialized}: ${commentText(m.materializationReason)}.`,
      '-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.',
    ].join('\n');
    sql = header + '\n\n' + statements.map((s) => `${s};`).join('\n\n') + '\n';
  }
  const spec: FlinkJobSpec = {
    name: pipelineName,
    cluster: clusterName,
    parallelism: eff.parallelism ?? null,
    checkpoint_interval_ms: eff.checkpointIntervalMs,
    state_ttl_ms: eff.stateTtlMs ?? null,
    state_backend: eff.stateBackend ?? null,
    input_topics: inputTopics,
    output_topic: out.topic,
    sink_connector: sinkConnector,
    primary_key: sinkConnector === 'upsert-kafka' ? out.primaryKey : [],
    value_format: out.format === 'avro-confluent' ? 'avro-confluent' : 'json',
    key_format: out.keyFields.length ? out.keyFormat ?? 'json' : null,
    key_fields: out.keyFields,
    statements: ctx.diagnosticsOnly ? [] : statements.map((s) => s.replace(/\n$/, '')),
  };
  return { spec, sql, access };
}

/**
 * The sink's delivery guarantee, always stated. Exactly-once writes in Kafka transactions that
 * commit with each checkpoint; their ids start with the pipeline name, unique per job, so a
 * restarted job aborts the transactions its previous run left open and no other job's.
 */
export function deliveryOptions(delivery: 'at_least_once' | 'exactly_once', pipelineName: string): string[] {
  if (delivery === 'at_least_once') return [option('sink.delivery-guarantee', 'at-least-once')];
  return [
    option('sink.delivery-guarantee', 'exactly-once'),
    option('sink.transactional-id-prefix', pipelineName),
    option('properties.transaction.timeout.ms', String(EXACTLY_ONCE_TRANSACTION_TIMEOUT_MS)),
  ];
}

export function quoteLiteralKey(key: string): string {
  return `'${key.replace(/'/g, "''")}'`;
}

export function inputTable(ctx: CompileContext, m: ResolvedModel, t: NodeTable, groupId: string, cluster: string | null, diagnostics: Diagnostic[]): string | undefined {
  const model = m.node;
  // A source without typed columns is reported at the source, once (resolve: SOURCE_COLUMNS_UNTYPED).
  if (!t.columns && t.id.startsWith('source.')) return undefined;
  if (!t.columns) {
    diagnostics.push(
      nodeError(ctx, model.id, 'COMPILE_INPUT_COLUMNS_UNKNOWN', `Model "${model.name}" reads ${t.id.replace('.', ' ')}, whose columns are unknown`,
        t.id.startsWith('source.') ? `declare columns: on source "${t.name}"` : `declare columns: on model "${t.name}", or fix its SQL`),
    );
    return undefined;
  }
  if (t.format === 'protobuf') {
    diagnostics.push(nodeError(ctx, model.id, 'FORMAT_UNSUPPORTED', `Source "${t.name}" is Protobuf, which Flink 1.20 cannot read from a registry-encoded topic`, 'convert the topic to Avro or JSON, or read it with a custom connector'));
    return undefined;
  }
  if (isRegistryFormat(t.format) && !ctx.registryUrl()) {
    diagnostics.push(nodeError(ctx, model.id, 'REGISTRY_REQUIRED', `${t.id.replace('.', ' ')} is Avro, and no Schema Registry is configured`, 'add runtime.schema_registry.url'));
    return undefined;
  }
  if (t.rowtime && !t.columns.some((c) => c.name === t.rowtime!.column)) {
    diagnostics.push(nodeError(ctx, t.id, 'EVENT_TIME_COLUMN_MISSING', `Event-time column "${t.rowtime.column}" of ${t.id.replace('.', ' ')} is not among its columns`, `add a column ${t.rowtime.column} of type TIMESTAMP(3)`, ['event_time', 'column']));
    return undefined;
  }
  let bootstrap = ctx.bootstrapServers();
  const upstream = t.id.startsWith('model.') ? ctx.model(t.name) : undefined;
  if (upstream?.materialized === 'virtual_topic') {
    // Virtual topics exist only behind the Gateway's Kafka proxy.
    const proxy = ctx.project.runtime.conduktor?.gateway?.proxy_bootstrap;
    if (!proxy) {
      diagnostics.push(nodeError(ctx, model.id, 'VIRTUAL_TOPIC_NOT_REACHABLE', `Model "${model.name}" runs on Flink and reads virtual topic "${t.name}", which only exists behind the Gateway`, 'set runtime.conduktor.gateway.proxy_bootstrap, or materialize the upstream model as flink'));
      return undefined;
    }
    bootstrap = proxy;
  }
  const cols = columnLines(ctx, model.id, t.columns, diagnostics);
  if (t.rowtime) cols.push(`WATERMARK FOR ${quoteIdent(t.rowtime.column)} AS ${watermarkExpr(t.rowtime)}`);
  const upsert = t.connector === 'upsert-kafka';
  if (t.changelog === 'updating' && t.primaryKey.length) cols.push(`PRIMARY KEY (${t.primaryKey.map(quoteIdent).join(', ')}) NOT ENFORCED`);
  if (t.changelog === 'updating' && !t.primaryKey.length) {
    // A changelog source without key: is reported where it is declared.
    if (upstream) diagnostics.push(nodeError(ctx, model.id, 'UPSERT_KEY_REQUIRED', `Model "${model.name}" reads updating model "${t.name}", which has no key`, `set key: on model "${t.name}"`));
    return undefined;
  }
  // read_committed: records of open or aborted transactions (an exactly-once job's, or any
  // transactional producer's) are never read; without transactions it reads what it read before.
  const opts = [option('connector', t.connector), option('topic', t.topic), ...flinkConnectionOptions(ctx, bootstrap, cluster), option('properties.group.id', groupId), option('properties.isolation.level', 'read_committed')];
  // upsert-kafka always reads a topic from its beginning: the latest value per key needs all of it.
  if (!upsert) opts.push(option('scan.startup.mode', 'group-offsets'), option('properties.auto.offset.reset', 'earliest'));
  // A changelog changes rarely (a profile, a rate): its partitions are idle most of the time, and
  // an idle input would hold back the watermark of every event-time temporal join that reads it.
  if (t.changelog === 'updating' && t.rowtime) opts.push(option('scan.watermark.idle-timeout', `${CHANGELOG_IDLE_TIMEOUT_MS / 1000} s`));
  opts.push(...formatOptions(ctx, t, upsert, 'source'));
  return createTable(t.name, cols, opts);
}

function columnLines(ctx: CompileContext, owner: NodeId, columns: TableColumn[], diagnostics: Diagnostic[]): string[] {
  return columns.map((c) => {
    if (c.proctime) return `${quoteIdent(c.name)} AS PROCTIME()`;
    const type = safeType(c.type);
    if (!type) {
      diagnostics.push(nodeError(ctx, owner, 'INVALID_COLUMN_TYPE', `Column "${c.name}" has an invalid type: ${JSON.stringify(c.type)}`, 'use a Flink SQL type, e.g. STRING, BIGINT, DECIMAL(10, 2), TIMESTAMP(3)'));
      return `${quoteIdent(c.name)} STRING`;
    }
    return `${quoteIdent(c.name)} ${type}`;
  });
}

/** `ts - INTERVAL '5' SECOND`, exact to the millisecond, with a leading precision that fits. */
export function watermarkExpr(r: Rowtime): string {
  const col = quoteIdent(r.column);
  if (r.strategy === 'monotonously_increasing') return `${col} - INTERVAL '0.001' SECOND`;
  const ms = Math.max(0, Math.round(r.maxOutOfOrdernessMs));
  if (ms === 0) return col;
  return `${col} - ${intervalLiteral(ms)}`;
}

export function intervalLiteral(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const fraction = ms % 1000;
  if (fraction === 0 && seconds < 100) return `INTERVAL '${seconds}' SECOND`;
  const precision = Math.max(1, String(seconds).length);
  return `INTERVAL '${seconds}.${String(fraction).padStart(3, '0')}' SECOND(${precision}, 3)`;
}

export function createTable(name: string, columns: string[], options: string[]): string {
  return `CREATE TEMPORARY TABLE ${quoteIdent(name)} (\n  ${columns.join(',\n  ')}\n) WITH (\n  ${options.join(',\n  ')}\n)`;
}

/** Value (and key) format options; `keyed` selects the key.format/value.format form. */
function formatOptions(ctx: CompileContext, t: NodeTable, keyed: boolean, role: 'source' | 'sink'): string[] {
  const opts: string[] = [];
  const valuePrefix = keyed ? 'value.' : '';
  const format = (name: string) => option(keyed ? 'value.format' : 'format', name);
  if (keyed) {
    opts.push(option('key.format', t.keyFormat ?? 'json'));
    // upsert-kafka takes its key from the PRIMARY KEY; kafka needs key.fields.
    if (t.connector !== 'upsert-kafka') opts.push(option('key.fields', t.keyFields.join(';')));
  }
  switch (t.format) {
    case 'avro-confluent':
    case 'debezium-avro-confluent': {
      opts.push(format(t.format));
      opts.push(option(`${valuePrefix}${t.format}.url`, ctx.vault.scrub(ctx.registryUrl() ?? '')));
      if (role === 'sink' && t.subject) opts.push(option(`${valuePrefix}${t.format}.subject`, t.subject));
      const sr = ctx.project.runtime.schema_registry;
      if (sr?.username) {
        opts.push(option(`${valuePrefix}${t.format}.basic-auth.credentials-source`, 'USER_INFO'));
        const pw = ctx.vault.configValue('schema_registry', 'password', sr.password ?? '');
        opts.push(option(`${valuePrefix}${t.format}.basic-auth.user-info`, `${ctx.vault.scrub(sr.username)}:${pw}`));
      }
      break;
    }
    case 'debezium-json':
      opts.push(format('debezium-json'));
      if (t.schemaInclude) opts.push(option(`${valuePrefix}debezium-json.schema-include`, 'true'));
      break;
    case 'canal-json':
    case 'maxwell-json':
      opts.push(format(t.format));
      break;
    default:
      opts.push(format('json'));
  }
  // Options the source's schema needs (ISO-8601 timestamps for JSON Schema date-times, Avro's
  // writer schema). They are named for json and avro-confluent; a CDC format has its own prefix
  // for the JSON ones, and no use for the row's Avro writer schema (its values are envelopes).
  for (const [k, v] of Object.entries(t.formatOptions ?? {}).sort()) {
    if (t.format === 'json' || t.format === 'avro-confluent') opts.push(option(`${valuePrefix}${k}`, v));
    else if (k.startsWith('json.') && t.format !== 'debezium-avro-confluent') opts.push(option(`${valuePrefix}${t.format}.${k.slice('json.'.length)}`, v));
  }
  return opts;
}
