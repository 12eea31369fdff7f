/** Windowing: window TVFs (TUMBLE, HOP, CUMULATE, SESSION) and the ordering OVER windows need. */
import type { FromItem, WindowSpec } from './ast.js';
import { releaseRank } from './changelog.js';
import type { AnalysisContext } from './context.js';
import { fromItem } from './from.js';
import { exprKey, exprStart, exprText } from './expressions.js';
import { nearest } from './names.js';
import { emptySelectContext, type Changelog, type Col, type ColLineage, type OverCall, type Relation, type Scope, type TimeKind } from './relation.js';
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
  // The window bounds derive from the DESCRIPTOR's time column.
  const lineage = (): ColLineage => ({ sources: [...(timeCol?.lineage?.sources ?? [])], transform: 'window', ...(timeCol?.lineage && !timeCol.lineage.partial ? {} : { partial: true }) });
  cols.push(
    { name: 'window_start', type: 'TIMESTAMP(3)', nullable: false, window: 'start', windowKey, lineage: lineage() },
    { name: 'window_end', type: 'TIMESTAMP(3)', nullable: false, window: 'end', windowKey, lineage: lineage() },
    { name: 'window_time', type: windowTimeType, nullable: false, time: kind, window: 'time', windowKey, lineage: lineage() },
  );
  return { cols, complete: input.complete, changelog: input.changelog };
}

/**
 * OVER aggregations in streaming mode, as Flink's planner checks them: one window for all of them,
 * ordered by a single ascending time attribute, over an append-only input, and no LEAD.
 */
export function checkOverAggregates(cx: AnalysisContext, calls: OverCall[], complete: boolean, scope: Scope, input: Changelog): void {
  if (calls.length === 0) return;
  for (const call of calls) {
    if (call.name === 'LEAD') {
      cx.error('SQL_UNSUPPORTED', 'LEAD Function is not supported in stream mode', call.pos, 'LAG is: order the window the other way round and use LAG.');
      return;
    }
    const order = call.spec.orderBy;
    if (order.length !== 1) {
      cx.error('SQL_UNSUPPORTED', `The window can only be ordered by a single time column: the OVER window of ${call.name} has ${order.length ? `${order.length} ORDER BY items` : 'no ORDER BY'}`, call.pos, 'Write OVER (PARTITION BY ... ORDER BY <time attribute>).');
      return;
    }
    const typed = typeExpr(cx, order[0]!.expr, scope, emptySelectContext());
    if (!complete || typed.type === undefined) continue;
    if (!typed.time) {
      cx.error('SQL_UNSUPPORTED', `OVER windows' ordering in stream mode must be defined on a time attribute: '${exprText(order[0]!.expr)}' is not one`, exprStart(order[0]!.expr), 'Order the OVER window by the rowtime or proctime column.');
      return;
    }
    if (order[0]!.descending) {
      cx.error('SQL_UNSUPPORTED', 'The window can only be ordered in ASCENDING mode', exprStart(order[0]!.expr), `Write ORDER BY ${exprText(order[0]!.expr)} (ascending).`);
      return;
    }
  }
  const windows = new Set(calls.map((c) => windowKeyOf(c.spec)));
  if (windows.size > 1) {
    cx.error('SQL_UNSUPPORTED', 'Over Agg: Unsupported use of OVER windows. All aggregates must be computed on the same window', calls[1]!.pos, 'Compute aggregates over different windows in separate queries (or models) and join them.');
    return;
  }
  if (input === 'updating') {
    cx.error('SQL_UNSUPPORTED', "StreamPhysicalOverAggregate doesn't support consuming update and delete changes: OVER aggregations need an append-only input", calls[0]!.pos, 'Aggregate the updating input with GROUP BY instead.');
  }
}

function windowKeyOf(spec: WindowSpec): string {
  return `${spec.partitionBy.map(exprKey).join(',')}|${spec.orderBy.map((o) => `${exprKey(o.expr)}${o.descending ? ' DESC' : ''}`).join(',')}|${spec.frameText ?? ''}`;
}
