// Kafka Connect (distributed worker): a FileStream sink writing a file, and the
// Debezium JDBC sink writing rows into the Debian PostgreSQL.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createTopics,
  dropTableAfterTest,
  endpoints,
  eventually,
  http,
  httpOk,
  onCleanup,
  pgQuery,
  produce,
  stackConfig,
  uniqueConnector,
  uniqueIdentifier,
  uniqueTopic,
  putConnector,
  waitForConnectorRunning,
} from './helpers.js';

describe('Kafka Connect', () => {
  it('is the pinned Kafka version and lists the FileStream and Debezium JDBC plugins', async () => {
    const root = await httpOk('GET', `${endpoints.connect}/`);
    expect(root.version).toBe(stackConfig.versions.kafka);
    expect(root.kafka_cluster_id).toBe(stackConfig.kafka.clusterId);
    const plugins = await httpOk<{ class: string; type: string; version: string }[]>('GET', `${endpoints.connect}/connector-plugins`);
    const byClass = new Map(plugins.map((p) => [p.class, p]));
    expect(byClass.get('org.apache.kafka.connect.file.FileStreamSinkConnector')?.type).toBe('sink');
    expect(byClass.get('org.apache.kafka.connect.file.FileStreamSourceConnector')?.type).toBe('source');
    expect(byClass.get('io.debezium.connector.jdbc.JdbcSinkConnector')).toMatchObject({ type: 'sink', version: stackConfig.versions.debeziumJdbc });
  });

  it('validates a connector config and reports per-field errors', async () => {
    const r = await http('PUT', `${endpoints.connect}/connector-plugins/FileStreamSinkConnector/config/validate`, {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      name: 'x',
      'tasks.max': 'not-a-number',
      topics: 'a',
    });
    expect(r.status).toBe(200);
    expect(r.body.error_count).toBeGreaterThan(0);
    const tasksMax = r.body.configs.find((c: any) => c.value.name === 'tasks.max');
    expect(tasksMax.value.errors.length).toBeGreaterThan(0);
  });

  it('runs a FileStream sink that writes topic records to a file', async () => {
    const topic = uniqueTopic('it-file');
    const name = uniqueConnector('it-file-sink');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'streamt-it-'));
    onCleanup(`remove ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'out.txt');
    await createTopics([{ topic }]);
    await produce(topic, [{ value: 'line-1' }, { value: 'line-2' }, { value: 'line-3' }]);

    await putConnector(name, {
      'connector.class': 'org.apache.kafka.connect.file.FileStreamSinkConnector',
      'tasks.max': '1',
      topics: topic,
      file,
      'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
    });
    await waitForConnectorRunning(name);
    const content = await eventually('3 lines in the sink file', async () => {
      const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
      return text.split('\n').filter(Boolean).length >= 3 ? text : null;
    });
    expect(content.split('\n').filter(Boolean)).toEqual(['line-1', 'line-2', 'line-3']);

    // Pause / resume round trip, as a deploy tool would do.
    expect((await http('PUT', `${endpoints.connect}/connectors/${name}/pause`)).status).toBe(202);
    await eventually('connector PAUSED', async () => (await httpOk('GET', `${endpoints.connect}/connectors/${name}/status`)).connector.state === 'PAUSED');
    expect((await http('PUT', `${endpoints.connect}/connectors/${name}/resume`)).status).toBe(202);
    await waitForConnectorRunning(name);
    const topics = await httpOk('GET', `${endpoints.connect}/connectors/${name}/topics`);
    expect(topics[name].topics).toEqual([topic]);
  });

  it('runs the Debezium JDBC sink that upserts rows into PostgreSQL', async () => {
    const topic = uniqueTopic('it-jdbc');
    const name = uniqueConnector('it-jdbc-sink');
    const table = uniqueIdentifier('it_orders');
    await createTopics([{ topic }]);
    dropTableAfterTest(table);

    const schema = {
      type: 'struct',
      name: 'orders',
      optional: false,
      fields: [
        { field: 'id', type: 'int32', optional: false },
        { field: 'customer', type: 'string', optional: false },
        { field: 'amount', type: 'double', optional: true },
      ],
    };
    const record = (id: number, customer: string, amount: number) => ({
      key: String(id),
      value: JSON.stringify({ schema, payload: { id, customer, amount } }),
    });
    await produce(topic, [record(1, 'ada', 10.5), record(2, 'bob', 20), record(1, 'ada', 99.25)]);

    const pg = stackConfig.postgres;
    await putConnector(name, {
      'connector.class': 'io.debezium.connector.jdbc.JdbcSinkConnector',
      'tasks.max': '1',
      topics: topic,
      'connection.url': pg.jdbcUrl,
      'connection.username': pg.user,
      'connection.password': pg.password,
      'insert.mode': 'upsert',
      'primary.key.mode': 'record_value',
      'primary.key.fields': 'id',
      'schema.evolution': 'basic',
      'collection.name.format': table,
      'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter.schemas.enable': 'true',
    });
    await waitForConnectorRunning(name);

    const rows = await eventually('2 upserted rows in PostgreSQL', async () => {
      const exists = await pgQuery(`SELECT to_regclass('public.${table}') IS NOT NULL`);
      if (exists[0]?.[0] !== 't') return null;
      const r = await pgQuery(`SELECT id, customer, amount FROM ${table} ORDER BY id`);
      return r.length === 2 && r[0]![2] === '99.25' ? r : null;
    }, 90_000);
    expect(rows).toEqual([
      ['1', 'ada', '99.25'],
      ['2', 'bob', '20'],
    ]);
  });
});
