/** MATCH_RECOGNIZE: pattern variables over one input, measures as output, append-only result. */
import type { MatchRecognize } from './ast.js';
import type { AnalysisContext } from './context.js';
import { aliased, emptySelectContext, materialize, type Col, type Relation, type Scope } from './relation.js';
import { typeExpr } from './typing.js';

export function matchRecognize(cx: AnalysisContext, match: MatchRecognize, input: Relation, alias: string | undefined, parent: Scope | undefined): Relation {
  cx.features.add('match_recognize');
  const scope: Scope = { entries: [aliased(alias, input)], matchRecognize: true, ...(parent ? { parent } : {}) };
  const ctx = emptySelectContext();
  const cols: Col[] = [];
  for (const p of match.partitionBy) {
    const typed = typeExpr(cx, p, scope, ctx);
    if (p.kind === 'column') cols.push({ name: p.parts[p.parts.length - 1]!, type: typed.type, nullable: typed.nullable });
  }
  if (match.orderBy[0]) {
    const typed = typeExpr(cx, match.orderBy[0].expr, scope, ctx);
    if (input.complete && typed.type !== undefined && !typed.time) {
      cx.error('SQL_TIME_ATTRIBUTE_REQUIRED', 'MATCH_RECOGNIZE must be ordered by a time attribute first', match.orderBy[0].expr.pos);
    }
  }
  if (match.allRows) {
    cx.warn('SQL_UNSUPPORTED', 'Flink supports only ONE ROW PER MATCH in MATCH_RECOGNIZE', match.pos);
    cols.push(...input.cols.filter((c) => !cols.some((p) => p.name === c.name)).map(materialize));
  }
  for (const m of match.measures) {
    const typed = typeExpr(cx, m.expr, scope, ctx);
    const col: Col = { name: m.alias!, type: typed.type, nullable: typed.nullable };
    // Only MATCH_ROWTIME() / MATCH_PROCTIME() are time attributes in the output of a match.
    if (typed.time && m.expr.kind === 'call' && (m.expr.name === 'MATCH_ROWTIME' || m.expr.name === 'MATCH_PROCTIME')) col.time = typed.time;
    cols.push(col);
  }
  if (input.changelog === 'updating') cx.warn('SQL_UNSUPPORTED', 'MATCH_RECOGNIZE needs an append-only input', match.pos);
  return { cols, complete: input.complete, changelog: 'append' };
}
