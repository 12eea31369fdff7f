/** Data tests: what other phases use. */
export { compileContinuousTests, continuousJobName, violationsTopic, type ContinuousTestsOutput } from '../compile/emitters/continuous.js';
export { deployBlockers, type DeployBlocker, type RunResultsLike } from './actions.js';
export { blockDeployMaxAge, DEFAULT_BLOCK_DEPLOY_MAX_AGE_MS, readDeployBlockers } from './blockers.js';
export { runTests, type RunOptions } from './runner.js';
export { buildRunResults, runFailed, type RunResults, type RunResultEntry } from './run-results.js';
export type { TestResult, AssertionResult, ActionOutcome, SampleRecord } from './types.js';
