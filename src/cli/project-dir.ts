/**
 * Where the project is: `-p`/`--project-dir`, else $STREAMT_PROJECT_DIR, else the nearest folder
 * at or above the working directory that holds a stream_project.yml (as git and dbt find theirs),
 * else the working directory (commands then report PROJECT_NOT_FOUND there).
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const PROJECT_FILE = 'stream_project.yml';

/** The nearest folder at or above `from` holding stream_project.yml, or undefined. */
export function findProjectRoot(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    const f = join(dir, PROJECT_FILE);
    if (existsSync(f) && statSync(f).isFile()) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export function projectDirFor(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  if (explicit !== undefined) return resolve(cwd, explicit);
  if (env.STREAMT_PROJECT_DIR) return resolve(cwd, env.STREAMT_PROJECT_DIR);
  return findProjectRoot(cwd) ?? resolve(cwd);
}
