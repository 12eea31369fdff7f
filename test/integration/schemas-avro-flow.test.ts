/**
 * Avro records from the registry flow through a job (issue 12): a producer registers an Avro
 * schema (enum, nested record, decimal, timestamp) and writes records in the Confluent wire
 * format; the source's columns come from schemas.lock.yml (`streamt schemas pull`); a model reads
 * nested fields; apply runs it on Flink into an Avro model topic, whose records are read back
 * through the registry.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { createTopics, deleteSubjectAfterTest, eventually, kafkaClient, registry, uniqueName } from './helpers.js';
import { cleanupProject, letters, runtimeYaml, TestProject } from './plan-helpers.js';

async function readAvro(topic: string, count: number): Promise<Record<string, unknown>[]> {
  const kafka = kafkaClient();
  const consumer = kafka.consumer({ groupId: uniqueName('it-avro') });
  const raw: Buffer[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void (message.value && raw.push(message.value)) });
    await eventually(`${count} records in ${topic}`, async () => raw.length >= count, 240_000);
  } finally {
    await consumer.disconnect();
  }
  const types = new Map<number, avro.Type>();
  const out: Record<string, unknown>[] = [];
  for (const v of raw) {
    expect(v[0]).toBe(0); // the Confluent wire format
    const id = v.readInt32BE(1);
    if (!types.has(id)) types.set(id, avro.Type.forSchema(JSON.parse((await registry('GET', `/schemas/ids/${id}`)).body.schema), { wrapUnions: false }));
    out.push(JSON.parse(JSON.stringify(types.get(id)!.fromBuffer(v.subarray(5)))));
  }
  return out;
}

describe('Avro from the registry through a Flink job', () => {
  it('reads locked Avro columns (enum, optional nested record, timestamp) and writes an Avro model topic', async () => {
    const sfx = letters();
    const topic = `it.avro.pay.${sfx}`;
    const subject = `${topic}-value`;
    const model = `clean_${sfx}`;
    deleteSubjectAfterTest(subject);
    deleteSubjectAfterTest(`${model}-value`);
    await createTopics([{ topic }]);
    const schema = {
      type: 'record',
      name: 'CardPayment',
      namespace: 'payments',
      fields: [
        { name: 'payment_id', type: 'string' },
        { name: 'amount_cents', type: 'long' },
        { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['AUTHORIZED', 'CAPTURED', 'DECLINED'] } },
        // An optional nested record: Flink declares its fields nullable; the reader schema streamt gives it says so.
        { name: 'merchant', type: ['null', { type: 'record', name: 'Merchant', fields: [{ name: 'id', type: 'string' }, { name: 'country', type: ['null', 'string'], default: null }] }], default: null },
        { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
      ],
    };
    const reg = await registry('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: JSON.stringify(schema) });
    expect(reg.status).toBe(200);
    const type = avro.Type.forSchema(schema as avro.Schema);
    const header = Buffer.alloc(5);
    header.writeInt32BE(reg.body.id, 1);
    const rows = [
      { payment_id: 'p1', amount_cents: 1200, status: 'CAPTURED', merchant: { id: 'm1', country: 'FR' }, event_time: 1767261600000 },
      { payment_id: 'p2', amount_cents: 0, status: 'DECLINED', merchant: { id: 'm2', country: null }, event_time: 1767261601000 },
      { payment_id: 'p3', amount_cents: 800, status: 'AUTHORIZED', merchant: null, event_time: 1767261602000 },
    ];
    const producer = kafkaClient().producer();
    await producer.connect();
    await producer.send({ topic, messages: rows.map((r) => ({ key: r.payment_id, value: Buffer.concat([header, type.toBuffer(r)]) })) });
    await producer.disconnect();

    const p = new TestProject(`it_${sfx}`, {
      'stream_project.yml': `project:\n  name: it_${sfx}\n${runtimeYaml()}`,
      'sources/raw.yml': `sources:\n  - name: raw\n    topic: ${topic}\n    schema:\n      subject: ${subject}\n`,
      'models/m.yml': `models:
  - name: ${model}
    materialized: flink
    sql: |
      SELECT payment_id, amount_cents, status, merchant.id AS merchant_id, COALESCE(merchant.country, 'unknown') AS country, event_time
      FROM {{ source("raw") }}
      WHERE amount_cents > 0
`,
    });
    cleanupProject(p, [], [`${model}-value`]);
    expect((await p.cli(['schemas', 'pull'])).code).toBe(0);
    const v = await p.cli(['validate']);
    expect(v.code, v.stderr).toBe(0);
    await p.apply();

    const out = await readAvro(model, 2);
    expect(out.map((r) => [r.payment_id, r.amount_cents, r.status, r.merchant_id, r.country]).sort()).toEqual([
      ['p1', 1200, 'CAPTURED', 'm1', 'FR'],
      ['p3', 800, 'AUTHORIZED', null, 'unknown'],
    ]);
    // timestamp-millis → TIMESTAMP(3) → timestamp-millis: the instant survives the round trip;
    // the enum was read through the writer's schema (avro-confluent.schema), as a STRING.
    expect(out.map((r) => r.event_time).sort()).toEqual([1767261600000, 1767261602000]);
    const written = JSON.parse((await registry('GET', `/subjects/${model}-value/versions/latest`)).body.schema);
    expect(written.fields.find((f: any) => f.name === 'event_time').type).toEqual(['null', { type: 'long', logicalType: 'timestamp-millis' }]);
  });
});
