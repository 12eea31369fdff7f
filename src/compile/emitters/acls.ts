/**
 * Kafka ACLs compiled from the project (docs/security.md), when `runtime.kafka.acls` is set: one
 * resource per node, `kafka.acl.<node id>`, with exactly the bindings that node needs.
 *
 * - An exposure: READ on the topics it consumes (or depends on) and on its consumer group, WRITE
 *   on the sources it produces, for the principals of its roles (resolve/access.ts decided which
 *   roles may read what).
 * - A model: its Flink job's principal READ on each input topic and on the job's consumer group,
 *   WRITE on its output topic, WRITE on its transactional ids (prefix `<pipeline.name>-`) when
 *   exactly-once; its connector's principal READ on the topics and group (`connect-<name>`) the
 *   connector consumes, WRITE on a dead letter queue; the envelope job of a sink like a job; an
 *   explicit DENY READ on its topic for the principals of its `deny` roles.
 * - A continuous test: its job's principal, like a model's job.
 */
import { error, type Diagnostic } from '../../core/diagnostics.js';
import type { NodeId } from '../../project/types.js';
import type { CompileContext } from '../context.js';
import { connectPrincipal, effectiveConnectCluster, effectiveFlinkCluster, flinkPrincipal } from '../kafka-identity.js';
import type { AclBinding, AclSpec } from '../types.js';
import type { JobKafkaAccess } from './flink.js';

/** A compiled Kafka client: a Flink job or a connector, and what it does on Kafka. */
export interface KafkaClient {
  /** Its address (`flink.job.<model>`, `connect.connector.<name>`). */
  addr: string;
  owner: NodeId;
  runtime: 'flink' | 'connect';
  cluster: string | null;
  access: JobKafkaAccess;
}

const allow = (principal: string, operation: AclBinding['operation'], resource_type: AclBinding['resource_type'], resource_name: string, pattern_type: AclBinding['pattern_type'] = 'LITERAL'): AclBinding => ({
  principal,
  host: '*',
  operation,
  permission: 'ALLOW',
  resource_type,
  resource_name,
  pattern_type,
});

/** Canonical order: resource, then principal, operation and permission. */
function compare(a: AclBinding, b: AclBinding): number {
  const ka = [a.resource_type, a.resource_name, a.pattern_type, a.principal, a.operation, a.permission, a.host];
  const kb = [b.resource_type, b.resource_name, b.pattern_type, b.principal, b.operation, b.permission, b.host];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  return 0;
}

