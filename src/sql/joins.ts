/**
 * Joins: which kind Flink plans (correlated table function, event-time temporal join, lookup join,
 * window join, interval join, regular join), what each does to time attributes, nullability, the
 * changelog mode and the upsert key, and the joins Flink refuses, with Flink's reasons.
 */
import { own } from '../core/own.js';
import type { Expr, FromItem } from './ast.js';
import { releaseRank } from './changelog.js';
import type { AnalysisContext } from './context.js';
import { columnRefs, conjuncts, exprStart, exprText } from './expressions.js';
import { fromItem } from './from.js';
import { lookupQuiet } from './names.js';
import { changelogOf, emptySelectContext, materialize, setChangelog, type Changelog, type Col, type Scope, type ScopeEntry, type TimeKind } from './relation.js';
import { typeExpr } from './typing.js';
import { typeRoot } from './types.js';

type JoinItem = FromItem & { kind: 'join' };
type Side = 'left' | 'right';

export function join(cx: AnalysisContext, item: JoinItem, parent: Scope | undefined, where: Expr[], outerLeft: ScopeEntry[]): ScopeEntry[] {
  const left = fromItem(cx, item.left, parent, where, outerLeft);
  cx.joinRightSides.add(item.right);
  const right = fromItem(cx, item.right, parent, where, [...outerLeft, ...left]);
  const all = [...left, ...right];
  const scope: Scope = parent ? { entries: [...outerLeft, ...all], parent } : { entries: [...outerLeft, ...all] };
  if (item.on) typeExpr(cx, item.on, scope, emptySelectContext());
  for (const name of item.using ?? []) {
    for (const side of [left, right]) {
      if (side.every((e) => e.rel.complete) && !side.some((e) => e.rel.cols.some((c) => c.name === name))) {
        cx.error('SQL_UNKNOWN_COLUMN', `Column '${name}' not found in any table on the ${side === left ? 'left' : 'right'} side of USING`, item.pos);
      }
    }
  }
  for (const name of item.using ?? []) {
    for (const e of right) if (e.rel.cols.some((c) => c.name === name)) (e.usingMerged ??= new Set()).add(name);
  }
  for (const e of all) if (e.rel.rank) e.rel = releaseRank(cx, e.rel);
  const joined = kindOfJoin(cx, item, parent, where, outerLeft, left, right);
  // Outer joins pad the other side with NULLs, whatever the join's kind.
  if (item.joinType === 'LEFT' || item.joinType === 'FULL') for (const e of right) e.rel = { ...e.rel, cols: e.rel.cols.map((c) => ({ ...c, nullable: true })) };
  if (item.joinType === 'RIGHT' || item.joinType === 'FULL') for (const e of left) e.rel = { ...e.rel, cols: e.rel.cols.map((c) => ({ ...c, nullable: true })) };
  return joined;
}

