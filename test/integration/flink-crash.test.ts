// The TaskManager dies (SIGKILL, as a crash or an OOM kill would) while records flow into stateful
// jobs applied by streamt, and is started again through the stack's own API: jobs with the default
// restart strategy restart from their last checkpoint by themselves and lose no record; in
// exactly-once mode a read_committed reader sees every count exactly once; a job that cannot
// restart (restart_strategy: none) ends FAILED and the next plan restores it from its retained
// checkpoint. docs/plan-apply.md ("State: checkpoints, restarts, delivery, restores") cites it.
//
// The stack is shared: the TaskManager is started again at once (finally), so the outage is as
// short as its start; other test runs' jobs restart too (see the briefing).
import { describe, expect, it } from 'vitest';
import { kill, start } from '../../stack/api.mjs';
import { committedOffsets, createTopics, eventually, flinkCheckpoints, flinkJob, kafkaClient, readToEnd, runningJobId, taskManagerKafkaConfigs } from './helpers.js';
import { cleanupProject, JSON_MODELS, latestByKey, letters, runtimeYaml, TestProject } from './plan-helpers.js';

const KEYS = ['k0', 'k1', 'k2', 'k3'];

function project(sfx: string): Record<string, string> {
  const model = (name: string, flink: string) => `  - name: ${name}
    key: k
    advanced:
      flink:
${flink.replace(/^/gm, '        ')}
    sql: |
      SELECT k, COUNT(*) AS n, SUM(v) AS total FROM {{ source("events") }} GROUP BY k
`;
  return {
    'stream_project.yml': `project:\n  name: it_${sfx}\n${runtimeYaml()}defaults:\n${JSON_MODELS}  topic:\n    partitions: 1\n    replication_factor: 1\n`,
    'sources/s.yml': `sources:\n  - name: events\n    topic: it.crash.${sfx}\n    columns:\n      - { name: k, type: STRING }\n      - { name: v, type: BIGINT }\n`,
    'models/m.yml': `models:\n${[
      model(`eo_${sfx}`, 'checkpoint_interval_ms: 2000\ndelivery: exactly_once'),
      model(`alo_${sfx}`, 'checkpoint_interval_ms: 2000'),
      model(`none_${sfx}`, 'checkpoint_interval_ms: 2000\nrestart_strategy: none'),
      // No checkpoint while the test runs: nothing to restore it from once it has FAILED.
      model(`lost_${sfx}`, 'checkpoint_interval_ms: 3600000\nrestart_strategy: none'),
    ].join('')}`,
  };
}

