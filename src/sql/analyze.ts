/**
 * Semantic analysis of a parsed Flink SQL query: name resolution against the input schemas, output
 * columns and types, stateful features and the changelog mode of the result, following the rules of
 * Flink's planner (FlinkChangelogModeInferenceProgram) for the common operators.
 */
import { error, warning, type Diagnostic } from '../core/diagnostics.js';
import type { Expr, FromItem, MatchRecognize, OrderItem, Pos, Query, Select, SelectItem, SetOperation, Values, WindowSpec } from './ast.js';
import { AGGREGATE_FUNCTIONS, functionRule, GROUP_WINDOW_FUNCTIONS, isAggregateFunction, ML_FUNCTIONS, WINDOW_ONLY_FUNCTIONS, type ArgType } from './functions.js';
import { parseDataType } from './parser.js';
import { commonType, isIntervalType, isNumericType, isTimestampType, numericArithmeticType, rowFields, splitNullability, typeArguments, typeRoot } from './types.js';

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
  time?: TimeKind;
}
export interface InputTableSchema {
  columns: InputColumn[];
  timeAttribute?: { column: string; kind: TimeKind };
  changelog?: Changelog;
  primaryKey?: string[];
}

/** A column of a relation while analysing; `type` is undefined when it cannot be known. */
export interface Col {
  name: string;
  type: string | undefined;
  nullable: boolean;
  time?: TimeKind;
  /** window_start / window_end / window_time produced by a window TVF, kept through projections. */
  window?: 'start' | 'end' | 'time';
  /** The DESCRIPTOR column of a window TVF: a plain timestamp now, but window Top-N/dedup may order by it. */
  formerTime?: TimeKind;
  unnamed?: boolean;
  /** Where the select item is, for diagnostics about output columns. */
  pos?: Pos;
}

interface RankInfo {
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
  rank?: RankInfo;
}

interface ScopeEntry {
  alias?: string;
  rel: Relation;
  /** Columns a `JOIN ... USING (c)` merged into the same-named column of an earlier entry: an unqualified `c` and `*` mean the merged one. */
  usingMerged?: Set<string>;
}

interface Scope {
  entries: ScopeEntry[];
  parent?: Scope;
  /** Inside MATCH_RECOGNIZE, qualifiers are pattern variables over the one input. */
  matchRecognize?: boolean;
}

interface Typed {
  type: string | undefined;
  nullable: boolean;
  time?: TimeKind;
  window?: 'start' | 'end' | 'time';
  formerTime?: TimeKind;
}

interface SelectContext {
  aggregateCalls: number;
  overCalls: { name: string; spec: WindowSpec; pos: Pos }[];
  windows: Record<string, WindowSpec>;
}

export interface AnalyzerOptions {
  /** Report SQL_UNKNOWN_TABLE for tables missing from the inputs (default true). */
  checkTables?: boolean;
  /** Output columns of ML models by name, for ML_PREDICT('name', ...) (the model's ml_outputs). */
  mlOutputs?: Record<string, InputColumn[]>;
}

const UNKNOWN: Typed = { type: undefined, nullable: true };
const RANKING = new Set(['ROW_NUMBER', 'RANK', 'DENSE_RANK']);

export class Analyzer {
  readonly diagnostics: Diagnostic[] = [];
  readonly tableRefs: { name: string; pos: Pos }[] = [];
  readonly features = new Set<StatefulFeature>();
  readonly mlFunctions = new Set<string>();
  hasFrom = false;
  private readonly ctes: Map<string, Relation>[] = [];
  /** Table items on the right side of a JOIN, where FOR SYSTEM_TIME AS OF is valid. */
  private readonly joinRightSides = new Set<FromItem>();

  constructor(
    private readonly inputs: Record<string, InputTableSchema>,
    private readonly options: AnalyzerOptions = {},
  ) {}

  // ---- diagnostics ---------------------------------------------------------------------------
  private error(code: string, message: string, pos: Pos | undefined, hint?: string): void {
    this.diagnostics.push(error(code, message, { ...(pos ? { line: pos.line, column: pos.column } : {}), ...(hint ? { hint } : {}) }));
  }
  private warn(code: string, message: string, pos: Pos | undefined, hint?: string): void {
    this.diagnostics.push(warning(code, message, { ...(pos ? { line: pos.line, column: pos.column } : {}), ...(hint ? { hint } : {}) }));
  }

  // ---- queries -------------------------------------------------------------------------------
  analyzeQuery(query: Query, parent?: Scope): Relation {
    const scope = new Map<string, Relation>();
    this.ctes.push(scope);
    try {
      for (const cte of query.with) {
        let rel = this.releaseRank(this.analyzeQuery(cte.query, parent));
        if (cte.columns) rel = this.renameColumns(rel, cte.columns, cte.pos);
        scope.set(cte.name, rel);
      }
      let rel = this.analyzeBody(query.body, parent);
      if (query.orderBy.length > 0) rel = this.applyOrderBy(rel, query.orderBy, query.limit !== undefined);
      return rel;
    } finally {
      this.ctes.pop();
    }
  }

  private analyzeBody(body: Select | SetOperation | Values | Query, parent?: Scope): Relation {
    switch (body.kind) {
      case 'select':
        return this.analyzeSelect(body, parent);
      case 'set':
        return this.analyzeSetOperation(body, parent);
      case 'values':
        return this.analyzeValues(body, parent);
      case 'query':
        return this.analyzeQuery(body, parent);
    }
  }

  private applyOrderBy(rel: Relation, orderBy: OrderItem[], hasLimit: boolean): Relation {
    this.features.add('order_by');
    const first = orderBy[0]!;
    const col = first.expr.kind === 'column' ? findByName(rel.cols, first.expr.parts[first.expr.parts.length - 1]!) : undefined;
    if (hasLimit) {
      // A sort with a limit is a Top-N over the whole stream: its result changes as rows arrive.
      return { ...rel, cols: rel.cols.map(materialize), changelog: 'updating', upsertKey: undefined };
    }
    if (col && rel.complete && (!col.time || first.descending)) {
      this.warn(
        'SQL_UNSUPPORTED',
        `Flink streaming ORDER BY must start with an ascending time attribute; '${col.name}' is not one`,
        first.expr.pos,
        'Order by the event-time (rowtime) column ascending, or add a LIMIT for a Top-N.',
      );
    }
    return rel;
  }

  private analyzeValues(values: Values, parent?: Scope): Relation {
    const scope: Scope = parent ? { entries: [], parent } : { entries: [] };
    const rows = values.rows.map((row) => row.map((e) => this.typeExpr(e, scope)));
    const width = rows[0]?.length ?? 0;
    const cols: Col[] = [];
    for (let i = 0; i < width; i++) {
      const types = rows.map((r) => r[i]?.type);
      const known = types.every((t) => t !== undefined);
      cols.push({ name: `EXPR$${i}`, type: known ? commonType(types as string[]) : undefined, nullable: rows.some((r) => r[i]?.nullable ?? true), unnamed: true });
    }
    return { cols, complete: true, changelog: 'append' };
  }

  private analyzeSetOperation(set: SetOperation, parent?: Scope): Relation {
    const left = this.releaseRank(this.analyzeQuery(set.left, parent));
    const right = this.releaseRank(this.analyzeQuery(set.right, parent));
    const complete = left.complete && right.complete;
    if (complete && left.cols.length !== right.cols.length) {
      this.error('SQL_SET_COLUMN_MISMATCH', `${set.op} inputs have ${left.cols.length} and ${right.cols.length} columns`, set.pos, 'Both sides of a set operation must select the same number of columns.');
    }
    const cols: Col[] = left.cols.map((l, i) => {
      const r = right.cols[i];
      const type = l.type !== undefined && r?.type !== undefined ? commonType([l.type, r.type]) : undefined;
      const col: Col = { name: l.name, type, nullable: l.nullable || (r?.nullable ?? true) };
      if (set.op === 'UNION' && set.all && l.time && r?.time === l.time) col.time = l.time;
      if (l.window && r?.window === l.window) col.window = l.window;
      return col;
    });
    if (set.op === 'UNION' && set.all) {
      const changelog: Changelog = left.changelog === 'updating' || right.changelog === 'updating' ? 'updating' : 'append';
      return { cols, complete, changelog };
    }
    // UNION, INTERSECT and EXCEPT remove duplicates: Flink keeps every distinct row in state.
    this.features.add('distinct');
    return { cols: cols.map(materialize), complete, changelog: 'updating', upsertKey: cols.map((c) => c.name) };
  }

