/**
 * Incremental validate: SQL analyses remembered between runs, keyed by everything the analysis is
 * a function of (the rendered SQL, its inputs' tables, the options). `analyzeSql` is pure, so a
 * remembered analysis is the analysis (remembered only when JSON gives it back exactly): an edited model gets a new key, and so does every model
 * downstream whose inputs' columns, time attributes, changelog or key changed; the others are
 * reused. Pure: the previous analyses come in, the ones this run used go out (the CLI's cache,
 * src/cli/validate-cache.ts, reads and writes them; nothing here touches the file system).
 */
import { hash } from 'node:crypto';
import { jsonExact, jsonKeyOf, type Memo } from '../core/memo.js';
import { nodeIdentity } from '../project/memo.js';
import type { NodeId } from '../project/types.js';
import type { ColumnClassification, ModelColumnLineage } from './columns.js';
import type { ResolvedModel } from './types.js';
import { parseQuery, type AnalyzeOptions, type InputTable, type SqlAnalysis } from '../sql/index.js';

/** Analyses by key (analysisKey), as JSON (toCached). */
export type AnalysisMemo = Memo;

/**
 * The key of one analysis: sha256 of its arguments as JSON, each input table written as the
 * sha256 of its own JSON (jsonKeyOf: computed once per table, not once per reader), or undefined
 * (not remembered) when JSON would not tell two different arguments apart (an `undefined` value,
 * a number JSON cannot write back, anything but plain objects, arrays, strings, numbers, booleans
 * and null).
 */
export function analysisKey(sql: string, inputs: Record<string, InputTable>, options: AnalyzeOptions): string | undefined {
  const tables: [string, string][] = [];
  for (const name in inputs) {
    const key = jsonKeyOf(inputs[name]!);
    if (key === undefined) return undefined;
    tables.push([name, key]);
  }
  if (!jsonExact(options)) return undefined;
  return hash('sha256', JSON.stringify([sql, tables, options]), 'base64');
}

/**
 * The remembered form: the analysis without its query tree, as JSON, then, after a newline (JSON
 * text has none of its own), its column lineage as JSON. A string is a copy no phase can change,
 * is written to the cache as it is, and is parsed only when it is used. Undefined when JSON would
 * not give the same value back (then it is simply analysed again next time).
 */
export type CachedAnalysis = string;

export function toCached(a: SqlAnalysis): CachedAnalysis | undefined {
  const { query: _query, lineage, ...rest } = a;
  if (!jsonExact(rest) || !jsonExact(lineage ?? null)) return undefined;
  return lineage === undefined ? JSON.stringify(rest) : `${JSON.stringify(rest)}\n${JSON.stringify(lineage)}`;
}

/**
 * An analysis again, from its remembered form (a fresh object each time: phases may change what
 * they are given), with the query tree parsed again the first time it is read (lazyQuery) and
 * the lineage the first time it is read (only the lineage of a model whose lineage is not
 * remembered is: a third of the text left unparsed after an edit).
 */
export function fromCached(c: CachedAnalysis, sql: string): SqlAnalysis {
  const nl = c.indexOf('\n');
  const a = JSON.parse(nl < 0 ? c : c.slice(0, nl)) as SqlAnalysis;
  if (nl >= 0) lazyLineage(a, c.slice(nl + 1));
  if (a.parsed) lazyQuery(a, sql);
  return a;
}

/**
 * A property computed the first time it is read (then kept, or replaced when assigned): one
 * getter and setter pair per property name, shared by every object (state in WeakMaps), so the
 * objects stay out of V8's dictionary mode (see normalize.ts, lazyLoc).
 */
function lazyProperty<T>(name: string): (o: object, compute: () => T) => void {
  const computes = new WeakMap<object, () => T>();
  const values = new WeakMap<object, T>();
  const get = function (this: object): T {
    if (!values.has(this)) values.set(this, computes.get(this)!());
    return values.get(this)!;
  };
  const set = function (this: object, v: T): void {
    values.set(this, v);
  };
  return (o, compute) => {
    computes.set(o, compute);
    Object.defineProperty(o, name, { enumerable: true, configurable: true, get, set });
  };
}

/** A property read from JSON text the first time it is read (lazyProperty). */
function lazyJsonProperty<T>(name: string): (o: object, text: string) => void {
  const lazy = lazyProperty<T>(name);
  return (o, text) => lazy(o, () => JSON.parse(text) as T);
}

