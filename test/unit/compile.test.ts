import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/index.js';
import { lookupConnector, CONNECTOR_CATALOGUE } from '../../src/compile/connectors.js';
import { JOB_OPTIONS } from '../../src/compile/emitters/flink.js';
import { ManifestSchema, manifestJsonSchema } from '../../src/manifest/schema.js';
import { compileDir, REPO } from '../golden/helpers.js';
import { PROJECT, SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

function compile(files: Record<string, string>, processEnv: Record<string, string> = {}) {
  const { resolved, diagnostics } = resolveFiles(files, { processEnv });
  if (!resolved) throw new Error(JSON.stringify(diagnostics, null, 2));
  const result = compileProject(resolved, { compiledAt: '2025-01-01T00:00:00.000Z' });
  return { resolved, result, codes: result.diagnostics.map((d) => d.code) };
}

const models = (yaml: string) => ({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': yaml });

describe('determinism', () => {
  it('gives byte-identical files for the same input, the timestamp aside', () => {
    const dir = join(REPO, 'examples/payments');
    const a = compileDir(dir).result.files;
    const b = compileDir(dir).result.files;
    expect([...a.keys()]).toEqual([...b.keys()]);
    for (const [k, v] of a) expect(b.get(k)).toBe(v);
  });

  it('changes only compiled_at when the clock changes', () => {
    const files = models('models:\n  - name: m\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n');
    const { resolved } = resolveFiles(files);
    const one = compileProject(resolved!, { compiledAt: '2025-01-01T00:00:00.000Z' });
    const two = compileProject(resolved!, { compiledAt: '2026-06-06T06:06:06.000Z' });
    const strip = (s: string) => s.replace(/"compiled_at": "[^"]*"/, '');
    expect(strip(one.files.get('manifest.json')!)).toBe(strip(two.files.get('manifest.json')!));
  });
});

describe('secrets', () => {
  const project = `project:
  name: sec
runtime:
  kafka:
    bootstrap_servers: localhost:9092
    security_protocol: SASL_SSL
    sasl_mechanism: PLAIN
    sasl_username: app
    sasl_password: \${KAFKA_PASSWORD}
  schema_registry:
    url: http://registry:8081
    username: sr
    password: \${SR_PASSWORD}
  flink:
    clusters:
      local: { rest_url: "http://f:8081" }
  connect:
    clusters:
      local: { rest_url: "http://c:8083" }
`;
  const env = { KAFKA_PASSWORD: 'kafka-pw-4242', SR_PASSWORD: 'sr-pw-777', DB_PASSWORD: 'db-pw-999', API_TOKEN: 'tok-555-xyz' };
  const files = {
    'stream_project.yml': project,
    'sources/s.yml': SOURCES,
    'models/m.yml': `models:
  - name: tagged
    sql: SELECT order_id, '{{ env_var("API_TOKEN") }}' AS tag FROM {{ source("orders_raw") }}
  - name: to_db
    from: [{ ref: tagged }]
    sink:
      connector: jdbc-sink
      config:
        connection.url: jdbc:postgresql://db/x
        connection.password: \${DB_PASSWORD}
        connection.user: admin
        api.secret: literal-secret-value
`,
  };

  it('never writes a secret value into any compiled file', () => {
    const { result, resolved } = compile(files, env);
    expect(resolved.project.secrets.length).toBeGreaterThan(0);
    for (const [path, content] of result.files) {
      for (const value of [...Object.values(env), 'literal-secret-value']) expect(content, `${path} leaks ${value}`).not.toContain(value);
    }
  });

  it('writes placeholders apply can resolve in memory', () => {
    const { result } = compile(files, env);
    const connector = JSON.parse(result.files.get('connect/to_db.json')!) as { config: Record<string, string> };
    expect(connector.config['connection.password']).toBe('${env:DB_PASSWORD}');
    expect(connector.config['api.secret']).toBe('${secret:connect.connector.to_db/api.secret}');
    expect(result.secrets.get('${secret:connect.connector.to_db/api.secret}')).toBe('literal-secret-value');
    expect(result.secrets.get('${env:DB_PASSWORD}')).toBe('db-pw-999');
    const sql = result.files.get('flink/tagged.sql')!;
    expect(sql).toContain('password=\\"${env:KAFKA_PASSWORD}\\"'.replace(/\\/g, ''));
    expect(sql).toContain("'${env:API_TOKEN}' AS tag");
  });
});

describe('Flink jobs', () => {
  it('sends updating results to upsert-kafka with the grouping key', () => {
    const { result } = compile(models('models:\n  - name: totals\n    sql: SELECT customer_id, SUM(amount) AS total FROM {{ source("orders_raw") }} GROUP BY customer_id\n'));
    const job = result.artifacts.flinkJobs[0]!.spec;
    expect(job.sink_connector).toBe('upsert-kafka');
    expect(job.primary_key).toEqual(['customer_id']);
    expect(result.files.get('flink/totals.sql')).toContain('PRIMARY KEY (`customer_id`) NOT ENFORCED');
  });

  it('prefers key: for the primary key and the message key', () => {
    const { result } = compile(models('models:\n  - name: totals\n    key: [customer_id, status]\n    sql: SELECT customer_id, status, COUNT(*) AS n FROM {{ source("orders_raw") }} GROUP BY customer_id, status\n'));
    const job = result.artifacts.flinkJobs[0]!.spec;
    expect(job.primary_key).toEqual(['customer_id', 'status']);
    expect(job.key_format).toBe('json');
  });

  it('reports a key that is not an output column', () => {
    const { codes } = compile(models('models:\n  - name: m\n    key: nope\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'));
    expect(codes).toContain('KEY_COLUMN_NOT_FOUND');
  });

  it('keeps every job option explicit so none leaks from another job', () => {
    const { result } = compile(models('models:\n  - name: m\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'));
    const statements = result.artifacts.flinkJobs[0]!.spec.statements;
    // Every option is SET or RESET; the state-keeping defaults are in compile-flink-state.test.ts.
    expect(statements[0]).toBe("SET 'pipeline.name' = 'streamt.demo.m'");
    expect(statements.slice(1, 1 + JOB_OPTIONS.length).map((s) => s.match(/^(?:SET|RESET) '([^']+)'/)?.[1])).toEqual([...JOB_OPTIONS]);
  });
});

describe('connectors', () => {
  it('gives a sink that needs a schema the Connect JSON envelope of its append-only JSON input', () => {
    const { result, codes } = compile(
      models(
        'models:\n  - name: clean\n    sql: SELECT order_id, amount, ts FROM {{ source("orders_raw") }}\n  - name: to_db\n    from: clean\n    sink:\n      connector: debezium-jdbc-sink\n      config: {connection.url: "jdbc:postgresql://db/x", primary.key.fields: order_id, primary.key.mode: record_value}\n',
      ),
    );
    expect(codes).not.toContain('CONNECTOR_NEEDS_SCHEMA');
    const connector = result.artifacts.connectors.find((c) => c.spec.name === 'to_db')!;
    expect(connector.spec.topics).toEqual(['to_db.connect']);
    expect(connector.spec.config['value.converter.schemas.enable']).toBe('true');
    const job = result.artifacts.flinkJobs.find((j) => j.addr === 'flink.job.to_db.connect')!;
    expect(job.owner).toBe('model.to_db');
    const insert = job.spec.statements.find((s) => s.startsWith('INSERT'))!;
    const plain = 'CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS ROW<`scale` STRING, `connect.decimal.precision` STRING>)';
    expect(insert).toContain(`ROW('order_id', 'string', FALSE, ${plain}), ROW('amount', 'double', TRUE, ${plain}), ROW('ts', 'int64', TRUE, 'org.apache.kafka.connect.data.Timestamp', 1, CAST(NULL AS`);
    // A TIMESTAMP travels as epoch milliseconds (the job's session is UTC), a Connect Timestamp.
    expect(insert).toContain('EXTRACT(EPOCH FROM `ts`) * 1000 + EXTRACT(MILLISECOND FROM `ts`)');
    expect(job.spec.statements).toContain("SET 'table.local-time-zone' = 'UTC'");
    expect(result.artifacts.topics.map((t) => t.spec.name)).toContain('to_db.connect');
  });

  it('names FLOAT, DOUBLE and DECIMAL columns with the type names JsonConverter reads (DECIMAL as Connect\'s Decimal, exact)', () => {
    const { result } = compile(
      models(
        'models:\n  - name: clean\n    sql: SELECT order_id, CAST(amount AS FLOAT) AS f, amount AS d, CAST(amount AS DECIMAL(10, 2)) AS exact FROM {{ source("orders_raw") }}\n  - name: to_db\n    from: clean\n    sink:\n      connector: debezium-jdbc-sink\n      config: {connection.url: "jdbc:postgresql://db/x", primary.key.fields: order_id, primary.key.mode: record_value}\n',
      ),
    );
    const insert = result.artifacts.flinkJobs.find((j) => j.addr === 'flink.job.to_db.connect')!.spec.statements.find((s) => s.startsWith('INSERT'))!;
    expect(insert).toContain("ROW('f', 'float', TRUE, CAST(NULL AS STRING)");
    expect(insert).toContain("ROW('d', 'double', TRUE, CAST(NULL AS STRING)");
    expect(insert).toContain("ROW('exact', 'bytes', TRUE, 'org.apache.kafka.connect.data.Decimal', 1, ROW('2', '10'))");
    expect(insert).not.toMatch(/float32|float64/);
  });

  it('keeps the warning when no envelope is possible (an updating input)', () => {
    const { result, codes } = compile(
      models('models:\n  - name: totals\n    key: customer_id\n    sql: SELECT customer_id, SUM(amount) AS total FROM {{ source("orders_raw") }} GROUP BY customer_id\n  - name: to_db\n    from: totals\n    sink:\n      connector: debezium-jdbc-sink\n      config: {connection.url: "jdbc:postgresql://db/x"}\n'),
    );
    expect(codes).toContain('CONNECTOR_NEEDS_SCHEMA');
    expect(result.artifacts.flinkJobs.map((j) => j.addr)).not.toContain('flink.job.to_db.connect');
  });

  it('has the documented catalogue', () => {
    for (const name of ['file-sink', 'debezium-jdbc-sink', 'jdbc-sink', 's3-sink', 'aiven-s3-sink', 'snowflake-sink', 'elasticsearch-sink', 'bigquery-sink', 'http-sink']) {
      expect(CONNECTOR_CATALOGUE.some((e) => e.name === name), name).toBe(true);
    }
    expect(lookupConnector('debezium-jdbc-sink')).toMatchObject({ ok: true, connectorClass: 'io.debezium.connector.jdbc.JdbcSinkConnector' });
  });

  it('passes Java classes through and suggests names for typos', () => {
    expect(lookupConnector('com.acme.kafka.MySink')).toEqual({ ok: true, connectorClass: 'com.acme.kafka.MySink' });
    const typo = lookupConnector('jdbc-snk');
    expect(typo.ok).toBe(false);
    expect(typo.ok === false && typo.suggestions).toContain('jdbc-sink');
  });

  const sink = (connector: string, policies = '') =>
    `models:\n  - name: out\n    from: [{ source: orders_raw }]\n${policies}    sink:\n      connector: ${connector}\n      config:\n        file: /tmp/x\n`;

  it('reports an unknown connector with a suggestion', () => {
    const { result } = compile(models(sink('file-snk')));
    const d = result.diagnostics.find((x) => x.code === 'UNKNOWN_CONNECTOR')!;
    expect(d.hint).toContain('"file-sink"');
  });

  it('masks only where a transform implements the method', () => {
    const policies = '    security:\n      policies:\n        - mask: { column: customer_id, method: "null" }\n        - mask: { column: status, method: hash }\n';
    const { result, codes } = compile(models(sink('file-sink', policies)));
    expect(codes).toContain('MASK_METHOD_UNSUPPORTED');
    expect(result.artifacts.connectors).toHaveLength(0);
    const ok = compile(models(sink('file-sink', '    security:\n      policies:\n        - mask: { column: customer_id, method: "null" }\n')));
    expect(ok.result.artifacts.connectors[0]!.spec.config['transforms.mask0.type']).toBe('org.apache.kafka.connect.transforms.MaskField$Value');
  });
});

describe('schemas', () => {
  it('registers inline definitions and never a reference to an existing subject', () => {
    const { result } = compileDir(join(REPO, 'test/golden/cases/avro'));
    const subjects = result.artifacts.schemas.map((s) => s.spec.subject).sort();
    expect(subjects).toEqual(['hot_sensors-value', 'iot.events-value', 'iot.sensors-value']);
    expect(subjects).not.toContain('iot.devices-value');
  });
});

describe('virtual topics', () => {
  const gateway = `project:
  name: gw
runtime:
  kafka: { bootstrap_servers: "localhost:9092" }
  conduktor:
    gateway: { admin_url: "http://localhost:8888" }
`;
  const gatewayAndFlink = gateway + '  flink:\n    clusters:\n      local: { rest_url: "http://localhost:8082", sql_gateway_url: "http://localhost:8084" }\n';
  it('reports SQL the Gateway cannot run in a declared virtual topic instead of dropping it', () => {
    const { resolved, result } = compile({
      'stream_project.yml': gateway,
      'sources/s.yml': SOURCES,
      'models/m.yml': 'models:\n  - name: v\n    materialized: virtual_topic\n    sql: SELECT order_id FROM {{ source("orders_raw") }} WHERE status IN (\'A\', \'B\')\n',
    });
    const d = resolved.diagnostics.find((x) => x.code === 'VIRTUAL_TOPIC_UNSUPPORTED_SQL')!;
    expect(d).toMatchObject({ severity: 'error', file: 'models/m.yml', line: 4 });
    expect(d.message).toContain('IN is not supported');
    expect(result.artifacts.gatewayRules).toHaveLength(0);
  });

  it('runs a stateless model the Gateway cannot express on Flink, with a note saying why', () => {
    const { resolved, result } = compile({
      'stream_project.yml': gatewayAndFlink,
      'sources/s.yml': SOURCES,
      'models/m.yml': 'models:\n  - name: v\n    sql: SELECT order_id FROM {{ source("orders_raw") }} WHERE status IN (\'A\', \'B\')\n  - name: w\n    sql: SELECT order_id FROM {{ source("orders_raw") }} WHERE amount > 1\n',
    });
    expect(resolved.models.get('v')!.materialized).toBe('flink');
    expect(resolved.models.get('w')!.materialized).toBe('virtual_topic');
    const note = resolved.diagnostics.find((x) => x.code === 'GATEWAY_CANNOT_SERVE')!;
    expect(note).toMatchObject({ severity: 'info', node: 'model.v' });
    expect(note.message).toContain('IN is not supported');
    expect([...resolved.diagnostics, ...result.diagnostics].filter((x) => x.severity === 'error')).toEqual([]);
    expect(result.artifacts.flinkJobs.map((j) => j.addr)).toEqual(['flink.job.v']);
    expect(result.artifacts.gatewayRules.map((r) => r.addr)).toContain('gateway.rule.streamt.gw.w.sql');
  });

  it('never serves a filter over an updating input from the Gateway: it goes to Flink, which keeps the result right', () => {
    const { resolved, result } = compile({
      'stream_project.yml': gatewayAndFlink,
      'sources/s.yml': SOURCES,
      'models/m.yml': `models:
  - name: totals
    key: customer_id
    sql: SELECT customer_id, SUM(amount) AS total FROM {{ source("orders_raw") }} GROUP BY customer_id
  - name: big
    sql: SELECT customer_id, total FROM {{ ref("totals") }} WHERE total > 100
  - name: forced
    materialized: virtual_topic
    sql: SELECT customer_id, total FROM {{ ref("totals") }} WHERE total > 100
`,
    });
    expect(resolved.models.get('big')!.materialized).toBe('flink');
    expect(resolved.diagnostics.find((x) => x.code === 'GATEWAY_CANNOT_SERVE' && x.node === 'model.big')!.message).toContain('a changelog');
    const job = result.artifacts.flinkJobs.find((j) => j.addr === 'flink.job.big')!.spec;
    expect([job.sink_connector, job.primary_key]).toEqual(['upsert-kafka', ['customer_id']]);
    // Declared as a virtual topic, it is an error, not a silently wrong topic.
    expect(resolved.diagnostics.find((x) => x.code === 'VIRTUAL_TOPIC_CHANGELOG')).toMatchObject({ severity: 'error', node: 'model.forced' });
  });
});

describe('manifest', () => {
  it('matches its schema for every golden project', () => {
    for (const dir of ['examples/payments', 'test/golden/cases/streams', 'test/golden/cases/virtual', 'test/golden/cases/sink']) {
      const parsed = ManifestSchema.safeParse(JSON.parse(compileDir(join(REPO, dir)).result.files.get('manifest.json')!));
      expect(parsed.success, `${dir}: ${parsed.error?.message}`).toBe(true);
    }
  });

  it('addresses, owns and hashes every artifact', () => {
    const m = compileDir(join(REPO, 'examples/payments')).result.manifest;
    const all = [...m.artifacts.topics, ...m.artifacts.flink_jobs, ...m.artifacts.connectors, ...m.artifacts.schemas];
    expect(all.map((a) => a.addr)).toContain('flink.job.customer_totals');
    expect(all.map((a) => a.addr)).toContain('connect.connector.payments_to_postgres');
    expect(all.map((a) => a.addr)).toContain('sr.subject.payments.raw.v1-value');
    for (const a of all) expect(a.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('is described by the committed JSON Schema', async () => {
    await expect(JSON.stringify(manifestJsonSchema(), null, 2) + '\n').toMatchFileSnapshot(join(REPO, 'docs/schema/manifest.schema.json'));
  });
});
