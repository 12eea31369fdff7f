/** CLI tests run the built binary: build (tsc, then the bundle) once before the unit project runs. */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.STREAMT_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  // The CLI tests run what users run: the bundle (bin/streamt.js prefers it when it is current).
  execFileSync(process.execPath, ['scripts/bundle.mjs'], { stdio: 'inherit' });
}
