/**
 * A minimal bounded Kafka reader for tests (kafkajs, the project's client): reads one topic from
 * the earliest records, the latest N, or since a time, up to a maximum and a timeout, and stops
 * at the end offsets it saw when it started. Connection and security come from
 * `runtime.kafka` through the Kafka adapter's client config (SASL PLAIN/SCRAM, SSL with a PEM CA). A throw-away consumer group is used
 * and deleted afterwards; nothing is committed.
 */
import { randomBytes } from 'node:crypto';
import kafkajs from 'kafkajs';
import { kafkaClientConfig } from '../adapters/kafka/client.js';
import type { Runtime } from '../project/schema.js';

export interface RawRecord {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  partition: number;
  offset: string;
}

export interface ReadOptions {
  /** `earliest`: the oldest records; `latest`: the newest `max`; `since`: from `sinceMs` on. */
  from: 'earliest' | 'latest' | 'since';
  max: number;
  timeoutMs: number;
  sinceMs?: number;
}

export interface ReadResult {
  records: RawRecord[];
  /** True when the timeout stopped the read before the end offsets or `max` were reached. */
  timedOut: boolean;
  /** False when the topic does not exist. */
  exists: boolean;
}

export async function readTopic(runtime: Runtime, topic: string, opts: ReadOptions): Promise<ReadResult> {
  if (!runtime.kafka) throw new Error('runtime.kafka is not configured');
  const kafka = new kafkajs.Kafka(kafkaClientConfig(runtime.kafka, 'streamt-test'));
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `streamt-test-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(topic)) return { records: [], timedOut: false, exists: false };
    const ends = await admin.fetchTopicOffsets(topic);
    // Where to start, per partition; partitions with nothing to read are left out.
    const starts = new Map<number, bigint>();
    const stops = new Map<number, bigint>();
    let bySince: Map<number, bigint> | undefined;
    if (opts.from === 'since') {
      const at = await admin.fetchTopicOffsetsByTimestamp(topic, opts.sinceMs ?? 0);
      bySince = new Map(at.map((p) => [p.partition, BigInt(p.offset)]));
    }
    for (const p of ends) {
      const low = BigInt(p.low);
      const high = BigInt(p.high);
      let start = low;
      if (opts.from === 'latest') start = high - BigInt(opts.max) > low ? high - BigInt(opts.max) : low;
      if (bySince) {
        const s = bySince.get(p.partition);
        start = s === undefined || s < 0n ? high : s > low ? s : low;
      }
      if (start < high) {
        starts.set(p.partition, start);
        stops.set(p.partition, high);
      }
    }
    if (!starts.size) return { records: [], timedOut: false, exists: true };

    const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    const records: RawRecord[] = [];
    let timedOut = false;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      const done = new Set<number>();
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          timedOut = true;
          resolve();
        }, opts.timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          resolve();
        };
        consumer
          .run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              const stop = stops.get(batch.partition);
              if (stop === undefined) return;
              for (const m of batch.messages) {
                const off = BigInt(m.offset);
                if (off < starts.get(batch.partition)!) continue;
                if (off >= stop) break;
                records.push({ key: m.key ?? null, value: m.value ?? null, timestamp: Number(m.timestamp), partition: batch.partition, offset: m.offset });
                if (off + 1n >= stop) done.add(batch.partition);
              }
              if (BigInt(batch.highWatermark) <= BigInt(batch.messages.at(-1)?.offset ?? -1) + 1n && BigInt(batch.highWatermark) >= stop) done.add(batch.partition);
              const enough = opts.from !== 'latest' && records.length >= opts.max;
              if (enough || done.size >= stops.size) finish();
            },
          })
          .catch(reject);
        // Seeking is only allowed once run() has started.
        for (const [partition, offset] of starts) consumer.seek({ topic, partition, offset: offset.toString() });
      });
    } finally {
      await consumer.disconnect().catch(() => {});
    }
    records.sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || (BigInt(a.offset) < BigInt(b.offset) ? -1 : 1));
    const kept = opts.from === 'latest' ? records.slice(-opts.max) : records.slice(0, opts.max);
    return { records: kept, timedOut, exists: true };
  } finally {
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}
