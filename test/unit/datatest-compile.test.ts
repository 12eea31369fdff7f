import { describe, expect, it } from 'vitest';
import { alertBody, alertTarget, deployBlockers, redactUrl, sendAlert } from '../../src/datatest/actions.js';
import { compileContinuousTests, customCondition, intervalMs, violationsTopic } from '../../src/compile/emitters/continuous.js';
import { evaluateSample } from '../../src/datatest/evaluate.js';
import { buildRunResults, runFailed } from '../../src/datatest/run-results.js';
import { evaluateSchemaTest } from '../../src/datatest/schema-test.js';
import type { TestResult } from '../../src/datatest/types.js';
import { continuousResult, parseViolations } from '../../src/datatest/violations.js';
import { PROJECT, SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const MODEL = 'models:\n  - name: m\n    sql: SELECT order_id, customer_id, amount, status FROM {{ source("orders_raw") }}\n';
function project(tests: string, extra: Record<string, string> = {}) {
  const { resolved, diagnostics } = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': MODEL, 'tests/t.yml': `tests:\n${tests}`, ...extra });
  if (!resolved) throw new Error(JSON.stringify(diagnostics));
  return resolved;
}
const test = (type: string, assertions: string, more = '') => `  - name: t\n    model: m\n    type: ${type}\n${more}    assertions:\n${assertions}`;

describe('compileContinuousTests', () => {
  it('compiles one job per continuous test, and the violations topic', () => {
    const r = project(test('continuous', '      - not_null: {columns: [order_id]}\n      - range: {column: amount, min: 0}\n') + '  - name: s\n    model: m\n    type: sample\n    assertions:\n      - not_null: {columns: [order_id]}\n');
    const out = compileContinuousTests(r);
    expect(out.diagnostics).toEqual([]);
    expect(out.flinkJobs.map((j) => [j.addr, j.owner, j.file, j.spec.name])).toEqual([['flink.job.test.t', 'test.t', 'flink/tests/t.sql', 'streamt.demo.test.t']]);
    expect(out.topics.map((t) => t.spec.name)).toEqual([violationsTopic('demo')]);
    const sql = out.flinkJobs[0]!.spec.statements.join(';\n');
    expect(sql).toContain("SET 'pipeline.name' = 'streamt.demo.test.t'");
    expect(sql).toContain("'topic' = 'm',");
    expect(sql).toContain("JSON_VALUE(`_streamt_value`, '$[''amount'']') AS `amount`");
    expect(sql).toContain("'topic' = '_streamt_violations.demo'");
    expect(sql).toMatch(/WHERE `order_id` IS NULL\nUNION ALL/);
    expect(out.files.get('flink/tests/t.sql')).toContain('INSERT INTO `_streamt_violations`');
    expect(out.flinkJobs[0]!.hash).toMatch(/^sha256:/);
  });

  it('is deterministic and empty without continuous tests', () => {
    const r = project(test('continuous', '      - not_null: {columns: [order_id]}\n'));
    expect(compileContinuousTests(r)).toEqual(compileContinuousTests(r));
    expect(compileContinuousTests(project(test('sample', '      - not_null: {columns: [order_id]}\n'))).flinkJobs).toEqual([]);
  });

  it('quotes values and identifiers, so data in the YAML cannot inject SQL', () => {
    const r = project(test('continuous', "      - accepted_values: {column: status, values: [\"it's\", \"a`b\"]}\n"));
    const sql = compileContinuousTests(r).flinkJobs[0]!.spec.statements.join('\n');
    expect(sql).toContain("NOT IN ('it''s', 'a`b')");
  });

  it('adds the DLQ insert in the same job (statement set)', () => {
    const r = project(test('continuous', '      - range: {column: amount, min: 0}\n', '    on_failure:\n      actions:\n        - dlq: {topic: m_dlq}\n'));
    const job = compileContinuousTests(r).flinkJobs[0]!;
    const last = job.spec.statements.at(-1)!;
    expect(last).toMatch(/^EXECUTE STATEMENT SET\nBEGIN\nINSERT INTO `_streamt_violations`/);
    expect(last).toContain('INSERT INTO `_streamt_dlq`\nSELECT `_streamt_key`, `_streamt_value` FROM `_streamt_rows`');
    expect(job.spec.statements.join('\n')).toContain("'topic' = 'm_dlq'");
  });

  it('requires a window for foreign_key, and reports what it cannot evaluate', () => {
    const r = project(test('continuous', '      - foreign_key: {column: customer_id, ref_model: customers}\n      - custom_sql: {sql: "SELECT AVG(amount) FROM m", expect: 3}\n      - not_null: {columns: [order_id]}\n'));
    const out = compileContinuousTests(r);
    expect(out.diagnostics.map((d) => [d.code, d.severity])).toEqual([['CONTINUOUS_TEST_WINDOW_REQUIRED', 'error'], ['CUSTOM_SQL_UNSUPPORTED', 'warning']]);
    expect(out.skipped.get('t')!.map((s) => s.assertion)).toEqual(['custom_sql']);
  });

  it('judges on event time: the rowtime column with its watermark, never processing time', () => {
    const r = project('  - name: t\n    model: orders_raw\n    type: continuous\n    assertions:\n      - unique_key: {key: order_id, window: "1 hour"}\n      - foreign_key: {column: customer_id, ref_model: customers, window: "1 minute"}\n      - throughput: {max_per_second: 100}\n      - distribution: {column: status, buckets: [{value: paid, min_ratio: 0.5}]}\n');
    const out = compileContinuousTests(r);
    expect(out.diagnostics).toEqual([]);
    const sql = out.flinkJobs[0]!.spec.statements.join(';\n');
    expect(sql).not.toMatch(/PROCTIME/i);
    // The orders' event_time column (ts), read from the JSON value; the Kafka timestamp when unreadable.
    expect(sql).toContain("`_streamt_rt` AS COALESCE(COALESCE(CASE WHEN REGEXP(JSON_VALUE(`_streamt_value`, '$[''ts'']'), '^[0-9]+$')");
    expect(sql).toContain("AS TIMESTAMP_LTZ(3))), `_streamt_ts`),\n  WATERMARK FOR `_streamt_rt` AS `_streamt_rt` - INTERVAL '5' SECOND");
    expect(sql).toContain('PARTITION BY `order_id` ORDER BY `_streamt_rt`');
    expect(sql).toContain('MIN(`_streamt_rt`) OVER w');
    // customers has no event_time: its Kafka timestamps are its event times.
    expect(sql).toMatch(/CREATE TEMPORARY TABLE `_streamt_ref_0` \(\n {2}`_streamt_value` STRING,\n {2}`_streamt_ts` TIMESTAMP_LTZ\(3\) METADATA FROM 'timestamp' VIRTUAL,\n {2}`_streamt_rt` AS `_streamt_ts`,\n {2}WATERMARK FOR `_streamt_rt` AS `_streamt_rt` - INTERVAL '5' SECOND/);
    expect(sql).toContain("AND r.`_streamt_rt` BETWEEN s.`_streamt_rt` - INTERVAL '60' SECOND AND s.`_streamt_rt` + INTERVAL '60' SECOND");
    expect(sql.match(/TUMBLE\(TABLE `_streamt_rows`, DESCRIPTOR\(`_streamt_rt`\)/g)).toHaveLength(2);
    // An idle partition or a reference topic that rarely changes does not stop the verdicts.
    expect(sql.match(/'scan.watermark.idle-timeout' = '30 s'/g)).toHaveLength(2);
  });

  it('judges a target without event time on its Kafka record timestamps', () => {
    const sql = compileContinuousTests(project(test('continuous', '      - unique_key: {key: order_id}\n'))).flinkJobs[0]!.spec.statements.join(';\n');
    expect(sql).toContain("`_streamt_rt` AS `_streamt_ts`,\n  WATERMARK FOR `_streamt_rt` AS `_streamt_rt` - INTERVAL '5' SECOND");
    expect(sql).toContain('ORDER BY `_streamt_rt` ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW');
  });

  it('reports a test with nothing to evaluate', () => {
    const out = compileContinuousTests(project(test('continuous', '      - max_latency: {max_ms: 10}\n')));
    expect(out.diagnostics.map((d) => d.code)).toEqual(['CONTINUOUS_TEST_EMPTY']);
    expect(out.flinkJobs).toEqual([]);
  });

  it('turns custom_sql forms into conditions', () => {
    expect(customCondition({ where: 'amount < 0' })).toEqual({ ok: true, where: 'amount < 0' });
    expect(customCondition({ sql: 'select count(*) from orders where amount < 0;', expect: 0 })).toEqual({ ok: true, where: 'amount < 0' });
    expect(customCondition({ sql: 'SELECT COUNT(*) FROM orders WHERE x', expect: '= 0' }).ok).toBe(true);
    expect(customCondition({ sql: 'SELECT COUNT(*) FROM orders WHERE x', expect: 5 }).ok).toBe(false);
  });

  it('writes intervals Flink accepts', () => {
    expect(intervalMs(5000)).toBe("INTERVAL '5' SECOND");
    expect(intervalMs(3_600_000)).toBe("INTERVAL '1' HOUR(2)");
    expect(intervalMs(900_000)).toBe("INTERVAL '15' MINUTE(2)");
    expect(intervalMs(1500)).toBe("INTERVAL '1.500' SECOND(2, 3)");
    expect(intervalMs(86_400_000 * 400)).toBe("INTERVAL '400' DAY(3)");
  });
});

describe('the continuous schema assertion', () => {
  const typed = (assertion: string, format = '') => {
    const sources = `sources:\n  - name: orders\n    topic: orders\n${format}    columns:\n      - {name: id, type: STRING NOT NULL}\n      - {name: amount, type: DOUBLE}\n      - {name: at, type: TIMESTAMP_LTZ(3)}\n      - {name: customer, type: "ROW<zip INT>"}\n      - {name: tags, type: ARRAY<STRING>}\n`;
    const { resolved, diagnostics } = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': sources, 'tests/t.yml': `tests:\n  - name: t\n    model: orders\n    type: continuous\n    assertions:\n      - ${assertion}\n` });
    if (!resolved) throw new Error(JSON.stringify(diagnostics));
    return compileContinuousTests(resolved);
  };
  it('checks every declared column of a JSON topic, naming the field', () => {
    const out = typed('schema: {}');
    expect(out.diagnostics).toEqual([]);
    const sql = out.flinkJobs[0]!.spec.statements.join(';\n');
    const insert = sql.slice(sql.indexOf('INSERT INTO'));
    expect(insert).toContain("WHERE `_streamt_value` IS NOT NULL AND (NOT (`_streamt_value` IS JSON OBJECT) OR (JSON_VALUE(`_streamt_value`, '$[''id'']') IS NULL AND JSON_QUERY(`_streamt_value`, '$[''id'']') IS NULL)");
    expect(insert).toContain("TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''amount'']') AS DOUBLE) IS NULL");
    // Timestamps in SQL or ISO-8601 text; nested fields only when the row is an object.
    expect(insert).toContain("TRY_CAST(REPLACE(REPLACE(JSON_VALUE(`_streamt_value`, '$[''at'']'), 'T', ' '), 'Z', '') AS TIMESTAMP(3)) IS NULL");
    expect(insert).toContain("(JSON_QUERY(`_streamt_value`, '$[''customer'']') IS JSON OBJECT AND JSON_QUERY(`_streamt_value`, '$[''customer''][''zip'']') IS NOT NULL");
    expect(insert).toContain("NOT (JSON_QUERY(`_streamt_value`, '$[''tags'']') IS JSON ARRAY)");
    expect(insert).toContain("'customer.zip = '");
    // The typed view casts without NOT NULL and keeps composite columns as their JSON text.
    expect(sql).toContain('TRY_CAST(`id` AS STRING) AS `id`');
    expect(sql).toContain("JSON_QUERY(`_streamt_value`, '$[''tags'']') AS `tags`");
    expect(sql).not.toMatch(/TRY_CAST\([^)]*NOT NULL\)/);
    expect(sql).not.toMatch(/TRY_CAST\(`(customer|tags)`/);
  });
  it('columns: limits it to the listed ones; an unknown one skips it', () => {
    const sql = typed('schema: {columns: [amount]}').flinkJobs[0]!.spec.statements.join(';\n');
    expect(sql.slice(sql.indexOf('INSERT INTO'))).not.toContain("'$[''id'']'");
    const out = typed('schema: {columns: [nope]}');
    expect(out.skipped.get('t')).toEqual([{ index: 0, assertion: 'schema', reason: '"orders" has no column nope' }]);
  });
  it('is skipped on Avro topics, whose records the job decodes with their registered schema', () => {
    const { resolved } = resolveFiles({
      'stream_project.yml': PROJECT + '  schema_registry:\n    url: http://localhost:8081\n',
      'sources/s.yml': 'sources:\n  - name: orders\n    topic: orders\n    schema: {format: avro}\n    columns:\n      - {name: id, type: STRING}\n',
      'tests/t.yml': 'tests:\n  - name: t\n    model: orders\n    type: continuous\n    assertions:\n      - schema: {}\n      - not_null: {columns: [id]}\n',
    });
    const out = compileContinuousTests(resolved!);
    expect(out.skipped.get('t')![0]).toMatchObject({ index: 0, assertion: 'schema' });
    expect(out.skipped.get('t')![0]!.reason).toContain('schema test');
  });
  it('sample tests skip it, pointing at schema tests', () => {
    const r = project(test('sample', '      - schema: {}\n'));
    const result = evaluateSample(r.project.tests[0]!, [{ key: 'k', value: { order_id: 'o' }, partition: 0, offset: 0, timestamp: 0 }] as never, { now: 0 });
    expect(result.assertions[0]).toMatchObject({ assertion: 'schema', status: 'skipped' });
  });
});

describe('schema tests', () => {
  it('checks test columns and declared types against the inferred schema', () => {
    const r = project(test('schema', '      - not_null: {columns: [order_id, nope]}\n      - accepted_types: {amount: double, order_id: int}\n      - throughput: {min_per_second: 1}\n'));
    const result = evaluateSchemaTest(r, r.project.tests[0]!);
    expect(result.status).toBe('fail');
    expect(result.assertions.map((a) => [a.assertion, a.status, a.failures])).toEqual([['not_null', 'fail', 1], ['accepted_types', 'fail', 1], ['throughput', 'skipped', 0]]);
    expect(result.assertions[1]!.message).toContain('order_id is STRING, declared int');
  });

  it('compares with the registered Avro subject', () => {
    const r = project(test('schema', '      - accepted_types: {amount: double}\n'));
    const avro = (fields: unknown[]) => ({ schemaType: 'AVRO' as const, schema: JSON.stringify({ type: 'record', name: 'r', fields }), version: 2 });
    const ok = evaluateSchemaTest(r, r.project.tests[0]!, avro([{ name: 'order_id', type: 'string' }, { name: 'customer_id', type: ['null', 'string'] }, { name: 'amount', type: 'double' }, { name: 'status', type: 'string' }]));
    expect(ok.status).toBe('pass');
    const bad = evaluateSchemaTest(r, r.project.tests[0]!, avro([{ name: 'order_id', type: 'string' }, { name: 'amount', type: 'string' }]));
    expect(bad.status).toBe('fail');
    expect(bad.assertions.at(-1)!.examples.map((e) => e.column)).toEqual(['customer_id', 'amount', 'status', 'amount']);
    expect(evaluateSchemaTest(r, r.project.tests[0]!, null).assertions.at(-1)!.status).toBe('skipped');
  });
});

const result = (over: Partial<TestResult> = {}): TestResult => ({ test: 't', type: 'sample', target: 'm', severity: 'error', status: 'fail', failures: 2, checked: 10, message: 'range: 2 of 10 records', assertions: [{ assertion: 'range', index: 0, status: 'fail', failures: 2, checked: 10, message: 'x', examples: [{ key: 'k1', reason: '-1 < 0' }] }], actions: [], ...over });

describe('alerts', () => {
  it('accepts the written forms', () => {
    expect(alertTarget({ webhook: 'https://h/x' }, {})).toEqual({ url: 'https://h/x' });
    expect(alertTarget({ url: 'slack://#alerts' }, { STREAMT_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/A/B' })).toEqual({ url: 'https://hooks.slack.com/services/A/B', channel: '#alerts' });
    expect(alertTarget({ type: 'slack', channel: '#x' }, {}).problem).toContain('STREAMT_SLACK_WEBHOOK_URL');
    expect(alertTarget({ url: 'ftp://x' }, {}).problem).toContain('not http');
  });
  it('sends a Slack-compatible body and reports the outcome', async () => {
    const body = alertBody('shop', result(), '#alerts', 'prod');
    expect(body).toMatchObject({ project: 'shop', environment: 'prod', test: 't', status: 'fail', failures: 2, channel: '#alerts' });
    expect(body.text).toBe('streamt test failed: t on m [shop (prod)]\n2 failures: range: 2 of 10 records\n  • range: key k1: -1 < 0');
    const posted: unknown[] = [];
    const ok = await sendAlert({ type: 'alert', config: { webhook: 'https://hooks.slack.com/services/T/B/secret' }, path: [] }, 'shop', result(), {}, async (_u, b) => (posted.push(b), { status: 200 }));
    expect(ok).toEqual({ action: 'alert', status: 'done', message: 'alert sent to https://hooks.slack.com/services/…' });
    expect(posted).toHaveLength(1);
    const bad = await sendAlert({ type: 'alert', config: { webhook: 'https://h/x' }, path: [] }, 'shop', result(), {}, async () => ({ status: 500 }));
    expect(bad.status).toBe('failed');
    expect(redactUrl('https://u:p@h/a/b')).toBe('https://h/a/…');
  });
});

describe('run results and blockers', () => {
  it('has the documented shape and sorts by test', () => {
    const r = project(test('sample', '      - not_null: {columns: [order_id]}\n', '    on_failure:\n      actions:\n        - block_deploy: true\n'));
    const rr = buildRunResults([result({ test: 'z', status: 'pass', failures: 0 }), result()], r.project.tests, { version: '1', generatedAt: 'now', project: 'demo', elapsedMs: 5 });
    expect(rr.summary).toEqual({ pass: 1, fail: 1, warn: 0, skipped: 0, error: 0, total: 2 });
    expect(rr.results.map((x) => x.test)).toEqual(['t', 'z']);
    expect(Object.keys(rr.results[0]!)).toEqual(['test', 'type', 'target', 'severity', 'status', 'failures', 'checked', 'message', 'blocks_deploy', 'duration_ms', 'assertions', 'actions', 'job']);
    expect(rr.results[0]!.blocks_deploy).toBe(true);
    expect(deployBlockers(rr)).toEqual([{ test: 't', target: 'm', status: 'fail', message: 'range: 2 of 10 records' }]);
    expect(deployBlockers(undefined)).toEqual([]);
  });
  it('fails the run only for error-severity failures and errors', () => {
    expect(runFailed([result({ severity: 'warn' })])).toBe(false);
    expect(runFailed([result({ status: 'warn' }), result({ status: 'skipped' })])).toBe(false);
    expect(runFailed([result({ status: 'error' })])).toBe(true);
    expect(runFailed([result()])).toBe(true);
  });
});

describe('continuous results', () => {
  const r = project(test('continuous', '      - not_null: {columns: [order_id]}\n      - range: {column: amount, min: 0}\n      - custom_sql: {sql: "SELECT 1", expect: 1}\n'));
  const t = r.project.tests[0]!;
  const rec = (value: Record<string, unknown>) => ({ key: null, value, timestamp: 0, partition: 0, offset: '0' });
  const violations = parseViolations([rec({ test: 't', assertion: 'range', assertion_index: 1, record_key: 'k4', details: 'amount = -1', record_partition: 0, record_offset: 3 }), rec({ test: 'other', assertion: 'range', assertion_index: 0 }), rec({ nope: true })]);
  const skipped = [{ index: 2, assertion: 'custom_sql', reason: 'not record by record' }];
  it('reports the violations of the window', () => {
    const res = continuousResult(t, violations, skipped, { name: 'streamt.demo.test.t', state: 'RUNNING' }, '10 min');
    expect(res).toMatchObject({ status: 'fail', failures: 1 });
    expect(res.assertions.map((a) => [a.assertion, a.status, a.failures])).toEqual([['not_null', 'pass', 0], ['range', 'fail', 1], ['custom_sql', 'skipped', 0]]);
    expect(res.assertions[1]!.examples).toEqual([{ key: 'k4', reason: 'amount = -1', partition: 0, offset: '3' }]);
  });
  it('is an error when the job does not run, even without violations', () => {
    expect(continuousResult(t, [], skipped, undefined, '10 min').status).toBe('error');
    expect(continuousResult(t, [], skipped, { name: 'j', state: 'FAILED' }, '10 min').message).toContain('is FAILED');
    expect(continuousResult(t, [], skipped, { name: 'j', state: 'RUNNING' }, '10 min')).toMatchObject({ status: 'pass', message: expect.stringContaining('no violation in the last 10 min') });
  });
  it('summarizes sample results with skipped assertions shown', () => {
    const s = evaluateSample({ ...t, type: 'sample' }, [], { now: 0 });
    expect(s.assertions.map((a) => a.status)).toEqual(['pass', 'pass', 'skipped']);
    expect(s.message).toContain('skipped: custom_sql');
  });
});

describe('readDeployBlockers (apply side)', () => {
  it('reads generated/run_results.json, none when absent, fails closed when unreadable', async () => {
    const { readDeployBlockers } = await import('../../src/datatest/index.js');
    const { writeProject } = await import('../helpers/project.js');
    expect(readDeployBlockers(writeProject({}))).toEqual([]);
    const root = writeProject({ 'generated/run_results.json': JSON.stringify({ results: [{ test: 'a', status: 'fail', blocks_deploy: true, target: 'm', message: 'x' }, { test: 'b', status: 'fail', blocks_deploy: false }, { test: 'c', status: 'pass', blocks_deploy: true }] }) });
    expect(readDeployBlockers(root)).toEqual([{ test: 'a', target: 'm', status: 'fail', message: 'x' }]);
    expect(readDeployBlockers(writeProject({ 'generated/run_results.json': '{oops' }))[0]!.status).toBe('error');
  });
});
