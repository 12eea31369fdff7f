/**
 * The ownership record: what this project applied, in a compacted Kafka topic (`_streamt_state`),
 * one message per resource keyed `<project>/<addr>`, a tombstone when a resource is deleted. It
 * lives beside the resources it describes, so every machine and CI job that applies the project
 * sees the same record (see docs/plan-apply.md for why not a local file).
 *
 * The same topic holds the apply lease (src/apply/lease.ts): one message per claim keyed
 * `<project>@<environment>/_lease/<claim id>`, all in partition 0. No project name contains
 * '@', so a project's record prefix `<project>/` is never a prefix of a lease key: reading the
 * record never sees a lease, and a lease is never taken for a resource.
 */
import { randomBytes } from 'node:crypto';
import type { OwnershipRecord, RecordEntry } from '../../plan/types.js';
import type { Producer } from 'kafkajs';
import type { TopicSpec } from '../../compile/types.js';
import type { KafkaAdapter, PartitionRecord } from './client.js';

export const STATE_TOPIC = '_streamt_state';
/** The partition of every lease message: one partition totally orders the claims. */
export const LEASE_PARTITION = 0;

/** The key prefix of the apply lease of a project and environment (`pay@prod/_lease/`, `pay@/_lease/`). */
export function leasePrefix(project: string, environment: string | null): string {
  return `${project}@${environment ?? ''}/_lease/`;
}

export class RecordStore {
  private producer: Producer | undefined;
  private ready: Promise<void> | undefined;

  constructor(private readonly kafka: KafkaAdapter, readonly topic = STATE_TOPIC) {}

  /** Reads every entry of `project` (an empty record when the topic does not exist yet). */
  async read(project: string): Promise<OwnershipRecord> {
    const entries = new Map<string, RecordEntry>();
    const record: OwnershipRecord = { project, entries };
    const topics = await this.kafka.listTopics();
    if (!topics.includes(this.topic)) return record;
    const ends = await this.kafka.call('read the ownership record', (a) => a.fetchTopicOffsets(this.topic));
    const remaining = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]));
    if (!remaining.size) return record;
    const groupId = `streamt-state-reader-${randomBytes(6).toString('hex')}`;
    const consumer = this.kafka.kafka.consumer({ groupId, maxWaitTimeInMs: 200, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const prefix = `${project}/`;
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out reading ${this.topic}`)), 60_000);
        consumer
          .run({
            eachMessage: async ({ partition, message }) => {
              const key = message.key?.toString() ?? '';
              if (key.startsWith(prefix)) {
                const addr = key.slice(prefix.length);
                if (!message.value || message.value.length === 0) entries.delete(addr);
                else {
                  try {
                    entries.set(addr, JSON.parse(message.value.toString()) as RecordEntry);
                  } catch {
                    /* an unreadable entry is ignored */
                  }
                }
              }
              const high = remaining.get(partition);
              if (high !== undefined && Number(message.offset) + 1 >= high) remaining.delete(partition);
              if (!remaining.size) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch((e) => {
            clearTimeout(timer);
            reject(e);
          });
      });
    } catch (e) {
      throw this.kafka.wrap(`read ${this.topic}`, e);
    } finally {
      await consumer.disconnect().catch(() => {});
      await this.kafka.call('clean up', (a) => a.deleteGroups([groupId])).catch(() => {});
    }
    return record;
  }

  /**
   * Creates the record topic when it is missing (idempotent: a concurrent first apply creating
   * it too is fine) and waits for its leader with the adapter's own bounded polling. One
   * partition: every key of every project is totally ordered, which the lease relies on.
   */
  async ensureTopic(): Promise<void> {
    const topics = await this.kafka.listTopics();
    if (topics.includes(this.topic)) return this.kafka.waitForTopic(this.topic, null);
    // Only cleanup.policy is required; the partition count is checked only on creation, so a
    // record topic someone created with more partitions still works (a key stays in one partition).
    await this.kafka.createTopic({ name: this.topic, partitions: 1, replication_factor: null, config: { 'cleanup.policy': 'compact' } }).catch(async (e: Error) => {
      if (!/already exists with another shape: partitions/.test(e.message)) throw e;
    });
  }
  /** Writes entries (value) or tombstones (null), acknowledged by all in-sync replicas. */
  async write(project: string, items: { addr: string; entry: RecordEntry | null }[]): Promise<void> {
    if (!items.length) return;
    await this.send(items.map((i) => ({ key: `${project}/${i.addr}`, value: i.entry ? JSON.stringify(i.entry) : null })));
  }

  /**
   * Appends one lease message (a claim, or null: the tombstone that releases it) to the lease
   * partition, acknowledged by all in-sync replicas; returns its offset.
   */
  async appendLease(key: string, value: string | null): Promise<number> {
    const [meta] = await this.send([{ key, value, partition: LEASE_PARTITION }]);
    return Number(meta?.baseOffset ?? meta?.offset ?? -1);
  }

  /** The lease partition from `from` to its end (nothing when the record topic does not exist yet). */
  async readLease(from: number): Promise<{ records: PartitionRecord[]; end: number }> {
    if (!(await this.kafka.listTopics()).includes(this.topic)) return { records: [], end: 0 };
    return this.kafka.readPartition(this.topic, LEASE_PARTITION, from);
  }

  private async send(messages: { key: string; value: string | null; partition?: number }[]) {
    try {
      // One producer for the whole apply (connected once, even when changes finish together).
      this.ready ??= (async () => {
        await this.ensureTopic();
        const producer = this.kafka.kafka.producer({ allowAutoTopicCreation: false, idempotent: false });
        await producer.connect();
        this.producer = producer;
      })();
      await this.ready;
      return await this.producer!.send({ topic: this.topic, acks: -1, messages });
    } catch (e) {
      this.ready = undefined;
      const p = this.producer;
      this.producer = undefined;
      await p?.disconnect().catch(() => {});
      throw this.kafka.wrap(`write ${this.topic}`, e);
    }
  }

  async close(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    this.ready = undefined;
    await p?.disconnect().catch(() => {});
  }
}
