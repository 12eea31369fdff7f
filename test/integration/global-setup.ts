// Vitest global setup for the `integration` project: bring the local stack up (or
// reuse a running one) before any integration test file runs. When this setup
// started the stack, its teardown stops it again, unless STREAMT_KEEP_STACK=1.
import { up, down, isUp } from '../../stack/api.mjs';

export default async function setup(): Promise<() => Promise<void>> {
  const wasUp = await isUp();
  const t0 = Date.now();
  const result = await up({ log: (m) => process.stderr.write(`[stack] ${m}\n`) });
  process.stderr.write(
    `[stack] ${wasUp ? 'reusing the running stack' : `stack up in ${((Date.now() - t0) / 1000).toFixed(1)}s`}\n`,
  );
  const startedHere = !wasUp && result.startedAny;
  return async () => {
    if (startedHere && process.env.STREAMT_KEEP_STACK !== '1') {
      await down({ log: (m) => process.stderr.write(`[stack] ${m}\n`) });
    }
  };
}
