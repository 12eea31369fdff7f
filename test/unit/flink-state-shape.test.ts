/**
 * State compatibility reflects semantics: constants that define state (window sizes, rank
 * bounds, interval-join bounds, aggregates, keys) break it; a WHERE or projection constant does not.
 */
import { describe, expect, it } from 'vitest';
import { facetChanges, queryStateShape } from '../../src/adapters/flink/shape.js';

const shape = (sql: string) => {
  const s = queryStateShape(sql);
  if (!s) throw new Error(`does not parse: ${sql}`);
  return s;
};
const window = (minutes: number, min = 10) =>
  `INSERT INTO \`x\` SELECT window_start, customer_id, SUM(amount) AS total FROM TABLE(TUMBLE(TABLE payments, DESCRIPTOR(ts), INTERVAL '${minutes}' MINUTE)) WHERE amount > ${min} GROUP BY window_start, window_end, customer_id`;
const topN = (n: number, min = 10) =>
  `INSERT INTO x SELECT customer_id, amount FROM (SELECT customer_id, amount, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rn FROM payments WHERE amount > ${min}) WHERE rn <= ${n}`;

describe('query state shape', () => {
  it('a 5 to 60 minute tumbling window changes the state shape, and says so', () => {
    const a = shape(window(5));
    const b = shape(window(60));
    expect(a.shape).not.toBe(b.shape);
    expect(facetChanges(a.facets, b.facets)).toEqual(["the window changes from TUMBLE(DESCRIPTOR(ts), INTERVAL '5' MINUTE) to TUMBLE(DESCRIPTOR(ts), INTERVAL '60' MINUTE)"]);
  });

  it('a Top-3 to Top-100 changes the state shape (the rank bound)', () => {
    const a = shape(topN(3));
    const b = shape(topN(100));
    expect(a.shape).not.toBe(b.shape);
    expect(facetChanges(a.facets, b.facets)).toEqual(['the rank bound changes from rn <= 3 to rn <= 100']);
  });

  it('a constant in a plain WHERE filter stays compatible, also under a window or a Top-N', () => {
    expect(shape(window(5, 10)).shape).toBe(shape(window(5, 500)).shape);
    expect(shape(topN(3, 10)).shape).toBe(shape(topN(3, 500)).shape);
  });

  it('constants in a projection stay compatible', () => {
    const a = shape(`INSERT INTO x SELECT id, amount * 100 AS cents, 'eur' AS cur FROM p WHERE status = 'ok'`);
    const b = shape(`INSERT INTO x SELECT id, amount * 1000 AS cents, 'usd' AS cur FROM p WHERE status = 'paid'`);
    expect(a.shape).toBe(b.shape);
    expect(a.facets).toEqual([]);
  });

  it('interval-join bounds, join keys, grouping keys and aggregate functions are state', () => {
    const join = (h: number, key = 'p.oid') => `INSERT INTO x SELECT o.id, p.amt FROM o JOIN p ON o.id = ${key} AND p.ts BETWEEN o.ts - INTERVAL '${h}' HOUR AND o.ts`;
    expect(facetChanges(shape(join(1)).facets, shape(join(2)).facets)).toEqual([
      "the join condition changes from o.id = p.oid AND p.ts BETWEEN o.ts - INTERVAL '1' HOUR AND o.ts to o.id = p.oid AND p.ts BETWEEN o.ts - INTERVAL '2' HOUR AND o.ts",
    ]);
    expect(shape(join(1)).shape).not.toBe(shape(join(1, 'p.other')).shape);
    const agg = (fn: string, key: string) => `INSERT INTO x SELECT ${key}, ${fn}(amount) AS v FROM p GROUP BY ${key}`;
    expect(facetChanges(shape(agg('SUM', 'a')).facets, shape(agg('MAX', 'a')).facets)).toEqual(['the aggregate changes from SUM(amount) to MAX(amount)']);
    expect(facetChanges(shape(agg('SUM', 'a')).facets, shape(agg('SUM', 'b')).facets)).toEqual(['the grouping keys change from a to b']);
  });

  it('a comma join keeps its WHERE (the join condition and its time bounds) as state', () => {
    const q = (m: number) => `INSERT INTO x SELECT o.id FROM o, p WHERE o.id = p.oid AND p.ts BETWEEN o.ts AND o.ts + INTERVAL '${m}' MINUTE`;
    expect(shape(q(5)).shape).not.toBe(shape(q(10)).shape);
  });

  it('an unparseable query has no shape (the caller treats any change as breaking)', () => {
    expect(queryStateShape('INSERT INTO x SELEC oops')).toBeUndefined();
  });
});

import type { FlinkJobSpec } from '../../src/compile/types.js';
import { diffFlinkJob, stateCompatibility } from '../../src/adapters/flink/diff.js';

