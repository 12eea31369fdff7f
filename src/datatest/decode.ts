/**
 * Record values → objects. JSON as is; the Confluent wire format (magic byte 0, 4-byte schema id,
 * then the Avro binary) through the registry and avsc. A value that cannot be decoded is
 * reported, never guessed.
 */
import avro from 'avsc';
import { namedTypes } from '../core/own.js';
import type { RawRecord } from '../adapters/kafka/sample.js';
import type { RegistrySchema } from '../adapters/schema-registry/client.js';
import type { SampleRecord } from './types.js';

/** Where schema ids are looked up (the Schema Registry adapter). */
export interface SchemaLookup {
  schemaById(id: number): Promise<RegistrySchema>;
}

export interface DecodeOutcome {
  records: SampleRecord[];
  /** Records whose value could not be decoded, with why (at most five kept, all counted). */
  undecodable: { count: number; examples: { partition: number; offset: string; reason: string }[] };
}

export async function decodeRecords(raw: readonly RawRecord[], registry: SchemaLookup | undefined): Promise<DecodeOutcome> {
  const types = new Map<number, avro.Type>();
  const out: DecodeOutcome = { records: [], undecodable: { count: 0, examples: [] } };
  for (const r of raw) {
    const base = { key: r.key ? r.key.toString('utf8') : null, timestamp: r.timestamp, partition: r.partition, offset: r.offset };
    try {
      out.records.push({ ...base, value: await decodeValue(r.value, registry, types) });
    } catch (e) {
      out.undecodable.count++;
      if (out.undecodable.examples.length < 5) out.undecodable.examples.push({ partition: r.partition, offset: r.offset, reason: (e as Error).message });
    }
  }
  return out;
}

async function decodeValue(value: Buffer | null, registry: SchemaLookup | undefined, types: Map<number, avro.Type>): Promise<Record<string, unknown> | null> {
  if (value === null || value.length === 0) return null;
  if (value[0] === 0 && value.length >= 5) {
    const id = value.readInt32BE(1);
    if (!registry) throw new Error(`the value is in the registry wire format (schema id ${id}) and no schema_registry is configured`);
    let type = types.get(id);
    if (!type) {
      const s = await registry.schemaById(id);
      if (s.schemaType !== 'AVRO') throw new Error(`schema id ${id} is ${s.schemaType}; only Avro and JSON values are decoded`);
      type = avro.Type.forSchema(JSON.parse(s.schema) as avro.Schema, { wrapUnions: false, registry: namedTypes() });
      types.set(id, type);
    }
    const decoded = type.fromBuffer(value.subarray(5)) as unknown;
    return plain(decoded) as Record<string, unknown> | null;
  }
  const parsed = JSON.parse(value.toString('utf8')) as unknown;
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
}

/** avsc gives records as class instances and longs as numbers; keep plain objects. */
function plain(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v) || v instanceof Date) return v;
  if (Array.isArray(v)) return v.map(plain);
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, plain(x)]));
}
