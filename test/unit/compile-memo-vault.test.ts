/**
 * validate's compile memo with a secret vault that is not empty (src/compile/compile.ts,
 * docs/development.md): a remembered part is what compiling it gives under the vault of the run
 * that replays it, and no part remembered or replayed holds a value the vault knows.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDiagnostics } from '../../src/compile/compile.js';
import type { Memo } from '../../src/core/memo.js';
import { readProjectFiles } from '../../src/project/files.js';
import { loadProject } from '../../src/project/load.js';
import { resolveProject } from '../../src/resolve/resolve.js';

const REPO = join(import.meta.dirname, '..', '..');
const memo = (previous: ReadonlyMap<string, string> = new Map()): Memo => ({ previous, next: new Map() });

/** The payments example with ACLs managed (parts' clients read) and a sink with its own group and dead letter queue. */
function project(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'streamt-vault-')), 'project');
  cpSync(join(REPO, 'examples', 'payments'), dir, { recursive: true, filter: (p) => !p.includes('.streamt') });
  const edit = (file: string, from: RegExp | string, to: string) => {
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text.replace(from, to)).not.toBe(text);
    writeFileSync(join(dir, file), text.replace(from, to));
  };
  edit('stream_project.yml', /(    bootstrap_servers: .*\n)/, '$1    acls:\n      roles:\n        fraud-engine: User:fraud-scoring\n');
  edit('models/payments.yml', '        insert.mode: upsert\n', '        insert.mode: upsert\n        consumer.override.group.id: finance-exporter\n        errors.deadletterqueue.topic.name: finance-exporter-dlq\n');
  return dir;
}

describe('compile parts remembered with a secret vault that is not empty', () => {
  const dir = project();
  const files = readProjectFiles(dir);
  const compile = (env: Record<string, string>, m?: Memo) => {
    const loaded = loadProject(files, { processEnv: env, offline: true });
    // Analyses remembered: a model's compile key is made of its analysis's (resolve/memo.ts).
    return compileDiagnostics(resolveProject(loaded.project!, { analyses: memo() }), m);
  };
  const empty = memo();
  const plain = compile({}, empty);
  it('an empty vault remembers every model', () => expect(empty.next.size).toBe(6));
  const models = 6;

  const cases: Record<string, string>[] = [
    { SSH_AUTH_SOCK: '/tmp/ssh-XXXXq1w2e3/agent.4242', GITHUB_TOKEN: 'ghs_16C7e42F292c6912E7710c838347Ae178B4a' },
    { DEPLOY_TOKEN: 'payments_clean' },
    { DB_AUTH: 'finance-exporter' },
    { DB_AUTH: 'exporter-dlq' },
    { DB_AUTH: 'streamt.payments' },
  ];
  for (const env of cases) {
    it(JSON.stringify(env), () => {
      const values = Object.values(env);
      // Cold: what it remembers is what an empty vault remembers, and holds none of the values.
      const cold = memo();
      expect(compile(env, cold)).toEqual(plain);
      for (const [key, part] of cold.next) {
        expect(part).toBe(empty.next.get(key));
        for (const v of values) expect(part).not.toContain(v);
      }
      // Warm, from the parts an empty vault remembered: the same diagnostics, and every part it
      // replays or remembers is one a cold run under this vault remembers, holding none of the values.
      const warm = memo(empty.next);
      expect(compile(env, warm)).toEqual(plain);
      expect([...warm.next].sort()).toEqual([...cold.next].sort());
      for (const part of warm.next.values()) for (const v of values) expect(part).not.toContain(v);
      if (values.every((v) => v.startsWith('/tmp/') || v.startsWith('ghs_'))) expect(cold.next.size).toBe(models);
      else expect(cold.next.size).toBeLessThan(models);
    });
  }
});