function kindOfJoin(cx: AnalysisContext, item: JoinItem, parent: Scope | undefined, where: Expr[], outerLeft: ScopeEntry[], left: ScopeEntry[], right: ScopeEntry[]): ScopeEntry[] {
  const all = [...left, ...right];
  const leftChangelog = changelogOf(left);
  const rightChangelog = changelogOf(right);

  // Correlated table functions (LATERAL TABLE, UNNEST) expand each row: no join state. A LATERAL
  // subquery is decorrelated into a regular join (and without FROM, Flink cannot plan it).
  if (item.right.kind === 'table_function' && right[0]?.rel.correlated) return all;
  if (item.right.kind === 'derived' && item.right.lateral && item.right.query.body.kind === 'select' && !item.right.query.body.from) {
    cx.error('SQL_UNSUPPORTED', 'unexpected correlate variable in the plan: Flink 1.20 cannot plan a LATERAL subquery without FROM', item.right.pos, 'Compute the expressions in the outer SELECT instead of a LATERAL subquery.');
    return all;
  }

  // FOR SYSTEM_TIME AS OF: an event-time temporal join, or a processing-time (lookup) join.
  if (item.right.kind === 'table' && item.right.asOf) {
    temporalJoin(cx, item as JoinItem & { right: FromItem & { kind: 'table'; asOf: Expr } }, parent, outerLeft, left, right);
    setChangelog(all, leftChangelog);
    return all;
  }

  // Flink pushes WHERE predicates into an inner join's condition, never into an outer join's.
  const inner = item.joinType === 'INNER' || item.joinType === 'CROSS' || item.joinType === 'COMMA';
  const conditions = [...(item.on ? conjuncts(item.on) : []), ...naturalConditions(item, left, right), ...(inner ? where : [])];
  const sides = new Sides(left, right, all);

  // Window join: both inputs are the same window TVF and the join equates window_start and window_end.
  if (sides.equatesWindows(conditions) === 'same') {
    cx.features.add('window_join');
    setChangelog(all, leftChangelog === 'updating' || rightChangelog === 'updating' ? 'updating' : 'append');
    return all;
  }

  // Interval join: the condition bounds the time attributes of both inputs (IntervalJoinUtil).
  if (item.joinType !== 'CROSS' && intervalBounds(conditions, sides)) {
    cx.features.add('interval_join');
    if (leftChangelog === 'updating' || rightChangelog === 'updating') {
      cx.error(
        'SQL_UNSUPPORTED',
        "StreamPhysicalIntervalJoin doesn't support consuming update and delete changes: an interval join needs append-only inputs",
        item.pos,
        'Join the updating input with a regular join (no time bounds), or an event-time temporal join (FOR SYSTEM_TIME AS OF) if it is versioned.',
      );
    }
    setChangelog(all, 'append');
    return all;
  }

  // Regular join: both sides stay in state; time attributes become plain timestamps. Flink keeps an
  // inner join of append-only inputs append-only; outer joins retract their null-padded rows.
  cx.features.add('regular_join');
  const changelog: Changelog = inner && leftChangelog === 'append' && rightChangelog === 'append' ? 'append' : 'updating';
  const keys = joinUpsertKeys(cx, item, conditions, sides);
  if (keys.length) cx.joinKeys.set(item, keys);
  for (const e of all) e.rel = { ...e.rel, cols: e.rel.cols.map(materialize), changelog };
  return all;
}

/**
 * Upsert keys of a regular join (FlinkRelMdUpsertKeys): when the equality condition covers a key of
 * one side, each row of the other side matches at most one row, so the other side's keys stay keys
 * (of an inner join both ways; of an outer join only the preserved side's).
 */
function joinUpsertKeys(cx: AnalysisContext, item: JoinItem, conditions: Expr[], sides: Sides): Expr[][] {
  const sideKeys = (from: FromItem, entries: ScopeEntry[]): Expr[][] => {
    if (from.kind === 'join') return cx.joinKeys.get(from) ?? [];
    const entry = entries[0];
    if (!entry || entries.length !== 1 || entry.rel.changelog !== 'updating') return [];
    return [entry.rel.upsertKey, ...(entry.rel.otherKeys ?? [])]
      .filter((k): k is string[] => !!k?.length)
      .map((k) => k.map((c): Expr => ({ kind: 'column', parts: entry.alias ? [entry.alias, c] : [c], pos: item.pos })));
  };
  const leftKeys = sideKeys(item.left, sides.left);
  const rightKeys = sideKeys(item.right, sides.right);
  const equated = { left: [] as Col[], right: [] as Col[] };
  for (const c of conditions) {
    if (c.kind !== 'binary' || c.op !== '=' || c.left.kind !== 'column' || c.right.kind !== 'column') continue;
    const a = sides.column(c.left);
    const b = sides.column(c.right);
    if (!a || !b || a.side === b.side) continue;
    equated[a.side].push(a.col);
    equated[b.side].push(b.col);
  }
  const unique = (keys: Expr[][], side: Side) => keys.some((k) => k.every((e) => e.kind === 'column' && equated[side].includes(sides.column(e)?.col as Col)));
  const keys: Expr[][] = [];
  if ((item.joinType === 'INNER' || item.joinType === 'LEFT' || item.joinType === 'COMMA') && unique(rightKeys, 'right')) keys.push(...leftKeys);
  if ((item.joinType === 'INNER' || item.joinType === 'RIGHT' || item.joinType === 'COMMA') && unique(leftKeys, 'left')) keys.push(...rightKeys);
  return keys;
}

