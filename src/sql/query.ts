/** Queries: WITH, the query body (SELECT, set operations, VALUES, a nested query), ORDER BY and LIMIT. */
import type { OrderItem, Query, Select, SetOperation, Values } from './ast.js';
import { releaseRank } from './changelog.js';
import type { AnalysisContext } from './context.js';
import { renameColumns } from './names.js';
import { exprStart, exprText } from './expressions.js';
import { combinedLineage, materialize, type Changelog, type Col, type Relation, type Scope, type Typed } from './relation.js';
import { analyzeSelect } from './select.js';
import { commonType } from './types.js';
import { typeExpr } from './typing.js';

export function analyzeQuery(cx: AnalysisContext, query: Query, parent?: Scope): Relation {
  const scope = new Map<string, Relation>();
  cx.ctes.push(scope);
  try {
    for (const cte of query.with) {
      let rel = releaseRank(cx, analyzeQuery(cx, cte.query, parent));
      if (cte.columns) rel = renameColumns(cx, rel, cte.columns, cte.pos);
      scope.set(cte.name, rel);
    }
    const order: Typed[] = [];
    let rel = analyzeBody(cx, query.body, parent, query.orderBy, order);
    if (query.orderBy.length > 0 || query.limit !== undefined) rel = applyOrderBy(cx, rel, query.orderBy, order, query.limit !== undefined);
    return rel;
  } finally {
    cx.ctes.pop();
  }
}

/** The body, with the ORDER BY items typed into `order` (against the select list first, then FROM). */
function analyzeBody(cx: AnalysisContext, body: Select | SetOperation | Values | Query, parent: Scope | undefined, orderBy: OrderItem[], order: Typed[]): Relation {
  if (body.kind === 'select') return analyzeSelect(cx, body, parent, orderBy, order);
  const rel = body.kind === 'set' ? analyzeSetOperation(cx, body, parent) : body.kind === 'values' ? analyzeValues(cx, body, parent) : analyzeQuery(cx, body, parent);
  const scope: Scope = { entries: [{ rel }], ...(parent ? { parent } : {}) };
  for (const o of orderBy) order.push(typeExpr(cx, o.expr, scope));
  return rel;
}

/**
 * ORDER BY and LIMIT in a stream: with a LIMIT, a Top-N over the whole stream (updating); without, a
 * sort by an ascending time attribute first (Flink's temporal sort) or an error; a LIMIT alone keeps
 * a count.
 */
function applyOrderBy(cx: AnalysisContext, rel: Relation, orderBy: OrderItem[], order: Typed[], hasLimit: boolean): Relation {
  cx.features.add('order_by');
  if (orderBy.length === 0) return rel;
  if (hasLimit) return { ...rel, changelog: 'updating', upsertKey: undefined };
  const first = order[0];
  if (rel.complete && first?.type !== undefined && (!first.time || orderBy[0]!.descending)) {
    cx.error(
      'SQL_UNSUPPORTED',
      `Sort on a non-time-attribute field is not supported: a streaming ORDER BY starts with an ascending time attribute${first.time ? `, '${exprText(orderBy[0]!.expr)}' is descending` : `, '${exprText(orderBy[0]!.expr)}' is not one`}`,
      exprStart(orderBy[0]!.expr),
      'Order by the event-time (rowtime) column ascending, or add a LIMIT for a Top-N.',
    );
  }
  return rel;
}

function analyzeValues(cx: AnalysisContext, values: Values, parent?: Scope): Relation {
  const scope: Scope = parent ? { entries: [], parent } : { entries: [] };
  const rows = values.rows.map((row) => row.map((e) => typeExpr(cx, e, scope)));
  for (const row of values.rows) {
    for (const e of row) {
      if (e.kind === 'literal' && e.literal === 'null') cx.error('SQL_UNTYPED_NULL', "Illegal use of 'NULL': a VALUES row cannot hold an untyped NULL", e.pos, 'Write CAST(NULL AS <type>).');
    }
  }
  const width = rows[0]?.length ?? 0;
  const cols: Col[] = [];
  for (let i = 0; i < width; i++) {
    const types = rows.map((r) => r[i]?.type);
    const known = types.every((t) => t !== undefined);
    cols.push({ name: `EXPR$${i}`, type: known ? commonType(types as string[]) : undefined, nullable: rows.some((r) => r[i]?.nullable ?? true), unnamed: true, lineage: { sources: [], transform: 'expression' } });
  }
  return { cols, complete: true, changelog: 'append' };
}

function analyzeSetOperation(cx: AnalysisContext, set: SetOperation, parent?: Scope): Relation {
  const left = releaseRank(cx, analyzeQuery(cx, set.left, parent));
  const right = releaseRank(cx, analyzeQuery(cx, set.right, parent));
  const complete = left.complete && right.complete;
  const name = `${set.op}${set.all ? ' ALL' : ''}`;
  const mismatch = complete && left.cols.length !== right.cols.length;
  if (mismatch) {
    cx.error('SQL_SET_COLUMN_MISMATCH', `Column count mismatch in ${name}: ${left.cols.length} and ${right.cols.length} columns`, right.cols[0]?.pos ?? set.pos, 'Both sides of a set operation must select the same number of columns.');
  }
  const cols: Col[] = left.cols.map((l, i) => {
    const r = right.cols[i];
    const type = l.type !== undefined && r?.type !== undefined ? commonType([l.type, r.type]) : undefined;
    if (!mismatch && l.type !== undefined && r?.type !== undefined && type === undefined) {
      cx.error('SQL_TYPE_MISMATCH', `Type mismatch in column ${i + 1} of ${name}: ${l.type} and ${r.type}`, l.pos ?? set.pos, 'CAST the columns to one type on both sides.');
    }
    const col: Col = { name: l.name, type, nullable: l.nullable || (r?.nullable ?? true), lineage: combinedLineage([l, r]) };
    if (set.op === 'UNION' && set.all && l.time && r?.time === l.time) col.time = l.time;
    if (l.window && r?.window === l.window) col.window = l.window;
    return col;
  });
  if (set.op === 'UNION' && set.all) {
    const changelog: Changelog = left.changelog === 'updating' || right.changelog === 'updating' ? 'updating' : 'append';
    return { cols, complete, changelog };
  }
  // UNION, INTERSECT and EXCEPT remove duplicates: Flink keeps every distinct row in state, and plans
  // INTERSECT and EXCEPT as semi and anti joins. Their ALL forms count rows: no key.
  cx.features.add('distinct');
  if (set.op !== 'UNION' && !set.all) cx.features.add('regular_join');
  const rel: Relation = { cols: cols.map(materialize), complete, changelog: 'updating' };
  if (!set.all) rel.upsertKey = cols.map((c) => c.name);
  return rel;
}
