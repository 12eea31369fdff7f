// Flink 1.20 session cluster + SQL Gateway: SQL jobs submitted over the gateway's
// REST API (v1 sessions/statements/operations) that read one Kafka topic and write another.
import { describe, expect, it } from 'vitest';
import {
  SqlGatewaySession,
  cancelJobAfterTest,
  consume,
  createTopics,
  deleteSubjectAfterTest,
  endpoints,
  httpOk,
  kafkaClient,
  produce,
  registry,
  stackConfig,
  uniqueJobName,
  uniqueTopic,
  waitForJobRunning,
  eventually,
} from './helpers.js';

const kafkaOptions = (topic: string, extra = '') =>
  `'connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${stackConfig.kafka.bootstrapServers}'${extra}`;

describe('Flink SQL Gateway', () => {
  it('reports the pinned Flink version on the gateway and a ready session cluster', async () => {
    const info = await httpOk('GET', `${endpoints.flinkSqlGateway}/v1/info`);
    expect(info).toEqual({ productName: 'Apache Flink', version: stackConfig.versions.flink });
    const overview = await httpOk('GET', `${endpoints.flinkRest}/overview`);
    expect(overview['flink-version']).toBe(stackConfig.versions.flink);
    expect(overview.taskmanagers).toBeGreaterThanOrEqual(1);
    expect(overview['slots-total']).toBeGreaterThanOrEqual(2);
  });

  it('runs a Kafka -> SQL -> Kafka job (json format) and produces the transformed records', async () => {
    const source = uniqueTopic('it-flink-in');
    const sink = uniqueTopic('it-flink-out');
    const jobName = uniqueJobName('it-flink-json');
    await createTopics([{ topic: source }, { topic: sink }]);
    await produce(source, [
      { key: '1', value: JSON.stringify({ id: 1, name: 'ada', amount: 10 }) },
      { key: '2', value: JSON.stringify({ id: 2, name: 'bob', amount: 200 }) },
      { key: '3', value: JSON.stringify({ id: 3, name: 'cy', amount: 300 }) },
    ]);

    const session = await SqlGatewaySession.open({ 'execution.runtime-mode': 'streaming' });
    await session.execute(`SET 'pipeline.name' = '${jobName}'`);
    await session.execute(
      `CREATE TABLE src (id INT, name STRING, amount INT) WITH (${kafkaOptions(source,
        `, 'properties.group.id' = '${jobName}', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json'`)})`,
    );
    await session.execute(`CREATE TABLE snk (id INT, name STRING, big BOOLEAN) WITH (${kafkaOptions(sink, `, 'format' = 'json'`)})`);
    const tables = await session.execute('SHOW TABLES');
    expect(tables.rows.map((r) => r.fields[0]).sort()).toEqual(['snk', 'src']);

    const insert = await session.execute('INSERT INTO snk SELECT id, UPPER(name), amount >= 100 FROM src WHERE id <> 3');
    expect(insert.jobID).toMatch(/^[0-9a-f]{32}$/);
    cancelJobAfterTest(insert.jobID!);
    const job = await waitForJobRunning(insert.jobID!);
    expect(job.name).toBe(jobName);

    const out = await consume(sink, 2);
    expect(out.map((r) => JSON.parse(r.value!)).sort((a, b) => a.id - b.id)).toEqual([
      { id: 1, name: 'ADA', big: false },
      { id: 2, name: 'BOB', big: true },
    ]);

    // The JobManager REST API finds the job by its pipeline.name.
    const overview = await httpOk('GET', `${endpoints.flinkRest}/jobs/overview`);
    const listed = overview.jobs.find((j: any) => j.jid === insert.jobID);
    expect(listed).toMatchObject({ name: jobName, state: 'RUNNING' });
  });

  it('writes avro-confluent records whose schema is registered in the registry (ccompat API)', async () => {
    const source = uniqueTopic('it-flink-avro-in');
    const sink = uniqueTopic('it-flink-avro-out');
    const jobName = uniqueJobName('it-flink-avro');
    await createTopics([{ topic: source }, { topic: sink }]);
    deleteSubjectAfterTest(`${sink}-value`);
    await produce(source, [{ value: JSON.stringify({ id: 7, name: 'grace' }) }]);

    const session = await SqlGatewaySession.open();
    await session.execute(`SET 'pipeline.name' = '${jobName}'`);
    await session.execute(
      `CREATE TABLE src (id INT, name STRING) WITH (${kafkaOptions(source,
        `, 'properties.group.id' = '${jobName}', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json'`)})`,
    );
    await session.execute(
      `CREATE TABLE snk (id INT NOT NULL, name STRING) WITH (${kafkaOptions(sink,
        `, 'format' = 'avro-confluent', 'avro-confluent.url' = '${stackConfig.registry.url}'`)})`,
    );
    const insert = await session.execute('INSERT INTO snk SELECT id, name FROM src');
    cancelJobAfterTest(insert.jobID!);
    await waitForJobRunning(insert.jobID!);

    // Confluent wire format: magic byte 0, 4-byte schema id, Avro body.
    const consumer = kafkaClient().consumer({ groupId: uniqueJobName('it-avro-reader') });
    await consumer.connect();
    let raw: Buffer | null = null;
    try {
      await consumer.subscribe({ topic: sink, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no avro record within 180s')), 180_000);
        consumer.run({ eachMessage: async ({ message }) => {
          raw = message.value;
          clearTimeout(t);
          resolve();
        } }).catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
    const value = raw as unknown as Buffer;
    expect(value[0]).toBe(0);
    const schemaId = value.readInt32BE(1);

    const versions = await eventually('subject registered', async () => {
      const r = await registry('GET', `/subjects/${sink}-value/versions`);
      return r.status === 200 ? (r.body as number[]) : null;
    });
    expect(versions).toEqual([1]);
    const latest = await registry('GET', `/subjects/${sink}-value/versions/latest`);
    expect(latest.body.id).toBe(schemaId);
    const schema = JSON.parse(latest.body.schema);
    expect(schema.type).toBe('record');
    expect(schema.fields.map((f: any) => f.name)).toEqual(['id', 'name']);
  });
});
