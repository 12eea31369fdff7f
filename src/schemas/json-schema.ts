/**
 * JSON Schema → Flink, as Flink's `json` format reads the records a producer following the schema
 * writes (checked on the stack by test/integration/schemas-json.test.ts):
 *
 * - object with properties → ROW<...> (properties in order); a property is NOT NULL when it is
 *   `required` and its type does not allow null; an object with only `additionalProperties` (or
 *   with neither) → MAP<STRING NOT NULL, V> (V = STRING when free-form)
 * - array → ARRAY<items> (ARRAY<STRING> without items); tuple arrays have no Flink column type
 * - string → STRING; `format: date-time` → TIMESTAMP_LTZ(3), read as ISO-8601 (the table gets
 *   'json.timestamp-format.standard' = 'ISO-8601'); `format: date` → DATE; `format: time` → TIME(0);
 *   `contentEncoding: base64` → BYTES; enums and other formats → STRING
 * - integer → BIGINT; number → DOUBLE; boolean → BOOLEAN
 * - nullability: `type: [T, "null"]`, `oneOf`/`anyOf` of T and `{type: null}`, `nullable: true`
 * - `$ref` to `#/definitions/...`, `#/$defs/...` or any JSON pointer of the document, and to
 *   registry references by name; `allOf` of objects merges their properties
 */
import { own } from '../core/own.js';
import { SchemaMappingError, rowType, type DerivedColumns, type SchemaColumn, type SchemaReferences } from './types.js';

type Json = Record<string, unknown>;

interface Mapped {
  type: string;
  nullable: boolean;
}

interface Walk {
  root: Json;
  references: SchemaReferences;
  /** $refs being expanded: a schema that contains itself has no finite Flink type. */
  open: string[];
  options: Record<string, string>;
}

function pointer(doc: Json, ptr: string, ref: string): Json {
  let cur: unknown = doc;
  for (const raw of ptr.split('/').filter((p) => p !== '')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur && typeof cur === 'object' ? own(cur as Json, key) : undefined;
  }
  if (!cur || typeof cur !== 'object') throw new SchemaMappingError(`$ref "${ref}" points to nothing`);
  return cur as Json;
}

function parse(text: string, what: string): Json {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new SchemaMappingError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new SchemaMappingError(`${what} is not a JSON Schema object`);
  return v as Json;
}

/** The schema a `$ref` names, with the document it lives in (for its own relative refs). */
function deref(ref: string, w: Walk): { schema: Json; root: Json } {
  if (ref.startsWith('#')) return { schema: pointer(w.root, ref.slice(1), ref), root: w.root };
  const [doc, frag = ''] = ref.split('#');
  const text = own(w.references, doc!) ?? own(w.references, ref);
  if (text === undefined) throw new SchemaMappingError(`$ref "${ref}" names no definition of this schema and no registry reference`);
  const root = parse(text, `referenced schema "${doc}"`);
  return { schema: frag ? pointer(root, frag, ref) : root, root };
}

const isNullSchema = (s: unknown) => !!s && typeof s === 'object' && (s as Json).type === 'null';

function map(schema: Json, w: Walk, path: string): Mapped {
  if (typeof schema.$ref === 'string') {
    const ref = schema.$ref;
    if (w.open.includes(ref)) throw new SchemaMappingError(`${path}: $ref "${ref}" contains itself; a recursive type has no Flink column type`);
    const { schema: target, root } = deref(ref, w);
    w.open.push(ref);
    const saved = w.root;
    w.root = root;
    try {
      const m = map(target, w, path);
      return schema.nullable === true ? { ...m, nullable: true } : m;
    } finally {
      w.root = saved;
      w.open.pop();
    }
  }
  for (const key of ['oneOf', 'anyOf'] as const) {
    const alts = schema[key];
    if (!Array.isArray(alts)) continue;
    const others = (alts as Json[]).filter((a) => !isNullSchema(a));
    if (others.length === 1) {
      const m = map(others[0]!, w, path);
      return { ...m, nullable: m.nullable || others.length < alts.length };
    }
    throw new SchemaMappingError(`${path}: ${key} of ${others.length} different schemas has no Flink column type; only "T or null" maps to a column`);
  }
  if (Array.isArray(schema.allOf)) {
    const parts = (schema.allOf as Json[]).map((p) => (typeof p.$ref === 'string' ? deref(p.$ref, w).schema : p));
    for (const p of parts) if (p.type !== undefined && p.type !== 'object') throw new SchemaMappingError(`${path}: allOf of non-object schemas has no Flink column type`);
    return map(mergedObject([schema, ...parts]), w, path);
  }
  let types: string[];
  if (Array.isArray(schema.type)) types = schema.type.map(String);
  else if (typeof schema.type === 'string') types = [schema.type];
  else if (schema.properties || schema.additionalProperties) types = ['object'];
  else if (schema.items) types = ['array'];
  else if (Array.isArray(schema.enum) && schema.enum.length) types = [...new Set(schema.enum.map((v) => (v === null ? 'null' : Number.isInteger(v) ? 'integer' : typeof v)))];
  else if (schema.const !== undefined) types = [schema.const === null ? 'null' : typeof schema.const];
  else throw new SchemaMappingError(`${path}: no type (an unconstrained value has no Flink column type); add "type"`);
  const nullable = types.includes('null') || schema.nullable === true;
  const rest = types.filter((t) => t !== 'null');
  if (rest.length === 0) throw new SchemaMappingError(`${path}: a value that is always null has no useful Flink column type`);
  if (rest.length === 2 && rest.includes('integer') && rest.includes('number')) rest.splice(rest.indexOf('integer'), 1);
  if (rest.length > 1) throw new SchemaMappingError(`${path}: a value of several types (${rest.join(', ')}) has no Flink column type`);
  return { type: single(rest[0]!, schema, w, path), nullable };
}