/** NATURAL JOIN equates the columns both sides have (Flink keeps both, so an unqualified one is ambiguous). */
function naturalConditions(item: JoinItem, left: ScopeEntry[], right: ScopeEntry[]): Expr[] {
  if (!item.natural) return [];
  const leftNames = new Set(left.flatMap((e) => e.rel.cols.map((c) => c.name)));
  const out: Expr[] = [];
  for (const r of right) {
    for (const c of r.rel.cols) {
      if (!leftNames.has(c.name)) continue;
      const l = left.find((e) => e.rel.cols.some((x) => x.name === c.name))!;
      out.push({ kind: 'binary', op: '=', left: { kind: 'column', parts: [l.alias ?? '', c.name], pos: item.pos }, right: { kind: 'column', parts: [r.alias ?? '', c.name], pos: item.pos }, pos: item.pos });
    }
  }
  return out;
}

/** Which input of a join each column comes from. */
class Sides {
  private readonly leftCols: Set<Col>;
  private readonly rightCols: Set<Col>;
  constructor(
    readonly left: ScopeEntry[],
    readonly right: ScopeEntry[],
    private readonly all: ScopeEntry[],
  ) {
    this.leftCols = new Set(left.flatMap((e) => e.rel.cols));
    this.rightCols = new Set(right.flatMap((e) => e.rel.cols));
  }

  column(ref: Expr & { kind: 'column' }): { col: Col; side: Side } | undefined {
    const col = lookupQuiet(ref.parts, this.all);
    if (!col) return undefined;
    if (this.leftCols.has(col)) return { col, side: 'left' };
    if (this.rightCols.has(col)) return { col, side: 'right' };
    return undefined;
  }

  /** 'same' when the condition equates window_start and window_end of the same window on both sides. */
  equatesWindows(conditions: Expr[]): 'same' | 'different' | undefined {
    const equated = (role: 'start' | 'end'): 'same' | 'different' | undefined => {
      let found: 'same' | 'different' | undefined;
      for (const c of conditions) {
        if (c.kind !== 'binary' || c.op !== '=' || c.left.kind !== 'column' || c.right.kind !== 'column') continue;
        const a = this.column(c.left);
        const b = this.column(c.right);
        if (!a || !b || a.side === b.side || a.col.window !== role || b.col.window !== role) continue;
        if (a.col.windowKey === b.col.windowKey) return 'same';
        found = 'different';
      }
      return found;
    };
    const start = equated('start');
    const end = equated('end');
    if (start === 'same' && end === 'same') return 'same';
    return start && end ? 'different' : undefined;
  }
}

/**
 * Flink's IntervalJoinUtil.extractWindowBoundsFromPredicate: the join is an interval join when its
 * condition has exactly one equality, or exactly two range comparisons bounding both directions,
 * between a time attribute of each input (both rowtime or both proctime), each comparison side
 * reading nothing but its one time attribute and constants. BETWEEN is two range comparisons.
 */
function intervalBounds(conditions: Expr[], sides: Sides): boolean {
  const predicates = conditions.flatMap(expandBetween);
  const time: { op: string; leftInputOnLeftSide: boolean }[] = [];
  for (const p of predicates) {
    if (p.kind !== 'binary' || !['<', '<=', '>', '>=', '='].includes(p.op)) continue;
    const l = timeAccess(p.left, sides);
    const r = timeAccess(p.right, sides);
    if (l === 'other' || r === 'other' || !l || !r) continue;
    if (l.kind !== r.kind || l.side === r.side) continue;
    time.push({ op: p.op, leftInputOnLeftSide: l.side === 'left' });
  }
  if (time.length === 1) return time[0]!.op === '=';
  if (time.length !== 2 || time.some((t) => t.op === '=')) return false;
  // One bound must be a lower bound of the left input's time and the other an upper bound.
  const leftLower = (t: { op: string; leftInputOnLeftSide: boolean }) => (t.op === '>' || t.op === '>=' ? t.leftInputOnLeftSide : !t.leftInputOnLeftSide);
  return leftLower(time[0]!) !== leftLower(time[1]!);
}

