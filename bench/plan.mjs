#!/usr/bin/env node
// plan and apply against the live local stack (npm run stack -- up; npm run build).
//
//   node bench/plan.mjs            # both benchmarks
//   node bench/plan.mjs plan       # plan time with 200 topics and 20 Flink jobs declared
//   node bench/plan.mjs apply      # apply time of examples/payments, parallel vs one at a time
//   node bench/plan.mjs explain    # what asking Flink's planner costs: every job of examples/payments
//
// Every run uses project and resource names with a random suffix and deletes what it created
// (streamt apply --prune of the project without models), so it can run beside the test suites.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { stackConfig, paths } from '../stack/config.mjs';

const bin = join(paths.repoRoot, 'bin', 'streamt.js');
const letters = (n = 6) => [...randomBytes(n)].map((b) => 'abcdefghijklmnopqrstuvwxyz'[b % 26]).join('');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const log = (s) => process.stdout.write(`${s}\n`);

const runtime = `runtime:
  kafka:
    bootstrap_servers: ${stackConfig.kafka.bootstrapServers}
  schema_registry:
    url: ${stackConfig.registry.url}
  flink:
    default: local
    clusters:
      local:
        rest_url: ${stackConfig.flink.restUrl}
        sql_gateway_url: ${stackConfig.flink.sqlGatewayUrl}
  connect:
    default: local
    clusters:
      local:
        rest_url: ${stackConfig.connect.url}
`;

function streamt(args, dir) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, ...args, '-p', dir], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', PAYMENTS_DB_URL: stackConfig.postgres.jdbcUrl } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ...r, ms };
}

function must(r, what) {
  if (r.status !== 0 && r.status !== 2) throw new Error(`${what} exited with ${r.status}:\n${r.stderr.slice(-3000)}`);
  return r;
}

const kafka = new kafkajs.Kafka({ clientId: 'streamt-bench', brokers: stackConfig.kafka.brokers, logLevel: kafkajs.logLevel.NOTHING });
async function topics(action, names) {
  const admin = kafka.admin();
  await admin.connect();
  if (action === 'create') await admin.createTopics({ waitForLeaders: true, topics: names.map((topic) => ({ topic, numPartitions: 1 })) });
  else {
    const have = new Set(await admin.listTopics());
    const del = names.filter((n) => have.has(n));
    if (del.length) await admin.deleteTopics({ topics: del });
  }
  await admin.disconnect();
}

function teardown(dir) {
  for (const d of ['models', 'exposures', 'tests']) rmSync(join(dir, d), { recursive: true, force: true });
  must(streamt(['apply', '--auto-approve', '--prune', '--parallelism', '8'], dir), 'apply --prune (clean-up)');
}

async function slotsTotal() {
  return (await (await fetch(`${stackConfig.flink.restUrl}/overview`)).json())['slots-total'];
}

