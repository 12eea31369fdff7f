// What streamt promises about a Flink job's state, checked on the real Flink 1.20 and Kafka of the
// stack: a job applied by streamt checkpoints where runtime says and commits its source offsets to
// Kafka; every setting streamt sends is one Flink applies to the job (the SQL Gateway accepts any
// key silently, so only the job's behaviour and Flink's own reports prove it); stop-with-savepoint
// writes to the cluster's savepoint_dir; a job cancelled by hand is restored from its retained
// checkpoint, or the plan is blocked when there is nothing to restore, and --allow-state-reset
// starts it empty. docs/plan-apply.md ("State: checkpoints, restarts, delivery, restores") cites
// these tests.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedOffsets, createTopics, endpoints, eventually, flinkCheckpoints, flinkJob, http, jobManagerLogLines, onCleanup, produce, readToEnd, runningJobId, taskManagerKafkaConfigs } from './helpers.js';
import { cleanupProject, JSON_MODELS, latestByKey, letters, runtimeYaml, TestProject } from './plan-helpers.js';

const record = (k: string, v: number) => ({ key: k, value: JSON.stringify({ k, v }) });

/** A project whose models count records per key (stateful: a GROUP BY aggregation). */
function project(sfx: string, models: { name: string; where?: string; flink: string }[], dirs: { checkpointDir?: string; savepointDir?: string } = {}): Record<string, string> {
  return {
    'stream_project.yml': `project:\n  name: it_${sfx}\n${runtimeYaml(dirs)}defaults:\n${JSON_MODELS}  topic:\n    partitions: 1\n    replication_factor: 1\n`,
    'sources/s.yml': `sources:\n  - name: events\n    topic: it.state.${sfx}\n    columns:\n      - { name: k, type: STRING }\n      - { name: v, type: BIGINT }\n`,
    'models/m.yml': `models:\n${models
      .map(
        (m) => `  - name: ${m.name}
    key: k
    advanced:
      flink:
${m.flink.replace(/^/gm, '        ')}
    sql: |
      SELECT k, COUNT(*) AS n, SUM(v) AS total FROM {{ source("events") }} WHERE v ${m.where ?? '> -1000'} GROUP BY k
`,
      )
      .join('')}`,
  };
}

/** Cancels a job by hand, as an operator would in the Flink UI: `PATCH /jobs/:id?mode=cancel`. */
async function cancelByHand(jid: string): Promise<void> {
  const r = await http('PATCH', `${endpoints.flinkRest}/jobs/${jid}?mode=cancel`);
  expect(r.status).toBe(202);
  await eventually(`job ${jid} CANCELED`, async () => (await flinkJob(jid)).state === 'CANCELED');
}

/** Per key, the `n` of every record of an output topic, in order. */
async function countsByKey(topic: string): Promise<Map<string, number[]>> {
  const m = new Map<string, number[]>();
  for (const r of await readToEnd(topic)) if (r.key !== null && r.value !== null) m.set(r.key, [...(m.get(r.key) ?? []), JSON.parse(r.value).n]);
  return m;
}

const latestN = async (topic: string, key: string) => (await latestByKey(topic)).get(key)?.n;

