/**
 * Kafka admin through kafkajs: topics (batched metadata and config calls), partitions, configs,
 * consumer-group lag. SASL/SSL settings come from `runtime.kafka`. Creates and partition
 * increases are idempotent and wait for readiness with the adapter's own bounded metadata
 * polling; config changes are incremental (see docs/development.md, "Kafka client decision").
 */
import { readFileSync } from 'node:fs';
import kafkajs from 'kafkajs';
import type { AclEntry, Admin, Kafka, KafkaConfig, SASLOptions } from 'kafkajs';
import type { AclBinding, TopicSpec } from '../../compile/types.js';
import type { ObservedTopic } from './topic-handler.js';
import type { Runtime } from '../../project/schema.js';
import { ServiceError } from '../http.js';
import { DELETE, SET, incrementalAlterConfigsRequest, rawCluster, type ConfigOp, type FetchedMessage, type RawBroker, type RawCluster } from './internals.js';

type KafkaRuntime = NonNullable<Runtime['kafka']>;

const TOPIC = kafkajs.ConfigResourceTypes.TOPIC;
const RT = kafkajs.AclResourceTypes;
const OP = kafkajs.AclOperationTypes;
const PERM = kafkajs.AclPermissionTypes;
const PT = kafkajs.ResourcePatternTypes;

/** A binding as kafkajs takes it. */
export function toKafka(b: AclBinding): AclEntry {
  return {
    resourceType: RT[b.resource_type],
    resourceName: b.resource_name,
    resourcePatternType: PT[b.pattern_type],
    principal: b.principal,
    host: b.host,
    operation: OP[b.operation],
    permissionType: PERM[b.permission],
  };
}

const named = <T extends string>(e: Record<string, string | number>, v: number, allowed: readonly T[]): T | undefined => {
  const name = Object.keys(e).find((k) => e[k] === v);
  return name && (allowed as readonly string[]).includes(name) ? (name as T) : undefined;
};

/** A binding kafkajs returned; undefined for one streamt never compiles (another operation or resource type). */
export function fromKafka(a: AclEntry): AclBinding | undefined {
  const operation = named(OP as unknown as Record<string, number>, a.operation, ['READ', 'WRITE', 'DESCRIBE'] as const);
  const permission = named(PERM as unknown as Record<string, number>, a.permissionType, ['ALLOW', 'DENY'] as const);
  const resource_type = named(RT as unknown as Record<string, number>, a.resourceType, ['TOPIC', 'GROUP', 'TRANSACTIONAL_ID'] as const);
  const pattern_type = named(PT as unknown as Record<string, number>, a.resourcePatternType, ['LITERAL', 'PREFIXED'] as const);
  if (!operation || !permission || !resource_type || !pattern_type) return undefined;
  return { principal: a.principal, host: a.host, operation, permission, resource_type, resource_name: a.resourceName, pattern_type };
}
/** describeConfigs configSource of a value set on the topic itself. */
const TOPIC_CONFIG_SOURCE = 1;
/** Metadata errors that mean "not there yet" right after a create (metadata propagates asynchronously). */
const NOT_READY = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION', 'NOT_LEADER_OR_FOLLOWER', 'REPLICA_NOT_AVAILABLE']);
/** How long a created (or grown) topic may take to have a leader for every partition on every broker. */
export const TOPIC_READY_TIMEOUT_MS = 60_000;

/** One record of a partition, as `KafkaAdapter.readPartition` returns it. */
export interface PartitionRecord {
  offset: number;
  key: string | null;
  /** null: a tombstone. */
  value: string | null;
  /** The record's Kafka timestamp (ms). */
  timestamp: number;
}

/** Largest Fetch answer asked for (a batch larger than this is still returned whole, KIP-74). */
const FETCH_MAX_BYTES = 8 * 1024 * 1024;

