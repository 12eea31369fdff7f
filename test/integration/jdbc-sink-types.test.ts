// Every Flink type reaches a JDBC table through the sink path (issue 11, item 6): a JSON source
// with a column of each type, a Debezium JDBC sink into PostgreSQL through the Connect JSON
// envelope streamt compiles, and each value and column type checked in PostgreSQL. Temporal and
// decimal columns travel as Connect logical types; ARRAY and ROW as their JSON text.
import { describe, expect, it } from 'vitest';
import { createTopics, dropTableAfterTest, eventually, pgQuery, produce, stackConfig } from './helpers.js';
import { cleanupProject, JSON_DEFAULTS, letters, runtimeYaml, TestProject } from './plan-helpers.js';

// name, Flink type, the JSON value produced, the value PostgreSQL returns (psql text), its column type.
const TYPES: [string, string, unknown, string, string][] = [
  ['c_boolean', 'BOOLEAN', true, 't', 'boolean'],
  ['c_tinyint', 'TINYINT', 7, '7', 'smallint'],
  ['c_smallint', 'SMALLINT', 300, '300', 'smallint'],
  ['c_int', 'INT', 42, '42', 'integer'],
  ['c_bigint', 'BIGINT', 9007199254740993n, '9007199254740993', 'bigint'],
  ['c_float', 'FLOAT', 1.5, '1.5', 'real'],
  ['c_double', 'DOUBLE', 2.25, '2.25', 'double precision'],
  ['c_decimal', 'DECIMAL(10, 2)', 12345.67, '12345.67', 'numeric'],
  ['c_string', 'STRING', 'héllo, wörld', 'héllo, wörld', 'text'],
  ['c_date', 'DATE', '2026-01-02', '2026-01-02', 'date'],
  ['c_time', 'TIME', '10:11:12', '10:11:12', 'time without time zone'],
  ['c_timestamp', 'TIMESTAMP(3)', '2026-01-02 10:11:12.345', '2026-01-02 10:11:12.345', 'timestamp without time zone'],
  ['c_timestamp_ltz', 'TIMESTAMP_LTZ(3)', '2026-01-02 10:11:12.345Z', '2026-01-02 10:11:12.345', 'timestamp without time zone'],
  ['c_bytes', 'BYTES', 'AQID', '\\x010203', 'bytea'],
  ['c_array', 'ARRAY<INT>', [1, 2, 3], '[1,2,3]', 'text'],
  ['c_row', 'ROW<a STRING, b INT>', { a: 'x', b: 1 }, '{"a":"x","b":1}', 'text'],
];

describe('a JDBC sink', () => {
  it('writes every Flink type into PostgreSQL, each in a column of the matching type', async () => {
    const sfx = letters();
    const names = { project: `types_${sfx}`, topic: `types.raw.${sfx}`, table: `typed_${sfx}`, sink: `typed_to_pg_${sfx}` };
    const columns = TYPES.map(([n, t]) => `      - { name: ${n}, type: "${t}" }`).join('\n');
    const pg = stackConfig.postgres;
    const project = new TestProject(names.project, {
      'stream_project.yml': `project:\n  name: ${names.project}\n${runtimeYaml()}${JSON_DEFAULTS}`,
      'sources/s.yml': `sources:\n  - name: typed\n    topic: ${names.topic}\n    columns:\n      - { name: id, type: STRING }\n${columns}\n`,
      'models/m.yml': `models:
  - name: ${names.sink}
    from: [{ source: typed }]
    sink:
      connector: debezium-jdbc-sink
      config:
        connection.url: jdbc:postgresql://${pg.host}:${pg.port}/${pg.database}
        connection.username: ${pg.user}
        connection.password: ${pg.password}
        insert.mode: upsert
        primary.key.mode: record_value
        primary.key.fields: id
        schema.evolution: basic
        table.name.format: ${names.table}
`,
    });
    await createTopics([{ topic: names.topic }]);
    cleanupProject(project);
    dropTableAfterTest(names.table);
    const r = await project.cli(['apply', '--auto-approve']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`flink.job.${names.sink}.connect created`);

    // The JSON as a producer writes it (BIGINT beyond 2^53 kept exact in the text).
    const record: Record<string, unknown> = { id: 'r1', ...Object.fromEntries(TYPES.map(([n, , v]) => [n, v])) };
    const value = JSON.stringify(record, (_k, v) => (typeof v === 'bigint' ? `__big${v}` : v)).replace(/"__big(\d+)"/g, '$1');
    await produce(names.topic, [{ key: 'r1', value }]);

    const cols = TYPES.map(([n]) => `"${n}"`).join(', ');
    const rows = await eventually('the row in PostgreSQL', async () => {
      const got = await pgQuery(`SELECT id, ${cols} FROM "${names.table}"`).catch(() => []);
      return got.length ? got : false;
    }, 240_000);
    expect(rows).toHaveLength(1);
    const got = Object.fromEntries(['id', ...TYPES.map(([n]) => n)].map((n, i) => [n, rows[0]![i]]));
    expect(got).toEqual({ id: 'r1', ...Object.fromEntries(TYPES.map(([n, , , pgValue]) => [n, pgValue])) });

    const types = Object.fromEntries(await pgQuery(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '${names.table}'`));
    expect(Object.fromEntries(TYPES.map(([n]) => [n, types[n]]))).toEqual(Object.fromEntries(TYPES.map(([n, , , , t]) => [n, t])));
  });
});
