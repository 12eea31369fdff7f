// Sample tests on the real Kafka: for each assertion, records that pass and records that fail
// are produced, and exactly the failing records are reported. Also: Avro through the registry,
// the CLI end to end (run_results.json, exit code), the alert webhook and pause_model.
import { createServer, type IncomingMessage } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { KafkaAdapter } from '../../src/adapters/kafka/client.js';
import { readTopic } from '../../src/adapters/kafka/sample.js';
import { runTests } from '../../src/datatest/runner.js';
import { ApplyLease, leaseHolder, readLease } from '../../src/apply/lease.js';
import { leaseLog, liveSystems, underApplyLease } from '../../src/apply/workflow.js';
import { leasePrefix } from '../../src/adapters/kafka/record.js';
import { FlinkAdapter } from '../../src/adapters/flink/client.js';
import type { TestResult } from '../../src/datatest/types.js';
import { run } from '../../src/cli/main.js';
import { writeProject } from '../helpers/project.js';
import {
  SqlGatewaySession,
  cancelFlinkJob,
  createTopics,
  deleteSubjectAfterTest,
  eventually,
  flinkJob,
  httpOk,
  kafkaClient,
  onCleanup,
  registry,
  stackConfig,
  uniqueIdentifier,
  uniqueTopic,
  waitForJobRunning,
} from './helpers.js';
import { resolveStackProject, stackRuntime } from './datatest-helpers.js';

const T = Date.now() - 60_000;
const flinkTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

async function produceAt(topic: string, messages: { key: string; value: string | Buffer; timestamp: number }[]): Promise<void> {
  const producer = kafkaClient().producer();
  await producer.connect();
  try {
    await producer.send({ topic, messages: messages.map((m) => ({ key: m.key, value: m.value, timestamp: String(m.timestamp) })) });
  } finally {
    await producer.disconnect();
  }
}

/** Ten orders one second apart; k2..k9 each break something. */
function orders(): { key: string; value: string; timestamp: number }[] {
  const good = (id: string, extra: Record<string, unknown> = {}) => JSON.stringify({ order_id: id, customer_id: 'c1', amount: 10, status: 'paid', ts: flinkTime(Date.now()), ...extra });
  const values = [
    good('o1'),
    good('o2', { customer_id: null }),
    good('o3', { status: 'lost' }),
    good('o4', { amount: 5000 }),
    good('o5', { amount: 'abc' }),
    good('o1'),
    good('o7', { customer_id: 'c404' }),
    good('o8', { ts: '2020-01-01 00:00:00.000' }),
    good('o9', { amount: 13 }),
    good('o10'),
  ];
  return values.map((value, i) => ({ key: `k${i + 1}`, value, timestamp: T + i * 1000 }));
}

const SOURCES = (ordersTopic: string, customersTopic: string) => `sources:
  - name: orders
    topic: ${ordersTopic}
    columns:
      - {name: order_id, type: STRING}
      - {name: customer_id, type: STRING}
      - {name: amount, type: DOUBLE}
      - {name: status, type: STRING}
      - {name: ts, type: TIMESTAMP(3)}
  - name: customers
    topic: ${customersTopic}
    columns:
      - {name: customer_id, type: STRING}
`;

const keysOf = (r: TestResult, i = 0) => r.assertions[i]!.examples.map((e) => e.key);

