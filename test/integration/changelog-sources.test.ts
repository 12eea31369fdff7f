// A CDC source from Debezium JSON (issue 11, item 4), applied on the real stack: inserts, updates
// and deletes of a captured table flow through an aggregation (an upsert changelog whose counts go
// down, and whose emptied group is deleted) and an event-time temporal join (each order with the
// customer's country at order time). The temporal join against an upsert source is in
// apply-payments.test.ts (examples/payments).
import { describe, expect, it } from 'vitest';
import { createTopics, eventually, produce } from './helpers.js';
import { cleanupProject, JSON_DEFAULTS, latestByKey, letters, readAll, runtimeYaml, TestProject } from './plan-helpers.js';

/** A Debezium change event as the Postgres connector writes it with JsonConverter, schemas disabled. */
function change(op: 'c' | 'u' | 'd', before: Record<string, unknown> | null, after: Record<string, unknown> | null, tsMs: number) {
  return { before, after, source: { version: '3.5.0.Final', connector: 'postgresql', name: 'crm', db: 'crm', schema: 'public', table: 'customers', ts_ms: tsMs }, op, ts_ms: tsMs, transaction: null };
}
const row = (id: string, name: string, country: string, time: string) => ({ customer_id: id, name, country, updated_at: `2026-01-01 ${time}` });

describe('a Debezium JSON CDC source', () => {
  it('feeds an aggregation and an event-time temporal join with its inserts, updates and deletes', async () => {
    const sfx = letters();
    const names = { project: `cdc_${sfx}`, customers: `crm.public.customers.${sfx}`, orders: `shop.orders.${sfx}`, perCountry: `customers_per_country_${sfx}`, withCountry: `orders_with_country_${sfx}` };
    const project = new TestProject(names.project, {
      'stream_project.yml': `project:\n  name: ${names.project}\n${runtimeYaml()}${JSON_DEFAULTS}`,
      'sources/sources.yml': `sources:
  - name: customers
    topic: ${names.customers}
    changelog: debezium-json
    key: customer_id
    columns:
      - { name: customer_id, type: STRING }
      - { name: name, type: STRING }
      - { name: country, type: STRING }
      - { name: updated_at, type: TIMESTAMP(3) }
    event_time:
      column: updated_at
      watermark: { max_out_of_orderness_ms: 0 }
  - name: orders
    topic: ${names.orders}
    columns:
      - { name: order_id, type: STRING }
      - { name: customer_id, type: STRING }
      - { name: amount, type: BIGINT }
      - { name: order_time, type: TIMESTAMP(3) }
    event_time:
      column: order_time
      watermark: { max_out_of_orderness_ms: 0 }
`,
      'models/models.yml': `models:
  - name: ${names.perCountry}
    sql: |
      SELECT country, COUNT(*) AS customers
      FROM {{ source("customers") }}
      GROUP BY country
  - name: ${names.withCountry}
    key: order_id
    sql: |
      SELECT o.order_id, o.customer_id, c.country, o.amount
      FROM {{ source("orders") }} AS o
      JOIN {{ source("customers") }} FOR SYSTEM_TIME AS OF o.order_time AS c
        ON o.customer_id = c.customer_id
`,
    });
    await createTopics([{ topic: names.customers }, { topic: names.orders }]);
    cleanupProject(project);

    // The captured table's history, in the CDC topic before the pipeline starts: c2 moves from DE
    // to FR at 10:02, c3 is deleted at 10:04 (its delete event, then Kafka's tombstone).
    const c1 = row('c1', 'Ana', 'FR', '09:00:00');
    const c2 = row('c2', 'Ben', 'DE', '09:00:00');
    const c3 = row('c3', 'Cem', 'FR', '09:00:00');
    const c2moved = row('c2', 'Ben', 'FR', '10:02:00');
    const c3gone = row('c3', 'Cem', 'FR', '10:04:00');
    await produce(names.customers, [
      { key: 'c1', value: JSON.stringify(change('c', null, c1, 1)) },
      { key: 'c2', value: JSON.stringify(change('c', null, c2, 2)) },
      { key: 'c3', value: JSON.stringify(change('c', null, c3, 3)) },
      { key: 'c2', value: JSON.stringify(change('u', c2, c2moved, 4)) },
      { key: 'c3', value: JSON.stringify(change('d', c3gone, null, 5)) },
      { key: 'c3', value: null as unknown as string },
    ]);

    const plan = await project.planJson();
    expect(plan.changes.filter((c: any) => c.kind === 'flink_job').map((c: any) => c.action)).toEqual(['create', 'create']);
    const applied = await project.apply();
    expect(applied.stderr).toMatch(/✓ Apply complete: \d+ applied, 0 failed, 0 skipped/);

    const order = (id: string, customer: string, amount: number, time: string) => ({ key: id, value: JSON.stringify({ order_id: id, customer_id: customer, amount, order_time: `2026-01-01 ${time}` }) });
    await produce(names.orders, [
      order('o1', 'c2', 100, '10:01:00'), // c2 is still in DE
      order('o2', 'c2', 200, '10:03:00'), // c2 has moved to FR
      order('o3', 'c3', 300, '10:05:00'), // c3 is gone: an inner temporal join drops the order
      order('o4', 'c1', 400, '11:00:00'),
      order('o5', 'zz', 1, '12:00:00'), // moves the orders' watermark past the others (no such customer)
    ]);

    // Counts per country: FR 2 (c1, c2 after its move; c3 deleted), DE gone (its last customer left).
    const counts = await eventually('the latest count per country', async () => {
      const latest = await latestByKey(names.perCountry);
      return latest.get('FR')?.customers === 2 && latest.has('DE') && latest.get('DE') === null ? latest : false;
    }, 180_000);
    expect([...counts.entries()].sort()).toEqual([
      ['DE', null],
      ['FR', { country: 'FR', customers: 2 }],
    ]);

    // At-least-once delivery: a restarted job may write a record again, always the same one.
    const joined = await eventually('orders with the country at order time', async () => {
      const v = (await readAll(names.withCountry)).filter((r) => r.value).map((r) => JSON.parse(r.value!));
      return new Set(v.map((o) => o.order_id)).size >= 3 ? v : false;
    }, 180_000);
    expect([...new Set(joined.map((o) => `${o.order_id} ${o.customer_id} ${o.country} ${o.amount}`))].sort()).toEqual(['o1 c2 DE 100', 'o2 c2 FR 200', 'o4 c1 FR 400']);
  });
});
