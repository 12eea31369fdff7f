import { describe, expect, it } from 'vitest';
import { evaluateAssertion, type EvalContext } from '../../src/datatest/assertions.js';
import { parseDuration } from '../../src/datatest/duration.js';
import { parseThreshold, statusFor, thresholdMet } from '../../src/datatest/threshold.js';
import type { SampleRecord } from '../../src/datatest/types.js';
import { castable, parseEventTime } from '../../src/datatest/values.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const recs = (values: (Record<string, unknown> | null)[], stepMs = 1000): SampleRecord[] =>
  values.map((value, i) => ({ key: `k${i}`, value, timestamp: T0 + i * stepMs, partition: 0, offset: String(i) }));
const ctx: EvalContext = { now: T0 + 60_000 };
const run = (type: string, config: Record<string, unknown>, records: SampleRecord[], c: EvalContext = ctx) => evaluateAssertion({ type, config, path: [] }, 0, records, c);

describe('not_null', () => {
  it('passes when every column is set', () => {
    const r = run('not_null', { columns: ['id', 'amount'] }, recs([{ id: 'a', amount: 1 }, { id: 'b', amount: 0 }]));
    expect(r).toMatchObject({ status: 'pass', failures: 0, checked: 2 });
  });
  it('counts records with a null or missing column, and tombstones', () => {
    const r = run('not_null', { columns: ['id', 'amount'] }, recs([{ id: 'a', amount: 1 }, { id: null, amount: 1 }, { id: 'c' }, null, { id: 'e', amount: 2 }]));
    expect(r.status).toBe('fail');
    expect(r.failures).toBe(3);
    expect(r.examples.map((e) => e.offset)).toEqual(['1', '2', '3']);
    expect(r.message).toContain('3 of 5 records');
  });
  it('shows at most five failing records but counts all', () => {
    const r = run('not_null', { columns: ['id'] }, recs(Array.from({ length: 12 }, () => ({ id: null }))));
    expect(r.failures).toBe(12);
    expect(r.examples).toHaveLength(5);
  });
});

describe('accepted_values', () => {
  const cfg = { column: 'status', values: ['paid', 'refunded', 1] };
  it('passes on accepted values and ignores nulls', () => {
    expect(run('accepted_values', cfg, recs([{ status: 'paid' }, { status: 1 }, { status: '1' }, { status: null }, {}]))).toMatchObject({ status: 'pass', failures: 0 });
  });
  it('reports the records with other values', () => {
    const r = run('accepted_values', cfg, recs([{ status: 'paid' }, { status: 'PAID' }, { status: 'lost' }, { status: 2 }]));
    expect(r).toMatchObject({ status: 'fail', failures: 3 });
    expect(r.examples.map((e) => e.value)).toEqual(['PAID', 'lost', 2]);
  });
});

describe('range', () => {
  const cfg = { column: 'amount', min: 0, max: 100 };
  it('passes inside the bounds (inclusive), numeric strings too', () => {
    expect(run('range', cfg, recs([{ amount: 0 }, { amount: 100 }, { amount: '55.5' }, { amount: null }]))).toMatchObject({ status: 'pass', failures: 0 });
  });
  it('fails below, above and on non-numbers', () => {
    const r = run('range', cfg, recs([{ amount: -1 }, { amount: 50 }, { amount: 100.01 }, { amount: 'abc' }]));
    expect(r).toMatchObject({ status: 'fail', failures: 3 });
    expect(r.examples.map((e) => e.reason)).toEqual(['-1 < 0', '100.01 > 100', '"abc" is not a number']);
  });
  it('supports one-sided bounds', () => {
    expect(run('range', { column: 'amount', min: 10 }, recs([{ amount: 1e9 }, { amount: 9 }])).failures).toBe(1);
  });
});

describe('accepted_types', () => {
  it('accepts values readable as the type, both spellings', () => {
    const rs = recs([{ id: 1, price: '2.5', ok: true, ts: '2025-01-01 10:00:00.000', d: '2025-01-31', name: 7 }]);
    expect(run('accepted_types', { types: { id: 'int', price: 'double', ok: 'boolean', ts: 'timestamp', d: 'date', name: 'string' } }, rs).status).toBe('pass');
    expect(run('accepted_types', { id: 'BIGINT', price: 'DECIMAL(10, 2)' }, rs).status).toBe('pass');
  });
  it('counts each record once, whatever the number of bad columns', () => {
    const r = run('accepted_types', { id: 'int', ok: 'boolean' }, recs([{ id: 1, ok: true }, { id: 'x', ok: 'maybe' }, { id: 1.5, ok: false }, { id: 3, ok: 'nope' }, { id: null }]));
    expect(r).toMatchObject({ status: 'fail', failures: 3 });
    expect(r.examples.map((e) => e.offset)).toEqual(['1', '2', '3']);
  });
  it('is an error for an unknown type', () => {
    expect(run('accepted_types', { id: 'uuidish' }, recs([{ id: 1 }])).status).toBe('error');
  });
});

