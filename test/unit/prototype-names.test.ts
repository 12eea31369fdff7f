/**
 * User-chosen names that are members of Object.prototype (`constructor`, `toString`, `__proto__`,
 * `valueOf`, ...) are read and written as own keys, never as the prototype's members: model and
 * column names, `classification:` keys, variables, environment variables, Flink clusters, record
 * fields in data tests. A `__proto__` mapping key, which zod would drop without a word, is refused
 * where it is written, on both YAML paths.
 */
import { describe, expect, it } from 'vitest';
import { diffConnector } from '../../src/adapters/connect/diff.js';
import { diffTopic } from '../../src/adapters/kafka/diff.js';
import type { ConnectorSpec, TopicSpec } from '../../src/compile/types.js';
import { evaluateAssertion } from '../../src/datatest/assertions.js';
import type { SampleRecord } from '../../src/datatest/types.js';
import { fastYamlValue } from '../../src/project/yaml.js';
import { avroColumns } from '../../src/schemas/avro.js';
import { jsonSchemaColumns } from '../../src/schemas/json-schema.js';
import { CLASSIFIED_CARDS as CARDS, PROJECT, SOURCES, codes, find, load } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const MEMBERS = ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty'];


describe('models named like members of Object.prototype', () => {
  it('are read through ref() as any model, with their columns', () => {
    const models = MEMBERS.map((n) => `  - name: ${n}\n    sql: SELECT card_id, card_number AS n_${n} FROM {{ source("cards") }}\n`).join('');
    const readers = MEMBERS.map((n) => `  - name: read_${n}\n    sql: SELECT card_id, n_${n} FROM {{ ref("${n}") }}\n`).join('');
    const { diagnostics, resolved } = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': CARDS, 'models/m.yml': `models:\n${models}${readers}` });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const n of MEMBERS) {
      const m = resolved!.models.get(`read_${n}`)!;
      expect(m.columns, n).toEqual([
        { name: 'card_id', type: 'STRING' },
        { name: `n_${n}`, type: 'STRING' },
      ]);
      expect(m.columnClasses?.[`n_${n}`], n).toMatchObject({ classification: 'sensitive', reason: `inherited from model.${n}.n_${n}` });
    }
  });
});

describe('classification: keys named like members of Object.prototype', () => {
  it('classify the column they name, and only it', () => {
    const model = `models:
  - name: m
    sql: SELECT card_id AS \`constructor\`, card_id AS \`toString\`, card_number AS \`valueOf\`, card_id AS \`hasOwnProperty\` FROM {{ source("cards") }}
    security:
      classification:
        constructor: confidential
        toString: public
`;
    const { diagnostics, resolved } = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': CARDS, 'models/m.yml': model });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const classes = resolved!.models.get('m')!.columnClasses!;
    expect(classes.constructor).toEqual({ reason: 'declared', unmasked: 'confidential', classification: 'confidential' });
    expect(classes.toString).toEqual({ reason: 'declared', unmasked: 'public', classification: 'public' });
    expect(classes.valueOf).toEqual({ reason: 'inherited from source.cards.card_number', unmasked: 'sensitive', classification: 'sensitive' });
    expect(classes.hasOwnProperty).toEqual({ reason: 'inherited from source.cards.card_id', unmasked: 'internal', classification: 'internal' });
  });
});

