/**
 * The incremental validate cache (like dbt's partial parsing), an I/O edge as files.ts is: it
 * reads and writes `<project>/.streamt/cache/` and nothing else; the phases stay pure
 * (resolve/memo.ts takes the remembered analyses and returns the ones a run used).
 *
 * Two files, so that each run reads and writes only what it needs:
 * - `validate.bin`, small: the diagnostics of the last run and the key of everything they are a
 *   function of (streamt's version and build, the options, every project file's content, the
 *   values of the environment variables the files name). Same key: the same diagnostics, without
 *   loading, and without reading the other file. A first line naming the format and the build
 *   (a file of another one is rejected on that line alone), then `sha256(payload) ‖ payload`, the
 *   payload v8's structured serialization stamped again with both; written to a temporary file
 *   renamed over the old one.
 * - `memo.log`, large (18 MB at 10,000 models), append-only: records of remembered values, each
 *   `u32 length ‖ sha256(payload) ‖ payload`, the payload `{format, stamp, analyses, yamlValues, nodes, compiled, lineage}`
 *   (arrays of [key, value] strings). `analyses`: the SQL analyses, each keyed by its own inputs
 *   (resolve/memo.ts); `yamlValues`: each YAML file's value, keyed by the sha256 of its text;
 *   `nodes`: each entry's normalized node, keyed by the entry (project/memo.ts); `compiled`: each
 *   model's part of the in-memory compile, keyed by its explicit inputs (compile/memo.ts);
 *   `lineage`: each model's column lineage and classification, keyed likewise (resolve/memo.ts). A
 *   run after one edit appends one record with the values it computed (a few kB) instead of
 *   rewriting every value; when the log holds more than twice the values the last run used, or
 *   ends with anything but whole records of this build, it is rewritten (compacted) to those
 *   values. Every value is keyed by exactly what it is a function of, so a value of an older run
 *   that is still in the log is still right. A rewritten log is records of about 1 MB each,
 *   serialized one at a time as they are written (never the whole 18 MB payload in memory). A
 *   run with no log it can append to writes a new one while it computes (SpillLog: each value
 *   goes to a temporary file as it is remembered, none is held), renamed over the old log at
 *   the end.
 *
 * A missing, truncated, corrupted, other-format or other-build file or record is ignored (and
 * rewritten), never trusted: reading stops at the first record whose length or checksum is wrong.
 * Two validates at once leave whole files: renames are atomic, and an append is one `write` of a
 * record with its own checksum. A project whose files resolve a secret value is not cached (no
 * secret is written to disk), and a folder that cannot be written is simply not cached.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { Diagnostic } from '../core/diagnostics.js';
import type { ProjectFiles } from '../project/load.js';
import type { CachedAnalysis } from '../resolve/memo.js';

export const CACHE_DIR = '.streamt/cache';
export const CACHE_FILE = 'validate.bin';
export const MEMO_FILE = 'memo.log';
const FORMAT = 3;

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

export interface CachedResult {
  key: string;
  diagnostics: Diagnostic[];
  summary?: ProjectSummary;
}

export interface Memos {
  analyses: Map<string, CachedAnalysis>;
  /** The YAML values of the files (project/yaml.ts), by the sha256 of their text. */
  yamlValues: Map<string, string>;
  /** The normalized nodes (project/memo.ts), by the sha256 of their entry. */
  nodes: Map<string, string>;
  /** The models' parts of validate's in-memory compile (compile/memo.ts), by the key of their inputs. */
  compiled: Map<string, string>;
  /** The models' column lineage and classification (resolve/memo.ts), by the key of their inputs. */
  lineage: Map<string, string>;
}

export interface ValidateCache extends Memos {
  result?: CachedResult;
}

