#!/usr/bin/env node
// Fast path for --version: answer before loading the compiler.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { readFileSync } = await import('node:fs');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(pkg.version + '\n');
} else {
  // The bundle (scripts/bundle.mjs) when it is at least as new as tsc's output, else tsc's output:
  // a build that ran tsc alone never runs a stale bundle.
  const { statSync } = await import('node:fs');
  const mtime = (rel) => statSync(new URL(rel, import.meta.url), { throwIfNoEntry: false })?.mtimeMs ?? -1;
  const bundled = mtime('../dist/bundle/cli/streamt.js');
  const entry = bundled >= 0 && bundled >= mtime('../dist/cli/main.js') ? '../dist/bundle/cli/streamt.js' : '../dist/cli/main.js';
  const { main } = await import(entry);
  await main();
}