function expandBetween(e: Expr): Expr[] {
  if (e.kind !== 'between' || e.not) return [e];
  return [
    { kind: 'binary', op: '>=', left: e.expr, right: e.low, pos: e.pos },
    { kind: 'binary', op: '<=', left: e.expr, right: e.high, pos: e.pos },
  ];
}

/**
 * The one time attribute a comparison side reads, if it reads only that and constants; 'other' when
 * it reads a non-time column (or a column of neither input), two time attributes, or cannot be
 * reduced to a constant offset of its time attribute.
 */
function timeAccess(e: Expr, sides: Sides): { kind: TimeKind; side: Side } | 'other' | undefined {
  if (!constantExceptColumns(e)) return 'other';
  let found: { kind: TimeKind; side: Side } | undefined;
  for (const ref of columnRefs(e)) {
    const c = sides.column(ref);
    if (!c || !c.col.time) return 'other';
    if (found) return 'other';
    found = { kind: c.col.time, side: c.side };
  }
  return found;
}

/** Literals, intervals, arithmetic, casts and function calls over those and columns: reducible once the columns are fixed. */
function constantExceptColumns(e: Expr): boolean {
  switch (e.kind) {
    case 'literal':
    case 'typed_literal':
    case 'interval':
    case 'symbol':
    case 'column':
      return true;
    case 'binary':
      return constantExceptColumns(e.left) && constantExceptColumns(e.right);
    case 'unary':
    case 'cast':
      return constantExceptColumns(e.expr);
    case 'call':
      return !e.over && e.args.every(constantExceptColumns);
    default:
      return false;
  }
}

/**
 * `JOIN t FOR SYSTEM_TIME AS OF left.time`: on a rowtime, an event-time temporal join against a
 * versioned table (a primary key in the join's equality and a rowtime); on a proctime, a lookup join,
 * which needs a lookup-capable table.
 */
