/**
 * The incremental validate cache (like dbt's partial parsing), an I/O edge as files.ts is: it
 * reads and writes `<project>/.streamt/cache/validate.bin` and nothing else; the phases stay pure
 * (resolve/memo.ts takes the remembered analyses and returns the ones a run used).
 *
 * What it holds:
 * - `result`: the diagnostics of the last run and the key of everything they are a function of
 *   (streamt's version and build, the options, every project file's content, the values of the
 *   environment variables the files name). Same key: the same diagnostics, without loading.
 * - `analyses`: the SQL analyses of the last run, each keyed by its own inputs (memo.ts), so
 *   after an edit only the edited models and those downstream whose inputs changed are analysed;
 * - `yamlValues`: each YAML file's value, keyed by the sha256 of its text, so after an edit only
 *   the edited files are parsed.
 *
 * The file is `sha256(payload) ‖ payload`, the payload v8's structured serialization stamped with
 * the format, streamt's version and build. A missing, truncated, corrupted, other-format or
 * other-build file is ignored (and rewritten), never trusted. Writes go to a temporary file
 * renamed over the old one, so two validates at once leave one whole file or the other. A
 * project whose files resolve a secret value is not cached (no secret is written to disk), and a
 * folder that cannot be written is simply not cached.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { Diagnostic } from '../core/diagnostics.js';
import type { ProjectFiles } from '../project/load.js';
import type { CachedAnalysis } from '../resolve/memo.js';

export const CACHE_DIR = '.streamt/cache';
export const CACHE_FILE = 'validate.bin';
const FORMAT = 2;

/** What `validate` prints about a valid project, without the project. */
export interface ProjectSummary {
  name: string;
  environment?: string;
  sources: number;
  models: number;
  tests: number;
  exposures: number;
  rules: boolean;
}

export interface ValidateCache {
  result?: { key: string; diagnostics: Diagnostic[]; summary?: ProjectSummary };
  analyses: Map<string, CachedAnalysis>;
  /** The YAML values of the files (project/yaml.ts), by the sha256 of their text. */
  yamlValues: Map<string, string>;
}

interface Payload extends ValidateCache {
  format: number;
  stamp: string;
}

/**
 * streamt's version and build: the mtime and size of every file next to this module (the bundle's
 * chunks, or tsc's dist/cli/, which tsc rewrites on each build), so a rebuilt streamt never trusts
 * what another build remembered.
 */
export function buildStamp(version: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const parts = [version];
  try {
    for (const name of readdirSync(here).sort()) {
      const s = statSync(join(here, name), { throwIfNoEntry: false });
      if (s?.isFile()) parts.push(`${name}:${s.size}:${s.mtimeMs}`);
    }
  } catch {
    parts.push('unknown');
  }
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

export function cachePath(root: string): string {
  return join(root, CACHE_DIR, CACHE_FILE);
}

/** The cache of this build, or an empty one when there is none that can be trusted. */
export function readValidateCache(root: string, stamp: string): ValidateCache {
  const empty: ValidateCache = { analyses: new Map(), yamlValues: new Map() };
  let bytes: Buffer;
  try {
    bytes = readFileSync(cachePath(root));
  } catch {
    return empty;
  }
  if (bytes.length <= 32) return empty;
  const payload = bytes.subarray(32);
  if (!createHash('sha256').update(payload).digest().equals(bytes.subarray(0, 32))) return empty;
  try {
    const p = deserialize(payload) as Partial<Payload> | null;
    if (!p || typeof p !== 'object' || p.format !== FORMAT || p.stamp !== stamp || !strings(p.analyses) || !strings(p.yamlValues)) return empty;
    const result = p.result && typeof p.result.key === 'string' && Array.isArray(p.result.diagnostics) ? p.result : undefined;
    return result ? { analyses: p.analyses, yamlValues: p.yamlValues, result } : { analyses: p.analyses, yamlValues: p.yamlValues };
  } catch {
    return empty;
  }
}

function strings(m: unknown): m is Map<string, string> {
  if (!(m instanceof Map)) return false;
  for (const [k, v] of m) if (typeof k !== 'string' || typeof v !== 'string') return false;
  return true;
}

/** Writes the cache atomically (temporary file, then rename); a folder that cannot be written is left uncached. */
export function writeValidateCache(root: string, stamp: string, cache: ValidateCache): void {
  const file = cachePath(root);
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const payload = serialize({ format: FORMAT, stamp, ...cache } satisfies Payload);
    writeFileSync(tmp, Buffer.concat([createHash('sha256').update(payload).digest(), payload]));
    renameSync(tmp, file);
  } catch {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing was written there either.
    }
  }
}

const VAR_NAME = /\$\{([A-Za-z_][A-Za-z0-9_]*)/g;
const ENV_VAR_CALL = /env_var\s*\(\s*(?:"([^"]*)"|'([^']*)'|)/g;

/**
 * The key of a whole validate run: everything its diagnostics are a function of. The files (all
 * of them, as read), the options, and the environment variables the files can reach: those named
 * by `${NAME}` or `env_var("NAME")`, every `STREAMT_*` one, and the whole environment when a
 * template computes a variable's name.
 */
export function runKey(stamp: string, files: ProjectFiles, options: { env?: string; vars?: string; offline: boolean }, processEnv: Readonly<Record<string, string | undefined>>): string {
  const texts = [files.projectFile, files.schemaLock, ...files.resourceFiles, ...(files.environmentFiles ?? [])].map((f) => f?.text ?? '');
  texts.push(...Object.values(files.dotenv));
  const names = new Set<string>();
  let everything = false;
  for (const t of texts) {
    if (t.includes('${')) for (const m of t.matchAll(VAR_NAME)) names.add(m[1]!);
    if (t.includes('env_var')) {
      for (const m of t.matchAll(ENV_VAR_CALL)) {
        const name = m[1] ?? m[2];
        if (name === undefined) everything = true;
        else names.add(name);
      }
    }
  }
  const env = Object.keys(processEnv)
    .filter((k) => everything || names.has(k) || k.startsWith('STREAMT_'))
    .sort()
    .map((k) => [k, processEnv[k]]);
  return createHash('sha256').update(serialize([stamp, options, files, env])).digest('hex');
}
