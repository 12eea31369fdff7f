/**
 * Joins: which kind Flink plans (correlated table function, event-time temporal join, lookup join,
 * window join, interval join, regular join), what each does to time attributes, nullability and the
 * changelog mode.
 */
import type { Expr, FromItem } from './ast.js';
import { releaseRank } from './changelog.js';
import type { AnalysisContext } from './context.js';
import { columnRefs, conjuncts, exprText } from './expressions.js';
import { fromItem } from './from.js';
import { lookupQuiet } from './names.js';
import { changelogOf, emptySelectContext, materialize, setChangelog, type Changelog, type Scope, type ScopeEntry, type TimeKind } from './relation.js';
import { typeExpr } from './typing.js';

export function join(cx: AnalysisContext, item: FromItem & { kind: 'join' }, parent: Scope | undefined, where: Expr[], outerLeft: ScopeEntry[]): ScopeEntry[] {
  const left = fromItem(cx, item.left, parent, where, outerLeft);
  cx.joinRightSides.add(item.right);
  const right = fromItem(cx, item.right, parent, where, [...outerLeft, ...left]);
  const all = [...left, ...right];
  const scope: Scope = parent ? { entries: [...outerLeft, ...all], parent } : { entries: [...outerLeft, ...all] };
  const noCtx = emptySelectContext();
  if (item.on) typeExpr(cx, item.on, scope, noCtx);
  for (const name of item.using ?? []) {
    for (const side of [left, right]) {
      if (side.every((e) => e.rel.complete) && !side.some((e) => e.rel.cols.some((c) => c.name === name))) {
        cx.error('SQL_UNKNOWN_COLUMN', `USING column '${name}' is missing on one side of the join`, item.pos);
      }
    }
  }
  for (const name of item.using ?? []) {
    for (const e of right) if (e.rel.cols.some((c) => c.name === name)) (e.usingMerged ??= new Set()).add(name);
  }
  for (const e of all) if (e.rel.rank) e.rel = releaseRank(cx, e.rel);
  const leftChangelog = changelogOf(left);
  const rightChangelog = changelogOf(right);

  // Correlated table functions (LATERAL TABLE, UNNEST) expand each row: no join state.
  if (item.right.kind === 'table_function' || (item.right.kind === 'derived' && item.right.lateral)) return all;

  // FOR SYSTEM_TIME AS OF: an event-time temporal join, or a lookup join on processing time.
  if (item.right.kind === 'table' && item.right.asOf) {
    const leftScope: Scope = parent ? { entries: [...outerLeft, ...left], parent } : { entries: [...outerLeft, ...left] };
    const asOf = typeExpr(cx, item.right.asOf, leftScope, noCtx);
    let kind = asOf.time;
    if (!kind && item.right.asOf.kind === 'call' && item.right.asOf.name === 'PROCTIME') kind = 'proctime';
    if (kind === 'proctime') cx.features.add('lookup_join');
    else {
      cx.features.add('temporal_join');
      if (!kind) {
        const known = left.every((e) => e.rel.complete) && asOf.type !== undefined;
        const message = known
          ? `FOR SYSTEM_TIME AS OF needs a time attribute of the left input; '${exprText(item.right.asOf)}' is a plain ${asOf.type}`
          : `Cannot tell whether this is an event-time temporal join or a lookup join: the time attribute of '${exprText(item.right.asOf)}' is unknown`;
        if (known) cx.error('SQL_TIME_ATTRIBUTE_REQUIRED', message, item.right.asOf.pos);
        else cx.warn('SQL_UNKNOWN_TIME_ATTRIBUTE', message, item.right.asOf.pos, 'Declare the event-time or processing-time attribute of the upstream source.');
      } else {
        const versioned = right[0]?.rel;
        if (versioned && versioned.complete && !versioned.upsertKey && cx.inputs[item.right.name]?.primaryKey === undefined) {
          cx.warn('SQL_TEMPORAL_JOIN_NO_KEY', `Event-time temporal join on '${item.right.name}' needs a versioned table with a primary key`, item.right.pos);
        }
      }
    }
    for (const e of right) e.rel = { ...e.rel, cols: e.rel.cols.map(materialize) };
    if (rightChangelog === 'updating' && kind === 'proctime') cx.warn('SQL_UNSUPPORTED', 'A lookup join reads an external table: its right side cannot be an updating stream', item.right.pos);
    setChangelog(all, leftChangelog);
    return all;
  }

  const conditions = [...(item.on ? conjuncts(item.on) : []), ...where];
  const leftCols = new Set(left.flatMap((e) => e.rel.cols));
  const rightCols = new Set(right.flatMap((e) => e.rel.cols));
  const sideOf = (expr: Expr): 'left' | 'right' | undefined => {
    let side: 'left' | 'right' | undefined;
    for (const ref of columnRefs(expr)) {
      const col = lookupQuiet(ref.parts, all);
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
      const col = lookupQuiet(ref.parts, all);
      if (col?.time) return col.time;
    }
    return undefined;
  };

  // Window join: both inputs are windowed and the join equates their window_start and window_end.
  const equates = (w: 'start' | 'end') =>
    conditions.some((c) => {
      if (c.kind !== 'binary' || c.op !== '=' || c.left.kind !== 'column' || c.right.kind !== 'column') return false;
      const a = lookupQuiet(c.left.parts, all);
      const b = lookupQuiet(c.right.parts, all);
      return a?.window === w && b?.window === w && sideOf(c.left) !== sideOf(c.right);
    });
  if (equates('start') && equates('end')) {
    cx.features.add('window_join');
    setChangelog(all, leftChangelog === 'updating' || rightChangelog === 'updating' ? 'updating' : 'append');
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
    cx.features.add('interval_join');
    if (leftChangelog === 'updating' || rightChangelog === 'updating') cx.warn('SQL_UNSUPPORTED', 'Interval joins need append-only inputs', item.pos);
    setChangelog(all, 'append');
    return all;
  }

  // Regular join: both sides stay in state; time attributes become plain timestamps. Flink keeps an
  // inner join of append-only inputs append-only; outer joins retract their null-padded rows.
  cx.features.add('regular_join');
  const inner = item.joinType === 'INNER' || item.joinType === 'CROSS' || item.joinType === 'COMMA';
  const changelog: Changelog = inner && leftChangelog === 'append' && rightChangelog === 'append' ? 'append' : 'updating';
  for (const e of all) e.rel = { ...e.rel, cols: e.rel.cols.map(materialize), changelog };
  if (item.joinType === 'LEFT' || item.joinType === 'FULL') for (const e of right) e.rel.cols = e.rel.cols.map((c) => ({ ...c, nullable: true }));
  if (item.joinType === 'RIGHT' || item.joinType === 'FULL') for (const e of left) e.rel.cols = e.rel.cols.map((c) => ({ ...c, nullable: true }));
  return all;
}
