/**
 * `streamt schemas pull`: which (subject, version) pairs the project needs, fetched through an
 * injected reader (the registry adapter), references followed; the result is a new lock and a
 * list of what changed against the old one. No I/O of its own.
 */
import { sortLocked, type LockedSchema, type SchemaLock } from './lock.js';

export interface LockRequest {
  subject: string;
  /** A pinned version; undefined: the newest. */
  version?: number;
  /** Named explicitly (schema.subject, schema_ref, a version): its absence from the registry is an error. */
  required: boolean;
  /** The sources that read it, for messages. */
  sources: string[];
}

export type FetchVersion = (subject: string, version: number | 'latest') => Promise<LockedSchema | undefined>;

export interface PullResult {
  lock: SchemaLock;
  errors: string[];
  /** Subjects skipped because the registry does not have them (not named explicitly). */
  skipped: string[];
  changes: { subject: string; before?: number; after: number }[];
}

export async function pullLock(requests: readonly LockRequest[], fetch: FetchVersion, previous?: SchemaLock): Promise<PullResult> {
  const got = new Map<string, LockedSchema>();
  const errors: string[] = [];
  const skipped: string[] = [];
  const key = (s: string, v: number) => `${s}@${v}`;
  const follow = async (entry: LockedSchema, chain: string[]): Promise<void> => {
    for (const r of entry.references) {
      if (got.has(key(r.subject, r.version))) continue;
      const ref = await fetch(r.subject, r.version);
      if (!ref) {
        errors.push(`version ${r.version} of subject "${r.subject}", referenced by ${[...chain, entry.subject].map((c) => `"${c}"`).join(' → ')}, is not in the registry`);
        continue;
      }
      got.set(key(ref.subject, ref.version), ref);
      await follow(ref, [...chain, entry.subject]);
    }
  };
  for (const req of [...requests].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0))) {
    const entry = await fetch(req.subject, req.version ?? 'latest');
    if (!entry) {
      const what = req.version !== undefined ? `version ${req.version} of subject "${req.subject}"` : `subject "${req.subject}"`;
      if (req.required) errors.push(`${what} (read by source ${req.sources.map((s) => `"${s}"`).join(', ')}) is not in the registry`);
      else skipped.push(req.subject);
      continue;
    }
    got.set(key(entry.subject, entry.version), entry);
    await follow(entry, []);
  }
  const lock: SchemaLock = { schemas: sortLocked([...got.values()]) };
  const changes: PullResult['changes'] = [];
  for (const e of lock.schemas) {
    const before = (previous?.schemas ?? []).filter((p) => p.subject === e.subject).map((p) => p.version);
    if (before.includes(e.version)) continue;
    const c: PullResult['changes'][number] = { subject: e.subject, after: e.version };
    if (before.length) c.before = Math.max(...before);
    changes.push(c);
  }
  return { lock, errors, skipped, changes };
}
