/**
 * Golden tests: every file `streamt compile` writes for the example and the fixture projects is
 * compared with a reviewed copy under expected/<case>/. A test run never writes them: a missing or
 * different file fails (vitest.config.ts sets `update: 'none'`). After an intended change, run
 * `npm run golden:update` and review the diff like code.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileDir, diagnosticLines, REPO } from './helpers.js';

const UPDATE_HINT = 'if the change is intended: npm run golden:update, then review the diff';

const CASES: [name: string, dir: string][] = [
  ['payments', join(REPO, 'examples/payments')],
  ...readdirSync(join(import.meta.dirname, 'cases'))
    .sort()
    .map((c): [string, string] => [c, join(import.meta.dirname, 'cases', c)]),
];

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p).split('\\').join('/'));
    }
  };
  walk(dir);
  return out;
}

describe.each(CASES)('golden compile of %s', (name, dir) => {
  const compiled = compileDir(dir);
  const expectedDir = join(import.meta.dirname, 'expected', name);

  it('compiles without errors', () => {
    expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('reports the expected diagnostics', async () => {
    await expect(diagnosticLines(compiled.diagnostics)).toMatchFileSnapshot(join(expectedDir, 'diagnostics.txt'), UPDATE_HINT);
  });

  it('writes the expected set of files', async () => {
    await expect([...compiled.result.files.keys()].sort().join('\n') + '\n').toMatchFileSnapshot(join(expectedDir, 'FILES.txt'), UPDATE_HINT);
  });

  it('writes the expected content for every file', async () => {
    for (const [path, content] of [...compiled.result.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      await expect(content).toMatchFileSnapshot(join(expectedDir, 'files', path), UPDATE_HINT);
    }
  });

  it('has no expected file it no longer writes', () => {
    let expected: string[] = [];
    try {
      expected = listFiles(join(expectedDir, 'files'));
    } catch {
      expected = [];
    }
    const written = new Set(compiled.result.files.keys());
    expect(expected.filter((f) => !written.has(f))).toEqual([]);
  });
});