/** What reading `memo.log` found: whether a record can be appended to it as it is, and how many values it holds. */
export interface MemoLogState {
  /** The log ends with whole records of this build (nothing to skip): appending keeps it readable. */
  appendable: boolean;
  /** Values in the log, counting every record (repeated keys too). */
  entries: number;
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

export function memoPath(root: string): string {
  return join(root, CACHE_DIR, MEMO_FILE);
}

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();

/** The first line of `validate.bin`: the format and the build, read before anything else. */
const resultHeader = (stamp: string): Buffer => Buffer.from(`streamt-validate-cache ${FORMAT} ${stamp}\n`);

/**
 * The last run's result, when `validate.bin` is whole and of this build. Reads nothing else, and
 * of a file of another format or build only its first line.
 */
export function readCachedResult(root: string, stamp: string): CachedResult | undefined {
  const header = resultHeader(stamp);
  let bytes: Buffer;
  let fd: number | undefined;
  try {
    fd = openSync(cachePath(root), 'r');
    const head = Buffer.alloc(header.length);
    if (readSync(fd, head, 0, head.length, 0) !== head.length || !head.equals(header)) return undefined;
    const size = fstatSync(fd).size;
    if (size > MAX_RESULT_BYTES) return undefined;
    bytes = Buffer.alloc(size - header.length);
    if (readSync(fd, bytes, 0, bytes.length, header.length) !== bytes.length) return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (bytes.length <= 32) return undefined;
  const payload = bytes.subarray(32);
  if (!sha256(payload).equals(bytes.subarray(0, 32))) return undefined;
  try {
    const p = deserialize(payload) as { format?: unknown; stamp?: unknown; result?: Partial<CachedResult> } | null;
    if (!p || typeof p !== 'object' || p.format !== FORMAT || p.stamp !== stamp) return undefined;
    const r = p.result;
    return r && typeof r === 'object' && typeof r.key === 'string' && Array.isArray(r.diagnostics) ? (r as CachedResult) : undefined;
  } catch {
    return undefined;
  }
}

/** More than any result (a few hundred bytes, or diagnostics): a bigger file is not read. */
const MAX_RESULT_BYTES = 1 << 30;

/** The remembered values of `memo.log` written by this build, up to its first damaged record. */
export function readMemos(root: string, stamp: string): Memos & { log: MemoLogState } {
  const memos: Memos = { analyses: new Map(), yamlValues: new Map(), nodes: new Map(), compiled: new Map(), lineage: new Map() };
  const log: MemoLogState = { appendable: false, entries: 0 };
  let bytes: Buffer;
  try {
    bytes = readFileSync(memoPath(root));
  } catch {
    return { ...memos, log };
  }
  let at = 0;
  let clean = true;
  while (at < bytes.length) {
    if (bytes.length - at < 36) {
      clean = false;
      break;
    }
    const length = bytes.readUInt32LE(at);
    const end = at + 36 + length;
    if (end > bytes.length) {
      clean = false;
      break;
    }
    const payload = bytes.subarray(at + 36, end);
    if (!sha256(payload).equals(bytes.subarray(at + 4, at + 36))) {
      clean = false;
      break;
    }
    at = end;
    const record = readRecord(payload, stamp);
    if (!record) {
      clean = false;
      continue;
    }
    for (const [k, v] of record.analyses) memos.analyses.set(k, v);
    for (const [k, v] of record.yamlValues) memos.yamlValues.set(k, v);
    for (const [k, v] of record.nodes) memos.nodes.set(k, v);
    for (const [k, v] of record.compiled) memos.compiled.set(k, v);
    for (const [k, v] of record.lineage) memos.lineage.set(k, v);
    log.entries += record.analyses.length + record.yamlValues.length + record.nodes.length + record.compiled.length + record.lineage.length;
  }
  log.appendable = clean && at > 0;
  return { ...memos, log };
}

export type Pairs = [string, string][];

function readRecord(payload: Buffer, stamp: string): Record<keyof Memos, Pairs> | undefined {
  try {
    const p = deserialize(payload) as { format?: unknown; stamp?: unknown; analyses?: unknown; yamlValues?: unknown; nodes?: unknown; compiled?: unknown; lineage?: unknown } | null;
    if (!p || typeof p !== 'object' || p.format !== FORMAT || p.stamp !== stamp || !pairs(p.analyses) || !pairs(p.yamlValues) || !pairs(p.nodes) || !pairs(p.compiled) || !pairs(p.lineage)) return undefined;
    return { analyses: p.analyses, yamlValues: p.yamlValues, nodes: p.nodes, compiled: p.compiled, lineage: p.lineage };
  } catch {
    return undefined;
  }
}

function pairs(v: unknown): v is Pairs {
  if (!Array.isArray(v)) return false;
  for (const e of v) if (!Array.isArray(e) || e.length !== 2 || typeof e[0] !== 'string' || typeof e[1] !== 'string') return false;
  return true;
}

/** The cache of this build (both files), or an empty one when there is none that can be trusted. */
export function readValidateCache(root: string, stamp: string): ValidateCache {
  const { analyses, yamlValues, nodes, compiled, lineage } = readMemos(root, stamp);
  const result = readCachedResult(root, stamp);
  return result ? { analyses, yamlValues, nodes, compiled, lineage, result } : { analyses, yamlValues, nodes, compiled, lineage };
}

/** A record of `memo.log`, in parts (the payload is not copied: 18 MB at 10,000 models). */
function record(stamp: string, memos: Record<keyof Memos, Pairs>): Buffer[] {
  const payload = serialize({ format: FORMAT, stamp, ...memos });
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32LE(payload.length, 0);
  return [head, sha256(payload), payload];
}

/** Writes `parts` to `file` through a temporary file renamed over it; `parts` is read as it is written. */
function replace(file: string, parts: Iterable<Buffer>): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const part of parts) for (let at = 0; at < part.length; ) at += writeSync(fd, part, at);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing was written there either.
    }
    throw e;
  }
}

