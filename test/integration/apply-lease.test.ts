// One apply at a time (the apply lease in the record topic), lost submissions, and exact
// ownership between projects whose names share a prefix, against the real stack with the built
// CLI (run `npm run build` first). See docs/plan-apply.md, "Locks" and "Ownership".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LiveSystems } from '../../src/adapters/live.js';
import { leasePrefix } from '../../src/adapters/kafka/record.js';
import { ApplyLease, leaseHolder, readLease } from '../../src/apply/lease.js';
import { leaseLog } from '../../src/apply/workflow.js';
import { cancelJobAfterTest, createTopics, endpoints, http, kafkaClient, onCleanup, registry, SqlGatewaySession, stackConfig, uniqueTopic, waitForJobRunning } from './helpers.js';
import { changesOf, cleanupProject, JSON_DEFAULTS, JSON_MODELS, letters, miniProject, modelsYaml, runtimeYaml, TestProject } from './plan-helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'streamt.js');
const TERMINAL = ['CANCELED', 'FAILED', 'FINISHED'];

interface Run {
  pid: number;
  /** Resolves when stderr has a line matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  done: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** The built CLI as a separate process, like a second terminal or CI job. */
function streamt(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1', STREAMT_ENV: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of waiters.filter((x) => x.re.test(stderr))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  onCleanup(`stop streamt ${args.join(' ')}`, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return {
    pid: child.pid!,
    done,
    kill: (s) => child.kill(s),
    waitFor: (re, timeoutMs = 180_000) =>
      new Promise<void>((resolve, reject) => {
        if (re.test(stderr)) return resolve();
        const timer = setTimeout(() => reject(new Error(`no ${re} on stderr in ${timeoutMs / 1000}s:\n${stderr}`)), timeoutMs);
        waiters.push({ re, resolve: () => (clearTimeout(timer), resolve()) });
        void done.then(() => {
          clearTimeout(timer);
          if (!re.test(stderr)) reject(new Error(`streamt exited without ${re} on stderr:\n${stderr}`));
        });
      }),
  };
}

async function jobsNamed(name: string): Promise<{ jid: string; state: string }[]> {
  const r = await http('GET', `${endpoints.flinkRest}/jobs/overview`);
  return (r.body?.jobs ?? []).filter((j: { name: string }) => j.name === name).map((j: { jid: string; state: string }) => ({ jid: j.jid, state: j.state }));
}
const active = <T extends { state: string }>(jobs: T[]): T[] => jobs.filter((j) => !TERMINAL.includes(j.state));

/**
 * A TCP proxy in front of the SQL Gateway. `swallow`: the INSERT request is dropped and the
 * connection cut (it never reaches the gateway); `cut`: the INSERT goes through and the
 * connection is cut before the gateway's answer comes back. Either way the proxy then goes
 * down (connections refused), as a gateway that became unreachable.
 */
async function sqlGatewayProxy(mode: 'pass' | 'swallow' | 'cut', port = 0): Promise<{ port: number; down: Promise<void>; close: () => Promise<void> }> {
  const target = new URL(stackConfig.flink.sqlGatewayUrl);
  const sockets = new Set<Socket>();
  let wentDown: () => void = () => {};
  const down = new Promise<void>((r) => (wentDown = r));
  const server: Server = createServer((client) => {
    const upstream = netConnect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let seen = '';
    let cutting = false;
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk) => {
      seen += chunk.toString('latin1');
      const insert = mode !== 'pass' && /"statement"\s*:\s*"\s*INSERT\b/i.test(seen);
      if (insert && mode === 'swallow') return goDown();
      if (insert) cutting = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (cutting) return goDown();
      client.write(chunk);
    });
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  const close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  const goDown = () => {
    void close().then(wentDown);
  };
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, down, close };
}

/**
 * A TCP proxy in front of the Flink REST API that holds each `GET /jobs/overview` while `hold`
 * returns a promise (the request reaches the JobManager once it resolves).
 */
