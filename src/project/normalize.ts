/**
 * Written (what the YAML says, aliases included) → normalized nodes. Aliases are folded here and
 * nowhere else: `from:` in all its spellings, `materialized: flink_stream`, `connector:` for
 * `sink:`, top-level `topic:`/`flink:` for `advanced.*`, `pii_tags`, `schema_ref`, ...
 */
import { error, type Diagnostic } from '../core/diagnostics.js';
import { own, setOwn } from '../core/own.js';
import { didYouMean } from '../core/suggest.js';
import { AssertionSchemas, type WrittenExposure, type WrittenModel, type WrittenSource, type WrittenTest } from './schema.js';
import type {
  AssertionSpec,
  Classification,
  Column,
  EventTime,
  ExposureNode,
  FailureAction,
  InputRef,
  Locator,
  ModelNode,
  Policy,
  SchemaSpec,
  SourceChangelog,
  SourceNode,
  StringLocator,
  TestNode,
} from './types.js';
import { zodIssuesToDiagnostics } from './zod-diagnostics.js';
import type { PathSegment, YamlFile } from './yaml.js';

export interface EntryContext {
  yaml: YamlFile;
  at: Locator;
  atString: StringLocator;
  diagnostics: Diagnostic[];
  /** Where the entry sits in its YAML document, e.g. ['models', 3]. */
  path: PathSegment[];
}

type WrittenColumn = NonNullable<WrittenSource['columns']>[number];

function columns(written: readonly WrittenColumn[] | undefined): Column[] {
  return (written ?? []).map((c) => {
    const col: Column = { name: c.name };
    const type = c.type ?? c.data_type;
    if (type !== undefined) col.type = type;
    if (c.description !== undefined) col.description = c.description;
    if (c.classification !== undefined) col.classification = c.classification;
    if (c.proctime) col.proctime = true;
    if (c.nullable !== undefined) col.nullable = c.nullable;
    if (c.tags) col.tags = c.tags;
    return col;
  });
}

function eventTime(written: WrittenSource['event_time']): EventTime | undefined {
  if (!written) return undefined;
  const et: EventTime = {
    column: written.column,
    watermark: {
      strategy: written.watermark?.strategy ?? 'bounded_out_of_orderness',
      maxOutOfOrdernessMs: written.watermark?.max_out_of_orderness_ms ?? 5000,
    },
  };
  if (written.allowed_lateness_ms !== undefined) et.allowedLatenessMs = written.allowed_lateness_ms;
  return et;
}

