// Continuous tests on the real Flink: the compiled job reports exactly the violating records
// to the violations topic, and its DLQ receives exactly those records, byte for byte. Every
// verdict that compares records (unique_key, foreign_key) is taken on event time, so the set of
// violations is the same however fast or slow Flink reads the two topics.
import { describe, expect, it } from 'vitest';
import { compileContinuousTests, violationsTopic } from '../../src/compile/emitters/continuous.js';
import { parseViolations } from '../../src/datatest/violations.js';
import { decodeRecords } from '../../src/datatest/decode.js';
import { readTopic } from '../../src/adapters/kafka/sample.js';
import { KafkaAdapter } from '../../src/adapters/kafka/client.js';
import { runTests } from '../../src/datatest/runner.js';
import { FlinkAdapter } from '../../src/adapters/flink/client.js';
import { SqlGatewaySession, cancelJobAfterTest, consume, createTopics, produce, stackConfig, uniqueIdentifier, uniqueTopic, waitForJobRunning } from './helpers.js';
import { resolveStackProject } from './datatest-helpers.js';

const ORDER_COLUMNS = `    columns:
      - {name: order_id, type: STRING}
      - {name: customer_id, type: STRING}
      - {name: amount, type: DOUBLE}
      - {name: status, type: STRING}
      - {name: ts, type: TIMESTAMP(3)}
`;

function flinkTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

describe('continuous tests on Flink', () => {
  it('writes exactly the violations, and the DLQ gets exactly the violating records', async () => {
    const project = uniqueIdentifier('dt_cont');
    const orders = uniqueTopic('dt-orders');
    const customers = uniqueTopic('dt-customers');
    const dlq = uniqueTopic('dt-dlq');
    const violations = violationsTopic(project);
    await createTopics([{ topic: orders }, { topic: customers }, { topic: dlq }, { topic: violations }]);
    const resolved = resolveStackProject(project, {
      'sources/s.yml': `sources:
  - name: orders
    topic: ${orders}
    event_time: {column: ts, watermark: {max_out_of_orderness_ms: 1000}}
${ORDER_COLUMNS}  - name: customers
    topic: ${customers}
    columns:
      - {name: customer_id, type: STRING}
`,
      'tests/t.yml': `tests:
  - name: orders_quality
    model: orders
    type: continuous
    assertions:
      - not_null: {columns: [order_id, customer_id]}
      - accepted_values: {column: status, values: [paid, refunded]}
      - range: {column: amount, min: 0, max: 1000}
      - accepted_types: {amount: double}
      - unique_key: {key: order_id, window: "1 hour"}
      - foreign_key: {column: customer_id, ref_model: customers, ref_key: customer_id, window: "1 minute"}
      - max_lag: {column: ts, max_seconds: 3600}
      - custom_sql: {sql: "SELECT COUNT(*) FROM orders WHERE amount = 13", expect: 0}
    on_failure:
      actions:
        - dlq: {topic: ${dlq}}
`,
    });
    const compiled = compileContinuousTests(resolved);
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.flinkJobs).toHaveLength(1);
    const job = compiled.flinkJobs[0]!;

    // Event times: order i at base + i s (the orders' event_time column); customers have no
    // event_time, so their Kafka timestamps are their event times. c2 comes 30 s (event time)
    // after the order that needs it, and is produced after every order: still within the window,
    // so not a violation. The last order (k11), 10 minutes later, moves the watermark past every
    // window; the customers topic then goes idle and stops holding the watermark back.
    const base = Math.floor(Date.now() / 1000) * 1000 - 120_000;
    const at = (s: number) => flinkTime(base + s * 1000);
    const good = (id: string, s: number, extra: Record<string, unknown> = {}) => JSON.stringify({ order_id: id, customer_id: 'c1', amount: 10, status: 'paid', ts: at(s), ...extra });
    const messages = [
      { key: 'k1', value: good('o1', 1) },
      { key: 'k2', value: good('o2', 2, { customer_id: null }) },
      { key: 'k3', value: good('o3', 3, { status: 'lost' }) },
      { key: 'k4', value: good('o4', 4, { amount: 5000 }) },
      { key: 'k5', value: good('o5', 5, { amount: 'abc' }) },
      { key: 'k6', value: good('o1', 6) },
      { key: 'k7', value: good('o7', 7, { customer_id: 'c404' }) },
      { key: 'k8', value: good('o8', 8, { ts: '2020-01-01 00:00:00.000' }) },
      { key: 'k9', value: good('o9', 9, { amount: 13 }) },
      { key: 'k10', value: good('o10', 10, { customer_id: 'c2' }) },
      { key: 'k11', value: good('o11', 600) },
    ];
    await produce(customers, [{ key: 'c1', value: JSON.stringify({ customer_id: 'c1' }), timestamp: String(base) }]);
    await produce(orders, messages);
    await produce(customers, [{ key: 'c2', value: JSON.stringify({ customer_id: 'c2' }), timestamp: String(base + 40_000) }]);

    // Submitted as apply submits any compiled job: the Flink adapter, statement by statement.
    const flink = new FlinkAdapter('local', { rest_url: stackConfig.flink.restUrl, sql_gateway_url: stackConfig.flink.sqlGatewayUrl });
    const jobId = await flink.submit(job.spec, job.spec.statements);
    cancelJobAfterTest(jobId);
    await waitForJobRunning(jobId);

    const expected = [
      ['k2', 'not_null'],
      ['k3', 'accepted_values'],
      ['k4', 'range'],
      ['k5', 'accepted_types'],
      ['k5', 'range'],
      ['k6', 'unique_key'],
      ['k7', 'foreign_key'],
      // k8's event time is in 2020, when no customer existed: an orphan in event time too.
      ['k8', 'foreign_key'],
      ['k8', 'max_lag'],
      ['k9', 'custom_sql'],
    ];
    const got = await consume(violations, expected.length, 240_000);
    const parsed = parseViolations((await decodeRecords(got.map((g) => ({ key: null, value: Buffer.from(g.value ?? ''), timestamp: 0, partition: g.partition, offset: g.offset })), undefined)).records);
    expect(parsed.map((v) => [v.record_key, v.assertion]).sort()).toEqual(expected);
    expect(parsed.every((v) => v.test === 'orders_quality')).toBe(true);
    expect(parsed.find((v) => v.assertion === 'range' && v.record_key === 'k4')!.details).toContain('outside [0, 1000]');

    // k8 twice: once for its per-record violation, once as an orphan (docs/testing.md).
    const dlqRecords = await consume(dlq, 9, 240_000);
    expect(dlqRecords.map((r) => r.key).sort()).toEqual(['k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k8', 'k9']);
    for (const r of dlqRecords) expect(r.value).toBe(messages.find((m) => m.key === r.key)!.value);

    // Nothing else arrives: read everything there is once more, bounded by the end offsets.
    const kafka = new KafkaAdapter(resolved.project.runtime.kafka!);
    try {
      const all = await readTopic(kafka, violations, { from: 'earliest', max: 1000, timeoutMs: 120_000 });
      expect(all.records).toHaveLength(expected.length);
      const allDlq = await readTopic(kafka, dlq, { from: 'earliest', max: 1000, timeoutMs: 120_000 });
      expect(allDlq.records).toHaveLength(9);
    } finally {
      await kafka.close();
    }

    // streamt test reads the violations of the window and the job's health.
    const [result] = await runTests(resolved, resolved.project.tests, { env: {}, sinceMs: 600_000 });
    expect(result).toMatchObject({ test: 'orders_quality', type: 'continuous', status: 'fail', failures: 10, job: { name: job.spec.name, state: 'RUNNING', id: jobId } });
    expect(result!.assertions.map((a) => [a.assertion, a.failures])).toEqual([
      ['not_null', 1], ['accepted_values', 1], ['range', 2], ['accepted_types', 1], ['unique_key', 1], ['foreign_key', 2], ['max_lag', 1], ['custom_sql', 1],
    ]);
    expect(result!.assertions[2]!.examples.map((e) => e.key).sort()).toEqual(['k4', 'k5']);
    expect(result!.actions).toEqual([{ action: 'dlq', status: 'done', message: `the continuous job routes violating records to topic ${dlq}` }]);
  }, 300_000);
});