/** A record's values, none yet (one list per kind of memo). */
const emptyRecord = (): Record<keyof Memos, Pairs> => ({ analyses: [], yamlValues: [], nodes: [], compiled: [], lineage: [] });

/** About how many characters of keys and values one record of a rewritten log holds. */
const RECORD_CHARS = 1 << 20;

/**
 * A whole log of `memos`, as records of about RECORD_CHARS characters each, made one at a time as
 * they are written: the payload of 10,000 models (18 MB) is never serialized, nor copied into
 * arrays, at once. A small project's log is one record.
 */
function* logRecords(stamp: string, memos: Memos): Generator<Buffer> {
  let part = emptyRecord();
  let chars = 0;
  let pending = 0;
  let written = 0;
  for (const kind of ['analyses', 'yamlValues', 'nodes', 'compiled', 'lineage'] as const) {
    for (const [k, v] of memos[kind]) {
      part[kind].push([k, v]);
      pending++;
      chars += k.length + v.length;
      if (chars >= RECORD_CHARS) {
        yield* record(stamp, part);
        part = emptyRecord();
        chars = pending = 0;
        written++;
      }
    }
  }
  if (pending || !written) yield* record(stamp, part);
}

/**
 * Writes the cache; a folder that cannot be written is left uncached. The result replaces
 * `validate.bin`; the values this run used go to `memo.log` (writeMemoLog).
 */
export function writeValidateCache(root: string, stamp: string, cache: ValidateCache, previous?: Memos & { log: MemoLogState }): void {
  if (cache.result) writeCachedResult(root, stamp, cache.result);
  writeMemoLog(root, stamp, cache, previous);
}

/** Replaces `validate.bin` with `result`; a folder that cannot be written is left uncached. */
export function writeCachedResult(root: string, stamp: string, result: CachedResult): void {
  try {
    mkdirSync(join(root, CACHE_DIR), { recursive: true });
    const payload = serialize({ format: FORMAT, stamp, result });
    replace(cachePath(root), [resultHeader(stamp), sha256(payload), payload]);
  } catch {
    // Not cached: the next run computes again.
  }
}

/**
 * Writes the values this run used (`memos`) to `memo.log`: given what the log held when it was
 * read (`previous`), only the values it did not hold are appended, unless the log must be
 * compacted (see the header); without `previous` the log is rewritten whole. Returns whether
 * the log now ends with whole records of this build (appendMemos can add to it): 'appended'
 * when the values it held are still there, 'rewritten' when it holds `memos` only, else false.
 */
export function writeMemoLog(root: string, stamp: string, memos: Memos, previous?: Memos & { log: MemoLogState }): 'appended' | 'rewritten' | false {
  try {
    mkdirSync(join(root, CACHE_DIR), { recursive: true });
    const used = memos.analyses.size + memos.yamlValues.size + memos.nodes.size + memos.compiled.size + memos.lineage.size;
    if (previous && previous.log.appendable && previous.log.entries <= 2 * used) {
      const added = { analyses: fresh(memos.analyses, previous.analyses), yamlValues: fresh(memos.yamlValues, previous.yamlValues), nodes: fresh(memos.nodes, previous.nodes), compiled: fresh(memos.compiled, previous.compiled), lineage: fresh(memos.lineage, previous.lineage) };
      const count = added.analyses.length + added.yamlValues.length + added.nodes.length + added.compiled.length + added.lineage.length;
      if (!count) return 'appended';
      if (previous.log.entries + count <= 2 * used) {
        // One write of the whole record (a few kB): a validate running at once cannot interleave with it.
        appendFileSync(memoPath(root), Buffer.concat(record(stamp, added)));
        return 'appended';
      }
    }
    replace(memoPath(root), logRecords(stamp, memos));
    return 'rewritten';
  } catch {
    // Not cached: the next run computes again.
    return false;
  }
}

/**
 * A memo's `next` whose values go straight to the log (SpillLog) instead of staying in memory:
 * `set` writes the value, and the map stays empty (`get` answers undefined: the value is on disk,
 * and whoever asks computes it again, which gives the same value). A key set twice in a run (two
 * files of the same text) is written twice, with the same value; reading keeps one.
 */
export class SpillMap extends Map<string, string> {
  constructor(
    private readonly log: SpillLog,
    private readonly kind: keyof Memos,
  ) {
    super();
  }

  override get(_key: string): string | undefined {
    return undefined;
  }

  override set(key: string, value: string): this {
    if (this.log === undefined) return super.set(key, value); // Map's constructor adding entries (none are given)
    this.log.add(this.kind, key, value);
    return this;
  }
}

