import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { avroColumns, avroDataType } from '../../src/schemas/avro.js';
import { deriveColumns, detectFormat } from '../../src/schemas/index.js';
import { jsonSchemaColumns } from '../../src/schemas/json-schema.js';
import { protobufColumns, protobufDataType } from '../../src/schemas/protobuf.js';

// Flink's own answers (tools/schema-judge: AvroSchemaConverter.convertToDataType and
// PbToRowTypeUtil.generateRowType), stored by `node scripts/schema-judge.mjs --update`;
// test/integration/schema-judge.test.ts checks they are still what Flink says.
const dir = join(import.meta.dirname, '..', 'schemas');
const expected = (format: string) => JSON.parse(readFileSync(join(dir, 'expected', `${format}.json`), 'utf8')) as Record<string, { type?: string; unmappable?: string }>;

describe.each([
  ['avro', '.avsc', avroDataType],
  ['protobuf', '.proto', protobufDataType],
] as const)('%s → Flink agrees with Flink', (format, ext, convert) => {
  const answers = expected(format);
  const cases = readdirSync(join(dir, 'cases', format)).filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length));
  it('every case has Flink\'s answer', () => {
    expect(Object.keys(answers).sort()).toEqual([...cases].sort());
  });
  it.each(cases)('%s', (name) => {
    const got = convert(readFileSync(join(dir, 'cases', format, `${name}${ext}`), 'utf8'));
    const flink = answers[name]!;
    if (flink.type !== undefined) {
      expect(got).toEqual({ type: flink.type });
    } else {
      // Flink has no usable column type for it (an error, or RAW for a multi-type union): streamt says why.
      expect(got.type).toBeUndefined();
      expect(got.error).toMatch(/union|recursive|precision/);
    }
  });
});

describe('Avro columns', () => {
  it('are the record fields, with their nullability and doc', () => {
    const r = avroColumns(readFileSync(join(dir, 'cases/avro/primitives.avsc'), 'utf8'));
    expect(r.errors).toEqual([]);
    expect(r.columns[0]).toEqual({ name: 'b', type: 'BOOLEAN', nullable: false, doc: 'a flag' });
    const n = avroColumns(readFileSync(join(dir, 'cases/avro/nullable.avsc'), 'utf8'));
    expect(n.columns.map((c) => [c.name, c.nullable])).toEqual([['null_first', true], ['null_last', true], ['single', false], ['nullable_record', true], ['nullable_array', true], ['nullable_map', true]]);
  });
  it('name the field that cannot be mapped, and keep the others', () => {
    const r = avroColumns(readFileSync(join(dir, 'cases/avro/union-multi.avsc'), 'utf8'));
    expect(r.columns.map((c) => c.name)).toEqual(['id']);
    expect(r.errors).toEqual([expect.stringMatching(/^value: a union of 3 types \(null, int, string\)/)]);
  });
  it('refuse invalid schemas and non-records with the reason', () => {
    expect(avroColumns('{"type": "record", "name": "x", "fields": [{"name": "a", "type": "nope"}]}').errors[0]).toMatch(/not a valid Avro schema/);
    expect(avroColumns('{"type": "record"').errors[0]).toMatch(/not valid JSON/);
    expect(avroColumns('"string"').errors[0]).toMatch(/STRING, not a record/);
  });
  it('resolve named types of referenced schemas', () => {
    const address = '{"type": "record", "name": "Address", "namespace": "acme", "fields": [{"name": "city", "type": "string"}]}';
    const r = avroColumns('{"type": "record", "name": "Customer", "namespace": "acme", "fields": [{"name": "home", "type": "Address"}]}', { 'acme.Address': address });
    expect(r).toEqual({ columns: [{ name: 'home', type: 'ROW<`city` STRING NOT NULL>', nullable: false }], errors: [], formatOptions: {} });
  });
});

describe('Protobuf columns', () => {
  it('use the first message, or the one named, and keep comments', () => {
    const text = readFileSync(join(dir, 'cases/protobuf/nested.proto'), 'utf8');
    expect(protobufColumns(text).columns[0]).toEqual({ name: 'order_id', type: 'STRING', nullable: true });
    expect(protobufColumns(text, {}, 'acme.orders.Customer').columns.map((c) => c.name)).toEqual(['id', 'address']);
    expect(protobufColumns(text, {}, 'Nope').errors[0]).toMatch(/message "Nope" is not defined; messages of the file: Order, Customer/);
    expect(protobufColumns('syntax = "proto3";\nmessage A {\n  // the id\n  string id = 1;\n}').columns[0]!.doc).toBe('the id');
  });
  it('read imports from the subject references', () => {
    const r = protobufColumns('syntax = "proto3";\nimport "money.proto";\nmessage Pay { Money amount = 1; }', { 'money.proto': 'syntax = "proto3";\nmessage Money { int64 units = 1; string currency = 2; }' });
    expect(r.columns).toEqual([{ name: 'amount', type: 'ROW<`units` BIGINT, `currency` STRING>', nullable: true }]);
    expect(protobufColumns('syntax = "proto3";\nimport "other.proto";\nmessage P { string a = 1; }').errors[0]).toMatch(/import "other.proto" is neither/);
  });
});

