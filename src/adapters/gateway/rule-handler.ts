/** The `gateway_rule` kind: Conduktor Gateway interceptors and alias topics. */
import type { GatewaySpec } from '../../compile/types.js';
import type { ObservedBase } from '../../plan/types.js';
import type { ResourceHandler } from '../handler.js';
import { diffGatewayRule } from './diff.js';

export interface ObservedGatewayRule extends ObservedBase {
  kind: 'gateway_rule';
  name: string;
  ruleKind: 'Interceptor' | 'AliasTopic';
  exists: boolean;
  resource?: Record<string, unknown>;
}

export const gatewayRuleHandler: ResourceHandler<GatewaySpec, ObservedGatewayRule> = {
  kind: 'gateway_rule',
  addrPrefix: 'gateway.rule.',
  order: 2,
  waitsForUpstream: true,
  deletesAfterConsumers: false,

  desired: (artifacts) => artifacts.gatewayRules.map((a) => ({ kind: 'gateway_rule', addr: a.addr, owner: a.owner, hash: a.hash, name: a.spec.name, spec: a.spec })),
  absent: (name) => ({ kind: 'gateway_rule', name, ruleKind: 'Interceptor', exists: false }),
  exists: (o) => o.exists,

  async observeMany(targets, live, opts) {
    const out = new Map<string, ObservedGatewayRule>();
    const rules = targets.map((t) => ({ addr: t.addr, name: t.name, kind: (t.spec ?? (t.recorded?.spec as GatewaySpec | undefined))?.kind ?? 'Interceptor' }));
    if (!rules.length && !(opts.orphans && live.gatewayConfigured())) return out;
    // Interceptors named with the project's prefix are discovered (owned by name).
    const m = await live.gateway().observe(rules.map((r) => ({ name: r.name, kind: r.kind })), opts.orphans ? opts.ownPrefix : '\u0000');
    for (const [name, obs] of m) out.set(rules.find((r) => r.name === name)?.addr ?? `gateway.rule.${name}`, obs);
    return out;
  },

  diff: (d, o) => diffGatewayRule(d.spec, o),
  fingerprintFacts: (o) => ({ exists: o.exists, resource: o.resource }),
  ownedByName: (o, project) => o.name.startsWith(`streamt.${project}.`),
  orphanDelete: (o, entry) => (!entry && o.resource ? { desired: { name: o.name, kind: o.ruleKind, resource: o.resource } } : {}),

  async status(o, drift) {
    return { state: o.exists ? 'exists' : 'missing', healthy: o.exists && !drift.length, details: { kind: o.ruleKind } };
  },

  async apply(change, live) {
    const gw = live.gateway();
    const spec = change.desired as GatewaySpec | undefined;
    if (change.action === 'delete') {
      await gw.delete(change.name, spec?.kind ?? 'Interceptor', (spec?.resource.metadata ?? {}) as Record<string, unknown>);
      return 'deleted';
    }
    await gw.put(spec!);
    return 'kept';
  },
};
