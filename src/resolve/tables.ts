/**
 * The one view of each source and model that every later phase reads: the topic it lives in, its
 * columns in order (with their time attributes: event time and processing time both kept), its
 * wire format, changelog mode and key. Derived once, here, in dependency order; the SQL analyser
 * sees the same shape (inputTableOf) that the compiled CREATE TABLE declares, so the two cannot
 * drift apart.
 */
import type { EventTime, NodeId, Project, SourceNode } from '../project/types.js';
import type { InputTable } from '../sql/index.js';
import { effectiveTopic } from './rules.js';
import type { ResolvedModel } from './types.js';
import { detectFormat } from '../schemas/index.js';
import { isCharacterType, rowFields, splitNullability, typeArguments, typeRoot } from '../sql/types.js';

/** The Flink format of a topic's values: plain rows, or the change events of a CDC source. */
export type ValueFormat = 'json' | 'avro-confluent' | 'protobuf' | 'debezium-json' | 'debezium-avro-confluent' | 'canal-json' | 'maxwell-json';

/** Formats whose values are read with the Schema Registry. */
export function isRegistryFormat(f: ValueFormat): boolean {
  return f === 'avro-confluent' || f === 'debezium-avro-confluent';
}

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
  /** The Kafka topic (a Gateway virtual topic's name for virtual_topic models). */
  topic: string;
  /** In declaration (or SELECT) order. Undefined when unknown (no typed columns and nothing inferred). */
  columns?: TableColumn[];
  rowtime?: Rowtime;
  format: ValueFormat;
  /** debezium-json values that carry their Kafka Connect schema. */
  schemaInclude?: boolean;
  /**
   * Value format options the source's schema needs, named for the json or avro-confluent format
   * (e.g. `json.timestamp-format.standard` = `ISO-8601` for JSON Schema date-times).
   */
  formatOptions?: Record<string, string>;
  /** A model that writes JSON by default although a registry is configured: why it is not Avro. */
  formatNote?: string;
  /** Registry subject of the value schema, for Avro. */
  subject?: string;
  /** append: every record is an insert; updating: a changelog (updates and deletes). */
  changelog: 'append' | 'updating';
  /**
   * The Flink connector a job reads the topic with: `kafka`, or `upsert-kafka` for a topic that
   * holds the latest value per key (an updating model's output, an upsert source). A CDC source
   * is a changelog read with `kafka` and its CDC format.
   */
  connector: 'kafka' | 'upsert-kafka';
  /** The primary key of a changelog: an updating model's key, a changelog source's key. */
  primaryKey: string[];
  keyFields: string[];
  keyFormat?: 'raw' | 'json';
}

/** The wire format of a source's values: declared, or recognised from an inline definition. */
export function sourceFormat(s: SourceNode): ValueFormat {
  const f = s.schema?.format ?? detectFormat(s.schema?.definition);
  if (f === 'avro') return 'avro-confluent';
  if (f === 'protobuf') return 'protobuf';
  return 'json';
}

/** How a definition's format is recognised lives with the schema mappings (src/schemas). */
export { detectFormat };

/** The Flink value format of a source: its CDC format, else its schema's format. */
function sourceValueFormat(s: SourceNode): ValueFormat {
  const c = s.changelog;
  if (c.kind === 'cdc') return c.format === 'debezium-avro' ? 'debezium-avro-confluent' : c.format;
  return sourceFormat(s);
}

/**
 * A source's columns as a table: undefined unless every column is typed (a column written only to
 * classify it, e.g. through pii_tags, says nothing of the topic's schema). Resolve reports untyped
 * columns where a job needs them.
 */
