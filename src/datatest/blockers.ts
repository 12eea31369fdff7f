/** apply's side of block_deploy: the last run's results, read from generated/run_results.json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployBlockers, type DeployBlocker, type RunResultsLike } from './actions.js';

/**
 * Blockers from `<projectRoot>/generated/run_results.json` (none when the file does not exist;
 * a file that cannot be read or parsed is reported as one blocker, so apply fails closed).
 */
export function readDeployBlockers(projectRoot: string): DeployBlocker[] {
  const file = join(projectRoot, 'generated', 'run_results.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    return [{ test: '(run_results.json)', target: '', status: 'error', message: `cannot read ${file}: ${(e as Error).message}` }];
  }
  try {
    return deployBlockers(JSON.parse(text) as RunResultsLike);
  } catch (e) {
    return [{ test: '(run_results.json)', target: '', status: 'error', message: `cannot parse ${file}: ${(e as Error).message}` }];
  }
}
