import { describe, expect, it } from 'vitest';
import { diffTopic } from '../../src/adapters/kafka/diff.js';
import { diffConnector } from '../../src/adapters/connect/diff.js';
import { diffSubject, normalizeSchema } from '../../src/adapters/schema-registry/diff.js';
import { diffGatewayRule } from '../../src/adapters/gateway/diff.js';
import { diffFlinkJob, queryShape, scriptParts, stateCompatibility } from '../../src/adapters/flink/diff.js';
import type { FlinkJobSpec, GatewaySpec, SchemaSpecArtifact, TopicSpec } from '../../src/compile/types.js';

const topic = (o: Partial<TopicSpec> = {}): TopicSpec => ({ name: 't', partitions: 3, replication_factor: 1, config: { 'retention.ms': '1000' }, ...o });

describe('diffTopic', () => {
  it('creates a missing topic with its declared settings', () => {
    const p = diffTopic(topic(), { kind: 'topic', name: 't', exists: false });
    expect(p.action).toBe('create');
    expect(p.fields.map((f) => f.field)).toEqual(['partitions', 'replication_factor', 'config.retention.ms']);
  });
  it('ignores live configs that are not declared (broker defaults and others make no noise)', () => {
    const p = diffTopic(topic(), { kind: 'topic', name: 't', exists: true, partitions: 3, replicationFactor: 1, config: { 'retention.ms': '1000', 'segment.bytes': '99' } });
    expect(p).toEqual({ action: 'no-op', reasons: [], fields: [] });
  });
  it('updates a changed config and a partition increase', () => {
    const p = diffTopic(topic({ partitions: 6, config: { 'retention.ms': '2000' } }), { kind: 'topic', name: 't', exists: true, partitions: 3, replicationFactor: 1, config: { 'retention.ms': '1000' } });
    expect(p.action).toBe('update');
    expect(p.fields).toEqual([
      { field: 'partitions', before: 3, after: 6 },
      { field: 'config.retention.ms', before: '1000', after: '2000' },
    ]);
  });
  it('resets a config this project set before and no longer declares', () => {
    const p = diffTopic(topic({ config: {} }), { kind: 'topic', name: 't', exists: true, partitions: 3, replicationFactor: 1, config: { 'retention.ms': '1000' } }, topic());
    expect(p.action).toBe('update');
    expect(p.fields).toEqual([{ field: 'config.retention.ms', before: '1000', after: undefined }]);
  });
  it('says plainly that partitions cannot go down', () => {
    const p = diffTopic(topic({ partitions: 2 }), { kind: 'topic', name: 't', exists: true, partitions: 3, replicationFactor: 1, config: { 'retention.ms': '1000' } });
    expect(p.action).toBe('replace');
    expect(p.blocked?.code).toBe('PLAN_PARTITIONS_DECREASE');
    expect(p.blocked?.message).toContain('3 → 2');
  });
  it('refuses a replication factor change', () => {
    const p = diffTopic(topic({ replication_factor: 3 }), { kind: 'topic', name: 't', exists: true, partitions: 3, replicationFactor: 1, config: { 'retention.ms': '1000' } });
    expect(p.blocked?.code).toBe('PLAN_REPLICATION_FACTOR_CHANGE');
  });
  it('leaves partitions alone when not declared', () => {
    const p = diffTopic(topic({ partitions: null, replication_factor: null }), { kind: 'topic', name: 't', exists: true, partitions: 12, replicationFactor: 3, config: { 'retention.ms': '1000' } });
    expect(p.action).toBe('no-op');
  });
});

