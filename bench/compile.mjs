#!/usr/bin/env node
// compile benchmark: node bench/compile.mjs [sizes]   (run `npm run build` first)
// For each size, a synthetic project (bench/generate.mjs) is compiled three times in a fresh
// process; prints the median time of load+resolve, of compile alone, and the peak RSS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateProject } from './generate.mjs';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const dir = process.argv[3];
  const { runFrontEnd } = await import('../dist/cli/pipeline.js');
  const { compileProject } = await import('../dist/compile/compile.js');
  const t0 = performance.now();
  const front = runFrontEnd({ projectDir: dir }, {});
  const t1 = performance.now();
  const result = compileProject(front.resolved, { compiledAt: new Date().toISOString() });
  const t2 = performance.now();
  const bytes = [...result.files.values()].reduce((n, s) => n + s.length, 0);
  const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
  process.stdout.write(JSON.stringify({ frontMs: t1 - t0, compileMs: t2 - t1, files: result.files.size, bytes, errors, maxRssKb: process.resourceUsage().maxRSS }));
  process.exit(0);
}

const sizes = (process.argv[2] ?? '100,1000,5000,10000').split(',').map(Number);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('models  front(ms)  compile(ms)  compile/model(ms)  total(ms)  files  peak RSS(MB)');
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), `streamt-bench-compile-${n}-`));
  generateProject(n, dir);
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(JSON.parse(execFileSync(process.execPath, [self, '--child', dir], { encoding: 'utf8', maxBuffer: 1 << 26 })));
  rmSync(dir, { recursive: true, force: true });
  const front = median(runs.map((r) => r.frontMs));
  const comp = median(runs.map((r) => r.compileMs));
  const rss = Math.max(...runs.map((r) => r.maxRssKb)) / 1024;
  console.log(
    [String(n).padStart(6), front.toFixed(0).padStart(9), comp.toFixed(0).padStart(11), (comp / n).toFixed(3).padStart(17), (front + comp).toFixed(0).padStart(9), String(runs[0].files).padStart(6), rss.toFixed(0).padStart(12)].join('  ') +
      (runs[0].errors ? `  (${runs[0].errors} compile errors)` : ''),
  );
}
