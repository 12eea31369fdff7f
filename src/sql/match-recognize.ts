/**
 * MATCH_RECOGNIZE: pattern variables over one input, measures as output, an append-only result; and
 * what Flink's CEP translation refuses (all rows per match, a greedy last pattern element, physical
 * offsets into the variable being defined, CLASSIFIER, an updating input, no time order).
 */
import type { Expr, MatchRecognize } from './ast.js';
import type { AnalysisContext } from './context.js';
import { exprStart } from './expressions.js';
import { aliased, collectedLineage, emptySelectContext, materialize, newCollector, type Col, type LineageCollector, type Relation, type Scope } from './relation.js';
import { typeExpr } from './typing.js';

export function matchRecognize(cx: AnalysisContext, match: MatchRecognize, input: Relation, alias: string | undefined, parent: Scope | undefined): Relation {
  cx.features.add('match_recognize');
  const scope: Scope = { entries: [aliased(alias, input)], matchRecognize: true, ...(parent ? { parent } : {}) };
  const ctx = emptySelectContext();
  const cols: Col[] = [];
  const collecting = <T>(collector: LineageCollector, f: () => T): T => {
    const outer = cx.lineage;
    cx.lineage = collector;
    try {
      return f();
    } finally {
      cx.lineage = outer;
    }
  };
  for (const p of match.partitionBy) {
    const collector = newCollector();
    const typed = collecting(collector, () => typeExpr(cx, p, scope, ctx));
    if (p.kind === 'column') cols.push({ name: p.parts[p.parts.length - 1]!, type: typed.type, nullable: typed.nullable, lineage: collectedLineage(collector, collector.transforms.size === 1 ? [...collector.transforms][0]! : 'expression') });
  }
  const order = match.orderBy[0];
  if (order) {
    const typed = typeExpr(cx, order.expr, scope, ctx);
    if (input.complete && typed.type !== undefined && !typed.time) {
      cx.error('SQL_TIME_ATTRIBUTE_REQUIRED', 'You must specify either rowtime or proctime for order by as the first one: MATCH_RECOGNIZE orders rows by time', exprStart(order.expr), 'Order by the event-time (rowtime) or processing-time attribute first.');
    }
  }
  if (match.allRows) {
    cx.error('SQL_UNSUPPORTED', 'All rows per match mode is not supported yet', match.pos, 'Use ONE ROW PER MATCH (the default) with the MEASURES you need.');
    cols.push(...input.cols.filter((c) => !cols.some((p) => p.name === c.name)).map(materialize));
  }
  if (greedyLast(match.pattern)) {
    cx.error(
      'SQL_UNSUPPORTED',
      'Greedy quantifiers are not allowed as the last element of a Pattern yet',
      match.pos,
      `Finish the pattern with a simple variable or a reluctant quantifier (${match.pattern.slice(-1)[0] === '}' ? '{n,}?' : `${match.pattern.slice(-1)[0]}?`}).`,
    );
  }
  for (const d of match.define) {
    typeExpr(cx, d.expr, scope, ctx);
    const offset = physicalOffset(d.expr, d.name);
    if (offset) cx.error('SQL_UNSUPPORTED', `Flink does not support physical offsets within partition: ${offset.name}() of the variable ${d.name} being defined`, offset.pos, `Use LAST(${d.name}.column, 1) for the previous row of ${d.name}.`);
  }
  for (const m of match.measures) {
    const collector = newCollector();
    const before = ctx.aggregateCalls;
    const typed = collecting(collector, () => typeExpr(cx, m.expr, scope, ctx));
    const col: Col = { name: m.alias!, type: typed.type, nullable: typed.nullable, lineage: collectedLineage(collector, ctx.aggregateCalls > before ? 'aggregate' : 'expression') };
    // Only MATCH_ROWTIME() / MATCH_PROCTIME() are time attributes in the output of a match.
    if (typed.time && m.expr.kind === 'call' && (m.expr.name === 'MATCH_ROWTIME' || m.expr.name === 'MATCH_PROCTIME')) col.time = typed.time;
    cols.push(col);
  }
  if (input.changelog === 'updating') {
    cx.error('SQL_UNSUPPORTED', "Match Recognize doesn't support consuming update and delete changes: MATCH_RECOGNIZE needs an append-only input", match.pos, 'Match over an append-only stream.');
  }
  return { cols, complete: input.complete, changelog: 'append' };
}

/** The pattern ends with a greedy quantifier (`B+`, `B*`, `B{2,}`), not a reluctant one (`B+?`) or `B?`. */
function greedyLast(pattern: string[]): boolean {
  const last = pattern[pattern.length - 1];
  return last === '+' || last === '*' || last === '}';
}

/** PREV() or NEXT() of the variable being defined, in its own DEFINE condition. */
function physicalOffset(e: Expr, variable: string): { name: string; pos: Expr['pos'] } | undefined {
  switch (e.kind) {
    case 'call': {
      if ((e.name === 'PREV' || e.name === 'NEXT') && e.args[0]?.kind === 'column' && (e.args[0].parts.length === 1 || e.args[0].parts[0] === variable)) return { name: e.name, pos: e.pos };
      for (const a of e.args) {
        const found = physicalOffset(a, variable);
        if (found) return found;
      }
      return undefined;
    }
    case 'binary':
      return physicalOffset(e.left, variable) ?? physicalOffset(e.right, variable);
    case 'unary':
    case 'cast':
    case 'is':
      return physicalOffset(e.expr, variable);
    case 'between':
      return physicalOffset(e.expr, variable) ?? physicalOffset(e.low, variable) ?? physicalOffset(e.high, variable);
    default:
      return undefined;
  }
}
