/**
 * Incremental validate: SQL analyses remembered between runs, keyed by everything the analysis is
 * a function of (the rendered SQL, its inputs' tables, the options). `analyzeSql` is pure, so a
 * remembered analysis is the analysis (remembered only when JSON gives it back exactly): an edited model gets a new key, and so does every model
 * downstream whose inputs' columns, time attributes, changelog or key changed; the others are
 * reused. Pure: the previous analyses come in, the ones this run used go out (the CLI's cache,
 * src/cli/validate-cache.ts, reads and writes them; nothing here touches the file system).
 */
import { createHash } from 'node:crypto';
import { parseQuery, type AnalyzeOptions, type InputTable, type SqlAnalysis } from '../sql/index.js';

export interface AnalysisMemo {
  /** Analyses of an earlier run, by key. Never modified. */
  previous: ReadonlyMap<string, CachedAnalysis>;
  /** Filled by this run: every analysis it used, by key (what the next run may reuse). */
  next: Map<string, CachedAnalysis>;
}

/**
 * The key of one analysis: sha256 of its arguments as JSON, or undefined (not remembered) when
 * JSON would not tell two different arguments apart (an `undefined` value, a number JSON cannot
 * write back, anything but plain objects, arrays, strings, numbers, booleans and null).
 */
export function analysisKey(sql: string, inputs: Record<string, InputTable>, options: AnalyzeOptions): string | undefined {
  const args = [sql, inputs, options];
  if (!jsonExact(args)) return undefined;
  return createHash('sha256').update(JSON.stringify(args)).digest('base64');
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

/** True when `JSON.parse(JSON.stringify(v))` is a value equal to `v` in every respect a phase can see. */
export function jsonExact(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !jsonExact(v[i])) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) if (!jsonExact((v as Record<string, unknown>)[k])) return false;
  return Object.getOwnPropertySymbols(v).length === 0 && Object.keys(v).length === Object.getOwnPropertyNames(v).length;
}

/**
 * An analysis again, from its remembered form (a fresh object each time: phases may change what
 * they are given), with the query tree parsed again the first time it is read (only the Gateway's
 * SQL check reads it). `analyzeSql` sets `query` to `parseQuery(sql)` exactly when it parsed the SQL.
 */
export function fromCached(c: CachedAnalysis, sql: string): SqlAnalysis {
  const a = JSON.parse(c) as SqlAnalysis;
  if (!a.parsed) return a;
  let query: SqlAnalysis['query'];
  let parsed = false;
  Object.defineProperty(a, 'query', {
    enumerable: true,
    configurable: true,
    get() {
      if (!parsed) {
        query = parseQuery(sql);
        parsed = true;
      }
      return query;
    },
    set(v: SqlAnalysis['query']) {
      query = v;
      parsed = true;
    },
  });
  return a;
}
