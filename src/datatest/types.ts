/** Shapes shared by the data-test phases: records under test, assertion and test results. */

/** One Kafka record, decoded. `value` is null for a tombstone or a value that is not an object. */
export interface SampleRecord {
  key: string | null;
  value: Record<string, unknown> | null;
  /** Kafka record timestamp, ms since the epoch. */
  timestamp: number;
  partition: number;
  offset: string;
}

/** A failing record (or bucket, or window) shown to the user. */
export interface FailureExample {
  partition?: number;
  offset?: string;
  key?: string | null;
  column?: string;
  value?: unknown;
  reason: string;
}

export type AssertionStatus = 'pass' | 'fail' | 'skipped' | 'error';
export type TestStatus = 'pass' | 'fail' | 'warn' | 'skipped' | 'error';

export interface AssertionResult {
  /** Canonical assertion name (not_null, range, ...). */
  assertion: string;
  /** Position in the test's assertion list (0-based). */
  index: number;
  status: AssertionStatus;
  /** Records (or buckets, windows) that failed. */
  failures: number;
  /** Records looked at. */
  checked: number;
  /** Up to five failing records. */
  examples: FailureExample[];
  message: string;
}

export interface ActionOutcome {
  action: 'alert' | 'dlq' | 'pause_model' | 'block_deploy';
  status: 'done' | 'failed' | 'skipped';
  message: string;
}

export interface TestResult {
  test: string;
  type: 'schema' | 'sample' | 'continuous';
  /** Model or source under test. */
  target: string;
  severity: 'error' | 'warn';
  status: TestStatus;
  /** Failures counted by the thresholds: failing records of failing assertions. */
  failures: number;
  checked: number;
  message: string;
  assertions: AssertionResult[];
  actions: ActionOutcome[];
  /** Continuous tests: the monitoring job as the Flink cluster reports it. */
  job?: { name: string; state: string; id?: string };
  durationMs?: number;
}

export const MAX_EXAMPLES = 5;