const spec = (query: string): FlinkJobSpec => ({
  name: 'streamt.p.m', cluster: null, parallelism: null, checkpoint_interval_ms: 60000, state_ttl_ms: null, state_backend: null,
  input_topics: ['payments'], output_topic: 'm', sink_connector: 'kafka', primary_key: [], value_format: 'json', key_format: null, key_fields: [],
  statements: ["SET 'pipeline.name' = 'streamt.p.m'", 'CREATE TEMPORARY TABLE `payments` (`customer_id` STRING, `amount` DOUBLE, `ts` TIMESTAMP(3)) WITH (\'connector\' = \'kafka\')', query],
});
const running = { kind: 'flink_job' as const, name: 'streamt.p.m', active: [{ jid: 'j1', state: 'RUNNING', startTime: 1 }] };
const cancelled = { kind: 'flink_job' as const, name: 'streamt.p.m', active: [], lastTerminated: { jid: 'j1', state: 'CANCELED', startTime: 1 } };

describe('Flink job diff: state compatibility by semantics', () => {
  it('plans a 5 to 60 minute window change as state-breaking, and a filter change as an upgrade', () => {
    const before = spec(window(5));
    const wider = diffFlinkJob({ spec: spec(window(60)), hash: 'h2', stateful: true }, running, { hash: 'h1', spec: before }, { allowStateReset: false });
    expect(wider).toMatchObject({ action: 'replace', steps: ['cancel', 'submit'], blocked: { code: 'PLAN_STATE_INCOMPATIBLE' } });
    expect(wider.blocked!.message).toContain("the window changes from TUMBLE(DESCRIPTOR(ts), INTERVAL '5' MINUTE) to TUMBLE(DESCRIPTOR(ts), INTERVAL '60' MINUTE)");
    const filter = diffFlinkJob({ spec: spec(window(5, 99)), hash: 'h2', stateful: true }, running, { hash: 'h1', spec: before }, { allowStateReset: false });
    expect(filter).toMatchObject({ action: 'update', steps: ['stop-with-savepoint', 'submit-from-savepoint'] });
  });

  it('plans a Top-3 to Top-100 change as state-breaking', () => {
    const v = stateCompatibility(spec(topN(3)), spec(topN(100)));
    expect(v).toEqual({ compatible: false, why: ['the rank bound changes from rn <= 3 to rn <= 100 (state built for other semantics)'] });
  });
});

describe('Flink job diff: a stateful job that is not running', () => {
  const recorded = { hash: 'h1', spec: spec(window(5)) };
  it('restores from the retained checkpoint of a cancelled job', () => {
    const p = diffFlinkJob({ spec: recorded.spec, hash: 'h1', stateful: true }, { ...cancelled, lastSavepoint: 'file:/ck/abc/chk-3', restoreKind: 'checkpoint' }, recorded, { allowStateReset: false });
    expect(p).toMatchObject({ action: 'create', steps: ['submit-from-savepoint'], fields: [{ field: 'execution.savepoint.path', after: 'file:/ck/abc/chk-3' }] });
    expect(p.blocked).toBeUndefined();
    expect(p.reasons[0]).toBe('the job is CANCELED (j1); its last checkpoint was retained: resume from file:/ck/abc/chk-3');
  });

  it('is blocked with nothing to restore from, and says which state would be lost', () => {
    const p = diffFlinkJob({ spec: recorded.spec, hash: 'h1', stateful: true }, cancelled, recorded, { allowStateReset: false });
    expect(p.blocked?.code).toBe('PLAN_STATE_LOSS');
    expect(p.blocked?.message).toContain('(the last one, j1, is CANCELED) and has no savepoint or retained checkpoint to restore from');
    expect(p.blocked?.message).toContain("window TUMBLE(DESCRIPTOR(ts), INTERVAL '5' MINUTE)");
    expect(p.blocked?.message).toContain('aggregate SUM(amount)');
    expect(p.blocked?.hint).toContain('--allow-state-reset');
  });

  it('without a record entry (deleted with --prune, or never applied from here) starts fresh: no restore, no block', () => {
    // e.g. `npm run demo` torn down with apply --prune, then applied again within the hour the
    // JobManager remembers the cancelled jobs: their retained checkpoints hold offsets of topics
    // that were deleted and created again.
    for (const observed of [cancelled, { ...cancelled, lastSavepoint: 'file:/ck/abc/chk-3', restoreKind: 'checkpoint' as const }]) {
      const p = diffFlinkJob({ spec: recorded.spec, hash: 'h1', stateful: true }, observed, undefined, { allowStateReset: false });
      expect(p).toMatchObject({ action: 'create', steps: ['submit'] });
      expect(p.blocked).toBeUndefined();
      expect(p.reasons.join(' ')).toContain("the last job with this name (j1, CANCELED) is not in this project's record (deleted with --prune, or applied from elsewhere): the new job starts without its state");
    }
  });

  it('--allow-state-reset submits it empty, saying what starts empty', () => {
    const p = diffFlinkJob({ spec: recorded.spec, hash: 'h1', stateful: true }, cancelled, recorded, { allowStateReset: true });
    expect(p).toMatchObject({ action: 'create', steps: ['submit'] });
    expect(p.blocked).toBeUndefined();
    expect(p.reasons.join(' ')).toContain('--allow-state-reset: it starts without the state of window TUMBLE');
  });

  it('a stateless job is resubmitted (its offsets are in the consumer group)', () => {
    const p = diffFlinkJob({ spec: recorded.spec, hash: 'h1', stateful: false }, cancelled, recorded, { allowStateReset: false });
    expect(p).toMatchObject({ action: 'create', steps: ['submit'] });
    expect(p.blocked).toBeUndefined();
  });
});