describe('diffConnector', () => {
  const spec = { name: 'c', connector_class: 'x.Y', cluster: null, topics: ['a'], config: { 'connector.class': 'x.Y', topics: 'a', 'connection.password': '${secret:c/connection.password}', 'batch.size': '10' } };
  const resolve = (s: string) => s.replace('${secret:c/connection.password}', 'hunter22');
  it('creates a missing connector, never showing secrets', () => {
    const p = diffConnector(spec, { kind: 'connector', name: 'c', exists: false }, resolve);
    expect(p.action).toBe('create');
    expect(JSON.stringify(p)).not.toContain('hunter22');
    expect(p.fields.find((f) => f.field === 'config.connection.password')).toMatchObject({ sensitive: true });
  });
  it('compares resolved secrets: no change when the live value matches', () => {
    const p = diffConnector(spec, { kind: 'connector', name: 'c', exists: true, state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }], config: { 'connector.class': 'x.Y', topics: 'a', 'connection.password': 'hunter22', 'batch.size': '10', 'extra.live': 'x' } }, resolve);
    expect(p.action).toBe('no-op');
  });
  it('reports exactly the changed keys', () => {
    const p = diffConnector(spec, { kind: 'connector', name: 'c', exists: true, state: 'RUNNING', tasks: [], config: { 'connector.class': 'x.Y', topics: 'a', 'connection.password': 'old-secret', 'batch.size': '5' } }, resolve);
    expect(p.action).toBe('update');
    expect(p.fields.map((f) => f.field)).toEqual(['config.batch.size', 'config.connection.password']);
    expect(JSON.stringify(p)).not.toContain('old-secret');
  });
  it('restarts a failed connector with an unchanged config', () => {
    const p = diffConnector(spec, { kind: 'connector', name: 'c', exists: true, state: 'RUNNING', tasks: [{ id: 0, state: 'FAILED' }], config: { 'connector.class': 'x.Y', topics: 'a', 'connection.password': 'hunter22', 'batch.size': '10' } }, resolve);
    expect(p.action).toBe('update');
    expect(p.reasons.join()).toContain('FAILED');
  });
  it('blocks a config the plugin rejects', () => {
    const p = diffConnector(spec, { kind: 'connector', name: 'c', exists: false, validationErrors: ['batch.size: must be > 0'] }, resolve);
    expect(p.blocked?.code).toBe('PLAN_CONNECTOR_INVALID');
  });
});

describe('diffSubject', () => {
  const spec: SchemaSpecArtifact = { subject: 's-value', schema_type: 'AVRO', schema: '{"type":"record","name":"r","fields":[]}', compatibility: 'BACKWARD' };
  it('compares schemas by meaning, not whitespace', () => {
    expect(normalizeSchema('{ "a": 1,  "b": [1] }', 'JSON')).toBe(normalizeSchema('{"b":[1],"a":1}', 'JSON'));
    const p = diffSubject(spec, { kind: 'subject', subject: 's-value', exists: true, latest: { version: 2, id: 7, schema: '{"fields":[], "name":"r","type":"record"}', schemaType: 'AVRO' }, compatibility: 'BACKWARD' });
    expect(p.action).toBe('no-op');
  });
  it('registers a compatible new version', () => {
    const p = diffSubject(spec, { kind: 'subject', subject: 's-value', exists: true, latest: { version: 2, id: 7, schema: '{"type":"string"}', schemaType: 'AVRO' }, compatibility: 'BACKWARD', compatible: { isCompatible: true, messages: [] } });
    expect(p.action).toBe('update');
    expect(p.fields).toEqual([{ field: 'schema', before: 'version 2', after: 'new version' }]);
  });
  it("states an incompatible schema with the registry's reason", () => {
    const p = diffSubject(spec, { kind: 'subject', subject: 's-value', exists: true, latest: { version: 2, id: 7, schema: '{"type":"string"}', schemaType: 'AVRO' }, compatibility: 'BACKWARD', compatible: { isCompatible: false, messages: ['reader field x has no default'] } });
    expect(p.blocked?.code).toBe('PLAN_SCHEMA_INCOMPATIBLE');
    expect(p.blocked?.message).toContain('reader field x has no default');
  });
  it('sets a changed compatibility level', () => {
    const p = diffSubject(spec, { kind: 'subject', subject: 's-value', exists: true, latest: { version: 1, id: 7, schema: spec.schema, schemaType: 'AVRO' }, compatibility: null });
    expect(p.fields).toEqual([{ field: 'compatibility', before: '(registry default)', after: 'BACKWARD' }]);
  });
});