export function sourceTable(s: SourceNode): NodeTable {
  const format = sourceValueFormat(s);
  const changelog = s.changelog.kind === 'append' ? 'append' : 'updating';
  const t: NodeTable = {
    id: s.id,
    name: s.name,
    topic: s.topic ?? s.name,
    format,
    changelog,
    connector: s.changelog.kind === 'upsert' ? 'upsert-kafka' : 'kafka',
    primaryKey: changelog === 'updating' ? [...s.key] : [],
    keyFields: s.changelog.kind === 'upsert' ? [...s.key] : [],
  };
  if (s.changelog.kind === 'cdc' && s.changelog.schemaInclude) t.schemaInclude = true;
  if (s.columns.length && s.columns.every((c) => c.proctime || c.type !== undefined)) {
    t.columns = s.columns.map((c) => (c.proctime ? { name: c.name, type: 'TIMESTAMP_LTZ(3)', proctime: true } : { name: c.name, type: c.type! }));
    if (s.eventTime) {
      const col = t.columns.find((c) => c.name === s.eventTime!.column);
      if (col && !/^TIMESTAMP/i.test(col.type)) col.type = 'TIMESTAMP(3)';
    }
  }
  if (s.eventTime) t.rowtime = rowtimeOf(s.eventTime);
  if (s.derivedSchema && Object.keys(s.derivedSchema.formatOptions).length) t.formatOptions = { ...s.derivedSchema.formatOptions };
  if (t.keyFields.length) t.keyFormat = s.keyFormat ?? keyFormatFor(t.keyFields, t.columns);
  if (isRegistryFormat(format)) t.subject = s.schema?.subject ?? `${t.topic}-value`;
  return t;
}

/** A model's view, once its SQL is analysed and its materialization chosen; `inputs` are its inputs' views. */
export function modelTable(m: ResolvedModel, project: Project, inputs: NodeTable[]): NodeTable {
  const node = m.node;
  const topic = effectiveTopic(node, project).name;
  const { format, note } = modelFormat(m, project, inputs);
  const changelog = m.analysis?.changelog ?? (inputs.some((i) => i.changelog === 'updating') ? 'updating' : 'append');
  const t: NodeTable = {
    id: node.id,
    name: node.name,
    topic: m.materialized === 'virtual_topic' ? node.virtualTopic?.name ?? topic : topic,
    format,
    changelog: m.materialized === 'sink' ? 'append' : changelog,
    connector: 'kafka',
    primaryKey: [],
    keyFields: [],
  };
  if (note) t.formatNote = note;
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
  }
  // Processing-time attributes the result keeps: every one of them, beside the event time.
  const proctimes = new Set((m.analysis?.columns ?? []).filter((c) => c.time === 'proctime').map((c) => c.name));
  if (time?.kind === 'proctime') proctimes.add(time.column);
  for (const col of t.columns ?? []) if (proctimes.has(col.name) && col.name !== t.rowtime?.column) col.proctime = true;
  if (t.changelog === 'updating') {
    t.connector = 'upsert-kafka';
    t.primaryKey = node.key.length ? [...node.key] : [...(m.analysis?.upsertKey ?? [])];
  }
  t.keyFields = node.key.length ? [...node.key] : [...t.primaryKey];
  if (t.keyFields.length) t.keyFormat = keyFormatFor(t.keyFields, t.columns);
  if (format === 'avro-confluent') t.subject = `${t.topic}-value`;
  return t;
}

/**
 * The value format of a model's topic, and why when the default could not be Avro. A Gateway
 * virtual topic keeps its input's. Otherwise the model's `output_format` (else
 * `defaults.models.output_format`) when set; else, with a registry configured, Avro for a model
 * whose Flink job writes the topic (unless a column has no Avro type Flink's avro-confluent format
 * can write: then JSON, and the reason); JSON otherwise (no registry, or a plain topic streamt
 * does not write). See docs/schemas.md "Which format a model writes".
 */
export function modelFormat(m: ResolvedModel, project: Project, inputs: NodeTable[]): { format: ValueFormat; note?: string } {
  if (m.materialized === 'virtual_topic') return { format: inputs[0]?.format ?? 'json' };
  const declared = declaredOutputFormat(m, project);
  const registry = !!project.runtime.schema_registry?.url;
  if (declared === 'json') return { format: 'json' };
  if (declared === 'avro') return { format: registry ? 'avro-confluent' : 'json' };
  if (!registry || !writesWithFlink(m)) return { format: 'json' };
  for (const c of m.columns) {
    const why = avroUnwritable(c.type ?? 'STRING');
    if (why) return { format: 'json', note: `column ${c.name} is ${c.type}: ${why}` };
  }
  return { format: 'avro-confluent' };
}

