/**
 * Schema Registry subjects: sources with an inline definition (kept byte for byte: Avro, JSON
 * Schema or Protobuf), and models whose output is Avro (the schema Flink's avro-confluent format
 * derives from the output columns, so what Flink registers is what was planned).
 * A source that only names a subject references an existing schema: nothing is registered.
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import { setOwn } from '../../core/own.js';
import { typeArguments, rowFields, splitNullability, typeRoot, decimalPrecisionScale } from '../../sql/types.js';
import type { SourceNode } from '../../project/types.js';
import type { ResolvedModel } from '../../resolve/types.js';
import { consumerCompatibility } from '../../resolve/contracts.js';
import { declaredOutputFormat, detectFormat, type CompileContext } from '../context.js';
import { avroUnwritable, writesWithFlink } from '../../resolve/tables.js';
import type { SchemaSpecArtifact } from '../types.js';
import { nodeError } from './common.js';

export function emitSourceSchema(ctx: CompileContext, s: SourceNode, diagnostics: Diagnostic[]): SchemaSpecArtifact | undefined {
  const schema = s.schema;
  if (!schema?.definition) return undefined;
  const format = schema.format ?? detectFormat(schema.definition);
  if (!format) {
    diagnostics.push(nodeError(ctx, s.id, 'SCHEMA_FORMAT_UNKNOWN', `The schema definition of source "${s.name}" is neither JSON (Avro, JSON Schema) nor Protobuf`, 'set schema.format: avro, json or protobuf', ['schema', 'definition']));
    return undefined;
  }
  if (format !== 'protobuf') {
    try {
      JSON.parse(schema.definition);
    } catch (e) {
      diagnostics.push(nodeError(ctx, s.id, 'SCHEMA_INVALID_JSON', `The ${format === 'avro' ? 'Avro' : 'JSON Schema'} definition of source "${s.name}" is not valid JSON: ${(e as Error).message}`, 'fix the definition, or set schema.format: protobuf for a .proto definition', ['schema', 'definition']));
      return undefined;
    }
  }
  return {
    subject: schema.subject ?? `${ctx.table(s.id)!.topic}-value`,
    schema_type: format === 'avro' ? 'AVRO' : format === 'json' ? 'JSON' : 'PROTOBUF',
    schema: schema.definition,
    compatibility: schema.compatibility ?? null,
  };
}

/** A model's output schema, and whether it is registered (with a registry) or only derived. */
export interface ModelOutputSchema {
  spec: SchemaSpecArtifact;
  /** Registered for the topic by the registry handler; false: derived only (no registry). */
  registered: boolean;
}

/**
 * A model's output schema, derived once from its output columns in the format its topic is
 * written in (src/resolve/tables.ts modelFormat): Avro (exactly what Flink's avro-confluent sink
 * derives and registers) or a JSON Schema of the records Flink's `json` format writes. It is
 * registered when a registry is configured (a plain topic's only when its output_format is
 * declared: streamt does not write it), else only derived (manifest, schema tests). Its
 * compatibility level is the one the exposures reading the model ask (their `contracts:`).
 */
/**
 * @param shapeOnly validate's in-memory compile: the same diagnostics and subject, but no schema
 *   text (empty) and no compatibility level, since nothing reads them there.
 */
export function modelOutputSchema(ctx: CompileContext, m: ResolvedModel, diagnostics: Diagnostic[] = [], shapeOnly = false): ModelOutputSchema | undefined {
  if (m.materialized !== 'flink' && m.materialized !== 'topic') return undefined;
  const t = ctx.table(m.node.id);
  const declared = declaredOutputFormat(m, ctx.project);
  const at = m.node.outputFormat ? ['output_format'] : [];
  if (declared === 'avro' && !ctx.registryUrl()) {
    diagnostics.push(nodeError(ctx, m.node.id, 'MODEL_OUTPUT_FORMAT_NO_REGISTRY', `Model "${m.node.name}" writes Avro (output_format: avro), but no schema registry is configured`, 'configure runtime.schema_registry, or use output_format: json', at));
    return undefined;
  }
  if (!t || !t.columns) return undefined;
  if (t.format === 'avro-confluent' && declared === 'avro') {
    const bad = t.columns.map((c) => ({ c, why: avroUnwritable(c.type) })).find((x) => x.why);
    if (bad) {
      diagnostics.push(nodeError(ctx, m.node.id, 'MODEL_OUTPUT_AVRO_UNSUPPORTED', `Model "${m.node.name}" writes Avro (output_format: avro), but column ${bad.c.name} is ${bad.c.type}: ${bad.why}`, 'CAST the column to a type Avro can hold, or use output_format: json', at));
      return undefined;
    }
  }
  const registerable = !!ctx.registryUrl() && (writesWithFlink(m) || declared !== undefined);
  if (shapeOnly) {
    if (t.format === 'json') return { spec: { subject: `${t.topic}-value`, schema_type: 'JSON', schema: '', compatibility: null }, registered: registerable };
    if (t.format !== 'avro-confluent' || !t.subject) return undefined;
    return { spec: { subject: t.subject, schema_type: 'AVRO', schema: '', compatibility: null }, registered: true };
  }
  const compatibility = consumerCompatibility(ctx.resolved, m.node.id)?.level ?? null;
  if (t.format === 'json') {
    const spec: SchemaSpecArtifact = { subject: `${t.topic}-value`, schema_type: 'JSON', schema: JSON.stringify(modelJsonSchema(m.node.name, t.columns)), compatibility };
    return { spec, registered: registerable };
  }
  if (t.format !== 'avro-confluent' || !t.subject) return undefined;
  // Exactly the sink table's types (what Flink's avro-confluent sink derives and registers): its
  // columns are nullable unless declared NOT NULL, and upsert-kafka's primary key is NOT NULL.
  const pk = new Set(t.changelog === 'updating' ? t.primaryKey : []);
  const fields = t.columns.map((c) => ({ name: c.name, type: c.type, nullable: !pk.has(c.name) && splitNullability(c.type).nullable }));
  return { spec: { subject: t.subject, schema_type: 'AVRO', schema: JSON.stringify(avroRecord(fields, 'org.apache.flink.avro.generated.record')), compatibility }, registered: true };
}

