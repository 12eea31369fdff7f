/**
 * Kafka admin through kafkajs: topics (batched metadata and config calls), partitions, configs,
 * consumer-group lag. SASL/SSL settings come from `runtime.kafka`.
 */
import { readFileSync } from 'node:fs';
import kafkajs from 'kafkajs';
import type { Admin, Kafka, KafkaConfig, SASLOptions } from 'kafkajs';
import type { TopicSpec } from '../../compile/types.js';
import type { ObservedTopic } from './topic-handler.js';
import type { Runtime } from '../../project/schema.js';
import { ServiceError } from '../http.js';

type KafkaRuntime = NonNullable<Runtime['kafka']>;

const TOPIC = kafkajs.ConfigResourceTypes.TOPIC;
/** describeConfigs configSource of a value set on the topic itself. */
const TOPIC_CONFIG_SOURCE = 1;

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
  if (protocol === 'SSL' || protocol === 'SASL_SSL') config.ssl = k.ssl_ca_location ? { ca: [readFileSync(k.ssl_ca_location, 'utf8')] } : true;
  if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
    const mechanism = (k.sasl_mechanism ?? 'PLAIN').toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512';
    config.sasl = { mechanism, username: k.sasl_username ?? '', password: k.sasl_password ?? '' } as SASLOptions;
  }
  return config;
}

export class KafkaAdapter {
  readonly kafka: Kafka;
  private admin: Admin | undefined;
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

  async createTopic(spec: TopicSpec): Promise<void> {
    await this.call(`create topic ${spec.name}`, async (a) => {
      const ok = await a.createTopics({
        waitForLeaders: true,
        topics: [{
          topic: spec.name,
          numPartitions: spec.partitions ?? -1,
          replicationFactor: spec.replication_factor ?? -1,
          configEntries: Object.entries(spec.config).map(([name, value]) => ({ name, value })),
        }],
      });
      if (!ok) throw new Error(`topic ${spec.name} already exists`);
    });
  }

  async addPartitions(name: string, count: number): Promise<void> {
    await this.call(`add partitions to ${name}`, (a) => a.createPartitions({ topicPartitions: [{ topic: name, count }] }));
  }

  /**
   * Sets the topic's configs. kafkajs only has the non-incremental AlterConfigs, which replaces
   * every topic-level config: the live ones are kept, the declared ones set, `remove` dropped.
   */
  async alterTopicConfig(name: string, set: Record<string, string>, remove: readonly string[]): Promise<void> {
    const live = (await this.observeTopics([name])).get(name)?.config ?? {};
    const next: Record<string, string> = { ...live, ...set };
    for (const k of remove) delete next[k];
    await this.call(`alter configs of ${name}`, (a) => a.alterConfigs({ validateOnly: false, resources: [{ type: TOPIC, name, configEntries: Object.entries(next).map(([n, value]) => ({ name: n, value })) }] }));
  }

  async deleteTopic(name: string): Promise<void> {
    const all = new Set(await this.listTopics());
    if (!all.has(name)) return;
    await this.call(`delete topic ${name}`, (a) => a.deleteTopics({ topics: [name] }));
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
