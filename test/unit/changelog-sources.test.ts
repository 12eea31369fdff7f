// Sources that are changelogs (issue 11, item 4): upsert topics and CDC streams, what reads them,
// and the errors Flink would give, reported by validate with a position and a hint. Flink's own
// verdicts on the compiled jobs are in test/golden/cases/changelog (scripts/flink-agreement.mjs)
// and the corpus cases temporal-join-* and lookup-join-*.
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/index.js';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import { PROJECT } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

function compile(files: Record<string, string>) {
  const { resolved, diagnostics } = resolveFiles(files);
  if (!resolved) throw new Error(JSON.stringify(diagnostics, null, 2));
  const result = compileProject(resolved, { compiledAt: '2025-01-01T00:00:00.000Z' });
  return { resolved, result, diagnostics: [...diagnostics, ...result.diagnostics] };
}

const errors = (ds: Diagnostic[]) => ds.filter((d) => d.severity === 'error');
const only = (ds: Diagnostic[], code: string) => {
  const found = ds.filter((d) => d.code === code);
  expect(found, JSON.stringify(ds.map((d) => `${d.code} ${d.message}`), null, 2)).toHaveLength(1);
  return found[0]!;
};

const ORDERS = `  - name: orders
    topic: shop.orders
    columns:
      - { name: order_id, type: STRING }
      - { name: customer_id, type: STRING }
      - { name: amount, type: "DECIMAL(10, 2)" }
      - { name: order_time, type: TIMESTAMP(3) }
    event_time:
      column: order_time
`;
const profiles = (extra: string) => `  - name: profiles
    topic: crm.profiles
${extra}    columns:
      - { name: customer_id, type: STRING }
      - { name: country, type: STRING }
      - { name: updated_at, type: TIMESTAMP(3) }
    event_time:
      column: updated_at
`;
const ENRICH = `models:
  - name: enriched
    sql: |
      SELECT o.order_id, p.country
      FROM {{ source("orders") }} AS o
      JOIN {{ source("profiles") }} FOR SYSTEM_TIME AS OF o.order_time AS p
        ON o.customer_id = p.customer_id
`;

describe('event-time temporal joins', () => {
  it('run against an upsert source: append-only output, the versioned side read with upsert-kafka and its key', () => {
    const { result, diagnostics } = compile({
      'stream_project.yml': PROJECT,
      'sources/s.yml': `sources:\n${ORDERS}${profiles('    changelog: upsert\n    key: customer_id\n')}`,
      'models/m.yml': ENRICH,
    });
    expect(errors(diagnostics)).toEqual([]);
    const job = result.artifacts.flinkJobs.find((j) => j.addr === 'flink.job.enriched')!.spec;
    expect(job.sink_connector).toBe('kafka');
    const versioned = job.statements.find((s) => s.startsWith('CREATE TEMPORARY TABLE `profiles`'))!;
    expect(versioned).toContain("PRIMARY KEY (`customer_id`) NOT ENFORCED");
    expect(versioned).toContain("'connector' = 'upsert-kafka'");
    expect(versioned).toContain("'key.format' = 'raw'");
    expect(versioned).toContain("'scan.watermark.idle-timeout' = '30 s'");
    expect(versioned).not.toContain('scan.startup.mode');
  });

  it('against an append-only source is an error saying what Flink says, at the table, with the fix in the hint', () => {
    const { diagnostics } = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': `sources:\n${ORDERS}${profiles('')}`, 'models/m.yml': ENRICH });
    const d = only(diagnostics, 'SQL_TEMPORAL_JOIN_NO_KEY');
    expect(d.severity).toBe('error');
    expect(d.message).toMatch(/^Temporal Table Join requires primary key in versioned table, but no primary key can be found/);
    expect(d).toMatchObject({ file: 'models/m.yml', line: 6, node: 'model.enriched' });
    expect(d.hint).toContain('changelog: upsert');
    expect(d.hint).toContain('key:');
  });

  it('against a versioned table without event time is an error (Flink needs a primary key and a rowtime)', () => {
    const noTime = profiles('    changelog: upsert\n    key: customer_id\n').replace('    event_time:\n      column: updated_at\n', '');
    const { diagnostics } = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': `sources:\n${ORDERS}${noTime}`, 'models/m.yml': ENRICH });
    expect(only(diagnostics, 'SQL_TEMPORAL_JOIN_NO_KEY').message).toContain('requires both primary key and row time attribute');
  });

  it('with event times of different types is an error (TIMESTAMP against TIMESTAMP_LTZ)', () => {
    const ltz = profiles('    changelog: upsert\n    key: customer_id\n').replace('{ name: updated_at, type: TIMESTAMP(3) }', '{ name: updated_at, type: TIMESTAMP_LTZ(3) }');
    const { diagnostics } = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': `sources:\n${ORDERS}${ltz}`, 'models/m.yml': ENRICH });
    expect(only(diagnostics, 'SQL_TYPE_MISMATCH').message).toBe(
      'Event-Time Temporal Table Join requires same rowtime type in left table and versioned table, but the rowtime types are TIMESTAMP(3) *ROWTIME* and TIMESTAMP_LTZ(3) *ROWTIME*.',
    );
  });
});

