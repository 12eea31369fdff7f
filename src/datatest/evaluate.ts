/** A test's assertions over records → one TestResult, with dbt-style severity and thresholds. */
import type { TestNode } from '../project/types.js';
import { evaluateAssertion, type EvalContext } from './assertions.js';
import { statusFor } from './threshold.js';
import type { AssertionResult, SampleRecord, TestResult } from './types.js';

export function evaluateSample(test: TestNode, records: readonly SampleRecord[], ctx: EvalContext): TestResult {
  const assertions = test.assertions.map((a, i) => evaluateAssertion(a, i, records, ctx));
  return summarize(test, assertions, records.length);
}

/**
 * Combines assertion results: an assertion in error makes the test an error; only skipped
 * assertions make it skipped; otherwise the failures of failing assertions go through the
 * thresholds. The message lists every assertion that did not pass, skipped ones included.
 */
export function summarize(test: TestNode, assertions: AssertionResult[], checked: number, unit: 'records' | 'columns' = 'records'): TestResult {
  const base: TestResult = {
    test: test.name,
    type: test.type,
    target: test.target,
    severity: test.severity,
    status: 'pass',
    failures: 0,
    checked,
    message: '',
    assertions,
    actions: [],
  };
  const failing = assertions.filter((a) => a.status === 'fail');
  const errors = assertions.filter((a) => a.status === 'error');
  const skipped = assertions.filter((a) => a.status === 'skipped');
  const evaluated = assertions.filter((a) => a.status === 'pass' || a.status === 'fail');
  const failures = failing.reduce((n, a) => n + a.failures, 0);
  const note = (list: AssertionResult[]) => list.map((a) => `${a.assertion}: ${a.message}`).join('; ');
  const skippedNote = skipped.length ? ` (skipped: ${note(skipped)})` : '';
  if (errors.length) return { ...base, status: 'error', failures, message: note(errors) + skippedNote };
  if (!assertions.length) return { ...base, status: 'skipped', message: 'the test has no assertions' };
  if (!evaluated.length) return { ...base, status: 'skipped', message: note(skipped) };
  const status = statusFor(failures, checked, test.severity, test.warnIf, test.errorIf);
  const what = unit === 'records' ? `on ${checked} record${checked === 1 ? '' : 's'}` : `(${checked} column${checked === 1 ? '' : 's'} checked)`;
  const message = failing.length ? note(failing) : `${evaluated.length} assertion${evaluated.length > 1 ? 's' : ''} passed ${what}`;
  return { ...base, status, failures, message: message + skippedNote };
}