describe('diffGatewayRule', () => {
  const spec: GatewaySpec = { name: 'streamt.p.m.sql', kind: 'Interceptor', resource: { kind: 'Interceptor', apiVersion: 'gateway/v2', metadata: { name: 'streamt.p.m.sql' }, spec: { pluginClass: 'X', priority: 100, config: { a: 1 } } } };
  it('creates, ignores server defaults, updates declared keys', () => {
    expect(diffGatewayRule(spec, { kind: 'gateway_rule', name: spec.name, ruleKind: 'Interceptor', exists: false }).action).toBe('create');
    expect(diffGatewayRule(spec, { kind: 'gateway_rule', name: spec.name, ruleKind: 'Interceptor', exists: true, resource: { metadata: { name: spec.name }, spec: { pluginClass: 'X', priority: 100, config: { a: 1 }, comment: 'server default' } } }).action).toBe('no-op');
    const p = diffGatewayRule(spec, { kind: 'gateway_rule', name: spec.name, ruleKind: 'Interceptor', exists: true, resource: { metadata: { name: spec.name }, spec: { pluginClass: 'X', priority: 100, config: { a: 2 } } } });
    expect(p.action).toBe('update');
    expect(p.fields.map((f) => f.field)).toEqual(['spec.config']);
  });
});

const job = (query: string, o: Partial<FlinkJobSpec> = {}, settings: string[] = []): FlinkJobSpec => ({
  name: 'streamt.p.m',
  cluster: null,
  parallelism: null,
  checkpoint_interval_ms: null,
  state_ttl_ms: null,
  state_backend: null,
  input_topics: ['in'],
  output_topic: 'out',
  sink_connector: 'kafka',
  primary_key: [],
  value_format: 'json',
  key_format: null,
  key_fields: [],
  statements: [`SET 'pipeline.name' = 'streamt.p.m'`, ...settings, 'CREATE TEMPORARY TABLE `in` (\n  `k` STRING,\n  `v` BIGINT\n) WITH (\n  \'connector\' = \'kafka\'\n)', 'CREATE TEMPORARY TABLE `m__output` (`k` STRING, `n` BIGINT) WITH (\'connector\' = \'kafka\')', query],
  ...o,
});

