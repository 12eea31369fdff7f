import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/compile.js';
import { recheckWithNewer } from '../../src/plan/schema-lock.js';
import { compatibleOverride } from '../../src/resolve/source-schemas.js';
import { parseLock, renderLock, type LockedSchema } from '../../src/schemas/lock.js';
import { pullLock } from '../../src/schemas/pull.js';
import { codes, find, load, PROJECT } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const AVRO = JSON.stringify({
  type: 'record',
  name: 'CardPayment',
  fields: [
    { name: 'payment_id', type: 'string' },
    { name: 'card_number', type: 'string', doc: 'the PAN' },
    { name: 'amount_cents', type: 'long' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['A', 'B'] } },
    { name: 'payload', type: { type: 'record', name: 'Payload', fields: [{ name: 'amount', type: 'double' }] } },
  ],
});
const entry = (version: number, schema = AVRO): LockedSchema => ({ subject: 'payments.raw.v1-value', version, id: 10 + version, schemaType: 'AVRO', schema, references: [] });
const LOCK = renderLock({ schemas: [entry(1)] });
const PROJECT_SR = PROJECT.replace('runtime:\n', 'runtime:\n  schema_registry:\n    url: http://registry:8081\n');

// The DSL concepts' first example, exactly as written.
const CONCEPTS = `sources:
  - name: card_payments_raw
    topic: payments.raw.v1
    schema:
      registry: schema_registry
      subject: payments.raw.v1-value
    columns:
      - name: card_number
        classification: highly_sensitive
`;
const MODEL = `models:
  - name: payments_clean
    sql: SELECT payment_id, amount_cents, status, payload.amount AS amount FROM {{ source("card_payments_raw") }}
`;

// The reference README's "Source with Schema", exactly as written.
const README = `sources:
  - name: orders_raw
    topic: orders.raw.v1
    schema:
      format: avro
      definition: |
        {
          "type": "record",
          "name": "Order",
          "fields": [
            {"name": "order_id", "type": "string"},
            {"name": "amount", "type": "double"},
            {"name": "customer_id", "type": "string"}
          ]
        }
    columns:
      - name: order_id
        description: Unique order identifier
      - name: customer_id
        classification: internal
`;

const compile = (files: Record<string, string>) => {
  const r = resolveFiles(files);
  expect(codes(r.diagnostics, 'error')).toEqual([]);
  const c = compileProject(r.resolved!, { compiledAt: '1970-01-01T00:00:00.000Z' });
  expect(codes(c.diagnostics, 'error')).toEqual([]);
  return { resolved: r.resolved!, compiled: c };
};