describe('a __proto__ mapping key', () => {
  const files = (extra = '') => ({
    'stream_project.yml': PROJECT,
    'sources/s.yml': CARDS,
    'models/m.yml': `models:
  - name: m${extra}
    sql: SELECT card_number AS \`__proto__\` FROM {{ source("cards") }}
    security:
      classification:
        __proto__: sensitive
`,
  });

  it('is refused where it is written, the same on the fast YAML path and the Document path', () => {
    const fast = files();
    // An anchor sends the file through the `yaml` Document.
    const slow = files('\n    description: &d anchored');
    expect(fastYamlValue(fast['models/m.yml'])).toBeDefined();
    expect(fastYamlValue(slow['models/m.yml'])).toBeUndefined();
    const a = load(fast).diagnostics;
    const b = load(slow).diagnostics;
    expect(find(a, 'RESERVED_KEY')).toMatchObject({ severity: 'error', file: 'models/m.yml', line: 6, column: 9 });
    expect(find(b, 'RESERVED_KEY')).toMatchObject({ severity: 'error', file: 'models/m.yml', line: 7, column: 9 });
    expect(codes(a)).toEqual(['RESERVED_KEY']);
    expect(codes(b)).toEqual(['RESERVED_KEY']);
  });

  it('is refused in the project file, in vars: and in pii_tags:', () => {
    const project = `${PROJECT}vars:\n  __proto__: {polluted: true}\n`;
    const sources = `${SOURCES}    pii_tags:\n      __proto__: sensitive\n`;
    const lineOf = (text: string) => text.split('\n').findIndex((l) => l.includes('__proto__')) + 1;
    const d = load({ 'stream_project.yml': project, 'sources/s.yml': sources }).diagnostics;
    expect(d.filter((x) => x.code === 'RESERVED_KEY').map((x) => `${x.file}:${x.line}:${x.column}`)).toEqual([`stream_project.yml:${lineOf(project)}:3`, `sources/s.yml:${lineOf(sources)}:7`]);
  });

  it('is not a key when it is a value: a source column named __proto__ keeps its classification', () => {
    const { diagnostics, resolved } = resolveFiles({
      'stream_project.yml': PROJECT,
      'sources/s.yml': `sources:\n  - name: s\n    topic: s.v1\n    columns:\n      - name: __proto__\n        type: STRING\n        classification: highly_sensitive\n`,
      'models/m.yml': 'models:\n  - name: m\n    sql: SELECT `__proto__` AS x, `__proto__` FROM {{ source("s") }}\n',
    });
    expect(diagnostics.filter((x) => x.severity === 'error')).toEqual([]);
    const classes = resolved!.models.get('m')!.columnClasses!;
    expect(classes.x).toMatchObject({ classification: 'highly_sensitive', reason: 'inherited from source.s.__proto__' });
    expect(Object.hasOwn(classes, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(classes)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(classes, '__proto__')?.value).toMatchObject({ classification: 'highly_sensitive', reason: 'inherited from source.s.__proto__' });
  });
});

describe('variables named like members of Object.prototype', () => {
  const model = (expr: string) => ({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': `models:\n  - name: m\n    sql: SELECT order_id, '${expr}' AS v FROM {{ source("orders_raw") }}\n` });

  it('var() of an undeclared one is VAR_NOT_FOUND', () => {
    for (const n of ['constructor', 'toString', 'hasOwnProperty']) expect(codes(resolveFiles(model(`{{ var("${n}") }}`)).diagnostics, 'error'), n).toEqual(['VAR_NOT_FOUND']);
  });

  it('env_var() and ${...} of an unset one are ENV_VAR_MISSING', () => {
    for (const n of ['constructor', 'toString', 'valueOf']) {
      expect(codes(resolveFiles(model(`{{ env_var("${n}") }}`)).diagnostics, 'error'), n).toEqual(['ENV_VAR_MISSING']);
      expect(codes(load(model(`\${${n}}`)).diagnostics, 'error'), n).toEqual(['ENV_VAR_MISSING']);
    }
  });
});

describe('a Flink cluster named like a member of Object.prototype', () => {
  it('is an unknown cluster when not declared', () => {
    const { diagnostics } = resolveFiles({
      'stream_project.yml': PROJECT,
      'sources/s.yml': SOURCES,
      'models/m.yml': 'models:\n  - name: m\n    flink_cluster: constructor\n    sql: SELECT customer_id, COUNT(*) AS n FROM {{ source("orders_raw") }} GROUP BY customer_id\n',
    });
    expect(find(diagnostics, 'UNKNOWN_CLUSTER').message).toContain('"constructor"');
  });
});

describe('data tests on a field named like a member of Object.prototype', () => {
  it('not_null counts a record without the field as failing', () => {
    const records: SampleRecord[] = [{ key: 'k', value: { id: 'a' }, timestamp: 0, partition: 0, offset: '0' }];
    for (const n of ['constructor', 'toString', 'valueOf']) {
      const r = evaluateAssertion({ type: 'not_null', config: { columns: [n] }, path: [] }, 0, records, { now: 0 });
      expect({ n, status: r.status, failures: r.failures }).toEqual({ n, status: 'fail', failures: 1 });
    }
  });
});

describe('plan diffs of config keys named like members of Object.prototype', () => {
  const topic = (config: Record<string, string>): TopicSpec => ({ name: 't', partitions: 1, replication_factor: 1, config });
  it('compare a declared key with the live value, never an inherited member', () => {
    const p = diffTopic(topic({ constructor: 'x' }), { kind: 'topic', name: 't', exists: true, partitions: 1, replicationFactor: 1, config: {} });
    expect(p.fields).toEqual([{ field: 'config.constructor', before: undefined, after: 'x' }]);
    const c = diffConnector(
      { name: 'c', connector_class: 'io.confluent.connect.jdbc.JdbcSinkConnector', cluster: null, topics: ['t'], config: { toString: 'y' } } as unknown as ConnectorSpec,
      { kind: 'connector', name: 'c', exists: true, config: {} } as unknown as Parameters<typeof diffConnector>[1],
      (v) => v,
    );
    expect(c.fields).toEqual([{ field: 'config.toString', before: undefined, after: 'y' }]);
  });
  it('reset a key the project set before and no longer declares, when it is live', () => {
    const p = diffTopic(topic({}), { kind: 'topic', name: 't', exists: true, partitions: 1, replicationFactor: 1, config: { valueOf: '1' } }, topic({ valueOf: '1' }));
    expect(p.fields).toEqual([{ field: 'config.valueOf', before: '1', after: undefined }]);
  });
});

describe('JSON Schema properties named like members of Object.prototype', () => {
  it('are columns, also when allOf merges them', () => {
    const props = '{"__proto__": {"type": "string"}, "constructor": {"type": "integer"}, "a": {"type": "boolean"}}';
    const direct = jsonSchemaColumns(`{"type": "object", "properties": ${props}}`);
    const merged = jsonSchemaColumns(`{"type": "object", "allOf": [{"properties": ${props}}, {"properties": {"b": {"type": "string"}}}]}`);
    const nested = jsonSchemaColumns(`{"type": "object", "properties": {"x": {"allOf": [{"type": "object", "properties": ${props}}]}}}`);
    expect(direct.columns.map((c) => `${c.name}: ${c.type}`)).toEqual(['__proto__: STRING', 'constructor: BIGINT', 'a: BOOLEAN']);
    expect(merged.columns.map((c) => `${c.name}: ${c.type}`)).toEqual(['__proto__: STRING', 'constructor: BIGINT', 'a: BOOLEAN', 'b: STRING']);
    expect(nested.columns.map((c) => `${c.name}: ${c.type}`)).toEqual(['x: ROW<`__proto__` STRING, `constructor` BIGINT, `a` BOOLEAN>']);
  });
});

describe('Avro named types named like members of Object.prototype', () => {
  it('are records like any other, and an undeclared one is an error', () => {
    // A record, a nested record and a reference to it, all named after `name`.
    const schema = (name: string) =>
      `{"type": "record", "name": "${name}", "fields": [{"name": "a", "type": "string"}, {"name": "b", "type": {"type": "record", "name": "${name}_", "fields": [{"name": "x", "type": "int"}]}}, {"name": "c", "type": "${name}_"}]}`;
    const plain = avroColumns(schema('plain'));
    expect(plain.errors).toEqual([]);
    expect(plain.columns.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    for (const name of ['constructor', 'toString', '__proto__', 'valueOf']) {
      const d = avroColumns(schema(name));
      expect(d.errors, name).toEqual([]);
      expect(d.columns, name).toEqual(plain.columns);
      // A reference to a type no schema declares.
      const undeclared = avroColumns(`{"type": "record", "name": "r", "fields": [{"name": "a", "type": "${name}"}]}`);
      expect(undeclared.columns, name).toEqual([]);
      expect(undeclared.errors.join(' '), name).toContain(`undefined type name: ${name}`);
    }
  });
});