describe('sample tests on Kafka', () => {
  it('report exactly the failing records for each assertion', async () => {
    const ordersTopic = uniqueTopic('dt-s-orders');
    const customersTopic = uniqueTopic('dt-s-customers');
    await createTopics([{ topic: ordersTopic }, { topic: customersTopic }]);
    await produceAt(customersTopic, [{ key: 'c1', value: JSON.stringify({ customer_id: 'c1' }), timestamp: T }]);
    await produceAt(ordersTopic, orders());
    const t = (name: string, assertion: string) => `  - name: ${name}\n    model: orders\n    type: sample\n    sample_size: 100\n    timeout: 20s\n    assertions:\n      - ${assertion}\n`;
    const resolved = resolveStackProject(uniqueIdentifier('dt_sample'), {
      'sources/s.yml': SOURCES(ordersTopic, customersTopic),
      'tests/t.yml':
        'tests:\n' +
        [
          t('nn', 'not_null: {columns: [order_id, customer_id]}'),
          t('nn_ok', 'not_null: {columns: [order_id]}'),
          t('av', 'accepted_values: {column: status, values: [paid, refunded]}'),
          t('av_ok', 'accepted_values: {column: status, values: [paid, refunded, lost]}'),
          t('rg', 'range: {column: amount, min: 0, max: 1000}'),
          t('ty', 'accepted_types: {amount: double}'),
          t('ty_ok', 'accepted_types: {order_id: string, customer_id: string}'),
          t('uk', 'unique_key: {key: order_id, window: "1 hour"}'),
          t('uk_ok', 'unique_key: {key: order_id, window: "4 seconds"}'),
          t('fk', 'foreign_key: {column: customer_id, ref_model: customers}'),
          t('lag', 'max_lag: {column: ts, max_seconds: 3600}'),
          t('lag_ok', 'max_lag: {column: ts, max_seconds: 400000000}'),
          t('tp', 'throughput: {min_per_second: 2}'),
          t('tp_ok', 'throughput: {min_per_second: 0.5, max_per_second: 2}'),
          t('dist', 'distribution: {column: status, buckets: [{value: paid, min_ratio: 0.95}]}'),
          t('dist_ok', 'distribution: {column: status, buckets: [{value: paid, min_ratio: 0.8}, {value: lost, max_ratio: 0.1}]}'),
          t('sql', 'custom_sql: {sql: "SELECT COUNT(*) FROM orders WHERE amount = 13", expect: 0}'),
        ].join(''),
    });
    const results = await runTests(resolved, resolved.project.tests, { env: {} });
    const by = new Map(results.map((r) => [r.test, r]));
    const r = (name: string) => by.get(name)!;
    for (const name of ['nn_ok', 'av_ok', 'ty_ok', 'uk_ok', 'lag_ok', 'tp_ok', 'dist_ok']) expect([name, r(name).status, r(name).checked]).toEqual([name, 'pass', 10]);
    expect(r('nn')).toMatchObject({ status: 'fail', failures: 1 });
    expect(keysOf(r('nn'))).toEqual(['k2']);
    expect(keysOf(r('av'))).toEqual(['k3']);
    expect(keysOf(r('rg'))).toEqual(['k4', 'k5']);
    expect(r('rg').failures).toBe(2);
    expect(keysOf(r('ty'))).toEqual(['k5']);
    expect(keysOf(r('uk'))).toEqual(['k6']);
    expect(keysOf(r('fk'))).toEqual(['k7']);
    expect(keysOf(r('lag'))).toEqual(['k8']);
    expect(r('tp')).toMatchObject({ status: 'fail', failures: 1 });
    expect(r('tp').message).toContain('1.00 records/s');
    expect(r('dist')).toMatchObject({ status: 'fail', failures: 1 });
    expect(r('dist').message).toContain('=\"paid\": 90.0%');
    expect(r('sql').status).toBe('skipped');
    // The oldest 3 only, when asked.
    const oldest = await runTests(resolved, [{ ...resolved.project.tests.find((x) => x.name === 'nn')!, sampleSize: 3 }], { env: {}, sampleFrom: 'earliest' });
    expect(keysOf(oldest[0]!)).toEqual(['k2']);
    expect(oldest[0]!.checked).toBe(3);
    const newest = await runTests(resolved, [{ ...resolved.project.tests.find((x) => x.name === 'nn')!, sampleSize: 3 }], { env: {} });
    expect(newest[0]).toMatchObject({ status: 'pass', checked: 3 });
  }, 180_000);

  it('decodes Avro values through the registry (Confluent wire format)', async () => {
    const topic = uniqueTopic('dt-s-avro');
    const subject = `${topic}-value`;
    await createTopics([{ topic }]);
    deleteSubjectAfterTest(subject);
    const schema = { type: 'record', name: 'Order', fields: [{ name: 'order_id', type: 'string' }, { name: 'amount', type: 'double' }, { name: 'note', type: ['null', 'string'], default: null }] };
    const reg = await registry('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(schema) });
    expect(reg.status).toBe(200);
    const id = reg.body.id as number;
    const avsc = (await import('avsc')).default;
    const type = avsc.Type.forSchema(schema as never, { wrapUnions: false });
    const wire = (v: unknown) => {
      const header = Buffer.alloc(5);
      header.writeInt32BE(id, 1);
      return Buffer.concat([header, type.toBuffer(v)]);
    };
    await produceAt(topic, [
      { key: 'a', value: wire({ order_id: 'o1', amount: 5, note: null }), timestamp: T },
      { key: 'b', value: wire({ order_id: 'o2', amount: -5, note: 'x' }), timestamp: T + 1 },
      { key: 'c', value: Buffer.from('not avro, not json'), timestamp: T + 2 },
    ]);
    const resolved = resolveStackProject(
      uniqueIdentifier('dt_avro'),
      {
        'sources/s.yml': `sources:\n  - name: o\n    topic: ${topic}\n    schema: {format: avro}\n    columns:\n      - {name: order_id, type: STRING}\n      - {name: amount, type: DOUBLE}\n      - {name: note, type: STRING}\n`,
        'tests/t.yml': 'tests:\n  - name: avro_range\n    model: o\n    type: sample\n    assertions:\n      - range: {column: amount, min: 0}\n  - name: avro_schema\n    model: o\n    type: schema\n    assertions:\n      - accepted_types: {amount: double, order_id: string}\n  - name: avro_schema_bad\n    model: o\n    type: schema\n    assertions:\n      - accepted_types: {amount: int}\n',
      },
      true,
    );
    const results = await runTests(resolved, resolved.project.tests, { env: {} });
    const by = new Map(results.map((r) => [r.test, r]));
    const range = by.get('avro_range')!;
    expect(range.status).toBe('fail');
    expect(range.assertions[0]!.examples.map((e) => e.key)).toEqual(['b']);
    expect(range.assertions.find((a) => a.assertion === 'decode')).toMatchObject({ failures: 1, examples: [{ offset: '2' }] });
    expect(by.get('avro_schema')).toMatchObject({ status: 'pass' });
    expect(by.get('avro_schema')!.assertions.find((a) => a.assertion === 'registry')).toMatchObject({ status: 'pass' });
    const bad = by.get('avro_schema_bad')!;
    expect(bad.status).toBe('fail');
    expect(bad.assertions.find((a) => a.assertion === 'registry')!.message).toContain('accepted_types says int');
  }, 120_000);
});

describe('streamt test (CLI) with on_failure actions', () => {
  it('writes run_results.json, exits 1 on an error-severity failure, and posts the alert', async () => {
    const ordersTopic = uniqueTopic('dt-cli-orders');
    const customersTopic = uniqueTopic('dt-cli-customers');
    await createTopics([{ topic: ordersTopic }, { topic: customersTopic }]);
    await produceAt(ordersTopic, orders());
    const received: { body: any; url: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ url: req.url ?? '', body: JSON.parse(data) });
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onCleanup('close webhook receiver', () => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as AddressInfo).port;
    const root = writeProject({
      'stream_project.yml': `project:\n  name: ${uniqueIdentifier('dt_cli')}\n${stackRuntime()}`,
      'sources/s.yml': SOURCES(ordersTopic, customersTopic),
      'tests/t.yml': `tests:
  - name: statuses
    model: orders
    type: sample
    assertions:
      - accepted_values: {column: status, values: [paid]}
    on_failure:
      actions:
        - alert: {webhook: "http://127.0.0.1:${port}/hooks/T000/secret"}
        - block_deploy: true
  - name: amounts_warn
    model: orders
    type: sample
    severity: warn
    assertions:
      - range: {column: amount, min: 0, max: 1000}
  - name: declared
    model: orders
    type: schema
    assertions:
      - not_null: {columns: [order_id]}
  - name: sql_only
    model: orders
    type: sample
    assertions:
      - custom_sql: {where: "amount < 0"}
`,
    });
    const chunks = { out: '', err: '' };
    const io = { stdout: { write: (s: string) => ((chunks.out += s), true) }, stderr: { write: (s: string) => ((chunks.err += s), true) }, env: {} } as never;
    const code = await run(['test', '-p', root, '--format', 'json'], io);
    expect(code).toBe(1);
    const printed = JSON.parse(chunks.out);
    const file = JSON.parse(readFileSync(`${root}/generated/run_results.json`, 'utf8'));
    expect(file.results).toEqual(printed.results);
    const statuses = Object.fromEntries(file.results.map((r: any) => [r.test, [r.status, r.failures]]));
    // The schema test also checks the records against the JSON Schema of the declared columns: o5's amount is "abc".
    expect(statuses).toEqual({ statuses: ['fail', 1], amounts_warn: ['warn', 2], declared: ['fail', 1], sql_only: ['skipped', 0] });
    const records = file.results.find((r: any) => r.test === 'declared').assertions.find((a: any) => a.assertion === 'records');
    expect(records).toMatchObject({ status: 'fail', checked: 10, failures: 1 });
    expect(records.examples.map((e: any) => [e.key, e.column, e.reason])).toEqual([['k5', 'amount', 'amount must be number,null']]);
    const statusesResult = file.results.find((r: any) => r.test === 'statuses');
    expect(statusesResult.blocks_deploy).toBe(true);
    expect(statusesResult.actions.map((a: any) => [a.action, a.status])).toEqual([['alert', 'done'], ['block_deploy', 'done']]);
    expect(statusesResult.actions[0].message).not.toContain('secret');
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe('/hooks/T000/secret');
    expect(received[0]!.body).toMatchObject({ test: 'statuses', status: 'fail', failures: 1, target: 'orders' });
    expect(received[0]!.body.text).toContain('statuses');
    expect(received[0]!.body.text).toContain('key k3');
    const { deployBlockers } = await import('../../src/datatest/actions.js');
    expect(deployBlockers(file).map((b) => b.test)).toEqual(['statuses']);

    // Selecting the warn-only test: exit 0; the text report shows it.
    chunks.out = '';
    expect(await run(['test', '-p', root, '--select', 'amounts_warn'], io)).toBe(0);
    expect(chunks.out).toMatch(/WARN\s+amounts_warn/);
  }, 180_000);

  it('pause_model stops the model job with a savepoint', async () => {
    const project = uniqueIdentifier('dt_pause');
    const input = uniqueTopic('dt-p-in');
    const output = uniqueTopic('dt-p-out');
    await createTopics([{ topic: input }, { topic: output }]);
    await produceAt(input, [{ key: 'a', value: JSON.stringify({ id: 'a', amount: -1 }), timestamp: T }]);
    const boot = stackConfig.kafka.bootstrapServers;
    const session = await SqlGatewaySession.open();
    const statements = [
      `SET 'pipeline.name' = 'streamt.${project}.clean'`,
      `CREATE TEMPORARY TABLE src (id STRING, amount DOUBLE) WITH ('connector' = 'kafka', 'topic' = '${input}', 'properties.bootstrap.servers' = '${boot}', 'properties.group.id' = '${project}', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json')`,
      `CREATE TEMPORARY TABLE snk (id STRING, amount DOUBLE) WITH ('connector' = 'kafka', 'topic' = '${output}', 'properties.bootstrap.servers' = '${boot}', 'format' = 'json')`,
      'INSERT INTO snk SELECT id, amount FROM src',
    ];
    for (const st of statements.slice(0, -1)) await session.execute(st);
    const insert = await session.execute(statements.at(-1)!);
    // Cancelled after the test unless pause_model already stopped it.
    onCleanup(`cancel job ${insert.jobID}`, async () => {
      if ((await flinkJob(insert.jobID!)).state === 'RUNNING') await cancelFlinkJob(insert.jobID!);
    });
    await waitForJobRunning(insert.jobID!);
    await eventually('the job to write its record', async () => {
      const kafka = new KafkaAdapter({ bootstrap_servers: boot });
      const r = await readTopic(kafka, output, { from: 'earliest', max: 1, timeoutMs: 30_000 }).finally(() => kafka.close());
      return r.records.length === 1;
    });
    const resolved = resolveStackProject(project, {
      'sources/s.yml': `sources:\n  - name: raw\n    topic: ${input}\n    columns:\n      - {name: id, type: STRING}\n      - {name: amount, type: DOUBLE}\n`,
      'models/m.yml': `models:\n  - name: clean\n    topic: {name: ${output}}\n    materialized: flink\n    sql: SELECT id, amount FROM {{ source("raw") }}\n`,
      'tests/t.yml': 'tests:\n  - name: positive\n    model: clean\n    type: sample\n    assertions:\n      - range: {column: amount, min: 0}\n    on_failure:\n      actions:\n        - pause_model: true\n',
    });
    // An apply of the project holds the lease: pause_model waits for it, then refuses naming it,
    // and the job is left running (it never races an apply that may be replacing that job).
    const live = liveSystems(resolved.project);
    const underLease = <T>(change: () => Promise<T>) => underApplyLease(live, resolved.project, { holder: { user: 'tester', host: 'ci', pid: 1, command: 'streamt test' }, streamtVersion: 'test', timeoutMs: 3_000 }, change);
    const applying = await ApplyLease.acquire(leaseLog(live), { prefix: leasePrefix(project, null), project, environment: null, holder: { user: 'alice', host: 'laptop', pid: 4242, command: 'streamt apply' }, streamtVersion: 'test', timeoutMs: 0 });
    try {
      const [held] = await runTests(resolved, resolved.project.tests, { env: {}, underLease });
      expect(held).toMatchObject({ status: 'fail', failures: 1 });
      expect(held!.actions[0]).toMatchObject({ action: 'pause_model', status: 'failed' });
      expect(held!.actions[0]!.message).toMatch(/did not pause .*holds the apply lease \(alice@laptop, pid 4242, `streamt apply`/);
      expect((await flinkJob(insert.jobID!)).state).toBe('RUNNING');
    } finally {
      await applying.release();
    }
    // The apply has finished: pause_model takes the lease itself, stops the job, releases it.
    const [result] = await runTests(resolved, resolved.project.tests, { env: {}, underLease });
    expect(result).toMatchObject({ status: 'fail', failures: 1 });
    expect(result!.actions).toHaveLength(1);
    expect(result!.actions[0]).toMatchObject({ action: 'pause_model', status: 'done' });
    expect(leaseHolder(await readLease(leaseLog(live), leasePrefix(project, null)), Date.now())).toBeUndefined();
    await live.close();
    const location = /savepoint (\S+);/.exec(result!.actions[0]!.message)![1]!;
    expect(existsSync(fileURLToPath(location.startsWith('file:') ? location : `file://${location}`))).toBe(true);
    const job = await flinkJob(insert.jobID!);
    expect(job.state).toBe('FINISHED');
    // And the job resumes from that savepoint the way apply submits jobs (the Flink adapter).
    const flink = new FlinkAdapter('local', { rest_url: stackConfig.flink.restUrl, sql_gateway_url: stackConfig.flink.sqlGatewayUrl });
    const resumed = await flink.submit({ name: `streamt.${project}.clean` } as never, statements, location);
    onCleanup(`cancel job ${resumed}`, () => flink.cancel(resumed));
    await flink.waitRunning(resumed);
    const checkpointed = await httpOk('GET', `${stackConfig.flink.restUrl}/jobs/${resumed}/checkpoints`);
    expect(checkpointed.latest?.restored?.external_path).toBe(location);
  }, 180_000);
});