const REF_CALL = /^\s*(ref|source|model)\s*\(\s*(["'])([^"']+)\2\s*(?:,\s*(?:(?:version|v)\s*=\s*)?(\d+)\s*)?\)\s*$/;

/** One input reference in any accepted spelling. */
export function parseRefEntry(entry: unknown, path: PathSegment[], defaultKind: InputRef['kind']): InputRef | undefined {
  if (typeof entry === 'string') {
    const call = REF_CALL.exec(entry);
    // A version pins a model; `source("s", version=1)` is no reference (reported as not found).
    if (call && !(call[1] === 'source' && call[4] !== undefined))
      return { kind: call[1] === 'source' ? 'source' : 'model', name: call[3]!, path, ...(call[4] !== undefined ? { version: Number(call[4]), versionPath: path } : {}) };
    return { kind: defaultKind, name: entry.trim(), path };
  }
  if (entry && typeof entry === 'object') {
    const o = entry as Record<string, string>;
    const pinned = (o as { version?: number }).version !== undefined ? { version: (o as { version?: number }).version!, versionPath: [...path, 'version'] } : {};
    if (o.source) return { kind: 'source', name: o.source, path: [...path, 'source'] };
    if (o.ref) return { kind: 'model', name: o.ref, path: [...path, 'ref'], ...pinned };
    if (o.model) return { kind: 'model', name: o.model, path: [...path, 'model'], ...pinned };
  }
  return undefined;
}

function fromRefs(from: WrittenModel['from']): InputRef[] {
  if (from === undefined) return [];
  if (typeof from === 'string') return [parseRefEntry(from, ['from'], 'any')!];
  if (Array.isArray(from)) return from.map((e, i) => parseRefEntry(e, ['from', i], 'any')).filter((r): r is InputRef => !!r);
  const out: InputRef[] = [];
  if (from.source) out.push({ kind: 'source', name: from.source, path: ['from', 'source'] });
  if (from.ref) out.push({ kind: 'model', name: from.ref, path: ['from', 'ref'] });
  if (from.model) out.push({ kind: 'model', name: from.model, path: ['from', 'model'] });
  // The seeds write `from: {sources: [a, b]}` with models in it; resolve by name.
  from.sources?.forEach((n, i) => out.push({ kind: 'any', name: n, path: ['from', 'sources', i] }));
  from.refs?.forEach((n, i) => out.push({ kind: 'model', name: n, path: ['from', 'refs', i] }));
  from.models?.forEach((n, i) => out.push({ kind: 'model', name: n, path: ['from', 'models', i] }));
  return out;
}

/** A config map as Kafka takes it: every value a string (numbers and booleans written as JSON). */
export function stringifyConfig(config: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config ?? {})) setOwn(out, k, typeof v === 'string' ? v : JSON.stringify(v));
  return out;
}

function schemaSpec(w: WrittenSource, ctx: EntryContext): SchemaSpec | undefined {
  const block = w.schema ?? w.schema_;
  let spec: SchemaSpec | undefined;
  if (block) {
    spec = {};
    if (block.subject) spec.subject = block.subject;
    if (block.registry) spec.registry = block.registry;
    if (block.format) spec.format = block.format.toLowerCase() === 'json_schema' ? 'json' : (block.format.toLowerCase() as SchemaSpec['format']);
    if (block.definition !== undefined)
      spec.definition = typeof block.definition === 'string' ? block.definition : JSON.stringify(block.definition, null, 2);
    if (block.version !== undefined) spec.version = block.version;
    if (block.compatibility) spec.compatibility = block.compatibility;
    if (block.message) spec.message = block.message;
  }
  if (w.schema_ref) {
    // sr://subject, schema_registry:subject, or a bare subject
    const subject = w.schema_ref.replace(/^(sr:\/\/|schema_registry:|registry:)/, '');
    if (spec?.subject && spec.subject !== subject) {
      ctx.diagnostics.push(
        error('CONFLICTING_KEYS', `schema_ref "${w.schema_ref}" and schema.subject "${spec.subject}" disagree`, {
          ...ctx.at(['schema_ref'], 'key'),
          hint: 'keep one of them',
        }),
      );
    }
    spec = { ...(spec ?? {}), subject };
  }
  return spec;
}

function piiColumns(w: WrittenSource): Record<string, Classification> {
  const out: Record<string, Classification> = {};
  const tags = w.pii_tags;
  if (!tags) return out;
  const maps = Array.isArray(tags) ? tags : [tags];
  for (const m of maps) for (const [k, v] of Object.entries(m)) setOwn(out, k, v);
  return out;
}

function base(w: { name: string; description?: string | undefined; owner?: string | undefined; tags?: string[] | undefined; meta?: Record<string, unknown> | undefined }, ctx: EntryContext) {
  const b = {
    name: w.name,
    file: ctx.yaml.file,
    // `loc` is added by lazyLoc once the node is built (an accessor: see there).
    at: ctx.at,
    atString: ctx.atString,
    tags: w.tags ?? [],
    meta: w.meta ?? {},
  } as unknown as { name: string; file: string; loc: ReturnType<Locator>; at: Locator; atString: StringLocator; tags: string[]; meta: Record<string, unknown>; description?: string; owner?: string };
  if (w.description !== undefined) b.description = w.description;
  if (w.owner !== undefined) b.owner = w.owner;
  return b;
}

/** Each node's location once located (or assigned), for lazyLoc's accessor. */
const locs = new WeakMap<object, ReturnType<Locator>>();

function readLoc(this: { at: Locator }): ReturnType<Locator> {
  let loc = locs.get(this);
  if (loc === undefined) {
    loc = this.at(['name']);
    locs.set(this, loc);
  }
  return loc;
}

function writeLoc(this: object, value: ReturnType<Locator>): void {
  locs.set(this, value);
}

/**
 * A node's `loc` is located the first time it is read (a diagnostic, the manifest): locating
 * builds its file's YAML Document, which a project without problems never needs. Spreading the
 * node reads it, so this is applied to the finished node.
 *
 * The accessor is added as a new property with the same getter and setter functions for every
 * node (the node's own `at` locates it; the value is kept in a WeakMap), so every node of a kind
 * keeps one shape. Turning an existing data property into an accessor, or giving each node its
 * own closures, makes V8 put each node in dictionary mode: every later read of any of its fields
 * is a hash lookup (measured: docs/development.md, "validate and compile from scratch").
 */
export function lazyLoc<T extends { loc: ReturnType<Locator> }>(node: T, _ctx: EntryContext): T {
  Object.defineProperty(node, 'loc', { enumerable: true, configurable: true, get: readLoc, set: writeLoc });
  return node;
}

export function normalizeSource(w: WrittenSource, ctx: EntryContext): SourceNode {
  const node: SourceNode = Object.assign(base(w, ctx), {
    id: `source.${w.name}` as const,
    kind: 'source' as const,
    columns: columns(w.columns),
    key: w.key === undefined ? [] : Array.isArray(w.key) ? w.key : [w.key],
    changelog: sourceChangelog(w.changelog),
  });
  lazyLoc(node, ctx);
  if (w.topic !== undefined) node.topic = w.topic;
  else ctx.diagnostics.push(error('MISSING_TOPIC', `Source "${w.name}" has no topic`, { ...ctx.at([]), hint: 'add "topic: <kafka topic name>"' }));
  if (w.cluster) node.cluster = w.cluster;
  if (w.key_format) node.keyFormat = w.key_format;
  const schema = schemaSpec(w, ctx);
  if (schema) node.schema = schema;
  // pii_tags classify columns; declared columns keep their own classification when both exist.
  for (const [col, cls] of Object.entries(piiColumns(w))) {
    const existing = node.columns.find((c) => c.name === col);
    if (existing) existing.classification ??= cls;
    else node.columns.push({ name: col, classification: cls });
  }
  if (w.freshness) {
    const f: { maxLagSeconds?: number; warnAfterSeconds?: number } = {};
    const lag = w.freshness.max_lag_seconds ?? (w.freshness.max_lag_minutes !== undefined ? w.freshness.max_lag_minutes * 60 : undefined);
    if (lag !== undefined) f.maxLagSeconds = lag;
    if (w.freshness.warn_after_seconds !== undefined) f.warnAfterSeconds = w.freshness.warn_after_seconds;
    node.freshness = f;
  } else if (w.sla?.max_lag_seconds !== undefined) {
    node.freshness = { maxLagSeconds: w.sla.max_lag_seconds };
  }
  if (w.sla) node.sla = w.sla;
  const et = eventTime(w.event_time);
  if (et) node.eventTime = et;
  if (w.access) node.access = w.access;
  if (w.group) node.group = w.group;
  return node;
}

function sourceChangelog(w: WrittenSource['changelog']): SourceChangelog {
  if (w === undefined || w === 'append') return { kind: 'append' };
  if (w === 'upsert') return { kind: 'upsert' };
  if (typeof w === 'string') return { kind: 'cdc', format: w, schemaInclude: false };
  return { kind: 'cdc', format: w.format, schemaInclude: w.schema_include ?? false };
}

function pickOne<T>(ctx: EntryContext, candidates: [string[], T | undefined][], label: string): T | undefined {
  const present = candidates.filter(([, v]) => v !== undefined);
  if (present.length > 1) {
    ctx.diagnostics.push(
      error('CONFLICTING_KEYS', `${label} is set in more than one place: ${present.map(([p]) => p.join('.')).join(' and ')}`, {
        ...ctx.at(present[1]![0], 'key'),
        hint: `keep only ${present[0]![0].join('.')}`,
      }),
    );
  }
  return present[0]?.[1];
}

const MASK_METHODS: Record<string, 'hash' | 'redact' | 'partial' | 'tokenize' | 'null'> = {
  hash: 'hash',
  redact: 'redact',
  partial: 'partial',
  tokenize: 'tokenize',
  tokenization: 'tokenize',
  null: 'null',
};

export function normalizeModel(w: WrittenModel, ctx: EntryContext): ModelNode {
  const node: ModelNode = Object.assign(base(w, ctx), {
    id: `model.${w.name}` as const,
    kind: 'model' as const,
    from: fromRefs(w.from),
    hasFrom: w.from !== undefined,
    key: w.key === undefined ? [] : Array.isArray(w.key) ? w.key : [w.key],
    columns: columns(w.columns),
    topic: { config: {} },
    flink: {},
    classification: { ...(w.security?.classification ?? {}) },
    policies: [],
    mlOutputs: {},
    access: w.access ?? 'private',
    contractEnforced: w.contract?.enforced ?? w.config?.contract?.enforced ?? false,
  });
  lazyLoc(node, ctx);
  if (w.sql !== undefined) node.sql = w.sql;
  if (w.materialized) node.declaredMaterialized = w.materialized === 'flink_stream' ? 'flink' : w.materialized;

  const topic = pickOne(ctx, [[['advanced', 'topic'], w.advanced?.topic], [['topic'], w.topic]], 'The output topic');
  if (topic) {
    if (topic.name !== undefined) node.topic.name = topic.name;
    if (topic.partitions !== undefined) node.topic.partitions = topic.partitions;
    if (topic.replication_factor !== undefined) node.topic.replicationFactor = topic.replication_factor;
    node.topic.config = stringifyConfig(topic.config);
  }
  const flink = pickOne(ctx, [[['advanced', 'flink'], w.advanced?.flink], [['flink'], w.flink]], 'Flink settings');
  if (flink) {
    if (flink.parallelism !== undefined) node.flink.parallelism = flink.parallelism;
    const interval = flink.checkpoint_interval_ms ?? flink.checkpoint_interval;
    if (interval !== undefined) node.flink.checkpointIntervalMs = interval;
    if (flink.state_backend) node.flink.stateBackend = flink.state_backend;
    if (flink.state_ttl_ms !== undefined) node.flink.stateTtlMs = flink.state_ttl_ms;
    if (flink.restart_strategy) node.flink.restartStrategy = flink.restart_strategy;
    if (flink.restart_attempts !== undefined) node.flink.restartAttempts = flink.restart_attempts;
    if (flink.delivery) node.flink.delivery = flink.delivery;
  }
  const flinkCluster = pickOne(ctx, [[['advanced', 'flink_cluster'], w.advanced?.flink_cluster], [['flink_cluster'], w.flink_cluster]], 'The Flink cluster');
  if (flinkCluster) node.flinkCluster = flinkCluster;
  const connectCluster = pickOne(ctx, [[['advanced', 'connect_cluster'], w.advanced?.connect_cluster], [['connect_cluster'], w.connect_cluster]], 'The Connect cluster');
  if (connectCluster) node.connectCluster = connectCluster;
  if (w.cluster) node.cluster = w.cluster;

  const sink = pickOne(
    ctx,
    [
      [['sink'], w.sink],
      [['connector'], w.connector],
      [['advanced', 'sink'], w.advanced?.sink],
      [['advanced', 'connector'], w.advanced?.connector],
    ],
    'The sink connector',
  );
  if (sink) {
    const connector = sink.connector ?? sink.type;
    if (!connector) {
      ctx.diagnostics.push(
        error('MISSING_SINK_CONFIG', `Sink of model "${w.name}" names no connector`, {
          ...ctx.at([w.sink ? 'sink' : 'connector']),
          hint: 'add "connector: jdbc-sink" (or another catalogue name, or a connector class)',
        }),
      );
    }
    node.sink = { connector: connector ?? '', config: sink.config ?? {} };
    if (sink.cluster) node.sink.cluster = sink.cluster;
    if (sink.topic) node.sink.topic = sink.topic;
  }
  const vt = w.gateway?.virtual_topic;
  if (vt !== undefined && vt !== false) {
    node.virtualTopic = typeof vt === 'object' ? { ...(vt.name ? { name: vt.name } : {}), ...(vt.compression ? { compression: vt.compression } : {}) } : typeof vt === 'string' ? { name: vt } : {};
  }
  const et = eventTime(pickOne(ctx, [[['advanced', 'event_time'], w.advanced?.event_time], [['event_time'], w.event_time]], 'The event time'));
  if (et) node.eventTime = et;
  if (w.group) node.group = w.group;
  if (w.version !== undefined) node.version = w.version;
  if (w.deprecation_date !== undefined) node.deprecationDate = w.deprecation_date;
  if (w.output_format) node.outputFormat = w.output_format;
  if (w.contract) node.contractAt = ['contract'];
  else if (w.config?.contract) node.contractAt = ['config', 'contract'];

  w.security?.policies?.forEach((p, i) => {
    const path: PathSegment[] = ['security', 'policies', i];
    let policy: Policy;
    if ('mask' in p) {
      const roles = [...(p.mask.for_roles ?? []), ...(p.mask.applied_in ?? []).flatMap((a) => a.roles)];
      policy = { kind: 'mask', column: p.mask.column, method: MASK_METHODS[p.mask.method ?? 'redact']!, forRoles: roles, path, ...(p.mask.keep_last !== undefined ? { keepLast: p.mask.keep_last } : {}) };
    } else if ('encrypt' in p) {
      policy = { kind: 'encrypt', column: p.encrypt.column, key: p.encrypt.key, forRoles: p.encrypt.for_roles ?? [], path };
    } else if ('allow' in p) {
      policy = { kind: 'allow', roles: p.allow.roles, path, ...(p.allow.purpose ? { purpose: p.allow.purpose } : {}) };
    } else {
      policy = { kind: 'deny', roles: p.deny.roles, path };
    }
    node.policies.push(policy);
  });
  for (const c of node.columns) if (c.classification && !own(node.classification, c.name)) setOwn(node.classification, c.name, c.classification);
  for (const [mlModel, out] of Object.entries(w.ml_outputs ?? {})) {
    setOwn(
      node.mlOutputs,
      mlModel,
      'columns' in out && Array.isArray(out.columns) ? columns(out.columns as WrittenColumn[]) : Object.entries(out as Record<string, string>).map(([name, type]) => ({ name, type })),
    );
  }
  return node;
}

export function normalizeTest(w: WrittenTest, ctx: EntryContext): TestNode {
  const assertions: AssertionSpec[] = [];
  w.assertions.forEach((a, i) => {
    const path: PathSegment[] = ['assertions', i];
    const keys = Object.keys(a);
    if (keys.length !== 1) {
      ctx.diagnostics.push(
        error('INVALID_ASSERTION', `Assertion ${i + 1} of test "${w.name}" must have exactly one key, found ${keys.length ? keys.join(', ') : 'none'}`, {
          ...ctx.at(path),
          hint: 'write each assertion as its own list item, e.g. "- not_null: {columns: [id]}"',
        }),
      );
      return;
    }
    const type = keys[0]!;
    const schema = (AssertionSchemas as Record<string, import('zod').ZodType>)[type];
    if (!schema) {
      ctx.diagnostics.push(
        error('UNKNOWN_ASSERTION', `Unknown assertion "${type}" in test "${w.name}"`, {
          ...ctx.at([...path, type], 'key'),
          hint: didYouMean(type, Object.keys(AssertionSchemas)) ?? `known assertions: ${Object.keys(AssertionSchemas).join(', ')}`,
        }),
      );
      return;
    }
    const raw = a[type] ?? {};
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      ctx.diagnostics.push(...zodIssuesToDiagnostics(parsed.error.issues, ctx.yaml, [...ctx.path, ...path, type], schema, raw, `assertion ${type} of test "${w.name}"`));
      return;
    }
    const canonical = type === 'allowed_values' ? 'accepted_values' : type;
    assertions.push({ type: canonical, config: parsed.data as Record<string, unknown>, path: [...path, type] });
  });

  const actions: FailureAction[] = [];
  const onFailure = w.on_failure;
  const actionList = Array.isArray(onFailure) ? onFailure : (onFailure?.actions ?? []);
  const actionsBase: PathSegment[] = Array.isArray(onFailure) ? ['on_failure'] : ['on_failure', 'actions'];
  const KNOWN_ACTIONS = ['alert', 'dlq', 'pause_model', 'block_deploy', 'send_alert'];
  actionList.forEach((a, i) => {
    const keys = Object.keys(a);
    const type = keys[0];
    if (keys.length !== 1 || !type) {
      ctx.diagnostics.push(error('INVALID_ACTION', `Action ${i + 1} of test "${w.name}" must have exactly one key`, { ...ctx.at([...actionsBase, i]) }));
      return;
    }
    if (!KNOWN_ACTIONS.includes(type)) {
      ctx.diagnostics.push(
        error('UNKNOWN_ACTION', `Unknown on_failure action "${type}" in test "${w.name}"`, {
          ...ctx.at([...actionsBase, i, type], 'key'),
          hint: didYouMean(type, KNOWN_ACTIONS) ?? `known actions: ${KNOWN_ACTIONS.join(', ')}`,
        }),
      );
      return;
    }
    const raw = a[type];
    // `send_alert: "slack://#x"` (seeds) is an alert; `pause_model: true` has no settings.
    if (type === 'send_alert') {
      actions.push({ type: 'alert', config: { url: String(raw) }, path: [...actionsBase, i, type] });
    } else {
      actions.push({ type, config: raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}, path: [...actionsBase, i, type] });
    }
  });

  const severityWritten = w.severity ?? (!Array.isArray(onFailure) ? onFailure?.severity : undefined);
  const node: TestNode = Object.assign(base({ ...w, owner: undefined }, ctx), {
    id: `test.${w.name}` as const,
    kind: 'test' as const,
    target: w.model,
    type: w.type === 'streaming' ? 'continuous' : w.type,
    assertions,
    severity: severityWritten === 'warn' || severityWritten === 'warning' ? ('warn' as const) : ('error' as const),
    actions,
  });
  lazyLoc(node, ctx);
  if (w.sample_size !== undefined) node.sampleSize = w.sample_size;
  if (w.timeout !== undefined) node.timeout = w.timeout;
  if (w.flink_cluster) node.flinkCluster = w.flink_cluster;
  if (w.warn_if) node.warnIf = w.warn_if;
  if (w.error_if) node.errorIf = w.error_if;
  return node;
}

