import { describe, expect, it } from 'vitest';
import { codes, find, PROJECT, SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const withModels = (models: string, extra: Record<string, string> = {}) =>
  resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': `models:\n${models}`, ...extra });

const errorsOf = (r: ReturnType<typeof resolveFiles>) => codes(r.diagnostics, 'error');

describe('names', () => {
  it('accepts distinct names', () => {
    expect(errorsOf(withModels('  - name: a\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'))).toEqual([]);
  });

  it('reports duplicates within a kind, pointing at the second one', () => {
    const r = withModels('  - name: a\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n  - name: a\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n');
    const d = find(r.diagnostics, 'DUPLICATE_MODEL');
    expect([d.file, d.line, d.column]).toEqual(['models/m.yml', 4, 11]);
    expect(d.message).toContain('models/m.yml:2');
    expect(errorsOf(resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES + SOURCES.replace('sources:\n', '') }))).toContain('DUPLICATE_SOURCE');
    const t = 'tests:\n  - name: t\n    model: orders_raw\n    type: schema\n    assertions: []\n';
    expect(errorsOf(resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'tests/a.yml': t, 'tests/b.yml': t }))).toEqual(['DUPLICATE_TEST']);
    const e = 'exposures:\n  - name: e\n    type: dashboard\n';
    expect(errorsOf(resolveFiles({ 'stream_project.yml': PROJECT, 'exposures/a.yml': e, 'exposures/b.yml': e }))).toEqual(['DUPLICATE_EXPOSURE']);
  });

  it('reports a name shared by a source and a model', () => {
    const r = withModels('  - name: customers\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n');
    expect(find(r.diagnostics, 'NAME_CONFLICT').message).toContain('source "customers"');
  });

  it('allows a test to share a model name (tests have their own namespace)', () => {
    const r = withModels('  - name: a\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n', {
      'tests/t.yml': 'tests:\n  - name: a\n    model: a\n    type: schema\n    assertions: []\n',
    });
    expect(errorsOf(r)).toEqual([]);
  });
});

describe('references', () => {
  it('reports an unknown ref() at the call, with the nearest names', () => {
    const r = withModels('  - name: clean\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n  - name: b\n    sql: |\n      SELECT *\n      FROM {{ ref("claen") }}\n');
    const d = find(r.diagnostics, 'MODEL_NOT_FOUND');
    expect(d.hint).toBe('did you mean "clean"?');
    expect([d.file, d.line, d.column]).toEqual(['models/m.yml', 7, 15]);
  });

  it('reports an unknown source() and suggests ref() when a model has the name', () => {
    const r = withModels('  - name: clean\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n  - name: b\n    sql: SELECT 1 FROM {{ source("clean") }}\n  - name: c\n    sql: SELECT 1 FROM {{ source("order_raw") }}\n');
    const ds = r.diagnostics.filter((d) => d.code === 'SOURCE_NOT_FOUND');
    expect(ds.map((d) => d.hint)).toEqual(['use {{ ref("clean") }}', 'did you mean "orders_raw"?']);
  });

  it('resolves from: entries and reports unknown ones at their position', () => {
    const r = withModels('  - name: sink1\n    from:\n      - ref: nope\n    sink: {connector: jdbc-sink}\n');
    const d = find(r.diagnostics, 'MODEL_NOT_FOUND');
    expect([d.line, d.column]).toEqual([4, 14]);
  });

  it('warns about from: entries the SQL does not read, and SQL inputs missing from from:', () => {
    const r = withModels('  - name: a\n    from: [customers]\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n');
    expect(codes(r.diagnostics, 'warning').sort()).toEqual(['UNDECLARED_DEPENDENCY', 'UNUSED_FROM_SOURCE']);
  });

  it('reports a cycle with its full path', () => {
    const r = withModels(
      '  - name: a\n    sql: SELECT x FROM {{ ref("c") }}\n  - name: b\n    sql: SELECT x FROM {{ ref("a") }}\n  - name: c\n    sql: SELECT x FROM {{ ref("b") }}\n',
    );
    const d = find(r.diagnostics, 'CYCLE_DETECTED');
    expect(d.message).toBe('Circular dependency: a -> b -> c -> a');
    expect(d.line).toBe(2);
  });

  it('reports a model that reads itself as a cycle, not a crash', () => {
    const r = withModels('  - name: loop\n    sql: SELECT x FROM {{ ref("loop") }}\n');
    const d = find(r.diagnostics, 'CYCLE_DETECTED');
    expect(d.message).toContain('loop -> loop');
    expect(d.hint).toBeTruthy();
    expect(d.line).toBeGreaterThan(0);
  });

  it('enforces private models of a group, and allows protected and public ones', () => {
    const models = (access: string) =>
      `  - name: core\n    access: ${access}\n    group: finance\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n  - name: other\n    group: marketing\n    sql: SELECT order_id FROM {{ ref("core") }}\n  - name: same\n    group: finance\n    sql: SELECT order_id FROM {{ ref("core") }}\n`;
    const denied = withModels(models('private'));
    expect(errorsOf(denied)).toEqual(['ACCESS_DENIED']);
    expect(find(denied.diagnostics, 'ACCESS_DENIED').message).toContain('"other"');
    expect(errorsOf(withModels(models('protected')))).toEqual([]);
    expect(errorsOf(withModels(models('public')))).toEqual([]);
  });

  it('enforces access through from: too', () => {
    const r = withModels(
      '  - name: core\n    access: private\n    group: finance\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n  - name: export\n    from: core\n    sink: {connector: jdbc-sink}\n',
    );
    expect(errorsOf(r)).toEqual(['ACCESS_DENIED']);
  });
});

