/**
 * dbt-style thresholds: `warn_if` and `error_if` are comparisons of the failure count (or, with a
 * `%`, of the failing share of checked records), e.g. ">0", ">=10", "!=0", ">1%".
 */
import type { TestStatus } from './types.js';

export interface Threshold {
  op: '>' | '>=' | '<' | '<=' | '==' | '!=';
  value: number;
  percent: boolean;
  text: string;
}

export function parseThreshold(text: string): Threshold | undefined {
  const m = /^\s*(>=|<=|!=|==|=|>|<)\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) return undefined;
  const op = (m[1] === '=' ? '==' : m[1]) as Threshold['op'];
  return { op, value: Number(m[2]), percent: m[3] === '%', text: text.trim() };
}

export function thresholdMet(t: Threshold, failures: number, checked: number): boolean {
  const x = t.percent ? (checked > 0 ? (failures / checked) * 100 : 0) : failures;
  switch (t.op) {
    case '>':
      return x > t.value;
    case '>=':
      return x >= t.value;
    case '<':
      return x < t.value;
    case '<=':
      return x <= t.value;
    case '==':
      return x === t.value;
    case '!=':
      return x !== t.value;
  }
}

export const DEFAULT_THRESHOLD = '!=0';

/**
 * The status of a test that was evaluated, as dbt decides it: with severity error, `error_if`
 * met → fail, else `warn_if` met → warn; with severity warn, only `warn_if` counts. Both
 * default to "!=0". Unparseable thresholds were reported by the caller; the default applies.
 */
export function statusFor(failures: number, checked: number, severity: 'error' | 'warn', warnIf?: string, errorIf?: string): Exclude<TestStatus, 'skipped' | 'error'> {
  const errorT = parseThreshold(errorIf ?? DEFAULT_THRESHOLD) ?? parseThreshold(DEFAULT_THRESHOLD)!;
  const warnT = parseThreshold(warnIf ?? DEFAULT_THRESHOLD) ?? parseThreshold(DEFAULT_THRESHOLD)!;
  if (severity === 'error' && thresholdMet(errorT, failures, checked)) return 'fail';
  if (thresholdMet(warnT, failures, checked)) return 'warn';
  return 'pass';
}