export interface TopicShape {
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

/**
 * Why an existing topic does not have the declared shape (empty when it does). Only what is
 * declared is compared: an undeclared partition count, replication factor or config key is
 * whatever the broker chose.
 */
export function shapeMismatch(spec: TopicSpec, live: TopicShape): string[] {
  const out: string[] = [];
  if (spec.partitions !== null && spec.partitions !== live.partitions) out.push(`partitions ${live.partitions} (declared ${spec.partitions})`);
  if (spec.replication_factor !== null && spec.replication_factor !== live.replicationFactor) out.push(`replication factor ${live.replicationFactor} (declared ${spec.replication_factor})`);
  for (const [k, v] of Object.entries(spec.config).sort()) {
    if (live.config[k] !== v) out.push(`${k}=${live.config[k] ?? '(broker default)'} (declared ${v})`);
  }
  return out;
}

/**
 * Readiness of a topic from the metadata every broker returned: undefined when every broker
 * knows every partition with a leader (and at least `partitions` of them), else why not.
 */
export function notReadyReason(perBroker: { nodeId: number; error?: string; partitions?: { id: number; leader: number; error?: string }[] }[], partitions: number | null): string | undefined {
  for (const b of perBroker) {
    if (b.error) return `broker ${b.nodeId}: ${b.error}`;
    const ps = b.partitions ?? [];
    if (!ps.length) return `broker ${b.nodeId}: no partitions yet`;
    if (partitions !== null && ps.length < partitions) return `broker ${b.nodeId}: ${ps.length} of ${partitions} partitions`;
    const bad = ps.find((p) => p.error || p.leader < 0);
    if (bad) return `broker ${b.nodeId}: partition ${bad.id} has no leader${bad.error ? ` (${bad.error})` : ''}`;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function bootstrapList(k: KafkaRuntime): string[] {
  const raw = Array.isArray(k.bootstrap_servers) ? k.bootstrap_servers : k.bootstrap_servers.split(',');
  return raw.map((s) => s.trim()).filter(Boolean);
}

export function kafkaClientConfig(k: KafkaRuntime, clientId = 'streamt'): KafkaConfig {
  const protocol = k.security_protocol ?? 'PLAINTEXT';
  const config: KafkaConfig = {
    clientId: k.client_id ?? clientId,
    brokers: bootstrapList(k),
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    retry: { retries: 4, initialRetryTime: 300, maxRetryTime: 3_000 },
  };
  if (protocol === 'SSL' || protocol === 'SASL_SSL') config.ssl = k.ssl_ca_pem ? { ca: [k.ssl_ca_pem] } : k.ssl_ca_location ? { ca: [readFileSync(k.ssl_ca_location, 'utf8')] } : true;
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
    const mechanism = (k.sasl_mechanism ?? 'PLAIN').toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512';
    config.sasl = { mechanism, username: k.sasl_username ?? '', password: k.sasl_password ?? '' } as SASLOptions;
  }
  return config;
}

async function fetchToEnd(broker: RawBroker, topic: string, partition: number, from: number): Promise<{ records: PartitionRecord[]; end: number }> {
  const records: PartitionRecord[] = [];
  let next = from;
  let end: number | undefined;
  for (;;) {
    const r = await broker.fetch({ isolationLevel: 0, maxWaitTime: 0, minBytes: 0, maxBytes: FETCH_MAX_BYTES, topics: [{ topic, partitions: [{ partition, fetchOffset: String(next), maxBytes: FETCH_MAX_BYTES }] }] });
    const p = r.responses.find((x) => x.topicName === topic)?.partitions.find((x) => x.partition === partition);
    if (!p) throw new Error(`the broker answered no data for ${topic} partition ${partition}`);
    end ??= Number(p.highWatermark);
    const before = next;
    for (const m of p.messages as FetchedMessage[]) {
      const offset = Number(m.offset);
      if (m.batchContext) next = Math.max(next, Number(m.batchContext.firstOffset) + m.batchContext.lastOffsetDelta + 1);
      if (offset < before || offset >= end) continue;
      next = Math.max(next, offset + 1);
      if (m.isControlRecord) continue;
      records.push({ offset, key: m.key ? m.key.toString() : null, value: m.value ? m.value.toString() : null, timestamp: Number(m.timestamp) });
    }
    if (next >= end) return { records, end };
    if (next === before) throw new Error(`reading ${topic} partition ${partition} made no progress at offset ${next} (end ${end})`);
  }
}

export class KafkaAdapter {
  readonly kafka: Kafka;
  private admin: Admin | undefined;
  private cluster: Promise<RawCluster> | undefined;
  readonly where: string;

  constructor(readonly runtime: KafkaRuntime) {
    this.kafka = new kafkajs.Kafka(kafkaClientConfig(runtime));
    this.where = bootstrapList(runtime).join(',');
  }

  /** Wraps kafkajs failures in a ServiceError naming the cluster. */
  async call<T>(what: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
    try {
      if (!this.admin) {
        const admin = this.kafka.admin();
        await admin.connect();
        this.admin = admin;
      }
      return await fn(this.admin);
    } catch (e) {
      throw this.wrap(what, e);
    }
  }

  wrap(what: string, e: unknown): Error {
    if (e instanceof ServiceError) return e;
    const err = e as { name?: string; message?: string; type?: string };
    const unreachable = /Connection|NumberOfRetriesExceeded|ECONNREFUSED|Closed connection|connect/i.test(`${err.name} ${err.message}`) && !err.type;
    const msg = unreachable
      ? `Kafka at ${this.where} is not reachable (${err.message ?? 'connection failed'}); is it running, and are bootstrap_servers and the security settings right?`
      : `Kafka ${what} failed: ${err.type ? `${err.type}: ` : ''}${err.message ?? String(e)}`;
    return new ServiceError('Kafka', this.where, msg, undefined, undefined, unreachable);
  }

  async close(): Promise<void> {
    const a = this.admin;
    this.admin = undefined;
    if (a) await a.disconnect().catch(() => {});
    const c = this.cluster;
    this.cluster = undefined;
    if (c) await c.then((x) => x.disconnect()).catch(() => {});
  }

  /** kafkajs's own cluster handle (same brokers, SSL and SASL), for requests its API lacks. */
  raw(): Promise<RawCluster> {
    this.cluster ??= (async () => {
      const c = rawCluster(this.kafka);
      await c.connect();
      return c;
    })();
    this.cluster.catch(() => {
      this.cluster = undefined;
    });
    return this.cluster;
  }

  /** Every broker of the cluster, from fresh metadata. */
  async brokers(): Promise<RawBroker[]> {
    const c = await this.raw();
    await c.refreshMetadata();
    const ids = (c.brokerPool.metadata?.brokers ?? []).map((b) => b.nodeId);
    return Promise.all(ids.map((nodeId) => c.findBroker({ nodeId })));
  }

  /**
   * Waits until every broker's metadata has the topic with a leader for every partition (and
   * at least `partitions` of them), polling with a growing delay up to a deadline. kafkajs's
   * `waitForLeaders` retries only LEADER_NOT_AVAILABLE and gives up on the
   * UNKNOWN_TOPIC_OR_PARTITION a broker answers while creation is still propagating; that is
   * the failure seen under load.
   */
  async waitForTopic(name: string, partitions: number | null, timeoutMs = TOPIC_READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let delay = 50;
    for (;;) {
      let reason: string | undefined;
      try {
        const perBroker = await Promise.all(
          (await this.brokers()).map(async (b) => {
            try {
              const md = await b.metadata([name]);
              const t = md.topicMetadata.find((x) => x.topic === name);
              return { nodeId: b.nodeId, partitions: (t?.partitionMetadata ?? []).map((p) => ({ id: p.partitionId, leader: p.leader })) };
            } catch (e) {
              const type = (e as { type?: string }).type;
              if (type && NOT_READY.has(type)) return { nodeId: b.nodeId, error: type };
              throw e;
            }
          }),
        );
        reason = notReadyReason(perBroker, partitions);
      } catch (e) {
        // A broker that cannot be reached now may be reachable on the next poll.
        if (!(e as { retriable?: boolean }).retriable && !/Connection|ECONN|closed/i.test(String((e as Error).message))) throw this.wrap(`wait for topic ${name}`, e);
        reason = (e as Error).message;
      }
      if (reason === undefined) return;
      if (Date.now() + delay > deadline) {
        throw new ServiceError('Kafka', this.where, `Kafka topic ${name} is not ready after ${Math.round(timeoutMs / 1000)}s: ${reason}`, undefined, undefined, false);
      }
      await sleep(delay);
      delay = Math.min(1_000, delay * 2);
    }
  }

  /**
   * Every record of one partition from offset `from` to the end of the log when the read
   * started (its high watermark), read from the partition's leader with Fetch requests: no
   * consumer group, so no group join and nothing to clean up. `from` below the log start
   * (records removed by retention) starts at the log start. Compaction leaves gaps in the
   * offsets; each batch's last offset moves the read on.
   */
  async readPartition(topic: string, partition: number, from: number): Promise<{ records: PartitionRecord[]; end: number }> {
    let start = from;
    for (let attempt = 1; ; attempt++) {
      try {
        const c = await this.raw();
        if (attempt > 1) await c.refreshMetadata();
        await c.addTargetTopic(topic);
        const leader = c.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition)?.leader;
        if (leader === undefined || leader < 0) throw Object.assign(new Error(`partition ${partition} of ${topic} has no leader`), { retriable: true });
        return await fetchToEnd(await c.findBroker({ nodeId: leader }), topic, partition, start);
      } catch (e) {
        const type = (e as { type?: string }).type;
        if (type === 'OFFSET_OUT_OF_RANGE' && attempt < 4) {
          const offsets = await this.call(`read ${topic}`, (a) => a.fetchTopicOffsets(topic));
          start = Math.max(start, Number(offsets.find((o) => o.partition === partition)?.low ?? 0));
          continue;
        }
        if (attempt >= 4 || !(e as { retriable?: boolean }).retriable) throw this.wrap(`read ${topic}`, e);
        await sleep(300 * attempt);
      }
    }
  }

  /** The live partitions, replication factor and topic-level configs of one topic (undefined if absent). */
  async topicShape(name: string): Promise<TopicShape | undefined> {
    const t = (await this.observeTopics([name])).get(name);
    if (!t?.exists) return undefined;
    return { partitions: t.partitions ?? 0, replicationFactor: t.replicationFactor ?? 0, config: t.config ?? {} };
  }

  listTopics(): Promise<string[]> {
    return this.call('list topics', (a) => a.listTopics());
  }

  /** One metadata call and one describeConfigs call for all the existing topics among `names`. */
  async observeTopics(names: readonly string[]): Promise<Map<string, ObservedTopic>> {
    const out = new Map<string, ObservedTopic>();
    if (!names.length) return out;
    const all = new Set(await this.listTopics());
    const present = [...new Set(names)].filter((n) => all.has(n));
    for (const n of names) if (!all.has(n)) out.set(n, { kind: 'topic', name: n, exists: false });
    if (!present.length) return out;
    const md = await this.call('describe topics', (a) => a.fetchTopicMetadata({ topics: present }));
    const cfg = await this.call('describe topic configs', (a) => a.describeConfigs({ resources: present.map((name) => ({ type: TOPIC, name })), includeSynonyms: false }));
    const configs = new Map<string, Record<string, string>>();
    for (const r of cfg.resources) {
      const c: Record<string, string> = {};
      for (const e of r.configEntries) if (e.configSource === TOPIC_CONFIG_SOURCE && e.configValue !== null) c[e.configName] = e.configValue;
      configs.set(r.resourceName, c);
    }
    for (const t of md.topics) {
      out.set(t.name, {
        kind: 'topic',
        name: t.name,
        exists: true,
        partitions: t.partitions.length,
        replicationFactor: t.partitions[0]?.replicas.length ?? 0,
        config: configs.get(t.name) ?? {},
      });
    }
    return out;
  }

  /**
   * Creates the topic and returns once every partition has a leader on every broker. An
   * existing topic with the declared shape is success (a retried or concurrent create of the
   * same declaration); one with another shape is an error that names the difference.
   */
  async createTopic(spec: TopicSpec): Promise<void> {
    const created = await this.call(`create topic ${spec.name}`, (a) =>
      a.createTopics({
        // Readiness is our own bounded poll below, not kafkajs's waitForLeaders.
        waitForLeaders: false,
        timeout: 30_000,
        topics: [{
          topic: spec.name,
          numPartitions: spec.partitions ?? -1,
          replicationFactor: spec.replication_factor ?? -1,
          configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
        }],
      }),
    );
    // An existing topic is only known to the metadata once it has propagated: wait, then compare.
    await this.waitForTopic(spec.name, created ? spec.partitions : null);
    if (created) return;
    const live = await this.topicShape(spec.name);
    if (!live) throw new ServiceError('Kafka', this.where, `Kafka create topic ${spec.name} failed: the broker says it exists, but it is not listed`, undefined, undefined, false);
    const diff = shapeMismatch(spec, live);
    if (diff.length) {
      throw new ServiceError('Kafka', this.where, `Kafka topic ${spec.name} already exists with another shape: ${diff.join(', ')}; it was created outside this apply (run streamt plan again to see it)`, undefined, undefined, false);
    }
  }

  /**
   * Grows the topic to `count` partitions. Already at `count` is success (a retried or
   * concurrent apply of the same change); more than `count` cannot be undone and is an error.
   */
  async addPartitions(name: string, count: number): Promise<void> {
    const current = async () => (await this.topicShape(name))?.partitions;
    const before = await current();
    if (before === undefined) throw new ServiceError('Kafka', this.where, `Kafka add partitions to ${name} failed: the topic does not exist`, undefined, undefined, false);
    if (before < count) {
      try {
        await this.call(`add partitions to ${name}`, (a) => a.createPartitions({ topicPartitions: [{ topic: name, count }] }));
      } catch (e) {
        // INVALID_PARTITIONS when another run grew it first: fine if it is now at the count.
        if ((await current()) !== count) throw e;
      }
    } else if (before > count) {
      throw new ServiceError('Kafka', this.where, `Kafka topic ${name} has ${before} partitions, more than the declared ${count}; partitions cannot be removed`, undefined, undefined, false);
    }
    await this.waitForTopic(name, count);
  }

  /**
   * Sets and removes exactly the given topic configs with IncrementalAlterConfigs (SET/DELETE
   * per key), so a concurrent change to another key is kept. kafkajs has only the legacy
   * AlterConfigs, which replaces the whole set; the request is encoded with kafkajs's own
   * protocol encoder (see internals.ts). Setting a value twice is harmless, so a failed
   * attempt is retried when the error is retriable.
   */
  async alterTopicConfig(name: string, set: Record<string, string>, remove: readonly string[]): Promise<void> {
    const ops: ConfigOp[] = [...Object.entries(set).map(([n, value]) => ({ name: n, op: SET, value }) as ConfigOp), ...remove.map((n) => ({ name: n, op: DELETE }) as ConfigOp)];
    if (!ops.length) return;
    for (let attempt = 1; ; attempt++) {
      try {
        const c = await this.raw();
        await c.refreshMetadata();
        const broker = await c.findControllerBroker();
        await broker.connectionPool.send(incrementalAlterConfigsRequest(name, ops));
        return;
      } catch (e) {
        if (attempt >= 4 || !(e as { retriable?: boolean }).retriable) throw this.wrap(`alter configs of ${name}`, e);
        await sleep(300 * attempt);
      }
    }
  }

  async deleteTopic(name: string): Promise<void> {
    const all = new Set(await this.listTopics());
    if (!all.has(name)) return;
    await this.call(`delete topic ${name}`, (a) => a.deleteTopics({ topics: [name] }));
  }

  /**
   * Every ACL binding of the given principals (one DescribeAcls per principal, at once). A broker
   * without an authorizer answers SECURITY_DISABLED: an error that says so.
   */
  async describeAcls(principals: readonly string[]): Promise<AclBinding[]> {
    const out: AclBinding[] = [];
    await Promise.all(
      [...new Set(principals)].sort().map(async (principal) => {
        const r = await this.call(`describe the ACLs of ${principal}`, (a) =>
          a.describeAcls({ resourceType: RT.ANY, resourcePatternType: PT.ANY, operation: OP.ANY, permissionType: PERM.ANY, principal }),
        ).catch((e) => {
          throw this.aclError(e);
        });
        for (const res of r.resources) {
          for (const acl of res.acls) {
            const b = fromKafka({ ...res, ...acl });
            if (b) out.push(b);
          }
        }
      }),
    );
    return out;
  }

  /** Creates the bindings (an existing binding is left as it is: CreateAcls is idempotent). */
  async createAcls(bindings: readonly AclBinding[]): Promise<void> {
    if (!bindings.length) return;
    await this.call(`create ${bindings.length} ACL binding${bindings.length === 1 ? '' : 's'}`, (a) => a.createAcls({ acl: bindings.map(toKafka) })).catch((e) => {
      throw this.aclError(e);
    });
  }

  /**
   * Deletes exactly these bindings: each filter names every field of one binding, so it matches
   * that binding and nothing else (a missing one matches nothing: deleting twice is harmless).
   */
  async deleteAcls(bindings: readonly AclBinding[]): Promise<void> {
    if (!bindings.length) return;
    const r = await this.call(`delete ${bindings.length} ACL binding${bindings.length === 1 ? '' : 's'}`, (a) => a.deleteAcls({ filters: bindings.map(toKafka) })).catch((e) => {
      throw this.aclError(e);
    });
    const bad = r.filterResponses.find((f) => f.errorCode !== 0);
    if (bad) throw new ServiceError('Kafka', this.where, `Kafka delete ACLs failed: ${bad.errorMessage ?? `error code ${bad.errorCode}`}`, undefined, undefined, false);
  }

  private aclError(e: unknown): Error {
    const type = (e as { type?: string }).type;
    if (type === 'SECURITY_DISABLED') return new ServiceError('Kafka', this.where, `Kafka at ${this.where} has no authorizer (SECURITY_DISABLED), so it has no ACLs to manage; remove runtime.kafka.acls, or configure an authorizer on the brokers`, undefined, undefined, false);
    if (type === 'CLUSTER_AUTHORIZATION_FAILED') return new ServiceError('Kafka', this.where, `Kafka refused to let streamt manage ACLs (CLUSTER_AUTHORIZATION_FAILED): streamt's principal needs ALTER and DESCRIBE on the CLUSTER resource`, undefined, undefined, false);
    return this.wrap('ACL request', e);
  }

  /** Lag of a consumer group per topic: end offset minus committed offset, summed over partitions. */
  async groupLag(groupId: string): Promise<{ exists: boolean; state?: string; topics: { topic: string; lag: number }[] }> {
    return this.call(`describe consumer group ${groupId}`, async (a) => {
      const groups = await a.listGroups();
      if (!groups.groups.some((g) => g.groupId === groupId)) return { exists: false, topics: [] };
      const desc = await a.describeGroups([groupId]);
      const offsets = await a.fetchOffsets({ groupId });
      const topics: { topic: string; lag: number }[] = [];
      for (const t of offsets) {
        const ends = await a.fetchTopicOffsets(t.topic);
        let lag = 0;
        for (const p of t.partitions) {
          const end = Number(ends.find((e) => e.partition === p.partition)?.high ?? 0);
          const committed = Number(p.offset);
          lag += committed < 0 ? end : Math.max(0, end - committed);
        }
        topics.push({ topic: t.topic, lag });
      }
      return { exists: true, state: desc.groups[0]?.state ?? 'Unknown', topics: topics.sort((x, y) => (x.topic < y.topic ? -1 : 1)) };
    });
  }
}
