/**
 * SELECT: FROM, WHERE, GROUP BY (with legacy group windows), the select list, HAVING; then what the
 * result is: an aggregation (group or window), OVER aggregations, a ranking waiting to become a
 * Top-N or deduplication, DISTINCT, or a projection that keeps its input's changelog and key.
 */
import type { Expr, OrderItem, Pos, Select } from './ast.js';
import { consumeRank, keyNames, projectKey, releaseRank } from './changelog.js';
import type { AnalysisContext } from './context.js';
import { conjuncts, sameExpr } from './expressions.js';
import { checkGrouped, checkNoAggregate } from './aggregation.js';
import { analyzeFrom } from './from.js';
import { GROUP_WINDOW_FUNCTIONS } from './functions.js';
import { derivedName, expandStar, uniquifyNames } from './names.js';
import { collectedLineage, emptySelectContext, newCollector, noteColumn, type Changelog, type LineageTransform, type Col, type RankInfo, type Relation, type Scope, type ScopeEntry, type Typed } from './relation.js';
import { subqueryChangelog, type SubqueryUse } from './subqueries.js';
import { expectBoolean, typeExpr } from './typing.js';
import { checkOverAggregates } from './windows.js';

const RANKING = new Set(['ROW_NUMBER', 'RANK', 'DENSE_RANK']);

export function analyzeSelect(cx: AnalysisContext, select: Select, parent: Scope | undefined, orderBy: OrderItem[] = [], order: Typed[] = []): Relation {
  // Lineage is collected per select item; a SELECT inside an item (a scalar subquery) feeds the item.
  const outer = cx.lineage;
  cx.lineage = undefined;
  try {
    const rel = selectRelation(cx, select, parent, orderBy, order);
    for (const c of rel.cols) noteColumn(outer, c);
    return rel;
  } finally {
    cx.lineage = outer;
  }
}

