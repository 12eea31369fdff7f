/**
 * Subqueries in expressions, as Flink plans them: `IN (SELECT ...)` and `EXISTS (...)` become semi
 * joins, `NOT IN` and `NOT EXISTS` anti joins, a scalar `(SELECT ...)` a join with a single-value
 * aggregation; each keeps state, and some make the result updating even over append-only inputs.
 */
import type { Query } from './ast.js';
import { releaseRank } from './changelog.js';
import type { AnalysisContext } from './context.js';
import { conjuncts } from './expressions.js';
import { analyzeQuery } from './query.js';
import type { Changelog, Relation, Scope, SelectContext } from './relation.js';

export interface SubqueryUse {
  kind: 'in' | 'exists' | 'scalar';
  negated: boolean;
  /** The subquery reads columns of the enclosing query. */
  correlated: boolean;
  rel: Relation;
  /** IN/EXISTS correlated on window_start and window_end: Flink plans a window (semi/anti) join. */
  windowed: boolean;
}

/** Analyses a subquery of an expression and records how Flink will join it. */
export function subquery(cx: AnalysisContext, query: Query, scope: Scope, ctx: SelectContext | undefined, kind: SubqueryUse['kind'], negated: boolean): Relation {
  const start = cx.resolutions.length;
  const rel = releaseRank(cx, analyzeQuery(cx, query, scope));
  const outer = new Set<Scope>();
  for (let s: Scope | undefined = scope; s; s = s.parent) outer.add(s);
  const correlated = cx.resolutions.slice(start).some((s) => outer.has(s));
  ctx?.subqueries.push({ kind, negated, correlated, rel, windowed: kind !== 'scalar' && correlated && equatesWindows(query) });
  return rel;
}

/**
 * What the subqueries of a SELECT do to its input: each is a join (a window join when correlated on
 * the window), and the input becomes updating for an anti join, a scalar subquery, an uncorrelated
 * EXISTS or an IN whose subquery selects a column of the outer query (Flink adds an aggregation), or
 * when the subquery itself is updating.
 */
export function subqueryChangelog(cx: AnalysisContext, uses: SubqueryUse[], input: Changelog): Changelog {
  let changelog = input;
  for (const s of uses) {
    cx.features.add(s.windowed ? 'window_join' : 'regular_join');
    if (s.windowed) continue;
    const aggregated = s.kind === 'scalar' || (s.kind === 'exists' && !s.correlated) || (s.kind === 'in' && s.rel.projectsOuter === true);
    if (s.negated || aggregated || s.rel.changelog === 'updating') changelog = 'updating';
  }
  return changelog;
}

/** The subquery's WHERE equates window_start and window_end of two different relations. */
function equatesWindows(query: Query): boolean {
  const body = query.body;
  if (body.kind !== 'select' || !body.where) return false;
  const equated = (name: string) =>
    conjuncts(body.where!).some(
      (c) => c.kind === 'binary' && c.op === '=' && c.left.kind === 'column' && c.right.kind === 'column' && c.left.parts.at(-1) === name && c.right.parts.at(-1) === name && c.left.parts[0] !== c.right.parts[0],
    );
  return equated('window_start') && equated('window_end');
}
