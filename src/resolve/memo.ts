/**
 * Incremental validate: SQL analyses remembered between runs, keyed by everything the analysis is
 * a function of (the rendered SQL, its inputs' tables, the options). `analyzeSql` is pure, so a
 * remembered analysis is the analysis (remembered only when JSON gives it back exactly): an edited model gets a new key, and so does every model
 * downstream whose inputs' columns, time attributes, changelog or key changed; the others are
 * reused. Pure: the previous analyses come in, the ones this run used go out (the CLI's cache,
 * src/cli/validate-cache.ts, reads and writes them; nothing here touches the file system).
 */
import { createHash } from 'node:crypto';
import { jsonExact, type Memo } from '../core/memo.js';
import { parseQuery, type AnalyzeOptions, type InputTable, type SqlAnalysis } from '../sql/index.js';

/** Analyses by key (analysisKey), as JSON (toCached). */
export type AnalysisMemo = Memo;

/**
 * The key of one analysis: sha256 of its arguments as JSON, each input table written as the
 * sha256 of its own JSON (inputKey: computed once per table, not once per reader), or undefined
 * (not remembered) when JSON would not tell two different arguments apart (an `undefined` value,
 * a number JSON cannot write back, anything but plain objects, arrays, strings, numbers, booleans
 * and null).
 */
export function analysisKey(sql: string, inputs: Record<string, InputTable>, options: AnalyzeOptions): string | undefined {
  const tables: [string, string][] = [];
  for (const name in inputs) {
    const key = inputKey(inputs[name]!);
    if (key === undefined) return undefined;
    tables.push([name, key]);
  }
  if (!jsonExact(options)) return undefined;
  return createHash('sha256').update(JSON.stringify([sql, tables, options])).digest('base64');
}

/** Each input table's key (null: not remembered), by table: a reader's view is shared by every reader (resolve.ts, inputOf). */
const inputKeys = new WeakMap<InputTable, string | null>();

/**
 * The key of what the analyser sees of one input table: sha256 of its JSON, or undefined when
 * JSON would not give the same value back. Remembered per table object: the analyser only reads
 * its inputs, and resolve never changes a view once made, so its key stays true.
 */
export function inputKey(t: InputTable): string | undefined {
  let key = inputKeys.get(t);
  if (key === undefined) {
    key = jsonExact(t) ? createHash('sha256').update(JSON.stringify(t)).digest('base64') : null;
    inputKeys.set(t, key);
  }
  return key ?? undefined;
}

/**
 * The remembered form: the analysis without its query tree, as JSON. A string is a copy no phase
 * can change, is written to the cache as it is, and is parsed only when it is used. Undefined
 * when JSON would not give the same value back (then it is simply analysed again next time).
 */
export type CachedAnalysis = string;

export function toCached(a: SqlAnalysis): CachedAnalysis | undefined {
  const { query: _query, ...rest } = a;
  return jsonExact(rest) ? JSON.stringify(rest) : undefined;
}

/**
 * An analysis again, from its remembered form (a fresh object each time: phases may change what
 * they are given), with the query tree parsed again the first time it is read (lazyQuery).
 */
export function fromCached(c: CachedAnalysis, sql: string): SqlAnalysis {
  const a = JSON.parse(c) as SqlAnalysis;
  if (a.parsed) lazyQuery(a, sql);
  return a;
}

/** The SQL each lazy analysis parses again, and its tree once parsed (or assigned). */
const lazySql = new WeakMap<object, string>();
const lazyTrees = new WeakMap<object, SqlAnalysis['query']>();

function readQuery(this: SqlAnalysis): SqlAnalysis['query'] {
  if (!lazyTrees.has(this)) lazyTrees.set(this, parseQuery(lazySql.get(this)!));
  return lazyTrees.get(this);
}

function writeQuery(this: SqlAnalysis, v: SqlAnalysis['query']): void {
  lazyTrees.set(this, v);
}

/**
 * Makes `a.query` a getter that parses `sql` again the first time it is read: the trees of 10,000
 * models are a sixth of resolve's heap, and only the Gateway's SQL check reads one, once, right
 * after the analysis. Only for an analysis of `sql` that parsed (`analyzeSql` sets `query` to
 * `parseQuery(sql)`), so the tree read back is the same. One getter and setter for every analysis
 * (state in WeakMaps), added to an analysis that has no `query` of its own yet: that keeps the
 * analyses out of V8's dictionary mode (see normalize.ts, lazyLoc).
 */
export function lazyQuery(a: SqlAnalysis, sql: string): void {
  if (lazySql.has(a)) return;
  lazySql.set(a, sql);
  Object.defineProperty(a, 'query', { enumerable: true, configurable: true, get: readQuery, set: writeQuery });
}

/** Whether `a.query` is already lazyQuery's getter (reading it would parse the SQL again). */
export function hasLazyQuery(a: SqlAnalysis): boolean {
  return lazySql.has(a);
}

/** The key each analysis was found or remembered under (analyze in resolve.ts), by analysis object. */
const analysisKeys = new WeakMap<SqlAnalysis, string>();

/** Records that `a` is the analysis of the arguments whose key (analysisKey) is `key`. */
export function keyAnalysis(a: SqlAnalysis, key: string): void {
  analysisKeys.set(a, key);
}

/**
 * The key of the arguments `a` is the analysis of, when it was made or read by a remembering
 * resolve; a later phase that remembers what it derives from an analysis keys it by this.
 */
export function keyOfAnalysis(a: SqlAnalysis): string | undefined {
  return analysisKeys.get(a);
}