async function flinkRestProxy(hold: () => Promise<void> | undefined): Promise<{ port: number; close: () => Promise<void> }> {
  const target = new URL(stackConfig.flink.restUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = netConnect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let queue = Promise.resolve();
    client.on('data', (chunk) => {
      const wait = chunk.toString('latin1').startsWith('GET /jobs/overview') ? hold() : undefined;
      queue = queue.then(() => wait).then(() => void upstream.write(chunk));
    });
    upstream.pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return { port: (server.address() as AddressInfo).port, close };
}

describe('the record partition is read without a consumer group', () => {
  it('reads keys, values, tombstones and offsets from any offset to the end', async () => {
    const topic = uniqueTopic('it-lease-read');
    await createTopics([{ topic, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }]);
    const producer = kafkaClient().producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }, { key: 'a', value: null }, { key: 'c', value: '3', timestamp: '1700000000000' }] });
    await producer.disconnect();
    const live = new LiveSystems({ kafka: { bootstrap_servers: stackConfig.kafka.bootstrapServers } } as never, 'it');
    try {
      const all = await live.kafka().readPartition(topic, 0, 0);
      expect(all.end).toBe(4);
      expect(all.records.map((r) => [r.offset, r.key, r.value])).toEqual([[0, 'a', '1'], [1, 'b', '2'], [2, 'a', null], [3, 'c', '3']]);
      expect(all.records[3]!.timestamp).toBe(1700000000000);
      const tail = await live.kafka().readPartition(topic, 0, 2);
      expect(tail.records.map((r) => r.offset)).toEqual([2, 3]);
      expect((await live.kafka().readPartition(topic, 0, 4)).records).toEqual([]);
    } finally {
      await live.close();
    }
  });
});

