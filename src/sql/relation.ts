/**
 * What the analyser knows about a relation while it walks a query: its columns (type, nullability,
 * time attribute, window role), whether its schema is complete, its changelog mode and upsert key.
 */
import type { Pos, WindowSpec } from './ast.js';
import { parseDataType } from './parser.js';
import type { SubqueryUse } from './subqueries.js';
import { splitNullability } from './types.js';

export type TimeKind = 'rowtime' | 'proctime';
export type Changelog = 'append' | 'updating';
export type StatefulFeature =
  | 'group_by'
  | 'aggregate'
  | 'distinct'
  | 'regular_join'
  | 'interval_join'
  | 'temporal_join'
  | 'lookup_join'
  | 'window_join'
  | 'window_tvf'
  | 'group_window'
  | 'over'
  | 'deduplication'
  | 'top_n'
  | 'match_recognize'
  | 'order_by';

export interface InputColumn {
  name: string;
  type: string;
  nullable?: boolean;
  /** The column is a time attribute of the table (a table may have an event-time and a processing-time one). */
  time?: TimeKind;
}
export interface InputTableSchema {
  columns: InputColumn[];
  timeAttribute?: { column: string; kind: TimeKind };
  timeAttributes?: { column: string; kind: TimeKind }[];
  changelog?: Changelog;
  primaryKey?: string[];
  /** A lookup-capable table (a JDBC table...): the right side of a processing-time (lookup) join. */
  lookup?: boolean;
}

/** A column of a relation while analysing; `type` is undefined when it cannot be known. */
export interface Col {
  name: string;
  type: string | undefined;
  nullable: boolean;
  time?: TimeKind;
  /** window_start / window_end / window_time produced by a window TVF, kept through projections. */
  window?: 'start' | 'end' | 'time';
  /** Which window (`TUMBLE(INTERVAL '5' MINUTE)`...): a window join needs the same window on both sides. */
  windowKey?: string;
  unnamed?: boolean;
  /** Set when Calcite renamed a duplicate output name (`id` → `id0`): the name it duplicated. */
  duplicateOf?: string;
  /** Where the select item is, for diagnostics about output columns. */
  pos?: Pos;
  /** Which input columns the value derives from (column-level lineage). */
  lineage?: ColLineage;
}

/** An input column: a table the query reads (a source or model name) and a column, `col.field` for a nested field. */
export interface ColumnSource {
  table: string;
  column: string;
}

/**
 * How an output column derives from its inputs: `direct` copies one value, `expression` computes
 * it (functions, CASE, casts, arithmetic, set operations over different inputs), `aggregate` folds
 * rows (GROUP BY aggregates, OVER aggregates), `window` is a window bound of a window TVF.
 */
export type LineageTransform = 'direct' | 'expression' | 'aggregate' | 'window';

export interface ColLineage {
  sources: ColumnSource[];
  transform: LineageTransform;
  /** Some referenced column is of an input whose schema is unknown: the sources may be incomplete. */
  partial?: boolean;
}

/** What a select item (or a measure, an UNNEST argument...) references while it is typed. */
export interface LineageCollector {
  sources: Map<string, ColumnSource>;
  partial: boolean;
  /** How each referenced column was itself derived (a bare reference keeps its column's transform). */
  transforms: Set<LineageTransform>;
}

/** A ROW_NUMBER()/RANK()/DENSE_RANK() select item, waiting for an outer query to bound it. */
export interface RankInfo {
  column: string;
  fn: string;
  partitionBy: string[];
  windowed: boolean;
  orderTime?: TimeKind;
  descending: boolean;
  pos: Pos;
}

export interface Relation {
  cols: Col[];
  /** False when some input schema is unknown: more columns may exist and types may be missing. */
  complete: boolean;
  changelog: Changelog;
  upsertKey?: string[];
  /** Further upsert keys, tried when a projection drops a column of the first. */
  otherKeys?: string[][];
  rank?: RankInfo;
  /** A SELECT whose select list reads columns of an enclosing query. */
  projectsOuter?: boolean;
  /** A table function (UNNEST, LATERAL TABLE) that reads columns of the relations to its left. */
  correlated?: boolean;
}

export interface ScopeEntry {
  alias?: string;
  rel: Relation;
  /** Columns a `JOIN ... USING (c)` merged into the same-named column of an earlier entry: an unqualified `c` and `*` mean the merged one. */
  usingMerged?: Set<string>;
}

export interface Scope {
  entries: ScopeEntry[];
  parent?: Scope;
  /** Inside MATCH_RECOGNIZE, qualifiers are pattern variables over the one input. */
  matchRecognize?: boolean;
}

/** The type of an expression. */
export interface Typed {
  type: string | undefined;
  nullable: boolean;
  time?: TimeKind;
  window?: 'start' | 'end' | 'time';
  windowKey?: string;
}

/** What a SELECT list collects while its expressions are typed. */
export interface SelectContext {
  aggregateCalls: number;
  overCalls: OverCall[];
  windows: Record<string, WindowSpec>;
  /** Subqueries met while typing, which Flink turns into joins. */
  subqueries: SubqueryUse[];
  /** Where the first aggregate call is. */
  firstAggregate?: Pos;
  /** The SELECT has GROUP BY: each group has a row, so SUM, MIN... of a NOT NULL value are NOT NULL. */
  grouped?: boolean;
}

