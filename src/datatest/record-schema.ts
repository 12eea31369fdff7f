/**
 * Schema tests on records: a sample of the target's real records checked against its declared
 * schema. Avro values must be in the Confluent wire format, written with a schema (looked up by
 * id in the registry) that the declared schema can read, and decode; JSON values are validated
 * with ajv against the declared JSON Schema. Offending records are reported with the fields at
 * fault. Pure but for the registry lookups, which go through `SchemaLookup` (the adapter).
 */
import avro from 'avsc';
import { namedTypes } from '../core/own.js';
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { RawRecord } from '../adapters/kafka/sample.js';
import { CompileContext, sourceFormat } from '../compile/context.js';
import { modelJsonSchema, modelOutputSchema } from '../compile/emitters/schemas.js';
import { lockedEntry } from '../schemas/lock.js';
import type { ResolvedProject } from '../resolve/types.js';
import type { SchemaLookup } from './decode.js';
import { MAX_EXAMPLES, type AssertionResult, type FailureExample } from './types.js';

// ajv and ajv-formats are CommonJS modules: their classes are the `default` of the namespace.
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

/** The schema the records of a source or model are declared to follow. */
export interface DeclaredSchema {
  type: 'AVRO' | 'JSON';
  schema: string;
  /** Where it comes from, for messages: "subject x version 3", "the source's definition", ... */
  origin: string;
}

/**
 * A model's output schema (Avro or JSON Schema, as compiled, registered or only derived); a source's inline definition or locked subject, else the
 * JSON Schema of its declared columns. Undefined when there is none to check against (Protobuf,
 * columns unknown).
 */
export function declaredSchemaOf(resolved: ResolvedProject, target: string): DeclaredSchema | undefined {
  const ctx = new CompileContext(resolved);
  const m = resolved.models.get(target);
  if (m) {
    const out = modelOutputSchema(ctx, m);
    if (out && out.spec.schema_type !== 'PROTOBUF') {
      return { type: out.spec.schema_type, schema: out.spec.schema, origin: out.registered ? `the output schema of model "${target}" (${out.spec.subject})` : `the JSON Schema of model "${target}"'s columns` };
    }
    return undefined;
  }
  const s = resolved.project.sources.find((x) => x.name === target);
  if (!s) return undefined;
  const info = s.derivedSchema;
  if (info?.format === 'protobuf' || sourceFormat(s) === 'protobuf') return undefined;
  const type = sourceFormat(s) === 'avro-confluent' ? 'AVRO' : 'JSON';
  if (s.schema?.definition) return { type, schema: s.schema.definition, origin: `the schema definition of source "${target}"` };
  if (info?.origin === 'lock' && info.subject) {
    const e = lockedEntry(resolved.project.schemaLock, info.subject, info.version);
    if (e && e.references.length === 0) return { type, schema: e.schema, origin: `subject ${e.subject} version ${e.version} (schemas.lock.yml)` };
  }
  if (type === 'JSON' && s.columns.length) {
    const cols = s.columns.filter((c) => !c.proctime).map((c) => ({ name: c.name, type: c.type ?? 'STRING' }));
    return { type, schema: JSON.stringify(modelJsonSchema(target, cols)), origin: `the JSON Schema of source "${target}"'s columns` };
  }
  return undefined;
}

class Offenders {
  count = 0;
  examples: FailureExample[] = [];
  add(r: RawRecord, reason: string, column?: string): void {
    this.count++;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push({ partition: r.partition, offset: r.offset, key: r.key ? r.key.toString('utf8') : null, ...(column ? { column } : {}), reason });
  }
}

/** `records` assertion: every sampled record against the declared schema. */
export async function checkRecords(raw: readonly RawRecord[], declared: DeclaredSchema, registry: SchemaLookup | undefined, index: number): Promise<AssertionResult> {
  const bad = new Offenders();
  const values = raw.filter((r) => r.value !== null && r.value.length > 0); // tombstones carry no value to check
  if (declared.type === 'AVRO') await checkAvro(values, declared, registry, bad);
  else checkJson(values, declared, bad);
  const base = { assertion: 'records', index, checked: values.length, failures: bad.count, examples: bad.examples };
  return bad.count
    ? { ...base, status: 'fail', message: `${bad.count} of ${values.length} records do not follow ${declared.origin}: ${bad.examples.map((e) => `offset ${e.offset}: ${e.reason}`).join('; ')}` }
    : { ...base, status: 'pass', message: `${values.length} records follow ${declared.origin}` };
}