describe('lookup joins', () => {
  it('are refused against Kafka inputs with Flink\'s reason, keyed or not', () => {
    const clicks = `  - name: clicks
    topic: web.clicks
    columns:
      - { name: customer_id, type: STRING }
      - { name: pt, proctime: true }
`;
    const model = 'models:\n  - name: m\n    sql: |\n      SELECT c.customer_id, p.country FROM {{ source("clicks") }} AS c\n      JOIN {{ source("profiles") }} FOR SYSTEM_TIME AS OF c.pt AS p ON c.customer_id = p.customer_id\n';
    const keyed = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': `sources:\n${clicks}${profiles('    changelog: upsert\n    key: customer_id\n')}`, 'models/m.yml': model });
    const d = only(keyed.diagnostics, 'SQL_UNSUPPORTED');
    expect(d).toMatchObject({ severity: 'error', line: 5 });
    expect(d.message).toMatch(/^Processing-time temporal join is not supported yet/);
    expect(d.hint).toContain('event time');
    const append = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': `sources:\n${clicks}${profiles('')}`, 'models/m.yml': model });
    expect(only(append.diagnostics, 'SQL_TEMPORAL_JOIN_NO_KEY').message).toMatch(/^Temporal Table Join requires primary key in versioned table, but no primary key can be found/);
  });
});

