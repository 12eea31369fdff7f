#!/usr/bin/env node
// `npm test`: build (when there is something to build), then run every vitest project
// (unit + integration). The integration project's global setup brings the local stack
// up (test/integration/global-setup.ts); a stack started by a test run is taken down at
// the end, once no other test run uses it, unless STREAMT_KEEP_STACK=1. A stack started
// by hand stays up. Vitest's exit code is this script's exit code.
// Extra arguments are passed to vitest: `npm test -- --project unit`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let child = null;
function runInherit(cmd, args) {
  return new Promise((resolve) => {
    child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: process.env });
    child.on('error', (e) => {
      console.error(`[test] cannot run ${cmd}: ${e.message}`);
      resolve(127);
    });
    child.on('close', (code, signal) => {
      child = null;
      resolve(code ?? (signal ? 128 + 15 : 1));
    });
  });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (child) child.kill(sig);
  });
}

function hasSources(dir) {
  if (!fs.existsSync(dir)) return false;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory() ? hasSources(path.join(dir, e.name)) : /\.(c|m)?tsx?$/.test(e.name)) return true;
  }
  return false;
}

async function main() {
  if (fs.existsSync(path.join(root, 'tsconfig.build.json')) && hasSources(path.join(root, 'src'))) {
    console.error('[test] npm run build');
    const code = await runInherit(npm, ['run', 'build']);
    if (code !== 0) {
      console.error(`[test] build failed (exit ${code})`);
      return code;
    }
    // The build checks src/; this also checks the tests, scripts and benches.
    console.error('[test] npm run typecheck');
    const typecheck = await runInherit(npm, ['run', 'typecheck']);
    if (typecheck !== 0) {
      console.error(`[test] typecheck failed (exit ${typecheck})`);
      return typecheck;
    }
  }

  console.error('[test] npx vitest run (all projects)');
  const code = await runInherit(npx, ['vitest', 'run', ...process.argv.slice(2)]);

  // The integration global setup stops a stack its run started once no other test run
  // uses it; repeat that check here in case vitest was interrupted before its teardown.
  const { stopIfUnused } = await import('../stack/api.mjs');
  const outcome = await stopIfUnused({ log: (m) => console.error(`[stack] ${m}`) });
  if (outcome !== 'not started by a test run') console.error(`[test] stack: ${outcome}`);
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[test] ${err?.stack ?? err}`);
    process.exit(1);
  },
);