  // ---- SELECT --------------------------------------------------------------------------------
  private analyzeSelect(select: Select, parent?: Scope): Relation {
    const whereConjuncts = select.where ? conjuncts(select.where) : [];
    let source: { entries: ScopeEntry[]; changelog: Changelog; complete: boolean };
    if (select.from) {
      this.hasFrom = true;
      source = this.analyzeFrom(select.from, parent, whereConjuncts);
    } else source = { entries: [], changelog: 'append', complete: true };
    const scope: Scope = parent ? { entries: source.entries, parent } : { entries: source.entries };

    // A ROW_NUMBER() computed below and filtered here is a Top-N or a deduplication.
    const single = source.entries.length === 1 ? source.entries[0] : undefined;
    const rankResult = single?.rel.rank ? this.consumeRank(single, whereConjuncts) : undefined;
    for (const entry of source.entries) if (entry.rel.rank && entry !== (rankResult ? single : undefined)) entry.rel = this.releaseRank(entry.rel);
    if (rankResult) single!.rel = rankResult.rel;

    const noAggregates: SelectContext = { aggregateCalls: 0, overCalls: [], windows: select.windows };
    if (select.where) this.expectBoolean(this.typeExpr(select.where, scope, noAggregates), select.where, 'WHERE');

    // GROUP BY keys, with legacy group windows (GROUP BY TUMBLE(ts, INTERVAL '1' HOUR)).
    const groupKeys: { expr: Expr; typed: Typed }[] = [];
    let groupWindow = false;
    for (const key of select.groupBy) {
      if (key.kind === 'call' && GROUP_WINDOW_FUNCTIONS.has(key.name) && key.args.length >= 2) {
        groupWindow = true;
        this.features.add('group_window');
        const timeArg = this.typeExpr(key.args[0]!, scope, noAggregates);
        for (const a of key.args.slice(1)) this.typeExpr(a, scope, noAggregates);
        if (source.complete && timeArg.type !== undefined && !timeArg.time) {
          this.error('SQL_TIME_ATTRIBUTE_REQUIRED', `${key.name} group window needs a time attribute as its first argument`, key.pos, 'Use the event-time column that has a WATERMARK, or a PROCTIME() column.');
        }
        continue;
      }
      groupKeys.push({ expr: key, typed: this.typeExpr(key, scope, noAggregates) });
    }

    const context: SelectContext = { aggregateCalls: 0, overCalls: [], windows: select.windows };
    const cols: Col[] = [];
    const itemExprs: (Expr | undefined)[] = [];
    // The output has exactly the selected columns: it is incomplete only if * expands an unknown schema.
    let complete = true;
    for (const item of select.items) {
      if (item.expr.kind === 'star') {
        const expanded = this.expandStar(item, scope);
        if (!expanded.complete) complete = false;
        for (const c of expanded.cols) {
          cols.push({ ...c });
          itemExprs.push({ kind: 'column', parts: [c.name], pos: item.pos });
        }
        continue;
      }
      const typed = this.typeExpr(item.expr, scope, context);
      const name = item.alias ?? derivedName(item.expr);
      const col: Col = { name: name ?? `EXPR$${cols.length}`, type: typed.type, nullable: typed.nullable, pos: item.pos };
      if (!name) col.unnamed = true;
      if (typed.time) col.time = typed.time;
      if (typed.window) col.window = typed.window;
      if (typed.formerTime) col.formerTime = typed.formerTime;
      cols.push(col);
      itemExprs.push(item.expr);
    }
    if (select.having) this.expectBoolean(this.typeExpr(select.having, scope, context), select.having, 'HAVING');
    uniquifyNames(cols);

    const inputChangelog = rankResult ? rankResult.rel.changelog : source.changelog;
    const inputKey = rankResult ? rankResult.rel.upsertKey : single?.rel.upsertKey;
    const isAggregation = select.groupBy.length > 0 || context.aggregateCalls > 0;
    let changelog: Changelog = inputChangelog;
    let upsertKey: string[] | undefined;
    let rank: RankInfo | undefined;

    if (isAggregation) {
      if (select.groupBy.length > 0) this.features.add('group_by');
      if (context.aggregateCalls > 0) this.features.add('aggregate');
      const hasWindowStart = groupKeys.some((k) => k.typed.window === 'start');
      const hasWindowEnd = groupKeys.some((k) => k.typed.window === 'end');
      const windowAggregation = groupWindow || (hasWindowStart && hasWindowEnd);
      const groupedExprs = groupKeys.map((k) => k.expr);
      for (const [i, col] of cols.entries()) {
        const expr = itemExprs[i];
        const grouped = expr !== undefined && groupedExprs.some((g) => sameExpr(g, expr));
        const keepsWindow = windowAggregation && grouped && col.window !== undefined;
        delete col.formerTime;
        if (!keepsWindow) delete col.window;
        // Only window_time (or a group window's *_ROWTIME) stays a time attribute after aggregation.
        const fromGroupWindowAuxiliary = expr?.kind === 'call' && /_(ROWTIME|PROCTIME)$/.test(expr.name);
        if (!(windowAggregation && ((keepsWindow && col.window === 'time') || fromGroupWindowAuxiliary))) delete col.time;
      }
      if (windowAggregation) {
        changelog = inputChangelog;
        if (inputChangelog === 'updating') upsertKey = undefined;
      } else {
        changelog = 'updating';
        if (select.groupBy.length > 0 && !select.groupingSets) upsertKey = this.keyNames(groupedExprs, itemExprs, cols);
      }
      if (inputChangelog === 'updating' && windowAggregation) {
        this.warn('SQL_UNSUPPORTED', 'A window aggregation over an updating input may be rejected by Flink', select.pos, 'Window aggregations need an append-only input.');
      }
    } else {
      const ranking = context.overCalls.find((c) => RANKING.has(c.name));
      for (const call of context.overCalls) {
        if (call === ranking && ranking && this.rankColumn(select, ranking)) continue;
        this.features.add('over');
        this.checkOverOrder(call, source.complete, scope);
      }
      if (context.overCalls.length > 0 && inputChangelog === 'updating' && context.overCalls.some((c) => c !== ranking)) {
        this.warn('SQL_UNSUPPORTED', 'OVER aggregations need an append-only input; this input is updating', select.pos);
      }
      if (ranking) {
        const rankColumn = this.rankColumn(select, ranking);
        if (rankColumn) {
          const partitionBy = ranking.spec.partitionBy.map((e) => (e.kind === 'column' ? e.parts[e.parts.length - 1]! : ''));
          const partitionTyped = ranking.spec.partitionBy.map((e) => this.typeExpr(e, scope, noAggregates));
          const firstOrder = ranking.spec.orderBy[0];
          const orderTyped = firstOrder ? this.typeExpr(firstOrder.expr, scope, noAggregates) : undefined;
          rank = {
            column: rankColumn,
            fn: ranking.name,
            partitionBy,
            windowed: partitionTyped.some((t) => t.window === 'start') && partitionTyped.some((t) => t.window === 'end'),
            descending: firstOrder?.descending ?? false,
            pos: ranking.pos,
          };
          const orderTime = orderTyped?.time ?? (rank.windowed ? orderTyped?.formerTime : undefined);
          if (orderTime && ranking.spec.orderBy.length === 1) rank.orderTime = orderTime;
        }
      }
      if (select.distinct) {
        this.features.add('distinct');
        changelog = 'updating';
        upsertKey = cols.map((c) => c.name);
        for (const col of cols) {
          delete col.time;
          delete col.window;
        }
      } else if (inputChangelog === 'updating' && inputKey) {
        upsertKey = this.projectKey(inputKey, itemExprs, cols);
      }
    }

    const rel: Relation = { cols, complete, changelog };
    if (changelog === 'updating' && upsertKey && upsertKey.length > 0) rel.upsertKey = upsertKey;
    if (rank) rel.rank = rank;
    return rel;
  }

  private expectBoolean(typed: Typed, expr: Expr, clause: string): void {
    if (typed.type !== undefined && typeRoot(typed.type) !== 'BOOLEAN' && typeRoot(typed.type) !== 'NULL') {
      this.error('SQL_TYPE_MISMATCH', `${clause} condition must be BOOLEAN, got ${typed.type}`, expr.pos);
    }
  }

