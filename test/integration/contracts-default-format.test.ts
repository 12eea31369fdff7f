/**
 * The default output format on the real stack (issue 12, item 3; docs/schemas.md "Which format a
 * model writes", docs/plan-apply.md "Format changes of a live topic"): with a registry, a model
 * without output_format writes Avro in the Confluent wire format under the subject streamt
 * registered, and a downstream model reads it; a model applied as JSON that switches to the
 * default is blocked by plan, naming its readers, until the plan allows it (--allow-state-reset),
 * after which the new records are Avro, the readers follow, and the next plan is empty.
 */
import { describe, expect, it } from 'vitest';
import { KafkaAdapter } from '../../src/adapters/kafka/client.js';
import { readTopic } from '../../src/adapters/kafka/sample.js';
import { SchemaRegistryAdapter } from '../../src/adapters/schema-registry/client.js';
import { decodeRecords } from '../../src/datatest/decode.js';
import { committedOffsets, createTopics, eventually, kafkaClient, produce, registry, stackConfig } from './helpers.js';
import { cleanupProject, letters, runtimeYaml, TestProject } from './plan-helpers.js';

/** A topic's records read and decoded through streamt's own adapters (as `show` and tests do). */
async function records(topic: string): Promise<{ raw: Buffer[]; values: Record<string, unknown>[] }> {
  const kafka = new KafkaAdapter({ bootstrap_servers: stackConfig.kafka.bootstrapServers });
  try {
    const read = await readTopic(kafka, topic, { from: 'earliest', max: 1000, timeoutMs: 60_000 });
    const decoded = await decodeRecords(read.records, new SchemaRegistryAdapter({ url: stackConfig.registry.url }));
    expect(decoded.undecodable.examples).toEqual([]);
    return { raw: read.records.map((r) => r.value!).filter(Boolean), values: decoded.records.map((r) => r.value!).filter(Boolean) };
  } finally {
    await kafka.close();
  }
}

/** Offsets a job's consumer group committed (at its checkpoints) have reached the end of a topic. */
async function caughtUp(group: string, topic: string): Promise<boolean> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await committedOffsets(group, topic);
    return ends.every((e) => (committed.get(e.partition) ?? -1) >= Number(e.high));
  } finally {
    await admin.disconnect();
  }
}

const order = (id: string, amount: number, status: string) => ({ key: id, value: JSON.stringify({ order_id: id, amount, status }) });

function project(sfx: string, o: { format?: 'json'; version?: number } = {}) {
  const names = { project: `it_df_${sfx}`, source: `it.df.orders.${sfx}`, clean: `clean_${sfx}`, big: `big_${sfx}`, app: `app_${sfx}` };
  const files = {
    'stream_project.yml': `project:\n  name: ${names.project}\n${runtimeYaml()}defaults:\n  topic:\n    partitions: 1\n    replication_factor: 1\n  models:\n    flink:\n      checkpoint_interval_ms: 2000\n`,
    'sources/s.yml': `sources:\n  - name: orders\n    topic: ${names.source}\n    columns:\n      - { name: order_id, type: STRING }\n      - { name: amount, type: BIGINT }\n      - { name: status, type: STRING }\n`,
    'models/m.yml': `models:
  - name: ${names.clean}
${o.format ? `    output_format: ${o.format}\n` : ''}${o.version ? `    version: ${o.version}\n` : ''}    materialized: flink
    sql: SELECT order_id, amount, status FROM {{ source("orders") }} WHERE amount > 0
  - name: ${names.big}
    materialized: flink
    sql: SELECT order_id, amount * 10 AS amount_x10 FROM {{ ref("${names.clean}") }} WHERE status = 'PAID'
`,
    'exposures/e.yml': `exposures:\n  - name: ${names.app}\n    type: application\n    consumes: [{ref: ${names.clean}}]\n`,
  };
  return { names, files };
}