/** A model whose topic a Flink job of its own writes (not a plain topic, a sink or a virtual topic). */
export function writesWithFlink(m: ResolvedModel): boolean {
  return (m.materialized === 'flink' || m.materialized === 'topic') && m.renderedSql !== undefined;
}

/**
 * Why Flink 1.20's avro-confluent format cannot write a column of this type (its sink derives the
 * Avro schema with AvroSchemaConverter.convertToSchema under the default, legacy, timestamp
 * mapping), or undefined when it can.
 */
export function avroUnwritable(flinkType: string): string | undefined {
  const { type } = splitNullability(flinkType);
  const root = typeRoot(type);
  const precision = /^\w+\s*\(\s*(\d+)/.exec(type)?.[1];
  if (root === 'TIMESTAMP_LTZ' || /WITH\s+LOCAL\s+TIME\s+ZONE/i.test(type)) return 'Flink writes no Avro type for a TIMESTAMP_LTZ (CAST it to TIMESTAMP(3))';
  if (/WITH\s+TIME\s+ZONE/i.test(type)) return 'Flink writes no Avro type for a TIMESTAMP WITH TIME ZONE';
  if (root === 'TIMESTAMP' && Number(precision ?? 6) > 3) return 'Avro timestamps written by Flink have at most millisecond precision (CAST it to TIMESTAMP(3))';
  if (root === 'TIME' && Number(precision ?? 0) > 3) return 'Avro times written by Flink have at most millisecond precision';
  if (root === 'INTERVAL' || root === 'RAW' || root === 'NULL' || root === 'SYMBOL' || root === 'STRUCTURED') return `Flink writes no Avro type for ${root}`;
  if (root === 'MAP' || root === 'MULTISET') {
    const [k, v] = typeArguments(type);
    if (k && !isCharacterType(splitNullability(k).type)) return `an Avro map's keys are strings (the key type is ${k})`;
    return root === 'MAP' && v ? avroUnwritable(v) : undefined;
  }
  if (root === 'ARRAY') {
    const [e] = typeArguments(type);
    return e ? avroUnwritable(e) : undefined;
  }
  if (root === 'ROW') {
    for (const f of rowFields(type)) {
      const why = avroUnwritable(f.type);
      if (why) return why;
    }
  }
  return undefined;
}

/** The output format a model declares (its own, else the project's default), if any. */
export function declaredOutputFormat(m: ResolvedModel, project: Project): 'avro' | 'json' | undefined {
  return m.node.outputFormat ?? project.defaults.models?.output_format;
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

/**
 * The table as the SQL analyser sees it: exactly the columns, in the order, the compiled
 * CREATE TABLE declares them, with their time attributes. Columns are nullable as declared, except
 * what Flink makes NOT NULL: primary key columns and processing-time attributes.
 */
export function inputTableOf(t: NodeTable | undefined): InputTable {
  if (!t) return { columns: [] };
  const pk = new Set(t.changelog === 'updating' ? t.primaryKey : []);
  const columns = t.columns ?? [];
  const table: InputTable = {
    columns: columns.map((c) => {
      if (c.proctime) return { name: c.name, type: 'TIMESTAMP_LTZ(3)', nullable: false, time: 'proctime' as const };
      const col: InputTable['columns'][number] = { name: c.name, type: c.type };
      if (pk.has(c.name)) col.nullable = false;
      if (t.rowtime?.column === c.name) col.time = 'rowtime';
      return col;
    }),
    changelog: t.changelog,
  };
  const proctime = columns.find((c) => c.proctime);
  if (t.rowtime) table.timeAttribute = { column: t.rowtime.column, kind: 'rowtime' };
  else if (proctime) table.timeAttribute = { column: proctime.name, kind: 'proctime' };
  if (t.changelog === 'updating' && t.primaryKey.length) table.primaryKey = [...t.primaryKey];
  return table;
}

/** The views of a model's inputs, in the order of its inputs. */
export function inputTables(m: ResolvedModel, tables: ReadonlyMap<NodeId, NodeTable>): NodeTable[] {
  return m.inputs.map((i) => tables.get(i)).filter((x): x is NodeTable => !!x);
}
