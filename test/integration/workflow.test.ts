/**
 * The workflow commands on the real stack: debug (every system reachable; two wrong URLs both
 * listed), build (apply, then tests in DAG order; a failed test skips its dependents), show
 * (JSON and Avro through the registry), freshness (pass, warn, error) and destroy (everything the
 * project owns, through the plan/apply path). Documents are validated against the JSON contract.
 */
import { describe, expect, it } from 'vitest';
import { OUTPUT_SCHEMAS, type OutputFormat } from '../../src/ui/contract.js';
import { createTopics, deleteSubjectAfterTest, deleteTopics, endpoints, eventually, http, onCleanup, produce, registry, stackConfig } from './helpers.js';
import { changesOf, cleanupProject, JSON_MODELS, letters, runtimeYaml, TestProject } from './plan-helpers.js';

function doc(r: { stdout: string }, format: OutputFormat): any {
  const d = JSON.parse(r.stdout);
  const parsed = OUTPUT_SCHEMAS[format].safeParse(d);
  if (!parsed.success) throw new Error(`${format}: ${JSON.stringify(parsed.error.issues)}\n${r.stdout}`);
  return d;
}

const gateway = `  conduktor:
    gateway:
      admin_url: ${stackConfig.gateway.url}
      username: admin
      password: conduktor
`;

describe('streamt debug', () => {
  it('lists every configured system as reachable, with versions; with two wrong URLs it lists both', async () => {
    const sfx = letters();
    const sinks = (connector: string) => `models:\n  - name: to_file_${sfx}\n    from: [{source: events}]\n    sink:\n      connector: ${connector}\n      config: {file: /tmp/streamt-it-debug-${sfx}.txt}\n`;
    const p = new TestProject(`it_dbg_${sfx}`, {
      'stream_project.yml': `project:\n  name: it_dbg_${sfx}\n${runtimeYaml()}${gateway}`,
      'sources/s.yml': `sources:\n  - name: events\n    topic: it.dbg.${sfx}\n    columns: [{name: k, type: STRING}]\n`,
      // The project's sink uses the FileStream plugin, which the stack's Connect has.
      'models/m.yml': sinks('file-sink'),
    });
    const r = await p.cli(['debug', '--format', 'json']);
    const d = doc(r, 'streamt-debug');
    expect(r.code, r.stdout).toBe(0);
    expect(d.systems.map((s: any) => s.system).sort()).toEqual(['Conduktor Gateway', 'Flink REST', 'Flink SQL Gateway', 'Kafka', 'Kafka Connect', 'Schema Registry']);
    for (const s of d.systems) expect(s, JSON.stringify(s)).toMatchObject({ ok: true, problems: [] });
    expect(d.systems.find((s: any) => s.system === 'Flink REST').version).toMatch(/^Flink 1\.20\.\d+, [1-9]\d* TaskManagers?/);
    expect(d.systems.find((s: any) => s.system === 'Kafka Connect').version).toMatch(/^Kafka Connect \d/);
    const text = await p.cli(['debug']);
    expect(text.stdout).toContain('✓ Kafka');
    expect(text.stderr).toContain('All 6 systems answered');

    // A connector class Connect does not have is a problem of Connect, found before any plan.
    p.write({ 'models/m.yml': sinks('com.example.MissingSinkConnector') });
    const plugin = doc(await p.cli(['debug', '--format', 'json']), 'streamt-debug');
    expect(plugin.ok).toBe(false);
    expect(plugin.systems.find((s: any) => s.system === 'Kafka Connect').problems).toEqual(['the connector plugin com.example.MissingSinkConnector that the project uses is not installed']);
    expect(plugin.diagnostics.map((x: any) => x.code)).toEqual(['SERVICE_PROBLEM']);
    p.write({ 'models/m.yml': sinks('file-sink') });

    p.write({ 'stream_project.yml': `project:\n  name: it_dbg_${sfx}\n${runtimeYaml({ connectUrl: 'http://127.0.0.1:1' }).replace(stackConfig.registry.url, 'http://127.0.0.1:2/apis/ccompat/v7')}${gateway.replace('password: conduktor', 'password: wrong')}` });
    const bad = await p.cli(['debug', '--format', 'json']);
    expect(bad.code).toBe(1);
    const b = doc(bad, 'streamt-debug');
    const failing = b.systems.filter((s: any) => !s.ok).map((s: any) => s.name).sort();
    expect(failing).toEqual(['runtime.conduktor.gateway.admin_url', 'runtime.connect.clusters.local.rest_url', 'runtime.schema_registry.url']);
    expect(b.diagnostics.map((x: any) => x.code).sort()).toEqual(['SERVICE_PROBLEM', 'SERVICE_UNREACHABLE', 'SERVICE_UNREACHABLE']);
    expect(b.systems.find((s: any) => s.system === 'Conduktor Gateway').problems[0]).toContain('authentication failed');
    // plan probes the same way: Connect (the sink's system) is needed, an error; the registry is
    // not needed by anything declared, a warning.
    const plan = doc(await p.cli(['plan', '--format', 'json']), 'streamt-plan');
    expect(plan.ok).toBe(false);
    expect(plan.diagnostics.filter((x: any) => x.code === 'SERVICE_UNREACHABLE').map((x: any) => [x.severity, x.hint.match(/runtime\.[a-z_.]+/)[0]]).sort()).toEqual([
      ['error', 'runtime.connect.clusters.local.rest_url'],
      ['warning', 'runtime.schema_registry.url'],
    ]);

    // The registry's base URL without the Confluent-compatible path: reachable, but not the API streamt needs.
    p.write({ 'stream_project.yml': `project:\n  name: it_dbg_${sfx}\n${runtimeYaml().replace(stackConfig.registry.url, new URL(stackConfig.registry.url).origin)}` });
    const api = doc(await p.cli(['debug', '--format', 'json']), 'streamt-debug');
    expect(api.systems.find((s: any) => s.system === 'Schema Registry').problems[0]).toContain('no Confluent-compatible API at this URL');
  });
});

