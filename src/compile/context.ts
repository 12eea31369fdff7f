/**
 * What the emitters need to know about each node, computed once: the topic it lives in, its
 * columns and time attribute as a downstream job must declare them, its wire format and keys.
 */
import type { EventTime, ModelNode, NodeId, Project, SourceNode } from '../project/types.js';
import { effectiveTopic } from '../resolve/rules.js';
import type { ResolvedModel, ResolvedProject } from '../resolve/types.js';
import { SecretVault } from './secrets.js';

export type ValueFormat = 'json' | 'avro-confluent' | 'protobuf';

export interface TableColumn {
  name: string;
  type: string;
  /** A processing-time attribute: declared as a computed column `AS PROCTIME()`. */
  proctime?: boolean;
}

export interface Rowtime {
  column: string;
  strategy: EventTime['watermark']['strategy'];
  maxOutOfOrdernessMs: number;
}

/** How a node's topic looks to a Flink job reading or writing it. */
export interface NodeTable {
  id: NodeId;
  name: string;
  topic: string;
  /** Undefined when unknown (no declared columns and nothing inferred). */
  columns?: TableColumn[];
  rowtime?: Rowtime;
  format: ValueFormat;
  /** Registry subject of the value schema, for Avro. */
  subject?: string;
  changelog: 'append' | 'updating';
  /** Primary key for updating tables (upsert-kafka). */
  primaryKey: string[];
  keyFields: string[];
  keyFormat?: 'raw' | 'json';
  /** Value format options the source's schema needs (e.g. json.timestamp-format.standard). */
  formatOptions?: Record<string, string>;
}

export class CompileContext {
  readonly project: Project;
  readonly vault: SecretVault;
  private readonly tables = new Map<NodeId, NodeTable>();

  constructor(readonly resolved: ResolvedProject) {
    this.project = resolved.project;
    this.vault = new SecretVault(this.project.secrets, this.project.env);
  }

  get projectName(): string {
    return this.project.name;
  }

  /** Bootstrap servers as seen from Flink and Connect. */
  bootstrapServers(): string {
    const k = this.project.runtime.kafka;
    const v = k?.bootstrap_servers_internal ?? k?.bootstrap_servers ?? '';
    return Array.isArray(v) ? v.join(',') : v;
  }

  registryUrl(): string | undefined {
    return this.project.runtime.schema_registry?.url;
  }

  model(name: string): ResolvedModel | undefined {
    return this.resolved.models.get(name);
  }

  source(name: string): SourceNode | undefined {
    const n = this.resolved.nodes.get(`source.${name}`);
    return n?.kind === 'source' ? n : undefined;
  }

  /** The table for a source or model, memoized (models depend on their inputs). */
  table(id: NodeId): NodeTable | undefined {
    const cached = this.tables.get(id);
    if (cached) return cached;
    const name = id.slice(id.indexOf('.') + 1);
    let t: NodeTable | undefined;
    if (id.startsWith('source.')) {
      const s = this.source(name);
      if (s) t = this.sourceTable(s);
    } else if (id.startsWith('model.')) {
      const m = this.model(name);
      if (m) t = this.modelTable(m);
    }
    if (t) this.tables.set(id, t);
    return t;
  }

  private sourceTable(s: SourceNode): NodeTable {
    const format = sourceFormat(s);
    const t: NodeTable = {
      id: s.id,
      name: s.name,
      topic: s.topic ?? s.name,
      format,
      changelog: 'append',
      primaryKey: [],
      keyFields: [],
    };
    if (s.columns.length) {
      t.columns = s.columns.map((c) => (c.proctime ? { name: c.name, type: 'TIMESTAMP_LTZ(3)', proctime: true } : { name: c.name, type: c.type ?? 'STRING' }));
      if (s.eventTime) {
        const col = t.columns.find((c) => c.name === s.eventTime!.column);
        if (col && !/^TIMESTAMP/i.test(col.type)) col.type = 'TIMESTAMP(3)';
      }
    }
    if (s.eventTime) t.rowtime = rowtimeOf(s.eventTime);
    if (s.derivedSchema && Object.keys(s.derivedSchema.formatOptions).length) t.formatOptions = { ...s.derivedSchema.formatOptions };
    if (format === 'avro-confluent') t.subject = s.schema?.subject ?? `${t.topic}-value`;
    return t;
  }

