// Flink decides in plan (issue 11, item 3; issue 10, item 3), on the real stack: a job Flink's
// planner rejects blocks the plan before anything is created, and names the model's file:line
// with Flink's message; a deployed window or Top-N whose state would mean something else is
// state-breaking by Flink's own plans, and a WHERE constant is an upgrade that keeps the state.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTopics, endpoints, eventually, http, httpOk, kafkaClient, produce, registry, SqlGatewaySession } from './helpers.js';
import { cleanupProject, JSON_MODELS, letters, readAll, runtimeYaml, TestProject } from './plan-helpers.js';

const sources = (sfx: string) => `sources:
  - name: payments
    topic: it.fp.payments.${sfx}
    columns:
      - { name: payment_id, type: STRING }
      - { name: customer_id, type: STRING }
      - { name: amount, type: BIGINT }
      - { name: ts, type: TIMESTAMP(3) }
    event_time:
      column: ts
  - name: shipments
    topic: it.fp.shipments.${sfx}
    columns:
      - { name: payment_id, type: STRING }
      - { name: ship_ts, type: TIMESTAMP(3) }
    event_time:
      column: ship_ts
  - name: customers
    topic: it.fp.customers.${sfx}
    columns:
      - { name: customer_id, type: STRING }
      - { name: segment, type: STRING }
`;
const projectYaml = (name: string) => `project:\n  name: ${name}\n${runtimeYaml()}\ndefaults:\n${JSON_MODELS}  topic:\n    partitions: 1\n    replication_factor: 1\n`;

/** What the project left on the stack: topics, subjects, running jobs, record entries. */
async function traces(project: string, topics: string[]): Promise<string[]> {
  const admin = kafkaClient().admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  await admin.disconnect();
  const found = topics.filter((t) => existing.has(t)).map((t) => `topic ${t}`);
  const subjects = ((await registry<string[]>('GET', '/subjects')).body ?? []).filter((s) => topics.some((t) => s.startsWith(t)));
  found.push(...subjects.map((s) => `subject ${s}`));
  const jobs = (await http('GET', `${endpoints.flinkRest}/jobs/overview`)).body.jobs as { name: string; state: string }[];
  found.push(...jobs.filter((j) => j.name.startsWith(`streamt.${project}.`)).map((j) => `job ${j.name} ${j.state}`));
  if (existing.has('_streamt_state')) found.push(...(await readAll('_streamt_state')).filter((r) => r.key?.startsWith(`${project}/`)).map((r) => `record ${r.key}`));
  return found;
}

