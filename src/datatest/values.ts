/**
 * Reading values the way the continuous job reads them: a JSON value as its text (Flink reads a
 * JSON field into a STRING column as its text), castable to a type as Flink's TRY_CAST decides.
 * Sample and continuous tests share these rules, so both modes agree on which records fail.
 */

/** The text Flink's JSON format gives a STRING column: strings as is, other values as JSON. */
export function textOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (Buffer.isBuffer(v)) return v.toString('base64');
  return JSON.stringify(v);
}

export { FLINK_TYPE, typeFamily, type TypeFamily } from '../compile/test-specs.js';
import type { TypeFamily } from '../compile/test-specs.js';

const TRUE = new Set(['t', 'true', 'y', 'yes', '1']);
const FALSE = new Set(['f', 'false', 'n', 'no', '0']);

/** True when a non-null value's text can be read as the family (Flink TRY_CAST from STRING). */
export function castable(v: unknown, family: TypeFamily): boolean {
  const s = textOf(v);
  if (s === null) return true;
  const t = s.trim();
  switch (family) {
    case 'string':
      return true;
    case 'int':
    case 'bigint': {
      if (!/^[+-]?\d+$/.test(t)) return false;
      const n = BigInt(t);
      return family === 'int' ? n >= -(2n ** 31n) && n < 2n ** 31n : n >= -(2n ** 63n) && n < 2n ** 63n;
    }
    case 'double':
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t);
    case 'boolean':
      return TRUE.has(t.toLowerCase()) || FALSE.has(t.toLowerCase());
    case 'timestamp':
      return /^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{1,2}(:\d{1,2}(\.\d{1,9})?)?)?$/.test(t) && !Number.isNaN(parseEventTime(t) ?? NaN);
    case 'date':
      return /^\d{4}-\d{1,2}-\d{1,2}$/.test(t) && !Number.isNaN(Date.parse(t.replace(/-(\d)(?=-|$)/g, '-0$1')));
    case 'time':
      return /^\d{1,2}:\d{2}(:\d{2}(\.\d{1,9})?)?$/.test(t);
  }
}

/** A number as Flink's TRY_CAST(x AS DOUBLE) reads it, or undefined. */
export function numberOf(v: unknown): number | undefined {
  const s = textOf(v);
  if (s === null || !castable(s, 'double')) return undefined;
  return Number(s.trim());
}

/**
 * An event time in ms since the epoch: a number or digit string is epoch milliseconds; text is
 * `yyyy-MM-dd HH:mm:ss[.SSS]` (Flink's JSON timestamp format) or ISO-8601, UTC unless it says
 * otherwise. Undefined when unreadable.
 */
export function parseEventTime(v: unknown): number | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3)));
  if (zone && zone !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    const offset = (Number(z[2]) * 60 + Number(z[3])) * 60_000;
    ms -= z[1] === '+' ? offset : -offset;
  }
  return Number.isNaN(ms) ? undefined : ms;
}

/** Equality of accepted values: compared as text, as the continuous job compares them. */
export function sameValue(a: unknown, b: unknown): boolean {
  return textOf(a) === textOf(b);
}
