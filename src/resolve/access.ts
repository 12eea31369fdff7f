/**
 * Who may read and write what (issue 13, docs/security.md): exposures' roles, purposes and groups
 * against the models' and sources' `access`/`group` and the models' `allow`/`deny` policies; and,
 * when `runtime.kafka.acls` is set, the Kafka principals of those roles. Pure. The result is
 * derived once, here, and read by the ACL compiler (src/compile/emitters/acls.ts).
 *
 * - A reference from outside the group of a private model or source is an error (ACCESS_DENIED).
 * - An exposure reading a model with `deny` roles must not carry one of them (ACCESS_ROLE_DENIED).
 * - An exposure reading a model with `allow` policies must carry only admitted roles
 *   (ACCESS_ROLE_NOT_ALLOWED), each admitted for the exposure's `purpose` (ACCESS_PURPOSE_NOT_ALLOWED).
 * - With ACLs managed, every role that needs a grant (or a deny) maps to principals (ACL_ROLE_UNMAPPED).
 */
import { error, warning, type Diagnostic } from '../core/diagnostics.js';
import type { ExposureNode, InputRef, ModelNode, NodeId, Policy, SourceNode } from '../project/types.js';
import type { PathSegment } from '../project/yaml.js';
import { effectiveTopic } from './rules.js';
import type { ResolvedProject } from './types.js';

/** A topic an exposure reads or writes, and the node it belongs to. */
export interface TopicUse {
  node: NodeId;
  topic: string;
}

export interface ExposureAccess {
  exposure: NodeId;
  /** Topics it reads: sources and topic-writing models it consumes or depends on. */
  reads: TopicUse[];
  /** Topics it writes: the sources it produces. */
  writes: TopicUse[];
  /** Its consumer group (READ on it goes with the reads). */
  consumerGroup?: string;
  /** The principals of its roles (empty when ACLs are not managed or it has no role). */
  principals: string[];
}

export interface DeniedRead {
  model: NodeId;
  topic: string;
  /** Principals of the model's `deny` roles: an explicit DENY READ on its topic. */
  principals: string[];
}

export interface AccessModel {
  /** `runtime.kafka.acls` is set: streamt compiles and manages Kafka ACLs. */
  managed: boolean;
  /** Role → principals, from runtime.kafka.acls.roles. */
  roles: ReadonlyMap<string, readonly string[]>;
  exposures: ExposureAccess[];
  denies: DeniedRead[];
}

type Target = SourceNode | ModelNode;

/** The Kafka topic a node's data lives in, when it has one consumers read with a Kafka client. */
export function topicOfNode(resolved: ResolvedProject, id: NodeId): string | undefined {
  const node = resolved.nodes.get(id);
  if (node?.kind === 'source') return node.topic ?? node.name;
  if (node?.kind === 'model') {
    const m = resolved.models.get(node.name);
    // A virtual topic lives behind the Gateway (its own ACLs); a sink writes no topic.
    if (m && (m.materialized === 'flink' || m.materialized === 'topic')) return effectiveTopic(node, resolved.project).name;
  }
  return undefined;
}

function lookup(resolved: ResolvedProject, ref: InputRef): Target | undefined {
  for (const kind of ref.kind === 'any' ? (['source', 'model'] as const) : ref.kind === 'source' ? (['source'] as const) : (['model'] as const)) {
    const n = resolved.nodes.get(`${kind}.${ref.name}`);
    if (n && (n.kind === 'source' || n.kind === 'model')) return n;
  }
  return undefined;
}

function list(items: readonly string[]): string {
  return items.map((r) => `"${r}"`).join(', ');
}

