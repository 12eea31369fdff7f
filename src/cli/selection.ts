/**
 * `--select`/`--exclude`/`--state` for every command that works on nodes: the selector context
 * (the saved manifest of `--state` against the project as it compiles now) and one `select`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { error, hasErrors, type Diagnostic } from '../core/diagnostics.js';
import { compileProject } from '../compile/compile.js';
import type { Manifest } from '../manifest/schema.js';
import type { NodeId } from '../project/types.js';
import type { ResolvedProject } from '../resolve/types.js';
import { select, type SelectContext } from '../select/selector.js';
import { nodeFingerprints } from '../select/state.js';

export interface SelectionOptions {
  select?: string[] | undefined;
  exclude?: string[] | undefined;
  /** Folder with the manifest.json of an earlier compile (state:modified, state:new). */
  state?: string | undefined;
}

/** Reads --state and fingerprints both manifests; only when a selector uses state:. */
export function selectContext(resolved: ResolvedProject, opts: SelectionOptions, cwd = process.cwd()): { context: SelectContext; diagnostics: Diagnostic[] } {
  if (!opts.state) return { context: {}, diagnostics: [] };
  const dir = resolve(cwd, opts.state);
  const file = existsSync(dir) && statSync(dir).isFile() ? dir : join(dir, 'manifest.json');
  let previous: Manifest;
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    if (typeof previous?.manifest_version !== 'number') throw new Error('not a streamt manifest');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    return { context: {}, diagnostics: [error('STATE_NOT_FOUND', `--state ${opts.state}: cannot read ${file} (${why})`, { hint: 'point --state at the generated/ folder (or a copy of its manifest.json) of the run to compare with' })] };
  }
  const now = compileProject(resolved, { compiledAt: '1970-01-01T00:00:00.000Z' });
  return { context: { state: { previous: nodeFingerprints(previous), current: nodeFingerprints(now.manifest) } }, diagnostics: [] };
}

/** The selected node ids (undefined: no selection, i.e. everything) and their diagnostics. */
export function selectNodes(resolved: ResolvedProject, opts: SelectionOptions): { ids?: Set<NodeId>; context: SelectContext; diagnostics: Diagnostic[] } {
  const { context, diagnostics } = selectContext(resolved, opts);
  if (hasErrors(diagnostics)) return { context, diagnostics };
  if (!opts.select?.length && !opts.exclude?.length) return { context, diagnostics };
  const sel = select(resolved, opts.select ?? [], opts.exclude ?? [], context);
  return { ids: sel.ids, context, diagnostics: [...diagnostics, ...sel.diagnostics] };
}