describe('plan: Flink decides before anything is created', () => {
  it("a model Flink's planner rejects blocks plan and apply at its file:line with Flink's message; nothing is created", async () => {
    const sfx = letters();
    const name = `it_${sfx}`;
    // A call Flink 1.20 refuses for its argument types (LPAD wants an INTEGER length). Two judges
    // may refuse it: streamt's analyser, in validate, when it knows Flink's signatures, and
    // otherwise Flink's planner, asked by plan; either way with Flink's message at the call,
    // and nothing is created.
    const p = new TestProject(name, {
      'stream_project.yml': projectYaml(name),
      'sources/s.yml': sources(sfx),
      'models/m.yml': `models:
  - name: ok_${sfx}
    sql: |
      SELECT payment_id, amount FROM {{ source("payments") }} WHERE amount > 0
  - name: scored_${sfx}
    sql: |
      SELECT payment_id,
        LPAD(payment_id, 'x', 'y') AS padded
      FROM {{ source("payments") }}
`,
    });
    cleanupProject(p);
    const outputs = [`ok_${sfx}`, `scored_${sfx}`];
    const flinkMessage = "Cannot apply 'LPAD' to arguments of type 'LPAD(<VARCHAR(2147483647)>, <CHAR(1)>, <CHAR(1)>)'";
    const byAnalyser = new RegExp(`models/m\\.yml:8:9 error [A-Z_]+ ${flinkMessage.replace(/[()<>.*+?[\]]/g, '\\$&')}`);
    const byPlanner = new RegExp(`models/m\\.yml:8:9 error PLAN_FLINK_REJECTED Flink's planner rejects job streamt\\.it_\\w+\\.scored_\\w+: ${flinkMessage.replace(/[()<>.*+?[\]]/g, '\\$&')}`);

    const validate = await p.cli(['validate']);
    const analyserKnows = validate.code !== 0;
    if (analyserKnows) expect(validate.stderr).toMatch(byAnalyser);
    const plan = await p.cli(['plan']);
    expect(plan.code).toBe(1);
    if (analyserKnows) expect(plan.stderr).toMatch(byAnalyser);
    else {
      expect(plan.stderr).toMatch(byPlanner);
      expect(plan.stdout).toContain('✗ cannot apply (PLAN_FLINK_REJECTED)');
      expect(plan.stdout).toContain('at models/m.yml:8:9');
      const json = await p.planJson();
      const c = json.changes.find((x: any) => x.addr === `flink.job.scored_${sfx}`);
      expect(c.blocked).toMatchObject({ code: 'PLAN_FLINK_REJECTED', location: { file: 'models/m.yml', line: 8, column: 9 } });
      expect(json.changes.find((x: any) => x.addr === `flink.job.ok_${sfx}`).blocked).toBeUndefined();
    }

    const apply = await p.cli(['apply', '--auto-approve']);
    expect(apply.code).toBe(1);
    if (analyserKnows) expect(apply.stderr).toMatch(byAnalyser);
    else expect(apply.stderr).toContain('APPLY_PLAN_BLOCKED');
    expect(await traces(name, outputs)).toEqual([]);

    const v = await p.cli(['validate', '--flink']);
    expect(v.code).toBe(1);
    expect(v.stderr).toMatch(analyserKnows ? byAnalyser : new RegExp(`models/m\\.yml:8:9 error FLINK_REJECTED .*${flinkMessage.replace(/[()<>.*+?[\]]/g, '\\$&')}`));
    expect(await traces(name, outputs)).toEqual([]);
  });

  it('the SQL patterns of issue 11 that Flink rejects never get half-applied: refused at their file:line', async () => {
    const sfx = letters();
    const name = `it_${sfx}`;
    const cases: Record<string, { sql: string; line: number }> = {
      // An event-time temporal join against an append-only source: no versioned table.
      temporal: { sql: 'SELECT p.payment_id, c.segment\n      FROM {{ source("payments") }} p\n      JOIN {{ source("customers") }} FOR SYSTEM_TIME AS OF p.ts AS c ON p.customer_id = c.customer_id', line: 10 },
    };
    for (const [kind, c] of Object.entries(cases)) {
      const project = `${name}_${kind}`;
      const p = new TestProject(project, {
        'stream_project.yml': projectYaml(project),
        'sources/s.yml': sources(sfx),
        'models/m.yml': `models:\n  - name: ok_${kind}_${sfx}\n    sql: |\n      SELECT payment_id FROM {{ source("payments") }}\n  - name: bad_${kind}_${sfx}\n    key: payment_id\n    sql: |\n      ${c.sql}\n`,
      });
      cleanupProject(p);
      const plan = await p.cli(['plan']);
      expect(plan.code, `${kind}: ${plan.stdout}${plan.stderr}`).toBe(1);
      // Flink's rejection at the construct it names (line 10), or streamt's own error in the
      // model's SQL (lines 7 to 10) once its analyser knows what Flink knows.
      const flink = plan.stderr.match(/models\/m\.yml:(\d+):\d+ error PLAN_FLINK_REJECTED Flink's planner rejects job/);
      if (flink) expect(Number(flink[1]), kind).toBe(c.line);
      else expect(plan.stderr, kind).toMatch(/models\/m\.yml:(?:7|8|9|10):\d+ error [A-Z_]+ /);
      const apply = await p.cli(['apply', '--auto-approve']);
      expect(apply.code).toBe(1);
      expect(await traces(project, [`ok_${kind}_${sfx}`, `bad_${kind}_${sfx}`]), kind).toEqual([]);
    }
  });

  it("a LEFT JOIN with one time bound, which issue 11 found compiled as an append-only interval join, is a regular updating join that Flink's planner accepts", async () => {
    const sfx = letters();
    const name = `it_${sfx}_lj`;
    const p = new TestProject(name, {
      'stream_project.yml': projectYaml(name),
      'sources/s.yml': sources(sfx),
      'models/m.yml': `models:\n  - name: lj_${sfx}\n    key: payment_id\n    sql: |\n      SELECT p.payment_id, s.ship_ts\n      FROM {{ source("payments") }} p\n      LEFT JOIN {{ source("shipments") }} s ON p.payment_id = s.payment_id AND s.ship_ts >= p.ts\n`,
    });
    cleanupProject(p);
    const v = await p.cli(['validate', '--flink']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stderr + v.stdout).toContain("Flink's planner accepted 1 of 1 job");
    const plan = await p.planJson();
    const c = plan.changes.find((x: any) => x.addr === `flink.job.lj_${sfx}`);
    expect(c.blocked).toBeUndefined();
    // Compiled as Flink plans it: an updating join written to an upsert-kafka sink keyed by payment_id.
    expect((await p.cli(['compile'])).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(p.dir, 'generated', 'manifest.json'), 'utf8'));
    expect(manifest.artifacts.flink_jobs.find((j: any) => j.name === `streamt.${name}.lj_${sfx}`)).toMatchObject({ sink_connector: 'upsert-kafka', primary_key: ['payment_id'] });
  });
});

