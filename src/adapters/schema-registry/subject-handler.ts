/**
 * The `subject` kind: Schema Registry subjects. Only model outputs are registered by streamt. A
 * source's subject belongs to its producer: it is declared read-only, planned as a check (is the
 * declared schema the registry's latest, or compatible with it, and the registry's reason if
 * not) and never registered, updated, recorded or deleted, whatever the flags.
 */
import type { SchemaSpecArtifact } from '../../compile/types.js';
import type { ObservedBase, Proposal } from '../../plan/types.js';
import type { ResourceHandler } from '../handler.js';
import { diffSubject, sameSchema } from './diff.js';
import { formatChangeAllowed, formatChangeBlocker, subjectValueFormat } from '../../plan/format-change.js';

export interface ObservedSubject extends ObservedBase {
  kind: 'subject';
  subject: string;
  exists: boolean;
  latest?: { version: number; id: number; schema: string; schemaType: string };
  /** Subject-level compatibility (null: the registry default applies). */
  compatibility?: string | null;
  /** When the desired schema differs from the latest: the registry's verdict. */
  compatible?: { isCompatible: boolean; messages: string[] };
}

/** A record entry of a subject declared by a source (written by streamt before 0.x): never deleted. */
const isSourceOwned = (owner: string | undefined) => !!owner && owner.startsWith('source.');

/** Pure: the read-only check of a source's subject against the registry (always a no-op). */
export function checkSourceSubject(desired: SchemaSpecArtifact, o: ObservedSubject): Proposal {
  const p: Proposal = { action: 'no-op', reasons: [], fields: [] };
  if (!o.exists || !o.latest) {
    p.warnings = [`source subject "${desired.subject}" is not registered: its producer registers it (streamt never registers a source's schema)`];
    return p;
  }
  if (sameSchema(desired, o.latest)) return p;
  if (!o.compatible) p.warnings = [`source subject "${desired.subject}": the declared schema differs from the latest version ${o.latest.version}, and the registry gave no compatibility verdict`];
  else if (o.compatible.isCompatible) p.warnings = [`source subject "${desired.subject}": the declared schema differs from the latest version ${o.latest.version} (compatible${o.compatibility ? ` under ${o.compatibility}` : ''}); streamt leaves the subject to its producer`];
  else p.warnings = [`source subject "${desired.subject}": the declared schema is incompatible with the latest version ${o.latest.version}${o.compatibility ? ` under ${o.compatibility}` : ''}: ${o.compatible.messages.length ? o.compatible.messages.join('; ') : '(the registry gave no details)'}; update the source's schema declaration`];
  return p;
}

/**
 * An incompatible output schema names who would break: the models and exposures reading the
 * topic, and the exposures further downstream; the way out is a new version of the model.
 */
export function withReaders(p: Proposal, readers: readonly string[], impacts: readonly string[]): Proposal {
  if (p.blocked?.code !== 'PLAN_SCHEMA_INCOMPATIBLE') return p;
  const further = impacts.filter((e) => !readers.includes(`exposure ${e}`));
  const who = readers.length ? `; read by ${readers.join(', ')}` : '; no model or exposure of the project reads it';
  const below = further.length ? ` (and downstream: exposure ${further.join(', exposure ')})` : '';
  p.blocked = {
    ...p.blocked,
    message: `${p.blocked.message}${who}${below}`,
    hint: 'make the change compatible (e.g. add fields with defaults), or give the model a new version (version: N+1 deploys to <topic>.v<N+1> beside the current one while its consumers move)',
  };
  return p;
}

/**
 * A model subject whose latest version has another schema type (a JSON Schema becoming Avro):
 * the topic's value format changes, which breaks its readers (src/plan/format-change.ts). Blocked
 * unless --allow-state-reset, which replaces the subject (deleted, then registered anew: a
 * registry refuses a new version of another type).
 */
export function formatChange(p: Proposal, desired: SchemaSpecArtifact, o: ObservedSubject, readers: readonly string[], impacts: readonly string[], allowStateReset: boolean): Proposal {
  const before = o.exists && o.latest ? subjectValueFormat(o.latest.schemaType) : undefined;
  const after = subjectValueFormat(desired.schema_type);
  if (!before || !after || before === after) return p;
  const topic = desired.subject.replace(/-value$/, '');
  const q: Proposal = { ...p, action: 'replace', fields: [{ field: 'schema_type', before: o.latest!.schemaType, after: desired.schema_type }, ...p.fields.filter((f) => f.field !== 'schema_type')] };
  delete q.blocked;
  if (allowStateReset) q.reasons = [...p.reasons, `${formatChangeAllowed(topic, before, after)}: the subject is deleted and registered anew`];
  else q.blocked = formatChangeBlocker(topic, before, after, readers, impacts);
  return q;
}

export const subjectHandler: ResourceHandler<SchemaSpecArtifact, ObservedSubject> = {
  kind: 'subject',
  addrPrefix: 'sr.subject.',
  order: 0,
  waitsForUpstream: false,
  deletesAfterConsumers: true,

  desired: (artifacts, manifest) => {
    const sources = new Set(manifest.dag.nodes.filter((n) => n.type === 'source').map((n) => n.id));
    return artifacts.schemas.map((a) => ({ kind: 'subject', addr: a.addr, owner: a.owner, hash: a.hash, name: a.spec.subject, spec: a.spec, ...(sources.has(a.owner) || isSourceOwned(a.owner) ? { readOnly: true } : {}) }));
  },
  absent: (name) => ({ kind: 'subject', subject: name, exists: false }),
  exists: (o) => o.exists,

  async observeMany(targets, live) {
    const out = new Map<string, ObservedSubject>();
    if (!targets.length) return out;
    const sr = live.registry();
    // The compatibility check (POST /compatibility) registers nothing.
    await Promise.all(targets.map(async (t) => out.set(t.addr, await sr.observe(t.name, t.spec))));
    return out;
  },

  diff: (d, o, _entry, ctx) => (d.readOnly ? checkSourceSubject(d.spec, o) : formatChange(withReaders(diffSubject(d.spec, o), d.readers ?? [], d.impacts), d.spec, o, d.readers ?? [], d.impacts, ctx.allowStateReset)),
  fingerprintFacts: (o) => ({ exists: o.exists, version: o.latest?.version, id: o.latest?.id, compatibility: o.compatibility }),
  deletable: (entry) => !isSourceOwned(entry?.owner),

  async status(o, drift) {
    return { state: o.exists ? `version ${o.latest?.version}` : 'missing', healthy: o.exists && !drift.length, details: o.exists ? { version: o.latest?.version, id: o.latest?.id, compatibility: o.compatibility ?? null } : {} };
  },

  async apply(change, live) {
    const sr = live.registry();
    if (change.action === 'delete') {
      await sr.delete(change.name);
      return 'deleted';
    }
    const spec = change.desired as SchemaSpecArtifact;
    // A new schema type (a format change, --allow-state-reset): a registry takes no version of
    // another type under a subject, so the subject starts again.
    const retyped = change.action === 'replace' && change.fields.some((f) => f.field === 'schema_type');
    if (retyped) await sr.delete(change.name);
    // A deleted subject may lose its level with it: set it again.
    if (spec.compatibility && (retyped || change.fields.some((f) => f.field === 'compatibility'))) await sr.setCompatibility(spec.subject, spec.compatibility);
    if (change.action === 'create' || change.fields.some((f) => f.field === 'schema')) await sr.register(spec);
    return 'kept';
  },
};