async function endOffset(topic: string): Promise<number> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((a, p) => a + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Per key, the (n, total) of every output record, in order. */
async function outputs(topic: string): Promise<Map<string, { n: number; total: number }[]>> {
  const m = new Map<string, { n: number; total: number }[]>();
  for (const r of await readToEnd(topic)) {
    if (r.key === null || r.value === null) continue;
    const v = JSON.parse(r.value);
    m.set(r.key, [...(m.get(r.key) ?? []), { n: v.n, total: v.total }]);
  }
  return m;
}

describe('Flink state: the TaskManager is killed while records flow', () => {
  it('jobs restart from their checkpoint with no record lost; exactly-once output has no duplicate; a job that cannot restart is restored by plan', async () => {
    const sfx = letters();
    const source = `it.crash.${sfx}`;
    const [eo, alo, none, lost] = [`eo_${sfx}`, `alo_${sfx}`, `none_${sfx}`, `lost_${sfx}`];
    const pipeline = (m: string) => `streamt.it_${sfx}.${m}`;
    const p = new TestProject(`it_${sfx}`, project(sfx));
    await createTopics([{ topic: source }]);
    cleanupProject(p);
    await p.apply();
    const jid = Object.fromEntries(await Promise.all([eo, alo, none, lost].map(async (m) => [m, await eventually(`${m} running`, () => runningJobId(pipeline(m)))] as const)));

    // Every record sent, per key: v is the sequence number, so each key's running totals are known.
    const sentValues = new Map<string, number[]>(KEYS.map((k) => [k, []]));
    const producer = kafkaClient().producer();
    await producer.connect();
    let seq = 0;
    const sendOne = async () => {
      const k = KEYS[seq % KEYS.length]!;
      const v = ++seq;
      await producer.send({ topic: source, messages: [{ key: k, value: JSON.stringify({ k, v }) }] });
      sentValues.get(k)!.push(v);
    };
    let flowing = true;
    const flow = (async () => {
      while (flowing) {
        await sendOne();
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    let restarted = false;
    try {
      // Each job has a completed checkpoint holding records (its offsets are committed with it).
      for (const m of [eo, alo, none]) await eventually(`a checkpoint of ${m} with records`, async () => ((await committedOffsets(pipeline(m), source)).get(0) ?? -1) > 20);
      const before = Object.fromEntries(await Promise.all([eo, alo].map(async (m) => [m, (await flinkCheckpoints(jid[m]!)).latest.completed.id as number] as const)));

      expect(await kill('flink-taskmanager')).toBe('killed');
      try {
        await sendOne();
      } finally {
        await start('flink-taskmanager');
        restarted = true;
      }

      // The same jobs (no resubmission) run again, restored from a checkpoint taken before the crash
      // or after it; none_ cannot restart and ends FAILED.
      for (const m of [eo, alo]) {
        await eventually(`${m} restored from its checkpoint`, async () => {
          const [j, c] = await Promise.all([flinkJob(jid[m]!), flinkCheckpoints(jid[m]!)]);
          return j.state === 'RUNNING' && j.vertices.every((v: any) => v.status === 'RUNNING') && c.counts.restored >= 1 && c.latest.restored?.id >= before[m]!;
        }, 300_000);
      }
      for (const m of [none, lost]) await eventually(`${m} FAILED`, async () => (await flinkJob(jid[m]!)).state === 'FAILED', 300_000);
      expect((await flinkCheckpoints(jid[lost]!)).latest.completed).toBeNull();
      // Records keep flowing into the restarted jobs for a while.
      const now = seq;
      await eventually('records counted after the restart', async () => ((await latestByKey(alo)).get(KEYS[0]!)?.n ?? 0) * KEYS.length > now);
    } finally {
      flowing = false;
      await flow;
      await producer.disconnect();
      if (!restarted) await start('flink-taskmanager');
    }

    const expected = new Map(KEYS.map((k) => [k, sentValues.get(k)!]));
    const runningTotals = (vs: number[]) => vs.map((_, i) => ({ n: i + 1, total: vs.slice(0, i + 1).reduce((a, b) => a + b, 0) }));
    const settled = async (topic: string) => {
      const latest = await latestByKey(topic);
      return KEYS.every((k) => latest.get(k)?.n === expected.get(k)!.length && latest.get(k)?.total === expected.get(k)!.reduce((a, b) => a + b, 0));
    };

    // No loss: every key's final count and sum take every record sent, once.
    await eventually(`${eo} counted every record`, () => settled(eo), 300_000);
    await eventually(`${alo} counted every record`, () => settled(alo), 300_000);

    // Exactly-once, read_committed: each key's output is its running count and sum, every step
    // once, in order: no duplicate, no gap, nothing from an aborted transaction.
    const eoOut = await outputs(eo);
    for (const k of KEYS) expect(eoOut.get(k), k).toEqual(runningTotals(expected.get(k)!));
    // Written in transactions: each commit or abort marker takes an offset, so the topic's end
    // offset is above its number of records; the at-least-once topic has none.
    const records = (m: Map<string, unknown[]>) => [...m.values()].reduce((a, v) => a + v.length, 0);
    expect(await endOffset(eo)).toBeGreaterThan(records(eoOut));
    // The sink's producers are transactional, named after the pipeline, with the 15 min timeout
    // streamt sets (the connector's own 1 h default is above the broker's maximum).
    const producers = taskManagerKafkaConfigs('Producer').filter((c) => c['transactional.id']?.startsWith(`${pipeline(eo)}-`));
    expect(producers.length).toBeGreaterThan(0);
    expect(new Set(producers.map((c) => c['transaction.timeout.ms']))).toEqual(new Set(['900000']));

    // At-least-once: every step is there at least once (records replayed after the restore may be
    // written twice), and the last one is the full count.
    const aloOut = await outputs(alo);
    for (const k of KEYS) {
      const got = aloOut.get(k)!;
      expect(new Set(got.map((x) => JSON.stringify(x))), k).toEqual(new Set(runningTotals(expected.get(k)!).map((x) => JSON.stringify(x))));
      expect(got.at(-1)).toEqual(runningTotals(expected.get(k)!).at(-1));
    }
    expect(await endOffset(alo)).toBe(records(aloOut));

    // The FAILED jobs. Without a checkpoint, plan is blocked and says what would be lost.
    const plan = await p.planJson();
    const l = plan.changes.find((x: any) => x.addr === `flink.job.${lost}`);
    expect(l).toMatchObject({ action: 'create', steps: ['submit'], blocked: { code: 'PLAN_STATE_LOSS' } });
    expect(l.blocked.message).toContain(`(the last one, ${jid[lost]}, is FAILED) and has no savepoint or retained checkpoint to restore from: submitting it starts empty and loses the state of`);
    expect(l.blocked.message).toMatch(/COUNT\(\*\)/);
    // With its retained checkpoint, plan restores it; the running jobs are unchanged.
    const c = plan.changes.find((x: any) => x.addr === `flink.job.${none}`);
    expect(c).toMatchObject({ action: 'create', steps: ['submit-from-savepoint'] });
    expect(c.blocked ?? null).toBeNull();
    expect(c.reasons[0]).toContain(`the job is FAILED (${jid[none]}); its last checkpoint was retained: resume from`);
    expect(c.fields.find((f: any) => f.field === 'execution.savepoint.path').after).toMatch(new RegExp(`/${jid[none]}/chk-\\d+$`));
    expect(plan.changes.filter((x: any) => x.action !== 'no-op').map((x: any) => x.addr).sort()).toEqual([`flink.job.${lost}`, `flink.job.${none}`]);
    // A blocked change makes the whole plan unappliable: apply the restorable one alone.
    await p.apply(['--select', none]);
    // Its state comes back: started empty from the committed offsets, it would count fewer.
    await eventually(`${none} counted every record`, () => settled(none), 300_000);
    expect((await p.cli(['plan', '--detailed-exitcode', '--exclude', lost])).code).toBe(0);
  }, 900_000);
});