function temporalJoin(
  cx: AnalysisContext,
  item: JoinItem & { right: FromItem & { kind: 'table'; asOf: Expr } },
  parent: Scope | undefined,
  outerLeft: ScopeEntry[],
  left: ScopeEntry[],
  right: ScopeEntry[],
): void {
  const asOf = item.right.asOf;
  const leftScope: Scope = parent ? { entries: [...outerLeft, ...left], parent } : { entries: [...outerLeft, ...left] };
  const typed = typeExpr(cx, asOf, leftScope, emptySelectContext());
  const versioned = right[0]?.rel;
  const name = item.right.name;
  for (const e of right) e.rel = { ...e.rel, cols: e.rel.cols.map(materialize) };
  if (asOf.kind !== 'column') {
    cx.features.add('temporal_join');
    cx.error(
      'SQL_UNSUPPORTED',
      `Unsupported time travel expression: ${exprText(asOf)} for the expression can not be reduced to a constant by Flink`,
      exprStart(asOf),
      "FOR SYSTEM_TIME AS OF takes a time attribute column of the left input, e.g. FOR SYSTEM_TIME AS OF o.order_time.",
    );
    return;
  }
  const kind = typed.time;
  if (!kind) {
    cx.features.add('temporal_join');
    const known = left.every((e) => e.rel.complete) && typed.type !== undefined;
    if (known) {
      cx.error(
        'SQL_TIME_ATTRIBUTE_REQUIRED',
        `Temporal table join currently only supports 'FOR SYSTEM_TIME AS OF' left table's time attribute field: '${exprText(asOf)}' is a plain ${typed.type}`,
        exprStart(asOf),
        'Use the event-time attribute (with a WATERMARK) of the left input, or its processing-time attribute.',
      );
    } else {
      cx.warn('SQL_UNKNOWN_TIME_ATTRIBUTE', `Cannot tell whether this is an event-time temporal join or a lookup join: the time attribute of '${exprText(asOf)}' is unknown`, asOf.pos, 'Declare the event-time or processing-time attribute of the upstream source.');
    }
    return;
  }
  const input = own(cx.inputs, name);
  const key = versioned?.upsertKey ?? input?.primaryKey;
  const noKey = () =>
    cx.error(
      'SQL_TEMPORAL_JOIN_NO_KEY',
      `Temporal Table Join requires primary key in versioned table, but no primary key can be found: '${name}' ${key?.length ? `has the key (${key.join(', ')}), which the join condition does not equate` : 'has no primary key'}`,
      item.right.pos,
      key?.length ? `Join on every column of the key: ON ... = ${item.right.alias ?? name}.${key[0]}.` : `Declare '${name}' as a versioned table, a changelog with a primary key and an event time: changelog: upsert (a compacted topic keyed by its message key) or a CDC format (debezium-json, debezium-avro, canal-json, maxwell-json), with its key: and event_time:; or join a model that keeps the latest row per key.`,
    );
  if (kind === 'proctime') {
    cx.features.add('lookup_join');
    if (input?.lookup) return;
    if (!versioned?.complete) return;
    if (key?.length) {
      cx.error('SQL_UNSUPPORTED', `Processing-time temporal join is not supported yet: '${name}' is not a lookup table`, item.right.pos, `Join by event time (FOR SYSTEM_TIME AS OF the left input's rowtime), or read '${name}' from a lookup-capable source.`);
    } else noKey();
    return;
  }
  cx.features.add('temporal_join');
  if (!versioned?.complete) return;
  if (!key?.length || !equatesKey(item, key, right)) {
    noKey();
    return;
  }
  const rightTime = versioned.cols.find((c) => c.time === 'rowtime');
  if (!rightTime) {
    cx.error(
      'SQL_TEMPORAL_JOIN_NO_KEY',
      `Event-Time Temporal Table Join requires both primary key and row time attribute in versioned table, but no row time attribute can be found: '${name}' has no event time`,
      item.right.pos,
      `Declare the event-time attribute of '${name}'.`,
    );
    return;
  }
  // Both rowtimes of one type (TemporalJoinRewriteWithUniqueKeyRule): TIMESTAMP against TIMESTAMP_LTZ is refused.
  const [l, r] = [typed.type, rightTime.type].map((t) => (t === undefined ? undefined : typeRoot(t)));
  if (l && r && l !== r) {
    const show = (t: string) => `${t === 'TIMESTAMP_LTZ' ? 'TIMESTAMP_LTZ(3)' : 'TIMESTAMP(3)'} *ROWTIME*`;
    cx.error(
      'SQL_TYPE_MISMATCH',
      `Event-Time Temporal Table Join requires same rowtime type in left table and versioned table, but the rowtime types are ${show(l)} and ${show(r)}.`,
      exprStart(asOf),
      'Declare both event-time columns with the same type: TIMESTAMP(3) on both sides, or TIMESTAMP_LTZ(3) on both.',
    );
  }
}

/** The join condition equates every key column of the versioned table with an expression of the left input. */
function equatesKey(item: JoinItem, key: string[], right: ScopeEntry[]): boolean {
  const conditions = item.on ? conjuncts(item.on) : [];
  const rightRef = (e: Expr) => e.kind === 'column' && right.some((r) => (e.parts.length === 1 || e.parts[0] === r.alias) && r.rel.cols.some((c) => c.name === e.parts[e.parts.length - 1]));
  const equated = new Set<string>();
  for (const c of conditions) {
    if (c.kind !== 'binary' || c.op !== '=') continue;
    for (const [r, l] of [
      [c.right, c.left],
      [c.left, c.right],
    ] as const) {
      if (rightRef(r) && !rightRef(l) && r.kind === 'column') equated.add(r.parts[r.parts.length - 1]!);
    }
  }
  return key.every((k) => equated.has(k));
}
