#!/usr/bin/env node
// The live demo for newcomers (docs/demo.md):
//
//   npm run demo            # = node scripts/demo.mjs up
//   node scripts/demo.mjs up
//   node scripts/demo.mjs down [--keep-stack]
//
// `up` starts the local stack, applies examples/payments with `streamt apply`, produces sample
// card payments and customer profiles to its source topics and prints what arrives downstream:
// cleaned payments (card numbers cut to the last four digits), five-minute spend windows per
// customer and running totals. `down` deletes what the demo created (`streamt apply --prune` of
// the project without its models, then the source topics and the PostgreSQL table) and stops the
// stack.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { up, down } from '../stack/api.mjs';
import { stackConfig, paths } from '../stack/config.mjs';

const root = paths.repoRoot;
const example = join(root, 'examples', 'payments');
const bin = join(root, 'bin', 'streamt.js');
// STREAMT_DEMO_SUFFIX (letters; the integration test sets it) runs the demo on a copy of the
// example whose project, models, topics and table carry the suffix, so a test run never touches
// a demo someone has running, nor another test run's.
const SUFFIX = process.env.STREAMT_DEMO_SUFFIX ?? '';
if (!/^[a-z]*$/.test(SUFFIX)) throw new Error('STREAMT_DEMO_SUFFIX must be lowercase letters');
const MODELS = ['payments_clean', 'customer_spend_5m', 'customer_totals', 'payments_enriched', 'high_risk_payments', 'payments_to_postgres'];
const named = (n) => (SUFFIX ? `${n}_${SUFFIX}` : n);
const SOURCES = { raw: SUFFIX ? `payments.raw.v1.${SUFFIX}` : 'payments.raw.v1', customers: SUFFIX ? `crm.customers.v1.${SUFFIX}` : 'crm.customers.v1' };
const FINANCE_TABLE = named('payments_clean'); // table.name.format of payments_to_postgres
const OUTPUTS = { clean: named('payments_clean'), windows: named('customer_spend_5m'), totals: named('customer_totals'), enriched: named('payments_enriched') };

/** A throw-away copy of the example (without generated/), its names suffixed when SUFFIX is set. */
function exampleCopy() {
  const tmp = mkdtempSync(join(tmpdir(), 'streamt-demo-'));
  cpSync(example, tmp, { recursive: true, filter: (src) => !src.startsWith(join(example, 'generated')) });
  if (SUFFIX) {
    const walk = (dir) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else {
          let t = readFileSync(p, 'utf8');
          for (const m of MODELS) t = t.replace(new RegExp(`\\b${m}\\b`, 'g'), named(m));
          t = t.replace(/payments\.raw\.v1/g, SOURCES.raw).replace(/crm\.customers\.v1/g, SOURCES.customers).replace(/^  name: payments$/m, `  name: payments_${SUFFIX}`);
          writeFileSync(p, t);
        }
      }
    };
    walk(tmp);
  }
  return tmp;
}

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const say = (s = '') => process.stdout.write(`${s}\n`);
const step = (s) => say(`\n${bold('▶ ' + s)}`);

const env = {
  ...process.env,
  KAFKA_BOOTSTRAP_SERVERS: stackConfig.kafka.bootstrapServers,
  SCHEMA_REGISTRY_URL: stackConfig.registry.url,
  FLINK_REST_URL: stackConfig.flink.restUrl,
  FLINK_SQL_GATEWAY_URL: stackConfig.flink.sqlGatewayUrl,
  CONNECT_REST_URL: stackConfig.connect.url,
  PAYMENTS_DB_URL: stackConfig.postgres.jdbcUrl,
};

