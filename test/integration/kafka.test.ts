// Kafka 4.x (KRaft) through kafkajs 2.2.4, the project's Kafka client.
// Kafka 4.0 removed old protocol versions (KIP-896); these tests pin down that every
// operation streamt needs still works (findings in docs/development.md).
import net from 'node:net';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import kafkajs from 'kafkajs';
import { consume, createTopics, kafkaClient, onCleanup, produce, stackConfig, uniqueName, uniqueTopic } from './helpers.js';

const { ConfigResourceTypes, CompressionTypes } = kafkajs;

/** Raw ApiVersions v0 request: the broker's supported [min, max] version per API key. */
function brokerApiVersions(host: string, port: number): Promise<Map<number, [number, number]>> {
  return new Promise((resolve, reject) => {
    const clientId = Buffer.from('streamt-it');
    const body = Buffer.alloc(10 + clientId.length);
    body.writeInt16BE(18, 0); // api_key ApiVersions
    body.writeInt16BE(0, 2); // api_version 0
    body.writeInt32BE(1, 4); // correlation_id
    body.writeInt16BE(clientId.length, 8);
    clientId.copy(body, 10);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    const socket = net.connect({ host, port }, () => socket.write(Buffer.concat([size, body])));
    let buf = Buffer.alloc(0);
    socket.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return;
      socket.end();
      let o = 8;
      const errorCode = buf.readInt16BE(o);
      o += 2;
      if (errorCode !== 0) return reject(new Error(`ApiVersions error ${errorCode}`));
      const n = buf.readInt32BE(o);
      o += 4;
      const out = new Map<number, [number, number]>();
      for (let i = 0; i < n; i++, o += 6) out.set(buf.readInt16BE(o), [buf.readInt16BE(o + 2), buf.readInt16BE(o + 4)]);
      resolve(out);
    });
    socket.on('error', reject);
  });
}

/** Versions kafkajs 2.2.4 implements per API (from its protocol request modules). */
function kafkajsVersions(dir: string): number[] {
  const require = createRequire(import.meta.url);
  const mod = require(`kafkajs/src/protocol/requests/${dir}/index.js`) as { versions: string[] };
  return mod.versions.map(Number);
}

