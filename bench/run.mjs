#!/usr/bin/env node
// Benchmarks: `npm run bench` (after `npm run build`). Prints a markdown table; no assertions.
//   --version start-up time, and validate wall time / peak RSS for 100 to 10,000 models.
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { generateProject } from './generate.mjs';

const root = join(import.meta.dirname, '..');
const sizes = (process.argv[2] ?? '100,1000,5000,10000').split(',').map(Number);
const runs = 3;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const versionTimes = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  execFileSync(process.execPath, [join(root, 'bin', 'streamt.js'), '--version']);
  versionTimes.push(performance.now() - t);
}
console.log(`streamt --version: ${median(versionTimes).toFixed(0)} ms (median of 5, process start included)\n`);

console.log('| models | validate wall (ms) | per model (ms) | peak RSS (MB) |');
console.log('|---:|---:|---:|---:|');
for (const n of sizes) {
  const dir = join(root, 'bench', '.projects', `p${n}`);
  generateProject(n, dir);
  const samples = [];
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    const child = spawnSync(process.execPath, [join(root, 'bench', 'validate-child.mjs'), dir], { encoding: 'utf8' });
    const wall = performance.now() - t;
    const res = JSON.parse(child.stdout.trim().split('\n').pop());
    if (res.code !== 0) throw new Error(`validate failed on ${n} models: exit ${res.code}`);
    samples.push({ wall, rss: res.maxRssMb });
  }
  const wall = median(samples.map((s) => s.wall));
  const rss = Math.max(...samples.map((s) => s.rss));
  console.log(`| ${n} | ${wall.toFixed(0)} | ${(wall / n).toFixed(3)} | ${rss.toFixed(0)} |`);
}
