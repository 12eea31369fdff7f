/**
 * Schemas are the contract: a schema definition (inline or from the lock) → Flink columns. Pure.
 */
import { avroColumns } from './avro.js';
import { jsonSchemaColumns } from './json-schema.js';
import { protobufColumns } from './protobuf.js';
import type { DerivedColumns, SchemaFormat, SchemaInput } from './types.js';

export * from './types.js';

export function deriveColumns(input: SchemaInput): DerivedColumns {
  switch (input.format) {
    case 'avro':
      return avroColumns(input.text, input.references);
    case 'json':
      return jsonSchemaColumns(input.text, input.references);
    case 'protobuf':
      return protobufColumns(input.text, input.references, input.message);
  }
}

/** The format of a definition: Protobuf text, an Avro schema (record, enum, fixed, union) or a JSON Schema. */
export function detectFormat(definition: string | undefined): SchemaFormat | undefined {
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

/** The registry's schemaType for a format, and back. */
export function registryType(format: SchemaFormat): 'AVRO' | 'JSON' | 'PROTOBUF' {
  return format === 'avro' ? 'AVRO' : format === 'json' ? 'JSON' : 'PROTOBUF';
}
export function formatOfRegistryType(schemaType: string | undefined): SchemaFormat {
  const t = (schemaType ?? 'AVRO').toUpperCase();
  return t === 'JSON' ? 'json' : t === 'PROTOBUF' ? 'protobuf' : 'avro';
}
