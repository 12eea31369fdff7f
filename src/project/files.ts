/**
 * The file-system edge of loading: find and read the project's files. Everything after this is
 * pure (load.ts). Unreadable, binary or oversized files become diagnostics, never exceptions.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { error } from '../core/diagnostics.js';
import { LOCK_FILE } from '../schemas/lock.js';
import type { ProjectFiles, SourceFile } from './load.js';

export const RESOURCE_DIRS = ['sources', 'models', 'tests', 'exposures'] as const;
/** Larger YAML files are refused: they are almost certainly not hand-written declarations. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readSourceFile(root: string, absolute: string): SourceFile {
  const path = relative(root, absolute).split(sep).join('/');
  try {
    const size = statSync(absolute).size;
    if (size > MAX_FILE_BYTES) {
      return {
        path,
        problem: error('FILE_TOO_LARGE', `${path} is ${(size / 1024 / 1024).toFixed(1)} MiB; the limit is ${MAX_FILE_BYTES / 1024 / 1024} MiB`, {
          file: path,
          hint: 'split declarations into several files',
        }),
      };
    }
    const bytes = readFileSync(absolute);
    if (bytes.includes(0)) {
      return { path, problem: error('FILE_NOT_TEXT', `${path} is not a text file`, { file: path, hint: 'YAML files must be UTF-8 text' }) };
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      return { path, problem: error('FILE_NOT_TEXT', `${path} is not valid UTF-8`, { file: path, hint: 'save the file as UTF-8' }) };
    }
    return { path, text: text.replace(/^\uFEFF/, '') };
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    return { path, problem: error('FILE_UNREADABLE', `Cannot read ${path} (${reason})`, { file: path, hint: 'check the file permissions' }) };
  }
}

/** YAML files below `dir`, recursively, in a stable order; hidden folders and node_modules skipped. */
export function listYamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && /\.ya?ml$/i.test(e.name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

export function readProjectFiles(projectDir: string): ProjectFiles {
  const root = resolve(projectDir);
  const files: ProjectFiles = { root, resourceFiles: [], dotenv: {} };
  for (const name of ['stream_project.yml', 'stream_project.yaml']) {
    const p = join(root, name);
    if (existsSync(p)) {
      files.projectFile = readSourceFile(root, p);
      break;
    }
  }
  const lock = join(root, LOCK_FILE);
  if (existsSync(lock)) files.schemaLock = readSourceFile(root, lock);
  for (const dir of RESOURCE_DIRS) for (const f of listYamlFiles(join(root, dir))) files.resourceFiles.push(readSourceFile(root, f));
  const envDir = join(root, 'environments');
  if (existsSync(envDir) && statSync(envDir).isDirectory()) {
    files.environmentFiles = readdirSync(envDir)
      .filter((n) => /\.ya?ml$/i.test(n))
      .sort()
      .map((n) => readSourceFile(root, join(envDir, n)));
  }
  try {
    for (const n of readdirSync(root)) {
      if (n === '.env' || n.startsWith('.env.')) {
        const f = readSourceFile(root, join(root, n));
        if (f.text !== undefined) files.dotenv[n] = f.text;
      }
    }
  } catch {
    // The project folder itself is unreadable: the missing project file reports it.
  }
  return files;
}