/** The output schema a model registers for its topic, if any (see modelOutputSchema). */
export function emitModelSchema(ctx: CompileContext, m: ResolvedModel, diagnostics: Diagnostic[] = []): SchemaSpecArtifact | undefined {
  const out = modelOutputSchema(ctx, m, diagnostics);
  return out?.registered ? out.spec : undefined;
}

/** The JSON Schema of the values Flink's `json` format writes for these columns (draft-07). */
export function modelJsonSchema(name: string, columns: readonly { name: string; type: string }[]): Record<string, unknown> {
  const obj = jsonObject(columns.map((c) => ({ name: c.name, type: c.type })));
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: name, ...obj };
}

function jsonObject(fields: { name: string; type: string }[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const f of fields) {
    const { nullable } = splitNullability(f.type);
    setOwn(properties, f.name, jsonType(f.type));
    if (!nullable) required.push(f.name);
  }
  return { type: 'object', properties, ...(required.length ? { required } : {}) };
}

function jsonType(flinkType: string): Record<string, unknown> {
  const { type, nullable } = splitNullability(flinkType);
  const root = typeRoot(type);
  let t: Record<string, unknown>;
  switch (root) {
    case 'BOOLEAN':
      t = { type: 'boolean' };
      break;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'INTEGER':
    case 'BIGINT':
      t = { type: 'integer' };
      break;
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
      t = { type: 'number' };
      break;
    case 'BYTES':
    case 'VARBINARY':
    case 'BINARY':
      t = { type: 'string', contentEncoding: 'base64' };
      break;
    case 'DATE':
      t = { type: 'string', format: 'date' };
      break;
    case 'ARRAY':
    case 'MULTISET':
      t = { type: 'array', items: jsonType(typeArguments(type)[0] ?? 'STRING') };
      break;
    case 'MAP':
      t = { type: 'object', additionalProperties: jsonType(typeArguments(type)[1] ?? 'STRING') };
      break;
    case 'ROW':
      t = jsonObject(rowFields(type).map((f) => ({ name: f.name, type: f.type })));
      break;
    default:
      // Strings, and timestamps and times as Flink's json format writes them ("2026-01-01 10:00:00").
      t = { type: 'string' };
  }
  return nullable ? { ...t, type: [t.type, 'null'] } : t;
}

/** Flink's AvroSchemaConverter.convertToSchema, for the types streamt emits. */
export function avroRecord(fields: { name: string; type: string; nullable: boolean }[], fullName: string): Record<string, unknown> {
  const dot = fullName.lastIndexOf('.');
  const record: Record<string, unknown> = { type: 'record', name: fullName.slice(dot + 1) };
  if (dot > 0) record.namespace = fullName.slice(0, dot);
  record.fields = fields.map((f) => {
    const t = avroType(f.type, `${fullName}_${f.name}`);
    return f.nullable ? { name: f.name, type: ['null', t], default: null } : { name: f.name, type: t };
  });
  return record;
}

function avroType(flinkType: string, rowName: string): unknown {
  const { type } = splitNullability(flinkType);
  const root = typeRoot(type);
  const precision = Number(/\(\s*(\d+)/.exec(type)?.[1] ?? (root.startsWith('TIMESTAMP') ? 6 : 0));
  switch (root) {
    case 'STRING':
    case 'VARCHAR':
    case 'CHAR':
      return 'string';
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'INTEGER':
      return 'int';
    case 'BIGINT':
      return 'long';
    case 'FLOAT':
      return 'float';
    case 'DOUBLE':
      return 'double';
    case 'BYTES':
    case 'VARBINARY':
    case 'BINARY':
      return 'bytes';
    case 'DECIMAL': {
      const [p, s] = decimalPrecisionScale(type);
      return { type: 'bytes', logicalType: 'decimal', precision: p, scale: s };
    }
    case 'DATE':
      return { type: 'int', logicalType: 'date' };
    case 'TIME':
      return { type: 'int', logicalType: 'time-millis' };
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return { type: 'long', logicalType: precision <= 3 ? 'timestamp-millis' : 'timestamp-micros' };
    case 'ARRAY':
    case 'MULTISET': {
      const [el] = typeArguments(type);
      return { type: 'array', items: wrapNullable(el ?? 'STRING', rowName) };
    }
    case 'MAP': {
      const [, v] = typeArguments(type);
      return { type: 'map', values: wrapNullable(v ?? 'STRING', rowName) };
    }
    case 'ROW':
      return avroRecord(rowFields(type).map((f) => ({ name: f.name, type: f.type, nullable: splitNullability(f.type).nullable })), rowName);
    default:
      return 'string';
  }
}

function wrapNullable(flinkType: string, rowName: string): unknown {
  const { nullable } = splitNullability(flinkType);
  const t = avroType(flinkType.replace(/\s+NOT\s+NULL$/i, '') + ' NOT NULL', rowName);
  return nullable ? ['null', t] : t;
}