// ---------------------------------------------------------------------------------
// State compatibility judged by Flink
// ---------------------------------------------------------------------------------

const windowModel = (sfx: string, minutes: number, min: number) => `  - name: spend_${sfx}
    advanced:
      flink:
        checkpoint_interval_ms: 2000
    sql: |
      SELECT customer_id, window_start, window_end, SUM(amount) AS total, COUNT(*) AS n
      FROM TABLE(TUMBLE(TABLE {{ source("payments") }}, DESCRIPTOR(ts), INTERVAL '${minutes}' MINUTE))
      WHERE amount > ${min}
      GROUP BY customer_id, window_start, window_end
`;
const topModel = (sfx: string, n: number) => `  - name: top_${sfx}
    advanced:
      flink:
        checkpoint_interval_ms: 2000
    sql: |
      SELECT customer_id, payment_id, amount, rn FROM (
        SELECT customer_id, payment_id, amount,
          ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rn
        FROM {{ source("payments") }}
      ) WHERE rn <= ${n}
`;

interface JobInfo {
  jid: string;
  name: string;
  state: string;
}
async function runningJob(pipeline: string): Promise<JobInfo> {
  return eventually(`${pipeline} running`, async () => ((await http('GET', `${endpoints.flinkRest}/jobs/overview`)).body.jobs as JobInfo[]).find((j) => j.name === pipeline && j.state === 'RUNNING'), 180_000);
}
/** What the job restored from when it started (Flink's checkpoint statistics), or null. */
async function restored(jid: string): Promise<{ is_savepoint: boolean; external_path: string } | null> {
  const r = await http('GET', `${endpoints.flinkRest}/jobs/${jid}/checkpoints`);
  return r.body?.latest?.restored ?? null;
}
/** Whether the job completed a checkpoint of its own (by then its restore, if any, is reported). */
async function checkpointed(jid: string): Promise<boolean> {
  const r = await http('GET', `${endpoints.flinkRest}/jobs/${jid}/checkpoints`);
  return !!r.body?.latest?.completed;
}
async function committed(group: string, topic: string): Promise<number> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return offsets.flatMap((t) => t.partitions).reduce((s, x) => s + Math.max(0, Number(x.offset)), 0);
  } finally {
    await admin.disconnect();
  }
}
const payment = (id: string, amount: number, time: string) => ({ key: 'a', value: JSON.stringify({ payment_id: id, customer_id: 'a', amount, ts: `2026-01-01 ${time}` }) });

