/** Windowing: window TVFs (TUMBLE, HOP, CUMULATE, SESSION) and the ordering OVER windows need. */
import type { FromItem } from './ast.js';
import { releaseRank } from './changelog.js';
import type { AnalysisContext } from './context.js';
import { fromItem } from './from.js';
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
      cx.error('SQL_UNKNOWN_COLUMN', `Unknown column '${item.timeColumn}' in ${item.fn} DESCRIPTOR`, item.pos, nearest(item.timeColumn, input.cols.map((c) => c.name)));
    }
  } else if (!timeCol.time) {
    if (timeCol.type !== undefined) {
      cx.error(
        'SQL_TIME_ATTRIBUTE_REQUIRED',
        `${item.fn} needs a time attribute in DESCRIPTOR, but '${item.timeColumn}' is a plain ${timeCol.type}`,
        item.pos,
        'Declare the column as the event-time attribute (with a WATERMARK) of the source, or use a PROCTIME() column.',
      );
    }
  } else kind = timeCol.time;
  for (const p of item.partitionBy) {
    if (input.complete && !input.cols.some((c) => c.name === p)) cx.error('SQL_UNKNOWN_COLUMN', `Unknown column '${p}' in ${item.fn} PARTITION BY`, item.pos);
  }
  if (input.changelog === 'updating') cx.warn('SQL_UNSUPPORTED', `${item.fn} window TVF over an updating input may be rejected by Flink`, item.pos);
  // The original time column becomes a regular timestamp; window_time carries the time attribute.
  const cols: Col[] = input.cols
    .filter((c) => c.name !== 'window_start' && c.name !== 'window_end' && c.name !== 'window_time')
    .map((c) => {
      const copy = { ...c };
      if (c.name === item.timeColumn && copy.time) {
        copy.formerTime = copy.time;
        delete copy.time;
      }
      delete copy.window;
      return copy;
    });
  const windowTimeType = kind === 'proctime' || (timeCol?.type !== undefined && typeRoot(timeCol.type) === 'TIMESTAMP_LTZ') ? 'TIMESTAMP_LTZ(3)' : 'TIMESTAMP(3)';
  cols.push(
    { name: 'window_start', type: 'TIMESTAMP(3)', nullable: false, window: 'start' },
    { name: 'window_end', type: 'TIMESTAMP(3)', nullable: false, window: 'end' },
    { name: 'window_time', type: windowTimeType, nullable: false, time: kind, window: 'time' },
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
