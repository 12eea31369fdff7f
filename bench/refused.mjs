#!/usr/bin/env node
// `plan` (and status, debug) when every live system refuses connections: how long until the user
// reads which systems are down. `npm run build` first; `node bench/refused.mjs [runs]`. Measured,
// never asserted (see bench/README.md). Prints a markdown table.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'streamt.js');
const runs = Number(process.argv[2] ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const parent = mkdtempSync(join(tmpdir(), 'streamt-bench-refused-'));
spawnSync(process.execPath, [bin, 'init', 'refused'], { cwd: parent });
const project = join(parent, 'refused');
// Ports 1-9 of the loopback: nothing listens, every connection is refused at once.
const env = {
  ...process.env,
  NO_COLOR: '1',
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:3',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:4',
  FLINK_REST_URL: 'http://127.0.0.1:5',
  FLINK_SQL_GATEWAY_URL: 'http://127.0.0.1:6',
  CONNECT_REST_URL: 'http://127.0.0.1:7',
};

function time(args) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: project, env, encoding: 'utf8' });
  return { ms: performance.now() - t, code: r.status, unreachable: (r.stderr.match(/SERVICE_UNREACHABLE/g) ?? []).length };
}

console.log(`| command (5 systems refused) | wall, median of ${runs} (ms) | exit | systems reported |`);
console.log('|---|---:|---:|---:|');
for (const args of [['--version'], ['validate'], ['plan'], ['status'], ['debug']]) {
  const samples = Array.from({ length: runs }, () => time(args));
  const last = samples.at(-1);
  console.log(`| \`streamt ${args.join(' ')}\` | ${median(samples.map((s) => s.ms)).toFixed(0)} | ${last.code} | ${args[0] === 'debug' ? '5 (in the table)' : last.unreachable} |`);
}
