// plan against the real stack: zero changes after apply, exactly the changed resources after a
// change, --detailed-exitcode, --out + apply plan.json and the stale-plan refusal.
import { describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { createTopics, kafkaClient } from './helpers.js';
import { changesOf, cleanupProject, miniProject, modelsYaml } from './plan-helpers.js';

describe('plan', () => {
  it('shows zero changes after apply, then exactly the changed topic config, stateless and stateful SQL and connector config', async () => {
    const { project, names } = miniProject();
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);

    const first = await project.cli(['plan', '--detailed-exitcode']);
    expect(first.code, first.stderr).toBe(2);
    expect(first.stdout).toContain(`+   kafka.topic.${names.clean}`);
    // Two topics, two jobs, the connector and the two models' subjects (their registered JSON Schemas).
    expect(first.stdout).toMatch(/Plan: 7 to create, 0 to update, 0 to replace, 0 to delete\./);

    await project.apply();
    const again = await project.cli(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes.');

    project.write({ 'models/models.yml': modelsYaml(names, { retention: '172800000', where: '>= 0', sinkFile: `${names.file}.v2` }) });
    // A stateful change the savepoint can take: a constant in the query of the aggregation's input.
    const p = await project.planJson();
    expect(changesOf(p)).toEqual([
      `connect.connector.${names.sink} update`,
      `flink.job.${names.clean} update`,
      `kafka.topic.${names.clean} update`,
    ]);
    const byAddr = (a: string) => p.changes.find((c: any) => c.addr === a);
    expect(byAddr(`kafka.topic.${names.clean}`).fields).toEqual([{ field: 'config.retention.ms', before: '86400000', after: '172800000' }]);
    expect(byAddr(`connect.connector.${names.sink}`).fields.map((f: any) => f.field)).toEqual(['config.file']);
    expect(byAddr(`flink.job.${names.clean}`).steps).toEqual(['stop-with-savepoint', 'submit-from-savepoint']);
    expect(byAddr(`flink.job.${names.clean}`).fields.map((f: any) => f.field)).toEqual(['query']);

    // The stateful model's SQL. Flink judges its state: SUM(v * 1) is planned exactly as SUM(v)
    // (the planner folds v * 1), so the savepoint keeps its meaning; SUM(v * 2) does not.
    const models = modelsYaml(names, { retention: '172800000', where: '>= 0', sinkFile: `${names.file}.v2` });
    project.write({ 'models/models.yml': models.replace('SUM(v) AS total', 'SUM(v * 1) AS total') });
    const same = (await project.planJson()).changes.find((c: any) => c.addr === `flink.job.${names.totals}`);
    expect(same).toMatchObject({ action: 'update', steps: ['stop-with-savepoint', 'submit-from-savepoint'], stateJudge: 'flink-planner' });
    project.write({ 'models/models.yml': models.replace('SUM(v) AS total', 'SUM(v * 2) AS total') });
    const p2 = await project.planJson();
    expect(changesOf(p2)).toContain(`flink.job.${names.totals} replace`);
    expect(p2.changes.find((c: any) => c.addr === `flink.job.${names.totals}`)).toMatchObject({ stateJudge: 'flink-planner', blocked: { code: 'PLAN_STATE_INCOMPATIBLE' } });
    project.write({ 'models/models.yml': modelsYaml(names, { retention: '172800000', where: '>= 0', sinkFile: `${names.file}.v2` }) });

    await project.apply();
    const after = await project.cli(['plan', '--detailed-exitcode']);
    expect(after.code, after.stdout + after.stderr).toBe(0);
  });

  it('saves a plan, applies exactly it, and refuses it when the live state moved', async () => {
    const { project, names } = miniProject();
    await createTopics([{ topic: names.source }]);
    cleanupProject(project);
    project.write({ 'models/models.yml': modelsYaml(names, { withTotals: false, withSink: false }) });
    await project.apply();

    project.write({ 'models/models.yml': modelsYaml(names, { withTotals: false, withSink: false, retention: '3600000' }) });
    const planFile = `${project.dir}/plan.json`;
    const saved = await project.cli(['plan', '--out', planFile, '--detailed-exitcode']);
    expect(saved.code, saved.stderr).toBe(2);
    expect(saved.stderr).toContain(`streamt apply ${planFile}`);

    // Someone changes the topic behind our back: the saved plan is stale.
    const admin = kafkaClient().admin();
    await admin.connect();
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: names.clean, configEntries: [{ name: 'retention.ms', value: '7200000' }] }] });
    await admin.disconnect();
    const stale = await project.cli(['apply', planFile]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('APPLY_PLAN_STALE');
    expect(stale.stderr).toContain(`kafka.topic.${names.clean}`);

    const fresh = await project.cli(['plan', '--out', planFile]);
    expect(fresh.code, fresh.stderr).toBe(0);
    const applied = await project.cli(['apply', planFile]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toContain('1 applied, 0 failed, 0 skipped');
    const end = await project.cli(['plan', '--detailed-exitcode']);
    expect(end.code, end.stdout).toBe(0);
  });
});