export function normalizeExposure(w: WrittenExposure, ctx: EntryContext): ExposureNode {
  const refs = (list: unknown[] | undefined, key: string, kind: InputRef['kind']): InputRef[] =>
    (list ?? []).map((e, i) => parseRefEntry(e, [key, i], kind)).filter((r): r is InputRef => !!r);
  const node: ExposureNode = Object.assign(base(w, ctx), {
    id: `exposure.${w.name}` as const,
    kind: 'exposure' as const,
    type: w.type,
    produces: refs(w.produces, 'produces', 'source'),
    consumes: refs(w.consumes, 'consumes', 'any'),
    dependsOn: refs(w.depends_on, 'depends_on', 'any'),
  });
  lazyLoc(node, ctx);
  if (w.role) node.role = w.role;
  if (w.url) node.url = w.url;
  if (w.repo) node.repo = w.repo;
  if (w.language) node.language = w.language;
  if (w.tool) node.tool = w.tool;
  const group = w.consumer_group ?? w.consumer_config?.consumer_group;
  if (group) node.consumerGroup = group;
  if (w.group) node.group = w.group;
  if (w.sla) node.sla = { ...w.sla, ...(w.consumer_config?.max_lag_messages !== undefined ? { max_lag_messages: w.consumer_config.max_lag_messages } : {}) };
  if (w.access) {
    node.access = { roles: [...(w.access.roles ?? []), ...(w.access.allowed_roles ?? [])] };
    if (w.access.purpose) node.access.purpose = w.access.purpose;
  }
  if (w.freshness) node.freshness = w.freshness;
  if (w.contracts) node.contracts = w.contracts;
  return node;
}

