/**
 * The steps shared by `plan`, `apply` and `status`: compile the (selected) project, read the
 * ownership record, observe the live systems, plan; check a saved plan against the live state;
 * apply a plan. I/O happens only through `LiveSystems` (the adapters).
 */
import { hasErrors, type Diagnostic } from '../core/diagnostics.js';
import { compileProject } from '../compile/compile.js';
import type { CompileResult } from '../compile/types.js';
import type { NodeId, Project } from '../project/types.js';
import type { ResolvedProject } from '../resolve/types.js';
import { select, type SelectContext } from '../select/selector.js';
import { LiveSystems, secretResolver } from '../adapters/live.js';
import { desiredResources } from '../plan/desired.js';
import { flinkBlockerLocator } from '../plan/flink-locate.js';
import { contentHash } from '../compile/hash.js';
import { hasHandler } from '../adapters/registry.js';
import { absent, actionable, fingerprint, plan } from '../plan/plan.js';
import type { DesiredResource, Observed, OwnershipRecord, Plan, PlanOptions, RecordEntry, ResourceChange } from '../plan/types.js';
import { execute, type ExecuteEvents, type Outcome } from './execute.js';
import { ApplyLease, type LeaseHolder, type LeaseLog } from './lease.js';
import { leasePrefix } from '../adapters/kafka/record.js';

export interface Compiled {
  result: CompileResult;
  /** The resolved project it was compiled from (plan maps Flink's positions back to the models' SQL). */
  resolved: ResolvedProject;
  desired: DesiredResource[];
  selected: boolean;
  resolve: (s: string) => string;
  /** Resolved secret values (redacted from what fingerprints hash; never printed or saved). */
  secrets: string[];
}

export function compileForLive(resolved: ResolvedProject, sel: { select?: string[] | undefined; exclude?: string[] | undefined; context?: SelectContext }, now: Date, streamtVersion: string): { compiled?: Compiled; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let selection: Set<NodeId> | undefined;
  if (sel.select?.length || sel.exclude?.length) {
    const s = select(resolved, sel.select ?? [], sel.exclude ?? [], sel.context);
    diagnostics.push(...s.diagnostics);
    if (hasErrors(s.diagnostics)) return { diagnostics };
    selection = s.ids;
  }
  const opts: Parameters<typeof compileProject>[1] & { streamtVersion?: string } = { compiledAt: now.toISOString(), streamtVersion };
  if (selection) {
    opts.selection = selection;
    opts.selectors = { select: sel.select ?? [], exclude: sel.exclude ?? [] };
  }
  const result = compileProject(resolved, opts);
  diagnostics.push(...result.diagnostics);
  if (hasErrors(result.diagnostics)) return { diagnostics };
  return { compiled: { result, resolved, desired: desiredResources(result.manifest, result.artifacts), selected: !!selection, resolve: secretResolver(result.secrets), secrets: [...result.secrets.values()] }, diagnostics };
}

export function liveSystems(project: Project, o: { timeLimitMs?: number } = {}): LiveSystems {
  return new LiveSystems(project.runtime, project.name, { ...o, environment: project.environment?.name ?? null });
}

/** The ownership record's lease partition, as the apply lease reads and writes it (./lease.ts). */
export function leaseLog(live: LiveSystems): LeaseLog {
  const store = live.records();
  return { append: (key, value) => store.appendLease(key, value), read: (from) => store.readLease(from) };
}

/**
 * Runs `change` holding the apply lease of the project and environment, as apply does (waiting
 * up to `timeoutMs` for an apply that holds it; LeaseHeldError when it is still held), and
 * releases it after. For the live changes other commands make (test's pause_model).
 */
export async function underApplyLease<T>(live: LiveSystems, project: Project, o: { holder: LeaseHolder; streamtVersion: string; timeoutMs: number }, change: () => Promise<T>): Promise<T> {
  const environment = project.environment?.name ?? null;
  const lease = await ApplyLease.acquire(leaseLog(live), { prefix: leasePrefix(project.name, environment), project: project.name, environment, holder: o.holder, streamtVersion: o.streamtVersion, timeoutMs: o.timeoutMs });
  try {
    return await change();
  } finally {
    await lease.release().catch(() => {});
  }
}

export async function makePlan(live: LiveSystems, project: Project, compiled: Compiled, options: PlanOptions, now: Date, streamtVersion: string): Promise<{ plan: Plan; record: OwnershipRecord; observed: Map<string, Observed> }> {
  const record = await live.readRecord();
  const observed = await live.observe(compiled.desired, record, { orphans: !compiled.selected, resolve: compiled.resolve });
  const p = plan({
    project: project.name,
    environment: project.environment?.name ?? null,
    streamtVersion,
    createdAt: now.toISOString(),
    desired: compiled.desired,
    observed,
    record,
    options,
    resolve: compiled.resolve,
    secrets: compiled.secrets,
    includeOrphans: !compiled.selected,
    locate: flinkBlockerLocator(compiled.resolved),
  });
  return { plan: p, record, observed };
}