describe('columns come from the schema', () => {
  it('the concepts example validates and compiles from the lock; columns: only annotate', () => {
    const { resolved, compiled } = compile({ 'stream_project.yml': PROJECT_SR, 'sources/s.yml': CONCEPTS, 'models/m.yml': MODEL, 'schemas.lock.yml': LOCK });
    const src = resolved.project.sources[0]!;
    expect(src.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['payment_id STRING NOT NULL', 'card_number STRING NOT NULL', 'amount_cents BIGINT NOT NULL', 'status STRING NOT NULL', 'payload ROW<`amount` DOUBLE NOT NULL> NOT NULL']);
    expect(src.columns[1]).toMatchObject({ classification: 'highly_sensitive', description: 'the PAN' });
    expect(src.derivedSchema).toMatchObject({ format: 'avro', origin: 'lock', subject: 'payments.raw.v1-value', version: 1, id: 11 });
    const m = resolved.models.get('payments_clean')!;
    expect(m.analysis!.columns!.map((c) => `${c.name} ${c.type}`)).toEqual(['payment_id STRING', 'amount_cents BIGINT', 'status STRING', 'amount DOUBLE']);
    const job = compiled.artifacts.flinkJobs.find((j) => j.addr === 'flink.job.payments_clean')!;
    const ddl = job.spec.statements.find((s) => s.includes('CREATE TEMPORARY TABLE `card_payments_raw`'))!;
    expect(ddl).toContain("'format' = 'avro-confluent'");
    // The writer's schema is given to Flink, so that the enum is read.
    expect(ddl).toContain(`'avro-confluent.schema' = '${AVRO}'`);
  });

  it('without the lock: an error that names the command; a lock without the version: the same', () => {
    const r = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': CONCEPTS, 'models/m.yml': MODEL });
    const d = find(r.diagnostics, 'SCHEMA_LOCK_MISSING');
    expect([d.file, d.line]).toEqual(['sources/s.yml', 5]);
    expect(d.hint).toContain('streamt schemas pull');
    const pinned = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': CONCEPTS.replace('subject: payments.raw.v1-value', 'subject: payments.raw.v1-value\n      version: 2'), 'schemas.lock.yml': LOCK });
    expect(find(pinned.diagnostics, 'SCHEMA_LOCK_MISSING').message).toContain('version 2 of registry subject');
  });

  it('the reference README\'s "Source with Schema" validates and compiles as written', () => {
    const { resolved } = compile({ 'stream_project.yml': PROJECT_SR, 'sources/s.yml': README, 'models/m.yml': 'models:\n  - name: high_value_orders\n    sql: |\n      SELECT * FROM {{ source("orders_raw") }}\n      WHERE amount > 10000\n' });
    expect(resolved.project.sources[0]!.columns).toEqual([
      { name: 'order_id', type: 'STRING NOT NULL', nullable: false, description: 'Unique order identifier' },
      { name: 'amount', type: 'DOUBLE NOT NULL', nullable: false },
      { name: 'customer_id', type: 'STRING NOT NULL', nullable: false, classification: 'internal' },
    ]);
  });

  it('a columns: entry the schema lacks is an error with a suggestion; an incompatible type override too', () => {
    const r = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': README.replace('- name: customer_id\n', '- name: customer_idd\n').replace('description: Unique order identifier', 'type: BOOLEAN') });
    const missing = find(r.diagnostics, 'SCHEMA_COLUMN_NOT_FOUND');
    expect(missing.message).toBe('Column "customer_idd" of source "orders_raw" is not a field of its schema');
    expect(missing.hint).toContain('customer_id');
    expect(missing.line).toBe(19);
    const type = find(r.diagnostics, 'SCHEMA_TYPE_INCOMPATIBLE');
    expect(type.message).toContain('declared BOOLEAN, but the schema gives STRING NOT NULL');
    expect(type.line).toBe(18);
    // A compatible override is used, and the writer's schema is then not imposed on Flink.
    const ok = compile({ 'stream_project.yml': PROJECT_SR, 'sources/s.yml': README.replace('description: Unique order identifier', 'type: VARCHAR(36)') });
    expect(ok.resolved.project.sources[0]!.columns[0]!.type).toBe('VARCHAR(36) NOT NULL');
    expect(ok.resolved.project.sources[0]!.derivedSchema!.formatOptions).toEqual({});
  });

  it('enums are read through a reader schema Flink accepts; left out, with the reason, when none fits', () => {
    const nullableRow = AVRO.replace('{"name":"payload","type":{"type":"record","name":"Payload","fields":[{"name":"amount","type":"double"}]}}', '{"name":"payload","type":["null",{"type":"record","name":"Payload","fields":[{"name":"amount","type":"double"}]}],"default":null}');
    const r = resolveFiles({ 'stream_project.yml': PROJECT_SR, 'sources/s.yml': CONCEPTS, 'schemas.lock.yml': renderLock({ schemas: [entry(1, nullableRow)] }) });
    const src = r.resolved!.project.sources[0]!;
    // A nullable record's fields are nullable in Flink's table, and in the reader schema it is given.
    expect(src.columns.map((c) => `${c.name} ${c.type}`)).toEqual(['payment_id STRING NOT NULL', 'card_number STRING NOT NULL', 'amount_cents BIGINT NOT NULL', 'status STRING NOT NULL', 'payload ROW<`amount` DOUBLE>']);
    const reader = JSON.parse(src.derivedSchema!.formatOptions['avro-confluent.schema']!);
    expect(reader.fields[4].type[1].fields[0]).toEqual({ name: 'amount', type: ['null', 'double'], default: null });
    expect(reader.fields[3].type.type).toBe('enum');
    // A TIME field: Flink's table says TIME(0), which no Avro schema converts to.
    const withTime = AVRO.replace('"fields":[', '"fields":[{"name":"t","type":{"type":"int","logicalType":"time-millis"}},');
    const t = resolveFiles({ 'stream_project.yml': PROJECT_SR, 'sources/s.yml': CONCEPTS, 'schemas.lock.yml': renderLock({ schemas: [entry(1, withTime)] }) });
    expect(find(t.diagnostics, 'SCHEMA_FIELD_SKIPPED').message).toContain('field "status"');
    expect(t.resolved!.project.sources[0]!.columns.map((c) => c.name)).toEqual(['t', 'payment_id', 'card_number', 'amount_cents', 'payload']);
    expect(t.resolved!.project.sources[0]!.derivedSchema!.formatOptions).toEqual({});
  });

  it('nested fields are type-checked', () => {
    const r = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': CONCEPTS, 'schemas.lock.yml': LOCK, 'models/m.yml': MODEL.replace('payload.amount', 'payload.amont') });
    expect(find(r.diagnostics, 'SQL_UNKNOWN_COLUMN').message).toContain("Column 'payload.amont' not found");
  });

  it('a source with typed columns and no schema works as before; a named subject without lock warns', () => {
    const typed = CONCEPTS.replace('classification: highly_sensitive', 'type: STRING');
    const r = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': typed });
    expect(codes(r.diagnostics, 'error')).toEqual([]);
    expect(codes(r.diagnostics, 'warning')).toContain('SCHEMA_NOT_LOCKED');
    expect(r.resolved!.project.sources[0]!.columns).toEqual([{ name: 'card_number', type: 'STRING' }]);
  });

  it('JSON Schema date-time is read as ISO-8601; declared TIMESTAMP, it is an error (a producer following the schema writes a UTC offset)', () => {
    const json = (extra = '') => `sources:\n  - name: e\n    topic: e\n    schema:\n      definition: '{"type": "object", "required": ["at"], "properties": {"id": {"type": "string"}, "at": {"type": "string", "format": "date-time"}}}'\n${extra}`;
    const a = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': json() });
    expect(a.resolved!.project.sources[0]!.derivedSchema!.formatOptions).toEqual({ 'json.timestamp-format.standard': 'ISO-8601' });
    expect(a.resolved!.project.sources[0]!.columns.map((c) => c.type)).toEqual(['STRING', 'TIMESTAMP_LTZ(3) NOT NULL']);
    const b = resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': json('    columns:\n      - name: at\n        type: TIMESTAMP(3)\n') });
    expect(find(b.diagnostics, 'JSON_DATE_TIME_NOT_LTZ')).toMatchObject({ severity: 'error', line: 8 });
    expect(b.resolved!.project.sources[0]!.derivedSchema!.formatOptions).toEqual({ 'json.timestamp-format.standard': 'ISO-8601' });
  });

  it('compatible overrides follow what each format reads', () => {
    expect(compatibleOverride('BIGINT', 'INT', 'json')).toBe(true);
    expect(compatibleOverride('STRING', 'TIMESTAMP(3)', 'json')).toBe(true);
    expect(compatibleOverride('INT', 'BIGINT', 'avro')).toBe(true);
    expect(compatibleOverride('BIGINT', 'INT', 'avro')).toBe(false);
    expect(compatibleOverride('TIMESTAMP(3)', 'TIMESTAMP(6)', 'avro')).toBe(false);
    expect(compatibleOverride('STRING', 'VARCHAR(10)', 'protobuf')).toBe(true);
    expect(compatibleOverride('ROW<`a` INT>', 'STRING', 'json')).toBe(false);
  });
});

