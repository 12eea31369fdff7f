/**
 * `streamt clean` (dbt clean): removes what streamt generated in the project, `generated/`,
 * `site/` and validate's cache `.streamt/` by default, or the folders named with `--target`. Only
 * folders streamt wrote are removed (a compile's manifest.json, a docs site's marker, only
 * run_results.json, or only validate's cache), and only
 * inside the project folder; anything else is refused and left as it is.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { error, type Diagnostic } from '../../core/diagnostics.js';
import { SITE_MARKER } from '../../docs/index.js';
import type { Output } from '../../ui/output.js';
import { findProjectRoot } from '../project-dir.js';
import { reporter } from '../report.js';
import type { GlobalOptions } from '../pipeline.js';

export interface CleanOptions extends GlobalOptions {
  target?: string[];
  format?: 'text' | 'json';
}

export const DEFAULT_CLEAN_TARGETS = ['generated', 'site', '.streamt'];

/** validate's cache folder (.streamt/ holding only cache/validate.bin, cache/memo.log and their temporary files). */
function isValidateCache(dir: string, entries: string[]): boolean {
  if (!entries.length || !entries.every((e) => e === 'cache')) return false;
  const cache = resolve(dir, 'cache');
  return statSync(cache).isDirectory() && readdirSync(cache).every((e) => /^(validate\.bin|memo\.log)(\..*\.tmp)?$/.test(e));
}

/** Why a folder must not be removed (undefined: it is streamt's output). */
function refusal(dir: string): string | undefined {
  if (!statSync(dir).isDirectory()) return 'it is not a folder';
  const entries = readdirSync(dir);
  if (!entries.length || entries.includes(SITE_MARKER) || isValidateCache(dir, entries)) return undefined;
  if (entries.includes('manifest.json')) {
    try {
      const m = JSON.parse(readFileSync(resolve(dir, 'manifest.json'), 'utf8')) as { manifest_version?: unknown };
      if (typeof m.manifest_version === 'number') return undefined;
    } catch {
      /* not ours */
    }
  }
  if (entries.every((e) => e === 'run_results.json' || e.startsWith('run_results.json.tmp'))) return undefined;
  return `it holds files streamt did not write (no manifest.json or ${SITE_MARKER})`;
}

export function cleanCommand(opts: CleanOptions, out: Output): number {
  const json = opts.format === 'json';
  const root = resolve(opts.projectDir);
  const report = reporter(out, 'streamt-clean', { json });
  if (findProjectRoot(root) !== root) {
    report.diagnostics([error('PROJECT_NOT_FOUND', `No stream_project.yml found in ${root}`, { hint: 'run it in a project folder, or pass --project-dir <folder>' })]);
    return report.finish(false);
  }
  const removed: string[] = [];
  const problems: Diagnostic[] = [];
  for (const t of opts.target?.length ? opts.target : DEFAULT_CLEAN_TARGETS) {
    const dir = resolve(root, t);
    const rel = relative(root, dir);
    if (!rel || rel.startsWith('..') || rel.startsWith(sep) || resolve(rel) === rel) {
      problems.push(error('CLEAN_REFUSED', `Not removing ${dir}: clean only removes folders inside the project`, { hint: 'name a folder of the project, e.g. --target generated' }));
      continue;
    }
    if (!existsSync(dir)) continue;
    const why = refusal(dir);
    if (why) {
      problems.push(error('CLEAN_REFUSED', `Not removing ${rel}: ${why}`, { hint: 'remove it yourself if you mean to' }));
      continue;
    }
    rmSync(dir, { recursive: true, force: true });
    removed.push(rel.split(sep).join('/'));
  }
  report.diagnostics(problems);
  const c = out.errColor;
  return report.finish(!problems.length, { removed }, removed.length ? `${c.green('✓')} Removed ${removed.join(', ')}` : problems.length ? undefined : 'Nothing to clean.');
}
