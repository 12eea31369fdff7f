/**
 * Compiled artifacts against the real local stack: Flink's planner accepts every compiled job,
 * a representative set runs with records flowing, subjects register, connectors pass Connect's
 * validation, and gateway resources are accepted by the Gateway admin API (contract fake).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/index.js';
import type { CompileResult } from '../../src/compile/index.js';
import { compileDir, REPO } from '../golden/helpers.js';
import { resolveFiles } from '../helpers/resolve.js';
import {
  cancelFlinkJob, consume, createTopics, deleteSubjectAfterTest, eventually, gatewayAdmin, http, onCleanup, produce, registry,
  SqlGatewaySession, stackConfig, uniqueName, waitForJobRunning, endpoints,
} from './helpers.js';

/** Points a compiled statement at the stack's Kafka and Schema Registry. */
function forStack(statement: string): string {
  return statement
    .replace(/'properties\.bootstrap\.servers' = '[^']*'/g, `'properties.bootstrap.servers' = '${stackConfig.kafka.bootstrapServers}'`)
    .replace(/'((?:value\.)?avro-confluent\.url)' = '[^']*'/g, `'$1' = '${stackConfig.registry.url}'`);
}

/** Runs a job's DDL in a fresh session, then EXPLAINs its INSERT: the planner validates everything. */
async function explainJob(statements: string[]): Promise<string> {
  const session = await SqlGatewaySession.open();
  let plan = '';
  for (const s of statements) {
    const r = await session.execute(s.startsWith('INSERT') ? `EXPLAIN ${forStack(s)}` : forStack(s));
    if (s.startsWith('INSERT')) plan = String(r.rows[0]?.fields[0] ?? '');
  }
  return plan; // the session is closed after the test
}

const PLANNER_CASES = ['examples/payments', 'test/golden/cases/streams', 'test/golden/cases/avro', 'test/golden/cases/quoting', 'test/golden/cases/virtual', 'test/golden/cases/changelog'];

