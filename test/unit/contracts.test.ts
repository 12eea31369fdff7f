/** Model output schemas, contracts and versions (docs/schemas.md#model-outputs, #contracts-and-versions). */
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/index.js';
import { desiredResources } from '../../src/plan/desired.js';
import { withReaders } from '../../src/adapters/schema-registry/subject-handler.js';
import { diffSubject } from '../../src/adapters/schema-registry/diff.js';
import { combineCompatibility, exposureCompatibility } from '../../src/resolve/contracts.js';
import type { ExposureNode } from '../../src/project/types.js';
import { PROJECT, RUNTIME, SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const REGISTRY_PROJECT = `project:
  name: demo
${RUNTIME}  schema_registry:
    url: http://localhost:8081/apis/ccompat/v7
`;

function compile(files: Record<string, string>) {
  const { resolved, diagnostics } = resolveFiles(files);
  if (!resolved) throw new Error(JSON.stringify(diagnostics, null, 2));
  const result = compileProject(resolved, { compiledAt: '2025-01-01T00:00:00.000Z' });
  return { resolved, result, diagnostics: [...diagnostics, ...result.diagnostics], codes: [...diagnostics, ...result.diagnostics].map((d) => d.code) };
}

const MODEL = `models:
  - name: big_orders
    sql: SELECT order_id, CAST(amount AS BIGINT) AS amount, status FROM {{ source("orders_raw") }} WHERE amount > 100
`;

describe('model output schemas', () => {
  it('a JSON model with output_format: json and a registry registers a JSON Schema of its columns', () => {
    const { result, codes } = compile({ 'stream_project.yml': REGISTRY_PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': MODEL.replace('  - name: big_orders\n', '  - name: big_orders\n    output_format: json\n') });
    expect(codes.filter((c) => c.startsWith('MODEL_OUTPUT'))).toEqual([]);
    const subject = result.artifacts.schemas.find((s) => s.owner === 'model.big_orders')!;
    expect(subject.spec.subject).toBe('big_orders-value');
    expect(subject.spec.schema_type).toBe('JSON');
    expect(JSON.parse(subject.spec.schema)).toEqual({
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'big_orders',
      type: 'object',
      properties: { order_id: { type: ['string', 'null'] }, amount: { type: ['integer', 'null'] }, status: { type: ['string', 'null'] } },
    });
    expect(result.artifacts.flinkJobs[0]!.spec.value_format).toBe('json');
  });

  it('without output_format, a model whose Flink job writes its topic writes Avro when a registry is configured', () => {
    const { result, resolved, codes } = compile({ 'stream_project.yml': REGISTRY_PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': MODEL });
    expect(codes.filter((c) => c.startsWith('MODEL_OUTPUT'))).toEqual([]);
    const job = result.artifacts.flinkJobs[0]!.spec;
    expect(job.value_format).toBe('avro-confluent');
    // The sink table writes avro-confluent under the model's subject.
    const sink = job.statements.find((st) => st.includes("'topic' = 'big_orders'"))!;
    expect(sink).toContain("'format' = 'avro-confluent'");
    expect(sink).toContain("'avro-confluent.subject' = 'big_orders-value'");
    const subject = result.artifacts.schemas.find((x) => x.owner === 'model.big_orders')!;
    expect(subject.spec).toMatchObject({ subject: 'big_orders-value', schema_type: 'AVRO' });
    expect((JSON.parse(subject.spec.schema) as { fields: { name: string }[] }).fields.map((f) => f.name)).toEqual(['order_id', 'amount', 'status']);
    expect(resolved.tables.get('model.big_orders')!.format).toBe('avro-confluent');
    const m = result.manifest.models.find((x) => x.name === 'big_orders')!;
    expect(m.value_format).toBe('avro-confluent');
    expect(m.output_schema).toMatchObject({ subject: 'big_orders-value', schema_type: 'AVRO', registered: true });
  });

  it('defaults.models.output_format: json keeps JSON, and its JSON Schema is registered', () => {
    const project = REGISTRY_PROJECT + 'defaults:\n  models:\n    output_format: json\n';
    const { result } = compile({ 'stream_project.yml': project, 'sources/s.yml': SOURCES, 'models/m.yml': MODEL });
    expect(result.artifacts.flinkJobs[0]!.spec.value_format).toBe('json');
    expect(result.artifacts.schemas.map((x) => [x.spec.subject, x.spec.schema_type])).toEqual([['big_orders-value', 'JSON']]);
  });

  it('without a registry a model writes JSON; its JSON Schema is derived (manifest) but nothing is registered', () => {
    const { result, codes } = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': MODEL });
    expect(codes.filter((c) => c.startsWith('MODEL_OUTPUT'))).toEqual([]);
    expect(result.artifacts.flinkJobs[0]!.spec.value_format).toBe('json');
    expect(result.artifacts.schemas).toEqual([]);
    const m = result.manifest.models.find((x) => x.name === 'big_orders')!;
    expect(m.value_format).toBe('json');
    expect(m.output_schema).toMatchObject({ subject: 'big_orders-value', schema_type: 'JSON', registered: false });
    expect(JSON.parse(m.output_schema!.schema)).toMatchObject({ title: 'big_orders', properties: { amount: { type: ['integer', 'null'] } } });
  });

  it('a column Flink cannot write as Avro keeps the default model in JSON, and says why', () => {
    const ltz = MODEL.replace('status FROM', 'status, CURRENT_TIMESTAMP AS seen_at FROM');
    const { result, diagnostics } = compile({ 'stream_project.yml': REGISTRY_PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': ltz });
    expect(result.artifacts.flinkJobs[0]!.spec.value_format).toBe('json');
    const d = diagnostics.find((x) => x.code === 'MODEL_OUTPUT_JSON_FALLBACK')!;
    expect(d.severity).toBe('info');
    expect(d.message).toContain('column seen_at is TIMESTAMP_LTZ(3)');
    expect(d.file).toBe('models/m.yml');
    // With a registry, its JSON Schema is registered for the topic.
    expect(result.artifacts.schemas.map((x) => x.spec.schema_type)).toEqual(['JSON']);
    // Declared Avro, the same column is an error at output_format.
    const declared = compile({ 'stream_project.yml': REGISTRY_PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': ltz.replace('  - name: big_orders\n', '  - name: big_orders\n    output_format: avro\n') });
    const e = declared.diagnostics.find((x) => x.code === 'MODEL_OUTPUT_AVRO_UNSUPPORTED')!;
    expect(e.severity).toBe('error');
    expect(e.line).toBe(3);
  });

  it("knows the types Flink's avro-confluent format cannot write (legacy timestamp mapping)", async () => {
    const { avroUnwritable } = await import('../../src/resolve/tables.js');
    for (const ok of ['STRING', 'BIGINT NOT NULL', 'DECIMAL(10, 2)', 'TIMESTAMP(3)', 'TIME(0)', 'TIME', 'DATE', 'BYTES', 'ARRAY<STRING>', 'MAP<STRING, BIGINT>', 'ROW<a INT, b TIMESTAMP(3)>']) expect(avroUnwritable(ok), ok).toBeUndefined();
    for (const bad of ['TIMESTAMP_LTZ(3)', 'TIMESTAMP(3) WITH LOCAL TIME ZONE', 'TIMESTAMP', 'TIMESTAMP(6)', 'TIME(6)', 'MAP<INT, STRING>', 'MULTISET<BIGINT>', 'ARRAY<TIMESTAMP_LTZ(3)>', 'ROW<a ROW<b TIMESTAMP(9)>>', 'INTERVAL DAY']) expect(avroUnwritable(bad), bad).toBeDefined();
  });

  it('readers follow the format: a downstream job reads the Avro topic with avro-confluent', () => {
    const models = MODEL + '  - name: downstream\n    sql: SELECT order_id, amount FROM {{ ref("big_orders") }}\n';
    const { result } = compile({ 'stream_project.yml': REGISTRY_PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': models });
    const job = result.artifacts.flinkJobs.find((j) => j.spec.name.endsWith('.downstream'))!.spec;
    const source = job.statements.find((st) => st.includes("'topic' = 'big_orders'"))!;
    expect(source).toContain("'format' = 'avro-confluent'");
    expect(job.value_format).toBe('avro-confluent');
  });

  it('defaults.models.output_format: avro makes a JSON-fed model write Avro with its subject', () => {
    const project = REGISTRY_PROJECT + 'defaults:\n  models:\n    output_format: avro\n';
    const { result } = compile({ 'stream_project.yml': project, 'sources/s.yml': SOURCES, 'models/m.yml': MODEL });
    expect(result.artifacts.flinkJobs[0]!.spec.value_format).toBe('avro-confluent');
    const subject = result.artifacts.schemas.find((s) => s.owner === 'model.big_orders')!;
    expect(subject.spec.schema_type).toBe('AVRO');
    expect((JSON.parse(subject.spec.schema) as { fields: { name: string }[] }).fields.map((f) => f.name)).toEqual(['order_id', 'amount', 'status']);
  });

  it('output_format: avro without a registry is an error at the key', () => {
    const { diagnostics } = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': MODEL.replace('  - name: big_orders\n', '  - name: big_orders\n    output_format: avro\n') });
    const d = diagnostics.find((x) => x.code === 'MODEL_OUTPUT_FORMAT_NO_REGISTRY')!;
    expect(d.severity).toBe('error');
    expect(d.file).toBe('models/m.yml');
    expect(d.line).toBe(3);
  });
});

describe('exposure contracts set the compatibility of the subjects they read', () => {
  const exposure = (name: string, contracts: Record<string, unknown>): ExposureNode => ({ kind: 'exposure', name, contracts } as unknown as ExposureNode);
  it('maps schema/versioning/compatibility to a registry level', () => {
    expect(exposureCompatibility(exposure('a', { schema: 'strict', versioning: 'backward' }))).toBe('BACKWARD_TRANSITIVE');
    expect(exposureCompatibility(exposure('a', { schema: 'lenient', versioning: 'forward' }))).toBe('FORWARD');
    expect(exposureCompatibility(exposure('a', { schema: 'strict' }))).toBe('BACKWARD_TRANSITIVE');
    expect(exposureCompatibility(exposure('a', { versioning: 'full' }))).toBe('FULL');
    expect(exposureCompatibility(exposure('a', { compatibility: 'none' }))).toBe('NONE');
    expect(exposureCompatibility(exposure('a', { schema: 'none', versioning: 'backward' }))).toBeUndefined();
    expect(exposureCompatibility(exposure('a', {}))).toBeUndefined();
  });
  it('combines several consumers into the weakest level that satisfies all', () => {
    expect(combineCompatibility(['BACKWARD', 'FORWARD'])).toBe('FULL');
    expect(combineCompatibility(['BACKWARD', 'BACKWARD_TRANSITIVE'])).toBe('BACKWARD_TRANSITIVE');
    expect(combineCompatibility(['NONE', 'FORWARD'])).toBe('FORWARD');
    expect(combineCompatibility(['NONE'])).toBe('NONE');
    expect(combineCompatibility([])).toBeUndefined();
  });
  it("puts the level on the model's subject and lists the readers in the desired resource", () => {
    const files = {
      'stream_project.yml': REGISTRY_PROJECT,
      'sources/s.yml': SOURCES,
      'models/m.yml': MODEL.replace('  - name: big_orders\n', '  - name: big_orders\n    output_format: avro\n') + `  - name: big_orders_eu
    sql: SELECT order_id FROM {{ ref("big_orders") }}
`,
      'exposures/e.yml': `exposures:
  - name: billing
    type: application
    consumes: [{ref: big_orders}]
    contracts: {schema: strict, versioning: backward}
  - name: ops_dashboard
    type: dashboard
    consumes: [{ref: big_orders}]
    contracts: {versioning: forward}
`,
    };
    const { result } = compile(files);
    const subject = result.artifacts.schemas.find((s) => s.owner === 'model.big_orders')!;
    expect(subject.spec.compatibility).toBe('FULL_TRANSITIVE');
    const desired = desiredResources(result.manifest, result.artifacts).find((r) => r.addr === 'sr.subject.big_orders-value')!;
    expect(desired.readers).toEqual(['exposure billing', 'exposure ops_dashboard', 'model big_orders_eu']);
  });
});

describe('an incompatible output schema is blocked naming its readers', () => {
  it('adds the readers and the new-version way out to PLAN_SCHEMA_INCOMPATIBLE', () => {
    const spec = { subject: 'm-value', schema_type: 'AVRO' as const, schema: '{"type":"record","name":"r","fields":[]}', compatibility: null };
    const p = diffSubject(spec, { kind: 'subject', subject: 'm-value', exists: true, latest: { version: 1, id: 3, schema: '{"type":"string"}', schemaType: 'AVRO' }, compatibility: 'BACKWARD', compatible: { isCompatible: false, messages: [] } });
    const out = withReaders(p, ['exposure billing', 'model m_eu'], ['billing', 'finance']);
    expect(out.blocked?.code).toBe('PLAN_SCHEMA_INCOMPATIBLE');
    expect(out.blocked?.message).toContain('read by exposure billing, model m_eu (and downstream: exposure finance)');
    expect(out.blocked?.hint).toContain('version: N+1');
  });
});

describe('contract: {enforced: true}', () => {
  const model = (contract: string, columns: string, sql = 'SELECT order_id, amount FROM {{ source("orders_raw") }}') => ({
    'stream_project.yml': PROJECT,
    'sources/s.yml': SOURCES,
    'models/m.yml': `models:\n  - name: m\n${contract}    columns:\n${columns}    sql: ${sql}\n`,
  });
  const typed = '      - name: order_id\n        type: STRING\n      - name: amount\n        type: DOUBLE\n';
  it('passes when the SQL produces exactly the declared columns and types', () => {
    const { diagnostics } = resolveFiles(model('    contract: {enforced: true}\n', typed));
    expect(diagnostics.filter((d) => d.code.startsWith('CONTRACT'))).toEqual([]);
  });
  it("the seeds' config.contract.enforced is the same contract", () => {
    const { diagnostics } = resolveFiles(model('    config:\n      contract:\n        enforced: true\n', typed, 'SELECT order_id FROM {{ source("orders_raw") }}'));
    expect(diagnostics.map((d) => d.code)).toContain('CONTRACT_VIOLATION');
  });
  it('shows the difference: missing, extra, retyped columns', () => {
    const cols = '      - name: order_id\n        type: BIGINT\n      - name: amount\n        type: DOUBLE\n      - name: region\n        type: STRING\n';
    const { diagnostics } = resolveFiles(model('    contract: {enforced: true}\n', cols, 'SELECT order_id, amount, status FROM {{ source("orders_raw") }}'));
    const d = diagnostics.find((x) => x.code === 'CONTRACT_VIOLATION')!;
    expect(d.severity).toBe('error');
    expect(d.file).toBe('models/m.yml');
    expect(d.message).toContain('~ order_id: declared BIGINT, the SQL produces STRING');
    expect(d.message).toContain('- region STRING (declared, not produced)');
    expect(d.message).toContain('+ status STRING (produced, not declared)');
    expect(d.message).not.toContain('amount');
  });
  it('treats spellings of one type as equal and checks the order', () => {
    const cols = '      - name: amount\n        type: double\n      - name: order_id\n        type: VARCHAR(2147483647)\n';
    const { diagnostics } = resolveFiles(model('    contract: {enforced: true}\n', cols));
    expect(diagnostics.find((x) => x.code === 'CONTRACT_VIOLATION')!.message).toContain('order: declared (amount, order_id), the SQL produces (order_id, amount)');
  });
  it('needs a type on every declared column', () => {
    const { diagnostics } = resolveFiles(model('    contract: {enforced: true}\n', '      - name: order_id\n      - name: amount\n        type: DOUBLE\n'));
    expect(diagnostics.find((x) => x.code === 'CONTRACT_COLUMN_TYPE_MISSING')!.message).toContain('order_id has none');
  });
  it('without enforcement declared columns stay documentation', () => {
    const { diagnostics } = resolveFiles(model('', '      - name: order_id\n        type: BIGINT\n'));
    expect(diagnostics.filter((d) => d.code.startsWith('CONTRACT'))).toEqual([]);
  });
});

describe('model versions', () => {
  const versioned = (consumer: string) => ({
    'stream_project.yml': REGISTRY_PROJECT,
    'sources/s.yml': SOURCES,
    'models/orders.yml': `models:
  - name: orders_clean
    version: 1
    deprecation_date: "2027-01-31"
    sql: SELECT order_id, amount FROM {{ source("orders_raw") }}
  - name: orders_clean
    version: 2
    output_format: json
    sql: SELECT order_id, CAST(amount AS BIGINT) AS amount_cents FROM {{ source("orders_raw") }}
  - name: reader
    sql: ${consumer}
`,
    'exposures/e.yml': 'exposures:\n  - name: app\n    type: application\n    consumes: [{ref: orders_clean}]\n',
  });
  it('deploys each version to its own node, topic and job; ref() reads the latest', () => {
    const { resolved, result, codes } = compile(versioned('SELECT order_id FROM {{ ref("orders_clean") }}'));
    expect(codes.filter((c) => !['AMBIGUOUS_MATERIALIZATION', 'SLA_NOT_ENFORCED'].includes(c))).toEqual([]);
    expect([...resolved.models.keys()].sort()).toEqual(['orders_clean_v1', 'orders_clean_v2', 'reader']);
    expect(result.artifacts.topics.map((t) => t.spec.name).sort()).toEqual(['orders_clean.v1', 'orders_clean.v2', 'reader']);
    expect(result.artifacts.flinkJobs.map((j) => j.spec.name).sort()).toEqual(['streamt.demo.orders_clean_v1', 'streamt.demo.orders_clean_v2', 'streamt.demo.reader']);
    expect(resolved.models.get('reader')!.inputs).toEqual(['model.orders_clean_v2']);
    expect(resolved.dag.parents('exposure.app')).toEqual(['model.orders_clean_v2']);
    // v1 and reader write Avro (the default with a registry), v2 JSON with its JSON Schema.
    expect(result.artifacts.schemas.map((s) => [s.spec.subject, s.spec.schema_type])).toEqual([['orders_clean.v1-value', 'AVRO'], ['orders_clean.v2-value', 'JSON'], ['reader-value', 'AVRO']]);
  });
  it('ref("m", version=1) and dbt\'s ref(\'m\', v=1) pin a version', () => {
    for (const sql of ['SELECT order_id FROM {{ ref("orders_clean", version=1) }}', "SELECT order_id FROM {{ ref('orders_clean', v=1) }}"]) {
      const { resolved } = compile(versioned(sql));
      expect(resolved.models.get('reader')!.inputs).toEqual(['model.orders_clean_v1']);
      expect(resolved.models.get('reader')!.renderedSql).toContain('`orders_clean_v1`');
    }
  });
  it('a version that does not exist is an error at the ref', () => {
    const { diagnostics } = resolveFiles(versioned('SELECT order_id FROM {{ ref("orders_clean", version=3) }}'));
    const d = diagnostics.find((x) => x.code === 'MODEL_VERSION_NOT_FOUND')!;
    expect(d.message).toBe('Model "orders_clean" has no version 3');
    expect(d.hint).toBe('its versions: 1, 2');
    expect(d.line).toBe(11);
  });
  it('two entries with one version are refused', () => {
    const files = versioned('SELECT order_id FROM {{ ref("orders_clean") }}');
    files['models/orders.yml'] = files['models/orders.yml']!.replace('version: 2', 'version: 1');
    expect(resolveFiles(files).diagnostics.map((d) => d.code)).toContain('DUPLICATE_MODEL_VERSION');
  });
  it('the deprecation date is in the manifest, the lineage and the plan', async () => {
    const { resolved, result } = compile(versioned('SELECT order_id FROM {{ ref("orders_clean", version=1) }}'));
    const m = result.manifest.models.find((x) => x.name === 'orders_clean_v1')!;
    expect(m).toMatchObject({ version: 1, base_name: 'orders_clean', deprecation_date: '2027-01-31' });
    const { lineageView, renderAsciiTree } = await import('../../src/lineage/lineage.js');
    expect(renderAsciiTree(lineageView(resolved))).toContain('orders_clean_v1 (model:flink, v1, deprecated 2027-01-31)');
    const desired = desiredResources(result.manifest, result.artifacts).filter((r) => r.owner === 'model.orders_clean_v1');
    expect(desired.flatMap((r) => r.notes ?? [])).toEqual(['model orders_clean_v1 (version 1 of orders_clean) is deprecated from 2027-01-31; still read by model reader']);
  });
});

describe('exposures pin a model version', () => {
  const files = (consumes: string, extra = '') => ({
    'stream_project.yml': REGISTRY_PROJECT,
    'sources/s.yml': SOURCES,
    'models/orders.yml': `models:
  - name: orders_clean
    version: 1
    deprecation_date: "2027-01-31"
    sql: SELECT order_id, amount FROM {{ source("orders_raw") }}
  - name: orders_clean
    version: 2
    sql: SELECT order_id, amount FROM {{ source("orders_raw") }}
  - name: plain
    sql: SELECT order_id FROM {{ source("orders_raw") }}
`,
    'exposures/e.yml': `exposures:
  - name: app
    type: application
    consumes: ${consumes}
${extra}`,
  });
  it('{ref: m, version: 1}, {model: m, version: 1} and ref("m", version=1) read that version', () => {
    for (const consumes of ['[{ref: orders_clean, version: 1}]', '[{model: orders_clean, version: 1}]', `['ref("orders_clean", version=1)']`, `["ref('orders_clean', v=1)"]`]) {
      const { resolved, codes } = compile(files(consumes));
      expect(codes.filter((c) => c.startsWith('MODEL_') || c.startsWith('EXPOSURE_'))).toEqual([]);
      expect(resolved.dag.parents('exposure.app')).toEqual(['model.orders_clean_v1']);
    }
  });
  it('depends_on pins too; a bare name still reads the latest version', () => {
    const { resolved } = compile(files('[orders_clean]', '    depends_on: [{ref: orders_clean, version: 1}]\n'));
    expect(resolved.dag.parents('exposure.app').sort()).toEqual(['model.orders_clean_v1', 'model.orders_clean_v2']);
  });
  it('an unknown version is MODEL_VERSION_NOT_FOUND at the version key, reported once', () => {
    const { diagnostics } = resolveFiles(files('[{ref: orders_clean, version: 3}]'));
    const found = diagnostics.filter((x) => x.code === 'MODEL_VERSION_NOT_FOUND' || x.code === 'EXPOSURE_MODEL_NOT_FOUND');
    expect(found.map((d) => [d.code, d.message, d.hint, d.file, d.line, d.column])).toEqual([
      ['MODEL_VERSION_NOT_FOUND', 'Model "orders_clean" has no version 3', 'its versions: 1, 2', 'exposures/e.yml', 4, 45],
    ]);
  });
  it('a version of an unversioned model is an error at the ref string', () => {
    const { diagnostics } = resolveFiles(files(`['ref("plain", version=2)']`));
    const d = diagnostics.find((x) => x.code === 'MODEL_VERSION_NOT_FOUND')!;
    expect(d.message).toBe('Model "plain" is not versioned: version 2 of it reads nothing');
    expect([d.file, d.line, d.column]).toEqual(['exposures/e.yml', 4, 16]);
  });
  it('a version that is not a positive integer is refused by the schema', () => {
    expect(resolveFiles(files('[{ref: orders_clean, version: "one"}]')).diagnostics.map((d) => d.code)).toEqual(['INVALID_TYPE']);
  });
  it('lineage, impact and the docs site show the pinned edge; plan warns that the exposure reads a deprecated version', async () => {
    const { resolved, result } = compile(files('[{ref: orders_clean, version: 1}]'));
    const exposure = result.manifest.exposures.find((e) => e.name === 'app')!;
    expect(exposure.consumes).toEqual(['model.orders_clean_v1']);
    const { lineageView, renderAsciiTree } = await import('../../src/lineage/lineage.js');
    const view = lineageView(resolved);
    expect(view.edges.filter((e) => e.to === 'app')).toEqual([{ from: 'orders_clean_v1', to: 'app' }]);
    expect(renderAsciiTree(view)).toContain('orders_clean_v1 (model:flink, v1, deprecated 2027-01-31)');
    const desired = desiredResources(result.manifest, result.artifacts);
    expect(desired.filter((r) => r.owner === 'model.orders_clean_v1').flatMap((r) => r.notes ?? [])).toEqual([
      'model orders_clean_v1 (version 1 of orders_clean) is deprecated from 2027-01-31; still read by exposure app',
    ]);
    expect(desired.filter((r) => r.owner === 'model.orders_clean_v1').every((r) => r.impacts.includes('app'))).toBe(true);
    expect(desired.filter((r) => r.owner === 'model.orders_clean_v2').some((r) => r.impacts.includes('app'))).toBe(false);
    const { buildDocsModel } = await import('../../src/docs/model.js');
    const docs = buildDocsModel({ resolved, compiled: result });
    expect(docs.nodes.find((n) => n.id === 'exposure.app')!.upstream).toEqual(['model.orders_clean_v1']);
  });
});

describe('the docs site shows schemas and who a change breaks', () => {
  it("lists a source's nested fields, a model's subject, compatibility and readers", async () => {
    const { buildDocsModel } = await import('../../src/docs/model.js');
    const definition = JSON.stringify({ type: 'record', name: 'P', fields: [{ name: 'id', type: 'string' }, { name: 'merchant', type: { type: 'record', name: 'M', fields: [{ name: 'country', type: 'string' }] } }, { name: 'amount', type: 'double' }] });
    const files = {
      'stream_project.yml': REGISTRY_PROJECT,
      'sources/s.yml': `sources:\n  - name: payments\n    topic: payments\n    schema:\n      definition: '${definition}'\n`,
      'models/m.yml': `models:\n  - name: by_country\n    version: 2\n    deprecation_date: "2030-01-01"\n    sql: SELECT id, merchant.country AS country, amount FROM {{ source("payments") }}\n  - name: eu\n    sql: SELECT id FROM {{ ref("by_country") }}\n`,
      'exposures/e.yml': 'exposures:\n  - name: bi\n    type: dashboard\n    consumes: [{ref: eu}]\n  - name: billing\n    type: application\n    consumes: [{ref: by_country}]\n    contracts: {schema: strict, versioning: backward}\n',
    };
    const { resolved, result } = compile(files);
    const docs = buildDocsModel({ resolved, compiled: result });
    const source = docs.nodes.find((n) => n.id === 'source.payments')!;
    const srcSchema = Object.fromEntries(source.sections.find((s) => s.title === 'Schema')!.rows);
    expect(srcSchema).toMatchObject({ format: 'Avro', from: 'the inline definition', 'a breaking change breaks': 'model by_country_v2' });
    expect(source.sections.find((s) => s.title === 'Schema fields')!.rows).toContainEqual(['merchant.country', 'STRING NOT NULL']);
    const model = docs.nodes.find((n) => n.id === 'model.by_country_v2')!;
    expect(Object.fromEntries(model.sections.find((s) => s.title === 'Schema')!.rows)).toEqual({
      format: 'Avro',
      from: 'derived from the output columns',
      subject: 'by_country.v2-value',
      compatibility: 'BACKWARD_TRANSITIVE (asked by exposure billing)',
      'a breaking change breaks': 'exposure billing, model eu',
      'exposures downstream': 'bi, billing',
    });
    expect(Object.fromEntries(model.facts)).toMatchObject({ version: '2 of by_country', 'deprecated from': '2030-01-01' });
  });

  it("shows a model's JSON Schema derived without a registry, as not registered", async () => {
    const { buildDocsModel } = await import('../../src/docs/model.js');
    const { resolved, result } = compile({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': MODEL });
    const docs = buildDocsModel({ resolved, compiled: result });
    const model = docs.nodes.find((n) => n.id === 'model.big_orders')!;
    expect(Object.fromEntries(model.sections.find((s) => s.title === 'Schema')!.rows)).toMatchObject({
      format: 'JSON Schema',
      from: 'derived from the output columns',
      subject: 'big_orders-value (not registered: no schema registry is configured)',
    });
  });
});

describe('selecting a versioned model', () => {
  it('by its name selects all its versions; by a node name, one', async () => {
    const { select } = await import('../../src/select/selector.js');
    const { resolved } = resolveFiles({
      'stream_project.yml': PROJECT,
      'sources/s.yml': SOURCES,
      'models/m.yml': 'models:\n  - name: m\n    version: 1\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n  - name: m\n    version: 2\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n',
    });
    expect([...select(resolved!, ['m']).ids].sort()).toEqual(['model.m_v1', 'model.m_v2']);
    expect([...select(resolved!, ['m_v1']).ids]).toEqual(['model.m_v1']);
  });
});

describe('finding a versioned model by its name', () => {
  it('gives the latest version (show, lineage --model)', async () => {
    const { findNode } = await import('../../src/lineage/lineage.js');
    const { resolved } = resolveFiles({
      'stream_project.yml': PROJECT,
      'sources/s.yml': SOURCES,
      'models/m.yml': 'models:\n  - name: m\n    version: 3\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n  - name: m\n    version: 1\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n',
    });
    expect(findNode(resolved!, 'm')).toBe('model.m_v3');
    expect(findNode(resolved!, 'm_v1')).toBe('model.m_v1');
  });
});
