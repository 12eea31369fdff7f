/**
 * The I/O edge of compile: replaces the output folder atomically. Files are rendered into a
 * temporary folder beside the output, then swapped in with renames, so readers see either the
 * previous output or the new one, a failure leaves the previous output intact, and files from
 * earlier compiles that are no longer produced disappear.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { isSafeRelativePath } from './paths.js';

export class OutputRefused extends Error {}

/** Text longer than this is encoded and written a piece at a time. */
const CHUNK = 1 << 20;

/**
 * Writes a new file (`wx`: never one that exists). A large text (the manifest of 10,000 models is
 * 70 MB) is encoded a megabyte at a time: writeFileSync would first encode all of it into one
 * Buffer, as large again outside the heap, at the moment the process holds the most.
 */
function writeNew(full: string, content: string): void {
  if (content.length <= CHUNK) {
    writeFileSync(full, content, { flag: 'wx' });
    return;
  }
  const fd = openSync(full, 'wx');
  try {
    for (let i = 0; i < content.length; ) {
      let end = Math.min(i + CHUNK, content.length);
      // Never split a surrogate pair: each half alone would be encoded as U+FFFD.
      const last = content.charCodeAt(end - 1);
      if (end < content.length && last >= 0xd800 && last <= 0xdbff) end--;
      const bytes = Buffer.from(content.slice(i, end), 'utf8');
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      i = end;
    }
  } finally {
    closeSync(fd);
  }
}

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
    // Every path is checked before anything is written; each folder is made once.
    const targets: [string, string][] = [];
    const folders = new Set<string>();
    for (const [path, content] of files) {
      if (!isSafeRelativePath(path)) throw new Error(`unsafe output path ${JSON.stringify(path)}`);
      const full = resolve(tmp, path);
      if (!full.startsWith(tmp + sep)) throw new Error(`output path escapes the folder: ${JSON.stringify(path)}`);
      targets.push([full, content]);
      folders.add(dirname(full));
    }
    for (const folder of folders) if (folder !== tmp) mkdirSync(folder, { recursive: true });
    for (const [full, content] of targets) writeNew(full, content);
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