/** A temporary file of the cache: `<file>.<pid>.<time>.tmp`. */
const TEMPORARY = /^(?:validate\.bin|memo\.log)\.(\d+)\.\d+\.tmp$/;

/**
 * Removes the temporary files of validates that ended without finishing them (a run stopped by
 * Ctrl-C while it wrote its log): those whose process is gone. A live process's file (another
 * validate writing at this moment) is left alone.
 */
function removeAbandoned(root: string): void {
  try {
    const dir = join(root, CACHE_DIR);
    for (const name of readdirSync(dir)) {
      const pid = TEMPORARY.exec(name)?.[1];
      if (pid === undefined || Number(pid) === process.pid || alive(Number(pid))) continue;
      rmSync(join(dir, name), { force: true });
    }
  } catch {
    // Left for the next run.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** About how many characters of keys and values a record of a spilled log holds. */
const SPILL_CHARS = 1 << 16;

/**
 * A whole `memo.log` written while the run computes its values (a run that has no log it can
 * append to: a first run, or a log of another build or with a damaged record). Each value is
 * written as it is remembered, in records of about SPILL_CHARS characters, to a temporary file
 * that `commit` renames over the log; so the values are not held until the end of the run (at
 * 10,000 models 18 MB of strings, and the garbage of holding them). `discard` (a project that is
 * not cached) removes the temporary file. A folder that cannot be written: nothing is cached.
 */
export class SpillLog {
  /** The temporary file, opened by the first record written; null once discarded (or not writable). */
  private fd: number | undefined | null;
  private readonly tmp: string;
  private part = emptyRecord();
  private chars = 0;
  private written = 0;

  constructor(
    private readonly root: string,
    private readonly stamp: string,
  ) {
    this.tmp = `${memoPath(root)}.${process.pid}.${Date.now()}.tmp`;
  }

  /** The `next` map of one kind of memo, spilled to this log. */
  map(kind: keyof Memos): SpillMap {
    return new SpillMap(this, kind);
  }

  add(kind: keyof Memos, key: string, value: string): void {
    if (this.fd === null) return;
    this.part[kind].push([key, value]);
    this.chars += key.length + value.length;
    if (this.chars >= SPILL_CHARS) this.flush();
  }

  private flush(): void {
    if (this.fd === null) return;
    const parts = record(this.stamp, this.part);
    this.part = emptyRecord();
    this.chars = 0;
    this.written++;
    try {
      if (this.fd === undefined) {
        mkdirSync(join(this.root, CACHE_DIR), { recursive: true });
        this.fd = openSync(this.tmp, 'w');
      }
      for (const part of parts) for (let at = 0; at < part.length; ) at += writeSync(this.fd, part, at);
    } catch {
      this.discard();
    }
  }

  /** Writes what is left and puts the log in place of the old one; returns whether it did. */
  commit(): boolean {
    if (this.chars || !this.written) this.flush();
    if (typeof this.fd !== 'number') return false;
    try {
      closeSync(this.fd);
      this.fd = null;
      renameSync(this.tmp, memoPath(this.root));
      removeAbandoned(this.root);
      return true;
    } catch {
      this.discard();
      return false;
    }
  }

  /** Drops the temporary file: nothing is written to the log. */
  discard(): void {
    const opened = typeof this.fd === 'number';
    if (typeof this.fd === 'number') {
      try {
        closeSync(this.fd);
      } catch {
        // Closed already.
      }
    }
    this.fd = null;
    this.part = emptyRecord();
    if (!opened) return;
    try {
      rmSync(this.tmp, { force: true });
    } catch {
      // Nothing was written there either.
    }
  }
}

/** Appends one record of `added` (values found after writeMemoLog) to a log writeMemoLog wrote. */
export function appendMemos(root: string, stamp: string, added: Record<keyof Memos, Pairs>): void {
  if (!(added.analyses.length + added.yamlValues.length + added.nodes.length + added.compiled.length + added.lineage.length)) return;
  try {
    appendFileSync(memoPath(root), Buffer.concat(record(stamp, added)));
  } catch {
    // Not cached: the next run computes again.
  }
}

/** The entries of `m` that `before` does not hold. */
export function fresh(m: Iterable<[string, string]>, before: ReadonlyMap<string, string>): Pairs {
  const out: Pairs = [];
  for (const [k, v] of m) if (!before.has(k)) out.push([k, v]);
  return out;
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
  // Each resource file serialized on its own (length first): never one buffer of every text.
  const hash = createHash('sha256');
  const part = (v: unknown): void => {
    const bytes = serialize(v);
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32LE(bytes.length, 0);
    hash.update(length).update(bytes);
  };
  part([stamp, options, { ...files, resourceFiles: files.resourceFiles.length }, env]);
  for (const f of files.resourceFiles) part(f);
  return hash.digest('hex');
}