describe('Kafka 4.x via kafkajs', () => {
  it('talks to a KRaft broker of the pinned 4.x version', async () => {
    const admin = kafkaClient().admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.clusterId).toBe(stackConfig.kafka.clusterId);
      expect(cluster.brokers).toEqual([{ nodeId: 1, host: stackConfig.host, port: stackConfig.ports.kafka }]);
      expect(cluster.controller).toBe(1);
    } finally {
      await admin.disconnect();
    }
  });

  it('negotiates a common protocol version for every API streamt uses (KIP-896)', async () => {
    const broker = await brokerApiVersions(stackConfig.host, stackConfig.ports.kafka);
    // Kafka 4.x removed old versions: e.g. Fetch < 4, CreateTopics < 2, OffsetCommit < 2.
    expect(broker.get(1)![0]).toBeGreaterThanOrEqual(4);
    expect(broker.get(19)![0]).toBeGreaterThanOrEqual(2);
    expect(broker.get(8)![0]).toBeGreaterThanOrEqual(2);
    const apis: [string, number, string][] = [
      ['Produce', 0, 'produce'], ['Fetch', 1, 'fetch'], ['ListOffsets', 2, 'listOffsets'], ['Metadata', 3, 'metadata'],
      ['OffsetCommit', 8, 'offsetCommit'], ['OffsetFetch', 9, 'offsetFetch'], ['FindCoordinator', 10, 'findCoordinator'],
      ['JoinGroup', 11, 'joinGroup'], ['Heartbeat', 12, 'heartbeat'], ['LeaveGroup', 13, 'leaveGroup'],
      ['SyncGroup', 14, 'syncGroup'], ['DescribeGroups', 15, 'describeGroups'], ['ListGroups', 16, 'listGroups'],
      ['ApiVersions', 18, 'apiVersions'], ['CreateTopics', 19, 'createTopics'], ['DeleteTopics', 20, 'deleteTopics'],
      ['DescribeConfigs', 32, 'describeConfigs'], ['AlterConfigs', 33, 'alterConfigs'],
      ['CreatePartitions', 37, 'createPartitions'], ['DeleteGroups', 42, 'deleteGroups'],
    ];
    for (const [name, key, dir] of apis) {
      const [min, max] = broker.get(key) ?? [NaN, NaN];
      const common = kafkajsVersions(dir).filter((v) => v >= min && v <= max);
      expect(common.length, `${name}: broker ${min}-${max}, kafkajs ${kafkajsVersions(dir).join(',')}`).toBeGreaterThan(0);
    }
    // kafkajs implements no IncrementalAlterConfigs (key 44): its alterConfigs is the
    // legacy, whole-set AlterConfigs, which Kafka 4.x still serves.
    expect(broker.has(44)).toBe(true);
    expect(() => kafkajsVersions('incrementalAlterConfigs')).toThrow();
  });

  it('creates topics with configs, reads them back, alters them and adds partitions', async () => {
    const topic = uniqueTopic('it-admin');
    await createTopics([
      {
        topic,
        numPartitions: 3,
        configEntries: [
          { name: 'retention.ms', value: '3600000' },
          { name: 'cleanup.policy', value: 'compact' },
        ],
      },
    ]);
    const admin = kafkaClient().admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toContain(topic);
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta.topics[0]!.partitions).toHaveLength(3);

      const described = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
        includeSynonyms: false,
      });
      const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e]));
      expect(entries['retention.ms']!.configValue).toBe('3600000');
      expect(entries['retention.ms']!.isDefault).toBe(false);
      expect(entries['cleanup.policy']!.configValue).toBe('compact');
      // A config left alone is reported as a default (what streamt's diff must ignore)...
      expect(entries['max.message.bytes']!.isDefault).toBe(true);
      expect(entries['max.message.bytes']!.configSource).toBe(5);
      // Kafka 4.x KRaft stores min.insync.replicas as a cluster-wide dynamic default (source 3).
      expect(entries['min.insync.replicas']!.configSource).toBe(3);
      // ...but one inherited from the broker's server.properties is not "default":
      // its source is STATIC_BROKER_CONFIG (4), not DYNAMIC_TOPIC_CONFIG (1).
      expect(entries['segment.bytes']!.isDefault).toBe(false);
      expect(entries['segment.bytes']!.configSource).toBe(4);
      expect(entries['retention.ms']!.configSource).toBe(1);

      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [
          { name: 'retention.ms', value: '7200000' },
          { name: 'cleanup.policy', value: 'compact' },
        ] }],
      });
      const after = await admin.describeConfigs({
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['retention.ms'] }],
        includeSynonyms: false,
      });
      expect(after.resources[0]!.configEntries[0]!.configValue).toBe('7200000');

      await admin.createPartitions({ topicPartitions: [{ topic, count: 4 }] });
      const meta2 = await admin.fetchTopicMetadata({ topics: [topic] });
      expect(meta2.topics[0]!.partitions).toHaveLength(4);
    } finally {
      await admin.disconnect();
    }
  });

  it('rejects an invalid topic config with a Kafka error', async () => {
    const admin = kafkaClient().admin();
    await admin.connect();
    try {
      await expect(
        admin.createTopics({ topics: [{ topic: uniqueTopic('it-bad'), configEntries: [{ name: 'cleanup.policy', value: 'nonsense' }] }] }),
      ).rejects.toThrow();
    } finally {
      await admin.disconnect();
    }
  });

  it('produces and consumes keyed records, compressed and uncompressed', async () => {
    const topic = uniqueTopic('it-produce');
    await createTopics([{ topic, numPartitions: 2 }]);
    const messages = Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ id: i, name: `n${i}` }) }));
    await produce(topic, messages.slice(0, 5));
    const producer = kafkaClient().producer();
    await producer.connect();
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages: messages.slice(5) });
    await producer.disconnect();

    const got = await consume(topic, 10);
    expect(got.map((m) => m.key).sort()).toEqual(messages.map((m) => m.key).sort());
    for (const m of got) {
      expect(JSON.parse(m.value!)).toEqual({ id: Number(m.key!.slice(1)), name: `n${m.key!.slice(1)}` });
    }
    // Same key, same partition.
    const byKey = new Map(got.map((m) => [m.key, m.partition]));
    await produce(topic, [{ key: 'k3', value: 'again' }]);
    const again = (await consume(topic, 11)).find((m) => m.value === 'again');
    expect(again?.partition).toBe(byKey.get('k3'));
  });

  it('runs a consumer group: commits offsets, lists, describes and deletes the group', async () => {
    const topic = uniqueTopic('it-group');
    await createTopics([{ topic }]);
    await produce(topic, [{ value: 'a' }, { value: 'b' }, { value: 'c' }]);
    const groupId = uniqueName('it-group');
    const kafka = kafkaClient();
    const admin = kafka.admin();
    await admin.connect();
    onCleanup('disconnect admin', () => admin.disconnect());

    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`consumed ${seen.length}/3`)), 180_000);
      consumer.run({
        eachMessage: async ({ message }) => {
          seen.push(message.value!.toString());
          if (seen.length === 3) {
            clearTimeout(t);
            resolve();
          }
        },
      }).catch(reject);
    });
    const described = await admin.describeGroups([groupId]);
    expect(described.groups[0]!.state).toBe('Stable');
    expect(described.groups[0]!.members).toHaveLength(1);
    await consumer.disconnect();

    expect(seen).toEqual(['a', 'b', 'c']);
    const groups = await admin.listGroups();
    expect(groups.groups.map((g) => g.groupId)).toContain(groupId);
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets[0]!.partitions[0]!.offset).toBe('3');

    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
    const reset = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(reset[0]!.partitions[0]!.offset).toBe('1');

    await admin.deleteGroups([groupId]);
    expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(groupId);
  });

  it('deletes topics', async () => {
    const topic = uniqueTopic('it-delete');
    await createTopics([{ topic }]);
    const admin = kafkaClient().admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [topic] });
      expect(await admin.listTopics()).not.toContain(topic);
    } finally {
      await admin.disconnect();
    }
  });
});
