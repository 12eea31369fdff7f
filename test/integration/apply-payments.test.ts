// examples/payments applied into the stack: records produced to its sources come out
// transformed, filtered, enriched and aggregated (including five-minute windows).
import { describe, expect, it } from 'vitest';
import { createTopics, dropTableAfterTest, eventually, pgQuery, produce } from './helpers.js';
import { cleanupProject, letters, paymentsCopy, readAll } from './plan-helpers.js';

const payment = (id: string, customer: string, amount: number, status: string, time: string) => ({
  key: id,
  value: JSON.stringify({ payment_id: id, customer_id: customer, card_number: '4111111111111111', amount_cents: amount, currency: 'EUR', status, merchant_id: 'm1', event_time: `2026-01-01T${time}Z` }),
});

const values = async (topic: string) => (await readAll(topic)).filter((r) => r.value).map((r) => JSON.parse(r.value!));

describe('apply examples/payments', () => {
  it('runs the pipeline end to end', async () => {
    const sfx = letters();
    const { project, names } = paymentsCopy(sfx);
    // Sources belong to their producers: the test creates them (one partition, so one watermark).
    await createTopics([{ topic: names.raw }, { topic: names.customers }]);
    cleanupProject(project, [], [names.subject]);
    // The four model jobs whose outputs are checked here; the sink (and its envelope job) has its
    // own test below, and fewer jobs leave task slots for the other suites.
    const narrow = ['--exclude', names.model('high_risk_payments'), '--exclude', names.model('payments_to_postgres'), '--exclude', 'type:test'];
    const r = await project.apply(narrow);
    expect(r.stderr).toMatch(/✓ Apply complete: \d+ applied, 0 failed, 0 skipped/);
    expect((await project.cli(['plan', '--detailed-exitcode', ...narrow])).code).toBe(0);

    await produce(names.customers, [
      { key: 'c1', value: JSON.stringify({ customer_id: 'c1', email: 'a@example.com', country: 'FR', risk_band: 'LOW', updated_at: '2026-01-01 09:00:00' }) },
      { key: 'c2', value: JSON.stringify({ customer_id: 'c2', email: 'b@example.com', country: 'DE', risk_band: 'HIGH', updated_at: '2026-01-01 09:00:00' }) },
    ]);
    await produce(names.raw, [
      payment('p1', 'c1', 1000, 'AUTHORIZED', '10:00:01'),
      payment('p2', 'c1', 2500, 'CAPTURED', '10:01:00'),
      payment('p3', 'c2', 5000, 'DECLINED', '10:02:00'),
      payment('p4', 'c2', 7000, 'AUTHORIZED', '10:03:00'),
      payment('p5', 'c1', 0, 'AUTHORIZED', '10:03:30'),
      payment('p6', 'c1', 4000, 'AUTHORIZED', '10:06:00'),
    ]);
    // Later events on many keys move the watermark past the windows on every partition.
    await produce(names.raw, Array.from({ length: 30 }, (_, i) => payment(`late${i}`, `z${i}`, 1, 'CAPTURED', '11:00:00')));

    const clean = await eventually('clean payments', async () => {
      const v = await values(names.model('payments_clean'));
      return v.length >= 34 ? v : false;
    });
    const mine = clean.filter((p) => !p.payment_id.startsWith('late'));
    expect(mine.map((p) => p.payment_id).sort()).toEqual(['p1', 'p2', 'p4', 'p6']);
    expect(mine.find((p) => p.payment_id === 'p1')).toMatchObject({ customer_id: 'c1', card_last4: '1111', amount_cents: 1000, status: 'AUTHORIZED' });
    expect(JSON.stringify(clean)).not.toContain('4111111111111111');

    const windows = await eventually('closed five-minute windows', async () => {
      const v = (await values(names.model('customer_spend_5m'))).filter((w) => w.customer_id === 'c1' || w.customer_id === 'c2');
      return v.length >= 3 ? v : false;
    });
    expect(windows.map((w) => `${w.customer_id} ${w.window_start} ${w.payment_count} ${w.total_amount_cents}`).sort()).toEqual([
      'c1 2026-01-01 10:00:00 2 3500',
      'c1 2026-01-01 10:05:00 1 4000',
      'c2 2026-01-01 10:00:00 1 7000',
    ]);

    const totals = await eventually('running totals', async () => {
      const latest = new Map<string, any>();
      for (const v of await values(names.model('customer_totals'))) latest.set(v.customer_id, v);
      return latest.get('c1')?.payment_count === 3 && latest.get('c2')?.payment_count === 1 ? latest : false;
    });
    expect(totals.get('c1')).toMatchObject({ payment_count: 3, lifetime_amount_cents: 7500 });
    expect(totals.get('c2')).toMatchObject({ payment_count: 1, lifetime_amount_cents: 7000 });

    const enriched = await eventually('enriched payments', async () => {
      const v = (await values(names.model('payments_enriched'))).filter((p) => p.customer_id === 'c1' || p.customer_id === 'c2');
      return v.length >= 4 ? v : false;
    });
    expect(enriched.find((p) => p.payment_id === 'p4')).toMatchObject({ country: 'DE', risk_band: 'HIGH', amount_cents: 7000 });
    expect(enriched.find((p) => p.payment_id === 'p1')).toMatchObject({ country: 'FR', risk_band: 'LOW' });

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
    cleanupProject(project, [], [names.subject]);
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
