/**
 * The I/O edge of compile: replaces the output folder atomically. Files are rendered into a
 * temporary folder beside the output, then swapped in with renames, so readers see either the
 * previous output or the new one, a failure leaves the previous output intact, and files from
 * earlier compiles that are no longer produced disappear.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { isSafeRelativePath } from './paths.js';

export class OutputRefused extends Error {}

/** Whether `dir` holds what a previous `streamt compile` wrote (or nothing). */
function replaceable(dir: string): boolean {
  if (!existsSync(dir)) return true;
  if (!statSync(dir).isDirectory()) return false;
  const entries = readdirSync(dir);
  if (entries.length === 0) return true;
  if (!entries.includes('manifest.json')) return false;
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { manifest_version?: unknown };
    return typeof m.manifest_version === 'number';
  } catch {
    return false;
  }
}

/**
 * Checks that `outDir` can be replaced: not the project itself or one of its parents, and either
 * absent, empty or a previous compile's output. Throws OutputRefused with the reason.
 */
export function checkOutputDir(outDir: string, projectRoot: string): void {
  const out = resolve(outDir);
  const root = resolve(projectRoot);
  const rel = relative(out, root);
  if (out === root || (rel && !rel.startsWith('..') && !rel.startsWith(sep) && rel !== '')) {
    throw new OutputRefused(`refusing to write into ${out}: it contains the project`);
  }
  if (out === dirname(out)) throw new OutputRefused(`refusing to replace the file system root`);
  if (!replaceable(out)) {
    throw new OutputRefused(`refusing to replace ${out}: it is not empty and holds no streamt manifest.json (choose another --output, or empty it)`);
  }
}

/**
 * @param carryOver files of the previous output that another command owns (e.g. `streamt test`'s
 *   run_results.json) and that must survive the swap.
 */
export function writeOutputAtomically(outDir: string, files: ReadonlyMap<string, string>, carryOver: readonly string[] = []): void {
  const out = resolve(outDir);
  const kept = new Map(files);
  for (const name of carryOver) {
    const previous = join(out, name);
    if (!kept.has(name) && isSafeRelativePath(name) && existsSync(previous) && statSync(previous).isFile()) kept.set(name, readFileSync(previous, 'utf8'));
  }
  files = kept;
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  // mkdirSync (not mkdtemp, which makes 0700 folders): the output gets the umask's permissions.
  const tmp = join(parent, `.${basename(out)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(tmp);
  try {
    for (const [path, content] of files) {
      if (!isSafeRelativePath(path)) throw new Error(`unsafe output path ${JSON.stringify(path)}`);
      const full = resolve(tmp, path);
      if (!full.startsWith(tmp + sep)) throw new Error(`output path escapes the folder: ${JSON.stringify(path)}`);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content, { flag: 'wx' });
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  let old: string | undefined;
  if (existsSync(out)) {
    old = `${tmp}.old`;
    renameSync(out, old);
  }
  try {
    renameSync(tmp, out);
  } catch (e) {
    if (old) renameSync(old, out);
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}
