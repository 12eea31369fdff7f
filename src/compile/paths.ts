/**
 * File names derived from resource names. A topic may be called `a/../../etc` or `x"y`: the
 * file name keeps only safe characters, and a short hash of the real name whenever anything
 * was changed or two names would collide (also case-insensitively, for macOS and Windows).
 */
import { sha256 } from './hash.js';

const SAFE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const MAX_STEM = 100;

/** Allocates collision-free file names inside one folder. */
export class FileNamer {
  private readonly used = new Set<string>();

  constructor(private readonly folder: string) {}

  /** `folder/<safe stem><ext>` for a resource name; stable for the same set of names in the same order. */
  name(resourceName: string, ext: string): string {
    let stem = resourceName.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '_').slice(0, MAX_STEM);
    if (!stem) stem = '_';
    const changed = stem !== resourceName || !SAFE.test(resourceName);
    let candidate = changed ? `${stem}-${sha256(resourceName).slice(0, 8)}` : stem;
    // Windows reserves these device names whatever the extension.
    if (/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(candidate)) candidate = `_${candidate}`;
    let n = 1;
    let unique = candidate;
    while (this.used.has(unique.toLowerCase() + ext)) unique = `${candidate}-${++n}`;
    this.used.add(unique.toLowerCase() + ext);
    return `${this.folder}/${unique}${ext}`;
  }
}

/** True when a relative output path stays inside its folder: no absolute paths, no `..`, no empty segments. */
export function isSafeRelativePath(path: string): boolean {
  if (!path || path.startsWith('/') || path.includes('\\') || path.includes('\0') || /^[A-Za-z]:/.test(path)) return false;
  return path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}