function selectRelation(cx: AnalysisContext, select: Select, parent: Scope | undefined, orderBy: OrderItem[], order: Typed[]): Relation {
  const whereConjuncts = select.where ? conjuncts(select.where) : [];
  let source: { entries: ScopeEntry[]; changelog: Changelog; complete: boolean; keys: Expr[][] };
  if (select.from) {
    cx.hasFrom = true;
    source = analyzeFrom(cx, select.from, parent, whereConjuncts);
  } else source = { entries: [], changelog: 'append', complete: true, keys: [] };
  const scope: Scope = parent ? { entries: source.entries, parent } : { entries: source.entries };

  // A ROW_NUMBER() computed below and filtered here is a Top-N or a deduplication.
  const single = source.entries.length === 1 ? source.entries[0] : undefined;
  const rankResult = single?.rel.rank ? consumeRank(cx, single, whereConjuncts) : undefined;
  for (const entry of source.entries) if (entry.rel.rank && entry !== (rankResult ? single : undefined)) entry.rel = releaseRank(cx, entry.rel);
  if (rankResult) single!.rel = rankResult.rel;

  const subqueries: SubqueryUse[] = [];
  const noAggregates = emptySelectContext(select.windows, subqueries);
  if (select.where) {
    expectBoolean(cx, typeExpr(cx, select.where, scope, noAggregates), select.where, 'WHERE');
    checkNoAggregate(cx, noAggregates.firstAggregate, 'WHERE');
  }

  // GROUP BY keys, with legacy group windows (GROUP BY TUMBLE(ts, INTERVAL '1' HOUR)).
  const groupKeys: { expr: Expr; typed: Typed }[] = [];
  let groupWindow = false;
  for (const key of select.groupBy) {
    if (key.kind === 'call' && GROUP_WINDOW_FUNCTIONS.has(key.name) && key.args.length >= 2) {
      groupWindow = true;
      cx.features.add('group_window');
      const timeArg = typeExpr(cx, key.args[0]!, scope, noAggregates);
      for (const a of key.args.slice(1)) typeExpr(cx, a, scope, noAggregates);
      if (source.complete && timeArg.type !== undefined && !timeArg.time) {
        cx.error(
          'SQL_TIME_ATTRIBUTE_REQUIRED',
          `Window aggregate can only be defined over a time attribute column, but ${timeArg.type} encountered: the ${key.name} group window's first argument is not an event-time or processing-time attribute`,
          key.pos,
          'Use the event-time column that has a WATERMARK, or a PROCTIME() column.',
        );
      }
      continue;
    }
    groupKeys.push({ expr: key, typed: typeExpr(cx, key, scope, noAggregates) });
  }

  const context = emptySelectContext(select.windows, subqueries);
  context.grouped = select.groupBy.length > 0;
  const itemsStart = cx.resolutions.length;
  const cols: Col[] = [];
  const itemExprs: (Expr | undefined)[] = [];
  // The output has exactly the selected columns: it is incomplete only if * expands an unknown schema.
  let complete = true;
  for (const item of select.items) {
    if (item.expr.kind === 'star') {
      const expanded = expandStar(cx, item, scope);
      if (!expanded.complete) complete = false;
      for (const [i, c] of expanded.cols.entries()) {
        cols.push({ ...c });
        const owner = expanded.owners[i];
        itemExprs.push({ kind: 'column', parts: owner ? [owner, c.name] : [c.name], pos: item.pos });
      }
      continue;
    }
    const collector = newCollector();
    const aggregatesBefore = context.aggregateCalls + context.overCalls.length;
    cx.lineage = collector;
    const typed = typeExpr(cx, item.expr, scope, context);
    cx.lineage = undefined;
    let transform: LineageTransform = 'expression';
    if (context.aggregateCalls + context.overCalls.length > aggregatesBefore) transform = 'aggregate';
    else if (item.expr.kind === 'column' && collector.transforms.size === 1) transform = [...collector.transforms][0]!;
    const name = item.alias ?? derivedName(item.expr);
    const col: Col = { name: name ?? `EXPR$${cols.length}`, type: typed.type, nullable: typed.nullable, pos: item.pos, lineage: collectedLineage(collector, transform) };
    if (!name) col.unnamed = true;
    if (typed.time) col.time = typed.time;
    if (typed.window) col.window = typed.window;
    if (typed.windowKey) col.windowKey = typed.windowKey;
    cols.push(col);
    itemExprs.push(item.expr);
  }
  const enclosing = new Set<Scope>();
  for (let s = scope.parent; s; s = s.parent) enclosing.add(s);
  const projectsOuter = cx.resolutions.slice(itemsStart).some((s) => enclosing.has(s));
  if (select.having) expectBoolean(cx, typeExpr(cx, select.having, scope, context), select.having, 'HAVING');
  uniquifyNames(cols);

  const inputChangelog = subqueryChangelog(cx, subqueries, rankResult ? rankResult.rel.changelog : source.changelog);
  const inputKey = rankResult ? rankResult.rel.upsertKey : single?.rel.upsertKey;
  const inputOtherKeys = (rankResult ? rankResult.rel.otherKeys : single?.rel.otherKeys) ?? [];
  const isAggregation = select.groupBy.length > 0 || context.aggregateCalls > 0;
  if (isAggregation) {
    checkGrouped(
      cx,
      [...itemExprs.filter((e): e is Expr => e !== undefined), ...(select.having ? [select.having] : [])],
      groupKeys.map((k) => k.expr),
    );
  }
  let changelog: Changelog = inputChangelog;
  let upsertKey: string[] | undefined;
  let rank: RankInfo | undefined;

  if (isAggregation) {
    if (select.groupBy.length > 0) cx.features.add('group_by');
    if (context.aggregateCalls > 0) cx.features.add('aggregate');
    const hasWindowStart = groupKeys.some((k) => k.typed.window === 'start');
    const hasWindowEnd = groupKeys.some((k) => k.typed.window === 'end');
    const windowAggregation = groupWindow || (hasWindowStart && hasWindowEnd);
    const groupedExprs = groupKeys.map((k) => k.expr);
    for (const [i, col] of cols.entries()) {
      const expr = itemExprs[i];
      const grouped = expr !== undefined && groupedExprs.some((g) => sameExpr(g, expr));
      const keepsWindow = windowAggregation && grouped && col.window !== undefined;
      if (!keepsWindow) {
        delete col.window;
        delete col.windowKey;
      }
      // Only window_time (or a group window's *_ROWTIME) stays a time attribute after aggregation.
      const fromGroupWindowAuxiliary = expr?.kind === 'call' && /_(ROWTIME|PROCTIME)$/.test(expr.name);
      if (!(windowAggregation && ((keepsWindow && col.window === 'time') || fromGroupWindowAuxiliary))) delete col.time;
    }
    if (windowAggregation) {
      // A window emits its final result once, when the watermark passes its end, even over an
      // updating input (Flink 1.20 aggregates the changelog).
      changelog = 'append';
    } else {
      changelog = 'updating';
      if (select.groupBy.length > 0 && !select.groupingSets) upsertKey = keyNames(groupedExprs, itemExprs, cols);
    }
  } else {
    const ranking = context.overCalls.find((c) => RANKING.has(c.name));
    const aggregates = context.overCalls.filter((call) => !(call === ranking && rankColumn(select, ranking)));
    if (aggregates.length > 0) cx.features.add('over');
    checkOverAggregates(cx, aggregates, source.complete, scope, inputChangelog);
    if (ranking) {
      const column = rankColumn(select, ranking);
      if (column) {
        const partitionBy = ranking.spec.partitionBy.map((e) => (e.kind === 'column' ? e.parts[e.parts.length - 1]! : ''));
        const partitionTyped = ranking.spec.partitionBy.map((e) => typeExpr(cx, e, scope, noAggregates));
        const firstOrder = ranking.spec.orderBy[0];
        const orderTyped = firstOrder ? typeExpr(cx, firstOrder.expr, scope, noAggregates) : undefined;
        rank = {
          column,
          fn: ranking.name,
          partitionBy,
          windowed: partitionTyped.some((t) => t.window === 'start') && partitionTyped.some((t) => t.window === 'end'),
          descending: firstOrder?.descending ?? false,
          pos: ranking.pos,
        };
        const orderTime = orderTyped?.time;
        if (orderTime && ranking.spec.orderBy.length === 1) rank.orderTime = orderTime;
      }
    }
    if (select.distinct) {
      cx.features.add('distinct');
      changelog = 'updating';
      upsertKey = cols.map((c) => c.name);
      for (const col of cols) {
        delete col.time;
        delete col.window;
      }
    } else if (inputChangelog === 'updating') {
      for (const key of [inputKey, ...inputOtherKeys]) {
        upsertKey ??= key && projectKey(key, itemExprs, cols);
      }
      for (const key of source.keys) upsertKey ??= keyNames(key, itemExprs, cols);
    }
  }

  const rel: Relation = { cols, complete, changelog };
  // ORDER BY names the select list's columns first, then the FROM clause's.
  const sortScope: Scope = { entries: [{ rel: { cols, complete, changelog } }], parent: scope };
  for (const o of orderBy) order.push(typeExpr(cx, o.expr, sortScope, emptySelectContext(select.windows)));
  if (changelog === 'updating' && upsertKey && upsertKey.length > 0) rel.upsertKey = upsertKey;
  if (rank) rel.rank = rank;
  if (projectsOuter) rel.projectsOuter = true;
  return rel;
}

/** The alias of the select item holding the ranking call, if the call is a whole select item. */
function rankColumn(select: Select, ranking: { pos: Pos }): string | undefined {
  const item = select.items.find((i) => i.expr.kind === 'call' && i.expr.pos === ranking.pos);
  if (!item) return undefined;
  return item.alias ?? undefined;
}
