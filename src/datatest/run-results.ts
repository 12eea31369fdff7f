/** The run_results.json artifact (documented in docs/testing.md). Pure. */
import type { TestNode } from '../project/types.js';
import { blocksDeploy } from './actions.js';
import type { TestResult, TestStatus } from './types.js';

export interface RunResultEntry {
  test: string;
  type: TestResult['type'];
  target: string;
  severity: TestResult['severity'];
  status: TestStatus;
  failures: number;
  checked: number;
  message: string;
  blocks_deploy: boolean;
  duration_ms: number | null;
  assertions: TestResult['assertions'];
  actions: TestResult['actions'];
  job: TestResult['job'] | null;
}

export interface RunResults {
  metadata: {
    streamt_version: string;
    generated_at: string;
    project: string;
    environment: string | null;
    invocation: { select: string[]; exclude: string[]; type: string[] };
  };
  elapsed_ms: number;
  summary: Record<TestStatus, number> & { total: number };
  results: RunResultEntry[];
}

export function buildRunResults(
  results: readonly TestResult[],
  tests: readonly TestNode[],
  meta: { version: string; generatedAt: string; project: string; environment?: string; select?: string[]; exclude?: string[]; types?: string[]; elapsedMs: number },
): RunResults {
  const summary = { pass: 0, fail: 0, warn: 0, skipped: 0, error: 0, total: results.length };
  for (const r of results) summary[r.status]++;
  const byName = new Map(tests.map((t) => [t.name, t]));
  return {
    metadata: {
      streamt_version: meta.version,
      generated_at: meta.generatedAt,
      project: meta.project,
      environment: meta.environment ?? null,
      invocation: { select: meta.select ?? [], exclude: meta.exclude ?? [], type: meta.types ?? [] },
    },
    elapsed_ms: meta.elapsedMs,
    summary,
    results: [...results]
      .sort((a, b) => (a.test < b.test ? -1 : a.test > b.test ? 1 : 0))
      .map((r) => ({
        test: r.test,
        type: r.type,
        target: r.target,
        severity: r.severity,
        status: r.status,
        failures: r.failures,
        checked: r.checked,
        message: r.message,
        blocks_deploy: byName.has(r.test) ? blocksDeploy(byName.get(r.test)!) : false,
        duration_ms: r.durationMs ?? null,
        assertions: r.assertions,
        actions: r.actions,
        job: r.job ?? null,
      })),
  };
}

/** Exit code rule: 1 when an error-severity test failed or could not be evaluated. */
export function runFailed(results: readonly TestResult[]): boolean {
  return results.some((r) => r.severity === 'error' && (r.status === 'fail' || r.status === 'error'));
}