describe('one apply at a time per project and environment', () => {
  it('two applies started together: one applies, the other names it; exactly one job per model; with --lock-timeout the second waits and finds nothing to do', async () => {
    const { project, names } = miniProject();
    project.write({ 'models/models.yml': modelsYaml(names, { withSink: false }) });
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);

    const a = streamt(['apply', '--auto-approve', '-p', project.dir]);
    const b = streamt(['apply', '--auto-approve', '-p', project.dir]);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const winner = ra.code === 0 ? { run: a, out: ra } : { run: b, out: rb };
    const loser = ra.code === 0 ? rb : ra;
    expect([ra.code, rb.code].sort(), `${ra.stderr}\n----\n${rb.stderr}`).toEqual([0, 1]);
    // Two models, each a subject (its registered JSON Schema), a topic and a job.
    expect(winner.out.stderr).toContain('Apply complete: 6 applied, 0 failed, 0 skipped');
    expect(loser.stderr).toContain('APPLY_LOCKED');
    expect(loser.stderr).toContain(`Another apply of project ${names.project} holds the apply lease:`);
    expect(loser.stderr).toContain(`, pid ${winner.run.pid}, \`streamt apply --auto-approve -p ${project.dir}\`, since `);
    expect(loser.stderr).toMatch(/streamt unlock [0-9a-f]{16}/);
    expect(loser.stderr).toContain('nothing was applied');
    for (const m of [names.clean, names.totals]) expect(active(await jobsNamed(`streamt.${names.project}.${m}`))).toHaveLength(1);
    expect((await project.cli(['plan', '--detailed-exitcode'])).code).toBe(0);

    // A stateless change (an upgrade through a savepoint), applied twice at once with a timeout.
    project.write({ 'models/models.yml': modelsYaml(names, { withSink: false, where: '> 1' }) });
    const c = streamt(['apply', '--auto-approve', '--lock-timeout', '10m', '-p', project.dir]);
    const d = streamt(['apply', '--auto-approve', '--lock-timeout', '10m', '-p', project.dir]);
    const [rc, rd] = await Promise.all([c.done, d.done]);
    expect([rc.code, rd.code], `${rc.stderr}\n----\n${rd.stderr}`).toEqual([0, 0]);
    const [first, second] = rc.stderr.includes('Waiting up to') ? [{ run: d, out: rd }, rc] : [{ run: c, out: rc }, rd];
    expect(first.out.stderr).toContain('Apply complete: 1 applied, 0 failed, 0 skipped');
    expect(second.stderr).toContain(`Waiting up to 10 min (--lock-timeout) for the apply lease of project ${names.project}, held by `);
    expect(second.stderr).toContain(`pid ${first.run.pid}, \`streamt apply --auto-approve --lock-timeout 10m -p ${project.dir}\``);
    expect(second.stderr).toContain('No changes. The live systems match the project.');
    for (const m of [names.clean, names.totals]) expect(active(await jobsNamed(`streamt.${names.project}.${m}`))).toHaveLength(1);
    expect((await project.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('a killed apply does not block for ever: the next one is refused naming it, then waits for its lease to expire and proceeds; unlock breaks a lease', async () => {
    const { project, names } = miniProject();
    project.write({ 'models/models.yml': modelsYaml(names, { withSink: false, withTotals: false }) });
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);

    const killed = streamt(['apply', '--auto-approve', '-p', project.dir]);
    await killed.waitFor(/Apply lease taken \(claim ([0-9a-f]{16})\)/);
    await killed.waitFor(/Applying 3 changes/);
    killed.kill('SIGKILL');
    const k = await killed.done;
    expect(k.signal).toBe('SIGKILL');
    const claim = /claim ([0-9a-f]{16})/.exec(k.stderr)![1]!;

    const refused = await project.cli(['apply', '--auto-approve', '--format', 'json']);
    expect(refused.code).toBe(1);
    const body = JSON.parse(refused.stdout);
    expect(body.ok).toBe(false);
    expect(body.diagnostics[0].code).toBe('APPLY_LOCKED');
    expect(body.lease).toMatchObject({ claim, pid: killed.pid, command: `streamt apply --auto-approve -p ${project.dir}` });
    expect(body.diagnostics[0].hint).toContain(`streamt unlock ${claim}`);

    // plan takes no lease, and says an apply holds it.
    const plan = await project.cli(['plan']);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain(`An apply of project ${names.project} is running: `);
    expect(plan.stderr).toContain(`pid ${killed.pid}, \`streamt apply --auto-approve -p ${project.dir}\``);

    // An unknown claim is not broken.
    const wrong = await project.cli(['unlock', '0123456789abcdef']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('UNLOCK_NOT_HELD');
    expect(wrong.stderr).toContain(`the lease is held by `);

    // The killed apply renews nothing: its lease expires 60 s after it was taken.
    const next = await project.cli(['apply', '--auto-approve', '--lock-timeout', '3m']);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`pid ${killed.pid}`);
    expect(next.stderr).toMatch(/Apply complete: \d+ applied, 0 failed, 0 skipped/);
    expect(active(await jobsNamed(`streamt.${names.project}.${names.clean}`))).toHaveLength(1);
    expect((await project.cli(['plan', '--detailed-exitcode'])).code).toBe(0);

    // A lease held by someone else (here: this test) is broken with streamt unlock.
    const live = new LiveSystems({ kafka: { bootstrap_servers: stackConfig.kafka.bootstrapServers } } as never, names.project);
    onCleanup('close Kafka', () => live.close());
    const prefix = leasePrefix(names.project, null);
    const held = await ApplyLease.acquire(leaseLog(live), { prefix, project: names.project, environment: null, holder: { user: 'ci', host: 'runner-7', pid: 4242, command: 'streamt apply --prune' }, streamtVersion: 'test', timeoutMs: 0, autoRenew: false, timings: { ttlMs: 10 * 60_000 } });
    const blocked = await project.cli(['apply', '--auto-approve']);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toContain(`ci@runner-7, pid 4242, \`streamt apply --prune\`, since ${held.since} (claim ${held.claim})`);
    const unlocked = await project.cli(['unlock', held.claim, '--format', 'json']);
    expect(unlocked.code, unlocked.stderr).toBe(0);
    expect(JSON.parse(unlocked.stdout)).toMatchObject({ ok: true, released: { claim: held.claim, user: 'ci', host: 'runner-7', pid: 4242 } });
    expect(leaseHolder(await readLease(leaseLog(live), prefix), Date.now())).toBeUndefined();
    const after = await project.cli(['apply', '--auto-approve']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).toContain('No changes.');
    // The holder whose lease was broken stops before its next change.
    await held.renew();
    expect(() => held.check()).toThrow(/broken with streamt unlock/);
  });
});

describe('an interrupted apply', () => {
  it('Ctrl-C (SIGINT): the change in progress finishes, no new one starts, and the lease is released at once', async () => {
    const { project, names } = miniProject();
    project.write({ 'models/models.yml': modelsYaml(names, { withSink: false }) });
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);
    const run = streamt(['apply', '--auto-approve', '--parallelism', '1', '-p', project.dir]);
    await run.waitFor(/Applying 6 changes/);
    run.kill('SIGINT');
    const r = await run.done;
    expect(r.signal).toBeNull();
    expect(r.stderr).toContain('SIGINT: finishing the changes in progress and starting no new one, then releasing the apply lease');
    expect(r.stderr).toContain('failed: not started: the apply was interrupted (SIGINT)');
    // Released, not left to expire: the next apply (refusing at once if the lease were held) converges.
    const next = await project.cli(['apply', '--auto-approve']);
    expect(next.code, next.stderr).toBe(0);
    for (const m of [names.clean, names.totals]) expect(active(await jobsNamed(`streamt.${names.project}.${m}`))).toHaveLength(1);
    expect((await project.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});

describe('an apply never acts without its lease', () => {
  it('an apply whose lease was broken before it started changing things changes nothing and says so', async () => {
    const { project, names } = miniProject();
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);
    // A protected environment: apply asks for its name between the plan and the first change.
    project.write({ 'environments/prod.yml': 'environment:\n  name: prod\n  protected: true\n', 'models/models.yml': modelsYaml(names, { withSink: false }) });
    const live = new LiveSystems({ kafka: { bootstrap_servers: stackConfig.kafka.bootstrapServers } } as never, names.project);
    onCleanup('close Kafka', () => live.close());
    const prefix = leasePrefix(names.project, 'prod');
    const { applyCommand } = await import('../../src/cli/commands/apply.js');
    const { Output } = await import('../../src/ui/output.js');
    let err = '';
    const out = new Output({ write: () => true }, { write: (x: string) => ((err += x), true) });
    let claim: string | undefined;
    const code = await applyCommand(undefined, {
      projectDir: project.dir,
      env: 'prod',
      ask: async () => {
        // While the user reads the plan, someone breaks the lease.
        claim = /Apply lease taken \(claim ([0-9a-f]{16})\)/.exec(err)![1]!;
        const r = await project.cli(['unlock', claim, '-e', 'prod']);
        expect(r.code, r.stderr).toBe(0);
        // The holder notices at its next renewal (its message after the tombstone), or loses
        // the lease when it cannot renew for 45 s.
        const broke = Date.now();
        for (;;) {
          const log = await live.records().readLease(0);
          const tomb = log.records.findIndex((m) => m.key === prefix + claim && m.value === null);
          if (log.records.slice(tomb + 1).some((m) => m.key === prefix + claim) || Date.now() - broke > 50_000) break;
          await new Promise((res) => setTimeout(res, 500));
        }
        await new Promise((res) => setTimeout(res, 2_000));
        return 'prod';
      },
    }, out, { ...process.env, NO_COLOR: '1' });
    expect(code).toBe(1);
    // The first changes are the models' subjects (their JSON Schemas), before their topics.
    expect(err).toContain(`sr.subject.${names.clean}-value failed: the apply lease (claim ${claim}) was lost: `);
    expect(err).toMatch(/was lost: (it was broken with streamt unlock|it was not renewed within 45 s)/);
    expect(err).toContain('error APPLY_LEASE_LOST This apply lost its lease');
    expect(err).toContain('0 applied, 2 failed, 4 skipped');
    expect(active(await jobsNamed(`streamt.${names.project}.${names.clean}`))).toEqual([]);
    expect(changesOf(await project.planJson(['-e', 'prod']))).toHaveLength(6);
  });
});

describe('a submission whose answer is lost', () => {
  it('is confirmed by looking the job up by its pipeline.name, never sent again; unconfirmed, the change fails saying so; the re-run submits nothing twice', async () => {
    const { project, names } = miniProject();
    const pipeline = `streamt.${names.project}.${names.clean}`;
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);
    let proxy = await sqlGatewayProxy('swallow');
    const port = proxy.port;
    onCleanup('stop the SQL Gateway proxy', () => proxy.close());
    project.write({
      'stream_project.yml': `project:\n  name: ${names.project}\n${runtimeYaml().replace(stackConfig.flink.sqlGatewayUrl, `http://127.0.0.1:${port}`)}${JSON_DEFAULTS}`,
      'models/models.yml': modelsYaml(names, { withSink: false, withTotals: false }),
    });

    // 1. The INSERT never reaches the gateway, and the gateway goes away: unconfirmed.
    const lost = await project.cli(['apply', '--auto-approve']);
    await proxy.down;
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain(`flink.job.${names.clean}: the SQL Gateway's answer to the submission was lost`);
    expect(lost.stderr).toContain(`no new job named ${pipeline} appeared on the JobManager within 60 s. The job may be running or start later; it was not submitted again. Run streamt plan: it shows the job if it runs`);
    expect(lost.stderr).not.toMatch(/\n\s+at /);
    expect(await jobsNamed(pipeline)).toEqual([]);

    // 2. The gateway is back; this time it accepts the INSERT and the answer is cut on its way back.
    proxy = await sqlGatewayProxy('cut', port);
    expect(changesOf(await project.planJson())).toEqual([`flink.job.${names.clean} create`]);
    const confirmed = await project.cli(['apply', '--auto-approve']);
    await proxy.down;
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stderr).toContain(`flink.job.${names.clean}: the SQL Gateway's answer to the submission was lost`);
    expect(confirmed.stderr).toMatch(new RegExp(`job [0-9a-f]{32} named ${pipeline.replace(/\./g, '\\.')} is on the JobManager: the submission went through \\(not sent again\\)`));
    expect(confirmed.stderr).toContain('Apply complete: 1 applied, 0 failed, 0 skipped');

    // 3. The re-run finds the job: nothing to do, and there was never a second copy.
    proxy = await sqlGatewayProxy('pass', port);
    expect((await project.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
    const again = await project.cli(['apply', '--auto-approve']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('No changes.');
    const jobs = await jobsNamed(pipeline);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.state).toBe('RUNNING');
  });
});

describe('the job is looked up again right before each submit', () => {
  it('a job with its pipeline.name submitted by someone else after the plan is not submitted a second time', async () => {
    const { project, names } = miniProject();
    const pipeline = `streamt.${names.project}.${names.clean}`;
    await createTopics([{ topic: names.source }]);
    let armed = false;
    let rogue: string | undefined;
    // Someone submits a job with the same pipeline.name between streamt's plan and its submit:
    // the JobManager lookup streamt makes right before submitting waits until that job runs.
    const proxy = await flinkRestProxy(() => {
      if (!armed || rogue) return undefined;
      return (async () => {
        const s = await SqlGatewaySession.open();
        await s.execute(`SET 'pipeline.name' = '${pipeline}'`);
        await s.execute("CREATE TEMPORARY TABLE rogue_src (x INT) WITH ('connector' = 'datagen', 'rows-per-second' = '1')");
        await s.execute("CREATE TEMPORARY TABLE rogue_sink (x INT) WITH ('connector' = 'blackhole')");
        const r = await s.execute('INSERT INTO rogue_sink SELECT x FROM rogue_src');
        rogue = r.jobID!;
        cancelJobAfterTest(rogue);
        await waitForJobRunning(rogue);
      })();
    });
    onCleanup('stop the Flink REST proxy', () => proxy.close());
    cleanupProject(project); // before the proxy stops (clean-ups run last-registered first)
    project.write({
      'stream_project.yml': `project:\n  name: ${names.project}\n${runtimeYaml().replace(stackConfig.flink.restUrl, `http://127.0.0.1:${proxy.port}`)}${JSON_DEFAULTS}`,
      'models/models.yml': modelsYaml(names, { withSink: false, withTotals: false }),
    });
    const r = await project.cli(['apply', '--auto-approve'], {
      onStderr: (text) => {
        if (text.includes(`submitting ${pipeline}`)) armed = true;
      },
    });
    expect(rogue).toBeDefined();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`flink.job.${names.clean} failed: A Flink job named ${pipeline} is already RUNNING (job ${rogue}, started `);
    expect(r.stderr).toContain('it was submitted by someone else after this plan was made, so streamt did not submit a second copy; run streamt plan to see it');
    expect(await jobsNamed(pipeline)).toEqual([{ jid: rogue, state: 'RUNNING' }]);
    // The next plan sees it: a job with this name that the record does not know.
    const plan = await project.planJson();
    expect(changesOf(plan)).toEqual([`flink.job.${names.clean} update`]);
    expect(plan.changes.find((c: any) => c.addr === `flink.job.${names.clean}`).reasons[0]).toContain('this project has no record of what it runs');
  });
});

describe('exact ownership between projects whose names share a prefix', () => {
  it('pay, pay_eu and pay-eu on one stack: --prune in pay leaves the others\' topics, jobs, subjects and record entries alone; pay.eu is refused', async () => {
    const sfx = letters();
    const source = `it.pay.orders.${sfx}`;
    await createTopics([{ topic: source }]);
    const projects = [`pay_${sfx}`, `pay_${sfx}_eu`, `pay_${sfx}-eu`].map((name, i) => {
      const model = `orders_${sfx}_${i}`;
      const p = new TestProject(name, {
        'stream_project.yml': `project:\n  name: ${name}\n${runtimeYaml()}defaults:\n  topic:\n    partitions: 1\n    replication_factor: 1\n`,
        'sources/s.yml': `sources:\n  - name: orders\n    topic: ${source}\n    schema: {format: avro}\n    columns:\n      - { name: k, type: STRING }\n      - { name: v, type: BIGINT }\n`,
        'models/m.yml': `models:\n  - name: ${model}\n    sql: SELECT k, v FROM {{ source("orders") }} WHERE v > 0\n`,
      });
      cleanupProject(p, [], [`${model}-value`]);
      return { p, name, model, subject: `${model}-value` };
    });
    for (const x of projects) await x.p.apply();

    const live = new LiveSystems({ kafka: { bootstrap_servers: stackConfig.kafka.bootstrapServers } } as never, 'it');
    onCleanup('close Kafka', () => live.close());
    const snapshot = async (x: (typeof projects)[number]) => {
      const record = await live.records().read(x.name);
      const admin = kafkaClient().admin();
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t === x.model);
      await admin.disconnect();
      return {
        topics,
        jobs: active(await jobsNamed(`streamt.${x.name}.${x.model}`)),
        subject: (await registry('GET', `/subjects/${encodeURIComponent(x.subject)}/versions`)).body,
        record: Object.fromEntries([...record.entries].map(([addr, e]) => [addr, `${e.hash} ${e.applied_at}`])),
      };
    };
    const [pay, ...others] = projects;
    const before = await Promise.all(others.map(snapshot));
    for (const [i, s] of before.entries()) {
      expect(s.topics).toEqual([others[i]!.model]);
      expect(s.jobs).toHaveLength(1);
      expect(s.subject).toEqual([1]);
      // The record is the project's own resources: no lease, no other project's entries.
      expect(Object.keys(s.record).sort()).toEqual([`flink.job.${others[i]!.model}`, `kafka.topic.${others[i]!.model}`, `sr.subject.${others[i]!.subject}`]);
    }

    pay!.p.remove('models');
    const plan = await pay!.p.planJson(['--prune']);
    expect(changesOf(plan)).toEqual([`flink.job.${pay!.model} delete`, `kafka.topic.${pay!.model} delete`, `sr.subject.${pay!.subject} delete`]);
    const pruned = await pay!.p.apply(['--prune']);
    expect(pruned.stderr).toContain('3 applied, 0 failed, 0 skipped');
    expect(await snapshot(pay!)).toMatchObject({ topics: [], jobs: [], record: {} });
    expect(await Promise.all(others.map(snapshot))).toEqual(before);
    for (const x of others) expect((await x.p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);

    // pay.eu cannot exist: its prefix streamt.pay.eu. would not be exact.
    const dir = mkdtempSync(join(tmpdir(), 'streamt-it-'));
    onCleanup('remove pay.eu', () => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'stream_project.yml'), `project:\n  name: pay.eu\n${runtimeYaml()}`);
    const refused = streamt(['validate', '-p', dir]);
    const r = await refused.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stream_project.yml:2:9 error INVALID_VALUE project.name');
    expect(r.stderr).toContain('use e.g. "pay_eu" instead of "pay.eu"');
  });
});

describe('environments on one cluster', () => {
  it('dev applied: prod of the same project on the same cluster is blocked naming both environments, changes nothing, and never prunes dev', async () => {
    const sfx = letters();
    const name = `envs_${sfx}`;
    const model = `orders_${sfx}`;
    const source = `it.envs.orders.${sfx}`;
    await createTopics([{ topic: source }]);
    const p = new TestProject(name, {
      'stream_project.yml': `project:\n  name: ${name}\n${runtimeYaml()}defaults:\n  topic:\n    partitions: 1\n    replication_factor: 1\n`,
      'environments/dev.yml': 'environment:\n  name: dev\n',
      'environments/prod.yml': 'environment:\n  name: prod\n',
      'sources/s.yml': `sources:\n  - name: orders\n    topic: ${source}\n    columns:\n      - { name: k, type: STRING }\n      - { name: v, type: BIGINT }\n`,
      'models/m.yml': `models:\n  - name: ${model}\n    sql: SELECT k, v FROM {{ source("orders") }} WHERE v > 0\n`,
    });
    onCleanup(`clean up project ${name} (dev)`, async () => {
      p.remove('models');
      await p.cli(['apply', '--auto-approve', '--prune', '--env', 'dev']);
      for (const j of active(await jobsNamed(`streamt.${name}.${model}`))) await http('PATCH', `${endpoints.flinkRest}/jobs/${j.jid}?mode=cancel`);
    });
    await p.apply(['--env', 'dev']);
    const live = new LiveSystems({ kafka: { bootstrap_servers: stackConfig.kafka.bootstrapServers } } as never, 'it');
    onCleanup('close Kafka', () => live.close());
    const recorded = async () => Object.fromEntries([...(await live.records().read(name)).entries].map(([addr, e]) => [addr, `${e.environment} ${e.applied_at}`]));
    const before = await recorded();
    // With the registry, the model writes Avro and registers its subject (docs/schemas.md).
    expect(Object.keys(before).sort()).toEqual([`flink.job.${model}`, `kafka.topic.${model}`, `sr.subject.${model}-value`]);
    for (const v of Object.values(before)) expect(v).toMatch(/^dev /);
    const jobs = active(await jobsNamed(`streamt.${name}.${model}`));
    expect(jobs).toHaveLength(1);

    const plan = await p.planJson(['--env', 'prod', '--prune']);
    const blocked = plan.changes.filter((c: any) => c.blocked).map((c: any) => [c.addr, c.blocked.code]);
    expect(blocked.sort()).toEqual([
      [`flink.job.${model}`, 'ENVIRONMENT_CONFLICT'],
      [`kafka.topic.${model}`, 'ENVIRONMENT_CONFLICT'],
      [`sr.subject.${model}-value`, 'ENVIRONMENT_CONFLICT'],
    ]);
    expect(plan.changes.find((c: any) => c.addr === `flink.job.${model}`).blocked.message).toContain(`applied on this cluster by environment dev of project ${name}`);
    const refused = await p.cli(['apply', '--auto-approve', '--env', 'prod']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('APPLY_PLAN_BLOCKED');
    // prod with no models and --prune: dev's resources are not its orphans.
    p.remove('models');
    const prunePlan = await p.planJson(['--env', 'prod', '--prune']);
    expect(changesOf(prunePlan)).toEqual([]);
    expect((await p.cli(['apply', '--auto-approve', '--prune', '--env', 'prod'])).code).toBe(0);
    expect(active(await jobsNamed(`streamt.${name}.${model}`))).toEqual(jobs);
    expect(await recorded()).toEqual(before);
  });
});
