#!/usr/bin/env node
// The CLI bundled after `tsc` (npm run build, prepare, the unit tests' global setup): tsc's
// dist/cli/main.js and everything it imports become dist/bundle/cli/streamt.js plus one chunk
// per lazily imported command, with the small dependencies every command needs inlined (zod,
// commander, chalk, js-yaml). Loading one file instead of ~150 small modules is most of
// what start-up still cost (docs/development.md has the measurement). The packages loaded only
// on demand stay outside: kafkajs (adapters/kafka/internals.ts reaches into its modules), undici,
// nunjucks, avsc, protobufjs and yaml. dist/bundle/cli/ is three levels deep like
// dist/cli/commands/, so paths to templates/ resolve the same from either. bin/streamt.js runs
// the bundle when it is at least as new as dist/cli/main.js, else tsc's output.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let rolldown;
try {
  ({ rolldown } = await import('rolldown'));
} catch {
  console.error('[bundle] rolldown is not installed: dist/bundle was not built (the CLI runs from dist/cli)');
  process.exit(0);
}
const out = path.join(root, 'dist', 'bundle');
rmSync(out, { recursive: true, force: true });
const external = ['kafkajs', 'undici', 'nunjucks', 'avsc', 'protobufjs', 'yaml'];
const bundle = await rolldown({
  input: { streamt: path.join(root, 'dist', 'cli', 'main.js') },
  platform: 'node',
  external: (id) => id.startsWith('node:') || external.some((p) => id === p || id.startsWith(`${p}/`)),
  logLevel: 'warn',
});
await bundle.write({ dir: path.join(out, 'cli'), format: 'esm', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' });
await bundle.close();
