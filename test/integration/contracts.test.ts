/**
 * Contracts and versions on the real stack (issue 12; docs/schemas.md): Avro records registered
 * by a producer flow through two versions of one model running side by side (v1 into an Avro
 * topic read back through Apicurio, v2 into a JSON topic whose JSON Schema streamt registered);
 * an exposure's contract sets the compatibility of the subject it reads; an incompatible change
 * of v1's output is blocked by the registry's verdict, naming the exposure that reads it; a
 * schema test finds the records that do not follow the declared schema.
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { consume, createTopics, deleteSubjectAfterTest, deleteTopics, eventually, kafkaClient, onCleanup, registry, uniqueName } from './helpers.js';
import { cleanupProject, letters, runtimeYaml, TestProject } from './plan-helpers.js';

async function readAvro(topic: string, count: number): Promise<Record<string, unknown>[]> {
  const consumer = kafkaClient().consumer({ groupId: uniqueName('it-contracts') });
  const raw: Buffer[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void (message.value && raw.push(message.value)) });
    await eventually(`${count} records in ${topic}`, async () => raw.length >= count, 240_000);
  } finally {
    await consumer.disconnect();
  }
  const out: Record<string, unknown>[] = [];
  for (const v of raw) {
    expect(v[0]).toBe(0); // the Confluent wire format
    const id = v.readInt32BE(1);
    const type = avro.Type.forSchema(JSON.parse((await registry('GET', `/schemas/ids/${id}`)).body.schema), { wrapUnions: false });
    out.push(JSON.parse(JSON.stringify(type.fromBuffer(v.subarray(5)))));
  }
  return out;
}

const PAYMENT = {
  type: 'record',
  name: 'Payment',
  namespace: 'contracts',
  fields: [
    { name: 'payment_id', type: 'string' },
    { name: 'amount_cents', type: 'long' },
    { name: 'status', type: 'string' },
  ],
};

describe('contracts and versions on the stack', () => {
  it('runs v1 (Avro) and v2 (JSON Schema) side by side, blocks an incompatible v1 change naming its reader, and a schema test finds bad records', async () => {
    const sfx = letters();
    const topic = `it.ct.pay.${sfx}`;
    const audit = `it.ct.audit.${sfx}`;
    const subject = `${topic}-value`;
    const model = `clean_${sfx}`;
    const [v1Topic, v2Topic] = [`${model}.v1`, `${model}.v2`];
    deleteSubjectAfterTest(subject);
    await createTopics([{ topic }, { topic: audit }]);
    onCleanup('delete the audit topic', () => deleteTopics([audit]));

    // The producer registers its schema and writes Avro records in the Confluent wire format.
    const reg = await registry('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: JSON.stringify(PAYMENT) });
    expect(reg.status).toBe(200);
    const type = avro.Type.forSchema(PAYMENT as avro.Schema);
    const wire = (id: number, payload: Buffer) => {
      const h = Buffer.alloc(5);
      h.writeInt32BE(id, 1);
      return Buffer.concat([h, payload]);
    };
    const rows = [
      { payment_id: 'p1', amount_cents: 1200, status: 'CAPTURED' },
      { payment_id: 'p2', amount_cents: 0, status: 'DECLINED' },
      { payment_id: 'p3', amount_cents: 800, status: 'AUTHORIZED' },
    ];
    const producer = kafkaClient().producer();
    await producer.connect();
    await producer.send({ topic, messages: rows.map((r) => ({ key: r.payment_id, value: wire(reg.body.id, type.toBuffer(r)) })) });
    await producer.disconnect();

    const modelsYaml = (v1Amount: string) => `models:
  - name: ${model}
    version: 1
    deprecation_date: "2030-01-31"
    materialized: flink
    sql: SELECT payment_id, ${v1Amount} AS amount_cents FROM {{ source("raw") }} WHERE amount_cents > 0
  - name: ${model}
    version: 2
    output_format: json
    materialized: flink
    contract: {enforced: true}
    columns:
      - {name: payment_id, type: STRING}
      - {name: amount_cents, type: BIGINT}
      - {name: status, type: STRING}
    sql: SELECT payment_id, amount_cents, status FROM {{ source("raw") }} WHERE amount_cents > 0
`;
    const p = new TestProject(`it_${sfx}`, {
      'stream_project.yml': `project:\n  name: it_${sfx}\n${runtimeYaml()}`,
      'sources/raw.yml': `sources:\n  - name: raw\n    topic: ${topic}\n    schema:\n      subject: ${subject}\n  - name: audit\n    topic: ${audit}\n    schema:\n      subject: ${subject}\n`,
      'models/m.yml': modelsYaml('amount_cents'),
      'exposures/e.yml': `exposures:
  - name: legacy_${sfx}
    type: application
    consumes: [{ref: ${model}_v1}]
    contracts: {versioning: backward}
  - name: app_${sfx}
    type: application
    consumes: [{ref: ${model}}]
    contracts: {schema: strict, versioning: backward}
`,
      'tests/t.yml': `tests:\n  - name: audit_records_${sfx}\n    model: audit\n    type: schema\n    sample_size: 10\n    timeout: 60s\n    assertions: []\n  - name: v1_records_${sfx}\n    model: ${model}_v1\n    type: schema\n    assertions: []\n`,
    });
    cleanupProject(p, [], [`${v1Topic}-value`, `${v2Topic}-value`]);
    expect((await p.cli(['schemas', 'pull'])).code).toBe(0);
    const v = await p.cli(['validate']);
    expect(v.code, v.stderr).toBe(0);

    const lineage = await p.cli(['lineage']);
    expect(lineage.stdout).toContain(`${model}_v1 (model:flink, v1, deprecated 2030-01-31)`);
    const plan = await p.planJson();
    const v1Change = plan.changes.find((c: any) => c.owner === `model.${model}_v1` && c.warnings?.length);
    expect(v1Change.warnings).toEqual([`model ${model}_v1 (version 1 of ${model}) is deprecated from 2030-01-31; still read by exposure legacy_${sfx}`]);
    await p.apply();

    // Two versions side by side: two jobs, two topics, records checked in both.
    const v1 = await readAvro(v1Topic, 2);
    expect(v1.map((r) => [r.payment_id, r.amount_cents]).sort()).toEqual([
      ['p1', 1200],
      ['p3', 800],
    ]);
    const v2 = (await consume(v2Topic, 2)).map((r) => JSON.parse(r.value!));
    expect(v2.map((r) => [r.payment_id, r.amount_cents, r.status]).sort()).toEqual([
      ['p1', 1200, 'CAPTURED'],
      ['p3', 800, 'AUTHORIZED'],
    ]);
    // The registry holds what streamt derived: Avro for v1, a JSON Schema for v2, with the levels the exposures asked.
    const v1Subject = (await registry('GET', `/subjects/${v1Topic}-value/versions/latest`)).body;
    expect((v1Subject.schemaType ?? 'AVRO')).toBe('AVRO');
    const v2Subject = (await registry('GET', `/subjects/${v2Topic}-value/versions/latest`)).body;
    expect(v2Subject.schemaType).toBe('JSON');
    expect(JSON.parse(v2Subject.schema).properties.amount_cents).toEqual({ type: ['integer', 'null'] });
    expect((await registry('GET', `/config/${v1Topic}-value`)).body.compatibilityLevel).toBe('BACKWARD');
    expect((await registry('GET', `/config/${v2Topic}-value`)).body.compatibilityLevel).toBe('BACKWARD_TRANSITIVE');
    expect((await p.planJson()).summary).toMatchObject({ create: 0, update: 0, replace: 0, blocked: 0 });

    // An incompatible change of v1's output (a long becomes a string) is blocked by the registry's verdict, naming who reads v1.
    p.write({ 'models/m.yml': modelsYaml('CAST(amount_cents AS STRING)') });
    const blockedPlan = await p.cli(['plan']);
    expect(blockedPlan.code).toBe(1);
    const planJson = await p.planJson();
    const blocked = planJson.changes.find((c: any) => c.addr === `sr.subject.${v1Topic}-value`);
    expect(blocked.blocked.code).toBe('PLAN_SCHEMA_INCOMPATIBLE');
    expect(blocked.blocked.message).toContain(`under BACKWARD compatibility`);
    expect(blocked.blocked.message).toContain(`read by exposure legacy_${sfx}`);
    expect(blocked.blocked.hint).toContain('new version');
    expect(blockedPlan.stdout + blockedPlan.stderr).toContain(`read by exposure legacy_${sfx}`);
    p.write({ 'models/m.yml': modelsYaml('amount_cents') });

    // Schema tests: good records pass; a record in another schema and one not in the wire format are reported with their fields.
    const other = { ...PAYMENT, fields: [PAYMENT.fields[0], { name: 'amount_cents', type: 'string' }, PAYMENT.fields[2]] };
    const otherSubject = `${audit}-other-value`;
    deleteSubjectAfterTest(otherSubject);
    const otherId = (await registry('POST', `/subjects/${encodeURIComponent(otherSubject)}/versions`, { schema: JSON.stringify(other) })).body.id;
    const p2 = kafkaClient().producer();
    await p2.connect();
    await p2.send({
      topic: audit,
      messages: [
        { key: 'ok', value: wire(reg.body.id, type.toBuffer(rows[0])) },
        { key: 'retyped', value: wire(otherId, avro.Type.forSchema(other as avro.Schema).toBuffer({ payment_id: 'x', amount_cents: 'lots', status: 'S' })) },
        { key: 'json', value: Buffer.from('{"payment_id":"y"}') },
      ],
    });
    await p2.disconnect();
    const t = await p.cli(['test', '--format', 'json']);
    const results = JSON.parse(t.stdout).results as any[];
    const auditResult = results.find((r) => r.test === `audit_records_${sfx}`);
    expect(auditResult.status).toBe('fail');
    const records = auditResult.assertions.find((a: any) => a.assertion === 'records');
    expect(records).toMatchObject({ status: 'fail', checked: 3, failures: 2 });
    expect(records.examples.map((e: any) => e.key)).toEqual(['retyped', 'json']);
    expect(records.examples[0].reason).toMatch(new RegExp(`^written with schema id ${otherId}, which the declared schema cannot read: .*\\(fields amount_cents\\)$`));
    expect(records.examples[1].reason).toContain('not in the Confluent wire format');
    const v1Result = results.find((r) => r.test === `v1_records_${sfx}`);
    expect(v1Result.assertions.find((a: any) => a.assertion === 'records')).toMatchObject({ status: 'pass', checked: 2, failures: 0 });
  });
});
