/**
 * The planner: a pure function of the declared resources, the observed live state and the
 * ownership record. Everything kind-specific is asked of the kind's handler (the registry in
 * src/adapters/registry.ts); this module never switches over kinds.
 *
 * Nothing the project does not own is ever part of a plan: an undeclared resource is only
 * considered when the record says this project applied it, or (Flink jobs and Gateway
 * interceptors, see ResourceHandler.ownedByName) when its name carries the project's prefix
 * `streamt.<project>.`. Project names cannot contain '.', so that prefix is exact: `pay`'s
 * prefix `streamt.pay.` is never a prefix of another project's names.
 */
import { canonicalJson, contentHash } from '../compile/hash.js';
import { looksSecret } from '../project/yaml.js';
import { handlerFor, HANDLERS } from '../adapters/registry.js';
import type { Blocker, DesiredResource, Observed, OwnershipRecord, Plan, PlanOptions, PlanSummary, RecordEntry, ResourceChange, ResourceKind, SourceLocation } from './types.js';

export interface PlanInput {
  project: string;
  environment: string | null;
  streamtVersion: string;
  createdAt: string;
  desired: DesiredResource[];
  /** addr → observed state, for the desired addresses and every owned one. */
  observed: Map<string, Observed>;
  record: OwnershipRecord;
  options: PlanOptions;
  /** Resolves secret placeholders for comparison (values never enter the plan). */
  resolve: (value: string) => string;
  /** Resolved secret values: redacted from what fingerprints hash. */
  secrets?: readonly string[];
  /** Whether orphans are looked for (not when --select/--exclude narrow the plan). */
  includeOrphans: boolean;
  /**
   * The project position of a blocker that carries a position in a compiled artifact (Flink's
   * "From line X, column Y" in a job's INSERT): src/plan/flink-locate.ts maps it to the model's SQL.
   */
  locate?: (d: DesiredResource, b: Blocker) => SourceLocation | undefined;
}

/**
 * The record entries written by another environment of the project (entries carry the
 * environment that applied them; older ones carry none and are taken as this run's).
 */
export function foreignEntries(record: OwnershipRecord, environment: string | null): Map<string, RecordEntry> {
  const out = new Map<string, RecordEntry>();
  for (const [addr, e] of record.entries) if (e.environment !== undefined && e.environment !== environment) out.set(addr, e);
  return out;
}

function envName(environment: string | null | undefined): string {
  return environment ? `environment ${environment}` : 'no environment (--env not given)';
}

/** ENVIRONMENT_CONFLICT: a declared resource another environment of the project applied on this cluster. */
function environmentConflict(addr: string, other: RecordEntry, project: string, environment: string | null): Blocker {
  return {
    code: 'ENVIRONMENT_CONFLICT',
    message: `${addr} was applied on this cluster by ${envName(other.environment)} of project ${project} (at ${other.applied_at}); this plan is for ${envName(environment)}. Two environments of one project cannot share a Kafka cluster: they share the ownership record's keys and the Flink job names streamt.${project}.<model>, so each would change and prune the other's resources`,
    hint: `give each environment its own cluster (runtime in environments/<name>.yml), or move it: destroy it from ${other.environment ? `--env ${other.environment}` : 'the run without --env'} first`,
  };
}

export function flinkPrefix(project: string): string {
  return `streamt.${project}.`;
}

const REDACTED = '(redacted)';

/**
 * A copy of `value` in which secrets cannot be recognised: the value of every secret-looking key
 * and every occurrence of a resolved secret value become a placeholder. Fingerprints hash this,
 * never a password (a hash of a short password is a password found by brute force).
 */
export function redact(value: unknown, secrets: readonly string[] = [], key = ''): unknown {
  if (typeof value === 'string') {
    if (key && looksSecret(key)) return REDACTED;
    let out = value;
    for (const s of [...secrets].filter((x) => x.length > 0).sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, redact(v, secrets, k)]));
  return value;
}

/** What the fingerprint covers: the observed facts apply depends on (redacted), and the record entry. */
export function fingerprint(observed: Observed | undefined, entry: RecordEntry | undefined, secrets: readonly string[] = []): string {
  const facts: unknown = observed ? redact(handlerFor(observed.kind).fingerprintFacts(observed), secrets) : null;
  return contentHash({ facts, record: entry?.hash ?? null }).slice(7, 23);
}

export function absent(kind: ResourceKind, name: string): Observed {
  return handlerFor(kind).absent(name);
}

function exists(o: Observed | undefined): boolean {
  return !!o && handlerFor(o.kind).exists(o);
}

