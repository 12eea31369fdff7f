// The reserved words streamt refuses unquoted (src/sql/flink-reserved.ts) are the ones Flink's own
// parser reserves: the list is asked of Flink 1.20.3's parser, on the stack's jars, and must be current.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('Flink reserved words', () => {
  it('src/sql/flink-reserved.ts is what Flink\'s parser reserves', () => {
    const root = join(import.meta.dirname, '..', '..');
    const r = spawnSync(process.execPath, [join(root, 'scripts', 'flink-reserved-words.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/is current \(\d+ reserved words\)/);
  });
});