  /** The alias of the select item holding the ranking call, if the call is a whole select item. */
  private rankColumn(select: Select, ranking: { pos: Pos }): string | undefined {
    const item = select.items.find((i) => i.expr.kind === 'call' && i.expr.pos === ranking.pos);
    if (!item) return undefined;
    return item.alias ?? undefined;
  }

  private checkOverOrder(call: { name: string; spec: WindowSpec; pos: Pos }, complete: boolean, scope: Scope): void {
    const first = call.spec.orderBy[0];
    if (!first) {
      this.error('SQL_UNSUPPORTED', `OVER window of ${call.name} needs ORDER BY a time attribute in streaming mode`, call.pos);
      return;
    }
    const typed = this.typeExpr(first.expr, scope, { aggregateCalls: 0, overCalls: [], windows: {} });
    if (complete && typed.type !== undefined && (!typed.time || first.descending)) {
      this.error('SQL_UNSUPPORTED', `OVER window of ${call.name} must be ordered by an ascending time attribute`, first.expr.pos, 'Order the OVER window by the rowtime or proctime column, ascending.');
    }
  }

  /**
   * A relation carrying ROW_NUMBER() as `rank.column`, read by a SELECT whose WHERE bounds that column:
   * Flink plans it as a deduplication (ROW_NUMBER = 1 ordered by a time attribute) or a Top-N.
   */
  private consumeRank(entry: ScopeEntry, where: Expr[]): { rel: Relation } | undefined {
    const rank = entry.rel.rank!;
    const bound = rankBound(where, rank.column, entry.alias);
    if (bound === undefined) return undefined;
    const rel: Relation = { ...entry.rel, cols: entry.rel.cols.map((c) => ({ ...c })) };
    delete rel.rank;
    const isDedup = rank.fn === 'ROW_NUMBER' && bound === 1 && rank.orderTime !== undefined;
    this.features.add(isDedup ? 'deduplication' : 'top_n');
    const rankCol = rel.cols.find((c) => c.name === rank.column);
    if (rankCol) delete rankCol.time;
    if (rank.windowed) {
      // Window deduplication and window Top-N emit final results once the window closes.
      return { rel };
    }
    if (isDedup && !rank.descending && rank.orderTime === 'proctime') {
      // Keeping the first row by processing time never retracts it. On rowtime a late record
      // with an earlier timestamp replaces the first row, so Flink plans updates.
      return { rel };
    }
    rel.changelog = 'updating';
    rel.cols = rel.cols.map(materialize);
    const key = isDedup || bound === 1 ? rank.partitionBy : [...rank.partitionBy, rank.column];
    if (key.every((k) => k !== '')) rel.upsertKey = key;
    else delete rel.upsertKey;
    return { rel };
  }

  /** A ROW_NUMBER() that no outer query bounds: Flink rejects it, so say so instead of guessing. */
  releaseRank(rel: Relation): Relation {
    if (!rel.rank) return rel;
    this.features.add('over');
    this.warn(
      'SQL_UNSUPPORTED',
      `${rel.rank.fn}() is only supported by Flink as a Top-N or deduplication: filter '${rel.rank.column}' in an outer query (e.g. WHERE ${rel.rank.column} = 1)`,
      rel.rank.pos,
    );
    const copy = { ...rel };
    delete copy.rank;
    return copy;
  }

  /** Output names of the given key expressions, when every key is selected as is. */
  private keyNames(keys: Expr[], itemExprs: (Expr | undefined)[], cols: Col[]): string[] | undefined {
    const names: string[] = [];
    for (const key of keys) {
      const index = itemExprs.findIndex((e) => e !== undefined && sameExpr(e, key));
      if (index < 0) return undefined;
      names.push(cols[index]!.name);
    }
    return names;
  }

  /** Maps an input upsert key through a projection of plain column references. */
  private projectKey(inputKey: string[], itemExprs: (Expr | undefined)[], cols: Col[]): string[] | undefined {
    return this.keyNames(
      inputKey.map((k) => ({ kind: 'column', parts: [k], pos: { line: 0, column: 0 } })),
      itemExprs,
      cols,
    );
  }

  private expandStar(item: SelectItem, scope: Scope): { cols: Col[]; complete: boolean } {
    const star = item.expr as Expr & { kind: 'star' };
    if (star.qualifier) {
      const qualifier = star.qualifier.join('.');
      const entry = scope.entries.find((e) => e.alias === qualifier);
      if (!entry) {
        this.error('SQL_UNKNOWN_TABLE', `No table or alias named '${qualifier}' in this query`, item.pos, nearest(qualifier, scope.entries.map((e) => e.alias ?? '')));
        return { cols: [], complete: false };
      }
      return { cols: entry.rel.cols.map((c) => ({ ...c })), complete: entry.rel.complete };
    }
    if (scope.entries.length === 0) {
      this.error('SQL_NO_FROM', 'SELECT * needs a FROM clause', item.pos);
      return { cols: [], complete: false };
    }
    // As Calcite does for USING: the merged columns first, once, then every other column in order.
    const merged = [...new Set(scope.entries.flatMap((e) => [...(e.usingMerged ?? [])]))];
    const owners = new Map<string, ScopeEntry>();
    for (const name of merged) {
      const owner = scope.entries.find((e) => !e.usingMerged?.has(name) && e.rel.cols.some((c) => c.name === name));
      if (owner) owners.set(name, owner);
    }
    const first = [...owners].map(([name, owner]) => ({ ...owner.rel.cols.find((c) => c.name === name)! }));
    const rest = scope.entries.flatMap((e) => e.rel.cols.filter((c) => owners.get(c.name) !== e && !e.usingMerged?.has(c.name)).map((c) => ({ ...c })));
    return { cols: [...first, ...rest], complete: scope.entries.every((e) => e.rel.complete) };
  }

  // ---- FROM ----------------------------------------------------------------------------------
  private analyzeFrom(item: FromItem, parent: Scope | undefined, where: Expr[]): { entries: ScopeEntry[]; changelog: Changelog; complete: boolean } {
    const entries = this.fromItem(item, parent, where, []);
    return {
      entries,
      changelog: entries.some((e) => e.rel.changelog === 'updating') ? 'updating' : 'append',
      complete: entries.every((e) => e.rel.complete),
    };
  }

  /** Relations introduced by a FROM item; `left` are the relations to its left (for LATERAL and joins). */
  private fromItem(item: FromItem, parent: Scope | undefined, where: Expr[], left: ScopeEntry[]): ScopeEntry[] {
    switch (item.kind) {
      case 'table': {
        if (item.asOf && !this.joinRightSides.has(item)) {
          this.error('SQL_UNSUPPORTED', 'FOR SYSTEM_TIME AS OF is only valid on the right side of a JOIN', item.pos);
        }
        let rel = this.tableRelation(item.name, item.pos);
        if (item.match) {
          rel = this.matchRecognize(item.match, rel, item.alias ?? item.name, parent);
          if (item.columnAliases) rel = this.renameColumns(rel, item.columnAliases, item.pos);
          return [aliased(item.alias, rel)];
        }
        if (item.columnAliases) rel = this.renameColumns(rel, item.columnAliases, item.pos);
        return [aliased(item.alias ?? item.parts[item.parts.length - 1], rel)];
      }
      case 'derived': {
        let rel = this.analyzeQuery(item.query, item.lateral ? { entries: left, ...(parent ? { parent } : {}) } : parent);
        if (item.match) {
          rel = this.matchRecognize(item.match, this.releaseRank(rel), undefined, parent);
        }
        if (item.columnAliases) rel = this.renameColumns(rel, item.columnAliases, item.pos);
        return [aliased(item.alias, rel)];
      }
      case 'window_tvf':
        return [aliased(item.alias, this.windowTvf(item, parent))];
      case 'table_function': {
        const scope: Scope = parent ? { entries: left, parent } : { entries: left };
        return [aliased(item.alias, this.tableFunction(item, scope))];
      }
      case 'join':
        return this.join(item, parent, where, left);
    }
  }

