// Vitest global setup for the `integration` project: bring the local stack up (or
// reuse a running one) before any integration test file runs, holding a lease on it.
// Teardown releases the lease; the stack is stopped when a test run started it, no
// other test run still uses it, and STREAMT_KEEP_STACK is not 1. A stack started by
// hand with `npm run stack -- up` is left running.
import { acquireForTests } from '../../stack/api.mjs';

const log = (m: string) => process.stderr.write(`[stack] ${m}\n`);

export default async function setup(): Promise<() => Promise<void>> {
  const t0 = Date.now();
  const { result, release } = await acquireForTests({ log });
  log(result.startedAny ? `stack up in ${((Date.now() - t0) / 1000).toFixed(1)}s` : 'reusing the running stack');
  return async () => {
    await release();
  };
}
