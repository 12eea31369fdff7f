// A stateful aggregation is upgraded (stop with savepoint, resubmit from it) while records keep
// flowing: its results continue from the state before the upgrade. A state-incompatible change
// needs --allow-state-reset.
import { describe, expect, it } from 'vitest';
import { createTopics, endpoints, eventually, http, kafkaClient, produce } from './helpers.js';
import { changesOf, cleanupProject, JSON_MODELS, latestByKey, letters, runtimeYaml, TestProject } from './plan-helpers.js';

function project(sfx: string, where: string, groupBy = 'k'): Record<string, string> {
  return {
    'stream_project.yml': `project:\n  name: it_${sfx}\n${runtimeYaml()}\ndefaults:\n${JSON_MODELS}  topic:\n    partitions: 1\n    replication_factor: 1\n`,
    'sources/s.yml': `sources:\n  - name: events\n    topic: it.upg.${sfx}\n    columns:\n      - { name: k, type: STRING }\n      - { name: v, type: BIGINT }\n`,
    'models/m.yml': `models:
  - name: counts_${sfx}
    key: k
    advanced:
      flink:
        checkpoint_interval_ms: 2000
    sql: |
      SELECT k, COUNT(*) AS n, SUM(v) AS total FROM {{ source("events") }} WHERE v ${where} GROUP BY ${groupBy}
`,
  };
}

const latest = async (topic: string) => latestByKey(topic);

describe('apply: Flink upgrades', () => {
  it('upgrades a stateful aggregation from a savepoint while records keep flowing', async () => {
    const sfx = letters();
    const p = new TestProject(`it_${sfx}`, project(sfx, '> 0'));
    const source = `it.upg.${sfx}`;
    const out = `counts_${sfx}`;
    await createTopics([{ topic: source }]);
    cleanupProject(p);
    await p.apply();

    const producer = kafkaClient().producer();
    await producer.connect();
    let sent = 0;
    const send = async (n: number) => {
      for (let i = 0; i < n; i++) await producer.send({ topic: source, messages: [{ key: 'a', value: JSON.stringify({ k: 'a', v: 10 }) }] });
      sent += n;
    };
    await send(5);
    await eventually('5 counted before the upgrade', async () => (await latest(out)).get('a')?.n === 5, 180_000);

    // Keep producing during the upgrade.
    let flowing = true;
    const background = (async () => {
      while (flowing) {
        await send(1);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    p.write(project(sfx, '> -1'));
    const plan = await p.planJson();
    expect(changesOf(plan)).toEqual([`flink.job.counts_${sfx} update`]);
    const change = plan.changes.find((c: any) => c.addr === `flink.job.counts_${sfx}`);
    expect(change.steps).toEqual(['stop-with-savepoint', 'submit-from-savepoint']);
    const applied = await p.apply();
    expect(applied.stderr).toMatch(/stopping .* with a savepoint/);
    expect(applied.stderr).toMatch(/submitting .* from file:/);
    flowing = false;
    await background;
    await send(3);
    await producer.disconnect();

    // No reset (the count continues past 5) and no loss (every record sent is counted once).
    const total = sent;
    const final = await eventually(`all ${total} records counted`, async () => {
      const m = await latest(out);
      return m.get('a')?.n === total ? m.get('a') : false;
    });
    expect(final).toEqual({ k: 'a', n: total, total: total * 10 });
    const after = await p.cli(['plan', '--detailed-exitcode']);
    expect(after.code, after.stdout).toBe(0);
  });

  it('a state-incompatible change is flagged and needs --allow-state-reset', async () => {
    const sfx = letters();
    const p = new TestProject(`it_${sfx}`, project(sfx, '> 0'));
    await createTopics([{ topic: `it.upg.${sfx}` }]);
    cleanupProject(p);
    await p.apply();
    p.write(project(sfx, '> 0', 'k, v'));
    const blocked = await p.cli(['plan']);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toContain('PLAN_STATE_INCOMPATIBLE');
    expect(blocked.stdout).toContain('--allow-state-reset');
    const refused = await p.cli(['apply', '--auto-approve']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('APPLY_PLAN_BLOCKED');

    const reset = await p.cli(['plan', '--allow-state-reset', '--format', 'json']);
    expect(reset.code, reset.stderr).toBe(0);
    const c = JSON.parse(reset.stdout).changes.find((x: any) => x.addr === `flink.job.counts_${sfx}`);
    expect(c).toMatchObject({ action: 'replace', steps: ['cancel', 'submit'] });
    expect(c.blocked).toBeUndefined();
    await p.apply(['--allow-state-reset']);
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });

  it('resumes a job stopped with a savepoint (as streamt test pause_model does) from that savepoint', async () => {
    const sfx = letters();
    const p = new TestProject(`it_${sfx}`, project(sfx, '> 0'));
    const source = `it.upg.${sfx}`;
    const out = `counts_${sfx}`;
    await createTopics([{ topic: source }]);
    cleanupProject(p);
    await p.apply();
    await produce(source, [1, 2, 3].map(() => ({ key: 'a', value: JSON.stringify({ k: 'a', v: 1 }) })));
    await eventually('3 counted', async () => (await latest(out)).get('a')?.n === 3, 180_000);

    // Someone pauses the job with a savepoint.
    const jobs = (await http('GET', `${endpoints.flinkRest}/jobs/overview`)).body.jobs as { jid: string; name: string; state: string }[];
    const jid = jobs.find((j) => j.name === `streamt.it_${sfx}.counts_${sfx}` && j.state === 'RUNNING')!.jid;
    const trigger = await http('POST', `${endpoints.flinkRest}/jobs/${jid}/stop`, { drain: false });
    await eventually('job stopped with a savepoint', async () => {
      const s = await http('GET', `${endpoints.flinkRest}/jobs/${jid}/savepoints/${trigger.body['request-id']}`);
      return s.body?.status?.id === 'COMPLETED' && (await http('GET', `${endpoints.flinkRest}/jobs/${jid}`)).body.state === 'FINISHED';
    });
    await produce(source, [1, 2].map(() => ({ key: 'a', value: JSON.stringify({ k: 'a', v: 1 }) })));

    const plan = await p.planJson();
    const c = plan.changes.find((x: any) => x.addr === `flink.job.counts_${sfx}`);
    expect(c).toMatchObject({ action: 'create', steps: ['submit-from-savepoint'] });
    expect(c.reasons[0]).toContain('stopped with a savepoint');
    await p.apply();
    const final = await eventually('5 counted after the resume', async () => ((await latest(out)).get('a')?.n === 5 ? (await latest(out)).get('a') : false), 180_000);
    expect(final).toEqual({ k: 'a', n: 5, total: 5 });
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  });
});