describe('state compatibility judged by Flink', () => {
  it('a WHERE constant upgrades through a savepoint and keeps the window state; 5→60 minutes and Top-3→Top-100 are state-breaking and restart empty only with --allow-state-reset', async () => {
    const sfx = letters();
    const name = `it_${sfx}`;
    const source = `it.fp.payments.${sfx}`;
    const spend = `spend_${sfx}`;
    const top = `top_${sfx}`;
    const files = (minutes: number, min: number, n: number) => ({ 'stream_project.yml': projectYaml(name), 'sources/s.yml': sources(sfx), 'models/m.yml': `models:\n${windowModel(sfx, minutes, min)}${topModel(sfx, n)}` });
    await createTopics([{ topic: source, numPartitions: 1 }]);
    const p = new TestProject(name, files(5, 0, 3));
    cleanupProject(p, [source]);
    await p.apply();
    const spendJob = await runningJob(`streamt.${name}.${spend}`);

    // Three payments in the window [10:00, 10:05), consumed and checkpointed before the upgrade:
    // a job that lost its state would not count them again.
    await produce(source, [payment('p1', 10, '10:00:10'), payment('p2', 10, '10:00:20'), payment('p3', 10, '10:00:30')]);
    await eventually('the window job committed its offsets past the three payments', async () => (await committed(`streamt.${name}.${spend}`, source)) >= 3, 180_000);

    // A WHERE constant: Flink's plans keep the same stateful operators: an upgrade.
    p.write(files(5, 5, 3));
    const upgrade = await p.planJson();
    const u = upgrade.changes.find((x: any) => x.addr === `flink.job.${spend}`);
    expect(u).toMatchObject({ action: 'update', steps: ['stop-with-savepoint', 'submit-from-savepoint'], stateJudge: 'flink-planner' });
    expect(u.reasons).toContain("state compatibility judged by Flink's planner (its plans of the recorded and the new statements compared)");
    await p.apply();
    const upgraded = await runningJob(`streamt.${name}.${spend}`);
    expect(upgraded.jid).not.toBe(spendJob.jid);
    expect(await eventually('the upgraded job restored from the savepoint', () => restored(upgraded.jid), 60_000)).toMatchObject({ is_savepoint: true });
    await produce(source, [payment('p4', 10, '10:01:00'), payment('p5', 10, '10:02:00'), payment('p6', 10, '10:20:00')]);
    const window = await eventually('the window [10:00, 10:05) closed', async () => (await readAll(spend)).map((r) => JSON.parse(r.value!)).find((v) => v.customer_id === 'a' && String(v.window_start).startsWith('2026-01-01 10:00')), 180_000);
    expect(window).toMatchObject({ total: 50, n: 5 });

    // 5 → 60 minutes and Top-3 → Top-100: state built for other semantics.
    p.write(files(60, 5, 100));
    const breaking = await p.cli(['plan']);
    expect(breaking.code).toBe(1);
    expect(breaking.stdout).toContain(`flink.job.${spend} (replace: cancel, then submit)`);
    expect(breaking.stdout).toContain("Flink's GlobalWindowAggregate changes: window=[TUMBLE(slice_end=[$slice_end], size=[5 min])] → window=[TUMBLE(slice_end=[$slice_end], size=[1 h])]");
    expect(breaking.stdout).toContain("Flink's Rank changes: rankRange=[rankStart=1, rankEnd=3] → rankRange=[rankStart=1, rankEnd=100]");
    const plan = await p.planJson();
    for (const addr of [`flink.job.${spend}`, `flink.job.${top}`]) {
      expect(plan.changes.find((x: any) => x.addr === addr), addr).toMatchObject({ action: 'replace', stateJudge: 'flink-planner', blocked: { code: 'PLAN_STATE_INCOMPATIBLE' } });
    }
    const refused = await p.cli(['apply', '--auto-approve']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('APPLY_PLAN_BLOCKED');
    expect((await runningJob(`streamt.${name}.${spend}`)).jid).toBe(upgraded.jid);

    const topBefore = await runningJob(`streamt.${name}.${top}`);
    await p.apply(['--allow-state-reset']);
    for (const [pipeline, before] of [[`streamt.${name}.${spend}`, upgraded.jid], [`streamt.${name}.${top}`, topBefore.jid]] as const) {
      const now = await runningJob(pipeline);
      expect(now.jid).not.toBe(before);
      await eventually(`${pipeline} completed a checkpoint`, () => checkpointed(now.jid), 120_000);
      expect(await restored(now.jid), pipeline).toBeNull();
      expect((await http('GET', `${endpoints.flinkRest}/jobs/${before}`)).body.state).toBe('CANCELED');
    }
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});

// ---------------------------------------------------------------------------------
// A source that moves to another topic
// ---------------------------------------------------------------------------------

describe('a source that moves to another topic', () => {
  it("is state-breaking even for a stateless job: Flink's Kafka source restored from a savepoint keeps reading the old topic; --allow-state-reset reads only the new one", async () => {
    const sfx = letters();
    const name = `it_${sfx}`;
    const [a, b] = [`it.fp.move.a.${sfx}`, `it.fp.move.b.${sfx}`];
    const copy = `copy_${sfx}`;
    const pipeline = `streamt.${name}.${copy}`;
    const files = (topic: string) => ({
      'stream_project.yml': projectYaml(name),
      'sources/s.yml': `sources:\n  - name: events\n    topic: ${topic}\n    columns:\n      - { name: id, type: STRING }\n`,
      'models/m.yml': `models:\n  - name: ${copy}\n    advanced:\n      flink:\n        checkpoint_interval_ms: 2000\n    sql: |\n      SELECT id FROM {{ source("events") }}\n`,
    });
    await createTopics([{ topic: a, numPartitions: 1 }, { topic: b, numPartitions: 1 }]);
    const p = new TestProject(name, files(a));
    cleanupProject(p, [a, b]);
    const ids = async () => (await readAll(copy)).map((r) => JSON.parse(r.value!).id as string);
    const event = (id: string) => ({ key: id, value: JSON.stringify({ id }) });

    await p.apply();
    const first = await runningJob(pipeline);
    await produce(a, [event('a1')]);
    await eventually('a1 copied and its offset committed', async () => (await ids()).includes('a1') && (await committed(pipeline, a)) >= 1, 180_000);

    // The source moves to topic b: streamt refuses to carry the savepoint over.
    p.write(files(b));
    const plan = await p.planJson();
    const c = plan.changes.find((x: any) => x.addr === `flink.job.${copy}`);
    expect(c).toMatchObject({ action: 'replace', steps: ['cancel', 'submit'], blocked: { code: 'PLAN_STATE_INCOMPATIBLE' } });
    expect(c.blocked.message).toContain(`reads topic ${b} instead of ${a}: restored from a savepoint, Flink's Kafka source would keep reading the partitions of ${a}`);

    // Flink is the judge of why: do by hand what an upgrade through a savepoint would do (stop
    // with a savepoint, submit the new statements from it) and the new job reads both topics.
    const trigger = await httpOk('POST', `${endpoints.flinkRest}/jobs/${first.jid}/stop`, { drain: false });
    const location = await eventually('the savepoint', async () => {
      const r = await httpOk('GET', `${endpoints.flinkRest}/jobs/${first.jid}/savepoints/${trigger['request-id']}`);
      if (r.status?.id !== 'COMPLETED') return undefined;
      if (!r.operation?.location) throw new Error(`stop-with-savepoint failed: ${JSON.stringify(r.operation)}`);
      return r.operation.location as string;
    }, 180_000);
    expect((await p.cli(['compile'])).code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(p.dir, 'generated', 'manifest.json'), 'utf8'));
    const statements: string[] = manifest.artifacts.flink_jobs.find((j: any) => j.name === pipeline).statements;
    const session = await SqlGatewaySession.open();
    for (const st of statements.slice(0, -1)) await session.execute(st);
    await session.execute(`SET 'execution.savepoint.path' = '${location}'`);
    const byHand = (await session.execute(statements.at(-1)!)).jobID!;
    await eventually('the job submitted by hand runs', async () => (await runningJob(pipeline)).jid === byHand, 180_000);
    await produce(a, [event('a2')]);
    await produce(b, [event('b1')]);
    await eventually('the restored job copies the new topic and the old one', async () => {
      const x = await ids();
      return x.includes('a2') && x.includes('b1');
    }, 180_000);

    // streamt's way: --allow-state-reset cancels it and starts over on topic b only.
    await p.apply(['--allow-state-reset']);
    const fresh = await runningJob(pipeline);
    expect(fresh.jid).not.toBe(byHand);
    expect((await http('GET', `${endpoints.flinkRest}/jobs/${byHand}`)).body.state).toBe('CANCELED');
    await eventually('the fresh job completed a checkpoint', () => checkpointed(fresh.jid), 120_000);
    expect(await restored(fresh.jid)).toBeNull();
    await produce(a, [event('a3')]);
    await produce(b, [event('b2')]);
    await eventually('b2 copied', async () => (await ids()).includes('b2'), 180_000);
    // a3 went to the old topic before b2 went to the new one: a job reading both would have copied it by now.
    expect(await ids()).not.toContain('a3');
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});
