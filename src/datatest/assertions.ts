/**
 * Assertions over records, evaluated in process (sample tests). Pure: the clock and the records
 * of referenced models are passed in. Each result says how many records failed and shows up to
 * five of them; what cannot be evaluated honestly is `skipped` with the reason, never passed.
 */
import { own } from '../core/own.js';
import type { AssertionSpec } from '../project/types.js';
import { formatDuration, parseDuration } from './duration.js';
import { acceptedTypes, bucketName, type Bucket } from '../compile/test-specs.js';
import { MAX_EXAMPLES, type AssertionResult, type FailureExample, type SampleRecord } from './types.js';
import { castable, numberOf, parseEventTime, sameValue, textOf, typeFamily } from './values.js';

export interface EvalContext {
  /** Now, ms since the epoch (max_lag). */
  now: number;
  /** Records of other models or sources, by name (foreign_key). Undefined: not read. */
  reference?: (name: string) => SampleRecord[] | undefined;
}

type Config = Record<string, unknown>;

export function evaluateAssertion(spec: AssertionSpec, index: number, records: readonly SampleRecord[], ctx: EvalContext): AssertionResult {
  const base = { assertion: spec.type, index, checked: records.length };
  const evaluator = EVALUATORS[spec.type];
  if (!evaluator) return { ...base, status: 'skipped', failures: 0, examples: [], message: `${spec.type} cannot be evaluated on records` };
  try {
    return { ...base, ...evaluator(spec.config, records, ctx) };
  } catch (e) {
    return { ...base, status: 'error', failures: 0, examples: [], message: `${spec.type} could not be evaluated: ${(e as Error).message}` };
  }
}

type Outcome = Omit<AssertionResult, 'assertion' | 'index' | 'checked'> & { checked?: number };

/** Collects failing records: counts all, keeps the first five. */
class Failures {
  count = 0;
  readonly examples: FailureExample[] = [];
  add(r: SampleRecord | undefined, reason: string, column?: string, value?: unknown): void {
    this.count++;
    if (this.examples.length >= MAX_EXAMPLES) return;
    const e: FailureExample = { reason };
    if (r) Object.assign(e, { partition: r.partition, offset: r.offset, key: r.key });
    if (column !== undefined) e.column = column;
    if (value !== undefined) e.value = value;
    this.examples.push(e);
  }
  outcome(checked: number, okMessage: string, failMessage: (n: number) => string, allowed = 0): Outcome {
    const status = this.count > allowed ? 'fail' : 'pass';
    return { status, failures: this.count, examples: this.examples, message: status === 'fail' ? failMessage(this.count) : okMessage, checked };
  }
}

const of = (n: number, total: number, what = 'records') => `${n} of ${total} ${what}`;
const field = (r: SampleRecord, c: string): unknown => (r.value ? own(r.value, c) : undefined);
const list = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).join(', ');