describe('Flink state: checkpoints, offsets and the settings streamt sends', () => {
  it('checkpoints into checkpoint_dir, commits source offsets to Kafka, and Flink applies every setting', async () => {
    const sfx = letters();
    const dirs = mkdtempSync(join(tmpdir(), 'streamt-it-state-'));
    onCleanup(`remove ${dirs}`, () => rmSync(dirs, { recursive: true, force: true }));
    const checkpointDir = `file://${dirs}/checkpoints`;
    const savepointDir = `file://${dirs}/savepoints`;
    const counts = `counts_${sfx}`;
    const ttl = `ttl_${sfx}`;
    const models = (where = '> -1000') => [
      { name: counts, where, flink: 'checkpoint_interval_ms: 2000\nparallelism: 2\nstate_backend: rocksdb' },
      { name: ttl, flink: 'checkpoint_interval_ms: 2000\nstate_ttl_ms: 1000\nrestart_strategy: fixed-delay\nrestart_attempts: 3' },
    ];
    const source = `it.state.${sfx}`;
    const p = new TestProject(`it_${sfx}`, project(sfx, models(), { checkpointDir, savepointDir }));
    await createTopics([{ topic: source }]);
    cleanupProject(p);
    await p.apply();

    const name = (m: string) => `streamt.it_${sfx}.${m}`;
    const jid = await eventually('counts job running', () => runningJobId(name(counts)));
    const ttlJid = await eventually('ttl job running', () => runningJobId(name(ttl)));

    // pipeline.name and parallelism.default: the job's name and every operator's parallelism.
    const job = await flinkJob(jid);
    expect(job.name).toBe(name(counts));
    expect(job.vertices.map((v: any) => v.parallelism)).toEqual(job.vertices.map(() => 2));
    expect((await flinkJob(ttlJid)).vertices.map((v: any) => v.parallelism)).toEqual((await flinkJob(ttlJid)).vertices.map(() => 1));

    // execution.checkpointing.interval, ...externalized-checkpoint-retention, state.backend.type.
    const config = (await http('GET', `${endpoints.flinkRest}/jobs/${jid}/checkpoints/config`)).body;
    expect(config).toMatchObject({ mode: 'exactly_once', interval: 2000, externalization: { enabled: true, delete_on_cancellation: false }, state_backend: 'EmbeddedRocksDBStateBackend', checkpoint_storage: 'FileSystemCheckpointStorage' });
    expect((await http('GET', `${endpoints.flinkRest}/jobs/${ttlJid}/checkpoints/config`)).body).toMatchObject({ interval: 2000, state_backend: 'HashMapStateBackend' });

    // restart-strategy.*: Flink 1.20 reports the strategy a job runs with only in the JobMaster's
    // log (REST /jobs/:id/config shows the deprecated ExecutionConfig: "Cluster level default").
    const strategy = (id: string) => jobManagerLogLines(id).find((l) => l.includes('Using restart back off time strategy')) ?? '';
    expect(strategy(jid)).toMatch(/ExponentialDelayRestartBackoffTimeStrategy\(initialBackoffMS=1000, maxBackoffMS=60000, .*attemptsBeforeResetBackoff=10,/);
    expect(strategy(ttlJid)).toMatch(/FixedDelayRestartBackoffTimeStrategy\(maxNumberRestartAttempts=3, backoffTimeMS=10000\)/);

    // Checkpoints complete, into checkpoint_dir, and the source commits the checkpointed offsets
    // to the job's consumer group (read from Kafka itself).
    await produce(source, [record('a', 1), record('b', 2), record('a', 3), record('b', 4), record('a', 5), record('b', 6)]);
    await eventually('6 records counted', async () => (await latestN(counts, 'a')) === 3 && (await latestN(counts, 'b')) === 3);
    await eventually('offset 6 committed to Kafka by the checkpoints of the counts job', async () => (await committedOffsets(name(counts), source)).get(0) === 6);
    await eventually('offset 6 committed by the ttl job', async () => (await committedOffsets(name(ttl), source)).get(0) === 6);
    // The Kafka source reads committed records only (properties.isolation.level), with the group.
    const consumers = taskManagerKafkaConfigs('Consumer').filter((c) => c['group.id'] === name(counts));
    expect(consumers.length).toBeGreaterThan(0);
    expect(new Set(consumers.map((c) => c['isolation.level']))).toEqual(new Set(['read_committed']));
    const cps = await flinkCheckpoints(jid);
    expect(cps.counts.completed).toBeGreaterThan(0);
    expect(cps.latest.completed.external_path).toMatch(new RegExp(`^file:${dirs}/checkpoints/${jid}/chk-\\d+$`));
    expect(readdirSync(join(dirs, 'checkpoints'))).toContain(jid);

    // table.exec.state.ttl: the ttl job forgets a key idle for more than 1 s, so its count starts
    // again at 1; the counts job (no TTL) never does. Each round waits until the record is counted,
    // then leaves the key idle for longer than the TTL (the state's processing-time clock) before
    // the next one: on a quiet machine the rounds alone can follow each other faster than 1 s.
    let sent = 0;
    const restarted = await eventually('the ttl job to count key t from 1 again', async () => {
      if (sent > 0) await new Promise((r) => setTimeout(r, 2_000));
      await produce(source, [record('t', 1)]);
      sent++;
      await eventually(`record ${sent} of t counted by the counts job`, async () => (await latestN(counts, 't')) === sent);
      const seen = (await countsByKey(ttl)).get('t') ?? [];
      return seen.filter((n) => n === 1).length >= 2 ? seen : false;
    }, 240_000, 0);
    expect(restarted[0]).toBe(1);
    expect((await countsByKey(counts)).get('t')).toEqual(Array.from({ length: sent }, (_, i) => i + 1));

    // Stop-with-savepoint (a state-compatible change: a constant) writes into savepoint_dir, and
    // the new job restores from there: the count continues.
    p.write(project(sfx, models('> -2000'), { checkpointDir, savepointDir }));
    const upgrade = await p.planJson();
    expect(upgrade.changes.find((c: any) => c.addr === `flink.job.${counts}`)).toMatchObject({ action: 'update', steps: ['stop-with-savepoint', 'submit-from-savepoint'] });
    const applied = await p.apply();
    const location = applied.stderr.match(/submitting \S+ from (\S+)/)?.[1] ?? '';
    expect(location).toMatch(new RegExp(`^file:${dirs}/savepoints/savepoint-`));
    expect(readdirSync(join(dirs, 'savepoints')).some((d) => d.startsWith('savepoint-'))).toBe(true);
    const upgraded = await eventually('the upgraded counts job running', () => runningJobId(name(counts)));
    expect(upgraded).not.toBe(jid);
    expect((await flinkCheckpoints(upgraded)).latest.restored).toMatchObject({ is_savepoint: true, external_path: location });
    await produce(source, [record('a', 7)]);
    await eventually('the count of a continues at 4', async () => (await latestN(counts, 'a')) === 4);
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  }, 600_000);
});

describe('Flink state: a stateful job cancelled by hand', () => {
  it('with nothing to restore, plan is blocked and names the state that would be lost; --allow-state-reset starts it empty', async () => {
    const sfx = letters();
    const m = `lost_${sfx}`;
    const source = `it.state.${sfx}`;
    // A checkpoint every hour: none is taken while the test runs, so there is nothing to restore.
    const p = new TestProject(`it_${sfx}`, project(sfx, [{ name: m, flink: 'checkpoint_interval_ms: 3600000' }]));
    await createTopics([{ topic: source }]);
    cleanupProject(p);
    await p.apply();
    const jid = await eventually('job running', () => runningJobId(`streamt.it_${sfx}.${m}`));
    await produce(source, [record('a', 1), record('a', 2), record('a', 3)]);
    await eventually('3 counted', async () => (await latestN(m, 'a')) === 3);
    await cancelByHand(jid);
    expect((await flinkCheckpoints(jid)).latest.completed).toBeNull();

    const blocked = await p.cli(['plan']);
    expect(blocked.code, blocked.stderr).toBe(1);
    expect(blocked.stdout).toContain('PLAN_STATE_LOSS');
    expect(blocked.stdout).toContain(`(the last one, ${jid}, is CANCELED) and has no savepoint or retained checkpoint to restore from`);
    // What would be lost: the stateful operators of the job.
    expect(blocked.stdout).toMatch(/loses the state of [^\n]*COUNT\(\*\)/);
    expect(blocked.stdout).toContain('--allow-state-reset');
    const refused = await p.cli(['apply']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('APPLY_PLAN_BLOCKED');
    expect(await runningJobId(`streamt.it_${sfx}.${m}`)).toBeUndefined();

    const reset = await p.planJson(['--allow-state-reset']);
    const c = reset.changes.find((x: any) => x.addr === `flink.job.${m}`);
    expect(c).toMatchObject({ action: 'create', steps: ['submit'] });
    expect(c.blocked ?? null).toBeNull();
    expect(c.reasons.join(' ')).toContain('--allow-state-reset: it starts without the state of');
    await p.apply(['--allow-state-reset']);
    // Empty state, and no offsets were committed (no checkpoint): the input is read again from
    // the earliest record and counted from 1 again.
    await produce(source, [record('a', 4)]);
    const seen = await eventually('a counted again from 1', async () => {
      const n = (await countsByKey(m)).get('a') ?? [];
      return n.at(-1) === 4 ? n : false;
    });
    expect(seen).toEqual([1, 2, 3, 1, 2, 3, 4]);
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  }, 600_000);

  it('with a retained checkpoint, plan restores from it and the count continues; --allow-state-reset starts it empty', async () => {
    const sfx = letters();
    const m = `kept_${sfx}`;
    const source = `it.state.${sfx}`;
    const pipeline = `streamt.it_${sfx}.${m}`;
    const p = new TestProject(`it_${sfx}`, project(sfx, [{ name: m, flink: 'checkpoint_interval_ms: 2000' }]));
    await createTopics([{ topic: source }]);
    cleanupProject(p);
    await p.apply();
    const first = await eventually('job running', () => runningJobId(pipeline));
    await produce(source, [record('a', 1), record('a', 2), record('a', 3)]);
    await eventually('3 counted', async () => (await latestN(m, 'a')) === 3);
    // A checkpoint that holds the 3 records (its offsets are committed with it).
    await eventually('a checkpoint after the 3 records', async () => (await committedOffsets(pipeline, source)).get(0) === 3);
    await cancelByHand(first);

    const plan = await p.planJson();
    const c = plan.changes.find((x: any) => x.addr === `flink.job.${m}`);
    expect(c).toMatchObject({ action: 'create', steps: ['submit-from-savepoint'] });
    expect(c.blocked ?? null).toBeNull();
    expect(c.reasons[0]).toContain(`the job is CANCELED (${first}); its last checkpoint was retained: resume from`);
    const checkpoint = c.fields.find((f: any) => f.field === 'execution.savepoint.path').after;
    expect(checkpoint).toMatch(new RegExp(`/${first}/chk-\\d+$`));
    expect(checkpoint).toBe((await flinkCheckpoints(first)).latest.completed.external_path);

    await produce(source, [record('a', 4), record('a', 5)]);
    await p.apply();
    const second = await eventually('restored job running', () => runningJobId(pipeline));
    // Flink counts a restore through execution.savepoint.path as a savepoint restore, whatever it reads.
    expect((await flinkCheckpoints(second)).latest.restored).toMatchObject({ external_path: checkpoint });
    await eventually('the count continues to 5', async () => (await latestN(m, 'a')) === 5);
    expect((await countsByKey(m)).get('a')).toEqual([1, 2, 3, 4, 5]);
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);

    // Cancelled again, after a checkpoint of the 5 records: --allow-state-reset starts empty and
    // reads on from the committed offsets, so the next record is counted 1.
    await eventually('a checkpoint after the 5 records', async () => (await committedOffsets(pipeline, source)).get(0) === 5);
    await cancelByHand(second);
    const reset = await p.planJson(['--allow-state-reset']);
    expect(reset.changes.find((x: any) => x.addr === `flink.job.${m}`)).toMatchObject({ action: 'create', steps: ['submit'] });
    await p.apply(['--allow-state-reset']);
    const third = await eventually('reset job running', () => runningJobId(pipeline));
    expect((await flinkCheckpoints(third)).latest.restored).toBeNull();
    await produce(source, [record('a', 6)]);
    await eventually('the count restarts at 1', async () => ((await countsByKey(m)).get('a') ?? []).length === 6);
    expect((await countsByKey(m)).get('a')).toEqual([1, 2, 3, 4, 5, 1]);
  }, 600_000);
});