function streamt(args, o = {}) {
  say(dim(`$ streamt ${args.join(' ')}`));
  const r = spawnSync(process.execPath, [bin, ...args], { stdio: o.capture ? 'pipe' : 'inherit', env, encoding: 'utf8' });
  if (r.status !== 0 && !o.allowFailure) throw new Error(`streamt ${args[0]} exited with ${r.status}`);
  return r;
}

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function build() {
  const dist = join(root, 'dist', 'cli', 'main.js');
  if (existsSync(dist) && statSync(dist).mtimeMs >= newest(join(root, 'src'))) return;
  step('Building streamt (npm run build)');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
}

const kafka = new kafkajs.Kafka({ clientId: 'streamt-demo', brokers: stackConfig.kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });

async function ensureSources() {
  const admin = kafka.admin();
  await admin.connect();
  const have = new Set(await admin.listTopics());
  // Sources belong to their producers (the payments API, the CRM): the demo plays them. One
  // partition each keeps the event-time watermark simple to follow.
  const missing = Object.values(SOURCES).filter((t) => !have.has(t));
  if (missing.length) await admin.createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: 1 })) });
  await admin.disconnect();
  return missing;
}

async function slots() {
  const r = await fetch(`${stackConfig.flink.restUrl}/overview`);
  return (await r.json())['slots-total'];
}

function samplePayments() {
  const customers = ['alice', 'bob', 'chen', 'dana'];
  const statuses = ['AUTHORIZED', 'CAPTURED', 'AUTHORIZED', 'DECLINED', 'CAPTURED'];
  const out = [];
  for (let i = 0; i < 24; i++) {
    const minute = String(Math.floor(i / 2)).padStart(2, '0');
    const id = `pay-${String(i + 1).padStart(3, '0')}`;
    out.push({
      key: id,
      value: JSON.stringify({
        payment_id: id,
        customer_id: customers[i % customers.length],
        card_number: `4000 0000 0000 ${String(1000 + i * 37).slice(-4)}`.replace(/ /g, ''),
        amount_cents: 500 + ((i * 7919) % 150_000),
        currency: 'EUR',
        status: statuses[i % statuses.length],
        merchant_id: `m-${(i % 3) + 1}`,
        // ISO-8601 with its UTC offset, as the source's JSON Schema (date-time) says.
        event_time: `2026-01-01T10:${minute}:${String((i * 13) % 60).padStart(2, '0')}Z`,
      }),
    });
  }
  // One later payment per customer moves the watermark past the windows, so they close.
  for (const c of customers) out.push({ key: `pay-late-${c}`, value: JSON.stringify({ payment_id: `pay-late-${c}`, customer_id: c, card_number: '4000000000009999', amount_cents: 100, currency: 'EUR', status: 'CAPTURED', merchant_id: 'm-1', event_time: '2026-01-01T11:00:00Z' }) });
  return out;
}

const profiles = [
  { customer_id: 'alice', email: 'alice@example.com', country: 'FR', risk_band: 'LOW' },
  { customer_id: 'bob', email: 'bob@example.com', country: 'DE', risk_band: 'HIGH' },
  { customer_id: 'chen', email: 'chen@example.com', country: 'NL', risk_band: 'MEDIUM' },
  { customer_id: 'dana', email: 'dana@example.com', country: 'ES', risk_band: 'LOW' },
].map((p) => ({ key: p.customer_id, value: JSON.stringify({ ...p, updated_at: '2026-01-01T09:00:00Z' }) }));

/**
 * Every record of a topic up to its end offsets at the time of the call. Reading stops when the
 * consumer's position passes each partition's end offset, never after a fixed time: on a loaded
 * machine joining a consumer group alone can take seconds.
 */
async function readTopic(topic, timeoutMs = 120_000) {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).catch(() => []);
  await admin.disconnect();
  const pending = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high) - 1n]));
  if (!pending.size) return [];
  const groupId = `streamt-demo-reader-${Date.now()}`;
  const consumer = kafka.consumer({ groupId });
  const got = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`could not read ${topic} to its end in ${timeoutMs / 1000}s`)), timeoutMs);
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        const last = pending.get(payload.partition);
        if (last !== undefined && BigInt(payload.lastOffset) >= last) pending.delete(payload.partition);
        if (!pending.size) {
          clearTimeout(timer);
          resolve();
        }
      });
      consumer.run({ eachMessage: async ({ message }) => void got.push(message.value ? JSON.parse(message.value.toString()) : null) }).catch((e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  } finally {
    await consumer.disconnect();
    const a2 = kafka.admin();
    await a2.connect();
    await a2.deleteGroups([groupId]).catch(() => {});
    await a2.disconnect();
  }
  return got.filter(Boolean);
}

