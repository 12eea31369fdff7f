// examples/payments applied into the stack: records produced to its sources come out
// transformed, filtered, enriched and aggregated (including five-minute windows).
import { describe, expect, it } from 'vitest';
import { createTopics, dropTableAfterTest, eventually, pgQuery, produce } from './helpers.js';
import { cleanupProject, letters, paymentsCopy, readAll } from './plan-helpers.js';

// Records as producers following the sources' JSON Schemas write them: date-times in ISO-8601
// with their UTC offset (read with json.timestamp-format.standard = ISO-8601 into TIMESTAMP_LTZ).
const payment = (id: string, customer: string, amount: number, status: string, time: string) => ({
  key: id,
  value: JSON.stringify({ payment_id: id, customer_id: customer, card_number: '4111111111111111', amount_cents: amount, currency: 'EUR', status, merchant_id: 'm1', event_time: `2026-01-01T${time}Z` }),
});
// The CRM's compacted topic: keyed by customer id (the upsert source's key), one version per change.
const profile = (customer: string, country: string, risk: string, time: string) => ({
  key: customer,
  value: JSON.stringify({ customer_id: customer, email: `${customer}@example.com`, country, risk_band: risk, updated_at: `2026-01-01T${time}Z` }),
});

const values = async (topic: string) => (await readAll(topic)).filter((r) => r.value).map((r) => JSON.parse(r.value!));