export function plan(input: PlanInput): Plan {
  const changes: ResourceChange[] = [];
  const declared = new Set(input.desired.map((d) => d.addr));
  const secrets = input.secrets ?? [];
  // Entries another environment of this project wrote on this cluster are not this run's: never
  // its orphans, and a declared resource one of them holds cannot be planned (both environments
  // would apply it under one record key and one job name).
  const foreign = foreignEntries(input.record, input.environment);
  for (const d of input.desired) {
    const h = handlerFor(d.kind);
    const other = foreign.get(d.addr);
    const entry = other ? undefined : input.record.entries.get(d.addr);
    const o = input.observed.get(d.addr) ?? h.absent(d.name);
    const p = h.diff(d, o, entry, { allowStateReset: input.options.allowStateReset, resolve: input.resolve });
    if (p.blocked && input.locate) {
      const loc = input.locate(d, p.blocked);
      if (loc) p.blocked.location = loc;
    }
    const c: ResourceChange = {
      addr: d.addr,
      kind: d.kind,
      name: d.name,
      owner: d.owner,
      orphan: false,
      ...p,
      fingerprint: fingerprint(o, entry, secrets),
      dependsOn: d.dependsOn,
      impacts: d.impacts,
    };
    if (p.action !== 'no-op') {
      c.desired = d.spec;
      c.hash = d.hash;
    }
    if (h.changeFacts) Object.assign(c, h.changeFacts(d, o, entry, p));
    if (other) c.blocked = environmentConflict(d.addr, other, input.project, input.environment);
    if (d.notes?.length) c.warnings = [...(c.warnings ?? []), ...d.notes];
    // A resource that already matches but was never recorded (e.g. apply stopped before writing
    // the record) is adopted by recording it: an update without changes to the live system.
    // Never a read-only one: it is not this project's to record.
    if (!d.readOnly && p.action === 'no-op' && (!entry || entry.hash !== d.hash) && exists(o)) {
      c.action = 'update';
      c.reasons = [entry ? 'matches the declaration; the record is refreshed' : 'matches the declaration but is not recorded as applied by this project: record it'];
      c.desired = d.spec;
      c.hash = d.hash;
      if (h.hasSteps) c.steps = [];
      c.recordOnly = true;
    }
    changes.push(c);
  }

  if (input.includeOrphans) {
    const orphanAddrs = new Map<string, { kind: ResourceKind; name: string; entry?: RecordEntry }>();
    for (const [addr, e] of input.record.entries) if (!declared.has(addr) && !foreign.has(addr)) orphanAddrs.set(addr, { kind: e.kind, name: e.name, entry: e });
    for (const [addr, o] of input.observed) {
      if (declared.has(addr) || orphanAddrs.has(addr) || foreign.has(addr)) continue;
      // Owned by name (Flink jobs and Gateway interceptors named streamt.<project>.*).
      const h = handlerFor(o.kind);
      if (h.ownedByName?.(o, input.project) && h.exists(o)) orphanAddrs.set(addr, { kind: o.kind, name: String(o.name ?? o.subject ?? addr) });
    }
    for (const [addr, { kind, name, entry }] of [...orphanAddrs].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const h = handlerFor(kind);
      const o = input.observed.get(addr) ?? h.absent(name);
      const live = h.exists(o);
      const c: ResourceChange = {
        addr,
        kind,
        name,
        owner: entry?.owner ?? null,
        orphan: true,
        action: 'no-op',
        reasons: [],
        fields: [],
        fingerprint: fingerprint(o, entry, secrets),
        dependsOn: [],
        impacts: [],
      };
      if (h.deletable && !h.deletable(entry)) {
        // E.g. a source's subject recorded by an older streamt: it belongs to its producer.
        if (!input.options.prune) c.reasons.push('recorded, but read-only (a source subject belongs to its producer): never deleted; --prune forgets the record entry');
        else {
          c.action = 'delete';
          c.recordOnly = true;
          c.reasons.push('read-only (a source subject belongs to its producer): only the record entry is removed (--prune), the subject is kept');
        }
      } else if (!input.options.prune) c.reasons.push(live ? 'orphan: owned by this project but no longer declared; plan with --prune to delete it' : 'orphan record: the resource is already gone; --prune forgets it');
      else {
        c.action = 'delete';
        c.reasons.push(live ? 'orphan: no longer declared (--prune)' : 'already gone: only the record entry is removed (--prune)');
        if (entry) c.desired = entry.spec;
        if (h.orphanDelete) Object.assign(c, h.orphanDelete(o, entry));
        if (h.hasSteps && !live) c.steps = [];
      }
      changes.push(c);
    }
    // Deletes run consumers first: jobs, connectors and rules before the topics and subjects.
    const deletes = changes.filter((c) => c.action === 'delete');
    const last = new Set(HANDLERS.filter((h) => h.deletesAfterConsumers).map((h) => h.kind));
    for (const c of deletes) {
      if (last.has(c.kind)) c.dependsOn = deletes.filter((x) => !last.has(x.kind)).map((x) => x.addr).sort();
    }
  }

  changes.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  return {
    format: 'streamt-plan',
    format_version: 1,
    project: input.project,
    environment: input.environment,
    created_at: input.createdAt,
    streamt_version: input.streamtVersion,
    options: input.options,
    changes,
    summary: summarize(changes),
  };
}

export function summarize(changes: readonly ResourceChange[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, replace: 0, delete: 0, no_op: 0, blocked: 0, orphans_kept: 0 };
  for (const c of changes) {
    if (c.blocked) s.blocked++;
    if (c.action === 'no-op') {
      s.no_op++;
      if (c.orphan) s.orphans_kept++;
    } else s[c.action]++;
  }
  return s;
}

export function hasChanges(p: Plan): boolean {
  return p.changes.some((c) => c.action !== 'no-op');
}

/** Changes apply would carry out, in a stable order. */
export function actionable(p: Plan): ResourceChange[] {
  return p.changes.filter((c) => c.action !== 'no-op');
}

export function isDestructive(c: ResourceChange): boolean {
  return c.action === 'delete' || c.action === 'replace';
}

export { canonicalJson };