export function checkAccess(resolved: ResolvedProject): { access: AccessModel; diagnostics: Diagnostic[] } {
  const project = resolved.project;
  const diagnostics: Diagnostic[] = [];
  const acls = project.runtime.kafka?.acls;
  const managed = !!acls;
  const roles = new Map<string, string[]>();
  for (const [role, p] of Object.entries(acls?.roles ?? {})) roles.set(role, [...new Set(Array.isArray(p) ? p : [p])].sort());
  const rolesAt = (role?: string) => project.runtimeAt(role ? ['kafka', 'acls', 'roles', role] : ['kafka', 'acls'], 'key');

  /** Principals of roles; an unmapped role is an error at `at`. */
  const principalsOf = (rs: readonly string[], at: () => { file: string; line: number; column: number }, node: NodeId, what: string): string[] => {
    const out = new Set<string>();
    for (const r of rs) {
      const ps = roles.get(r);
      if (!ps) {
        const known = [...roles.keys()];
        diagnostics.push(
          error('ACL_ROLE_UNMAPPED', `Role "${r}" of ${what} has no Kafka principal: runtime.kafka.acls.roles does not name it, so streamt cannot ${what.startsWith('the deny') ? 'deny it' : 'grant it access'}`, {
            ...at(),
            node,
            hint: `map it in runtime.kafka.acls.roles (e.g. ${r}: User:${r}) at ${fmt(rolesAt())}${known.length ? `; mapped roles: ${known.join(', ')}` : ''}`,
          }),
        );
        continue;
      }
      for (const p of ps) out.add(p);
    }
    return [...out].sort();
  };

  const exposures: ExposureAccess[] = [];
  for (const e of [...project.exposures].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!resolved.nodes.has(e.id)) continue;
    const exposureRoles = e.access?.roles ?? [];
    const reads = new Map<string, TopicUse>();
    const writes = new Map<string, TopicUse>();
    const refs: [InputRef, 'read' | 'write'][] = [...e.consumes.map((r) => [r, 'read'] as [InputRef, 'read']), ...e.dependsOn.map((r) => [r, 'read'] as [InputRef, 'read']), ...e.produces.map((r) => [r, 'write'] as [InputRef, 'write'])];
    for (const [ref, mode] of refs) {
      const target = lookup(resolved, ref);
      if (!target) continue; // already reported by resolve
      checkGroup(e, target, ref.path, diagnostics);
      if (mode === 'read' && target.kind === 'model') checkPolicies(e, target, ref.path, diagnostics);
      const topic = topicOfNode(resolved, target.id);
      if (topic) (mode === 'read' ? reads : writes).set(`${target.id}`, { node: target.id, topic });
    }
    const access: ExposureAccess = { exposure: e.id, reads: sortUses(reads), writes: sortUses(writes), principals: [] };
    if (e.consumerGroup) access.consumerGroup = e.consumerGroup;
    if (managed && (reads.size || writes.size)) {
      if (!exposureRoles.length) {
        diagnostics.push(
          warning('ACL_EXPOSURE_NO_ROLE', `Exposure "${e.name}" ${reads.size ? 'reads' : 'writes'} Kafka topics but names no role, so no ACL grants it access`, {
            ...e.loc,
            node: e.id,
            hint: 'add access: {roles: [...]} with roles mapped in runtime.kafka.acls.roles',
          }),
        );
      } else {
        access.principals = principalsOf(exposureRoles, () => e.at(['access'], 'key'), e.id, `exposure "${e.name}"`);
        if (reads.size && !e.consumerGroup) {
          diagnostics.push(
            warning('ACL_NO_CONSUMER_GROUP', `Exposure "${e.name}" is granted READ on its topics but declares no consumer_group, so no group is granted: its consumers can only assign partitions by hand`, {
              ...e.loc,
              node: e.id,
              hint: 'add consumer_group: <the group id the application uses>',
            }),
          );
        }
      }
    }
    exposures.push(access);
  }

  const denies: DeniedRead[] = [];
  if (managed) {
    for (const m of [...resolved.models.values()].sort((a, b) => (a.node.name < b.node.name ? -1 : 1))) {
      const topic = topicOfNode(resolved, m.node.id);
      const deny = m.node.policies.filter((p): p is Extract<Policy, { kind: 'deny' }> => p.kind === 'deny');
      if (!topic || !deny.length) continue;
      const principals = new Set<string>();
      for (const p of deny) for (const x of principalsOf(p.roles, () => m.node.at(p.path), m.node.id, `the deny policy of model "${m.node.name}"`)) principals.add(x);
      if (principals.size) denies.push({ model: m.node.id, topic, principals: [...principals].sort() });
    }
  }
  return { access: { managed, roles, exposures, denies }, diagnostics };
}

