/**
 * `streamt schemas pull`: fetches every registry subject the project's sources read (version,
 * id, schema, references) into schemas.lock.yml, so validate and compile never need the registry.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { error, hasErrors, warning, type Diagnostic } from '../../core/diagnostics.js';
import { SchemaRegistryAdapter } from '../../adapters/schema-registry/client.js';
import { readProjectFiles } from '../../project/files.js';
import { loadProject } from '../../project/load.js';
import type { Project } from '../../project/types.js';
import { sourceSubject } from '../../resolve/source-schemas.js';
import { LOCK_FILE, parseLock, renderLock } from '../../schemas/lock.js';
import { pullLock, type LockRequest } from '../../schemas/pull.js';
import type { Output } from '../../ui/output.js';
import { serviceDiagnostic } from '../live.js';
import type { GlobalOptions } from '../pipeline.js';
import { reporter } from '../report.js';

/** The (subject, version) pairs the project's sources read from the registry. */
export function lockRequests(project: Project): LockRequest[] {
  const bySubject = new Map<string, LockRequest>();
  for (const s of project.sources) {
    const wanted = sourceSubject(s);
    if (!wanted) continue;
    const k = `${wanted.subject}@${wanted.version ?? 'latest'}`;
    const r = bySubject.get(k) ?? { subject: wanted.subject, required: false, sources: [] };
    if (wanted.version !== undefined) r.version = wanted.version;
    r.required ||= wanted.explicit;
    r.sources.push(s.name);
    bySubject.set(k, r);
  }
  return [...bySubject.values()];
}

export async function schemasPullCommand(opts: GlobalOptions & { format?: 'text' | 'json' }, out: Output, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const root = resolvePath(opts.projectDir);
  const report = reporter(out, 'streamt-schemas-pull', { json: opts.format === 'json', root });
  const c = out.errColor;
  const loadOpts: Parameters<typeof loadProject>[1] = { processEnv: env };
  if (opts.env !== undefined) loadOpts.env = opts.env;
  if (env.STREAMT_ENV) loadOpts.envFromVariable = env.STREAMT_ENV;
  // A missing or stale lock must not keep pull from running: load only, do not resolve.
  const loaded = loadProject(readProjectFiles(root), loadOpts);
  const project = loaded.project;
  if (project) out.addSecrets(project.secrets);
  const fatal = loaded.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'SCHEMA_LOCK_INVALID');
  if (!project || fatal.length) {
    report.diagnostics(loaded.diagnostics);
    return report.finish(false, {}, `${c.red('✗')} Not pulled: the project does not load; run streamt validate for details`);
  }
  const requests = lockRequests(project);
  const lockPath = join(root, LOCK_FILE);
  const previous = existsSync(lockPath) ? parseLock(readFileSync(lockPath, 'utf8')).lock : undefined;
  if (!requests.length) {
    return report.finish(true, { lock_file: LOCK_FILE, written: false, schemas: [], changes: [] }, `No source reads its schema from the registry: nothing to lock${previous ? ` (${LOCK_FILE} is left as it is)` : ''}`);
  }
  const sr = project.runtime.schema_registry;
  if (!sr?.url) {
    report.diagnostics([error('SCHEMA_PULL_FAILED', `${requests.length} subject(s) to lock, and runtime.schema_registry is not configured`, { file: project.projectFile, line: 1, column: 1, hint: 'add runtime.schema_registry.url' })]);
    return report.finish(false, {}, `${c.red('✗')} ${LOCK_FILE} not written`);
  }
  const registry = new SchemaRegistryAdapter(sr);
  try {
    const result = await pullLock(requests, (subject, version) => registry.version(subject, version), previous);
    const diagnostics: Diagnostic[] = [
      ...result.errors.map((m) => error('SCHEMA_PULL_FAILED', m, { hint: 'register it, fix schema.subject / schema.version, or give the schema inline as schema.definition' })),
      ...result.skipped.map((s) => warning('SCHEMA_PULL_FAILED', `subject "${s}" is not in the registry: its source keeps its declared columns`, { hint: 'set schema.subject if the subject has another name' })),
    ];
    report.diagnostics(diagnostics);
    if (hasErrors(diagnostics)) return report.finish(false, {}, `${c.red('✗')} ${LOCK_FILE} not written`);
    const text = renderLock(result.lock);
    const unchanged = existsSync(lockPath) && readFileSync(lockPath, 'utf8') === text;
    if (!unchanged) {
      const tmp = `${lockPath}.tmp-${process.pid}`;
      writeFileSync(tmp, text);
      renameSync(tmp, lockPath);
    }
    if (!report.json) for (const ch of result.changes) out.out(ch.before === undefined ? `  + ${ch.subject} version ${ch.after}` : `  ~ ${ch.subject} version ${ch.before} → ${ch.after}`);
    const body = { lock_file: LOCK_FILE, written: !unchanged, schemas: result.lock.schemas.map((s) => ({ subject: s.subject, version: s.version, id: s.id, schema_type: s.schemaType })), changes: result.changes };
    return report.finish(true, body, `${c.green('✓')} ${LOCK_FILE}: ${result.lock.schemas.length} schema(s)${unchanged ? ', unchanged' : result.changes.length ? `, ${result.changes.length} changed` : ''}`);
  } catch (e) {
    const d = serviceDiagnostic(e, project);
    if (!d) throw e;
    report.diagnostics([d]);
    return report.finish(false, {}, `${c.red('✗')} ${LOCK_FILE} not written: the registry failed`);
  }
}
