import { defineConfig } from 'vitest/config';

// Two projects: fast unit/CLI tests, and integration tests against the real local stack.
export default defineConfig({
  test: {
    // Snapshots and golden files (toMatchFileSnapshot) are never written by a test run: a missing
    // or different expected file fails, locally as in CI. Update them on purpose with
    // `npm run golden:update` (vitest -u) and review the diff like code.
    update: (process.env.UPDATE_GOLDEN === '1' ? 'all' : 'none') as unknown as boolean,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/golden/**/*.test.ts'],
          globalSetup: ['test/cli/global-setup.ts'],
          testTimeout: 30_000,
        },
      },
      {
        // Headless Chromium (Debian's package, installed by the setup when missing) on the docs site.
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/browser/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