describe('JSON Schema columns (what the json format reads; records checked on the stack)', () => {
  const schema = {
    type: 'object',
    required: ['id', 'amount', 'at', 'tags', 'payload', 'maybe'],
    properties: {
      id: { type: 'string', description: 'the id' },
      amount: { type: 'integer' },
      ratio: { type: 'number' },
      both: { type: ['integer', 'number'] },
      ok: { type: 'boolean' },
      at: { type: 'string', format: 'date-time' },
      day: { type: 'string', format: 'date' },
      clock: { type: 'string', format: 'time' },
      raw: { type: 'string', contentEncoding: 'base64' },
      email: { type: 'string', format: 'email' },
      status: { enum: ['A', 'B'] },
      maybe: { type: ['string', 'null'] },
      one: { oneOf: [{ type: 'null' }, { type: 'integer' }] },
      tags: { type: 'array', items: { type: 'string' } },
      loose: { type: 'array' },
      payload: {
        type: 'object',
        required: ['amount'],
        properties: { amount: { type: 'number' }, currency: { type: 'string' }, lines: { type: 'array', items: { $ref: '#/definitions/line' } } },
      },
      counts: { type: 'object', additionalProperties: { type: 'integer' } },
      free: { type: 'object' },
      ref: { $ref: '#/$defs/money' },
      merged: { allOf: [{ $ref: '#/$defs/money' }, { properties: { note: { type: 'string' } } }] },
    },
    definitions: { line: { type: 'object', required: ['sku'], properties: { sku: { type: 'string' }, qty: { type: 'integer' } } } },
    $defs: { money: { type: 'object', required: ['units'], properties: { units: { type: 'integer' } } } },
  };
  const r = jsonSchemaColumns(JSON.stringify(schema));
  const col = (name: string) => r.columns.find((c) => c.name === name);

  it('map every type, format and nesting', () => {
    expect(r.errors).toEqual([]);
    expect(Object.fromEntries(r.columns.map((c) => [c.name, `${c.type}${c.nullable ? '' : ' NOT NULL'}`]))).toEqual({
      id: 'STRING NOT NULL',
      amount: 'BIGINT NOT NULL',
      ratio: 'DOUBLE',
      both: 'DOUBLE',
      ok: 'BOOLEAN',
      at: 'TIMESTAMP_LTZ(3) NOT NULL',
      day: 'DATE',
      clock: 'TIME(0)',
      raw: 'BYTES',
      email: 'STRING',
      status: 'STRING',
      maybe: 'STRING',
      one: 'BIGINT',
      tags: 'ARRAY<STRING> NOT NULL',
      loose: 'ARRAY<STRING>',
      payload: 'ROW<`amount` DOUBLE NOT NULL, `currency` STRING, `lines` ARRAY<ROW<`sku` STRING NOT NULL, `qty` BIGINT>>> NOT NULL',
      counts: 'MAP<STRING, BIGINT>',
      free: 'MAP<STRING, STRING>',
      ref: 'ROW<`units` BIGINT NOT NULL>',
      merged: 'ROW<`units` BIGINT NOT NULL, `note` STRING>',
    });
    expect(col('id')!.doc).toBe('the id');
  });
  it('ask the json format to read date-time as ISO-8601', () => {
    expect(r.formatOptions).toEqual({ 'json.timestamp-format.standard': 'ISO-8601' });
    expect(jsonSchemaColumns('{"type": "object", "properties": {"a": {"type": "string"}}}').formatOptions).toEqual({});
  });
  it('refuse what has no column type, naming the field', () => {
    const bad = jsonSchemaColumns(JSON.stringify({ type: 'object', properties: { a: { type: ['string', 'integer'] }, b: { oneOf: [{ type: 'string' }, { type: 'integer' }] }, c: {}, d: { type: 'array', items: [{ type: 'string' }] }, e: { $ref: '#/definitions/e' }, ok: { type: 'string' } }, definitions: { e: { type: 'object', properties: { next: { $ref: '#/definitions/e' } } } } }));
    expect(bad.columns.map((c) => c.name)).toEqual(['ok']);
    expect(bad.errors).toEqual([
      expect.stringMatching(/^a: a value of several types/),
      expect.stringMatching(/^b: oneOf of 2 different schemas/),
      expect.stringMatching(/^c: no type/),
      expect.stringMatching(/^d: a tuple array/),
      expect.stringMatching(/^e.next: \$ref "#\/definitions\/e" contains itself/),
    ]);
    expect(jsonSchemaColumns('{"type": "string"}').errors[0]).toMatch(/not an object with properties/);
  });
  it('resolve registry references by name', () => {
    const out = jsonSchemaColumns(JSON.stringify({ type: 'object', properties: { m: { $ref: 'money.json' } } }), { 'money.json': JSON.stringify({ type: 'object', properties: { units: { type: 'integer' } } }) });
    expect(out.columns).toEqual([{ name: 'm', type: 'ROW<`units` BIGINT>', nullable: true }]);
  });
});

describe('deriveColumns and detectFormat', () => {
  it('dispatch by format', () => {
    expect(deriveColumns({ format: 'json', text: '{"type": "object", "properties": {"a": {"type": "integer"}}}' }).columns).toEqual([{ name: 'a', type: 'BIGINT', nullable: true }]);
    expect(detectFormat('syntax = "proto3";\nmessage A {}')).toBe('protobuf');
    expect(detectFormat('{"type": "record", "name": "a", "fields": []}')).toBe('avro');
    expect(detectFormat('{"type": "object"}')).toBe('json');
    expect(detectFormat('not json')).toBeUndefined();
  });
});
