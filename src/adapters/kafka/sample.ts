/**
 * A bounded reader of one topic, for data tests, `show` and `freshness`: the earliest records,
 * the latest N, or those since a time, up to a maximum and a timeout, stopping at the end offsets
 * seen when the read started. It runs on the adapter's own kafkajs client (same brokers, SASL and
 * SSL as every other Kafka call) and its failures are the adapter's ServiceErrors. A throw-away
 * consumer group (read_committed, kafkajs's default, so aborted transactions of exactly-once
 * jobs are never read) is used and deleted afterwards; nothing is committed.
 */
import { randomBytes } from 'node:crypto';
import type { KafkaAdapter } from './client.js';

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

export async function readTopic(kafka: KafkaAdapter, topic: string, opts: ReadOptions): Promise<ReadResult> {
  const groupId = `streamt-read-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  let joined = false;
  try {
    const topics = await kafka.listTopics();
    if (!topics.includes(topic)) return { records: [], timedOut: false, exists: false };
    const ends = await kafka.call(`read ${topic}`, (a) => a.fetchTopicOffsets(topic));
    // Where to start, per partition; partitions with nothing to read are left out.
    const starts = new Map<number, bigint>();
    const stops = new Map<number, bigint>();
    let bySince: Map<number, bigint> | undefined;
    if (opts.from === 'since') {
      const at = await kafka.call(`read ${topic}`, (a) => a.fetchTopicOffsetsByTimestamp(topic, opts.sinceMs ?? 0));
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

    const consumer = kafka.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    const records: RawRecord[] = [];
    let timedOut = false;
    joined = true;
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
  } catch (e) {
    throw kafka.wrap(`read ${topic}`, e);
  } finally {
    if (joined) await kafka.call('clean up', (a) => a.deleteGroups([groupId])).catch(() => {});
  }
}