describe('apply examples/payments', () => {
  it('runs the pipeline end to end', async () => {
    const sfx = letters();
    const { project, names } = paymentsCopy(sfx);
    // Sources belong to their producers: the test creates them (one partition, so one watermark).
    await createTopics([{ topic: names.raw }, { topic: names.customers }]);
    cleanupProject(project, [], names.subjects);
    // The profiles are in the CRM's topic before the pipeline starts; c2's risk band changes at
    // 10:02:30, so the temporal join gives p7 (10:02) the old version and p4 (10:03) the new one.
    await produce(names.customers, [profile('c1', 'FR', 'LOW', '09:00:00'), profile('c2', 'DE', 'HIGH', '09:00:00'), profile('c2', 'DE', 'LOW', '10:02:30')]);
    // The four model jobs whose outputs are checked here; the sink (and its envelope job) has its
    // own test below, and fewer jobs leave task slots for the other suites.
    const narrow = ['--exclude', names.model('high_risk_payments'), '--exclude', names.model('payments_to_postgres'), '--exclude', 'type:test'];
    const r = await project.apply(narrow);
    expect(r.stderr).toMatch(/✓ Apply complete: \d+ applied, 0 failed, 0 skipped/);
    expect((await project.cli(['plan', '--detailed-exitcode', ...narrow])).code).toBe(0);

    await produce(names.raw, [
      payment('p1', 'c1', 1000, 'AUTHORIZED', '10:00:01'),
      payment('p2', 'c1', 2500, 'CAPTURED', '10:01:00.250'),
      payment('p3', 'c2', 5000, 'DECLINED', '10:02:00'),
      payment('p7', 'c2', 500, 'AUTHORIZED', '10:02:00'),
      payment('p4', 'c2', 7000, 'AUTHORIZED', '10:03:00'),
      payment('p5', 'c1', 0, 'AUTHORIZED', '10:03:30'),
      payment('p6', 'c1', 4000, 'AUTHORIZED', '10:06:00'),
    ]);
    // Later events on many keys move the watermark past the windows on every partition.
    await produce(names.raw, Array.from({ length: 30 }, (_, i) => payment(`late${i}`, `z${i}`, 1, 'CAPTURED', '11:00:00')));

    const clean = await eventually('clean payments', async () => {
      const v = await values(names.model('payments_clean'));
      return v.length >= 35 ? v : false;
    });
    const mine = clean.filter((p) => !p.payment_id.startsWith('late'));
    expect(mine.map((p) => p.payment_id).sort()).toEqual(['p1', 'p2', 'p4', 'p6', 'p7']);
    // The ISO-8601 event times were read as instants (no job failed on the 'T' or the 'Z').
    expect(mine.find((p) => p.payment_id === 'p2').event_time).toBe('2026-01-01 10:01:00.25Z');
    expect(mine.find((p) => p.payment_id === 'p1')).toMatchObject({ customer_id: 'c1', card_last4: '1111', amount_cents: 1000, status: 'AUTHORIZED' });
    expect(JSON.stringify(clean)).not.toContain('4111111111111111');

    const windows = await eventually('closed five-minute windows', async () => {
      const v = (await values(names.model('customer_spend_5m'))).filter((w) => w.customer_id === 'c1' || w.customer_id === 'c2');
      return v.length >= 3 ? v : false;
    });
    expect(windows.map((w) => `${w.customer_id} ${w.window_start} ${w.payment_count} ${w.total_amount_cents}`).sort()).toEqual([
      'c1 2026-01-01 10:00:00 2 3500',
      'c1 2026-01-01 10:05:00 1 4000',
      'c2 2026-01-01 10:00:00 2 7500',
    ]);

    const totals = await eventually('running totals', async () => {
      const latest = new Map<string, any>();
      for (const v of await values(names.model('customer_totals'))) latest.set(v.customer_id, v);
      return latest.get('c1')?.payment_count === 3 && latest.get('c2')?.payment_count === 2 ? latest : false;
    });
    expect(totals.get('c1')).toMatchObject({ payment_count: 3, lifetime_amount_cents: 7500 });
    expect(totals.get('c2')).toMatchObject({ payment_count: 2, lifetime_amount_cents: 7500 });

    // The event-time temporal join: each payment with the profile valid at its time, append-only
    // (one record per payment, never retracted).
    const enriched = await eventually('enriched payments', async () => {
      const v = (await values(names.model('payments_enriched'))).filter((p) => p.customer_id === 'c1' || p.customer_id === 'c2');
      return new Set(v.map((p) => p.payment_id)).size >= 5 ? v : false;
    });
    // At-least-once delivery: a restarted job may write a record again, always the same one.
    expect([...new Set(enriched.map((p) => `${p.payment_id} ${p.country} ${p.risk_band}`))].sort()).toEqual(['p1 FR LOW', 'p2 FR LOW', 'p4 DE LOW', 'p6 FR LOW', 'p7 DE HIGH']);
    expect(enriched.find((p) => p.payment_id === 'p4')).toMatchObject({ amount_cents: 7000, event_time: '2026-01-01 10:03:00Z' });

    const status = await project.cli(['status', '--format', 'json', ...narrow]);
    const s = JSON.parse(status.stdout);
    expect(s.resources.filter((x: any) => x.kind === 'flink_job').map((x: any) => x.state)).toEqual(['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING']);
  });

  it('the JDBC sink writes the rows to PostgreSQL, through the Connect JSON envelope streamt compiles', async () => {
    // Debezium's JDBC sink needs records with a schema and Flink writes schemaless JSON: the
    // compiler adds a job, owned by the sink, that rewrites the input as {"schema", "payload"}
    // records, and points the connector at them with schemas.enable=true.
    const sfx = letters();
    const { project, names } = paymentsCopy(sfx);
    const sink = names.model('payments_to_postgres');
    const table = names.model('payments_clean');
    await createTopics([{ topic: names.raw }, { topic: names.customers }]);
    cleanupProject(project, [], names.subjects);
    dropTableAfterTest(table);
    const r = await project.cli(['apply', '--auto-approve', '--select', `+${sink}`, '--exclude', 'type:test']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`connect.connector.${sink} created`);
    expect(r.stderr).toContain(`flink.job.${sink}.connect created`);

    await produce(names.raw, [
      payment('p1', 'c1', 1000, 'AUTHORIZED', '10:00:01'),
      payment('p2', 'c2', 2500, 'DECLINED', '10:01:00'),
      payment('p3', 'c2', 7000, 'CAPTURED', '10:02:00'),
    ]);
    const rows = await eventually('rows in PostgreSQL', async () => {
      const got = await pgQuery(`SELECT payment_id, customer_id, amount_cents, currency FROM "${table}" ORDER BY payment_id`).catch(() => []);
      return got.length >= 2 ? got : false;
    });
    expect(rows).toEqual([
      ['p1', 'c1', '1000', 'EUR'],
      ['p3', 'c2', '7000', 'EUR'],
    ]);
  });
});