describe('SQL checks look at parsed SQL', () => {
  it('reports SQL without FROM, even when FROM appears in a comment or a string', () => {
    const r = withModels("  - name: a\n    sql: |\n      -- reads FROM nowhere\n      SELECT 'FROM x' AS v\n");
    expect(errorsOf(r)).toContain('SQL_NO_FROM');
    expect(errorsOf(withModels('  - name: a\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'))).not.toContain('SQL_NO_FROM');
  });

  it('does not call SQL stateful because of words in comments or strings', () => {
    const r = withModels("  - name: a\n    sql: |\n      -- GROUP BY customer_id\n      SELECT order_id FROM {{ source(\"orders_raw\") }} WHERE status <> 'JOIN'\n");
    expect(r.resolved!.models.get('a')!.analysis!.stateful).toBe(false);
  });
});

describe('materialization', () => {
  const mat = (models: string, extra: Record<string, string> = {}) => {
    const r = withModels(models, extra);
    return Object.fromEntries([...r.resolved!.models].map(([k, v]) => [k, v.materialized]));
  };

  it('infers flink for stateful SQL, flink for stateless SQL without Gateway, sink for from: without SQL, topic without either', () => {
    expect(
      mat(
        '  - name: agg\n    sql: SELECT customer_id, COUNT(*) AS n FROM {{ source("orders_raw") }} GROUP BY customer_id\n  - name: filt\n    sql: SELECT order_id FROM {{ source("orders_raw") }} WHERE amount > 1\n  - name: out\n    from: filt\n    sink: {connector: jdbc-sink}\n  - name: plain\n',
      ),
    ).toEqual({ agg: 'flink', filt: 'flink', out: 'sink', plain: 'topic' });
  });

  it('uses virtual_topic for stateless SQL when a Gateway is configured', () => {
    const r = resolveFiles({
      'stream_project.yml': PROJECT + '  conduktor:\n    gateway:\n      admin_url: http://localhost:8888\n',
      'sources/s.yml': SOURCES,
      'models/m.yml': 'models:\n  - name: filt\n    sql: SELECT order_id FROM {{ source("orders_raw") }} WHERE amount > 1\n',
    });
    expect(r.resolved!.models.get('filt')!.materialized).toBe('virtual_topic');
    expect(errorsOf(r)).toEqual([]);
  });

  it('honours an explicit materialization and fails closed without its runtime', () => {
    const r = withModels('  - name: v\n    materialized: virtual_topic\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n');
    expect(r.resolved!.models.get('v')!.materialized).toBe('virtual_topic');
    expect(errorsOf(r)).toEqual(['GATEWAY_REQUIRED']);
  });

  it('requires Flink, Connect and sink settings where needed', () => {
    const noRuntime = (models: string) => resolveFiles({ 'stream_project.yml': 'project:\n  name: x\n', 'sources/s.yml': SOURCES, 'models/m.yml': `models:\n${models}` });
    expect(errorsOf(noRuntime('  - name: a\n    sql: SELECT customer_id, COUNT(*) AS n FROM {{ source("orders_raw") }} GROUP BY customer_id\n'))).toEqual(['FLINK_REQUIRED', 'KAFKA_REQUIRED']);
    expect(errorsOf(noRuntime('  - name: a\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'))).toEqual(['NO_PROCESSING_RUNTIME', 'KAFKA_REQUIRED']);
    expect(errorsOf(noRuntime('  - name: a\n    from: orders_raw\n    sink: {connector: jdbc-sink}\n'))).toEqual(['CONNECT_REQUIRED']);
    expect(errorsOf(withModels('  - name: a\n    materialized: sink\n    from: orders_raw\n'))).toEqual(['MISSING_SINK_CONFIG']);
  });

  it('says once, at the project file, that a project without runtime: has no Kafka for the topics its models write', () => {
    const r = resolveFiles({ 'stream_project.yml': 'project:\n  name: x\n', 'sources/s.yml': SOURCES, 'models/m.yml': 'models:\n  - name: plain\n    materialized: topic\n  - name: other\n    materialized: topic\n' });
    const d = find(r.diagnostics, 'KAFKA_REQUIRED');
    expect(d).toMatchObject({ severity: 'error', file: 'stream_project.yml', line: 1, column: 1 });
    expect(d.message).toBe('The project has no runtime: section, and models "plain", "other" write Kafka topics');
    expect(d.hint).toContain('bootstrap_servers');
    expect(codes(r.diagnostics).filter((c) => c === 'KAFKA_REQUIRED')).toHaveLength(1);
    // A project whose models write no topic (a sink only reads) needs no Kafka connection of its own.
    expect(codes(resolveFiles({ 'stream_project.yml': 'project:\n  name: x\n', 'sources/s.yml': SOURCES }).diagnostics)).not.toContain('KAFKA_REQUIRED');
  });

  it('requires a Confluent cluster for ML functions', () => {
    const ml = '  - name: a\n    sql: SELECT order_id, ML_PREDICT(\'FraudModel\', amount) AS s FROM {{ source("orders_raw") }}\n';
    expect(errorsOf(withModels(ml))).toContain('CONFLUENT_FLINK_REQUIRED');
  });

  it('checks the state TTL', () => {
    expect(errorsOf(withModels('  - name: a\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n    advanced:\n      flink:\n        state_ttl_ms: -1\n'))).toEqual(['INVALID_STATE_TTL']);
    expect(codes(withModels('  - name: a\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n    advanced:\n      flink:\n        state_ttl_ms: 10\n').diagnostics, 'warning')).toEqual(['STATE_TTL_TOO_SHORT']);
  });
});

