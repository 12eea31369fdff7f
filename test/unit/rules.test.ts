import { describe, expect, it } from 'vitest';
import { codes, find, RUNTIME, SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const project = (rules: string, defaults = '') => `project:\n  name: demo\n${RUNTIME}${defaults}rules:\n${rules}`;
const MODEL = (extra = '') => `models:\n  - name: orders_clean\n    sql: SELECT order_id, customer_id FROM {{ source("orders_raw") }}\n${extra}`;
const run = (rules: string, model = MODEL(), more: Record<string, string> = {}, defaults = '') =>
  resolveFiles({ 'stream_project.yml': project(rules, defaults), 'sources/s.yml': SOURCES, 'models/m.yml': model, ...more });
const ruleErrors = (r: ReturnType<typeof run>) => codes(r.diagnostics, 'error').filter((c) => c.startsWith('RULE_'));

describe('topic rules', () => {
  it('min/max partitions use the model, then defaults, and fail closed when unknown', () => {
    const rules = '  topics:\n    min_partitions: 3\n    max_partitions: 12\n';
    expect(ruleErrors(run(rules, MODEL('    topic: {partitions: 6}\n')))).toEqual([]);
    const low = run(rules, MODEL('    topic:\n      partitions: 1\n'));
    expect(ruleErrors(low)).toEqual(['RULE_MIN_PARTITIONS']);
    expect(find(low.diagnostics, 'RULE_MIN_PARTITIONS')).toMatchObject({ file: 'models/m.yml', line: 5 });
    expect(ruleErrors(run(rules, MODEL('    topic: {partitions: 24}\n')))).toEqual(['RULE_MAX_PARTITIONS']);
    expect(ruleErrors(run(rules))).toEqual(['RULE_MIN_PARTITIONS']);
    expect(ruleErrors(run(rules, MODEL(), {}, 'defaults:\n  topic:\n    partitions: 3\n'))).toEqual([]);
  });

  it('min/max replication factor', () => {
    const rules = '  topics:\n    min_replication_factor: 3\n    max_replication_factor: 3\n';
    expect(ruleErrors(run(rules, MODEL('    topic: {replication_factor: 3}\n')))).toEqual([]);
    expect(ruleErrors(run(rules, MODEL('    topic: {replication_factor: 1}\n')))).toEqual(['RULE_MIN_REPLICATION']);
    expect(ruleErrors(run(rules, MODEL('    topic: {replication_factor: 5}\n')))).toEqual(['RULE_MAX_REPLICATION']);
  });

  it('naming pattern (anchored), forbidden prefixes and suffixes, on the effective topic name', () => {
    const rules = '  topics:\n    naming_pattern: "[a-z]+\\\\.[a-z_]+"\n    forbidden_prefixes: [tmp]\n    forbidden_suffixes: [_old]\n';
    expect(ruleErrors(run(rules, MODEL('    topic: {name: sales.orders_clean}\n')))).toEqual([]);
    expect(ruleErrors(run(rules))).toEqual(['RULE_NAMING_PATTERN']);
    expect(ruleErrors(run(rules, MODEL('    topic: {name: tmpx.orders}\n')))).toEqual(['RULE_FORBIDDEN_PREFIX']);
    expect(ruleErrors(run(rules, MODEL('    topic: {name: sales.orders_old}\n')))).toEqual(['RULE_FORBIDDEN_SUFFIX']);
  });

  it('required topic configs, from the model or the defaults', () => {
    const rules = '  topics:\n    required_config: [retention.ms]\n';
    expect(ruleErrors(run(rules))).toEqual(['RULE_REQUIRED_CONFIG']);
    expect(ruleErrors(run(rules, MODEL('    topic:\n      config:\n        retention.ms: 1000\n')))).toEqual([]);
    expect(ruleErrors(run(rules, MODEL(), {}, 'defaults:\n  topic:\n    config:\n      retention.ms: 5\n'))).toEqual([]);
  });

  it('do not apply to sinks, which create no topic', () => {
    const rules = '  topics:\n    min_partitions: 3\n';
    const sink = `models:\n  - name: out\n    from: orders_raw\n    sink: {connector: jdbc-sink}\n`;
    expect(ruleErrors(run(rules, sink))).toEqual([]);
  });
});

describe('model rules', () => {
  it('description, owner, tests, dependencies, materializations, tags', () => {
    const rules =
      '  models:\n    require_description: true\n    require_owner: true\n    require_tests: true\n    max_dependencies: 1\n    allowed_materializations: [virtual_topic]\n    required_tags: [domain]\n';
    const bad = `models:\n  - name: m\n    sql: SELECT o.order_id FROM {{ source("orders_raw") }} o JOIN {{ source("customers") }} c ON o.customer_id = c.customer_id\n`;
    expect(ruleErrors(run(rules, bad)).sort()).toEqual(
      ['RULE_ALLOWED_MATERIALIZATIONS', 'RULE_MAX_DEPENDENCIES', 'RULE_REQUIRE_DESCRIPTION', 'RULE_REQUIRE_OWNER', 'RULE_REQUIRE_TESTS', 'RULE_REQUIRED_TAGS'].sort(),
    );
    const good = `models:\n  - name: m\n    description: d\n    owner: o\n    tags: [domain]\n    materialized: virtual_topic\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n`;
    const tests = { 'tests/t.yml': 'tests:\n  - name: t\n    model: m\n    type: sample\n    assertions: []\n' };
    expect(ruleErrors(run(rules, good, tests))).toEqual([]);
  });
});

describe('source rules', () => {
  it('schema, freshness, description, owner, columns', () => {
    const rules = '  sources:\n    require_schema: true\n    require_freshness: true\n    require_description: true\n    require_owner: true\n    require_columns: true\n';
    const r = resolveFiles({ 'stream_project.yml': project(rules), 'sources/s.yml': 'sources:\n  - name: s\n    topic: t\n' });
    expect(ruleErrors(r).sort()).toEqual(['RULE_REQUIRE_COLUMNS', 'RULE_REQUIRE_DESCRIPTION', 'RULE_REQUIRE_FRESHNESS', 'RULE_REQUIRE_OWNER', 'RULE_REQUIRE_SCHEMA']);
    const ok = resolveFiles({
      'stream_project.yml': project(rules),
      'sources/s.yml': 'sources:\n  - name: s\n    topic: t\n    description: d\n    owner: o\n    schema_ref: sr://t-value\n    freshness: {max_lag_seconds: 5}\n    columns: [{name: a}]\n',
    });
    expect(ruleErrors(ok)).toEqual([]);
  });
});

describe('security rules', () => {
  it('every column needs a classification, and a source without columns is not classified', () => {
    const rules = '  security:\n    require_classification: true\n';
    const r = resolveFiles({
      'stream_project.yml': project(rules),
      'sources/s.yml': 'sources:\n  - name: s\n    topic: t\n    columns:\n      - name: a\n        classification: public\n      - name: b\n  - name: empty\n    topic: t2\n',
    });
    const ds = r.diagnostics.filter((d) => d.code === 'RULE_REQUIRE_CLASSIFICATION');
    expect(ds.map((d) => d.message)).toEqual(['Column "b" of source "s" has no classification', 'Source "empty" declares no columns, so its data is not classified (rule security.require_classification)']);
    expect(ds[0]).toMatchObject({ line: 7 });
  });

  it('sensitive columns must be masked where the project exposes them, along their lineage', () => {
    const rules = '  security:\n    sensitive_columns_require_masking: true\n';
    const sources = 'sources:\n  - name: s\n    topic: t\n    columns:\n      - {name: id, type: STRING}\n      - {name: email, type: STRING, classification: sensitive}\n';
    const exposed = `models:\n  - name: m\n    sql: SELECT id, email FROM {{ source("s") }}\n`;
    const dropped = `models:\n  - name: m\n    sql: SELECT id FROM {{ source("s") }}\n`;
    const masked = `models:\n  - name: m\n    sql: SELECT id, email FROM {{ source("s") }}\n    security:\n      policies:\n        - mask: {column: email, method: hash}\n  - name: n\n    sql: SELECT id, email FROM {{ ref("m") }}\n`;
    const maskedElsewhere = `models:\n  - name: m\n    sql: SELECT id, email FROM {{ source("s") }}\n  - name: other\n    sql: SELECT id FROM {{ source("s") }}\n    security:\n      policies:\n        - mask: {column: email, method: hash}\n`;
    const go = (models: string) => ruleErrors(resolveFiles({ 'stream_project.yml': project(rules), 'sources/s.yml': sources, 'models/m.yml': models }));
    expect(go(exposed)).toEqual(['RULE_SENSITIVE_REQUIRES_MASKING']);
    expect(go(dropped)).toEqual([]);
    expect(go(masked)).toEqual([]);
    // A mask on an unrelated model does not protect this one (the reference got this wrong).
    expect(go(maskedElsewhere)).toEqual(['RULE_SENSITIVE_REQUIRES_MASKING']);
  });
});