describe('the schema lock', () => {
  it('renders deterministically and parses back', () => {
    const lock = { schemas: [entry(2), { ...entry(1), subject: 'a-value', references: [{ name: 'x', subject: 'b', version: 1 }] }] };
    const text = renderLock(lock);
    expect(renderLock(parseLock(text).lock!)).toBe(text);
    expect(text.indexOf('subject: a-value')).toBeLessThan(text.indexOf('subject: payments.raw.v1-value'));
    expect(text).toContain('schema: |\n');
    expect(parseLock('lock_version: 2\n').diagnostics[0]!.code).toBe('SCHEMA_LOCK_INVALID');
    expect(load({ 'stream_project.yml': PROJECT, 'schemas.lock.yml': 'schemas: [' }).diagnostics.map((d) => d.code)).toEqual(['SCHEMA_LOCK_INVALID']);
  });

  it('pull follows references and reports what moved', async () => {
    const registry: Record<string, LockedSchema[]> = {
      'p-value': [{ ...entry(1), subject: 'p-value' }, { ...entry(2), subject: 'p-value', references: [{ name: 'Payload', subject: 'payload-value', version: 3 }] }],
      'payload-value': [{ ...entry(3), subject: 'payload-value' }],
    };
    const fetch = async (s: string, v: number | 'latest') => (v === 'latest' ? registry[s]?.at(-1) : registry[s]?.find((e) => e.version === v));
    const r = await pullLock([{ subject: 'p-value', required: true, sources: ['p'] }, { subject: 'gone-value', required: false, sources: ['g'] }], fetch, { schemas: [{ ...entry(1), subject: 'p-value' }] });
    expect(r.lock.schemas.map((s) => `${s.subject}@${s.version}`)).toEqual(['p-value@2', 'payload-value@3']);
    expect(r.changes).toEqual([{ subject: 'p-value', before: 1, after: 2 }, { subject: 'payload-value', after: 3 }]);
    expect(r.skipped).toEqual(['gone-value']);
    const missing = await pullLock([{ subject: 'nope', version: 4, required: true, sources: ['n'] }], fetch);
    expect(missing.errors).toEqual(['version 4 of subject "nope" (read by source "n") is not in the registry']);
  });

  it('plan re-checks every model against a newer version and names the model and column it breaks', () => {
    const files = { 'stream_project.yml': PROJECT_SR, 'sources/s.yml': CONCEPTS, 'models/m.yml': MODEL, 'schemas.lock.yml': LOCK };
    const { resolved } = compile(files);
    const project = load(files).project!;
    const v2 = entry(2, AVRO.replace('{"name":"status","type":{"type":"enum","name":"Status","symbols":["A","B"]}},', ''));
    const out = recheckWithNewer(project, resolved, [{ subject: 'payments.raw.v1-value', locked: 1, latest: 2, sources: ['card_payments_raw'] }], [v2]);
    expect(out.map((d) => d.code)).toEqual(['PLAN_SCHEMA_NEWER_VERSION', 'PLAN_SCHEMA_BREAKS_MODEL']);
    expect(out[1]!.message).toMatch(/^version 2 of "payments.raw.v1-value" breaks model "payments_clean": Column 'status' not found in any table/);
    expect(out[1]!.file).toBe('models/m.yml');
    const compatible = entry(2, AVRO.replace('"fields":[', '"fields":[{"name":"extra","type":["null","string"],"default":null},'));
    expect(recheckWithNewer(project, resolved, [{ subject: 'payments.raw.v1-value', locked: 1, latest: 2, sources: ['card_payments_raw'] }], [compatible]).map((d) => d.code)).toEqual(['PLAN_SCHEMA_NEWER_VERSION']);
  });
});