/** An analysis's `lineage`, parsed the first time it is read. */
const lazyLineage = lazyJsonProperty<SqlAnalysis['lineage']>('lineage');

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

/**
 * Each model's column lineage and classification (resolve.ts step 7, columns.ts), remembered
 * between runs by the key of what they are a function of (lineageKey), as JSON (LineageValue).
 */
export type LineageMemo = Memo;

/**
 * A model's remembered classification, and whether it has a column lineage. The lineage itself is
 * not remembered: it is a cheap function of the model's analysis and its inputs' columns
 * (columns.ts, modelLineage), computed again when it is read (validate reads none: the rules
 * read the classification, and `outputColumns` reads a model's lineage only when it has no
 * columns): at 10,000 models the log is 25.0 instead of 29.6 MB.
 */
export interface LineageValue {
  hasLineage: boolean;
  classes: Record<string, ColumnClassification>;
}

/**
 * What a model's SQL stands for in the keys of what is derived from it: its analysis's key (the
 * rendered SQL and the names it reads are part of it), null for a model without SQL, undefined
 * (not remembered) when the SQL was not analysed or its analysis has no key.
 */
export function modelAnalysisKey(m: ResolvedModel): string | null | undefined {
  if (m.renderedSql !== undefined && !m.analysis) return undefined;
  return m.analysis ? keyOfAnalysis(m.analysis) : null;
}

/**
 * The key of a model's lineage and classification: its node (nodeIdentity), its analysis (by its
 * key), its inputs and output columns, its materialization and whether a Gateway is configured
 * (where a mask applies), and what its inputs' columns carry: for an input model the key of its
 * own lineage and classification (chained along the DAG: `inputKeys`), for a source its columns
 * and their classifications (`sourceKey`). Undefined (not remembered) when one of them is not known.
 */
export function lineageKey(
  m: ResolvedModel,
  gateway: boolean,
  inputKeys: (id: NodeId) => string | undefined,
): string | undefined {
  const analysis = modelAnalysisKey(m);
  if (analysis === undefined) return undefined;
  const inputs: [NodeId, string][] = [];
  for (const id of m.inputs) {
    const k = inputKeys(id);
    if (k === undefined) return undefined;
    inputs.push([id, k]);
  }
  const node = nodeIdentity(m.node);
  // The rest is strings and a boolean: JSON-exact by construction.
  if (typeof node !== 'string' && !jsonExact(node)) return undefined;
  const args = [node, analysis, inputs, m.columns.map((c) => c.name), m.materialized, gateway];
  return hash('sha256', JSON.stringify(args), 'base64');
}

/** The key a source stands for in its readers' lineage keys: its columns as its readers see them, with their classifications. */
export function sourceLineageKey(columns: readonly { name: string; classification?: string | undefined }[] | undefined, tableColumns: readonly { name: string }[] | undefined): string | undefined {
  const args = [(columns ?? []).map((c) => [c.name, c.classification ?? null]), (tableColumns ?? null) && tableColumns!.map((c) => c.name)];
  if (!jsonExact(args)) return undefined;
  return hash('sha256', JSON.stringify(args), 'base64');
}

/** The remembered form: the classes as JSON, followed by a newline when the model has a lineage. */
export function toCachedLineage(v: LineageValue): string | undefined {
  if (!jsonExact(v.classes)) return undefined;
  const classes = JSON.stringify(v.classes);
  return v.hasLineage ? `${classes}\n` : classes;
}

/**
 * Sets a model's remembered classification (fresh objects) and, when it had one, its lineage as a
 * property computed by `lineage` the first time it is read; false, and nothing set, when the
 * record does not read back.
 */
export function rememberLineage(m: ResolvedModel, c: string, lineage: () => ModelColumnLineage[] | undefined): boolean {
  const nl = c.indexOf('\n');
  if (nl >= 0 && nl !== c.length - 1) return false;
  let classes: unknown;
  try {
    classes = JSON.parse(nl < 0 ? c : c.slice(0, nl));
  } catch {
    return false;
  }
  if (!classes || typeof classes !== 'object' || Array.isArray(classes)) return false;
  m.columnClasses = classes as Record<string, ColumnClassification>;
  if (nl >= 0) lazyModelLineage(m, lineage);
  return true;
}

/** A model's `columnLineage`, computed the first time it is read. */
const lazyModelLineage = lazyProperty<ModelColumnLineage[] | undefined>('columnLineage');
