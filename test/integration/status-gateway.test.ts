// status on the real stack (job state, checkpoints, connector tasks, drift, consumer-group lag of
// exposures) and Gateway rules planned and applied against the Gateway contract fake.
import { describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { createTopics, eventually, gatewayAdmin, kafkaClient, produce, stackConfig, uniqueName } from './helpers.js';
import { changesOf, cleanupProject, JSON_DEFAULTS, letters, miniProject, modelsYaml, runtimeYaml, TestProject } from './plan-helpers.js';

describe('status', () => {
  it('shows live state, drift and the lag of consumer groups declared on exposures', async () => {
    const { project, names } = miniProject();
    const group = uniqueName('it-exposure-group');
    project.write({
      'models/models.yml': modelsYaml(names, { withSink: false }),
      'exposures/e.yml': `exposures:\n  - name: dashboard\n    type: application\n    role: consumer\n    consumes:\n      - ref: ${names.totals}\n    consumer_group: ${group}\n`,
    });
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);
    await project.apply();
    await produce(names.source, [1, 2, 3].map((v) => ({ key: 'a', value: JSON.stringify({ k: 'a', v }) })));

    // The exposure's consumer has read nothing yet: commit offset 0 for its group.
    const admin = kafkaClient().admin();
    await admin.connect();
    await admin.setOffsets({ groupId: group, topic: names.totals, partitions: [{ partition: 0, offset: '0' }] });
    const s = await eventually('lag on the aggregation topic', async () => {
      const r = await project.cli(['status', '--format', 'json']);
      const j = JSON.parse(r.stdout);
      return j.consumer_groups[0]?.topics[0]?.lag > 0 ? { r, j } : false;
    }, 60_000);
    expect(s.r.code).toBe(0);
    expect(s.j.healthy).toBe(true);
    expect(s.j.consumer_groups[0]).toMatchObject({ exposure: 'dashboard', group, exists: true });
    const job = s.j.resources.find((r: any) => r.addr === `flink.job.${names.totals}`);
    expect(job).toMatchObject({ kind: 'flink_job', state: 'RUNNING', healthy: true, drift: [] });
    expect(job.details.job_id).toMatch(/^[0-9a-f]{32}$/);

    // Drift: someone changes a declared config.
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: names.clean, configEntries: [{ name: 'retention.ms', value: '1000' }] }] });
    await admin.deleteGroups([group]).catch(() => {});
    await admin.disconnect();
    const drift = await project.cli(['status', '--select', names.clean]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(new RegExp(`✗ kafka\\.topic\\.${names.clean} +exists.*drift: config\\.retention\\.ms`));
    expect(drift.stdout).not.toContain(names.totals);
  });
});

describe('Gateway rules', () => {
  it('plans, applies, updates and prunes a virtual topic (alias topic and SQL interceptor)', async () => {
    const sfx = letters();
    const gw = stackConfig.gateway;
    const files = (where: string) => ({
      'stream_project.yml': `project:\n  name: it_${sfx}\n${runtimeYaml()}  conduktor:\n    gateway:\n      admin_url: ${gw.url}\n      username: ${gw.adminUser}\n      password: ${gw.adminPassword}\n${JSON_DEFAULTS}`,
      'sources/s.yml': `sources:\n  - name: events\n    topic: it.gw.${sfx}\n    columns:\n      - { name: k, type: STRING }\n      - { name: v, type: BIGINT }\n`,
      'models/m.yml': `models:\n  - name: big_${sfx}\n    sql: |\n      SELECT k, v FROM {{ source("events") }} WHERE v ${where}\n`,
    });
    const p = new TestProject(`it_${sfx}`, files('> 10'));
    await createTopics([{ topic: `it.gw.${sfx}` }]);
    cleanupProject(p);
    const plan = await p.planJson();
    const gwChanges = changesOf(plan).filter((c) => c.startsWith('gateway.'));
    expect(gwChanges).toEqual([`gateway.rule.streamt.it_${sfx}.big_${sfx}.sql create`, `gateway.rule.streamt_it_${sfx}_big_${sfx}_input create`]);
    await p.apply();
    const interceptors = (await gatewayAdmin('GET', '/gateway/v2/interceptor')).body as any[];
    const mine = interceptors.find((i) => i.metadata.name === `streamt.it_${sfx}.big_${sfx}.sql`);
    expect(mine.spec.config.statement).toContain('10');
    expect((await p.cli(['plan', '--detailed-exitcode'])).code).toBe(0);

    p.write(files('> 20'));
    const upd = await p.planJson();
    expect(changesOf(upd)).toEqual([`gateway.rule.streamt.it_${sfx}.big_${sfx}.sql update`]);
    await p.apply();
    const after = (await gatewayAdmin('GET', '/gateway/v2/interceptor')).body as any[];
    expect(after.find((i) => i.metadata.name === `streamt.it_${sfx}.big_${sfx}.sql`).spec.config.statement).toContain('20');

    p.remove('models');
    const pruned = await p.planJson(['--prune']);
    expect(changesOf(pruned).filter((c) => c.startsWith('gateway.'))).toEqual([`gateway.rule.streamt.it_${sfx}.big_${sfx}.sql delete`, `gateway.rule.streamt_it_${sfx}_big_${sfx}_input delete`]);
    await p.apply(['--prune']);
    const gone = (await gatewayAdmin('GET', '/gateway/v2/interceptor')).body as any[];
    expect(gone.some((i) => i.metadata.name.includes(sfx))).toBe(false);
  });
});