  private tableRelation(name: string, pos: Pos): Relation {
    for (let i = this.ctes.length - 1; i >= 0; i--) {
      const cte = this.ctes[i]!.get(name);
      if (cte) return { ...cte, cols: cte.cols.map((c) => ({ ...c })) };
    }
    this.tableRefs.push({ name, pos });
    const input = this.inputs[name];
    if (!input) {
      if (this.options.checkTables !== false) {
        this.error('SQL_UNKNOWN_TABLE', `Unknown table '${name}'`, pos, nearest(name, Object.keys(this.inputs)) ?? 'Read other nodes with {{ ref("model") }} or {{ source("source") }}.');
      }
      return { cols: [], complete: false, changelog: 'append' };
    }
    return inputRelation(input);
  }

  private renameColumns(rel: Relation, names: string[], pos: Pos): Relation {
    if (rel.complete && names.length !== rel.cols.length) {
      this.error('SQL_COLUMN_COUNT_MISMATCH', `${names.length} column aliases given for ${rel.cols.length} columns`, pos);
    }
    const renames = new Map<string, string>();
    const cols = rel.cols.map((c, i) => {
      const name = names[i];
      if (name === undefined) return c;
      renames.set(c.name, name);
      return { ...c, name, unnamed: false };
    });
    const copy: Relation = { ...rel, cols };
    if (rel.upsertKey) copy.upsertKey = rel.upsertKey.map((k) => renames.get(k) ?? k);
    return copy;
  }

  private windowTvf(item: FromItem & { kind: 'window_tvf' }, parent: Scope | undefined): Relation {
    this.features.add('window_tvf');
    const inputEntries = this.fromItem(item.input, parent, [], []);
    const input = this.releaseRank(inputEntries[0]!.rel);
    const timeCol = input.cols.find((c) => c.name === item.timeColumn);
    let kind: TimeKind = 'rowtime';
    if (!timeCol) {
      if (input.complete) {
        this.error('SQL_UNKNOWN_COLUMN', `Unknown column '${item.timeColumn}' in ${item.fn} DESCRIPTOR`, item.pos, nearest(item.timeColumn, input.cols.map((c) => c.name)));
      }
    } else if (!timeCol.time) {
      if (timeCol.type !== undefined) {
        this.error(
          'SQL_TIME_ATTRIBUTE_REQUIRED',
          `${item.fn} needs a time attribute in DESCRIPTOR, but '${item.timeColumn}' is a plain ${timeCol.type}`,
          item.pos,
          'Declare the column as the event-time attribute (with a WATERMARK) of the source, or use a PROCTIME() column.',
        );
      }
    } else kind = timeCol.time;
    for (const p of item.partitionBy) {
      if (input.complete && !input.cols.some((c) => c.name === p)) this.error('SQL_UNKNOWN_COLUMN', `Unknown column '${p}' in ${item.fn} PARTITION BY`, item.pos);
    }
    if (input.changelog === 'updating') this.warn('SQL_UNSUPPORTED', `${item.fn} window TVF over an updating input may be rejected by Flink`, item.pos);
    // The original time column becomes a regular timestamp; window_time carries the time attribute.
    const cols: Col[] = input.cols
      .filter((c) => c.name !== 'window_start' && c.name !== 'window_end' && c.name !== 'window_time')
      .map((c) => {
        const copy = { ...c };
        if (c.name === item.timeColumn && copy.time) {
          copy.formerTime = copy.time;
          delete copy.time;
        }
        delete copy.window;
        return copy;
      });
    const windowTimeType = kind === 'proctime' || (timeCol?.type !== undefined && typeRoot(timeCol.type) === 'TIMESTAMP_LTZ') ? 'TIMESTAMP_LTZ(3)' : 'TIMESTAMP(3)';
    cols.push(
      { name: 'window_start', type: 'TIMESTAMP(3)', nullable: false, window: 'start' },
      { name: 'window_end', type: 'TIMESTAMP(3)', nullable: false, window: 'end' },
      { name: 'window_time', type: windowTimeType, nullable: false, time: kind, window: 'time' },
    );
    return { cols, complete: input.complete, changelog: input.changelog };
  }

  /** The declared output columns of the ML model an ML_PREDICT call names, if declared. */
  private mlOutputs(call: Expr & { kind: 'call' }): InputColumn[] | undefined {
    if (call.name !== 'ML_PREDICT') return undefined;
    const first = call.args[0];
    if (!first || first.kind !== 'literal' || first.literal !== 'string') return undefined;
    const name = first.text;
    const cols = this.options.mlOutputs?.[name];
    return cols?.length ? cols : undefined;
  }

  private tableFunction(item: FromItem & { kind: 'table_function' }, scope: Scope): Relation {
    const call = item.call;
    const names = item.columnAliases;
    if (call.kind === 'call' && ML_FUNCTIONS.has(call.name)) this.mlFunctions.add(call.name);
    if (item.unnest) {
      const args = call.kind === 'call' ? call.args : [call];
      const cols: Col[] = [];
      for (const arg of args) {
        const typed = this.typeExpr(arg, scope);
        const elementType = typed.type ? typeArguments(typed.type)[typeRoot(typed.type) === 'MAP' ? 0 : 0] : undefined;
        if (typed.type && typeRoot(typed.type) === 'MAP') {
          const [k, v] = typeArguments(typed.type);
          cols.push({ name: `EXPR$${cols.length}`, type: k, nullable: true }, { name: `EXPR$${cols.length + 1}`, type: v, nullable: true });
        } else if (elementType && typeRoot(elementType) === 'ROW') {
          for (const f of rowFields(elementType)) cols.push({ name: f.name, ...typeWithNullability(f.type) });
        } else cols.push({ name: `EXPR$${cols.length}`, type: elementType, nullable: true });
      }
      const rel: Relation = { cols, complete: true, changelog: 'append' };
      return names ? this.renameColumns(rel, names, item.pos) : rel;
    }
    // ML_PREDICT('model', ...) of a model whose outputs the project declares (ml_outputs).
    const ml = call.kind === 'call' ? this.mlOutputs(call) : undefined;
    if (ml && call.kind === 'call') {
      for (const arg of call.args.slice(1)) this.typeExpr(arg, scope);
      const rel: Relation = { cols: ml.map((c) => ({ name: c.name, ...typeWithNullability(c.type) })), complete: true, changelog: 'append' };
      return names ? this.renameColumns(rel, names, item.pos) : rel;
    }
    // A user-defined table function: its arguments resolve, its output types are unknown.
    if (call.kind === 'call') for (const arg of call.args) this.typeExpr(arg, scope);
    const cols: Col[] = (names ?? []).map((name) => ({ name, type: undefined, nullable: true }));
    return { cols, complete: false, changelog: 'append' };
  }

  private matchRecognize(match: MatchRecognize, input: Relation, alias: string | undefined, parent: Scope | undefined): Relation {
    this.features.add('match_recognize');
    const scope: Scope = { entries: [aliased(alias, input)], matchRecognize: true, ...(parent ? { parent } : {}) };
    const ctx: SelectContext = { aggregateCalls: 0, overCalls: [], windows: {} };
    const cols: Col[] = [];
    for (const p of match.partitionBy) {
      const typed = this.typeExpr(p, scope, ctx);
      if (p.kind === 'column') cols.push({ name: p.parts[p.parts.length - 1]!, type: typed.type, nullable: typed.nullable });
    }
    if (match.orderBy[0]) {
      const typed = this.typeExpr(match.orderBy[0].expr, scope, ctx);
      if (input.complete && typed.type !== undefined && !typed.time) {
        this.error('SQL_TIME_ATTRIBUTE_REQUIRED', 'MATCH_RECOGNIZE must be ordered by a time attribute first', match.orderBy[0].expr.pos);
      }
    }
    if (match.allRows) {
      this.warn('SQL_UNSUPPORTED', 'Flink supports only ONE ROW PER MATCH in MATCH_RECOGNIZE', match.pos);
      cols.push(...input.cols.filter((c) => !cols.some((p) => p.name === c.name)).map(materialize));
    }
    for (const m of match.measures) {
      const typed = this.typeExpr(m.expr, scope, ctx);
      const col: Col = { name: m.alias!, type: typed.type, nullable: typed.nullable };
      // Only MATCH_ROWTIME() / MATCH_PROCTIME() are time attributes in the output of a match.
      if (typed.time && m.expr.kind === 'call' && (m.expr.name === 'MATCH_ROWTIME' || m.expr.name === 'MATCH_PROCTIME')) col.time = typed.time;
      cols.push(col);
    }
    if (input.changelog === 'updating') this.warn('SQL_UNSUPPORTED', 'MATCH_RECOGNIZE needs an append-only input', match.pos);
    return { cols, complete: input.complete, changelog: 'append' };
  }

