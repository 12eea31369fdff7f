/**
 * Reads the test results written by `streamt test` (`generated/run_results.json`). Only a few
 * fields are used, and anything unexpected is skipped rather than trusted:
 *   results[].test      test name (or node id `test.<name>`)
 *   results[].status    pass | fail | warn | skipped | error
 *   results[].failures  number of failing records (optional)
 *   results[].message   short explanation (optional)
 *   generated_at        when the tests ran (optional, shown as is)
 */
import { warning, type Diagnostic } from '../core/diagnostics.js';

export type TestStatus = 'pass' | 'fail' | 'warn' | 'skipped' | 'error';
export const TEST_STATUSES: readonly TestStatus[] = ['pass', 'fail', 'warn', 'skipped', 'error'];

export interface TestResult {
  test: string;
  status: TestStatus;
  failures?: number;
  message?: string;
}

export interface RunResults {
  generatedAt?: string;
  /** By test name. */
  byTest: Map<string, TestResult>;
}

export function parseRunResults(text: string, file = 'generated/run_results.json'): { results?: RunResults; diagnostics: Diagnostic[] } {
  const invalid = (why: string) => ({
    diagnostics: [warning('DOCS_RUN_RESULTS_INVALID', `${file} is not usable: ${why}; the site shows no test results`, { file, hint: 're-run streamt test to rewrite it' })],
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return invalid(`invalid JSON (${(e as Error).message})`);
  }
  if (!data || typeof data !== 'object' || !Array.isArray((data as { results?: unknown }).results)) return invalid('no "results" list');
  const raw = data as { results: unknown[]; generated_at?: unknown };
  const byTest = new Map<string, TestResult>();
  let skipped = 0;
  for (const entry of raw.results) {
    const r = entry as Record<string, unknown> | null;
    if (!r || typeof r !== 'object' || typeof r.test !== 'string' || !TEST_STATUSES.includes(r.status as TestStatus)) {
      skipped++;
      continue;
    }
    const name = r.test.startsWith('test.') ? r.test.slice('test.'.length) : r.test;
    const result: TestResult = { test: name, status: r.status as TestStatus };
    if (typeof r.failures === 'number' && Number.isFinite(r.failures)) result.failures = r.failures;
    if (typeof r.message === 'string') result.message = r.message;
    byTest.set(name, result);
  }
  const diagnostics: Diagnostic[] = [];
  if (skipped)
    diagnostics.push(
      warning('DOCS_RUN_RESULTS_INVALID', `${file}: ${skipped} result${skipped === 1 ? '' : 's'} without a test name or a known status were ignored`, { file }),
    );
  const results: RunResults = { byTest };
  if (typeof raw.generated_at === 'string') results.generatedAt = raw.generated_at;
  return { results, diagnostics };
}
