import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileNamer, isSafeRelativePath } from '../../src/compile/paths.js';
import { checkOutputDir, OutputRefused, writeOutputAtomically } from '../../src/compile/write.js';

describe('FileNamer', () => {
  it('keeps plain names and makes hostile ones safe and distinct', () => {
    const namer = new FileNamer('topics');
    const names = ['orders', '../../etc/passwd', '..', '.', 'a/b', 'a_b', 'x`y', 'x"y', "x'y", 'CON', 'Orders', ''];
    const files = names.map((n) => namer.name(n, '.json'));
    expect(files[0]).toBe('topics/orders.json');
    for (const f of files) {
      expect(isSafeRelativePath(f)).toBe(true);
      expect(f.split('/')).toHaveLength(2);
      expect(f.split('/')[1]).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
    }
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(files.length);
  });

  it('is stable for the same names', () => {
    const a = new FileNamer('x');
    const b = new FileNamer('x');
    expect(['a/b', 'a?b'].map((n) => a.name(n, '.sql'))).toEqual(['a/b', 'a?b'].map((n) => b.name(n, '.sql')));
  });
});

describe('isSafeRelativePath', () => {
  it.each(['/etc/passwd', '../x', 'a/../../b', 'a//b', 'a\\b', 'C:/x', '', 'a/./b'])('rejects %j', (p) => expect(isSafeRelativePath(p)).toBe(false));
  it('accepts nested relative paths', () => expect(isSafeRelativePath('flink/job.sql')).toBe(true));
});

describe('writeOutputAtomically', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'streamt-out-'));

  it('replaces the folder and removes stale files', () => {
    const root = tmp();
    const out = join(root, 'generated');
    writeOutputAtomically(out, new Map([['manifest.json', '{"manifest_version":1}\n'], ['flink/old.sql', 'old']]));
    writeOutputAtomically(out, new Map([['manifest.json', '{"manifest_version":1,"n":2}\n'], ['flink/new.sql', 'new']]));
    expect(readdirSync(join(out, 'flink'))).toEqual(['new.sql']);
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toContain('"n":2');
    // No temporary folders are left behind.
    expect(readdirSync(root)).toEqual(['generated']);
  });

  it('carries over files another command owns (run_results.json), and only those', () => {
    const root = tmp();
    const out = join(root, 'generated');
    writeOutputAtomically(out, new Map([['manifest.json', '{"manifest_version":1}\n']]));
    writeFileSync(join(out, 'run_results.json'), '{"results":[]}');
    writeFileSync(join(out, 'stray.txt'), 'x');
    writeOutputAtomically(out, new Map([['manifest.json', '{"manifest_version":1}\n']]), ['run_results.json', 'missing.json']);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'run_results.json']);
    expect(readFileSync(join(out, 'run_results.json'), 'utf8')).toBe('{"results":[]}');
  });

  it('leaves the previous output intact when writing fails', () => {
    const root = tmp();
    const out = join(root, 'generated');
    writeOutputAtomically(out, new Map([['manifest.json', '{"manifest_version":1}\n']]));
    expect(() => writeOutputAtomically(out, new Map([['a.txt', 'x'], ['../escape.txt', 'y']]))).toThrow(/unsafe/);
    expect(readdirSync(out)).toEqual(['manifest.json']);
    expect(existsSync(join(root, 'escape.txt'))).toBe(false);
    expect(readdirSync(root)).toEqual(['generated']);
  });

  it('refuses to replace the project or a folder it did not write', () => {
    const root = tmp();
    expect(() => checkOutputDir(root, root)).toThrow(OutputRefused);
    expect(() => checkOutputDir(join(root, '..'), root)).toThrow(OutputRefused);
    const other = join(root, 'docs');
    mkdirSync(other);
    writeFileSync(join(other, 'README.md'), 'keep me');
    expect(() => checkOutputDir(other, root)).toThrow(/not empty/);
    expect(() => checkOutputDir(join(root, 'generated'), root)).not.toThrow();
  });
});
