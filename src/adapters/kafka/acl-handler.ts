/**
 * The `acl` kind: the Kafka ACL bindings of one node (`kafka.acl.<node id>`), compiled when
 * `runtime.kafka.acls` is set (src/compile/emitters/acls.ts, docs/security.md).
 *
 * Observed through DescribeAcls, one call per principal the targets name; only the bindings of
 * the targets (declared or recorded) are looked at, so no other ACL of the cluster is ever part
 * of a plan. A binding is revoked only when this project recorded it, no longer declares it, and
 * no other ACL resource of the project declares it (see ./acl-diff.ts).
 *
 * Order: after the node's topic (1), before its Flink job (3) and connector (4), so a job starts
 * with its grants in place; revoked after every consumer is deleted.
 */
import type { AclSpec } from '../../compile/types.js';
import type { ObservedBase } from '../../plan/types.js';
import type { ResourceHandler } from '../handler.js';
import { aclChanges, aclFields, aclKey, aclText, bindingsOfFields, diffAcl, observedAcls } from './acl-diff.js';

export interface ObservedAcl extends ObservedBase {
  kind: 'acl';
  name: string;
  /** Keys (aclKey) of this resource's bindings, declared or recorded, that exist on the cluster. */
  live: string[];
  /** Keys of its recorded bindings that another ACL resource of this project declares: never revoked with this one. */
  keep: string[];
}

const specOf = (x: unknown): AclSpec | undefined => (x && Array.isArray((x as AclSpec).bindings) ? (x as AclSpec) : undefined);

export const aclHandler: ResourceHandler<AclSpec, ObservedAcl> = {
  kind: 'acl',
  addrPrefix: 'kafka.acl.',
  order: 1.5,
  waitsForUpstream: false,
  deletesAfterConsumers: true,

  desired: (artifacts) => artifacts.acls.map((a) => ({ kind: 'acl', addr: a.addr, owner: a.owner, hash: a.hash, name: a.spec.name, spec: a.spec })),
  absent: (name) => ({ kind: 'acl', name, live: [], keep: [] }),
  exists: (o) => o.live.length > 0,

  async observeMany(targets, live) {
    if (!targets.length) return new Map<string, ObservedAcl>();
    const principals = targets.flatMap((t) => [...(t.spec?.bindings ?? []), ...(specOf(t.recorded?.spec)?.bindings ?? [])].map((b) => b.principal));
    const present = principals.length ? await live.kafka().describeAcls(principals) : [];
    return observedAcls(targets.map((t) => ({ addr: t.addr, name: t.name, spec: t.spec, recorded: t.recorded?.spec })), present);
  },

  diff: (d, o, entry) => diffAcl(d.spec, o, entry?.kind === 'acl' ? entry.spec : undefined),
  fingerprintFacts: (o) => ({ live: o.live, keep: o.keep }),

  orphanDelete(o, entry) {
    return { fields: aclFields({ grant: [], revoke: aclChanges(undefined, o, specOf(entry?.spec)).revoke }) };
  },

  async status(o, drift, d) {
    const bindings = d?.spec.bindings ?? [];
    const live = new Set(o.live);
    const missing = bindings.filter((b) => !live.has(aclKey(b))).map(aclText);
    return {
      state: missing.length ? (missing.length === bindings.length ? 'missing' : 'incomplete') : 'granted',
      healthy: !missing.length && !drift.length,
      details: { bindings: bindings.length, principals: [...new Set(bindings.map((b) => b.principal))].sort(), missing },
    };
  },
  statusDetail: (s) => {
    const n = s.details.bindings as number;
    const missing = (s.details.missing as string[]).length;
    return `${missing ? `${missing} of ${n}` : n} binding${n === 1 ? '' : 's'}${missing ? ' missing' : ''} for ${(s.details.principals as string[]).join(', ')}`;
  },

  async apply(change, live, ctx) {
    const { grant, revoke } = bindingsOfFields(change.fields, [change.desired, ctx.previous?.spec]);
    const kafka = live.kafka();
    await kafka.createAcls(grant);
    await kafka.deleteAcls(revoke);
    return change.action === 'delete' ? 'deleted' : 'kept';
  },
};