  private join(item: FromItem & { kind: 'join' }, parent: Scope | undefined, where: Expr[], outerLeft: ScopeEntry[]): ScopeEntry[] {
    const left = this.fromItem(item.left, parent, where, outerLeft);
    this.joinRightSides.add(item.right);
    const right = this.fromItem(item.right, parent, where, [...outerLeft, ...left]);
    const all = [...left, ...right];
    const scope: Scope = parent ? { entries: [...outerLeft, ...all], parent } : { entries: [...outerLeft, ...all] };
    const noCtx: SelectContext = { aggregateCalls: 0, overCalls: [], windows: {} };
    if (item.on) this.typeExpr(item.on, scope, noCtx);
    for (const name of item.using ?? []) {
      for (const side of [left, right]) {
        if (side.every((e) => e.rel.complete) && !side.some((e) => e.rel.cols.some((c) => c.name === name))) {
          this.error('SQL_UNKNOWN_COLUMN', `USING column '${name}' is missing on one side of the join`, item.pos);
        }
      }
    }
    for (const name of item.using ?? []) {
      for (const e of right) if (e.rel.cols.some((c) => c.name === name)) (e.usingMerged ??= new Set()).add(name);
    }
    for (const e of all) if (e.rel.rank) e.rel = this.releaseRank(e.rel);
    const leftChangelog: Changelog = left.some((e) => e.rel.changelog === 'updating') ? 'updating' : 'append';
    const rightChangelog: Changelog = right.some((e) => e.rel.changelog === 'updating') ? 'updating' : 'append';

    // Correlated table functions (LATERAL TABLE, UNNEST) expand each row: no join state.
    if (item.right.kind === 'table_function' || (item.right.kind === 'derived' && item.right.lateral)) return all;

    // FOR SYSTEM_TIME AS OF: an event-time temporal join, or a lookup join on processing time.
    if (item.right.kind === 'table' && item.right.asOf) {
      const leftScope: Scope = parent ? { entries: [...outerLeft, ...left], parent } : { entries: [...outerLeft, ...left] };
      const asOf = this.typeExpr(item.right.asOf, leftScope, noCtx);
      let kind = asOf.time;
      if (!kind && item.right.asOf.kind === 'call' && item.right.asOf.name === 'PROCTIME') kind = 'proctime';
      const versioned = right[0]?.rel;
      const keyed = !!versioned?.upsertKey || this.inputs[item.right.name]?.primaryKey !== undefined;
      if (kind === 'proctime') {
        this.features.add('lookup_join');
        // Flink looks up only lookup sources (JDBC, HBase, ...); every streamt input is a Kafka
        // topic, which Flink can only join as a versioned table, and only on event time.
        if (versioned?.complete) {
          this.error(
            'SQL_LOOKUP_JOIN_UNSUPPORTED',
            keyed ? 'Processing-time temporal join is not supported yet.' : 'Temporal Table Join requires primary key in versioned table, but no primary key can be found.',
            item.right.pos,
            `A lookup join (FOR SYSTEM_TIME AS OF a processing-time attribute) needs a lookup table such as JDBC, and '${item.right.name}' is a Kafka topic, which Flink cannot look up. Join on event time instead (FOR SYSTEM_TIME AS OF the left input's event-time column) against a changelog source (changelog: upsert or a CDC format, key:, event_time:), or use a regular join.`,
          );
        }
      } else {
        this.features.add('temporal_join');
        if (!kind) {
          const known = left.every((e) => e.rel.complete) && asOf.type !== undefined;
          const message = known
            ? `FOR SYSTEM_TIME AS OF needs a time attribute of the left input; '${exprText(item.right.asOf)}' is a plain ${asOf.type}`
            : `Cannot tell whether this is an event-time temporal join or a lookup join: the time attribute of '${exprText(item.right.asOf)}' is unknown`;
          if (known) this.error('SQL_TIME_ATTRIBUTE_REQUIRED', message, item.right.asOf.pos);
          else this.warn('SQL_UNKNOWN_TIME_ATTRIBUTE', message, item.right.asOf.pos, 'Declare the event-time or processing-time attribute of the upstream source.');
        } else if (versioned?.complete) {
          // Flink's versioned table: a primary key and an event-time attribute (TemporalJoinRewriteWithUniqueKeyRule).
          const hint = `'${item.right.name}' must be a versioned table: a changelog with a primary key and an event-time attribute. Declare the source with changelog: upsert (a compacted topic keyed by its message key) or a CDC format (debezium-json, debezium-avro, canal-json, maxwell-json), its key: and its event_time:, or join a model that keeps the latest row per key.`;
          if (!keyed) this.error('SQL_TEMPORAL_JOIN_NO_KEY', 'Temporal Table Join requires primary key in versioned table, but no primary key can be found.', item.right.pos, hint);
          else if (!versioned.cols.some((c) => c.time === 'rowtime')) this.error('SQL_TEMPORAL_JOIN_NO_ROWTIME', 'Event-Time Temporal Table Join requires both primary key and row time attribute in versioned table, but no row time attribute can be found.', item.right.pos, hint);
          else {
            const rightTime = versioned.cols.find((c) => c.time === 'rowtime')!;
            const [l, r] = [asOf.type, rightTime.type].map((t) => (t === undefined ? undefined : typeRoot(t)));
            if (l && r && l !== r) {
              const show = (t: string) => `${t === 'TIMESTAMP_LTZ' ? 'TIMESTAMP_LTZ(3)' : 'TIMESTAMP(3)'} *ROWTIME*`;
              this.error('SQL_TEMPORAL_JOIN_ROWTIME_TYPE', `Event-Time Temporal Table Join requires same rowtime type in left table and versioned table, but the rowtime types are ${show(l)} and ${show(r)}.`, item.right.asOf.pos, `Declare both event-time columns with the same type: TIMESTAMP(3) on both sides, or TIMESTAMP_LTZ(3) on both.`);
            }
          }
        }
      }
      for (const e of right) e.rel = { ...e.rel, cols: e.rel.cols.map(materialize) };
      this.setChangelog(all, leftChangelog);
      return all;
    }

    const conditions = [...(item.on ? conjuncts(item.on) : []), ...where];
    const leftCols = new Set(left.flatMap((e) => e.rel.cols));
    const rightCols = new Set(right.flatMap((e) => e.rel.cols));
    const sideOf = (expr: Expr): 'left' | 'right' | undefined => {
      const refs = columnRefs(expr);
      let side: 'left' | 'right' | undefined;
      for (const ref of refs) {
        const col = this.lookupQuiet(ref.parts, all);
        if (!col) continue;
        const s = leftCols.has(col) ? 'left' : rightCols.has(col) ? 'right' : undefined;
        if (s === undefined) continue;
        if (side && side !== s) return undefined;
        side = s;
      }
      return side;
    };
    const timeOf = (expr: Expr): TimeKind | undefined => {
      for (const ref of columnRefs(expr)) {
        const col = this.lookupQuiet(ref.parts, all);
        if (col?.time) return col.time;
      }
      return undefined;
    };

    // Window join: both inputs are windowed and the join equates their window_start and window_end.
    const equates = (w: 'start' | 'end') =>
      conditions.some((c) => {
        if (c.kind !== 'binary' || c.op !== '=' || c.left.kind !== 'column' || c.right.kind !== 'column') return false;
        const a = this.lookupQuiet(c.left.parts, all);
        const b = this.lookupQuiet(c.right.parts, all);
        return a?.window === w && b?.window === w && sideOf(c.left) !== sideOf(c.right);
      });
    if (equates('start') && equates('end')) {
      this.features.add('window_join');
      this.setChangelog(all, leftChangelog === 'updating' || rightChangelog === 'updating' ? 'updating' : 'append');
      return all;
    }

    // Interval join: a time-bounded condition between time attributes of both inputs.
    const bounded = conditions.some((c) => {
      if (c.kind === 'between') {
        const s = sideOf(c.expr);
        const t = timeOf(c.expr);
        return s !== undefined && t !== undefined && sideOf(c.low) !== s && sideOf(c.high) !== s && sideOf(c.low) !== undefined && timeOf(c.low) === t && timeOf(c.high) === t;
      }
      if (c.kind === 'binary' && ['<', '<=', '>', '>='].includes(c.op)) {
        const a = sideOf(c.left);
        const b = sideOf(c.right);
        return a !== undefined && b !== undefined && a !== b && timeOf(c.left) !== undefined && timeOf(c.left) === timeOf(c.right);
      }
      return false;
    });
    if (bounded && item.joinType !== 'CROSS') {
      this.features.add('interval_join');
      if (leftChangelog === 'updating' || rightChangelog === 'updating') this.warn('SQL_UNSUPPORTED', 'Interval joins need append-only inputs', item.pos);
      this.setChangelog(all, 'append');
      return all;
    }

    // Regular join: both sides stay in state; time attributes become plain timestamps. Flink keeps an
    // inner join of append-only inputs append-only; outer joins retract their null-padded rows.
    this.features.add('regular_join');
    const inner = item.joinType === 'INNER' || item.joinType === 'CROSS' || item.joinType === 'COMMA';
    const changelog: Changelog = inner && leftChangelog === 'append' && rightChangelog === 'append' ? 'append' : 'updating';
    for (const e of all) e.rel = { ...e.rel, cols: e.rel.cols.map(materialize), changelog };
    if (item.joinType === 'LEFT' || item.joinType === 'FULL') for (const e of right) e.rel.cols = e.rel.cols.map((c) => ({ ...c, nullable: true }));
    if (item.joinType === 'RIGHT' || item.joinType === 'FULL') for (const e of left) e.rel.cols = e.rel.cols.map((c) => ({ ...c, nullable: true }));
    return all;
  }