async function benchPlan() {
  const sfx = letters();
  const dir = mkdtempSync(join(tmpdir(), 'streamt-bench-plan-'));
  const source = `bench.src.${sfx}`;
  const topicModels = Array.from({ length: 180 }, (_, i) => `  - name: t${String(i).padStart(3, '0')}_${sfx}\n    materialized: topic\n    topic:\n      config:\n        retention.ms: "86400000"\n    columns:\n      - { name: k, type: STRING }\n`);
  const jobModels = Array.from({ length: 20 }, (_, i) => `  - name: j${String(i).padStart(2, '0')}_${sfx}\n    sql: |\n      SELECT k, v FROM {{ source("src") }} WHERE v > ${i}\n`);
  mkdirSync(join(dir, 'models'), { recursive: true });
  mkdirSync(join(dir, 'sources'), { recursive: true });
  writeFileSync(join(dir, 'stream_project.yml'), `project:\n  name: bench_${sfx}\n${runtime}defaults:\n  topic:\n    partitions: 1\n    replication_factor: 1\n`);
  writeFileSync(join(dir, 'sources', 's.yml'), `sources:\n  - name: src\n    topic: ${source}\n    columns:\n      - { name: k, type: STRING }\n      - { name: v, type: BIGINT }\n`);
  writeFileSync(join(dir, 'models', 'm.yml'), `models:\n${topicModels.join('')}${jobModels.join('')}`);
  await topics('create', [source]);
  try {
    const empty = [];
    for (let i = 0; i < 3; i++) empty.push(must(streamt(['plan', '--format', 'json'], dir), 'plan').ms);
    // 200 topics (180 topic models and the 20 job outputs) and as many of the 20 jobs as the
    // TaskManager has slots for; the others stay declared and not running.
    const slots = await slotsTotal();
    const running = Math.min(20, Math.max(0, slots));
    const select = Array.from({ length: running }, (_, i) => ['--select', `j${String(i).padStart(2, '0')}_${sfx}`]).flat();
    const applyTopics = must(streamt(['apply', '--auto-approve', '--exclude', 'j*', '--parallelism', '8'], dir), 'apply topics');
    must(streamt(['apply', '--auto-approve', ...select, '--parallelism', '4'], dir), 'apply jobs');
    // The outputs of the jobs that do not run exist too: the stack holds 200 topics.
    await topics('create', Array.from({ length: 20 - running }, (_, i) => `j${String(i + running).padStart(2, '0')}_${sfx}`));
    const full = [];
    let plan;
    for (let i = 0; i < 5; i++) {
      const r = must(streamt(['plan', '--format', 'json'], dir), 'plan');
      full.push(r.ms);
      plan = JSON.parse(r.stdout);
    }
    const existing = plan.changes.filter((c) => c.action === 'no-op').length;
    log('\n## plan: 200 topics and 20 Flink jobs declared');
    log(`TaskManager slots: ${slots}; jobs running: ${running}; resources already matching: ${existing} of ${plan.changes.length}`);
    log(`| scenario | plan wall, process included (median ms) | runs |`);
    log(`|---|---:|---|`);
    log(`| nothing applied yet | ${median(empty).toFixed(0)} | ${empty.map((x) => x.toFixed(0)).join(', ')} |`);
    log(`| 200 topics and ${running} jobs live | ${median(full).toFixed(0)} | ${full.map((x) => x.toFixed(0)).join(', ')} |`);
    log(`(apply of the 200 topics: ${applyTopics.ms.toFixed(0)} ms)`);
  } finally {
    teardown(dir);
    await topics('delete', [source]);
    rmSync(dir, { recursive: true, force: true });
  }
}

function paymentsCopy(sfx) {
  const dir = mkdtempSync(join(tmpdir(), 'streamt-bench-pay-'));
  cpSync(join(paths.repoRoot, 'examples', 'payments'), dir, { recursive: true });
  const models = ['payments_clean', 'customer_spend_5m', 'customer_totals', 'payments_enriched', 'high_risk_payments', 'payments_to_postgres'];
  const walk = (d) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else {
        let t = readFileSync(p, 'utf8');
        for (const m of models) t = t.replace(new RegExp(`\\b${m}\\b`, 'g'), `${m}_${sfx}`);
        t = t.replace(/payments\.raw\.v1/g, `payments.raw.v1.${sfx}`).replace(/crm\.customers\.v1/g, `crm.customers.v1.${sfx}`).replace(/^  name: payments$/m, `  name: payments_${sfx}`);
        writeFileSync(p, t);
      }
    }
  };
  walk(dir);
  return dir;
}

