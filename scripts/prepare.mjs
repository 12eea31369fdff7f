#!/usr/bin/env node
// npm's `prepare` hook: runs on `npm install` / `npm ci` in a clone and when streamt is installed
// from a git URL (npm installs the dev dependencies first there). `dist/` is not in git, so
// without this a package packed or installed from a clone has a `bin/streamt.js` whose every
// real command fails with ERR_MODULE_NOT_FOUND. Where TypeScript is absent (a production-only
// install), there is nothing to build with: say so instead of failing the install.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(path.join(root, 'src'))) process.exit(0); // an installed package: already built
if (!existsSync(tsc)) {
  console.error('[prepare] TypeScript is not installed: dist/ was not built (run npm install with dev dependencies)');
  process.exit(0);
}
const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
// The bundled CLI (start-up); without it bin/streamt.js runs tsc's output.
const b = spawnSync(process.execPath, [path.join(root, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
process.exit(b.status ?? 1);