  private setChangelog(entries: ScopeEntry[], changelog: Changelog): void {
    for (const e of entries) e.rel = { ...e.rel, changelog };
  }

  /** Column lookup without diagnostics, for structural checks. */
  private lookupQuiet(parts: string[], entries: ScopeEntry[]): Col | undefined {
    if (parts.length >= 2) {
      const entry = entries.find((e) => e.alias === parts[0]);
      if (entry) return entry.rel.cols.find((c) => c.name === parts[1]);
    }
    const matches = entries.flatMap((e) => e.rel.cols.filter((c) => c.name === parts[0]));
    return matches.length === 1 ? matches[0] : undefined;
  }

  // ---- expressions ---------------------------------------------------------------------------
  typeExpr(expr: Expr, scope: Scope, ctx?: SelectContext): Typed {
    switch (expr.kind) {
      case 'literal':
        return literalType(expr);
      case 'typed_literal': {
        if (expr.type === 'DATE') return { type: 'DATE', nullable: false };
        const fraction = /\.(\d+)/.exec(expr.text)?.[1]?.length ?? 0;
        if (expr.type === 'TIME') return { type: `TIME(${fraction})`, nullable: false };
        return { type: `${expr.type}(${fraction})`, nullable: false };
      }
      case 'interval':
        return { type: /YEAR|MONTH|QUARTER/.test(expr.unit) ? 'INTERVAL YEAR TO MONTH' : 'INTERVAL DAY TO SECOND(3)', nullable: false };
      case 'symbol':
        return { type: 'SYMBOL', nullable: false };
      case 'column':
        return this.resolveColumn(expr.parts, expr.pos, scope);
      case 'star':
        this.error('SQL_PARSE_ERROR', '* is only allowed in the select list or COUNT(*)', expr.pos);
        return UNKNOWN;
      case 'call':
        return this.typeCall(expr, scope, ctx);
      case 'cast': {
        const inner = this.typeExpr(expr.expr, scope, ctx);
        const { type, nullable } = splitNullability(expr.type);
        return { type, nullable: expr.safe ? true : nullable && inner.nullable ? true : !nullable ? false : inner.nullable };
      }
      case 'unary': {
        const inner = this.typeExpr(expr.expr, scope, ctx);
        if (expr.op === 'NOT') return { type: 'BOOLEAN', nullable: inner.nullable };
        return { type: inner.type, nullable: inner.nullable };
      }
      case 'binary':
        return this.typeBinary(expr, scope, ctx);
      case 'is':
        this.typeExpr(expr.expr, scope, ctx);
        return { type: 'BOOLEAN', nullable: false };
      case 'between': {
        const parts = [expr.expr, expr.low, expr.high].map((e) => this.typeExpr(e, scope, ctx));
        return { type: 'BOOLEAN', nullable: parts.some((p) => p.nullable) };
      }
      case 'in': {
        const value = this.typeExpr(expr.expr, scope, ctx);
        if (expr.list) for (const e of expr.list) this.typeExpr(e, scope, ctx);
        if (expr.query) this.releaseRank(this.analyzeQuery(expr.query, scope));
        return { type: 'BOOLEAN', nullable: value.nullable };
      }
      case 'like': {
        const value = this.typeExpr(expr.expr, scope, ctx);
        this.typeExpr(expr.pattern, scope, ctx);
        return { type: 'BOOLEAN', nullable: value.nullable };
      }
      case 'exists':
        this.releaseRank(this.analyzeQuery(expr.query, scope));
        return { type: 'BOOLEAN', nullable: false };
      case 'subquery': {
        const rel = this.releaseRank(this.analyzeQuery(expr.query, scope));
        const first = rel.cols[0];
        return { type: first?.type, nullable: true };
      }
      case 'case': {
        if (expr.operand) this.typeExpr(expr.operand, scope, ctx);
        const results: Typed[] = [];
        for (const w of expr.whens) {
          this.typeExpr(w.when, scope, ctx);
          results.push(this.typeExpr(w.then, scope, ctx));
        }
        if (expr.else) results.push(this.typeExpr(expr.else, scope, ctx));
        return { type: mergeTypes(results), nullable: !expr.else || results.some((r) => r.nullable) };
      }
      case 'constructor': {
        const items = expr.items.map((e) => this.typeExpr(e, scope, ctx));
        if (expr.type === 'ARRAY') return { type: items.length ? wrapType('ARRAY', mergeTypes(items)) : undefined, nullable: false };
        if (expr.type === 'MAP') {
          const keys = mergeTypes(items.filter((_, i) => i % 2 === 0));
          const values = mergeTypes(items.filter((_, i) => i % 2 === 1));
          return { type: keys && values ? `MAP<${keys}, ${values}>` : undefined, nullable: false };
        }
        if (items.some((t) => t.type === undefined)) return { type: undefined, nullable: false };
        return { type: `ROW<${items.map((t, i) => `EXPR$${i} ${t.type}${t.nullable ? '' : ' NOT NULL'}`).join(', ')}>`, nullable: false };
      }
      case 'index': {
        const base = this.typeExpr(expr.expr, scope, ctx);
        this.typeExpr(expr.index, scope, ctx);
        if (!base.type) return UNKNOWN;
        const args = typeArguments(base.type);
        const root = typeRoot(base.type);
        if (root === 'ARRAY') return { ...typeWithNullability(args[0] ?? 'STRING'), nullable: true };
        if (root === 'MAP') return { ...typeWithNullability(args[1] ?? 'STRING'), nullable: true };
        if (root === 'ROW') return { type: undefined, nullable: true };
        this.error('SQL_TYPE_MISMATCH', `Cannot index a value of type ${base.type}`, expr.pos);
        return UNKNOWN;
      }
      case 'field': {
        const base = this.typeExpr(expr.expr, scope, ctx);
        return this.fieldOf(base, [expr.name], expr.pos);
      }
    }
  }

  private fieldOf(base: Typed, path: string[], pos: Pos): Typed {
    let current = base;
    for (const name of path) {
      if (current.type === undefined) return UNKNOWN;
      if (typeRoot(current.type) !== 'ROW') {
        this.error('SQL_UNKNOWN_COLUMN', `Cannot read field '${name}' of a ${current.type}`, pos);
        return UNKNOWN;
      }
      const fields = rowFields(current.type);
      const field = fields.find((f) => f.name === name);
      if (!field) {
        this.error('SQL_UNKNOWN_COLUMN', `Unknown field '${name}' in ${current.type}`, pos, nearest(name, fields.map((f) => f.name)));
        return UNKNOWN;
      }
      const t = typeWithNullability(field.type);
      current = { type: t.type, nullable: t.nullable || current.nullable };
    }
    return current;
  }