/** Flink plans the statements (EXPLAIN) without running a job. */
async function explainAll(statements: string[]): Promise<void> {
  const session = await SqlGatewaySession.open();
  for (const s of statements) {
    const last = /^(INSERT|EXECUTE STATEMENT SET)/.test(s);
    const r = await session.execute(last ? `EXPLAIN ${s.replace(/^EXECUTE /, '')}` : s);
    if (last) expect(String(r.rows[0]?.fields[0] ?? '')).toContain('== Optimized Execution Plan ==');
  }
}

describe('continuous tests: every assertion plans on Flink', () => {
  it('aggregates (throughput, distribution), unbounded unique_key, where-form custom_sql on JSON', async () => {
    const resolved = resolveStackProject(uniqueIdentifier('dt_plan'), {
      'sources/s.yml': `sources:\n  - name: orders\n    topic: dt-plan-orders\n${ORDER_COLUMNS}`,
      'tests/t.yml': `tests:
  - name: agg
    model: orders
    type: continuous
    assertions:
      - throughput: {min_per_second: 1, max_per_second: 1000}
      - distribution: {column: status, buckets: [{value: paid, min_ratio: 0.5}, {min: 0, max: 100, max_ratio: 0.9}]}
      - unique_key: {key: [order_id, customer_id]}
      - max_lag: {max_seconds: 90000}
      - custom_sql: {where: "amount > 100 AND status = 'paid'", detail_column: amount}
`,
    });
    const compiled = compileContinuousTests(resolved);
    expect(compiled.diagnostics).toEqual([]);
    await explainAll(compiled.flinkJobs[0]!.spec.statements);
  }, 120_000);

  it('reads Avro topics through the registry, with an Avro DLQ', async () => {
    const resolved = resolveStackProject(
      uniqueIdentifier('dt_plan_avro'),
      {
        // With an event_time column: the typed Avro rowtime, its watermark and event-time windows.
      'sources/s.yml': `sources:\n  - name: orders\n    topic: dt-plan-avro\n    schema: {format: avro}\n    event_time: {column: ts}\n${ORDER_COLUMNS}`,
        'tests/t.yml': `tests:
  - name: avro_quality
    model: orders
    type: continuous
    assertions:
      - not_null: {columns: [order_id]}
      - range: {column: amount, min: 0}
      - max_lag: {column: ts, max_seconds: 60}
      - unique_key: {key: order_id, window: "1 hour"}
      - throughput: {max_per_second: 100}
    on_failure:
      actions:
        - dlq: {topic: dt-plan-avro-dlq}
`,
      },
      true,
    );
    const compiled = compileContinuousTests(resolved);
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.flinkJobs[0]!.spec.statements.join('\n')).toContain("'value.format' = 'avro-confluent'");
    await explainAll(compiled.flinkJobs[0]!.spec.statements);
  }, 120_000);
});
