/**
 * `streamt schemas pull` through the built binary: one JSON document of the contract on stdout,
 * on success and on every error path; a refused registry is a located diagnostic, never a stack.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTPUT_SCHEMAS } from '../../src/ui/contract.js';
import { PROJECT, writeProject } from '../helpers/project.js';
import { cli } from './helpers.js';

const SOURCE = 'sources:\n  - name: raw\n    topic: raw\n    schema:\n      subject: raw-value\n    columns:\n      - name: card_number\n        classification: highly_sensitive\n';

function pull(dir: string, env: Record<string, string> = {}) {
  const r = cli(['schemas', 'pull', '-p', dir, '--format', 'json'], { env });
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  const parsed = OUTPUT_SCHEMAS['streamt-schemas-pull'].safeParse(doc);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  return { code: r.code, doc, stderr: r.stderr };
}

describe('streamt schemas pull', () => {
  it('has nothing to lock without registry sources', () => {
    const dir = writeProject({ 'stream_project.yml': PROJECT });
    const r = pull(dir);
    expect(r.code).toBe(0);
    expect(r.doc).toMatchObject({ format: 'streamt-schemas-pull', ok: true, written: false, schemas: [] });
    expect(existsSync(join(dir, 'schemas.lock.yml'))).toBe(false);
  });

  it('says when no registry is configured, and when the registry refuses the connection; writes nothing', () => {
    const noRegistry = writeProject({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCE });
    const a = pull(noRegistry);
    expect(a.code).toBe(1);
    expect((a.doc.diagnostics as { code: string }[]).map((d) => d.code)).toEqual(['SCHEMA_PULL_FAILED']);
    const refused = writeProject({ 'stream_project.yml': PROJECT.replace('runtime:\n', 'runtime:\n  schema_registry:\n    url: http://127.0.0.1:4\n'), 'sources/s.yml': SOURCE });
    const b = pull(refused);
    expect(b.code).toBe(1);
    expect((b.doc.diagnostics as { code: string; message: string }[])[0]).toMatchObject({ code: 'SERVICE_UNREACHABLE' });
    expect(b.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(refused, 'schemas.lock.yml'))).toBe(false);
  });
});
