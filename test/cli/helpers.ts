import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');
export const BIN = join(REPO, 'bin', 'streamt.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built binary like a user would, with colours off unless asked. */
export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string | undefined> } = {}): CliResult {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, STREAMT_ENV: undefined, ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? REPO, env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export const STACK_TRACE = /^\s+at .+\(.*:\d+:\d+\)$/m;