async function benchApply() {
  const slots = await slotsTotal();
  const narrow = slots >= 6 ? [] : slots >= 5 ? ['--exclude', 'type:test'] : ['--exclude', 'type:test', '--exclude', 'high_risk_payments_*'];
  const rows = [];
  for (const parallelism of [4, 1, 4, 1]) {
    const sfx = letters();
    const dir = paymentsCopy(sfx);
    const sources = [`payments.raw.v1.${sfx}`, `crm.customers.v1.${sfx}`];
    await topics('create', sources);
    try {
      const r = must(streamt(['apply', '--auto-approve', '--parallelism', String(parallelism), ...narrow], dir), 'apply');
      const n = (r.stderr.match(/(\d+) applied/) ?? [])[1];
      rows.push({ parallelism, ms: r.ms, changes: n });
    } finally {
      teardown(dir);
      rmSync(join(dir, 'sources'), { recursive: true, force: true });
      teardown(dir);
      await topics('delete', sources);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  log('\n## apply: examples/payments into an empty stack');
  log(`Left out for the ${slots}-slot TaskManager: ${narrow.filter((x) => x !== '--exclude').join(', ') || 'nothing'}`);
  log('| --parallelism | changes | apply wall, process included (ms) |');
  log('|---:|---:|---:|');
  for (const r of rows) log(`| ${r.parallelism} | ${r.changes} | ${r.ms.toFixed(0)} |`);
}

/**
 * What "Flink decides in plan" costs: every compiled job of examples/payments put through
 * FlinkAdapter.explain (a SQL Gateway session, its tables, one EXPLAIN, the session closed),
 * one at a time and two at a time (plan's bound), three rounds each.
 */
async function benchExplain() {
  const dist = (p) => import(join(paths.repoRoot, 'dist', p));
  const [{ readProjectFiles }, { loadProject }, { resolveProject }, { compileProject }, { FlinkAdapter }, { mapBounded }] = await Promise.all(
    ['project/files.js', 'project/load.js', 'resolve/resolve.js', 'compile/compile.js', 'adapters/flink/client.js', 'core/bounded.js'].map(dist),
  );
  const loaded = loadProject(readProjectFiles(join(paths.repoRoot, 'examples', 'payments')), { processEnv: { PAYMENTS_DB_URL: stackConfig.postgres.jdbcUrl } });
  const result = compileProject(resolveProject(loaded.project), { compiledAt: '1970-01-01T00:00:00.000Z' });
  const jobs = result.artifacts.flinkJobs;
  const flink = new FlinkAdapter('local', { rest_url: stackConfig.flink.restUrl, sql_gateway_url: stackConfig.flink.sqlGatewayUrl });
  const perJob = [];
  const rounds = [];
  for (let round = 0; round < 3; round++) {
    for (const bound of [1, 2]) {
      const t0 = process.hrtime.bigint();
      await mapBounded(jobs, bound, async (j) => {
        const t = process.hrtime.bigint();
        const e = await flink.explain(j.spec.statements);
        if (!e.accepted) throw new Error(`${j.spec.name}: ${e.rejection.message}`);
        if (bound === 1) perJob.push(Number(process.hrtime.bigint() - t) / 1e6);
      });
      rounds.push({ bound, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
    }
  }
  log(`\n## explain: the ${jobs.length} jobs of examples/payments through Flink's planner`);
  log(`one job: median ${median(perJob).toFixed(0)} ms (min ${Math.min(...perJob).toFixed(0)}, max ${Math.max(...perJob).toFixed(0)}, ${perJob.length} runs)`);
  log('| at once | all jobs, median of 3 (ms) | runs (ms) |');
  log('|---:|---:|---|');
  for (const bound of [1, 2]) {
    const xs = rounds.filter((r) => r.bound === bound).map((r) => r.ms);
    log(`| ${bound} | ${median(xs).toFixed(0)} | ${xs.map((x) => x.toFixed(0)).join(', ')} |`);
  }
}

const which = process.argv[2] ?? 'all';
if (which === 'plan' || which === 'all') await benchPlan();
if (which === 'apply' || which === 'all') await benchApply();
if (which === 'explain' || which === 'all') await benchExplain();
