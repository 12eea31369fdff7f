/** Windowing: window TVFs (TUMBLE, HOP, CUMULATE, SESSION) and the ordering OVER windows need. */
import type { FromItem } from './ast.js';
import { releaseRank } from './changelog.js';
import type { AnalysisContext } from './context.js';
import { fromItem } from './from.js';
import { exprKey } from './expressions.js';
import { nearest } from './names.js';
import { emptySelectContext, type Col, type OverCall, type Relation, type Scope, type TimeKind } from './relation.js';
import { typeRoot } from './types.js';
import { typeExpr } from './typing.js';

export function windowTvf(cx: AnalysisContext, item: FromItem & { kind: 'window_tvf' }, parent: Scope | undefined): Relation {
  cx.features.add('window_tvf');
  const inputEntries = fromItem(cx, item.input, parent, [], []);
  const input = releaseRank(cx, inputEntries[0]!.rel);
  const timeCol = input.cols.find((c) => c.name === item.timeColumn);
  let kind: TimeKind = 'rowtime';
  if (!timeCol) {
    if (input.complete) {
      cx.error('SQL_UNKNOWN_COLUMN', `Unknown identifier '${item.timeColumn}' in the ${item.fn} DESCRIPTOR`, item.timeColumnPos ?? item.pos, nearest(item.timeColumn, input.cols.map((c) => c.name)) ?? `Its input's columns: ${input.cols.map((c) => c.name).join(', ')}.`);
    }
  } else if (!timeCol.time) {
    if (timeCol.type !== undefined) {
      cx.error(
        'SQL_TIME_ATTRIBUTE_REQUIRED',
        `The window function requires the timecol is a time attribute type, but is ${timeCol.type}: '${item.timeColumn}' is not an event-time or processing-time attribute`,
        item.pos,
        'Declare the column as the event-time attribute (with a WATERMARK) of the source, or use a PROCTIME() column.',
      );
    }
  } else kind = timeCol.time;
  for (const p of item.partitionBy) {
    if (input.complete && !input.cols.some((c) => c.name === p)) cx.error('SQL_UNKNOWN_COLUMN', `Unknown column '${p}' in ${item.fn} PARTITION BY`, item.pos);
  }
  if (input.changelog === 'updating') cx.warn('SQL_UNSUPPORTED', `${item.fn} window TVF over an updating input may be rejected by Flink`, item.pos);
  // Every input column stays as it is (the DESCRIPTOR column keeps its time attribute); window_time
  // is a time attribute of the same kind.
  const windowKey = `${item.fn}(${item.args.map(exprKey).join(', ')})`;
  const cols: Col[] = input.cols.map((c) => ({ ...c }));
  const windowTimeType = kind === 'proctime' || (timeCol?.type !== undefined && typeRoot(timeCol.type) === 'TIMESTAMP_LTZ') ? 'TIMESTAMP_LTZ(3)' : 'TIMESTAMP(3)';
  cols.push(
    { name: 'window_start', type: 'TIMESTAMP(3)', nullable: false, window: 'start', windowKey },
    { name: 'window_end', type: 'TIMESTAMP(3)', nullable: false, window: 'end', windowKey },
    { name: 'window_time', type: windowTimeType, nullable: false, time: kind, window: 'time', windowKey },
  );
  return { cols, complete: input.complete, changelog: input.changelog };
}

/** An OVER aggregation in streaming mode is ordered by an ascending time attribute. */
export function checkOverOrder(cx: AnalysisContext, call: OverCall, complete: boolean, scope: Scope): void {
  const first = call.spec.orderBy[0];
  if (!first) {
    cx.error('SQL_UNSUPPORTED', `OVER window of ${call.name} needs ORDER BY a time attribute in streaming mode`, call.pos);
    return;
  }
  const typed = typeExpr(cx, first.expr, scope, emptySelectContext());
  if (complete && typed.type !== undefined && (!typed.time || first.descending)) {
    cx.error('SQL_UNSUPPORTED', `OVER window of ${call.name} must be ordered by an ascending time attribute`, first.expr.pos, 'Order the OVER window by the rowtime or proctime column, ascending.');
  }
}