  private resolveColumn(parts: string[], pos: Pos, scope: Scope): Typed {
    const display = parts.join('.');
    for (let level: Scope | undefined = scope; level; level = level.parent) {
      const entries = level.entries;
      if (parts.length >= 2) {
        const entry = entries.find((e) => e.alias === parts[0]);
        if (entry || (level.matchRecognize && entries.length === 1)) {
          const target = entry ?? entries[0]!;
          const col = target.rel.cols.find((c) => c.name === parts[1]);
          if (col) return parts.length > 2 ? this.fieldOf(colTyped(col), parts.slice(2), pos) : colTyped(col);
          if (!target.rel.complete) return UNKNOWN;
          this.error('SQL_UNKNOWN_COLUMN', `Unknown column '${display}'`, pos, nearest(parts[1]!, target.rel.cols.map((c) => c.name)));
          return UNKNOWN;
        }
      }
      const found = entries.filter((e) => e.rel.cols.some((c) => c.name === parts[0]));
      // A USING column is one column, not one per side.
      const unmerged = found.filter((e) => !e.usingMerged?.has(parts[0]!));
      const matches = unmerged.length ? unmerged : found;
      if (matches.length > 1) {
        this.error('SQL_AMBIGUOUS_COLUMN', `Column '${parts[0]}' is ambiguous: it exists in ${matches.map((m) => `'${m.alias ?? '(subquery)'}'`).join(' and ')}`, pos, `Qualify it, e.g. ${matches[0]!.alias ?? 't'}.${parts[0]}.`);
        return UNKNOWN;
      }
      if (matches.length === 1) {
        const col = matches[0]!.rel.cols.find((c) => c.name === parts[0])!;
        return parts.length > 1 ? this.fieldOf(colTyped(col), parts.slice(1), pos) : colTyped(col);
      }
      if (entries.some((e) => !e.rel.complete)) return UNKNOWN;
    }
    const candidates = scope.entries.flatMap((e) => e.rel.cols.map((c) => c.name));
    if (parts.length >= 2 && !scope.entries.some((e) => e.alias === parts[0])) {
      this.error('SQL_UNKNOWN_COLUMN', `Unknown column '${display}': no table or alias named '${parts[0]}' in scope`, pos, nearest(parts[0]!, scope.entries.map((e) => e.alias ?? '')));
    } else {
      this.error('SQL_UNKNOWN_COLUMN', `Unknown column '${display}'`, pos, nearest(parts[0]!, candidates) ?? (candidates.length ? `Available columns: ${candidates.join(', ')}.` : undefined));
    }
    return UNKNOWN;
  }

  private typeBinary(expr: Expr & { kind: 'binary' }, scope: Scope, ctx?: SelectContext): Typed {
    const left = this.typeExpr(expr.left, scope, ctx);
    const right = this.typeExpr(expr.right, scope, ctx);
    const nullable = left.nullable || right.nullable;
    switch (expr.op) {
      case 'AND':
      case 'OR':
      case '=':
      case '<>':
      case '<':
      case '>':
      case '<=':
      case '>=':
        return { type: 'BOOLEAN', nullable };
      case 'IS DISTINCT FROM':
      case 'IS NOT DISTINCT FROM':
        return { type: 'BOOLEAN', nullable: false };
      case '||':
        return { type: 'STRING', nullable };
    }
    if (left.type === undefined || right.type === undefined) return { type: undefined, nullable };
    const op = expr.op as '+' | '-' | '*' | '/' | '%';
    const numeric = numericArithmeticType(op, left.type, right.type);
    if (numeric) return { type: numeric, nullable };
    // Datetime arithmetic: ts ± INTERVAL keeps the datetime type (but not its time attribute).
    const datetime = (t: string) => isTimestampType(t) || typeRoot(t) === 'DATE' || typeRoot(t) === 'TIME';
    if ((op === '+' || op === '-') && datetime(left.type) && isIntervalType(right.type)) return { type: left.type, nullable };
    if (op === '+' && isIntervalType(left.type) && datetime(right.type)) return { type: right.type, nullable };
    if ((op === '+' || op === '-') && isIntervalType(left.type) && isIntervalType(right.type)) return { type: left.type, nullable };
    if ((op === '*' || op === '/') && isIntervalType(left.type) && isNumericType(right.type)) return { type: left.type, nullable };
    if (left.type === 'NULL' || right.type === 'NULL') return { type: left.type === 'NULL' ? right.type : left.type, nullable: true };
    this.error('SQL_TYPE_MISMATCH', `Cannot apply '${expr.op}' to ${left.type} and ${right.type}`, expr.pos, 'CAST one side to a compatible type.');
    return { type: undefined, nullable };
  }

