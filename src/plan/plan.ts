/**
 * The planner: a pure function of the declared resources, the observed live state and the
 * ownership record. Nothing the project does not own is ever part of a plan: an undeclared
 * resource is only considered when the record says this project applied it, or (Flink jobs and
 * Gateway interceptors) when its name carries the project's prefix `streamt.<project>.`.
 */
import { canonicalJson, contentHash } from '../compile/hash.js';
import type { ConnectorSpec, FlinkJobSpec, TopicSpec } from '../compile/types.js';
import { diffConnector } from '../adapters/connect/diff.js';
import { diffFlinkJob } from '../adapters/flink/diff.js';
import { diffGatewayRule } from '../adapters/gateway/diff.js';
import { diffTopic } from '../adapters/kafka/diff.js';
import { diffSubject } from '../adapters/schema-registry/diff.js';
import type { DesiredResource, Observed, OwnershipRecord, Plan, PlanOptions, PlanSummary, Proposal, RecordEntry, ResourceChange, ResourceKind } from './types.js';

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
  /** Whether orphans are looked for (not when --select/--exclude narrow the plan). */
  includeOrphans: boolean;
}

export function flinkPrefix(project: string): string {
  return `streamt.${project}.`;
}

/** What the fingerprint covers: the observed facts apply depends on, and the record entry. */
export function fingerprint(observed: Observed | undefined, entry: RecordEntry | undefined): string {
  let facts: unknown = null;
  if (observed) {
    switch (observed.kind) {
      case 'topic':
        facts = { exists: observed.exists, partitions: observed.partitions, rf: observed.replicationFactor, config: observed.config };
        break;
      case 'flink_job':
        facts = { jobs: observed.active.map((j) => j.jid).sort(), savepoint: observed.lastSavepoint ?? null };
        break;
      case 'connector':
        facts = { exists: observed.exists, config: observed.config };
        break;
      case 'subject':
        facts = { exists: observed.exists, version: observed.latest?.version, id: observed.latest?.id, compatibility: observed.compatibility };
        break;
      case 'gateway_rule':
        facts = { exists: observed.exists, resource: observed.resource };
        break;
    }
  }
  return contentHash({ facts, record: entry?.hash ?? null }).slice(7, 23);
}

export function absent(kind: ResourceKind, name: string): Observed {
  switch (kind) {
    case 'topic':
      return { kind, name, exists: false };
    case 'flink_job':
      return { kind, name, active: [] };
    case 'connector':
      return { kind, name, exists: false };
    case 'subject':
      return { kind, subject: name, exists: false };
    case 'gateway_rule':
      return { kind, name, ruleKind: 'Interceptor', exists: false };
  }
}

function proposeDesired(d: DesiredResource, o: Observed, entry: RecordEntry | undefined, input: PlanInput): Proposal {
  switch (d.kind) {
    case 'topic':
      return diffTopic(d.spec, o as Extract<Observed, { kind: 'topic' }>, entry?.kind === 'topic' ? (entry.spec as TopicSpec) : undefined);
    case 'flink_job':
      return diffFlinkJob({ spec: d.spec, hash: d.hash, stateful: d.stateful }, o as Extract<Observed, { kind: 'flink_job' }>, entry?.kind === 'flink_job' ? { hash: entry.hash, spec: entry.spec as FlinkJobSpec, ...(entry.savepoint ? { savepoint: entry.savepoint } : {}) } : undefined, { allowStateReset: input.options.allowStateReset });
    case 'connector':
      return diffConnector(d.spec, o as Extract<Observed, { kind: 'connector' }>, input.resolve, entry?.kind === 'connector' ? (entry.spec as ConnectorSpec) : undefined);
    case 'subject':
      return diffSubject(d.spec, o as Extract<Observed, { kind: 'subject' }>);
    case 'gateway_rule':
      return diffGatewayRule(d.spec, o as Extract<Observed, { kind: 'gateway_rule' }>);
  }
}

function exists(o: Observed | undefined): boolean {
  if (!o) return false;
  return o.kind === 'flink_job' ? o.active.length > 0 : o.exists;
}