describe('tests and exposures', () => {
  const model = '  - name: clean\n    sql: SELECT order_id, status FROM {{ source("orders_raw") }}\n';

  it('reports tests on unknown models, with a suggestion', () => {
    const r = withModels(model, { 'tests/t.yml': 'tests:\n  - name: t\n    model: claen\n    type: sample\n    assertions: []\n' });
    expect(find(r.diagnostics, 'TEST_MODEL_NOT_FOUND').hint).toBe('did you mean "clean"?');
  });

  it('reports unknown DLQ models, and warns about unknown columns and misplaced sample_size', () => {
    const r = withModels(model, {
      'tests/t.yml':
        'tests:\n  - name: t\n    model: clean\n    type: continuous\n    sample_size: 10\n    assertions:\n      - not_null: {columns: [order_id, statuss]}\n    on_failure:\n      actions:\n        - dlq: {model: clean_dlq}\n',
    });
    expect(errorsOf(r)).toEqual(['DLQ_MODEL_NOT_FOUND']);
    expect(codes(r.diagnostics, 'warning').sort()).toEqual(['SAMPLE_SIZE_IGNORED', 'TEST_UNKNOWN_COLUMN']);
    expect(find(r.diagnostics, 'TEST_UNKNOWN_COLUMN').hint).toBe('did you mean "status"?');
  });

  it('requires Flink for continuous tests', () => {
    const r = resolveFiles({
      'stream_project.yml': 'project:\n  name: x\n',
      'sources/s.yml': SOURCES,
      'tests/t.yml': 'tests:\n  - name: t\n    model: orders_raw\n    type: continuous\n    assertions: []\n',
    });
    expect(errorsOf(r)).toEqual(['CONTINUOUS_TEST_REQUIRES_FLINK']);
  });

  it('reports unknown exposure references by kind', () => {
    const r = withModels(model, {
      'exposures/e.yml': 'exposures:\n  - name: e\n    type: application\n    produces: [{source: nope}]\n    consumes: [{ref: clen}]\n    depends_on: [\'ref("zzz")\']\n',
    });
    expect(errorsOf(r).sort()).toEqual(['EXPOSURE_DEPENDENCY_NOT_FOUND', 'EXPOSURE_MODEL_NOT_FOUND', 'EXPOSURE_SOURCE_NOT_FOUND']);
    expect(find(r.diagnostics, 'EXPOSURE_MODEL_NOT_FOUND').hint).toBe('did you mean "clean"?');
  });

  it('builds lineage edges for tests and exposures, producers pointing into sources', () => {
    const r = withModels(model, {
      'tests/t.yml': 'tests:\n  - name: t\n    model: clean\n    type: sample\n    assertions: []\n',
      'exposures/e.yml': 'exposures:\n  - name: app\n    type: application\n    produces: [{source: orders_raw}]\n  - name: dash\n    type: dashboard\n    depends_on: [clean]\n',
    });
    expect(r.resolved!.dag.edges()).toEqual([
      { from: 'exposure.app', to: 'source.orders_raw' },
      { from: 'model.clean', to: 'exposure.dash' },
      { from: 'model.clean', to: 'test.t' },
      { from: 'source.orders_raw', to: 'model.clean' },
    ]);
  });
});
