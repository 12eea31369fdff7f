/** Violation records written by continuous-test jobs → per-test results. Pure. */
import { summarize } from './evaluate.js';
import type { TestNode } from '../project/types.js';
import { MAX_EXAMPLES, type AssertionResult, type SampleRecord, type TestResult } from './types.js';

export interface Violation {
  test: string;
  assertion: string;
  assertion_index: number;
  record_key: string | null;
  details: string;
  record_partition: number | null;
  record_offset: number | null;
  record_timestamp: string | null;
  detected_at: string | null;
}

/** Records of the violations topic → violations (records that are not violations are ignored). */
export function parseViolations(records: readonly SampleRecord[]): Violation[] {
  const out: Violation[] = [];
  for (const r of records) {
    const v = r.value;
    if (!v || typeof v.test !== 'string' || typeof v.assertion !== 'string') continue;
    out.push({
      test: v.test,
      assertion: v.assertion,
      assertion_index: typeof v.assertion_index === 'number' ? v.assertion_index : -1,
      record_key: typeof v.record_key === 'string' ? v.record_key : null,
      details: typeof v.details === 'string' ? v.details : '',
      record_partition: typeof v.record_partition === 'number' ? v.record_partition : null,
      record_offset: typeof v.record_offset === 'number' ? v.record_offset : null,
      record_timestamp: typeof v.record_timestamp === 'string' ? v.record_timestamp : null,
      detected_at: typeof v.detected_at === 'string' ? v.detected_at : null,
    });
  }
  return out;
}

export interface JobState {
  name: string;
  state: string;
  id?: string;
}

/**
 * A continuous test's result for a time window: the violations its job wrote, and the job's
 * health. A job that is not running cannot vouch for anything: that is an error, whatever the
 * violations say. Assertions the job does not evaluate are reported as skipped.
 */
export function continuousResult(test: TestNode, violations: readonly Violation[], skipped: readonly { index: number; assertion: string; reason: string }[], job: JobState | undefined, windowText: string): TestResult {
  const mine = violations.filter((v) => v.test === test.name);
  const assertions: AssertionResult[] = test.assertions.map((a, index) => {
    const skip = skipped.find((s) => s.index === index);
    const hits = mine.filter((v) => v.assertion_index === index || (v.assertion_index < 0 && v.assertion === a.type));
    const examples = hits.slice(0, MAX_EXAMPLES).map((v) => {
      const e: AssertionResult['examples'][number] = { key: v.record_key, reason: v.details };
      if (v.record_partition !== null) e.partition = v.record_partition;
      if (v.record_offset !== null) e.offset = String(v.record_offset);
      return e;
    });
    if (skip && !hits.length) return { assertion: a.type, index, status: 'skipped', failures: 0, checked: 0, examples: [], message: skip.reason };
    return {
      assertion: a.type,
      index,
      status: hits.length ? 'fail' : 'pass',
      failures: hits.length,
      checked: 0,
      examples,
      message: hits.length ? `${hits.length} violation${hits.length > 1 ? 's' : ''} in the last ${windowText}` : `no violation in the last ${windowText}`,
    };
  });
  const result = summarize(test, assertions, mine.length);
  if (result.status === 'pass' && !mine.length) result.message = `no violation in the last ${windowText}${result.message.includes('(skipped') ? result.message.slice(result.message.indexOf(' (skipped')) : ''}`;
  if (job) result.job = job;
  if (!job) return { ...result, status: 'error', message: `the monitoring job is not deployed (run streamt apply); ${result.message}` };
  if (job.state !== 'RUNNING') return { ...result, status: 'error', message: `the monitoring job ${job.name} is ${job.state}; ${result.message}` };
  return result;
}