function single(t: string, schema: Json, w: Walk, path: string): string {
  switch (t) {
    case 'string':
      if (schema.format === 'date-time') {
        w.options['json.timestamp-format.standard'] = 'ISO-8601';
        return 'TIMESTAMP_LTZ(3)';
      }
      if (schema.format === 'date') return 'DATE';
      if (schema.format === 'time') return 'TIME(0)';
      if (schema.contentEncoding === 'base64') return 'BYTES';
      return 'STRING';
    case 'integer':
      return 'BIGINT';
    case 'number':
      return 'DOUBLE';
    case 'boolean':
      return 'BOOLEAN';
    case 'array': {
      const items = schema.items;
      if (Array.isArray(items) || Array.isArray(schema.prefixItems)) throw new SchemaMappingError(`${path}: a tuple array has no Flink column type; use "items": {...}`);
      if (!items || typeof items !== 'object') return 'ARRAY<STRING>';
      // Elements stay nullable: with NOT NULL elements, Flink 1.20 reads tags[1] of a missing
      // array as '' and counts['a'] of a missing map as -1 (seen on the stack), never as NULL.
      return `ARRAY<${map(items as Json, w, `${path}[]`).type}>`;
    }
    case 'object': {
      const props = schema.properties as Json | undefined;
      if (props && Object.keys(props).length) return rowType(objectFields(schema, w, path));
      const extra = schema.additionalProperties;
      if (extra && typeof extra === 'object') {
        return `MAP<STRING, ${map(extra as Json, w, `${path}{}`).type}>`;
      }
      return 'MAP<STRING, STRING>';
    }
    default:
      throw new SchemaMappingError(`${path}: unknown JSON Schema type "${t}"`);
  }
}

function objectFields(schema: Json, w: Walk, path: string): { name: string; type: string; nullable: boolean; doc?: string }[] {
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  return Object.entries((schema.properties ?? {}) as Record<string, Json>).map(([name, prop]) => {
    const m = map(prop ?? {}, w, path === '<root>' ? name : `${path}.${name}`);
    const f: { name: string; type: string; nullable: boolean; doc?: string } = { name, type: m.type, nullable: m.nullable || !required.has(name) };
    if (typeof prop?.description === 'string') f.doc = prop.description;
    return f;
  });
}

/**
 * One object schema of the parts of an `allOf`: their properties (own keys, so a property named
 * `__proto__` stays one: Object.fromEntries defines, not assigns) and what they require
 * (`requiredFrom`, the parts as written, when their `$ref`s were followed for the properties only).
 */
function mergedObject(parts: Json[], requiredFrom: Json[] = parts): Json {
  return {
    type: 'object',
    properties: Object.fromEntries(parts.flatMap((p) => Object.entries((p.properties ?? {}) as Json))),
    required: requiredFrom.flatMap((p) => (p.required as string[]) ?? []),
  };
}

/** The top-level object's properties as columns. */
export function jsonSchemaColumns(text: string, references: SchemaReferences = {}): DerivedColumns {
  const out: DerivedColumns = { columns: [], errors: [], formatOptions: {} };
  try {
    let root = parse(text, 'the JSON Schema');
    const w: Walk = { root, references, open: [], options: out.formatOptions };
    if (typeof root.$ref === 'string') root = deref(root.$ref, w).schema;
    if (Array.isArray(root.allOf)) root = mergedObject([root, ...(root.allOf as Json[]).map((p) => (typeof p.$ref === 'string' ? deref(p.$ref, w).schema : p))], [root, ...(root.allOf as Json[])]);
    const isObject = root.type === 'object' || (Array.isArray(root.type) && root.type.includes('object')) || (root.type === undefined && root.properties);
    if (!isObject || !root.properties) throw new SchemaMappingError('the schema is not an object with properties: a topic\'s value must be an object to have columns');
    const required = new Set(Array.isArray(root.required) ? root.required.map(String) : []);
    for (const [name, prop] of Object.entries(root.properties as Record<string, Json>)) {
      try {
        const m = map(prop ?? {}, w, name);
        const col: SchemaColumn = { name, type: m.type, nullable: m.nullable || !required.has(name) };
        if (typeof prop?.description === 'string') col.doc = prop.description;
        out.columns.push(col);
      } catch (e) {
        if (!(e instanceof SchemaMappingError)) throw e;
        out.errors.push(e.message);
      }
    }
  } catch (e) {
    if (!(e instanceof SchemaMappingError)) throw e;
    out.errors.push(e.message);
  }
  return out;
}