export function plan(input: PlanInput): Plan {
  const changes: ResourceChange[] = [];
  const declared = new Set(input.desired.map((d) => d.addr));
  for (const d of input.desired) {
    const entry = input.record.entries.get(d.addr);
    const o = input.observed.get(d.addr) ?? absent(d.kind, d.name);
    const p = proposeDesired(d, o, entry, input);
    const c: ResourceChange = {
      addr: d.addr,
      kind: d.kind,
      name: d.name,
      owner: d.owner,
      orphan: false,
      ...p,
      fingerprint: fingerprint(o, entry),
      dependsOn: d.dependsOn,
      impacts: d.impacts,
    };
    if (p.action !== 'no-op') {
      c.desired = d.spec;
      c.hash = d.hash;
    }
    if (d.kind === 'flink_job') {
      c.stateful = d.stateful;
      const jobs = (o as Extract<Observed, { kind: 'flink_job' }>).active.map((j) => j.jid);
      if (jobs.length && p.action !== 'no-op') c.live = { jobIds: jobs };
      const sp = (o as Extract<Observed, { kind: 'flink_job' }>).lastSavepoint ?? entry?.savepoint;
      if (p.steps?.includes('submit-from-savepoint') && !jobs.length && sp) c.live = { savepoint: sp };
    }
    // A resource that already matches but was never recorded (e.g. apply stopped before writing
    // the record) is adopted by recording it: an update without changes to the live system.
    if (p.action === 'no-op' && (!entry || entry.hash !== d.hash) && exists(o)) {
      c.action = 'update';
      c.reasons = [entry ? 'matches the declaration; the record is refreshed' : 'matches the declaration but is not recorded as applied by this project: record it'];
      c.desired = d.spec;
      c.hash = d.hash;
      if (d.kind === 'flink_job') c.steps = [];
      c.recordOnly = true;
    }
    changes.push(c);
  }

  if (input.includeOrphans) {
    const orphanAddrs = new Map<string, { kind: ResourceKind; name: string; entry?: RecordEntry }>();
    for (const [addr, e] of input.record.entries) if (!declared.has(addr)) orphanAddrs.set(addr, { kind: e.kind, name: e.name, entry: e });
    for (const [addr, o] of input.observed) {
      if (declared.has(addr) || orphanAddrs.has(addr)) continue;
      // Owned by name: Flink jobs and Gateway interceptors named streamt.<project>.*
      const name = o.kind === 'subject' ? o.subject : o.name;
      if ((o.kind === 'flink_job' || o.kind === 'gateway_rule') && name.startsWith(flinkPrefix(input.project)) && exists(o)) orphanAddrs.set(addr, { kind: o.kind, name });
    }
    for (const [addr, { kind, name, entry }] of [...orphanAddrs].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const o = input.observed.get(addr) ?? absent(kind, name);
      const live = exists(o);
      const c: ResourceChange = {
        addr,
        kind,
        name,
        owner: entry?.owner ?? null,
        orphan: true,
        action: 'no-op',
        reasons: [],
        fields: [],
        fingerprint: fingerprint(o, entry),
        dependsOn: [],
        impacts: [],
      };
      if (!input.options.prune) c.reasons.push(live ? 'orphan: owned by this project but no longer declared; plan with --prune to delete it' : 'orphan record: the resource is already gone; --prune forgets it');
      else {
        c.action = 'delete';
        c.reasons.push(live ? 'orphan: no longer declared (--prune)' : 'already gone: only the record entry is removed (--prune)');
        if (kind === 'flink_job') {
          c.steps = live ? ['cancel'] : [];
          const jobs = (o as Extract<Observed, { kind: 'flink_job' }>).active.map((j) => j.jid);
          if (jobs.length) c.live = { jobIds: jobs };
        }
        if (entry) c.desired = entry.spec;
        if (kind === 'gateway_rule' && !entry && o.kind === 'gateway_rule' && o.resource) c.desired = { name, kind: o.ruleKind, resource: o.resource as never };
      }
      changes.push(c);
    }
    // Deletes run consumers first: jobs, connectors and rules before the topics and subjects.
    const deletes = changes.filter((c) => c.action === 'delete');
    for (const c of deletes) {
      if (c.kind === 'topic' || c.kind === 'subject') c.dependsOn = deletes.filter((x) => x.kind !== 'topic' && x.kind !== 'subject').map((x) => x.addr).sort();
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
