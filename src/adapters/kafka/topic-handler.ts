/** The `topic` kind: Kafka topics of models (observe, pure diff, apply one change). */
import type { TopicSpec } from '../../compile/types.js';
import type { ObservedBase } from '../../plan/types.js';
import type { ResourceHandler } from '../handler.js';
import { diffTopic } from './diff.js';

export interface ObservedTopic extends ObservedBase {
  kind: 'topic';
  name: string;
  exists: boolean;
  partitions?: number;
  replicationFactor?: number;
  /** Only configs set on the topic itself (not broker defaults). */
  config?: Record<string, string>;
}

export const topicHandler: ResourceHandler<TopicSpec, ObservedTopic> = {
  kind: 'topic',
  addrPrefix: 'kafka.topic.',
  order: 1,
  waitsForUpstream: false,
  deletesAfterConsumers: true,

  desired: (artifacts) => artifacts.topics.map((a) => ({ kind: 'topic', addr: a.addr, owner: a.owner, hash: a.hash, name: a.spec.name, spec: a.spec })),
  absent: (name) => ({ kind: 'topic', name, exists: false }),
  exists: (o) => o.exists,

  async observeMany(targets, live) {
    const out = new Map<string, ObservedTopic>();
    if (!targets.length) return out;
    const m = await live.kafka().observeTopics(targets.map((t) => t.name));
    for (const t of targets) out.set(t.addr, m.get(t.name)!);
    return out;
  },

  diff: (d, o, entry) => diffTopic(d.spec, o, entry?.kind === 'topic' ? (entry.spec as TopicSpec) : undefined),
  fingerprintFacts: (o) => ({ exists: o.exists, partitions: o.partitions, rf: o.replicationFactor, config: o.config }),

  async status(o, drift) {
    return { state: o.exists ? 'exists' : 'missing', healthy: o.exists && !drift.length, details: o.exists ? { partitions: o.partitions, replication_factor: o.replicationFactor, config: o.config } : {} };
  },
  statusDetail: (s) => (s.state === 'exists' ? `${s.details.partitions} partitions, RF ${s.details.replication_factor}` : ''),

  async apply(change, live) {
    const kafka = live.kafka();
    if (change.action === 'delete') {
      await kafka.deleteTopic(change.name);
      return 'deleted';
    }
    const spec = change.desired as TopicSpec;
    if (change.action === 'create') await kafka.createTopic(spec);
    else {
      const p = change.fields.find((f) => f.field === 'partitions');
      if (p && typeof p.after === 'number') await kafka.addPartitions(spec.name, p.after);
      const cfg = change.fields.filter((f) => f.field.startsWith('config.'));
      if (cfg.length) {
        await kafka.alterTopicConfig(
          spec.name,
          Object.fromEntries(cfg.filter((f) => f.after !== undefined).map((f) => [f.field.slice(7), String(f.after)])),
          cfg.filter((f) => f.after === undefined).map((f) => f.field.slice(7)),
        );
      }
    }
    return 'kept';
  },
};