  private modelTable(m: ResolvedModel): NodeTable {
    const node = m.node;
    const topic = effectiveTopic(node, this.project).name;
    const inputs = m.inputs.map((i) => this.table(i)).filter((x): x is NodeTable => !!x);
    const format = this.modelFormat(m, inputs);
    const changelog = m.analysis?.changelog ?? (inputs.some((i) => i.changelog === 'updating') ? 'updating' : 'append');
    const t: NodeTable = {
      id: node.id,
      name: node.name,
      topic: m.materialized === 'virtual_topic' ? node.virtualTopic?.name ?? topic : topic,
      format,
      changelog: m.materialized === 'sink' ? 'append' : changelog,
      primaryKey: [],
      keyFields: [],
    };
    if (m.columns.length) t.columns = m.columns.map((c) => ({ name: c.name, type: c.type ?? 'STRING' }));
    if (m.materialized === 'sink') {
      // A sink writes no topic: it is never read by a job.
      return t;
    }
    const time = node.eventTime ? { column: node.eventTime.column, kind: 'rowtime' as const } : m.analysis?.timeAttribute;
    if (time?.kind === 'rowtime') {
      if (node.eventTime) t.rowtime = rowtimeOf(node.eventTime);
      else {
        // The watermark delay flows from the inputs the time attribute came from.
        const delays = inputs.filter((i) => i.rowtime).map((i) => i.rowtime!);
        const widest = delays.sort((a, b) => b.maxOutOfOrdernessMs - a.maxOutOfOrdernessMs)[0];
        t.rowtime = { column: time.column, strategy: widest?.strategy ?? 'bounded_out_of_orderness', maxOutOfOrdernessMs: widest?.maxOutOfOrdernessMs ?? 0 };
      }
    } else if (time?.kind === 'proctime' && t.columns) {
      const col = t.columns.find((c) => c.name === time.column);
      if (col) col.proctime = true;
    }
    if (t.changelog === 'updating') t.primaryKey = node.key.length ? [...node.key] : [...(m.analysis?.upsertKey ?? [])];
    t.keyFields = node.key.length ? [...node.key] : [...t.primaryKey];
    if (t.keyFields.length) t.keyFormat = keyFormatFor(t.keyFields, t.columns);
    if (format === 'avro-confluent') t.subject = `${t.topic}-value`;
    return t;
  }

  /**
   * The model's `output_format` (else `defaults.models.output_format`) when set; else Avro in,
   * Avro out (when a registry is configured), JSON otherwise.
   */
  private modelFormat(m: ResolvedModel, inputs: NodeTable[]): ValueFormat {
    if (m.materialized === 'virtual_topic') return inputs[0]?.format ?? 'json';
    const declared = declaredOutputFormat(m, this.project);
    if (declared === 'json') return 'json';
    if (declared === 'avro' && this.registryUrl()) return 'avro-confluent';
    if (this.registryUrl() && inputs.some((i) => i.format === 'avro-confluent')) return 'avro-confluent';
    return 'json';
  }

  /** The model nodes a Flink job is compiled for. */
  flinkModels(): ResolvedModel[] {
    return [...this.resolved.models.values()].filter((m) => (m.materialized === 'flink' || m.materialized === 'topic') && m.renderedSql !== undefined);
  }

  modelNode(name: string): ModelNode | undefined {
    return this.model(name)?.node;
  }
}

function rowtimeOf(e: EventTime): Rowtime {
  return { column: e.column, strategy: e.watermark.strategy, maxOutOfOrdernessMs: e.watermark.maxOutOfOrdernessMs };
}

/** A single character key is written raw (a plain string key, as most consumers expect); anything else as JSON. */
function keyFormatFor(keys: string[], columns: TableColumn[] | undefined): 'raw' | 'json' {
  if (keys.length !== 1) return 'json';
  const col = columns?.find((c) => c.name === keys[0]);
  return col && /^(STRING|VARCHAR|CHAR)\b/i.test(col.type) ? 'raw' : 'json';
}

/** The output format a model declares (its own, else the project's default), if any. */
export function declaredOutputFormat(m: ResolvedModel, project: Project): 'avro' | 'json' | undefined {
  return m.node.outputFormat ?? project.defaults.models?.output_format;
}

/** The wire format of a source's values: declared, or recognised from an inline definition. */
export function sourceFormat(s: SourceNode): ValueFormat {
  const f = s.schema?.format ?? detectFormat(s.schema?.definition);
  if (f === 'avro') return 'avro-confluent';
  if (f === 'protobuf') return 'protobuf';
  return 'json';
}

export function detectFormat(definition: string | undefined): 'avro' | 'json' | 'protobuf' | undefined {
  if (definition === undefined) return undefined;
  const text = definition.trim();
  if (/^(syntax|package|message|import|option)\b/m.test(text) && !text.startsWith('{')) return 'protobuf';
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const o = parsed as Record<string, unknown>;
      if (o.type === 'record' || o.type === 'enum' || o.type === 'fixed') return 'avro';
      return 'json';
    }
    if (Array.isArray(parsed)) return 'avro'; // an Avro union
  } catch {
    return undefined;
  }
  return undefined;
}
