/**
 * Schema Registry subjects: sources with an inline definition (kept byte for byte: Avro, JSON
 * Schema or Protobuf), and models whose output is Avro (the schema Flink's avro-confluent format
 * derives from the output columns, so what Flink registers is what was planned).
 * A source that only names a subject references an existing schema: nothing is registered.
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import { typeArguments, rowFields, splitNullability, typeRoot, decimalPrecisionScale } from '../../sql/types.js';
import type { SourceNode } from '../../project/types.js';
import type { ResolvedModel } from '../../resolve/types.js';
import { detectFormat, type CompileContext } from '../context.js';
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

export function emitModelSchema(ctx: CompileContext, m: ResolvedModel): SchemaSpecArtifact | undefined {
  if (m.materialized !== 'flink' && m.materialized !== 'topic') return undefined;
  const t = ctx.table(m.node.id);
  if (!t || t.format !== 'avro-confluent' || !t.columns || !t.subject) return undefined;
  // Exactly the sink table's types (what Flink's avro-confluent sink derives and registers): its
  // columns are nullable unless declared NOT NULL, and upsert-kafka's primary key is NOT NULL.
  const pk = new Set(t.changelog === 'updating' ? t.primaryKey : []);
  const fields = t.columns.map((c) => ({ name: c.name, type: c.type, nullable: !pk.has(c.name) && splitNullability(c.type).nullable }));
  return { subject: t.subject, schema_type: 'AVRO', schema: JSON.stringify(avroRecord(fields, 'org.apache.flink.avro.generated.record')), compatibility: null };
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
