/** The `connector` kind: Kafka Connect connectors (sinks of models). */
import type { ConnectorSpec } from '../../compile/types.js';
import type { ObservedBase } from '../../plan/types.js';
import type { ResourceHandler } from '../handler.js';
import { ServiceError } from '../http.js';
import type { ConnectAdapter } from './client.js';
import { diffConnector } from './diff.js';

export interface ObservedConnector extends ObservedBase {
  kind: 'connector';
  name: string;
  exists: boolean;
  config?: Record<string, string>;
  state?: string;
  tasks?: { id: number; state: string; trace?: string }[];
  /** Config validation errors from the plugin (`PUT /connector-plugins/{class}/config/validate`). */
  validationErrors?: string[];
}

export const connectorHandler: ResourceHandler<ConnectorSpec, ObservedConnector> = {
  kind: 'connector',
  addrPrefix: 'connect.connector.',
  order: 4,
  waitsForUpstream: true,
  deletesAfterConsumers: false,

  desired: (artifacts) => artifacts.connectors.map((a) => ({ kind: 'connector', addr: a.addr, owner: a.owner, hash: a.hash, name: a.spec.name, spec: a.spec })),
  topicsOf: (spec) => spec.topics,
  absent: (name) => ({ kind: 'connector', name, exists: false }),
  exists: (o) => o.exists,

  async observeMany(targets, live, opts) {
    const out = new Map<string, ObservedConnector>();
    const byCluster = new Map<ConnectAdapter, ObserveItem[]>();
    for (const t of targets) {
      const cluster = (t.spec ?? (t.recorded?.spec as ConnectorSpec | undefined))?.cluster ?? null;
      const a = live.connect(cluster);
      byCluster.set(a, [...(byCluster.get(a) ?? []), { addr: t.addr, name: t.name, spec: t.spec }]);
    }
    await Promise.all(
      [...byCluster].map(async ([a, list]) => {
        const m = await a.observe(list.map((c) => c.name));
        for (const c of list) {
          const obs = m.get(c.name)!;
          if (opts.validate && c.spec) {
            const resolved = Object.fromEntries(Object.entries(c.spec.config).map(([k, v]) => [k, opts.resolve(v)]));
            const needs = !obs.exists || Object.entries(resolved).some(([k, v]) => obs.config?.[k] !== v);
            if (needs) {
              const errors = await a.validate(c.spec.connector_class, { ...resolved, name: c.name });
              if (errors.length) obs.validationErrors = errors;
            }
          }
          out.set(c.addr, obs);
        }
      }),
    );
    return out;
  },

  diff: (d, o, entry, ctx) => diffConnector(d.spec, o, ctx.resolve, entry?.kind === 'connector' ? (entry.spec as ConnectorSpec) : undefined),
  // The live config holds resolved secrets: the planner redacts them before hashing.
  fingerprintFacts: (o) => ({ exists: o.exists, config: o.config }),

  async status(o, drift) {
    const tasks = o.tasks ?? [];
    const ok = o.state === 'RUNNING' && tasks.length > 0 && tasks.every((t) => t.state === 'RUNNING');
    return { state: o.exists ? (o.state ?? 'UNKNOWN') : 'missing', healthy: ok && !drift.length, details: { tasks } };
  },
  statusDetail: (s) => ((s.details.tasks as { id: number; state: string }[]) ?? []).map((t) => `task ${t.id} ${t.state}`).join(', '),

  async apply(change, live, ctx) {
    const spec = change.desired as ConnectorSpec | undefined;
    const connect = live.connect(spec?.cluster ?? null);
    if (change.action === 'delete') {
      await connect.delete(change.name);
      return 'deleted';
    }
    const config = Object.fromEntries(Object.entries(spec!.config).map(([k, v]) => [k, ctx.resolve(v)]));
    await connect.put(spec!.name, config);
    if (change.reasons.some((r) => r.includes('FAILED'))) await connect.restart(spec!.name);
    const ok = await connect.waitRunning(spec!.name);
    if (!ok.ok) throw new ServiceError('Kafka Connect', connect.http.baseUrl, `Kafka Connect: ${ok.message}`);
    return 'kept';
  },
};

interface ObserveItem {
  addr: string;
  name: string;
  spec: ConnectorSpec | undefined;
}