export interface OverCall {
  name: string;
  spec: WindowSpec;
  pos: Pos;
}

export const UNKNOWN: Typed = { type: undefined, nullable: true };

export function emptySelectContext(windows: Record<string, WindowSpec> = {}, subqueries: SubqueryUse[] = []): SelectContext {
  return { aggregateCalls: 0, overCalls: [], windows, subqueries };
}

export function inputRelation(input: InputTableSchema, table?: string): Relation {
  const cols: Col[] = input.columns.map((c) => {
    const normalised = parseDataType(c.type) ?? c.type;
    const { type, nullable } = splitNullability(normalised);
    const col: Col = { name: c.name, type, nullable: c.nullable ?? nullable };
    if (table !== undefined) col.lineage = { sources: [{ table, column: c.name }], transform: 'direct' };
    return col;
  });
  const complete = cols.length > 0;
  const times = [
    ...input.columns.filter((c) => c.time).map((c) => ({ column: c.name, kind: c.time! })),
    ...(input.timeAttributes ?? []),
    ...(input.timeAttribute ? [input.timeAttribute] : []),
  ];
  for (const time of times) {
    let col = cols.find((c) => c.name === time.column);
    if (!col) {
      col = { name: time.column, type: time.kind === 'proctime' ? 'TIMESTAMP_LTZ(3)' : complete ? 'TIMESTAMP(3)' : undefined, nullable: time.kind !== 'proctime' };
      if (table !== undefined) col.lineage = { sources: [{ table, column: time.column }], transform: 'direct' };
      cols.push(col);
    }
    col.time = time.kind;
    // PROCTIME() is a NOT NULL TIMESTAMP_LTZ(3), whatever the declared column says.
    if (time.kind === 'proctime') Object.assign(col, { type: 'TIMESTAMP_LTZ(3)', nullable: false });
  }
  // A primary key is NOT NULL in Flink, whatever its columns say.
  for (const k of input.primaryKey ?? []) {
    const col = cols.find((c) => c.name === k);
    if (col) col.nullable = false;
  }
  const rel: Relation = { cols, complete, changelog: input.changelog ?? 'append' };
  if (input.changelog === 'updating' && input.primaryKey?.length) rel.upsertKey = [...input.primaryKey];
  return rel;
}

export function aliased(alias: string | undefined, rel: Relation): ScopeEntry {
  return alias !== undefined ? { alias, rel } : { rel };
}

export function colTyped(col: Col): Typed {
  const t: Typed = { type: col.type, nullable: col.nullable };
  if (col.time) t.time = col.time;
  if (col.window) t.window = col.window;
  if (col.windowKey) t.windowKey = col.windowKey;
  return t;
}

/** A column after a stateful operator that does not keep time attributes: a plain value. */
export function materialize(col: Col): Col {
  const copy = { ...col };
  delete copy.time;
  delete copy.window;
  delete copy.windowKey;
  return copy;
}

export function setChangelog(entries: ScopeEntry[], changelog: Changelog): void {
  for (const e of entries) e.rel = { ...e.rel, changelog };
}

export function changelogOf(entries: ScopeEntry[]): Changelog {
  return entries.some((e) => e.rel.changelog === 'updating') ? 'updating' : 'append';
}

// ---------------------------------------------------------------------------------------------
// Column-level lineage: recorded where column references resolve (names.ts), collected per select
// item, measure or table-function argument.

export function newCollector(): LineageCollector {
  return { sources: new Map(), partial: false, transforms: new Set() };
}

/** Records that the expression being collected reads `col` (and, for a ROW column, the field path). */
export function noteColumn(collector: LineageCollector | undefined, col: Col, path: string[] = []): void {
  if (!collector) return;
  const lineage = col.lineage;
  if (!lineage) return;
  if (lineage.partial) collector.partial = true;
  collector.transforms.add(path.length && lineage.transform !== 'direct' ? 'expression' : lineage.transform);
  for (const s of lineage.sources) {
    // A field of a column copied as is is a field of its source; of a computed ROW, the whole inputs.
    const column = path.length && lineage.transform === 'direct' && lineage.sources.length === 1 ? `${s.column}.${path.join('.')}` : s.column;
    collector.sources.set(`${s.table}\u0000${column}`, { table: s.table, column });
  }
}

/** Merges what one collector saw into another (a scalar subquery's items into the enclosing item). */
export function mergeCollector(into: LineageCollector | undefined, from: LineageCollector): void {
  if (!into) return;
  for (const [k, v] of from.sources) into.sources.set(k, v);
  for (const t of from.transforms) into.transforms.add(t);
  if (from.partial) into.partial = true;
}

export function collectedLineage(collector: LineageCollector, transform: LineageTransform): ColLineage {
  const sources = [...collector.sources.values()];
  const lineage: ColLineage = { sources, transform };
  if (collector.partial) lineage.partial = true;
  return lineage;
}

/** The lineage of a column combining several (a set operation's sides): direct only when each side is the same direct copy. */
export function combinedLineage(cols: (Col | undefined)[]): ColLineage {
  const collector = newCollector();
  for (const c of cols) {
    if (!c?.lineage) {
      collector.partial = true;
      continue;
    }
    noteColumn(collector, c);
  }
  const direct = cols.every((c) => c?.lineage?.transform === 'direct');
  return collectedLineage(collector, direct ? 'direct' : 'expression');
}