describe('unique_key', () => {
  it('passes on unique keys and ignores null keys', () => {
    expect(run('unique_key', { key: 'id' }, recs([{ id: 1 }, { id: 2 }, { id: null }, { id: null }]))).toMatchObject({ status: 'pass', failures: 0 });
  });
  it('counts every repeat, composite keys too', () => {
    const r = run('unique_key', { key: ['a', 'b'] }, recs([{ a: 1, b: 1 }, { a: 1, b: 2 }, { a: 1, b: 1 }, { a: 1, b: 1 }]));
    expect(r).toMatchObject({ status: 'fail', failures: 2 });
    expect(r.examples.map((e) => e.offset)).toEqual(['2', '3']);
  });
  it('only within the window (record timestamps)', () => {
    // one record per minute: the repeat 2 minutes later is outside a 90 s window
    const rs = recs([{ id: 1 }, { id: 2 }, { id: 1 }, { id: 2 }], 60_000);
    expect(run('unique_key', { key: 'id', window: '90 seconds' }, rs).failures).toBe(0);
    expect(run('unique_key', { key: 'id', window: '3 minutes' }, rs).failures).toBe(2);
  });
  it('passes within the tolerance (share or count)', () => {
    const rs = recs([{ id: 1 }, { id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, { id: 5 }, { id: 6 }, { id: 7 }, { id: 8 }, { id: 9 }]);
    expect(run('unique_key', { key: 'id', tolerance: 0.1 }, rs)).toMatchObject({ status: 'pass', failures: 1 });
    expect(run('unique_key', { key: 'id', tolerance: 0.05 }, rs)).toMatchObject({ status: 'fail', failures: 1 });
    expect(run('unique_key', { key: 'id', tolerance: 1 }, rs).status).toBe('pass');
  });
});

describe('foreign_key', () => {
  const customers = recs([{ customer_id: 'c1' }, { customer_id: 'c2' }]);
  const c2: EvalContext = { ...ctx, reference: (n) => (n === 'customers' ? customers : undefined) };
  it('passes when every key exists', () => {
    expect(run('foreign_key', { column: 'cust', ref_model: 'customers', ref_key: 'customer_id' }, recs([{ cust: 'c1' }, { cust: 'c2' }, { cust: null }]), c2).status).toBe('pass');
  });
  it('reports keys missing from the reference', () => {
    const r = run('foreign_key', { column: 'customer_id', ref_model: 'customers' }, recs([{ customer_id: 'c1' }, { customer_id: 'c9' }, { customer_id: 'c8' }]), c2);
    expect(r).toMatchObject({ status: 'fail', failures: 2 });
    expect(r.examples.map((e) => e.value)).toEqual(['c9', 'c8']);
  });
  it('only counts reference records within the window', () => {
    const later = recs([{ customer_id: 'c1' }, { customer_id: 'c1' }], 600_000); // t0 and t0+10 min; customers at t0, t0+1 s
    expect(run('foreign_key', { column: 'customer_id', ref_model: 'customers', window: '1 minute' }, later, c2).failures).toBe(1);
  });
  it('is skipped when the reference was not read', () => {
    expect(run('foreign_key', { column: 'customer_id', ref_model: 'nope' }, recs([{ customer_id: 'c1' }]), c2).status).toBe('skipped');
  });
});

describe('max_lag', () => {
  it('compares event time with now', () => {
    const now = T0 + 60_000;
    const rs = recs([{ ts: '2025-01-01 12:00:30.000' }, { ts: '2025-01-01T11:58:00Z' }, { ts: T0 + 55_000 }, { ts: 'yesterday' }, { ts: null }]);
    const r = run('max_lag', { column: 'ts', max_seconds: 60 }, rs, { now });
    expect(r).toMatchObject({ status: 'fail', failures: 2 });
    expect(r.examples.map((e) => e.offset)).toEqual(['1', '3']);
  });
  it('uses the record timestamp without a column', () => {
    const rs = recs([{}, {}, {}], 20_000); // t0, t0+20 s, t0+40 s; now = t0+60 s
    expect(run('max_lag', { max_seconds: 30 }, rs).failures).toBe(2);
    expect(run('max_lag', { seconds: 60 }, rs).failures).toBe(0);
  });
});

describe('throughput', () => {
  const rs = recs(Array.from({ length: 11 }, () => ({})), 100); // 10 intervals in 1 s
  it('passes within bounds', () => {
    expect(run('throughput', { min_per_second: 5, max_per_second: 20 }, rs)).toMatchObject({ status: 'pass', failures: 0 });
  });
  it('fails below the minimum or above the maximum', () => {
    expect(run('throughput', { min_per_second: 11 }, rs)).toMatchObject({ status: 'fail', failures: 1 });
    expect(run('throughput', { max_per_second: 9 }, rs)).toMatchObject({ status: 'fail', failures: 1 });
  });
  it('is skipped when no rate can be measured', () => {
    expect(run('throughput', { min_per_second: 1 }, recs([{}])).status).toBe('skipped');
    expect(run('throughput', { min_per_second: 1 }, recs([{}, {}], 0)).status).toBe('skipped');
  });
});

describe('distribution', () => {
  const rs = recs([{ c: 'EU' }, { c: 'EU' }, { c: 'EU' }, { c: 'US' }, { amount: 1 }]);
  it('passes when each bucket holds its share', () => {
    expect(run('distribution', { column: 'c', buckets: [{ value: 'EU', min_ratio: 0.5 }, { value: 'US', max_ratio: 0.5 }] }, rs)).toMatchObject({ status: 'pass', checked: 4 });
  });
  it('counts buckets outside their share; ranges are [min, max)', () => {
    const nums = recs([{ a: 0 }, { a: 5 }, { a: 10 }, { a: 15 }]);
    const r = run('distribution', { column: 'a', buckets: [{ min: 0, max: 10, max_ratio: 0.25 }, { min: 10, min_ratio: 0.5 }, { value: 99, min_ratio: 0.1 }] }, nums);
    expect(r).toMatchObject({ status: 'fail', failures: 2 });
    expect(r.examples.map((e) => e.value)).toEqual([0.5, 0]);
  });
});

describe('custom_sql and max_latency in samples', () => {
  it('are skipped with a reason, never passed', () => {
    const r = run('custom_sql', { sql: 'SELECT COUNT(*) FROM t WHERE x < 0', expect: 0 }, recs([{}]));
    expect(r.status).toBe('skipped');
    expect(r.message).toMatch(/continuous/);
    expect(run('max_latency', { max_ms: 10 }, recs([{}])).status).toBe('skipped');
  });
});

describe('thresholds', () => {
  it('parses dbt forms', () => {
    expect(parseThreshold('>0')).toMatchObject({ op: '>', value: 0, percent: false });
    expect(parseThreshold(' >= 10 ')).toMatchObject({ op: '>=', value: 10 });
    expect(parseThreshold('>1%')).toMatchObject({ op: '>', value: 1, percent: true });
    expect(parseThreshold('=0')).toMatchObject({ op: '==' });
    expect(parseThreshold('lots')).toBeUndefined();
  });
  it('compares counts and shares', () => {
    expect(thresholdMet(parseThreshold('>1%')!, 2, 100)).toBe(true);
    expect(thresholdMet(parseThreshold('>1%')!, 1, 100)).toBe(false);
    expect(thresholdMet(parseThreshold('>=10')!, 10, 100)).toBe(true);
    expect(thresholdMet(parseThreshold('!=0')!, 0, 100)).toBe(false);
  });
  it('decides the status like dbt', () => {
    expect(statusFor(0, 10, 'error')).toBe('pass');
    expect(statusFor(1, 10, 'error')).toBe('fail');
    expect(statusFor(1, 10, 'warn')).toBe('warn');
    expect(statusFor(5, 100, 'error', undefined, '>10')).toBe('warn');
    expect(statusFor(11, 100, 'error', undefined, '>10')).toBe('fail');
    expect(statusFor(5, 100, 'error', '>5', '>10')).toBe('pass');
    expect(statusFor(50, 100, 'warn', undefined, '>0')).toBe('warn');
  });
});

describe('values', () => {
  it('parses durations', () => {
    expect(parseDuration('15 minutes')).toBe(900_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration(30)).toBe(30_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('soon')).toBeUndefined();
  });
  it('parses event times', () => {
    expect(parseEventTime('2025-01-01 12:00:00.000')).toBe(T0);
    expect(parseEventTime('2025-01-01T13:00:00+01:00')).toBe(T0);
    expect(parseEventTime(String(T0))).toBe(T0);
  });
  it('mirrors TRY_CAST', () => {
    expect(castable('2147483648', 'int')).toBe(false);
    expect(castable('2147483648', 'bigint')).toBe(true);
    expect(castable('yes', 'boolean')).toBe(true);
    expect(castable('1e3', 'double')).toBe(true);
  });
});