describe('build, show, freshness, destroy', () => {
  it('build applies, then tests in DAG order and skips the dependents of a failed test; destroy removes what the project owns', async () => {
    const sfx = letters();
    const name = `it_wf_${sfx}`;
    const source = `it.wf.${sfx}`;
    const empty = `it.wf.empty.${sfx}`;
    const model = `wf_clean_${sfx}`;
    await createTopics([{ topic: source }, { topic: empty }]);
    onCleanup('delete the source topics', () => deleteTopics([source, empty]));
    const now = Date.now();
    await produce(source, [
      { key: 'a', value: JSON.stringify({ k: 'a', v: 5 }), timestamp: String(now - 5_000) },
      { key: 'b', value: JSON.stringify({ k: 'b', v: -1 }), timestamp: String(now - 4_000) },
      { key: 'c', value: JSON.stringify({ k: 'c', v: 7 }), timestamp: String(now - 3_000) },
    ]);
    const p = new TestProject(name, {
      'stream_project.yml': `project:\n  name: ${name}\n${runtimeYaml()}defaults:\n${JSON_MODELS}  topic:\n    partitions: 1\n    replication_factor: 1\n`,
      'sources/s.yml': `sources:
  - name: events
    topic: ${source}
    columns: [{name: k, type: STRING}, {name: v, type: BIGINT}]
    freshness: {warn_after_seconds: 3600, max_lag_seconds: 86400}
  - name: quiet
    topic: ${empty}
    columns: [{name: k, type: STRING}]
    freshness: {max_lag_seconds: 60}
`,
      'models/m.yml': `models:\n  - name: ${model}\n    materialized: flink\n    sql: SELECT k, v FROM {{ source("events") }}\n`,
      // The source test fails (v = -1): the model's test, downstream, is skipped.
      'tests/t.yml': `tests:
  - name: events_positive_${sfx}
    model: events
    type: sample
    assertions: [{range: {column: v, min: 0}}]
  - name: clean_not_null_${sfx}
    model: ${model}
    type: sample
    assertions: [{not_null: {columns: [k]}}]
`,
    });
    cleanupProject(p);

    const build = await p.cli(['build', '--auto-approve', '--format', 'json']);
    const b = doc(build, 'streamt-build');
    expect(build.code, build.stdout).toBe(1);
    expect(b.apply).toMatchObject({ ok: true, failed: 0 });
    expect(b.apply.applied).toBeGreaterThanOrEqual(2);
    const byName = new Map(b.tests.map((t: any) => [t.test, t]));
    expect(byName.get(`events_positive_${sfx}`)).toMatchObject({ status: 'fail', skipped_because: null });
    expect(byName.get(`clean_not_null_${sfx}`)).toMatchObject({ status: 'skipped', skipped_because: `test events_positive_${sfx} on events failed` });
    expect(b.summary).toMatchObject({ tests: 2, fail: 1, skipped: 1 });
    expect(changesOf(await p.planJson())).toEqual([]);

    // show: the newest records of the source, then of the model once its Flink job wrote them.
    const shown = await p.cli(['show', 'events', '--limit', '2', '--format', 'json']);
    expect(shown.code, shown.stdout).toBe(0);
    expect(doc(shown, 'streamt-show').records.map((r: any) => r.value)).toEqual([{ k: 'b', v: -1 }, { k: 'c', v: 7 }]);
    const fromModel = await eventually('the model topic has records', async () => {
      const r = await p.cli(['show', model, '--format', 'json']);
      const d = doc(r, 'streamt-show');
      return d.records.length === 3 ? d : undefined;
    });
    expect(fromModel.records.map((r: any) => r.value.k).sort()).toEqual(['a', 'b', 'c']);
    const text = await p.cli(['show', 'events']);
    expect(text.stdout).toContain('key=c {"k":"c","v":7}');

    // freshness: the fresh source passes, the empty one is an error; exit 1.
    const fresh = await p.cli(['freshness', '--format', 'json']);
    expect(fresh.code).toBe(1);
    const f = doc(fresh, 'streamt-freshness');
    expect(f.sources.map((s: any) => [s.source, s.status])).toEqual([
      ['events', 'pass'],
      ['quiet', 'error'],
    ]);
    expect(f.sources[0].age_seconds).toBeLessThan(3600);
    await produce(empty, [{ key: 'x', value: JSON.stringify({ k: 'x' }), timestamp: String(Date.now() - 120_000) }]);
    const late = doc(await p.cli(['freshness', '--select', 'quiet', '--format', 'json']), 'streamt-freshness');
    expect(late.sources).toEqual([expect.objectContaining({ source: 'quiet', status: 'error' })]);
    expect(late.sources[0].message).toContain('more than max_lag_seconds 60');

    // destroy: without a terminal it needs --auto-approve; then everything the project owns goes.
    const refused = await p.cli(['destroy']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('APPLY_CONFIRMATION_REQUIRED');
    const destroyed = await p.cli(['destroy', '--auto-approve', '--format', 'json']);
    const d = doc(destroyed, 'streamt-destroy');
    expect(destroyed.code, destroyed.stdout).toBe(0);
    // The model's JSON Schema is registered with the registry (docs/schemas.md#model-outputs): it goes too.
    expect(d.outcomes.map((o: any) => o.addr).sort()).toEqual([`flink.job.${model}`, `kafka.topic.${model}`, `sr.subject.${model}-value`]);
    expect(changesOf(await p.planJson()).sort()).toEqual([`flink.job.${model} create`, `kafka.topic.${model} create`, `sr.subject.${model}-value create`]);
    const jobs = await http('GET', `${endpoints.flinkRest}/jobs/overview`);
    expect((jobs.body?.jobs ?? []).filter((j: any) => j.name === `streamt.${name}.${model}` && j.state === 'RUNNING')).toEqual([]);
    const again = await p.cli(['destroy', '--auto-approve']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to destroy.');
  });

  it('show decodes Avro records through the registry', async () => {
    const sfx = letters();
    const topic = `it.wf.avro.${sfx}`;
    const subject = `${topic}-value`;
    await createTopics([{ topic }]);
    onCleanup('delete the topic', () => deleteTopics([topic]));
    deleteSubjectAfterTest(subject);
    const schema = { type: 'record', name: 'Order', fields: [{ name: 'order_id', type: 'string' }, { name: 'amount', type: 'double' }] };
    const reg = await registry('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(schema) });
    expect(reg.status).toBe(200);
    const avsc = (await import('avsc')).default;
    const type = avsc.Type.forSchema(schema as never);
    const header = Buffer.alloc(5);
    header.writeInt32BE(reg.body.id as number, 1);
    const producer = (await import('./helpers.js')).kafkaClient().producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'o1', value: Buffer.concat([header, type.toBuffer({ order_id: 'o1', amount: 12.5 })]) }] });
    await producer.disconnect();
    const p = new TestProject(`it_wfa_${sfx}`, {
      'stream_project.yml': `project:\n  name: it_wfa_${sfx}\n${runtimeYaml()}`,
      'sources/s.yml': `sources:\n  - name: orders\n    topic: ${topic}\n    schema: {format: avro}\n    columns: [{name: order_id, type: STRING}, {name: amount, type: DOUBLE}]\n`,
    });
    const r = await p.cli(['show', 'orders', '--format', 'json']);
    expect(r.code, r.stdout).toBe(0);
    expect(doc(r, 'streamt-show').records).toEqual([expect.objectContaining({ key: 'o1', value: { order_id: 'o1', amount: 12.5 } })]);
  });
});
