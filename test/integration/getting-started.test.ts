/**
 * docs/getting-started.md, all of it, on the real stack: every command runs, in order, on the
 * built binary in the project `init` creates, and passes. Before the live section the test plays
 * the web front end the guide mentions and writes a few page views to the source topic. The
 * guide's last commands destroy what it deployed; a failed run is cleaned up the same way.
 *
 * One liberty, for unique names on the shared stack: right after `init`, the project is renamed
 * `clicks_<random>` (Flink job names are `streamt.<project>.<model>`). Without it a second run
 * finds the first run's CANCELED jobs in Flink's history and plan blocks them (PLAN_STATE_LOSS):
 * see the note on destroy and stopped-job restore in the report of issue 14.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingExcerptLine, readGuide } from '../helpers/guide.js';
import { createTopics, onCleanup, produce, stackConfig } from './helpers.js';
import { letters } from './plan-helpers.js';

const REPO = join(import.meta.dirname, '..', '..');
const BIN = join(REPO, 'bin', 'streamt.js');

/** The template's defaults point at localhost; the stack's addresses may differ (STREAMT_*_PORT). */
const stackEnv = {
  KAFKA_BOOTSTRAP_SERVERS: stackConfig.kafka.bootstrapServers,
  SCHEMA_REGISTRY_URL: stackConfig.registry.url,
  FLINK_REST_URL: stackConfig.flink.restUrl,
  FLINK_SQL_GATEWAY_URL: stackConfig.flink.sqlGatewayUrl,
  CONNECT_REST_URL: stackConfig.connect.url,
};

function streamt(args: string[], cwd: string, env: Record<string, string> = {}) {
  const e: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', ...stackEnv, ...env };
  delete e.STREAMT_ENV;
  delete e.STREAMT_PROJECT_DIR;
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: e as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe('docs/getting-started.md on the real stack', () => {
  it('every command passes, in order', async () => {
    let cwd = mkdtempSync(join(tmpdir(), 'streamt-guide-'));
    let project: string | undefined;
    let producedFrontEnd = false;
    for (const step of readGuide(REPO)) {
      if (step.live && !producedFrontEnd) {
        producedFrontEnd = true;
        const dir = project!;
        onCleanup('destroy what the guide deployed', () => {
          const r = streamt(['destroy', '--auto-approve'], dir);
          if (r.code !== 0) throw new Error(r.stderr);
        });
        const topic = /topic: (\S+)/.exec(readFileSync(join(dir, 'sources', 'events.yml'), 'utf8'))![1]!;
        await createTopics([{ topic, numPartitions: 3 }]);
        const at = (s: number) => new Date(Date.now() - s * 1000).toISOString().replace('T', ' ').replace('Z', '');
        await produce(
          topic,
          [1, 2, 3, 4, 5, 6].map((i) => ({ key: `v${i}`, value: JSON.stringify({ view_id: `v${i}`, user_id: `u${i % 2}`, url: `/p/${i % 3}`, duration_ms: 1000 * i, viewed_at: at(60 - i) }) })),
        );
      }
      if (step.kind === 'excerpt') {
        expect(missingExcerptLine(readFileSync(join(cwd, step.path), 'utf8'), step.lines), `${step.section}: ${step.path}`).toBeUndefined();
        continue;
      }
      if (step.kind === 'file') {
        mkdirSync(dirname(join(cwd, step.path)), { recursive: true });
        writeFileSync(join(cwd, step.path), step.content);
        continue;
      }
      if (step.argv[0] === 'cd') {
        cwd = resolve(cwd, step.argv[1]!);
        project = cwd;
        const file = join(project, 'stream_project.yml');
        writeFileSync(file, readFileSync(file, 'utf8').replace(/^  name: clicks$/m, `  name: clicks_${letters()}`));
        continue;
      }
      expect(step.argv.slice(0, 2), step.line).toEqual(['npx', 'streamt']);
      const r = streamt(step.argv.slice(2), cwd, step.env);
      expect(r.code, `${step.line}\n${r.stdout}\n${r.stderr}`).toBe(0);
      if (step.stdoutTo) writeFileSync(join(cwd, step.stdoutTo), r.stdout);
    }
    expect(producedFrontEnd).toBe(true);
  }, 900_000);
});