describe('CDC sources', () => {
  const cdc = (changelog: string, extra = '') => `sources:
  - name: customers
    topic: crm.public.customers
    changelog: ${changelog}
    key: customer_id
${extra}    columns:
      - { name: customer_id, type: STRING }
      - { name: country, type: STRING }
`;
  const filter = 'models:\n  - name: french\n    sql: SELECT customer_id, country FROM {{ source("customers") }} WHERE country = \'FR\'\n';

  for (const [changelog, format] of [
    ['debezium-json', "'format' = 'debezium-json'"],
    ['canal-json', "'format' = 'canal-json'"],
    ['maxwell-json', "'format' = 'maxwell-json'"],
    ['{format: debezium-json, schema_include: true}', "'debezium-json.schema-include' = 'true'"],
  ] as const) {
    it(`${changelog}: read with kafka and its format, the primary key declared; a filter is an upsert-kafka changelog keyed like the source`, () => {
      const { result, diagnostics, resolved } = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': cdc(changelog), 'models/m.yml': filter });
      expect(errors(diagnostics)).toEqual([]);
      expect(resolved.models.get('french')!.materializationReason).toBe('stateless SQL over a changelog (customers)');
      const job = result.artifacts.flinkJobs[0]!.spec;
      const input = job.statements.find((s) => s.startsWith('CREATE TEMPORARY TABLE `customers`'))!;
      expect(input).toContain("'connector' = 'kafka'");
      expect(input).toContain(format);
      expect(input).toContain('PRIMARY KEY (`customer_id`) NOT ENFORCED');
      expect([job.sink_connector, job.primary_key]).toEqual(['upsert-kafka', ['customer_id']]);
    });
  }

  it('debezium-avro reads with the registry', () => {
    const { result, diagnostics } = compile({ 'stream_project.yml': PROJECT + '  schema_registry:\n    url: http://registry:8081\n', 'sources/s.yml': cdc('debezium-avro'), 'models/m.yml': filter });
    expect(errors(diagnostics)).toEqual([]);
    const input = result.artifacts.flinkJobs[0]!.spec.statements.find((s) => s.startsWith('CREATE TEMPORARY TABLE `customers`'))!;
    expect(input).toContain("'format' = 'debezium-avro-confluent'");
    expect(input).toContain("'debezium-avro-confluent.url' = 'http://registry:8081'");
    const noRegistry = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': cdc('debezium-avro'), 'models/m.yml': filter });
    expect(only(noRegistry.diagnostics, 'REGISTRY_REQUIRED').severity).toBe('error');
  });

  it('needs a key, declared among its columns', () => {
    const noKey = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': cdc('debezium-json').replace('    key: customer_id\n', ''), 'models/m.yml': filter });
    const d = only(noKey.diagnostics, 'SOURCE_KEY_REQUIRED');
    expect(d).toMatchObject({ severity: 'error', file: 'sources/s.yml', line: 4 });
    expect(d.hint).toContain('key:');
    const badKey = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': cdc('upsert').replace('key: customer_id', 'key: customer'), 'models/m.yml': filter });
    expect(only(badKey.diagnostics, 'KEY_COLUMN_NOT_FOUND')).toMatchObject({ severity: 'error', line: 5, hint: 'columns: customer_id, country' });
  });

  it('refuses formats that contradict each other and options that do not apply', () => {
    const conflict = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': cdc('debezium-json', '    schema:\n      format: avro\n'), 'models/m.yml': filter });
    expect(only(conflict.diagnostics, 'SOURCE_FORMAT_CONFLICT').hint).toContain('debezium-avro');
    const keyFormat = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': cdc('debezium-json', '    key_format: json\n'), 'models/m.yml': filter });
    expect(only(keyFormat.diagnostics, 'KEY_FORMAT_IGNORED').severity).toBe('error');
    const upsertJsonKey = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': cdc('upsert', '    key_format: json\n'), 'models/m.yml': filter });
    expect(errors(upsertJsonKey.diagnostics)).toEqual([]);
    expect(upsertJsonKey.result.artifacts.flinkJobs[0]!.spec.statements.find((s) => s.startsWith('CREATE TEMPORARY TABLE `customers`'))).toContain("'key.format' = 'json'");
  });

  it('the seeds\' CDC source, as written (schema_ref, pii_tags, no types): accepted, with one clear error saying where its columns come from', () => {
    const seeds = `sources:
  - name: customers_cdc
    type: kafka_topic
    cluster: prod-eu
    topic: crm.customers.cdc
    schema_ref: sr://crm.customers.v3
    owner: team-crm
    pii_tags:
      customer_email: sensitive
      national_id: highly_sensitive
`;
    const model = `models:
  - name: customer_risk_profile
    materialized: flink_stream
    cluster: prod-eu
    key: customer_id
    from:
      source: customers_cdc
    sql: |
      SELECT customer_id, risk_band, kyc_status, updated_at
      FROM {{ source("customers_cdc") }}
      WHERE kyc_status IN ('APPROVED', 'REVIEW')
`;
    const { diagnostics } = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': seeds, 'models/m.yml': model });
    // Its columns come from the registry subject it names, which the project has not locked.
    const e = errors(diagnostics);
    expect(e.map((d) => d.code)).toEqual(['SCHEMA_LOCK_MISSING']);
    expect(e[0]).toMatchObject({ file: 'sources/s.yml', line: 2, node: 'source.customers_cdc' });
    expect(e[0]!.message).toContain('crm.customers.v3');
    // Declared with its columns' types and its CDC format, the same source runs.
    const typed = seeds.replace('    pii_tags:', `    changelog: debezium-json
    key: customer_id
    columns:
      - { name: customer_id, type: STRING }
      - { name: customer_email, type: STRING }
      - { name: national_id, type: STRING }
      - { name: risk_band, type: STRING }
      - { name: kyc_status, type: STRING }
      - { name: updated_at, type: TIMESTAMP(3) }
    pii_tags:`);
    const ok = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': typed, 'models/m.yml': model });
    expect(errors(ok.diagnostics)).toEqual([]);
    expect(ok.result.artifacts.flinkJobs[0]!.spec.sink_connector).toBe('upsert-kafka');
  });
});

describe('sources without typed columns', () => {
  it('are one error at the source when a Flink job reads them, none when nothing needs their schema', () => {
    const model = 'models:\n  - name: m\n    sql: SELECT a FROM {{ source("s") }}\n';
    const none = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': 'sources:\n  - name: s\n    topic: t\n', 'models/m.yml': model });
    const d = only(none.diagnostics, 'SOURCE_COLUMNS_UNTYPED');
    expect(d).toMatchObject({ severity: 'error', file: 'sources/s.yml', line: 2 });
    expect(d.hint).toContain('type');
    expect(errors(none.diagnostics)).toHaveLength(1);
    const partly = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': 'sources:\n  - name: s\n    topic: t\n    columns:\n      - {name: a, type: STRING}\n      - {name: b}\n', 'models/m.yml': model });
    expect(only(partly.diagnostics, 'SOURCE_COLUMNS_UNTYPED')).toMatchObject({ line: 6 });
    const sinkOnly = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': 'sources:\n  - name: s\n    topic: t\n' });
    expect(sinkOnly.diagnostics.map((x) => x.code)).not.toContain('SOURCE_COLUMNS_UNTYPED');
  });
});

