import { describe, expect, it } from 'vitest';
import { readProjectFiles, readSourceFile } from '../../src/project/files.js';
import { loadProject } from '../../src/project/load.js';
import { codes, find, load, PROJECT, RUNTIME, SOURCES, writeProject } from '../helpers/project.js';

describe('loading stream_project.yml', () => {
  it('loads a minimal project', () => {
    const r = load({ 'stream_project.yml': 'project:\n  name: demo\n' });
    expect(r.diagnostics).toEqual([]);
    expect(r.project?.name).toBe('demo');
  });

  it('reports a missing project file', () => {
    const r = load({});
    expect(codes(r.diagnostics)).toEqual(['PROJECT_NOT_FOUND']);
    expect(find(r.diagnostics, 'PROJECT_NOT_FOUND').hint).toContain('streamt init');
  });

  it('reports YAML syntax errors with their position', () => {
    const r = load({ 'stream_project.yml': 'project:\n  name: demo\n  version: [1, 2\n' });
    const d = find(r.diagnostics, 'YAML_SYNTAX');
    expect(d.file).toBe('stream_project.yml');
    expect(d.line).toBeGreaterThanOrEqual(3);
    expect(d.column).toBeGreaterThanOrEqual(1);
  });

  it('reports duplicate keys', () => {
    const r = load({ 'stream_project.yml': 'project:\n  name: a\n  name: b\n' });
    const d = find(r.diagnostics, 'DUPLICATE_KEY');
    expect([d.line, d.column]).toEqual([3, 3]);
  });

  it('rejects unknown keys with a suggestion and the key position', () => {
    const r = load({ 'stream_project.yml': 'project:\n  name: demo\n  descripton: x\n' });
    const d = find(r.diagnostics, 'UNKNOWN_KEY');
    expect(d.message).toContain('descripton');
    expect(d.hint).toBe('did you mean "description"?');
    expect([d.file, d.line, d.column]).toEqual(['stream_project.yml', 3, 3]);
  });

  it('rejects unknown keys inside nested resource settings', () => {
    const r = load({
      'stream_project.yml': PROJECT,
      'models/m.yml': 'models:\n  - name: m\n    sql: SELECT 1 FROM x\n    advanced:\n      topic:\n        partitons: 3\n',
    });
    const d = find(r.diagnostics, 'UNKNOWN_KEY');
    expect(d.hint).toBe('did you mean "partitions"?');
    expect([d.file, d.line, d.column]).toEqual(['models/m.yml', 6, 9]);
  });

  it('says what type was expected', () => {
    const r = load({ 'stream_project.yml': PROJECT, 'models/m.yml': 'models:\n  - name: m\n    sql: SELECT 1\n    topic:\n      partitions: many\n' });
    const d = find(r.diagnostics, 'INVALID_TYPE');
    expect(d.message).toMatch(/partitions.*expected number, got "many"/);
    expect([d.line, d.column]).toEqual([5, 19]);
  });

  it('reports a missing required key', () => {
    const r = load({ 'stream_project.yml': PROJECT, 'tests/t.yml': 'tests:\n  - name: t\n    type: sample\n    assertions: []\n' });
    const d = find(r.diagnostics, 'MISSING_KEY');
    expect(d.message).toContain('"model"');
    expect(d.line).toBe(2);
  });

  it('reports a source without topic as MISSING_TOPIC', () => {
    const r = load({ 'stream_project.yml': PROJECT, 'sources/s.yml': 'sources:\n  - name: s\n' });
    expect(codes(r.diagnostics)).toEqual(['MISSING_TOPIC']);
  });

  it('rejects invalid enum values with a suggestion', () => {
    const r = load({ 'stream_project.yml': PROJECT, 'models/m.yml': 'models:\n  - name: m\n    materialized: flnk\n    sql: SELECT 1\n' });
    const d = find(r.diagnostics, 'INVALID_VALUE');
    expect(d.hint).toBe('did you mean "flink"?');
  });

  it('collects errors from every entry in one run', () => {
    const r = load({
      'stream_project.yml': PROJECT,
      'models/a.yml': 'models:\n  - name: a\n    sqll: x\n  - name: b\n    materialized: nope\n',
      'sources/s.yml': 'sources:\n  - name: s\n    topik: t\n',
    });
    expect(codes(r.diagnostics).sort()).toEqual(['INVALID_VALUE', 'UNKNOWN_KEY', 'UNKNOWN_KEY']);
    expect(find(r.diagnostics, 'UNKNOWN_KEY').file).toBe('models/a.yml');
    expect(r.diagnostics.filter((d) => d.code === 'UNKNOWN_KEY').map((d) => d.hint)).toEqual(['did you mean "sql"?', 'did you mean "topic"?']);
  });

  it('reports empty files as warnings and non-mapping files as errors', () => {
    const r = load({ 'stream_project.yml': PROJECT, 'models/empty.yml': '', 'models/list.yml': '- a\n- b\n' });
    expect(codes(r.diagnostics, 'warning')).toEqual(['EMPTY_FILE']);
    expect(codes(r.diagnostics, 'error')).toEqual(['INVALID_TYPE']);
  });

  it('accepts any section in any resource file', () => {
    const r = load({
      'stream_project.yml': PROJECT,
      'models/all.yml': SOURCES + 'models:\n  - name: m\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\nexposures:\n  - name: e\n    type: dashboard\n',
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.project?.sources.map((s) => s.name)).toEqual(['orders_raw', 'customers']);
    expect(r.project?.exposures.map((s) => s.name)).toEqual(['e']);
  });
});

describe('aliases of the seeds and the reference implementation', () => {
  const model = (body: string) => load({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': `models:\n  - name: m\n${body}` });

  it('accepts from: as a string, a list and an object', () => {
    expect(model('    from: orders_raw\n    sink: {connector: jdbc-sink}\n').project!.models[0]!.from.map((f) => f.name)).toEqual(['orders_raw']);
    expect(model('    from: [orders_raw, {ref: x}, {source: customers}, {model: y}]\n    sink: {connector: jdbc-sink}\n').project!.models[0]!.from.map((f) => `${f.kind}:${f.name}`)).toEqual([
      'any:orders_raw',
      'model:x',
      'source:customers',
      'model:y',
    ]);
    expect(model('    from:\n      source: orders_raw\n    sink: {connector: jdbc-sink}\n').project!.models[0]!.from.map((f) => `${f.kind}:${f.name}`)).toEqual(['source:orders_raw']);
    expect(model('    from:\n      sources: [orders_raw, customers]\n    sink: {connector: jdbc-sink}\n').project!.models[0]!.from.map((f) => f.name)).toEqual(['orders_raw', 'customers']);
  });

  it('folds flink_stream, connector:, advanced:, top-level topic: and flink:', () => {
    const a = model('    materialized: flink_stream\n    sql: SELECT 1 FROM {{ source("orders_raw") }}\n    topic:\n      partitions: 6\n    flink:\n      parallelism: 2\n').project!.models[0]!;
    expect(a.declaredMaterialized).toBe('flink');
    expect(a.topic.partitions).toBe(6);
    expect(a.flink.parallelism).toBe(2);
    const b = model('    from: orders_raw\n    connector:\n      type: snowflake-sink\n      config:\n        snowflake.database.name: A\n').project!.models[0]!;
    expect(b.sink).toEqual({ connector: 'snowflake-sink', config: { 'snowflake.database.name': 'A' } });
    const c = model('    sql: SELECT 1 FROM x\n    advanced:\n      flink:\n        checkpoint_interval: 1000\n      topic:\n        name: custom\n').project!.models[0]!;
    expect(c.flink.checkpointIntervalMs).toBe(1000);
    expect(c.topic.name).toBe('custom');
  });

  it('rejects the same setting in two places', () => {
    const r = model('    sql: SELECT 1 FROM x\n    topic: {partitions: 1}\n    advanced:\n      topic: {partitions: 2}\n');
    expect(codes(r.diagnostics)).toEqual(['CONFLICTING_KEYS']);
  });

  it('accepts pii_tags and schema_ref on sources', () => {
    const r = load({
      'stream_project.yml': PROJECT,
      'sources/s.yml':
        'sources:\n  - name: raw\n    type: kafka_topic\n    topic: payments.raw.v1\n    schema_ref: sr://payments.raw.v1\n    pii_tags:\n      card_number: highly_sensitive\n    sla:\n      max_lag_seconds: 60\n  - name: raw2\n    topic: t2\n    pii_tags:\n      - email: sensitive\n',
    });
    expect(r.diagnostics).toEqual([]);
    const [raw, raw2] = r.project!.sources;
    expect(raw!.schema).toEqual({ subject: 'payments.raw.v1' });
    expect(raw!.columns).toEqual([{ name: 'card_number', classification: 'highly_sensitive' }]);
    expect(raw!.freshness).toEqual({ maxLagSeconds: 60 });
    expect(raw2!.columns).toEqual([{ name: 'email', classification: 'sensitive' }]);
  });

  it('accepts seeds-style tests and exposures', () => {
    const r = load({
      'stream_project.yml': PROJECT,
      'tests/t.yml':
        'tests:\n  - name: t\n    model: m\n    type: streaming\n    assertions:\n      - allowed_values: {column: s, values: [A]}\n    on_failure:\n      severity: error\n      actions:\n        - pause_model: true\n        - send_alert: "slack://#alerts"\n',
      'exposures/e.yml':
        'exposures:\n  - name: e\n    type: application\n    role: consumer\n    depends_on:\n      - ref("m")\n    produces:\n      - source("s")\n    consumer_config:\n      consumer_group: g1\n    access:\n      allowed_roles: [a]\n      purpose: p\n',
    });
    expect(r.diagnostics).toEqual([]);
    const t = r.project!.tests[0]!;
    expect(t.type).toBe('continuous');
    expect(t.assertions.map((a) => a.type)).toEqual(['accepted_values']);
    expect(t.actions.map((a) => a.type)).toEqual(['pause_model', 'alert']);
    const e = r.project!.exposures[0]!;
    expect(e.dependsOn).toMatchObject([{ kind: 'model', name: 'm' }]);
    expect(e.produces).toMatchObject([{ kind: 'source', name: 's' }]);
    expect(e.consumerGroup).toBe('g1');
    expect(e.access).toEqual({ roles: ['a'], purpose: 'p' });
  });

  it('rejects unknown assertions and assertion parameters', () => {
    const r = load({
      'stream_project.yml': PROJECT,
      'tests/t.yml': 'tests:\n  - name: t\n    model: m\n    type: sample\n    assertions:\n      - not_nul: {columns: [a]}\n      - range: {column: a, minn: 1}\n',
    });
    const unknown = find(r.diagnostics, 'UNKNOWN_ASSERTION');
    expect(unknown.hint).toBe('did you mean "not_null"?');
    expect([unknown.line, unknown.column]).toEqual([6, 9]);
    expect(find(r.diagnostics, 'UNKNOWN_KEY').hint).toBe('did you mean "min"?');
  });
});

describe('environment variables and secrets', () => {
  const project = `project:\n  name: demo\nruntime:\n  kafka:\n    bootstrap_servers: \${BOOTSTRAP}\n    sasl_password: \${KAFKA_PASSWORD}\n  schema_registry:\n    url: \${SR_URL:-http://localhost:8081}\ndefaults:\n  topic:\n    partitions: \${PARTITIONS:-3}\n`;

  it('reports every missing variable at once, with its position', () => {
    const r = load({ 'stream_project.yml': project });
    const missing = r.diagnostics.filter((d) => d.code === 'ENV_VAR_MISSING');
    expect(missing.map((d) => [d.message, d.line])).toEqual([
      ['Environment variable BOOTSTRAP is not set', 5],
      ['Environment variable KAFKA_PASSWORD is not set', 6],
    ]);
  });

  it('uses defaults, .env, and lets real variables win; re-types whole-variable scalars', () => {
    const r = load({ 'stream_project.yml': project, '.env': 'BOOTSTRAP=from-dotenv:9092\nKAFKA_PASSWORD=hunter22\n' }, { processEnv: { BOOTSTRAP: 'real:9092' } });
    expect(r.diagnostics).toEqual([]);
    expect(r.project!.runtime.kafka!.bootstrap_servers).toBe('real:9092');
    expect(r.project!.runtime.schema_registry!.url).toBe('http://localhost:8081');
    expect(r.project!.defaults.topic!.partitions).toBe(3);
    expect(r.project!.secrets).toEqual(['hunter22']);
  });

  it('interpolates every section, not only runtime', () => {
    const r = load(
      { 'stream_project.yml': PROJECT, 'models/m.yml': 'models:\n  - name: m\n    from: x\n    sink:\n      connector: jdbc-sink\n      config:\n        connection.password: ${DB_PASSWORD}\n        table: $${literal}\n' },
      { processEnv: { DB_PASSWORD: 's3cret!' } },
    );
    expect(r.project!.models[0]!.sink!.config).toEqual({ 'connection.password': 's3cret!', table: '${literal}' });
    expect(r.project!.secrets).toEqual(['s3cret!']);
  });
});

describe('environments', () => {
  const files = {
    'stream_project.yml': 'project:\n  name: demo\n',
    'environments/dev.yml': `environment:\n  name: dev\n  description: Development\n${RUNTIME}`,
    'environments/prod.yml': `environment:\n  name: prod\n  protected: true\nsafety:\n  allow_destructive: false\n${RUNTIME.replace('localhost:9092', '${PROD_BOOTSTRAP}')}`,
    '.env.prod': 'PROD_BOOTSTRAP=prod:9092\n',
  };

  it('requires a choice when several exist', () => {
    expect(codes(load(files).diagnostics)).toEqual(['ENV_REQUIRED']);
  });

  it('selects with --env, loads .env.<name>, and reads safety settings', () => {
    const r = load(files, { env: 'prod' });
    expect(r.diagnostics).toEqual([]);
    expect(r.project!.runtime.kafka!.bootstrap_servers).toBe('prod:9092');
    expect(r.project!.environment).toMatchObject({ name: 'prod', protected: true, confirmApply: true, allowDestructive: false });
  });

  it('selects with STREAMT_ENV; --env wins', () => {
    expect(load(files, { envFromVariable: 'dev' }).project!.environment!.name).toBe('dev');
    expect(load(files, { envFromVariable: 'dev', env: 'prod' }).project!.environment!.name).toBe('prod');
  });

  it('reports an unknown environment with suggestions', () => {
    const d = find(load(files, { env: 'prd' }).diagnostics, 'ENV_NOT_FOUND');
    expect(d.message).toContain('available: dev, prod');
    expect(d.hint).toBe('did you mean "prod"?');
  });

  it('reports a name mismatch', () => {
    const r = load({ ...files, 'environments/dev.yml': `environment:\n  name: development\n${RUNTIME}` }, { env: 'dev' });
    expect(find(r.diagnostics, 'ENV_NAME_MISMATCH').file).toBe('environments/dev.yml');
  });

  it('rejects --env without environments/, and warns about STREAMT_ENV', () => {
    expect(codes(load({ 'stream_project.yml': PROJECT }, { env: 'dev' }).diagnostics)).toEqual(['ENV_NOT_CONFIGURED']);
    expect(codes(load({ 'stream_project.yml': PROJECT }, { envFromVariable: 'dev' }).diagnostics)).toEqual(['ENV_IGNORED']);
  });

  it('rejects invalid names (no path traversal)', () => {
    expect(codes(load(files, { env: '../etc' }).diagnostics)).toEqual(['ENV_INVALID_NAME']);
  });

  it('merges the environment runtime over the project runtime, key by key', () => {
    const prod = 'runtime:\n  kafka:\n    bootstrap_servers: prod:9092\n    security_protocol: SASL_SSL\n';
    const r = load({ 'stream_project.yml': PROJECT, 'environments/prod.yml': prod }, { env: 'prod' });
    expect(r.diagnostics).toEqual([]);
    expect(r.project!.runtime.kafka).toMatchObject({ bootstrap_servers: 'prod:9092', security_protocol: 'SASL_SSL' });
    // Flink comes from the project file: the environment did not mention it.
    expect(r.project!.runtime.flink!.clusters!.local!.rest_url).toBe('http://localhost:8082');
    // Settings are located in the file that wrote them.
    expect(r.project!.runtimeAt(['kafka', 'bootstrap_servers']).file).toBe('environments/prod.yml');
    expect(r.project!.runtimeAt(['flink']).file).toBe('stream_project.yml');
  });

  it('uses the project runtime when no environment is chosen and the project has one', () => {
    const r = load({ 'stream_project.yml': PROJECT, 'environments/prod.yml': 'runtime:\n  kafka:\n    bootstrap_servers: prod:9092\n' });
    expect(r.diagnostics).toEqual([]);
    expect(r.project!.environment).toBeUndefined();
    expect(r.project!.runtime.kafka!.bootstrap_servers).toBe('localhost:9092');
  });

  it('uses project.default_environment when neither --env nor STREAMT_ENV is given', () => {
    const r = load({ ...files, 'stream_project.yml': 'project:\n  name: demo\n  default_environment: dev\n' });
    expect(r.diagnostics).toEqual([]);
    expect(r.project!.environment!.name).toBe('dev');
    expect(load({ ...files, 'stream_project.yml': 'project:\n  name: demo\n  default_environment: dev\n' }, { env: 'prod' }).project!.environment!.name).toBe('prod');
    const bad = find(load({ ...files, 'stream_project.yml': 'project:\n  name: demo\n  default_environment: stage\n' }).diagnostics, 'ENV_NOT_FOUND');
    expect([bad.file, bad.line]).toEqual(['stream_project.yml', 3]);
  });

  it('offline, a connection setting or secret that is not set stays a placeholder', () => {
    const prod = 'runtime:\n  kafka:\n    bootstrap_servers: ${PROD_BOOTSTRAP}\n    sasl_password: ${PROD_KAFKA_PASSWORD}\n';
    const model = 'models:\n  - name: m\n    from: x\n    sink:\n      connector: jdbc-sink\n      config:\n        connection.password: ${SHOP_DB_PASSWORD}\n';
    const input = { 'stream_project.yml': PROJECT, 'environments/prod.yml': prod, 'models/m.yml': model };
    const offline = load(input, { env: 'prod', offline: true });
    expect(codes(offline.diagnostics, 'error')).toEqual([]);
    expect(offline.project!.runtime.kafka!.bootstrap_servers).toBe('${env:PROD_BOOTSTRAP}');
    expect(offline.project!.models[0]!.sink!.config).toEqual({ 'connection.password': '${env:SHOP_DB_PASSWORD}' });
    // Commands that reach live systems need the values.
    expect(codes(load(input, { env: 'prod' }).diagnostics).sort()).toEqual(['ENV_VAR_MISSING', 'ENV_VAR_MISSING', 'ENV_VAR_MISSING']);
    // A missing variable that is neither a connection setting nor a secret is an error offline too.
    expect(codes(load({ 'stream_project.yml': `${PROJECT}defaults:\n  topic:\n    partitions: \${PARTITIONS}\n` }, { offline: true }).diagnostics)).toContain('ENV_VAR_MISSING');
  });

  it('reports an empty environments folder', () => {
    const root = writeProject({ 'stream_project.yml': PROJECT, 'environments/README.md': 'x' });
    const f = readProjectFiles(root);
    expect(f.environmentFiles).toEqual([]);
    expect(loadProject(f, { processEnv: {}, env: 'dev' }).diagnostics.map((d) => d.code)).toEqual(['ENV_DIR_EMPTY']);
  });

  it('reports an environment defined twice (dev.yml and dev.yaml)', () => {
    const r = load({ ...files, 'environments/dev.yaml': RUNTIME }, { env: 'dev' });
    expect(codes(r.diagnostics)).toEqual(['ENV_AMBIGUOUS']);
  });
});

describe('reading files from disk', () => {
  it('finds resource files recursively, in a stable order', () => {
    const root = writeProject({
      'stream_project.yml': PROJECT,
      'models/b.yml': 'models: []\n',
      'models/staging/a.yaml': 'models: []\n',
      'models/.hidden/x.yml': 'models: []\n',
      'sources/x.txt': 'not yaml',
    });
    const f = readProjectFiles(root);
    expect(f.resourceFiles.map((r) => r.path)).toEqual(['models/b.yml', 'models/staging/a.yaml']);
  });

  it('reports unreadable files', () => {
    const root = writeProject({ 'stream_project.yml': PROJECT, 'models/dir.yml/x': '' });
    expect(readSourceFile(root, root + '/models/dir.yml').problem?.code).toBe('FILE_UNREADABLE');
  });

  it('turns binary and non-UTF-8 files into diagnostics', () => {
    const root = writeProject({
      'stream_project.yml': PROJECT,
      'models/bin.yml': Buffer.from([0x6d, 0x00, 0xff, 0x10]),
      'models/latin1.yml': Buffer.from([0x6d, 0x3a, 0x20, 0xe9, 0x0a]),
    });
    const f = readProjectFiles(root);
    expect(f.resourceFiles.map((r) => r.problem?.code)).toEqual(['FILE_NOT_TEXT', 'FILE_NOT_TEXT']);
  });
});
