/** apply's side of block_deploy: the last run's results, read from generated/run_results.json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployBlockers, type DeployBlocker, type RunResultsLike } from './actions.js';
import { formatDuration, parseDuration } from './duration.js';

/** Results older than this do not block a deploy (STREAMT_BLOCK_DEPLOY_MAX_AGE overrides it). */
export const DEFAULT_BLOCK_DEPLOY_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export interface DeployScope {
  project: string;
  environment: string | null;
  now: Date;
  /** Default DEFAULT_BLOCK_DEPLOY_MAX_AGE_MS. */
  maxAgeMs?: number;
  /** Why a results file was ignored (printed by apply). */
  note?: (message: string) => void;
}

type Metadata = { generated_at?: unknown; project?: unknown; environment?: unknown };

/** The max age from STREAMT_BLOCK_DEPLOY_MAX_AGE (`30m`, `24h`, `7d`; a bare number is seconds), else the default. */
export function blockDeployMaxAge(env: Readonly<Record<string, string | undefined>>): number {
  const v = env.STREAMT_BLOCK_DEPLOY_MAX_AGE;
  return (v && parseDuration(v)) || DEFAULT_BLOCK_DEPLOY_MAX_AGE_MS;
}

/**
 * Blockers from `<projectRoot>/generated/run_results.json` (none when the file does not exist;
 * a file that cannot be read or parsed is reported as one blocker, so apply fails closed).
 * With a scope, only results of this project and environment, generated within the maximum
 * age, count: others are ignored with a note (a results file copied from another project or
 * environment, or last week's run, says nothing about this deploy).
 */
export function readDeployBlockers(projectRoot: string, scope?: DeployScope): DeployBlocker[] {
  const file = join(projectRoot, 'generated', 'run_results.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    return [{ test: '(run_results.json)', target: '', status: 'error', message: `cannot read ${file}: ${(e as Error).message}` }];
  }
  let parsed: RunResultsLike & { metadata?: Metadata };
  try {
    parsed = JSON.parse(text) as RunResultsLike & { metadata?: Metadata };
  } catch (e) {
    return [{ test: '(run_results.json)', target: '', status: 'error', message: `cannot parse ${file}: ${(e as Error).message}` }];
  }
  if (scope) {
    const why = outOfScope(parsed.metadata, scope);
    if (why) {
      scope.note?.(`block_deploy: ignoring generated/run_results.json: ${why}`);
      return [];
    }
  }
  try {
    return deployBlockers(parsed);
  } catch (e) {
    return [{ test: '(run_results.json)', target: '', status: 'error', message: `cannot parse ${file}: ${(e as Error).message}` }];
  }
}

function outOfScope(m: Metadata | undefined, scope: DeployScope): string | undefined {
  if (!m || typeof m.project !== 'string' || typeof m.generated_at !== 'string') return 'it does not record the project and time of its run (written by an older streamt); run streamt test again';
  if (m.project !== scope.project) return `it is the result of project ${m.project}, not ${scope.project}`;
  const env = (m.environment as string | null | undefined) ?? null;
  if (env !== scope.environment) return `it is the result of ${env ? `environment ${env}` : 'no environment'}, not ${scope.environment ? `environment ${scope.environment}` : 'no environment'}`;
  const at = Date.parse(m.generated_at);
  if (Number.isNaN(at)) return `its generated_at "${m.generated_at}" is not a time`;
  const max = scope.maxAgeMs ?? DEFAULT_BLOCK_DEPLOY_MAX_AGE_MS;
  const age = scope.now.getTime() - at;
  if (age > max) return `it is ${formatDuration(age)} old, older than the maximum age ${formatDuration(max)} (STREAMT_BLOCK_DEPLOY_MAX_AGE)`;
  return undefined;
}