/** The planned changes as resources to observe again (stale check). */
function plannedResources(p: Plan, record: OwnershipRecord): DesiredResource[] {
  const out: DesiredResource[] = [];
  for (const c of actionable(p)) {
    const spec = c.desired ?? record.entries.get(c.addr)?.spec;
    if (!spec) continue;
    out.push({ addr: c.addr, name: c.name, owner: c.owner ?? '', hash: c.hash ?? '', dependsOn: [], impacts: [], kind: c.kind, spec, ...(c.stateful !== undefined ? { stateful: !!c.stateful } : {}) });
  }
  return out;
}

export interface Staleness {
  addr: string;
  planned: string;
  now: string;
}

/** Re-observes the planned resources; any fingerprint that moved makes the plan stale. */
export async function staleChanges(live: LiveSystems, p: Plan, resolve: (s: string) => string, secrets: readonly string[] = []): Promise<{ stale: Staleness[]; record: OwnershipRecord }> {
  const record = await live.readRecord();
  const observed = await live.observe(plannedResources(p, record), record, { orphans: true, resolve, validate: false });
  const stale: Staleness[] = [];
  for (const c of actionable(p)) {
    const now = fingerprint(observed.get(c.addr) ?? absent(c.kind, c.name), record.entries.get(c.addr), secrets);
    if (now !== c.fingerprint) stale.push({ addr: c.addr, planned: c.fingerprint, now });
  }
  return { stale, record };
}

export async function applyPlan(
  live: LiveSystems,
  p: Plan,
  record: OwnershipRecord,
  resolve: (s: string) => string,
  o: {
    parallelism: number;
    streamtVersion: string;
    now: () => Date;
    events?: ExecuteEvents;
    progress?: (addr: string, msg: string) => void;
    /**
     * Throws when this apply may no longer change anything (the apply lease was lost), or start
     * another change (interrupted): checked before every change, and before every step of a
     * change with several.
     */
    guard?: (at: 'change' | 'step') => void;
  },
): Promise<Outcome[]> {
  const changes = actionable(p);
  const byAddr = new Map(changes.map((c) => [c.addr, c]));
  const writeRecord = async (addr: string, entry: RecordEntry | null) => live.records().write(p.project, [{ addr, entry }]);
  return execute(
    changes,
    async (t) => {
      const c = byAddr.get(t.addr) as ResourceChange;
      o.guard?.('change');
      const previous = record.entries.get(c.addr);
      const meta: Parameters<LiveSystems['apply']>[2] = {
        streamtVersion: o.streamtVersion,
        now: o.now,
        progress: (msg) => o.progress?.(c.addr, msg),
        record: (e) => writeRecord(c.addr, e),
      };
      if (previous) meta.previous = previous;
      const guard = o.guard;
      if (guard) meta.guard = () => guard('step');
      const entry = await live.apply(c, resolve, meta);
      await writeRecord(c.addr, entry);
    },
    { parallelism: o.parallelism, ...(o.events ? { events: o.events } : {}) },
  );
}

/** The checksum a saved plan carries: the content hash of the plan without its checksum. */
export function planChecksum(p: Plan): string {
  const { checksum: _checksum, ...rest } = p;
  return contentHash(rest);
}

/** The plan as `plan --out` saves it: with its checksum. */
export function sealPlan(p: Plan): Plan {
  return { ...p, checksum: planChecksum(p) };
}

/**
 * Problems of a saved plan against its own hashes (empty: intact). Each change that writes a
 * spec must carry the content hash of that spec (the hash the record keeps, computed by
 * src/compile/hash.ts), and the plan as a whole must match its checksum: an edited plan (a
 * changed statement, a removed blocker, an added delete) is refused, not applied.
 */
export function verifySavedPlan(p: Plan): string[] {
  const problems: string[] = [];
  if (typeof p.checksum !== 'string') problems.push('it carries no checksum (it was not written by streamt plan --out, or by an older streamt)');
  else if (p.checksum !== planChecksum(p)) problems.push('its checksum does not match its content: the plan was edited after streamt plan wrote it');
  for (const c of p.changes ?? []) {
    if (!hasHandler(c.kind)) problems.push(`${c.addr}: unknown resource kind "${c.kind}"`);
    if (c.action === 'delete' || c.action === 'no-op' || c.desired === undefined) continue;
    if (!c.hash) problems.push(`${c.addr}: the change has a spec but no hash`);
    else if (c.hash !== contentHash(c.desired)) problems.push(`${c.addr}: the spec does not match its hash ${c.hash.slice(0, 19)}…`);
  }
  return problems;
}
