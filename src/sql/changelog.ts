/**
 * Changelog modes and upsert keys: Top-N and deduplication (a ROW_NUMBER() bounded by an outer
 * query), an unbounded ROW_NUMBER(), and upsert keys mapped through projections, as Flink's
 * FlinkChangelogModeInferenceProgram and upsert-key metadata derive them.
 */
import type { Expr } from './ast.js';
import type { AnalysisContext } from './context.js';
import { sameExpr } from './expressions.js';
import type { Col, Relation, ScopeEntry } from './relation.js';

/**
 * A relation carrying ROW_NUMBER() as `rank.column`, read by a SELECT whose WHERE bounds that column:
 * Flink plans it as a deduplication (ROW_NUMBER = 1 ordered by a time attribute) or a Top-N.
 */
export function consumeRank(cx: AnalysisContext, entry: ScopeEntry, where: Expr[]): { rel: Relation } | undefined {
  const rank = entry.rel.rank!;
  const bound = rankBound(where, rank.column, entry.alias);
  if (bound === undefined) return undefined;
  const rel: Relation = { ...entry.rel, cols: entry.rel.cols.map((c) => ({ ...c })) };
  delete rel.rank;
  const isDedup = rank.fn === 'ROW_NUMBER' && bound === 1 && rank.orderTime !== undefined;
  cx.features.add(isDedup ? 'deduplication' : 'top_n');
  if (rank.fn !== 'ROW_NUMBER') {
    cx.error('SQL_UNSUPPORTED', `${rank.fn}() on streaming table is not supported currently: a Top-N ranks with ROW_NUMBER()`, rank.pos, `Write ROW_NUMBER() OVER (...) instead of ${rank.fn}().`);
  }
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
  const key = isDedup || bound === 1 ? rank.partitionBy : [...rank.partitionBy, rank.column];
  const inputKey = entry.rel.changelog === 'updating' ? entry.rel.upsertKey : undefined;
  delete rel.upsertKey;
  if (key.every((k) => k !== '')) rel.upsertKey = key;
  // Each input row is ranked once: the input's key stays a key (when the rank column is dropped).
  if (inputKey && inputKey.join() !== key.join()) rel.otherKeys = [inputKey];
  return { rel };
}

/** A ranking that no outer query bounds: an OVER aggregation. */
export function releaseRank(cx: AnalysisContext, rel: Relation): Relation {
  if (!rel.rank) return rel;
  // Unbounded, ROW_NUMBER() is an OVER aggregation (a running count).
  cx.features.add('over');
  const copy = { ...rel };
  delete copy.rank;
  return copy;
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

/** Output names of the given key expressions, when every key is selected as is. */
export function keyNames(keys: Expr[], itemExprs: (Expr | undefined)[], cols: Col[]): string[] | undefined {
  const names: string[] = [];
  for (const key of keys) {
    const index = itemExprs.findIndex((e) => e !== undefined && sameExpr(e, key));
    if (index < 0) return undefined;
    names.push(cols[index]!.name);
  }
  return names;
}

/** Maps an input upsert key through a projection of plain column references. */
export function projectKey(inputKey: string[], itemExprs: (Expr | undefined)[], cols: Col[]): string[] | undefined {
  return keyNames(
    inputKey.map((k) => ({ kind: 'column', parts: [k], pos: { line: 0, column: 0 } })),
    itemExprs,
    cols,
  );
}