describe('JSON date-time fields', () => {
  const source = (type: string) => `sources:
  - name: events
    topic: app.events
    schema:
      format: json
      definition: '{"type": "object", "properties": {"id": {"type": "string"}, "happened_at": {"type": "string", "format": "date-time"}}}'
    columns:
      - { name: id, type: STRING }
      - { name: happened_at, type: ${type} }
    event_time:
      column: happened_at
`;
  const model = 'models:\n  - name: m\n    sql: SELECT id, happened_at FROM {{ source("events") }}\n';

  it('are read with ISO-8601 into TIMESTAMP_LTZ', () => {
    const { result, diagnostics } = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': source('TIMESTAMP_LTZ(3)'), 'models/m.yml': model });
    expect(errors(diagnostics)).toEqual([]);
    const input = result.artifacts.flinkJobs[0]!.spec.statements.find((s) => s.startsWith('CREATE TEMPORARY TABLE `events`'))!;
    expect(input).toContain("'json.timestamp-format.standard' = 'ISO-8601'");
  });

  it('declared TIMESTAMP are an error: Flink cannot read a UTC offset into it', () => {
    const { diagnostics } = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': source('TIMESTAMP(3)'), 'models/m.yml': model });
    const d = only(diagnostics, 'JSON_DATE_TIME_NOT_LTZ');
    expect(d).toMatchObject({ severity: 'error', file: 'sources/s.yml', line: 9 });
    expect(d.hint).toContain('TIMESTAMP_LTZ(3)');
  });
});

describe('declared keys', () => {
  const src = `sources:\n${ORDERS}`;
  it('must contain the key of an updating result', () => {
    const m = (key: string) => `models:\n  - name: per_order\n    key: ${key}\n    sql: SELECT customer_id, order_id, SUM(amount) AS total FROM {{ source("orders") }} GROUP BY customer_id, order_id\n`;
    const bad = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': src, 'models/m.yml': m('customer_id') });
    const d = only(bad.diagnostics, 'KEY_NOT_UNIQUE');
    expect(d).toMatchObject({ severity: 'error', file: 'models/m.yml', line: 3 });
    expect(d.message).toContain('(customer_id, order_id)');
    expect(d.hint).toContain('key: [customer_id, order_id]');
    const good = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': src, 'models/m.yml': m('[customer_id, order_id]') });
    expect(errors(good.diagnostics)).toEqual([]);
    expect(good.result.artifacts.flinkJobs[0]!.spec.primary_key).toEqual(['customer_id', 'order_id']);
  });
});

describe('ml_outputs', () => {
  it('types the result of ML_PREDICT', () => {
    const confluent = PROJECT.replace('        rest_url: http://localhost:8082', '        type: confluent\n        rest_url: http://localhost:8082');
    const { resolved } = compile({
      'stream_project.yml': confluent,
      'sources/s.yml': `sources:\n${ORDERS}`,
      'models/m.yml': `models:
  - name: scored
    sql: |
      SELECT o.order_id, ML_PREDICT('Fraud', o.amount) AS score FROM {{ source("orders") }} AS o
    ml_outputs:
      Fraud: { score: DOUBLE }
  - name: scored_table
    sql: |
      SELECT o.order_id, f.label, f.p FROM {{ source("orders") }} AS o, LATERAL TABLE(ML_PREDICT('Labels', o.amount)) AS f
    ml_outputs:
      Labels:
        columns:
          - { name: label, type: STRING }
          - { name: p, type: DOUBLE }
`,
    });
    expect(resolved.models.get('scored')!.columns).toEqual([{ name: 'order_id', type: 'STRING' }, { name: 'score', type: 'DOUBLE' }]);
    expect(resolved.models.get('scored_table')!.columns).toEqual([{ name: 'order_id', type: 'STRING' }, { name: 'label', type: 'STRING' }, { name: 'p', type: 'DOUBLE' }]);
  });
});