describe('Flink accepts every compiled job', () => {
  for (const dir of PLANNER_CASES) {
    const { result } = compileDir(join(REPO, dir));
    for (const job of result.artifacts.flinkJobs) {
      it(`${dir}: ${job.spec.name}`, async () => {
        const plan = await explainJob(job.spec.statements);
        expect(plan).toContain('== Optimized Execution Plan ==');
        expect(plan).toContain(job.spec.sink_connector === 'upsert-kafka' ? 'Sink(table=' : 'Sink(table=');
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Records flowing through a filter, a window over a ref(), an upsert aggregation, a join and a deduplication.

function runProject(suffix: string) {
  const t = (name: string) => `it.${name}.${suffix}`;
  const files = {
    'stream_project.yml': `project:
  name: itshop
runtime:
  kafka:
    bootstrap_servers: ${stackConfig.kafka.bootstrapServers}
  flink:
    clusters:
      local: { rest_url: "${endpoints.flinkRest}", sql_gateway_url: "${endpoints.flinkSqlGateway}" }
defaults:
  topic: { partitions: 1, replication_factor: 1 }
  models:
    flink: { parallelism: 1 }
`,
    'sources/s.yml': `sources:
  - name: orders_raw
    topic: ${t('orders')}
    columns:
      - { name: order_id, type: STRING }
      - { name: customer_id, type: STRING }
      - { name: amount, type: "DECIMAL(10, 2)" }
      - { name: status, type: STRING }
      - { name: ts, type: TIMESTAMP(3) }
    event_time: { column: ts, watermark: { max_out_of_orderness_ms: 2500 } }
  - name: customers
    topic: ${t('customers')}
    columns:
      - { name: customer_id, type: STRING }
      - { name: name, type: STRING }
      - { name: country, type: STRING }
`,
    'models/m.yml': `models:
  - name: orders_paid
    topic: { name: ${t('paid')} }
    key: order_id
    sql: SELECT order_id, customer_id, amount, ts FROM {{ source("orders_raw") }} WHERE status = 'PAID'
  - name: revenue_per_minute
    topic: { name: ${t('revenue')} }
    flink: { parallelism: 1 }
    sql: |
      SELECT window_start, window_end, COUNT(*) AS orders, SUM(amount) AS revenue
      FROM TABLE(TUMBLE(TABLE {{ ref("orders_paid") }}, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
      GROUP BY window_start, window_end
  - name: customer_totals
    topic: { name: ${t('totals')} }
    sql: SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total FROM {{ ref("orders_paid") }} GROUP BY customer_id
  - name: orders_with_customer
    topic: { name: ${t('joined')} }
    key: order_id
    sql: |
      SELECT o.order_id, o.amount, c.name, c.country
      FROM {{ ref("orders_paid") }} AS o JOIN {{ source("customers") }} AS c ON o.customer_id = c.customer_id
  - name: orders_latest
    topic: { name: ${t('latest')} }
    sql: |
      SELECT order_id, status FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY ts DESC) AS rn FROM {{ source("orders_raw") }}
      ) WHERE rn = 1
`,
  };
  const { resolved, diagnostics } = resolveFiles(files);
  if (!resolved) throw new Error(JSON.stringify(diagnostics));
  const result = compileProject(resolved, { compiledAt: new Date(0).toISOString() });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { result, t };
}

/** Runs one compiled job until `check` passes, then cancels it (the stack has few task slots). */
async function runJob(result: CompileResult, model: string, check: () => Promise<void>): Promise<void> {
  const jobId = await submit(result, model);
  try {
    await check();
  } finally {
    await cancelFlinkJob(jobId);
  }
}

async function submit(result: CompileResult, model: string): Promise<string> {
  const job = result.artifacts.flinkJobs.find((j) => j.addr === `flink.job.${model}`)!;
  const session = await SqlGatewaySession.open();
  let jobId = '';
  for (const s of job.spec.statements) {
    const r = await session.execute(forStack(s));
    if (s.startsWith('INSERT')) jobId = r.jobID ?? '';
  }
  expect(jobId).not.toBe('');
  await waitForJobRunning(jobId).catch(async (e) => {
    await cancelFlinkJob(jobId).catch(() => {});
    throw e;
  });
  return jobId;
}

/** Latest value per key of a topic (upsert semantics) after `changes` records, once `ready` accepts it. */
async function latestByKey(topic: string, min: number, ready: (m: Map<string, any>) => boolean): Promise<Map<string, any>> {
  return eventually(`expected records in ${topic}`, async () => {
    const records = await consume(topic, min, 20_000);
    const m = new Map<string, any>();
    for (const r of records) m.set(r.key ?? '', r.value === null ? null : JSON.parse(r.value));
    return ready(m) ? m : false;
  }, 120_000, 1000);
}

describe('compiled jobs run with records flowing', () => {
  it('filter, windowed aggregation over a ref(), upsert aggregation, join and deduplication', async () => {
    const suffix = uniqueName('c').replace(/-/g, '_');
    const { result, t } = runProject(suffix);
    await createTopics(result.artifacts.topics.map((a) => ({ topic: a.spec.name })).concat([{ topic: t('orders') }, { topic: t('customers') }]));
    const order = (order_id: string, customer_id: string, amount: number, status: string, ts: string) => ({ key: order_id, value: JSON.stringify({ order_id, customer_id, amount, status, ts }) });
    await produce(t('customers'), [
      { key: 'c1', value: JSON.stringify({ customer_id: 'c1', name: 'Alice', country: 'FR' }) },
      { key: 'c2', value: JSON.stringify({ customer_id: 'c2', name: 'Bob', country: 'DE' }) },
    ]);
    await produce(t('orders'), [
      order('o1', 'c1', 10, 'PAID', '2025-01-01 10:00:05.000'),
      order('o2', 'c2', 20, 'NEW', '2025-01-01 10:00:10.000'),
      order('o3', 'c1', 5.5, 'PAID', '2025-01-01 10:00:30.000'),
      order('o2', 'c2', 20, 'PAID', '2025-01-01 10:00:40.000'),
      order('o4', 'c2', 7, 'PAID', '2025-01-01 10:01:10.000'),
      order('o9', 'c3', 1, 'PAID', '2025-01-01 10:05:00.000'),
    ]);
    // Filter: PAID orders only, keyed by order_id.
    await runJob(result, 'orders_paid', async () => {
      const paid = await consume(t('paid'), 5, 120_000);
      expect(paid.map((r) => r.key).sort()).toEqual(['o1', 'o2', 'o3', 'o4', 'o9']);
      expect(paid.every((r) => JSON.parse(r.value!).order_id === r.key)).toBe(true);
    });

    // Window over a ref(): the watermark flowed through orders_paid; o9 closes the first two minutes.
    await runJob(result, 'revenue_per_minute', async () => {
      const windows = (await consume(t('revenue'), 2, 120_000)).map((r) => JSON.parse(r.value!));
      windows.sort((a, b) => String(a.window_start).localeCompare(String(b.window_start)));
      expect(windows.map((w) => [w.window_start, w.orders, Number(w.revenue)])).toEqual([
        ['2025-01-01 10:00:00', 3, 35.5],
        ['2025-01-01 10:01:00', 1, 7],
      ]);
    });

    // Upsert aggregation: the latest value per customer.
    await runJob(result, 'customer_totals', async () => {
      const totals = await latestByKey(t('totals'), 5, (m) => m.get('c1')?.orders === 2 && m.get('c2')?.orders === 2 && m.get('c3')?.orders === 1);
      expect(Number(totals.get('c1').total)).toBe(15.5);
      expect(Number(totals.get('c2').total)).toBe(27);
    });

    // Regular join with the customers.
    await runJob(result, 'orders_with_customer', async () => {
      const joined = (await consume(t('joined'), 4, 120_000)).map((r) => JSON.parse(r.value!));
      expect(joined.map((j) => `${j.order_id}:${j.name}:${j.country}`).sort()).toEqual(['o1:Alice:FR', 'o2:Bob:DE', 'o3:Alice:FR', 'o4:Bob:DE']);
    });

    // Deduplication: the latest status per order.
    await runJob(result, 'orders_latest', async () => {
      const latest = await latestByKey(t('latest'), 6, (m) => m.size === 5 && m.get('o2')?.status === 'PAID');
      expect(latest.get('o1').status).toBe('PAID');
    });
  });
});

describe('registry, Connect and Gateway accept the compiled artifacts', () => {
  it('registers every compiled subject (under a unique name)', async () => {
    const all = [...compileDir(join(REPO, 'examples/payments')).result.artifacts.schemas, ...compileDir(join(REPO, 'test/golden/cases/avro')).result.artifacts.schemas];
    expect(all.length).toBeGreaterThan(2);
    for (const s of all) {
      const subject = `${uniqueName('it-compile')}-${s.spec.subject.replace(/[^A-Za-z0-9._-]/g, '_')}`;
      deleteSubjectAfterTest(subject);
      const r = await registry('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schemaType: s.spec.schema_type, schema: s.spec.schema });
      expect(r.status, `${s.addr}: ${r.text}`).toBe(200);
      expect(typeof r.body.id).toBe('number');
    }
  });

  it('passes Connect config validation for every compiled connector whose plugin is installed', async () => {
    const plugins = new Set((await http('GET', `${endpoints.connect}/connector-plugins`)).body.map((p: { class: string }) => p.class));
    const compiled = [...compileDir(join(REPO, 'examples/payments')).result.artifacts.connectors, ...compileDir(join(REPO, 'test/golden/cases/sink'), { WAREHOUSE_TOKEN: 'x' }).result.artifacts.connectors];
    const installed = compiled.filter((c) => plugins.has(c.spec.connector_class));
    expect(installed.map((c) => c.spec.name).sort()).toEqual(['payments_to_postgres', 'users_to_file']);
    for (const c of installed) {
      const config: Record<string, string> = { name: c.spec.name, ...c.spec.config };
      // Secrets are placeholders on disk; apply substitutes them in memory.
      for (const [k, v] of Object.entries(config)) if (/^\$\{(env|secret):/.test(v)) config[k] = 'placeholder';
      const r = await http('PUT', `${endpoints.connect}/connector-plugins/${encodeURIComponent(c.spec.connector_class)}/config/validate`, config);
      expect(r.status, r.text).toBe(200);
      const errors = r.body.configs.flatMap((x: { value: { name: string; errors: string[] } }) => x.value.errors.map((e) => `${x.value.name}: ${e}`));
      expect(errors, c.spec.name).toEqual([]);
      expect(r.body.error_count).toBe(0);
    }
  });

  it('the Gateway admin API accepts every compiled gateway resource (dry run)', async () => {
    const { result } = compileDir(join(REPO, 'test/golden/cases/virtual'));
    const groups = new Set(result.artifacts.gatewayRules.map((r) => (r.spec.resource.metadata.scope as { group?: string } | undefined)?.group).filter((g): g is string => !!g));
    for (const g of groups) {
      const r = await gatewayAdmin('PUT', '/gateway/v2/group', { kind: 'GatewayGroup', apiVersion: 'gateway/v2', metadata: { name: g }, spec: { members: [] } });
      expect(r.status, r.text).toBe(200);
      onCleanup(`delete group ${g}`, () => gatewayAdmin('DELETE', `/gateway/v2/group/${encodeURIComponent(g)}`));
    }
    for (const rule of result.artifacts.gatewayRules) {
      const path = rule.spec.kind === 'AliasTopic' ? '/gateway/v2/alias-topic' : '/gateway/v2/interceptor';
      const r = await gatewayAdmin('PUT', `${path}?dryMode=true`, rule.spec.resource);
      expect(r.status, `${rule.addr}: ${r.text}`).toBe(200);
    }
  });
});
