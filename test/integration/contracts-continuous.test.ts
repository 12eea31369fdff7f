/**
 * A continuous `schema` assertion on the real Flink (issue 12; docs/testing.md#assertions): the
 * compiled job reads a JSON topic whose columns come from the source's JSON Schema and reports,
 * per record, what Flink's json format would not read into the declared types, naming the field.
 */
import { describe, expect, it } from 'vitest';
import { compileContinuousTests, violationsTopic } from '../../src/compile/emitters/continuous.js';
import { parseViolations } from '../../src/datatest/violations.js';
import { decodeRecords } from '../../src/datatest/decode.js';
import { FlinkAdapter } from '../../src/adapters/flink/client.js';
import { cancelJobAfterTest, consume, createTopics, produce, stackConfig, uniqueIdentifier, uniqueTopic, waitForJobRunning } from './helpers.js';
import { resolveStackProject } from './datatest-helpers.js';

const SCHEMA = JSON.stringify({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  required: ['order_id', 'amount'],
  properties: {
    order_id: { type: 'string' },
    amount: { type: 'number' },
    qty: { type: 'integer' },
    paid: { type: 'boolean' },
    at: { type: 'string', format: 'date-time' },
    customer: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, zip: { type: 'integer' } } },
    tags: { type: 'array', items: { type: 'string' } },
  },
});

describe('continuous schema assertion on Flink', () => {
  it('reports each record that does not read into the declared types, naming the field', async () => {
    const project = uniqueIdentifier('ct_schema');
    const orders = uniqueTopic('ct-schema-orders');
    const violations = violationsTopic(project);
    await createTopics([{ topic: orders }, { topic: violations }]);
    const resolved = resolveStackProject(project, {
      'sources/s.yml': `sources:\n  - name: orders\n    topic: ${orders}\n    schema:\n      format: json\n      definition: '${SCHEMA}'\n`,
      'tests/t.yml': 'tests:\n  - name: orders_schema\n    model: orders\n    type: continuous\n    assertions:\n      - schema: {}\n',
    });
    const compiled = compileContinuousTests(resolved);
    expect(compiled.diagnostics).toEqual([]);
    const job = compiled.flinkJobs[0]!;

    const good = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ order_id: id, amount: 10.5, qty: 2, paid: true, at: '2025-01-01T10:00:00Z', customer: { id: 'c1', zip: 75001 }, tags: ['a'], ...extra });
    const messages = [
      { key: 'k1', value: good('o1') },
      { key: 'k2', value: good('o2', { amount: 'abc' }) },
      { key: 'k3', value: JSON.stringify({ order_id: 'o3', qty: 1 }) },
      { key: 'k4', value: good('o4', { customer: { zip: 'x' } }) },
      { key: 'k5', value: good('o5', { tags: 'a' }) },
      { key: 'k6', value: good('o6', { at: 'yesterday' }) },
      { key: 'k7', value: 'not json' },
      { key: 'k8', value: good('o8', { qty: '3', at: '2025-01-01 10:00:00' }) },
      { key: 'k9', value: good('o9', { customer: null, tags: null, paid: null }) },
      // Last, on the topic's one partition: the job's single per-record query reports in offset
      // order, so once k10 is reported, k8 and k9 (which follow the schema) would have been too.
      { key: 'k10', value: JSON.stringify({ order_id: 'o10', amount: 1, paid: 'maybe' }) },
    ];
    await produce(orders, messages);

    const flink = new FlinkAdapter('local', { rest_url: stackConfig.flink.restUrl, sql_gateway_url: stackConfig.flink.sqlGatewayUrl });
    const jobId = await flink.submit(job.spec, job.spec.statements);
    cancelJobAfterTest(jobId);
    await waitForJobRunning(jobId);

    const expected: [string, string][] = [
      ['k2', 'amount = abc does not read as DOUBLE'],
      ['k3', 'amount is missing or null (declared DOUBLE NOT NULL)'],
      // The nested field is checked in the row; its `required` is not NOT NULL in the derived
      // ROW<`id` STRING, `zip` BIGINT> (docs/schemas.md#json-schema-json), so only zip is wrong.
      ['k4', 'customer.zip = x does not read as BIGINT'],
      ['k5', 'tags = a is not an array (declared ARRAY<STRING>)'],
      ['k6', 'at = yesterday does not read as TIMESTAMP_LTZ(3)'],
      ['k7', 'the value is not a JSON object'],
      ['k10', 'paid = maybe does not read as BOOLEAN'],
    ];
    const got = await consume(violations, expected.length, 240_000);
    const parsed = parseViolations((await decodeRecords(got.map((g) => ({ key: null, value: Buffer.from(g.value ?? ''), timestamp: 0, partition: g.partition, offset: g.offset })), undefined)).records);
    expect(parsed.map((v) => [v.record_key, v.details])).toEqual(expected);
    expect(parsed.every((v) => v.test === 'orders_schema' && v.assertion === 'schema')).toBe(true);
  });
});