describe('Flink job diff', () => {
  const q1 = 'INSERT INTO `m__output` SELECT k, COUNT(*) AS n FROM `in` WHERE v > 0 GROUP BY k';
  it('splits a script into settings, tables and the query', () => {
    const p = scriptParts(job(q1, {}, ["RESET 'table.exec.state.ttl'"]).statements);
    expect(p.settings).toEqual({ 'pipeline.name': 'streamt.p.m', 'table.exec.state.ttl': null });
    expect(Object.keys(p.tables)).toEqual(['in', 'm__output']);
    expect(p.query).toBe(q1);
  });
  it('query shape ignores constants only', () => {
    expect(queryShape(q1)).toBe(queryShape(q1.replace('v > 0', 'v > 100')));
    expect(queryShape(q1)).not.toBe(queryShape(q1.replace('GROUP BY k', 'GROUP BY k, v')));
    expect(queryShape("SELECT 'a1' AS x, t1.c2 FROM t1")).toBe(queryShape("SELECT 'b' AS x, t1.c2 FROM t1"));
  });
  it('submits a job that is not running', () => {
    const p = diffFlinkJob({ spec: job(q1), hash: 'h1', stateful: true }, { kind: 'flink_job', name: 'streamt.p.m', active: [] }, undefined, { allowStateReset: false });
    expect(p).toMatchObject({ action: 'create', steps: ['submit'] });
  });
  it('is a no-op when the running job has the recorded hash', () => {
    const p = diffFlinkJob({ spec: job(q1), hash: 'h1', stateful: true }, { kind: 'flink_job', name: 'streamt.p.m', active: [{ jid: 'j', state: 'RUNNING', startTime: 1 }] }, { hash: 'h1', spec: job(q1) }, { allowStateReset: false });
    expect(p.action).toBe('no-op');
  });
  it('upgrades a state-compatible change with a savepoint', () => {
    const after = job(q1.replace('v > 0', 'v > 5'), {}, ["SET 'parallelism.default' = '2'"]);
    const p = diffFlinkJob({ spec: after, hash: 'h2', stateful: true }, { kind: 'flink_job', name: 'streamt.p.m', active: [{ jid: 'j', state: 'RUNNING', startTime: 1 }] }, { hash: 'h1', spec: job(q1) }, { allowStateReset: false });
    expect(p.action).toBe('update');
    expect(p.steps).toEqual(['stop-with-savepoint', 'submit-from-savepoint']);
    expect(p.fields.map((f) => f.field)).toEqual(['set.parallelism.default', 'query']);
  });
  it('flags a state-incompatible change and needs --allow-state-reset', () => {
    const after = job(q1.replace('GROUP BY k', 'GROUP BY k, v'));
    const obs = { kind: 'flink_job' as const, name: 'streamt.p.m', active: [{ jid: 'j', state: 'RUNNING', startTime: 1 }] };
    const blocked = diffFlinkJob({ spec: after, hash: 'h2', stateful: true }, obs, { hash: 'h1', spec: job(q1) }, { allowStateReset: false });
    expect(blocked.action).toBe('replace');
    expect(blocked.blocked?.code).toBe('PLAN_STATE_INCOMPATIBLE');
    const allowed = diffFlinkJob({ spec: after, hash: 'h2', stateful: true }, obs, { hash: 'h1', spec: job(q1) }, { allowStateReset: true });
    expect(allowed.blocked).toBeUndefined();
    expect(allowed.steps).toEqual(['cancel', 'submit']);
  });
  it('a stateless job is always upgraded through a savepoint (its Kafka offsets)', () => {
    const q = 'INSERT INTO `m__output` SELECT k, v FROM `in`';
    const p = diffFlinkJob({ spec: job(q.replace('k, v', 'k, v, v')), hash: 'h2', stateful: false }, { kind: 'flink_job', name: 'streamt.p.m', active: [{ jid: 'j', state: 'RUNNING', startTime: 1 }] }, { hash: 'h1', spec: job(q) }, { allowStateReset: false });
    expect(p.steps).toEqual(['stop-with-savepoint', 'submit-from-savepoint']);
  });
  it('column changes and sink changes break state', () => {
    const before = job(q1);
    expect(stateCompatibility(before, { ...before, sink_connector: 'upsert-kafka' }).compatible).toBe(false);
    const cols = { ...before, statements: before.statements.map((s) => s.replace('`v` BIGINT', '`v` INT')) };
    expect(stateCompatibility(before, cols)).toEqual({ compatible: false, why: ['the columns of table in change'] });
  });
  it('a source that moves to another topic or cluster breaks the state of every job, stateful or not (the savepoint holds the old partitions)', () => {
    const q = 'INSERT INTO `m__output` SELECT k, v FROM `in`';
    const at = (topic: string, servers = 'k:9092') => job(q, {}, []).statements.map((st) => st.replace("'connector' = 'kafka'\n)", `'connector' = 'kafka',\n  'topic' = '${topic}',\n  'properties.bootstrap.servers' = '${servers}'\n)`));
    const spec = (topic: string, servers?: string) => ({ ...job(q), statements: at(topic, servers) });
    const obs = { kind: 'flink_job' as const, name: 'streamt.p.m', active: [{ jid: 'j', state: 'RUNNING', startTime: 1 }] };
    const moved = diffFlinkJob({ spec: spec('b'), hash: 'h2', stateful: false }, obs, { hash: 'h1', spec: spec('a') }, { allowStateReset: false });
    expect(moved).toMatchObject({ action: 'replace', steps: ['cancel', 'submit'], blocked: { code: 'PLAN_STATE_INCOMPATIBLE' } });
    expect(moved.blocked?.message).toContain("table in reads topic b instead of a: restored from a savepoint, Flink's Kafka source would keep reading the partitions of a it recorded there");
    const cluster = diffFlinkJob({ spec: spec('a', 'other:9092'), hash: 'h2', stateful: true }, obs, { hash: 'h1', spec: spec('a') }, { allowStateReset: false });
    expect(cluster.blocked?.message).toContain('table in reads cluster other:9092 instead of k:9092');
    // With --allow-state-reset the job starts over on the new topic, without the old positions.
    expect(diffFlinkJob({ spec: spec('b'), hash: 'h2', stateful: false }, obs, { hash: 'h1', spec: spec('a') }, { allowStateReset: true })).toMatchObject({ action: 'replace', steps: ['cancel', 'submit'] });
    // A stopped job is not resumed from its savepoint onto another topic either.
    const stopped = diffFlinkJob({ spec: spec('b'), hash: 'h2', stateful: false }, { kind: 'flink_job', name: 'streamt.p.m', active: [] }, { hash: 'h1', spec: spec('a'), savepoint: 'file:/sp/1' }, { allowStateReset: false });
    expect(stopped.blocked?.code).toBe('PLAN_STATE_INCOMPATIBLE');
    // The output topic is not read: moving it keeps the savepoint.
    const out = (topic: string) => ({ ...job(q), statements: job(q).statements.map((st) => (st.includes('m__output') && st.startsWith('CREATE') ? st.replace("'connector' = 'kafka')", `'connector' = 'kafka', 'topic' = '${topic}')`) : st)) });
    expect(diffFlinkJob({ spec: out('o2'), hash: 'h2', stateful: false }, obs, { hash: 'h1', spec: out('o1') }, { allowStateReset: false })).toMatchObject({ action: 'update', steps: ['stop-with-savepoint', 'submit-from-savepoint'] });
  });
  it('resumes from the savepoint of an interrupted upgrade', () => {
    const p = diffFlinkJob({ spec: job(q1), hash: 'h2', stateful: true }, { kind: 'flink_job', name: 'streamt.p.m', active: [] }, { hash: 'h1', spec: job(q1), savepoint: 'file:/sp/1' }, { allowStateReset: false });
    expect(p).toMatchObject({ action: 'create', steps: ['submit-from-savepoint'] });
  });
});

