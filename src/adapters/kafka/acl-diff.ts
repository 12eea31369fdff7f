/**
 * Pure diff of a node's declared ACL bindings against the live ones and its record entry.
 *
 * Ownership is per binding: a binding is this project's when the project declares it (and, once
 * applied, when its record entry lists it). A binding the project never declared is never
 * touched, even if it names the same principal or topic. A recorded binding that is no longer
 * declared is revoked, unless another resource of the project still declares it (two exposures
 * with one role, on one topic).
 */
import type { AclBinding, AclSpec } from '../../compile/types.js';
import type { FieldChange, Proposal } from '../../plan/types.js';
import type { ObservedAcl } from './acl-handler.js';

/** Identity of a binding (every field). */
export function aclKey(b: AclBinding): string {
  return JSON.stringify([b.principal, b.host, b.operation, b.permission, b.resource_type, b.resource_name, b.pattern_type]);
}

const token = (s: string) => (/^[^\s"]+$/.test(s) ? s : JSON.stringify(s));

/**
 * One line per binding, as plans show it: `ALLOW User:app READ topic orders`,
 * `ALLOW User:flink WRITE transactional-id-prefix streamt.p.m-`. Injective: a value with spaces
 * or quotes is quoted.
 */
export function aclText(b: AclBinding): string {
  const type = b.resource_type.toLowerCase().replace(/_/g, '-') + (b.pattern_type === 'PREFIXED' ? '-prefix' : '');
  return [b.permission, token(b.principal), b.operation, type, token(b.resource_name), ...(b.host === '*' ? [] : ['host', token(b.host)])].join(' ');
}

function specOf(x: unknown): AclSpec | undefined {
  const s = x as AclSpec | undefined;
  return s && Array.isArray(s.bindings) ? s : undefined;
}

/**
 * The observed state of each target from the live bindings of their principals: which of its
 * bindings (declared or recorded) exist, and which recorded ones another declared target wants.
 */
export function observedAcls(targets: readonly { addr: string; name: string; spec?: AclSpec | undefined; recorded?: unknown }[], present: readonly AclBinding[]): Map<string, ObservedAcl> {
  const live = new Set(present.map(aclKey));
  const declared = new Set(targets.flatMap((t) => (t.spec?.bindings ?? []).map(aclKey)));
  const out = new Map<string, ObservedAcl>();
  for (const t of targets) {
    const mine = new Set((t.spec?.bindings ?? []).map(aclKey));
    const recorded = (specOf(t.recorded)?.bindings ?? []).map(aclKey);
    const keys = [...new Set([...mine, ...recorded])].sort();
    out.set(t.addr, { kind: 'acl', name: t.name, live: keys.filter((k) => live.has(k)), keep: [...new Set(recorded.filter((k) => !mine.has(k) && declared.has(k)))].sort() });
  }
  return out;
}

export interface AclChangeSet {
  grant: AclBinding[];
  revoke: AclBinding[];
}

/** What to grant and revoke: declared and missing; recorded, live, no longer declared and not kept by another resource. */
export function aclChanges(desired: AclSpec | undefined, observed: ObservedAcl, recorded: AclSpec | undefined): AclChangeSet {
  const live = new Set(observed.live);
  const keep = new Set(observed.keep);
  const want = new Set((desired?.bindings ?? []).map(aclKey));
  const grant = (desired?.bindings ?? []).filter((b) => !live.has(aclKey(b)));
  const revoke = (recorded?.bindings ?? []).filter((b) => {
    const k = aclKey(b);
    return !want.has(k) && live.has(k) && !keep.has(k);
  });
  return { grant, revoke };
}

export function aclFields(c: AclChangeSet): FieldChange[] {
  return [...c.grant.map((b) => ({ field: 'acl', after: aclText(b) })), ...c.revoke.map((b) => ({ field: 'acl', before: aclText(b), after: undefined }))];
}

export function diffAcl(desired: AclSpec, observed: ObservedAcl, previous: unknown): Proposal {
  const recorded = specOf(previous);
  const c = aclChanges(desired, observed, recorded);
  const fields = aclFields(c);
  const reasons: string[] = [];
  if (c.grant.length) reasons.push(`${c.grant.length} of ${desired.bindings.length} binding${desired.bindings.length === 1 ? '' : 's'} to grant`);
  if (c.revoke.length) reasons.push(`${c.revoke.length} binding${c.revoke.length === 1 ? '' : 's'} no longer declared: revoked`);
  const anyLive = observed.live.length > 0;
  const action = !fields.length ? 'no-op' : !anyLive && !recorded ? 'create' : 'update';
  return { action, reasons, fields };
}

/** The bindings an apply of these fields grants and revokes, found again among the known specs. */
export function bindingsOfFields(fields: readonly FieldChange[], known: readonly unknown[]): AclChangeSet {
  const byText = new Map<string, AclBinding>();
  for (const s of known) for (const b of specOf(s)?.bindings ?? []) byText.set(aclText(b), b);
  const find = (t: unknown) => {
    const b = typeof t === 'string' ? byText.get(t) : undefined;
    if (!b) throw new Error(`streamt bug: the plan names ACL binding ${JSON.stringify(t)}, which neither the declared nor the recorded spec has`);
    return b;
  };
  const acl = fields.filter((f) => f.field === 'acl');
  return { grant: acl.filter((f) => f.after !== undefined).map((f) => find(f.after)), revoke: acl.filter((f) => f.after === undefined).map((f) => find(f.before)) };
}