/** Polls until `fn` returns a value (errors count as "not yet"); deadlines sized for a loaded machine. */
async function waitFor(what, fn, timeoutMs = 240_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

function table(rows, cols) {
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c] ?? '').length)));
  say('  ' + cols.map((c, i) => c.padEnd(widths[i])).join('  '));
  for (const r of rows) say('  ' + cols.map((c, i) => String(r[c] ?? '').padEnd(widths[i])).join('  '));
}

async function demoUp() {
  step('Starting the local stack (npm run stack -- up)');
  // Run from the test suite, the demo borrows the tests' stack and must not claim it as started by hand.
  await up({ log: (m) => say(dim(`  ${m}`)), owner: process.env.STREAMT_STACK_OWNER === 'test' ? 'test' : 'manual' });
  build();

  step('Creating the source topics the payments API and the CRM write to');
  const created = await ensureSources();
  say(created.length ? `  created ${created.join(', ')}` : '  already there');

  // The stack's TaskManager has a fixed number of slots; each Flink job of the example takes one
  // (5 models, the JDBC sink's envelope job and the continuous test customer_spend_watch).
  // Leave out what does not fit.
  const excluded = [];
  const free = await slots(); // total task slots of the stack's TaskManager
  if (free < 7) excluded.push('type:test');
  if (free < 6) excluded.push(named('high_risk_payments'));
  const exclude = excluded.flatMap((m) => ['--exclude', m]);
  if (excluded.length) say(dim(`  Left out, because the TaskManager has ${free} task slots: ${free < 6 ? 'high_risk_payments and ' : ''}the continuous test customer_spend_watch.`));

  // With a suffix, a renamed copy of the example (removed at the end); else the example itself.
  const dir = SUFFIX ? exampleCopy() : example;
  try {
    await showDemo(dir, exclude);
  } finally {
    if (SUFFIX) rmSync(dir, { recursive: true, force: true });
  }
}