const EVALUATORS: Record<string, (c: Config, rs: readonly SampleRecord[], ctx: EvalContext) => Outcome> = {
  not_null(c, rs) {
    const cols = (c.columns as string[]) ?? [];
    const f = new Failures();
    for (const r of rs) {
      const missing = cols.filter((col) => field(r, col) === null || field(r, col) === undefined);
      if (missing.length) f.add(r, `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} null`, missing.join(', '));
    }
    return f.outcome(rs.length, `${cols.join(', ')} never null in ${rs.length} records`, (n) => `${of(n, rs.length)} have a null ${cols.join(' or ')}`);
  },

  accepted_values(c, rs) {
    const col = String(c.column);
    const values = c.values as unknown[];
    const f = new Failures();
    for (const r of rs) {
      const v = field(r, col);
      if (v === null || v === undefined) continue; // nulls are not_null's business, as in SQL
      if (!values.some((x) => sameValue(v, x))) f.add(r, `${JSON.stringify(v)} is not accepted`, col, v);
    }
    return f.outcome(rs.length, `${col} always in [${list(values)}]`, (n) => `${of(n, rs.length)} have ${col} outside [${list(values)}]`);
  },

  range(c, rs) {
    const col = String(c.column);
    const min = c.min as number | undefined;
    const max = c.max as number | undefined;
    const f = new Failures();
    for (const r of rs) {
      const v = field(r, col);
      if (v === null || v === undefined) continue;
      const n = numberOf(v);
      if (n === undefined) f.add(r, `${JSON.stringify(v)} is not a number`, col, v);
      else if (min !== undefined && n < min) f.add(r, `${n} < ${min}`, col, v);
      else if (max !== undefined && n > max) f.add(r, `${n} > ${max}`, col, v);
    }
    const bounds = `[${min ?? '-∞'}, ${max ?? '+∞'}]`;
    return f.outcome(rs.length, `${col} always within ${bounds}`, (n) => `${of(n, rs.length)} have ${col} outside ${bounds}`);
  },

  accepted_types(c, rs) {
    const types = acceptedTypes(c);
    const unknown = Object.entries(types).filter(([, t]) => !typeFamily(t));
    if (unknown.length) {
      return { status: 'error', failures: 0, examples: [], message: `unknown type ${unknown.map(([col, t]) => `${JSON.stringify(t)} (${col})`).join(', ')}; use string, int, bigint, double, boolean, timestamp, date or time` };
    }
    const f = new Failures();
    for (const r of rs) {
      for (const [col, t] of Object.entries(types)) {
        const v = field(r, col);
        if (!castable(v, typeFamily(t)!)) {
          f.add(r, `${JSON.stringify(v)} is not a ${t}`, col, v);
          break;
        }
      }
    }
    const desc = Object.entries(types).map(([col, t]) => `${col}: ${t}`).join(', ');
    return f.outcome(rs.length, `every value readable as declared (${desc})`, (n) => `${of(n, rs.length)} have a value that is not of its declared type (${desc})`);
  },

  unique_key(c, rs) {
    const keys = Array.isArray(c.key) ? (c.key as string[]) : [String(c.key)];
    const window = parseDuration(c.window as string | number | undefined);
    const tolerance = (c.tolerance as number | undefined) ?? 0;
    const allowed = tolerance >= 1 ? Math.floor(tolerance) : Math.floor(tolerance * rs.length);
    const lastSeen = new Map<string, number>();
    const f = new Failures();
    // In time order, so "within the window" means "since the previous record with this key".
    const ordered = [...rs].sort((a, b) => a.timestamp - b.timestamp || a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    for (const r of ordered) {
      const parts = keys.map((k) => field(r, k));
      if (parts.some((p) => p === null || p === undefined)) continue;
      const k = JSON.stringify(parts.map(textOf));
      const prev = lastSeen.get(k);
      if (prev !== undefined && (window === undefined || r.timestamp - prev <= window)) f.add(r, `duplicate ${keys.join(', ')} ${parts.map((p) => JSON.stringify(p)).join(', ')}`, keys.join(', '), parts.length === 1 ? parts[0] : parts);
      lastSeen.set(k, r.timestamp);
    }
    const scope = window === undefined ? 'in the sample' : `within ${formatDuration(window)}`;
    const out = f.outcome(rs.length, `${keys.join(', ')} unique ${scope}`, (n) => `${of(n, rs.length)} repeat a ${keys.join(', ')} seen ${scope}${allowed ? ` (tolerance ${allowed})` : ''}`, allowed);
    if (out.status === 'pass' && f.count) out.message = `${f.count} duplicate ${keys.join(', ')} ${scope}, within the tolerance of ${allowed}`;
    return out;
  },

  foreign_key(c, rs, ctx) {
    const col = String(c.column);
    const refModel = String(c.ref_model);
    const refKey = String(c.ref_key ?? col);
    const window = parseDuration(c.window as string | number | undefined);
    const refs = ctx.reference?.(refModel);
    if (!refs) return { status: 'skipped', failures: 0, examples: [], message: `the records of ${refModel} were not read` };
    const seen = new Map<string, number[]>();
    for (const r of refs) {
      const k = textOf(field(r, refKey));
      if (k === null) continue;
      const list = seen.get(k) ?? [];
      list.push(r.timestamp);
      seen.set(k, list);
    }
    const f = new Failures();
    for (const r of rs) {
      const v = field(r, col);
      const k = textOf(v);
      if (k === null) continue;
      const times = seen.get(k);
      const ok = times && (window === undefined || times.some((t) => Math.abs(t - r.timestamp) <= window));
      if (!ok) f.add(r, `${JSON.stringify(v)} not found in ${refModel}.${refKey}${window !== undefined ? ` within ${formatDuration(window)}` : ''}`, col, v);
    }
    const scope = window !== undefined ? ` within ${formatDuration(window)}` : '';
    return f.outcome(rs.length, `every ${col} found in ${refModel}.${refKey}${scope} (${refs.length} records read)`, (n) => `${of(n, rs.length)} have a ${col} not found in ${refModel}.${refKey}${scope} (${refs.length} records read)`);
  },

  max_lag(c, rs, ctx) {
    const col = c.column as string | undefined;
    const maxSeconds = (c.max_seconds ?? c.seconds) as number | undefined;
    if (maxSeconds === undefined) return { status: 'error', failures: 0, examples: [], message: 'max_lag needs max_seconds' };
    const f = new Failures();
    for (const r of rs) {
      const raw = col ? field(r, col) : r.timestamp;
      if (raw === null || raw === undefined) continue;
      const t = parseEventTime(raw);
      if (t === undefined) {
        f.add(r, `${JSON.stringify(raw)} is not a time`, col, raw);
        continue;
      }
      const lag = (ctx.now - t) / 1000;
      if (lag > maxSeconds) f.add(r, `lag ${lag.toFixed(1)} s > ${maxSeconds} s`, col, raw);
    }
    const what = col ?? 'record timestamp';
    return f.outcome(rs.length, `${what} lag within ${maxSeconds} s`, (n) => `${of(n, rs.length)} lag more than ${maxSeconds} s behind now (${what})`);
  },

  throughput(c, rs) {
    const min = c.min_per_second as number | undefined;
    const max = c.max_per_second as number | undefined;
    if (rs.length < 2) return { status: 'skipped', failures: 0, examples: [], message: `throughput needs at least 2 records, ${rs.length} read` };
    const times = rs.map((r) => r.timestamp);
    const span = (Math.max(...times) - Math.min(...times)) / 1000;
    if (span <= 0) return { status: 'skipped', failures: 0, examples: [], message: `the ${rs.length} records share one timestamp; no rate can be measured` };
    // n records span n-1 intervals.
    const rate = (rs.length - 1) / span;
    const shown = rate >= 10 ? rate.toFixed(0) : rate.toFixed(2);
    const bounds = `[${min ?? 0}, ${max ?? '+∞'}] records/s`;
    const low = min !== undefined && rate < min;
    const high = max !== undefined && rate > max;
    if (low || high) {
      return { status: 'fail', failures: 1, examples: [{ reason: `${shown} records/s ${low ? `< ${min}` : `> ${max}`}`, value: Number(rate.toFixed(3)) }], message: `${shown} records/s over ${span.toFixed(1)} s, outside ${bounds}` };
    }
    return { status: 'pass', failures: 0, examples: [], message: `${shown} records/s over ${span.toFixed(1)} s, within ${bounds}` };
  },

  distribution(c, rs) {
    const col = String(c.column);
    const buckets = (c.buckets as Bucket[]) ?? [];
    const values = rs.map((r) => field(r, col)).filter((v) => v !== null && v !== undefined);
    if (!values.length) return { status: 'skipped', failures: 0, examples: [], message: `no record has a ${col}` };
    const f = new Failures();
    const shares: string[] = [];
    for (const b of buckets) {
      const n = values.filter((v) => inBucket(v, b)).length;
      const share = n / values.length;
      shares.push(`${bucketName(b)}: ${(share * 100).toFixed(1)}%`);
      if ((b.min_ratio !== undefined && share < b.min_ratio) || (b.max_ratio !== undefined && share > b.max_ratio)) {
        f.add(undefined, `${bucketName(b)} holds ${(share * 100).toFixed(1)}% of ${values.length}, expected ${ratioBounds(b)}`, col, Number(share.toFixed(4)));
      }
    }
    return f.outcome(values.length, `${col} distribution as expected (${shares.join(', ')})`, (n) => `${n} of ${buckets.length} buckets of ${col} outside their share (${shares.join(', ')})`);
  },

  custom_sql() {
    return { status: 'skipped', failures: 0, examples: [], message: 'custom_sql runs SQL, which sample tests cannot evaluate in process; make it a continuous test to have Flink evaluate it' };
  },

  schema() {
    return { status: 'skipped', failures: 0, examples: [], message: 'the schema assertion is evaluated by continuous tests; a schema test (type: schema) checks sampled records against the declared schema' };
  },

  max_latency() {
    return { status: 'skipped', failures: 0, examples: [], message: 'max_latency compares two topics end to end, which a sample of one topic cannot measure' };
  },
};

/** Buckets are `value` equality or the half-open range [min, max). */
export function inBucket(v: unknown, b: Bucket): boolean {
  if (b.value !== undefined) return sameValue(v, b.value);
  const n = numberOf(v);
  if (n === undefined) return false;
  return (b.min === undefined || n >= b.min) && (b.max === undefined || n < b.max);
}

function ratioBounds(b: Bucket): string {
  return `${((b.min_ratio ?? 0) * 100).toFixed(1)}%–${((b.max_ratio ?? 1) * 100).toFixed(1)}%`;
}

export { acceptedTypes, bucketName, type Bucket } from '../compile/test-specs.js';
