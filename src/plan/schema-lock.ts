/**
 * plan compares schemas.lock.yml with the registry (issue 12): a producer that registered a newer
 * version of a subject a source reads (unpinned) is reported, and every model is re-checked
 * against the newer schema, so a dropped or retyped field that a model reads fails the plan
 * naming the model and the column. The subject itself is never touched.
 */
import { error, warning, type Diagnostic } from '../core/diagnostics.js';
import type { Project } from '../project/types.js';
import { resolveProject } from '../resolve/resolve.js';
import { sourceSubject } from '../resolve/source-schemas.js';
import type { ResolvedProject } from '../resolve/types.js';
import { lockedEntry, LOCK_FILE, PULL_COMMAND, sortLocked, type LockedSchema } from '../schemas/lock.js';
import { pullLock, type FetchVersion, type LockRequest } from '../schemas/pull.js';

export interface NewerVersion {
  subject: string;
  locked: number;
  latest: number;
  sources: string[];
}

/** The registry's newest versions of the locked, unpinned subjects (and what they reference). */
export async function newerVersions(project: Project, fetch: FetchVersion): Promise<{ newer: NewerVersion[]; entries: LockedSchema[] }> {
  const lock = project.schemaLock;
  if (!lock) return { newer: [], entries: [] };
  const requests = new Map<string, LockRequest>();
  for (const s of project.sources) {
    const wanted = sourceSubject(s);
    if (!wanted || wanted.version !== undefined || !lockedEntry(lock, wanted.subject)) continue;
    const r = requests.get(wanted.subject) ?? { subject: wanted.subject, required: false, sources: [] };
    r.sources.push(s.name);
    requests.set(wanted.subject, r);
  }
  if (!requests.size) return { newer: [], entries: [] };
  const pulled = await pullLock([...requests.values()], fetch);
  const newer: NewerVersion[] = [];
  for (const r of requests.values()) {
    const locked = lockedEntry(lock, r.subject)!;
    const latest = lockedEntry(pulled.lock, r.subject);
    if (latest && latest.version > locked.version) newer.push({ subject: r.subject, locked: locked.version, latest: latest.version, sources: r.sources });
  }
  return { newer, entries: pulled.lock.schemas };
}

/** Pure: the project re-resolved with the newer versions; new errors become PLAN_SCHEMA_BREAKS_MODEL. */
export function recheckWithNewer(project: Project, resolved: ResolvedProject, newer: NewerVersion[], entries: LockedSchema[]): Diagnostic[] {
  if (!newer.length) return [];
  const out: Diagnostic[] = [];
  for (const n of newer) {
    out.push(
      warning('PLAN_SCHEMA_NEWER_VERSION', `Subject "${n.subject}" (source ${n.sources.map((s) => `"${s}"`).join(', ')}) has version ${n.latest} in the registry; ${LOCK_FILE} has version ${n.locked}. The subject is left as it is; every model was re-checked against version ${n.latest}`, {
        hint: `"${PULL_COMMAND}" moves the lock forward (then commit ${LOCK_FILE})`,
      }),
    );
  }
  const lock = project.schemaLock!;
  const have = new Set(lock.schemas.map((s) => `${s.subject}@${s.version}`));
  const forward = { ...project, schemaLock: { schemas: sortLocked([...lock.schemas, ...entries.filter((e) => !have.has(`${e.subject}@${e.version}`))]) } };
  const before = new Set(resolved.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.node} ${d.message}`));
  const after = resolveProject(forward).diagnostics.filter((d) => d.severity === 'error' && !before.has(`${d.code} ${d.node} ${d.message}`));
  const versions = newer.map((n) => `version ${n.latest} of "${n.subject}"`).join(', ');
  for (const d of after) {
    const node = d.node ?? '';
    const what = node.startsWith('model.') ? `model "${node.slice(6)}"` : node.startsWith('source.') ? `source "${node.slice(7)}"` : node || 'the project';
    out.push(
      error('PLAN_SCHEMA_BREAKS_MODEL', `${versions} breaks ${what}: ${d.message}`, {
        ...(d.file ? { file: d.file } : {}),
        ...(d.line !== undefined ? { line: d.line } : {}),
        ...(d.column !== undefined ? { column: d.column } : {}),
        ...(d.node ? { node: d.node } : {}),
        hint: `the producer dropped or retyped a field ${what} reads: ask them to restore it (a compatible change), or change ${what}; "${PULL_COMMAND}" only moves the lock once the project resolves against the new version`,
      }),
    );
  }
  return out;
}