describe('Flink job diff when the job is not running normally', () => {
  const q = 'INSERT INTO `m__output` SELECT k, COUNT(*) AS n FROM `in` WHERE v > 0 GROUP BY k';
  const obs = { kind: 'flink_job' as const, name: 'streamt.p.m', active: [{ jid: 'j', state: 'RESTARTING', startTime: 1 }] };
  it('cannot take a savepoint of a restarting job: a stateful one needs --allow-state-reset', () => {
    const after = job(q.replace('v > 0', 'v > 1'));
    const p = diffFlinkJob({ spec: after, hash: 'h2', stateful: true }, obs, { hash: 'h1', spec: job(q) }, { allowStateReset: false });
    expect(p).toMatchObject({ action: 'replace', steps: ['cancel', 'submit'], blocked: { code: 'PLAN_STATE_INCOMPATIBLE' } });
    expect(diffFlinkJob({ spec: after, hash: 'h2', stateful: false }, obs, { hash: 'h1', spec: job(q) }, { allowStateReset: false }).blocked).toBeUndefined();
  });
});

describe('Flink job diff: a job stopped with a savepoint', () => {
  const q = 'INSERT INTO `m__output` SELECT k, COUNT(*) AS n FROM `in` WHERE v > 0 GROUP BY k';
  it('resumes from the stopped job\'s savepoint (e.g. paused by streamt test)', () => {
    const p = diffFlinkJob({ spec: job(q), hash: 'h1', stateful: true }, { kind: 'flink_job', name: 'streamt.p.m', active: [], lastTerminated: { jid: 'j', state: 'FINISHED', startTime: 1 }, lastSavepoint: 'file:/sp/paused' }, { hash: 'h1', spec: job(q) }, { allowStateReset: false });
    expect(p).toMatchObject({ action: 'create', steps: ['submit-from-savepoint'], fields: [{ field: 'execution.savepoint.path', after: 'file:/sp/paused' }] });
    expect(p.reasons[0]).toContain('stopped with a savepoint (FINISHED)');
  });
  it('--allow-state-reset starts without it', () => {
    const p = diffFlinkJob({ spec: job(q), hash: 'h1', stateful: true }, { kind: 'flink_job', name: 'streamt.p.m', active: [], lastSavepoint: 'file:/sp/paused' }, { hash: 'h1', spec: job(q) }, { allowStateReset: true });
    expect(p.steps).toEqual(['submit']);
  });
});