  private typeCall(call: Expr & { kind: 'call' }, scope: Scope, ctx?: SelectContext): Typed {
    const name = call.name;
    if (ML_FUNCTIONS.has(name)) this.mlFunctions.add(name);
    const isAggregate = isAggregateFunction(name) && !call.over;
    if (isAggregate && ctx) ctx.aggregateCalls++;
    const args: ArgType[] = call.args.map((a) => {
      const t = this.typeExpr(a, scope, ctx);
      const arg: ArgType = { type: t.type, nullable: t.nullable };
      if (a.kind === 'literal') arg.literal = a.text;
      if (t.time) (arg as ArgType & { time?: TimeKind }).time = t.time;
      return arg;
    });
    if (call.filter) this.typeExpr(call.filter, scope, ctx);

    if (call.over) {
      let spec = call.over;
      if (spec.ref) {
        const named = ctx?.windows[spec.ref];
        if (!named) this.error('SQL_UNKNOWN_WINDOW', `Unknown window '${spec.ref}'`, spec.pos, 'Declare it with WINDOW name AS (...).');
        else spec = { ...named, pos: spec.pos };
      }
      for (const p of spec.partitionBy) this.typeExpr(p, scope);
      for (const o of spec.orderBy) this.typeExpr(o.expr, scope);
      ctx?.overCalls.push({ name, spec, pos: call.pos });
      if (!isAggregateFunction(name) && !(name in WINDOW_ONLY_FUNCTIONS)) {
        this.warn('SQL_UNKNOWN_FUNCTION', `Unknown window function ${name}`, call.pos);
        return { type: 'STRING', nullable: true };
      }
    } else if (name in WINDOW_ONLY_FUNCTIONS) {
      this.error('SQL_UNSUPPORTED', `${name}() needs an OVER window`, call.pos);
    }

    if (scope.matchRecognize || hasMatchScope(scope)) {
      switch (name) {
        case 'FIRST':
        case 'LAST':
        case 'PREV':
        case 'NEXT':
          return { type: args[0]?.type, nullable: true };
        case 'MATCH_ROWTIME': {
          const rowtime = scope.entries[0]?.rel.cols.find((c) => c.time === 'rowtime');
          const type = rowtime?.type && typeRoot(rowtime.type) === 'TIMESTAMP_LTZ' ? 'TIMESTAMP_LTZ(3)' : 'TIMESTAMP(3)';
          return { type, nullable: false, time: 'rowtime' };
        }
        case 'MATCH_PROCTIME':
          return { type: 'TIMESTAMP_LTZ(3)', nullable: false, time: 'proctime' };
        case 'CLASSIFIER':
          return { type: 'STRING', nullable: false };
        case 'MATCH_NUMBER':
          return { type: 'BIGINT', nullable: false };
      }
    }
    if (name === 'JSON_VALUE' && call.returning) return { ...typeWithNullability(call.returning), nullable: true };
    if (name === 'JSON_QUERY' && call.returning) return { ...typeWithNullability(call.returning), nullable: true };
    if (GROUP_WINDOW_FUNCTIONS.has(name)) return { type: 'TIMESTAMP(3)', nullable: false };
    if (name === 'COUNT') return { type: 'BIGINT', nullable: false };

    const rule = functionRule(name);
    if (!rule) {
      const ml = this.mlOutputs(call);
      // Called as a scalar: its one output column, or a ROW of all of them.
      if (ml?.length === 1) return typeWithNullability(ml[0]!.type);
      if (ml) return { type: `ROW<${ml.map((c) => `\`${c.name.replace(/`/g, '``')}\` ${c.type}`).join(', ')}>`, nullable: true };
      if (ML_FUNCTIONS.has(name)) return UNKNOWN;
      this.warn(
        'SQL_UNKNOWN_FUNCTION',
        `Unknown function ${name}: assumed to be a user-defined function returning STRING`,
        call.pos,
        `Wrap the call in CAST(${name}(...) AS <type>) to declare its type.`,
      );
      return { type: 'STRING', nullable: true };
    }
    const result = rule(args);
    const typed: Typed = { type: result.type, nullable: result.nullable ?? args.some((a) => a.nullable) };
    if (result.time) typed.time = result.time;
    if (isAggregate && name in AGGREGATE_FUNCTIONS && call.args.length === 0 && !call.star && name !== 'COUNT') {
      this.error('SQL_UNSUPPORTED', `${name}() needs an argument`, call.pos);
    }
    return typed;
  }
}

// ---- helpers ---------------------------------------------------------------------------------

function hasMatchScope(scope: Scope): boolean {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.matchRecognize) return true;
  return false;
}

export function inputRelation(input: InputTableSchema): Relation {
  const cols: Col[] = input.columns.map((c) => {
    const normalised = parseDataType(c.type) ?? c.type;
    const { type, nullable } = splitNullability(normalised);
    const col: Col = { name: c.name, type, nullable: c.nullable ?? nullable };
    if (c.time) col.time = c.time;
    return col;
  });
  const complete = cols.length > 0;
  const time = input.timeAttribute;
  if (time) {
    let col = cols.find((c) => c.name === time.column);
    if (!col) {
      col = { name: time.column, type: time.kind === 'proctime' ? 'TIMESTAMP_LTZ(3)' : complete ? 'TIMESTAMP(3)' : undefined, nullable: time.kind !== 'proctime' };
      cols.push(col);
    }
    col.time = time.kind;
  }
  const rel: Relation = { cols, complete, changelog: input.changelog ?? 'append' };
  if (input.changelog === 'updating' && input.primaryKey?.length) rel.upsertKey = [...input.primaryKey];
  return rel;
}

function aliased(alias: string | undefined, rel: Relation): ScopeEntry {
  return alias !== undefined ? { alias, rel } : { rel };
}

function colTyped(col: Col): Typed {
  const t: Typed = { type: col.type, nullable: col.nullable };
  if (col.time) t.time = col.time;
  if (col.window) t.window = col.window;
  if (col.formerTime) t.formerTime = col.formerTime;
  return t;
}

function materialize(col: Col): Col {
  const copy = { ...col };
  delete copy.time;
  delete copy.window;
  delete copy.formerTime;
  return copy;
}

function typeWithNullability(type: string): { type: string; nullable: boolean } {
  return splitNullability(type);
}

function wrapType(wrapper: string, inner: string | undefined): string | undefined {
  return inner === undefined ? undefined : `${wrapper}<${inner}>`;
}

function mergeTypes(typed: Typed[]): string | undefined {
  if (typed.some((t) => t.type === undefined)) return undefined;
  return commonType(typed.map((t) => t.type!));
}

function literalType(expr: Expr & { kind: 'literal' }): Typed {
  switch (expr.literal) {
    case 'integer': {
      const value = BigInt(expr.text);
      if (value >= -2147483648n && value <= 2147483647n) return { type: 'INT', nullable: false };
      if (value >= -9223372036854775808n && value <= 9223372036854775807n) return { type: 'BIGINT', nullable: false };
      return { type: `DECIMAL(${expr.text.replace('-', '').length}, 0)`, nullable: false };
    }
    case 'decimal': {
      const unsigned = expr.text.replace('-', '');
      const [intPart = '', fraction = ''] = unsigned.split('.');
      const digits = (intPart + fraction).replace(/^0+/, '').length;
      const scale = fraction.length;
      return { type: `DECIMAL(${Math.max(digits, scale, 1)}, ${scale})`, nullable: false };
    }
    case 'approx':
      return { type: 'DOUBLE', nullable: false };
    case 'string':
      // Flink types 'abc' as CHAR(3); STRING is what a sink column should declare.
      return { type: 'STRING', nullable: false };
    case 'boolean':
      return { type: 'BOOLEAN', nullable: false };
    case 'binary':
      return { type: 'BYTES', nullable: false };
    case 'null':
      return { type: 'NULL', nullable: true };
  }
}

/** Flink's name for an unaliased select item: the column or field name, else none (EXPR$n). */
function derivedName(expr: Expr): string | undefined {
  if (expr.kind === 'column') return expr.parts[expr.parts.length - 1];
  if (expr.kind === 'field') return expr.name;
  return undefined;
}

/** Calcite makes duplicate output names unique by appending a counter (id, id0, id1). */
function uniquifyNames(cols: Col[]): void {
  const seen = new Set<string>();
  for (const col of cols) {
    if (!seen.has(col.name)) {
      seen.add(col.name);
      continue;
    }
    let i = 0;
    while (seen.has(`${col.name}${i}`)) i++;
    (col as Col & { duplicateOf?: string }).duplicateOf = col.name;
    col.name = `${col.name}${i}`;
    seen.add(col.name);
  }
}

export function conjuncts(expr: Expr): Expr[] {
  if (expr.kind === 'binary' && expr.op === 'AND') return [...conjuncts(expr.left), ...conjuncts(expr.right)];
  return [expr];
}

function columnRefs(expr: Expr): (Expr & { kind: 'column' })[] {
  const out: (Expr & { kind: 'column' })[] = [];
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'column':
        out.push(e);
        return;
      case 'call':
        e.args.forEach(visit);
        return;
      case 'cast':
      case 'unary':
        visit(e.expr);
        return;
      case 'binary':
        visit(e.left);
        visit(e.right);
        return;
      case 'interval':
        return;
      case 'between':
        visit(e.expr);
        visit(e.low);
        visit(e.high);
        return;
      default:
        return;
    }
  };
  visit(expr);
  return out;
}

/** The N of `rn <= N`, `rn < N + 1`, `rn = 1`, `N >= rn`, `rn BETWEEN 1 AND N` on the rank column. */
function rankBound(where: Expr[], column: string, alias: string | undefined): number | undefined {
  const isRank = (e: Expr) => e.kind === 'column' && e.parts[e.parts.length - 1] === column && (e.parts.length === 1 || e.parts[0] === alias);
  const intOf = (e: Expr) => (e.kind === 'literal' && e.literal === 'integer' ? Number(e.text) : undefined);
  for (const c of where) {
    if (c.kind === 'between' && !c.not && isRank(c.expr)) {
      const high = intOf(c.high);
      if (high !== undefined) return high;
    }
    if (c.kind !== 'binary') continue;
    const flip: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };
    let op = c.op;
    let value: number | undefined;
    if (isRank(c.left)) value = intOf(c.right);
    else if (isRank(c.right)) {
      value = intOf(c.left);
      op = flip[op] ?? op;
    }
    if (value === undefined) continue;
    if (op === '=' || op === '<=') return value;
    if (op === '<') return value - 1;
  }
  return undefined;
}

function sameExpr(a: Expr, b: Expr): boolean {
  return JSON.stringify(stripPositions(a)) === JSON.stringify(stripPositions(b)) || sameColumn(a, b);
}

/** `t.a` and `a` are the same key when they name the same column. */
function sameColumn(a: Expr, b: Expr): boolean {
  return a.kind === 'column' && b.kind === 'column' && a.parts[a.parts.length - 1] === b.parts[b.parts.length - 1] && (a.parts.length === 1 || b.parts.length === 1);
}

function stripPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripPositions);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (k !== 'pos') out[k] = stripPositions(v);
    return out;
  }
  return value;
}

function findByName(cols: Col[], name: string): Col | undefined {
  return cols.find((c) => c.name === name);
}

export function exprText(expr: Expr): string {
  switch (expr.kind) {
    case 'column':
      return expr.parts.join('.');
    case 'call':
      return `${expr.name}(${expr.args.map(exprText).join(', ')})`;
    default:
      return expr.kind;
  }
}

/** A "did you mean" hint: a case-insensitive match first, else the closest name by edit distance. */
export function nearest(name: string, candidates: string[]): string | undefined {
  const pool = [...new Set(candidates.filter((c) => c))];
  const caseMatch = pool.find((c) => c.toLowerCase() === name.toLowerCase());
  if (caseMatch) return `Did you mean '${caseMatch}'? Flink SQL names are case-sensitive.`;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of pool) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))) return `Did you mean '${best}'?`;
  return undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}