function sortUses(m: Map<string, TopicUse>): TopicUse[] {
  return [...m.values()].sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

function fmt(loc: { file: string; line: number }): string {
  return `${loc.file}:${loc.line}`;
}

/** A private model or source of a group may only be referenced from inside that group. */
function checkGroup(e: ExposureNode, target: Target, path: PathSegment[], diagnostics: Diagnostic[]): void {
  if (target.access !== 'private' || !target.group || e.group === target.group) return;
  diagnostics.push(
    error('ACCESS_DENIED', `Access denied: exposure "${e.name}"${e.group ? ` (group ${e.group})` : ''} cannot reference private ${target.kind} "${target.name}" of group ${target.group}`, {
      ...e.at(path),
      node: e.id,
      hint: `set group: ${target.group} on exposure "${e.name}", or make "${target.name}" access: protected or public`,
    }),
  );
}

/** `deny` roles may not read the model; with `allow` policies, only admitted roles, for an admitted purpose. */
function checkPolicies(e: ExposureNode, model: ModelNode, path: PathSegment[], diagnostics: Diagnostic[]): void {
  const roles = e.access?.roles ?? [];
  const at = () => (e.access ? e.at(['access'], 'key') : e.at(path));
  const denied = new Set(model.policies.flatMap((p) => (p.kind === 'deny' ? p.roles : [])));
  const bad = roles.filter((r) => denied.has(r));
  if (bad.length) {
    diagnostics.push(
      error('ACCESS_ROLE_DENIED', `Exposure "${e.name}" reads model "${model.name}" with role${bad.length > 1 ? 's' : ''} ${list(bad)}, which the model denies`, {
        ...at(),
        node: e.id,
        hint: `remove ${list(bad)} from the exposure's access.roles, or its reference to "${model.name}"`,
      }),
    );
  }
  const allows = model.policies.filter((p): p is Extract<Policy, { kind: 'allow' }> => p.kind === 'allow');
  if (!allows.length) return;
  const admitted = [...new Set(allows.flatMap((p) => p.roles))].sort();
  const describe = allows.map((p) => `${list(p.roles)}${p.purpose ? ` for purpose "${p.purpose}"` : ''}`).join('; ');
  if (!roles.length) {
    diagnostics.push(
      error('ACCESS_ROLE_NOT_ALLOWED', `Exposure "${e.name}" reads model "${model.name}" without a role, and the model allows only ${describe}`, {
        ...at(),
        node: e.id,
        hint: `add access: {roles: [${admitted[0]}], purpose: ...} to the exposure`,
      }),
    );
    return;
  }
  const notAdmitted = roles.filter((r) => !admitted.includes(r) && !denied.has(r));
  if (notAdmitted.length) {
    diagnostics.push(
      error('ACCESS_ROLE_NOT_ALLOWED', `Exposure "${e.name}" reads model "${model.name}" with role${notAdmitted.length > 1 ? 's' : ''} ${list(notAdmitted)}, which the model's allow policies do not admit (they allow ${describe})`, {
        ...at(),
        node: e.id,
        hint: `use an admitted role (${admitted.join(', ')}), or add an allow policy for ${list(notAdmitted)} on "${model.name}"`,
      }),
    );
  }
  const purpose = e.access?.purpose;
  for (const r of roles.filter((x) => admitted.includes(x))) {
    const forRole = allows.filter((p) => p.roles.includes(r));
    if (forRole.some((p) => !p.purpose || p.purpose === purpose)) continue;
    const purposes = [...new Set(forRole.map((p) => p.purpose!))].sort();
    diagnostics.push(
      error('ACCESS_PURPOSE_NOT_ALLOWED', `Exposure "${e.name}" reads model "${model.name}" ${purpose ? `for purpose "${purpose}"` : 'without a purpose'}, but the model allows role "${r}" only for purpose ${list(purposes)}`, {
        ...at(),
        node: e.id,
        hint: purpose ? `the exposure's access.purpose must be ${list(purposes)}, or "${model.name}" needs an allow policy for this purpose` : `add access.purpose: ${purposes[0]} to the exposure if that is what it is for`,
      }),
    );
  }
}