describe('the default output format on the stack', () => {
  it('with a registry, a model without output_format writes Confluent-wire-format Avro under its subject; a downstream model reads it', async () => {
    const sfx = letters();
    const { names, files } = project(sfx);
    await createTopics([{ topic: names.source }]);
    const p = new TestProject(names.project, files);
    cleanupProject(p);

    const first = await p.planJson();
    const job = first.changes.find((c: any) => c.addr === `flink.job.${names.clean}`);
    expect(job.desired.value_format).toBe('avro-confluent');
    expect(first.changes.find((c: any) => c.addr === `sr.subject.${names.clean}-value`).desired.schema_type).toBe('AVRO');
    await p.apply();
    await produce(names.source, [order('o1', 12, 'PAID'), order('o2', 0, 'PAID'), order('o3', 7, 'NEW')]);

    // The model's topic: Avro in the Confluent wire format, written with the subject's schema.
    const clean = await eventually('two records in the model topic', async () => {
      const r = await records(names.clean);
      return r.values.length >= 2 ? r : false;
    }, 240_000);
    const latest = await registry('GET', `/subjects/${encodeURIComponent(`${names.clean}-value`)}/versions/latest`);
    expect(latest.status).toBe(200);
    expect(latest.body.schemaType ?? 'AVRO').toBe('AVRO');
    for (const v of clean.raw) {
      expect(v[0]).toBe(0);
      expect(v.readInt32BE(1)).toBe(latest.body.id);
    }
    expect(clean.values.map((v) => [v.order_id, v.amount, v.status]).sort()).toEqual([
      ['o1', 12, 'PAID'],
      ['o3', 7, 'NEW'],
    ]);

    // The downstream model read the Avro topic (its source table is avro-confluent) and wrote Avro too.
    const big = await eventually('a record in the downstream topic', async () => {
      const r = await records(names.big);
      return r.values.length >= 1 ? r : false;
    }, 240_000);
    expect(big.raw[0]![0]).toBe(0);
    expect(big.values).toEqual([{ order_id: 'o1', amount_x10: 120 }]);

    const again = await p.cli(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });

  it('a JSON model switched to the default is blocked naming its readers, then switched with --allow-state-reset; plan is then empty', async () => {
    const sfx = letters();
    const json = project(sfx, { format: 'json' });
    const { names } = json;
    await createTopics([{ topic: names.source }]);
    const p = new TestProject(names.project, json.files);
    cleanupProject(p);
    await p.apply();
    await produce(names.source, [order('o1', 12, 'PAID'), order('o2', 5, 'NEW')]);
    // The reader has read (and committed, at a checkpoint) every JSON record before the switch.
    await eventually('the downstream model read the JSON records', async () => (await records(names.big)).values.length >= 1, 240_000);
    await eventually('the downstream job committed its offsets', () => caughtUp(`streamt.${names.project}.${names.big}`, names.clean), 120_000);
    const before = await records(names.clean);
    expect(before.raw.every((v) => v[0] === '{'.charCodeAt(0))).toBe(true);

    // The default (Avro) on the same topic: blocked, with the topic, the formats and the readers.
    p.write({ 'models/m.yml': project(sfx).files['models/m.yml'] });
    const blocked = await p.planJson();
    const change = blocked.changes.find((c: any) => c.addr === `flink.job.${names.clean}`);
    expect(change.blocked.code).toBe('PLAN_FORMAT_CHANGE');
    expect(change.blocked.message).toContain(`topic "${names.clean}" change format: JSON → Avro (avro-confluent)`);
    expect(change.blocked.message).toContain(`read by exposure ${names.app}, model ${names.big}`);
    expect(change.blocked.hint).toContain('output_format: json');
    // The subject, registered as a JSON Schema, is the same change.
    expect(blocked.changes.find((c: any) => c.addr === `sr.subject.${names.clean}-value`).blocked.code).toBe('PLAN_FORMAT_CHANGE');
    const text = await p.cli(['plan']);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('PLAN_FORMAT_CHANGE');
    const refused = await p.cli(['apply', '--auto-approve']);
    expect(refused.code).toBe(1);

    // A new version is not a format change of a live topic: nothing is blocked for it (the
    // downstream job moving to the new topic is judged as a moved source, as always).
    p.write({ 'models/m.yml': project(sfx, { version: 2 }).files['models/m.yml'] });
    const versioned = await p.planJson();
    expect(versioned.changes.filter((c: any) => c.blocked?.code === 'PLAN_FORMAT_CHANGE')).toEqual([]);
    const v2 = versioned.changes.find((c: any) => c.addr === `flink.job.${names.clean}_v2`);
    expect([v2.action, v2.desired.value_format, v2.desired.output_topic]).toEqual(['create', 'avro-confluent', `${names.clean}.v2`]);

    // --allow-state-reset switches the topic in place.
    p.write({ 'models/m.yml': project(sfx).files['models/m.yml'] });
    const allowed = await p.planJson(['--allow-state-reset']);
    expect(allowed.summary.blocked).toBe(0);
    expect(allowed.changes.find((c: any) => c.addr === `sr.subject.${names.clean}-value`).action).toBe('replace');
    await p.apply(['--allow-state-reset']);
    const subject = await registry('GET', `/subjects/${encodeURIComponent(`${names.clean}-value`)}/versions/latest`);
    expect(subject.body.schemaType ?? 'AVRO').toBe('AVRO');

    await produce(names.source, [order('o3', 30, 'PAID')]);
    const after = await eventually('the Avro record after the JSON ones', async () => {
      const r = await records(names.clean);
      return r.values.length >= 3 ? r : false;
    }, 240_000);
    // The JSON records stay; the new one is Avro under the new subject's schema.
    expect(after.raw.slice(0, 2).every((v) => v[0] === '{'.charCodeAt(0))).toBe(true);
    expect(after.raw[2]![0]).toBe(0);
    expect(after.raw[2]!.readInt32BE(1)).toBe(subject.body.id);
    expect(after.values[2]).toEqual({ order_id: 'o3', amount: 30, status: 'PAID' });
    // The downstream job now reads Avro from where it stopped.
    const big = await eventually('the downstream model read the Avro record', async () => {
      const r = await records(names.big);
      return r.values.length >= 2 ? r : false;
    }, 240_000);
    expect(big.values.map((v) => [v.order_id, v.amount_x10]).sort()).toEqual([
      ['o1', 120],
      ['o3', 300],
    ]);

    const again = await p.cli(['plan', '--detailed-exitcode']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
  });
});
