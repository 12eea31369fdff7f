/**
 * docs/getting-started.md is a test: every command up to its live section runs, in order, on the
 * built binary, in the project `init` creates, and passes; every excerpt is in the file `init`
 * wrote. test/integration/getting-started.test.ts runs the whole guide on the real stack.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missingExcerptLine, readGuide } from '../helpers/guide.js';
import { writeProject } from '../helpers/project.js';
import { cli, REPO, STACK_TRACE } from './helpers.js';

describe('docs/getting-started.md', () => {
  const steps = readGuide(REPO);

  it('has commands, excerpts and files, and a live section', () => {
    expect(steps.filter((s) => s.kind === 'command' && !s.live).length).toBeGreaterThan(10);
    expect(steps.some((s) => s.kind === 'excerpt')).toBe(true);
    expect(steps.some((s) => s.kind === 'file')).toBe(true);
    expect(steps.some((s) => s.live)).toBe(true);
  });

  it('every offline command passes, in order, on a fresh init project', () => {
    let cwd = writeProject({});
    for (const step of steps.filter((s) => !s.live)) {
      if (step.kind === 'excerpt') {
        const text = readFileSync(join(cwd, step.path), 'utf8');
        expect(missingExcerptLine(text, step.lines), `${step.section}: excerpt of ${step.path} is not what init wrote`).toBeUndefined();
        continue;
      }
      if (step.kind === 'file') {
        mkdirSync(dirname(join(cwd, step.path)), { recursive: true });
        writeFileSync(join(cwd, step.path), step.content);
        continue;
      }
      if (step.argv[0] === 'cd') {
        cwd = resolve(cwd, step.argv[1]!);
        continue;
      }
      expect(step.argv.slice(0, 2), step.line).toEqual(['npx', 'streamt']);
      const r = cli(step.argv.slice(2), { cwd, env: step.env });
      expect(r.stderr, step.line).not.toMatch(STACK_TRACE);
      expect(r.code, `${step.line}\n${r.stdout}\n${r.stderr}`).toBe(0);
      if (step.stdoutTo) writeFileSync(join(cwd, step.stdoutTo), r.stdout);
    }
    expect(existsSync(join(cwd, 'generated', 'manifest.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(cwd, 'validation.json'), 'utf8'))).toMatchObject({ format: 'streamt-validate', ok: true, valid: true });
  });
});