async function showDemo(example, exclude) {
  // The CRM's profiles are there before the pipeline starts: payments_enriched joins each payment
  // with the profile valid at payment time (an event-time temporal join on this upsert topic).
  step('Producing the customer profiles the CRM publishes');
  const crm = kafka.producer();
  await crm.connect();
  await crm.send({ topic: SOURCES.customers, messages: profiles });
  await crm.disconnect();
  say(`  ${profiles.length} customer profiles → ${SOURCES.customers}`);

  step('Planning: what would change?');
  streamt(['plan', '-p', example, ...exclude]);
  step('Applying the plan');
  streamt(['apply', '--auto-approve', '-p', example, ...exclude]);

  step('Producing sample events');
  const producer = kafka.producer();
  await producer.connect();
  const payments = samplePayments();
  await producer.send({ topic: SOURCES.raw, messages: payments });
  await producer.disconnect();
  say(`  ${payments.length} card payments → ${SOURCES.raw} (some DECLINED, which the pipeline drops)`);

  step(`Downstream: ${OUTPUTS.clean} (declined payments dropped, card number cut to its last four digits)`);
  const clean = await waitFor('clean payments', async () => {
    const v = await readTopic(OUTPUTS.clean);
    return v.length >= 20 ? v : false;
  });
  table(clean.slice(0, 8), ['payment_id', 'customer_id', 'card_last4', 'amount_cents', 'status', 'event_time']);
  say(dim(`  … ${clean.length} records`));

  step(`Downstream: ${OUTPUTS.windows} (spend per customer, five-minute tumbling windows)`);
  const windows = await waitFor('closed windows', async () => {
    const v = await readTopic(OUTPUTS.windows);
    return v.length >= 8 ? v : false;
  });
  table(windows.sort((a, b) => (a.window_start + a.customer_id < b.window_start + b.customer_id ? -1 : 1)), ['customer_id', 'window_start', 'window_end', 'payment_count', 'total_amount_cents']);

  step(`Downstream: ${OUTPUTS.totals} (running totals, an updating result: latest value per customer)`);
  // Each customer's count of kept payments (the filter of payments_clean), known from the sample.
  const expected = new Map();
  for (const p of payments.map((m) => JSON.parse(m.value))) {
    if (['AUTHORIZED', 'CAPTURED'].includes(p.status) && p.amount_cents > 0) expected.set(p.customer_id, (expected.get(p.customer_id) ?? 0) + 1);
  }
  const latest = await waitFor('running totals of every payment', async () => {
    const m = new Map();
    for (const v of await readTopic(OUTPUTS.totals)) m.set(v.customer_id, v);
    return [...expected].every(([c, n]) => m.get(c)?.payment_count === n) ? m : false;
  });
  table([...latest.values()].sort((a, b) => (a.customer_id < b.customer_id ? -1 : 1)), ['customer_id', 'payment_count', 'lifetime_amount_cents']);

  step('Live status');
  streamt(['status', '-p', example, ...exclude], { allowFailure: true });
  step('A second plan: nothing to do');
  streamt(['plan', '-p', example, ...exclude]);
  say(`\nDone. Try changing a model in examples/payments and run ${bold(`streamt plan -p examples/payments ${exclude.join(' ')}`)}.`);
  say(`Tear down with ${bold('node scripts/demo.mjs down')} (add --keep-stack to keep the stack running).`);
}

async function demoDown(keepStack) {
  build();
  step('Deleting what the demo applied (streamt apply --prune of the project without its models)');
  const tmp = exampleCopy();
  try {
    for (const d of ['models', 'exposures', 'tests', 'sources']) rmSync(join(tmp, d), { recursive: true, force: true });
    streamt(['apply', '--auto-approve', '--prune', '-p', tmp], { allowFailure: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const admin = kafka.admin();
  await admin.connect();
  const have = new Set(await admin.listTopics());
  const topics = Object.values(SOURCES).filter((t) => have.has(t));
  if (topics.length) await admin.deleteTopics({ topics });
  await admin.disconnect();
  say(`  deleted source topics ${topics.join(', ') || '(none)'}`);
  // The table the JDBC sink created (table.name.format of payments_to_postgres): a table left by
  // an earlier run, perhaps of another version with other column types, would make the next
  // run's sink fail on its first insert.
  const pg = stackConfig.postgres;
  const dropped = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', pg.host, '-p', String(pg.port), '-U', pg.user, '-d', pg.database, '-c', `DROP TABLE IF EXISTS "${FINANCE_TABLE}"`], {
    env: { ...process.env, PGPASSWORD: pg.password },
    encoding: 'utf8',
  });
  say(dropped.status === 0 ? `  dropped table ${FINANCE_TABLE} in PostgreSQL` : `  could not drop table ${FINANCE_TABLE}: ${(dropped.stderr || dropped.error?.message || '').trim()}`);
  if (!keepStack) {
    step('Stopping the stack');
    await down({ log: (m) => say(dim(`  ${m}`)) });
  }
}

const [cmd = 'up', ...rest] = process.argv.slice(2);
try {
  if (cmd === 'up') await demoUp();
  else if (cmd === 'down') await demoDown(rest.includes('--keep-stack'));
  else {
    say('usage: node scripts/demo.mjs up | down [--keep-stack]');
    process.exitCode = 1;
  }
} catch (e) {
  process.stderr.write(`demo: ${e.message}\n`);
  process.exitCode = 1;
}
