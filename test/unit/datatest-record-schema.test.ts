/** Schema tests on records: a sample checked against the declared schema (src/datatest/record-schema.ts). */
import avsc from 'avsc';
import { describe, expect, it } from 'vitest';
import type { RawRecord } from '../../src/adapters/kafka/sample.js';
import type { RegistrySchema } from '../../src/adapters/schema-registry/client.js';
import { checkRecords, declaredSchemaOf } from '../../src/datatest/record-schema.js';
import { PROJECT, SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

let offset = 0;
const rec = (value: Buffer | string | null): RawRecord => ({ key: Buffer.from('k'), value: typeof value === 'string' ? Buffer.from(value) : value, timestamp: 0, partition: 0, offset: String(offset++) });
const wire = (id: number, payload: Buffer) => {
  const h = Buffer.alloc(5);
  h.writeInt32BE(id, 1);
  return Buffer.concat([h, payload]);
};

const ORDER = { type: 'record', name: 'Order', fields: [{ name: 'order_id', type: 'string' }, { name: 'amount', type: 'double' }] };
const ORDER_TEXT = { type: 'record', name: 'Order', fields: [{ name: 'order_id', type: 'string' }, { name: 'amount', type: 'string' }] };
/** Schemas by id, as the registry adapter answers them. */
const registry = {
  async schemaById(id: number): Promise<RegistrySchema> {
    const s = { 1: ORDER, 2: ORDER_TEXT } as Record<number, unknown>;
    if (!s[id]) throw new Error(`schema id ${id} is not in the registry`);
    return { schema: JSON.stringify(s[id]), schemaType: 'AVRO', id };
  },
};

describe('Avro records', () => {
  const declared = { type: 'AVRO' as const, schema: JSON.stringify(ORDER), origin: 'subject orders-value' };
  it('pass when written with a schema the declared one reads', async () => {
    const r = await checkRecords([rec(wire(1, avsc.Type.forSchema(ORDER as never).toBuffer({ order_id: 'a', amount: 1.5 }))), rec(null)], declared, registry, 0);
    expect(r).toMatchObject({ assertion: 'records', status: 'pass', checked: 1, failures: 0 });
  });
  it('report records in another schema, not in the wire format, or undecodable, with the fields at fault', async () => {
    const t2 = avsc.Type.forSchema(ORDER_TEXT as never);
    const r = await checkRecords([rec(wire(2, t2.toBuffer({ order_id: 'a', amount: 'lots' }))), rec('{"order_id":"a"}'), rec(wire(1, Buffer.from([0x02]))), rec(wire(9, Buffer.from([0])))], declared, registry, 0);
    expect(r.status).toBe('fail');
    expect(r.failures).toBe(4);
    expect(r.examples[0]!.reason).toMatch(/^written with schema id 2, which the declared schema cannot read: .*\(fields amount\)$/);
    expect(r.examples[0]!.column).toBe('amount');
    expect(r.examples[1]!.reason).toContain('not in the Confluent wire format');
    expect(r.examples[2]!.reason).toContain('cannot be decoded with schema id 1');
    expect(r.examples[3]!.reason).toBe('schema id 9 is not in the registry');
  });
});

describe('Avro records whose record is named like a member of Object.prototype', () => {
  it('are read and checked like any other', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'valueOf']) {
      const schema = { ...ORDER, name };
      const named = { async schemaById(id: number): Promise<RegistrySchema> { return { schema: JSON.stringify(schema), schemaType: 'AVRO', id }; } };
      const declared = { type: 'AVRO' as const, schema: JSON.stringify(schema), origin: 'subject orders-value' };
      const payload = avsc.Type.forSchema(schema as never, { registry: Object.create(null) }).toBuffer({ order_id: 'a', amount: 1.5 });
      const r = await checkRecords([rec(wire(1, payload))], declared, named, 0);
      expect(r, name).toMatchObject({ assertion: 'records', status: 'pass', checked: 1, failures: 0 });
    }
  });
});

describe('JSON records', () => {
  const schema = { type: 'object', properties: { order_id: { type: 'string' }, amount: { type: 'number' }, placed: { type: 'string', format: 'date-time' } }, required: ['order_id'] };
  const declared = { type: 'JSON' as const, schema: JSON.stringify({ $schema: 'http://json-schema.org/draft-04/schema#', ...schema }), origin: 'the schema definition of source "o"' };
  it('are validated with ajv, each offending field named', async () => {
    const r = await checkRecords([rec('{"order_id":"a","amount":2}'), rec('{"amount":"x"}'), rec('not json'), rec('{"order_id":"b","placed":"yesterday"}')], declared, undefined, 0);
    expect(r).toMatchObject({ status: 'fail', checked: 4, failures: 3 });
    expect(r.examples.map((e) => [e.offset !== undefined, e.column, e.reason])).toEqual([
      [true, 'order_id', "order_id must have required property 'order_id', amount must be number"],
      [true, undefined, expect.stringContaining('not JSON')],
      [true, 'placed', 'placed must match format "date-time"'],
    ]);
    expect(r.message).toMatch(/^3 of 4 records do not follow the schema definition of source "o"/);
  });
});

describe('the declared schema of a target', () => {
  it("is a JSON model's JSON Schema of its columns, or a source's definition", () => {
    const { resolved } = resolveFiles({
      'stream_project.yml': PROJECT,
      'sources/s.yml': SOURCES + `  - name: o\n    topic: o\n    schema:\n      definition: '${JSON.stringify({ type: 'object', properties: { id: { type: 'integer' } } })}'\n`,
      'models/m.yml': 'models:\n  - name: m\n    sql: SELECT order_id, CAST(amount AS BIGINT) AS amount FROM {{ source("orders_raw") }}\n',
    });
    const m = declaredSchemaOf(resolved!, 'm')!;
    expect(m.type).toBe('JSON');
    expect(JSON.parse(m.schema).properties).toEqual({ order_id: { type: ['string', 'null'] }, amount: { type: ['integer', 'null'] } });
    expect(declaredSchemaOf(resolved!, 'o')).toMatchObject({ type: 'JSON', origin: 'the schema definition of source "o"' });
  });
});