async function checkAvro(values: readonly RawRecord[], declared: DeclaredSchema, registry: SchemaLookup | undefined, bad: Offenders): Promise<void> {
  const reader = avro.Type.forSchema(JSON.parse(declared.schema) as avro.Schema, { wrapUnions: false, registry: namedTypes() });
  /** Per writer schema id: its type and whether the declared schema reads it (else the fields at fault). */
  const writers = new Map<number, { writer?: avro.Type; resolver?: unknown; problem?: string }>();
  for (const r of values) {
    const v = r.value!;
    if (v[0] !== 0 || v.length < 5) {
      bad.add(r, 'not in the Confluent wire format (magic byte 0, schema id): not written with a registry serializer');
      continue;
    }
    const id = v.readInt32BE(1);
    if (!registry) {
      bad.add(r, `written with schema id ${id}, and no schema_registry is configured to read it`);
      continue;
    }
    let w = writers.get(id);
    if (!w) {
      w = {};
      try {
        const s = await registry.schemaById(id);
        if (s.schemaType !== 'AVRO') w.problem = `written with schema id ${id}, a ${s.schemaType} schema`;
        else {
          w.writer = avro.Type.forSchema(JSON.parse(s.schema) as avro.Schema, { wrapUnions: false, registry: namedTypes() });
          // A writer schema canonically equal to the declared one reads as itself, without a
          // resolver (avsc's cannot match a record named `__proto__` with itself).
          try {
            if (!reader.equals(w.writer)) w.resolver = reader.createResolver(w.writer);
          } catch (e) {
            w.problem = `written with schema id ${id}, which the declared schema cannot read: ${(e as Error).message.split('\n')[0]}`;
          }
        }
      } catch (e) {
        w.problem = (e as Error).message;
      }
      writers.set(id, w);
    }
    let value: unknown;
    try {
      value = w.writer ? w.writer.fromBuffer(v.subarray(5)) : undefined;
    } catch (e) {
      bad.add(r, `cannot be decoded with schema id ${id}: ${(e as Error).message}`);
      continue;
    }
    if (!w.problem) continue;
    // The fields at fault: the decoded record checked against the declared schema.
    const fields: string[] = [];
    if (value !== undefined) reader.isValid(value, { errorHook: (path) => fields.push(path.join('.') || '(record)') });
    bad.add(r, fields.length ? `${w.problem} (fields ${fields.join(', ')})` : w.problem, fields[0]);
  }
}

function checkJson(values: readonly RawRecord[], declared: DeclaredSchema, bad: Offenders): void {
  let validate: ValidateFunction;
  try {
    const schema = JSON.parse(declared.schema) as Record<string, unknown>;
    // Drafts 4 to 7 validate alike for what records use; the meta-schema URL would only make ajv refuse drafts it does not bundle.
    delete schema.$schema;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(schema);
  } catch (e) {
    throw new Error(`${declared.origin} is not a JSON Schema ajv can compile: ${(e as Error).message}`);
  }
  for (const r of values) {
    let v = r.value!;
    // A JSON Schema registry serializer prefixes the Confluent header.
    if (v[0] === 0 && v.length >= 5) v = v.subarray(5);
    let parsed: unknown;
    try {
      parsed = JSON.parse(v.toString('utf8'));
    } catch (e) {
      bad.add(r, `not JSON: ${(e as Error).message}`);
      continue;
    }
    if (validate(parsed)) continue;
    const errors = (validate.errors ?? []) as ErrorObject[];
    const field = (e: ErrorObject) => {
      const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
      const missing = e.keyword === 'required' ? String((e.params as { missingProperty?: string }).missingProperty ?? '') : '';
      return [path, missing].filter(Boolean).join('.') || '(record)';
    };
    bad.add(r, errors.map((e) => `${field(e)} ${e.message ?? e.keyword}`).join(', '), errors[0] ? field(errors[0]) : undefined);
  }
}