function unique(list: AclBinding[]): AclBinding[] {
  const seen = new Set<string>();
  return list.filter((b) => {
    const k = JSON.stringify([b.principal, b.host, b.operation, b.permission, b.resource_type, b.resource_name, b.pattern_type]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).sort(compare);
}

/** The bindings a client's principal needs. */
export function clientBindings(principal: string, a: JobKafkaAccess): AclBinding[] {
  const out: AclBinding[] = [];
  for (const r of a.reads) out.push(allow(principal, 'READ', 'TOPIC', r.topic), allow(principal, 'READ', 'GROUP', r.group));
  for (const w of a.writes) out.push(allow(principal, 'WRITE', 'TOPIC', w));
  // Flink names a transaction `<prefix>-<subtask>-<checkpoint offset>`.
  if (a.transactionalIdPrefix) out.push(allow(principal, 'WRITE', 'TRANSACTIONAL_ID', `${a.transactionalIdPrefix}-`, 'PREFIXED'));
  return out;
}

export function emitAcls(ctx: CompileContext, clients: readonly KafkaClient[], selected: (id: NodeId) => boolean, diagnostics: Diagnostic[]): AclSpec[] {
  const access = ctx.resolved.access;
  if (!access?.managed) return [];
  const byOwner = new Map<NodeId, AclBinding[]>();
  const add = (owner: NodeId, bindings: AclBinding[]) => byOwner.set(owner, [...(byOwner.get(owner) ?? []), ...bindings]);
  const unknown = new Set<string>();

  for (const c of clients) {
    if (!selected(c.owner)) continue;
    const principal = c.runtime === 'flink' ? flinkPrincipal(ctx, c.cluster) : connectPrincipal(ctx, c.cluster);
    if (!principal) {
      const cluster = c.runtime === 'flink' ? effectiveFlinkCluster(ctx, c.cluster) : effectiveConnectCluster(ctx, c.cluster);
      const key = `${c.runtime}.${cluster}`;
      if (!unknown.has(key)) {
        unknown.add(key);
        const what = c.runtime === 'flink' ? `Flink cluster "${cluster}"` : `Kafka Connect cluster "${cluster}"`;
        const at = cluster ? ctx.project.runtimeAt([c.runtime, 'clusters', cluster], 'key') : ctx.project.runtimeAt(['kafka', 'acls'], 'key');
        diagnostics.push(
          error('ACL_PRINCIPAL_UNKNOWN', `streamt cannot grant ${c.addr} its ACLs: the Kafka principal of ${what} is unknown`, {
            ...at,
            node: c.owner,
            hint:
              c.runtime === 'flink'
                ? `give the cluster's jobs their own credentials (runtime.flink.clusters.${cluster}.kafka: {sasl_username, sasl_password}), or name its principal (kafka.principal)`
                : `give the connectors their own credentials (runtime.connect.clusters.${cluster}.kafka: {sasl_username, sasl_password}), or name the worker's principal (kafka.principal)`,
          }),
        );
      }
      continue;
    }
    add(c.owner, clientBindings(principal, c.access));
  }

  // A deny removes the grant: a denied principal is never granted READ on that topic.
  const denied = new Set(access.denies.flatMap((d) => d.principals.map((p) => `${p}\u0000${d.topic}`)));
  for (const e of access.exposures) {
    if (!selected(e.exposure) || !e.principals.length) continue;
    const out: AclBinding[] = [];
    for (const p of e.principals) {
      for (const r of e.reads) if (!denied.has(`${p}\u0000${r.topic}`)) out.push(allow(p, 'READ', 'TOPIC', r.topic));
      if (e.reads.length && e.consumerGroup) out.push(allow(p, 'READ', 'GROUP', e.consumerGroup));
      for (const w of e.writes) out.push(allow(p, 'WRITE', 'TOPIC', w.topic));
    }
    add(e.exposure, out);
  }

  for (const d of access.denies) {
    if (!selected(d.model)) continue;
    add(d.model, d.principals.map((p) => ({ ...allow(p, 'READ', 'TOPIC', d.topic), permission: 'DENY' as const })));
  }

  // A DENY wins over every ALLOW in Kafka: a principal the project both denies and grants on one
  // topic would be refused at run time, so it is an error now.
  const all = [...byOwner.entries()].flatMap(([owner, bs]) => bs.map((b) => ({ owner, b })));
  // (Exposures' grants were filtered above: only jobs and connectors can conflict.)
  for (const { owner, b } of all.filter((x) => x.b.permission === 'DENY')) {
    const granted = all.find((x) => x.b.permission === 'ALLOW' && x.b.operation === 'READ' && x.b.resource_type === 'TOPIC' && x.b.resource_name === b.resource_name && x.b.principal === b.principal);
    if (!granted) continue;
    const model = ctx.resolved.nodes.get(owner);
    diagnostics.push(
      error('ACL_DENY_CONFLICT', `${b.principal} is denied READ on topic "${b.resource_name}" by ${owner}, but ${granted.owner} needs it to read that topic`, {
        ...(model ? model.loc : {}),
        node: owner,
        hint: `a denied role must not map to a principal the project's jobs, connectors or exposures use; change runtime.kafka.acls.roles or the deny policy`,
      }),
    );
  }

  return [...byOwner.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([owner, bindings]) => ({ name: owner, bindings: unique(bindings) }))
    .filter((s) => s.bindings.length > 0);
}
