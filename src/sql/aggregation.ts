/**
 * The rules of an aggregating SELECT that Flink's validator enforces: every column read outside an
 * aggregate is grouped, aggregates are not nested, and WHERE and GROUP BY hold no aggregate.
 */
import type { Expr, Pos } from './ast.js';
import type { AnalysisContext } from './context.js';
import { sameExpr } from './expressions.js';
import { GROUP_WINDOW_AUXILIARY, isAggregateFunction } from './functions.js';

/** Reports the first expression of `exprs` that reads a column neither grouped nor aggregated. */
export function checkGrouped(cx: AnalysisContext, exprs: Expr[], keys: Expr[]): void {
  for (const e of exprs) if (ungrouped(cx, e, keys)) return;
}

function ungrouped(cx: AnalysisContext, e: Expr, keys: Expr[]): boolean {
  if (keys.some((k) => sameExpr(k, e))) return false;
  const any = (items: (Expr | undefined)[]) => items.some((x) => x !== undefined && ungrouped(cx, x, keys));
  switch (e.kind) {
    case 'column':
      cx.error('SQL_NOT_GROUPED', `Expression '${e.parts.join('.')}' is not being grouped`, e.pos, `Add it to GROUP BY, or aggregate it (e.g. MAX(${e.parts.at(-1)})).`);
      return true;
    case 'call':
      if (e.over) return false;
      if (isAggregateFunction(e.name)) {
        const nested = e.args.find(containsAggregate);
        if (nested) {
          cx.error('SQL_NOT_GROUPED', 'Aggregate expressions cannot be nested', e.pos, 'Aggregate in a subquery, then aggregate its result in the outer query.');
          return true;
        }
        return false;
      }
      if (GROUP_WINDOW_AUXILIARY.has(e.name) || e.name === 'GROUPING' || e.name === 'GROUPING_ID' || e.name === 'GROUP_ID') return false;
      return any(e.args);
    case 'cast':
    case 'unary':
    case 'is':
      return ungrouped(cx, e.expr, keys);
    case 'binary':
      return any([e.left, e.right]);
    case 'between':
      return any([e.expr, e.low, e.high]);
    case 'like':
      return any([e.expr, e.pattern, e.escape]);
    case 'in':
      return any([e.expr, ...(e.list ?? [])]);
    case 'case':
      return any([e.operand, ...e.whens.flatMap((w) => [w.when, w.then]), e.else]);
    case 'constructor':
      return any(e.items);
    case 'index':
      return any([e.expr, e.index]);
    case 'field':
      return ungrouped(cx, e.expr, keys);
    default:
      return false;
  }
}

function containsAggregate(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return (isAggregateFunction(e.name) && !e.over) || e.args.some(containsAggregate);
    case 'cast':
    case 'unary':
    case 'is':
    case 'field':
      return containsAggregate(e.expr);
    case 'binary':
      return containsAggregate(e.left) || containsAggregate(e.right);
    case 'case':
      return [e.operand, ...e.whens.flatMap((w) => [w.when, w.then]), e.else].some((x) => x !== undefined && containsAggregate(x));
    default:
      return false;
  }
}

/** WHERE and GROUP BY are evaluated before aggregation. */
export function checkNoAggregate(cx: AnalysisContext, at: Pos | undefined, clause: 'WHERE' | 'GROUP BY'): void {
  if (!at) return;
  cx.error('SQL_NOT_GROUPED', `Aggregate expression is illegal in ${clause} clause`, at, clause === 'WHERE' ? 'Filter aggregated values in HAVING.' : 'Group by columns or expressions of columns.');
}
