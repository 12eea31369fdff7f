/** `streamt compile` on the built binary (the unit project's global setup builds it). */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeProject } from '../helpers/project.js';
import { cli, REPO, STACK_TRACE } from './helpers.js';

function copyExample(): string {
  const dir = writeProject({});
  // Never the output a previous `npm run example` left in examples/payments/generated, nor the
  // cache a validate of the example writes (and may be renaming into place while this copies).
  const from = join(REPO, 'examples/payments');
  cpSync(from, dir, { recursive: true, filter: (src) => src !== join(from, 'generated') && src !== join(from, '.streamt') });
  return dir;
}

const env = { PAYMENTS_DB_PASSWORD: 'pg-secret-31337' };

describe('streamt compile', () => {
  it('writes generated/ in the project by default, with the manifest and every artifact', () => {
    const dir = copyExample();
    const r = cli(['compile', '-p', dir], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Compiled project "payments"/);
    expect(r.stdout).toBe('');
    const out = join(dir, 'generated');
    expect(readdirSync(out).sort()).toEqual(['connect', 'flink', 'manifest.json', 'schemas', 'topics']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.project).toBe('payments');
    expect(manifest.artifacts.flink_jobs.map((j: { addr: string }) => j.addr)).toContain('flink.job.customer_totals');
    for (const f of readdirSync(join(out, 'connect'))) expect(readFileSync(join(out, 'connect', f), 'utf8')).not.toContain('pg-secret-31337');
  });

  it('resolves a relative --output against the project folder, and removes stale files', () => {
    const dir = copyExample();
    expect(cli(['compile', '-p', dir, '--output', 'build/out'], { env }).code).toBe(0);
    writeFileSync(join(dir, 'build/out/flink/stale.sql'), 'old');
    expect(cli(['compile', '-p', dir, '--output', 'build/out'], { env }).code).toBe(0);
    expect(existsSync(join(dir, 'build/out/flink/stale.sql'))).toBe(false);
    expect(existsSync(join(dir, 'build/out/manifest.json'))).toBe(true);
  });

  it('--dry-run lists files and writes nothing; --format json prints to stdout', () => {
    const dir = copyExample();
    const text = cli(['compile', '-p', dir, '--dry-run'], { env });
    expect(text.code).toBe(0);
    expect(text.stderr).toContain('flink/customer_totals.sql');
    expect(existsSync(join(dir, 'generated'))).toBe(false);
    const json = cli(['compile', '-p', dir, '--dry-run', '--format', 'json'], { env });
    const body = JSON.parse(json.stdout);
    expect(body.ok).toBe(true);
    expect(body.files.map((f: { path: string }) => f.path)).toContain('manifest.json');
    expect(existsSync(join(dir, 'generated'))).toBe(false);
  });

  it('--select limits the artifacts', () => {
    const dir = copyExample();
    const r = cli(['compile', '-p', dir, '--select', 'customer_totals', '--format', 'json', '--dry-run'], { env });
    const body = JSON.parse(r.stdout);
    expect(body.artifacts.flink_jobs).toBe(1);
    expect(body.files.map((f: { path: string }) => f.path).filter((p: string) => p.startsWith('flink/'))).toEqual(['flink/customer_totals.sql']);
  });

  it('refuses to compile an invalid project and leaves the previous output intact', () => {
    const dir = copyExample();
    expect(cli(['compile', '-p', dir], { env }).code).toBe(0);
    const before = readFileSync(join(dir, 'generated/manifest.json'), 'utf8');
    writeFileSync(join(dir, 'models/broken.yml'), 'models:\n  - name: broken\n    sql: SELECT x FROM {{ ref("missing_model") }}\n');
    const r = cli(['compile', '-p', dir], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MODEL_NOT_FOUND');
    expect(r.stderr).not.toMatch(STACK_TRACE);
    expect(readFileSync(join(dir, 'generated/manifest.json'), 'utf8')).toBe(before);
  });

  it('refuses to replace a folder it did not write', () => {
    const dir = copyExample();
    mkdirSync(join(dir, 'docs'));
    writeFileSync(join(dir, 'docs/keep.md'), 'keep');
    const r = cli(['compile', '-p', dir, '--output', 'docs']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('OUTPUT_REFUSED');
    expect(readFileSync(join(dir, 'docs/keep.md'), 'utf8')).toBe('keep');
    expect(cli(['compile', '-p', dir, '--output', '.']).code).toBe(1);
  });

  it('keeps hostile resource names inside the output folder', () => {
    // Its files (validate's cache folder .streamt/ may be there, from tests that validate the case in place).
    const quoting = join(REPO, 'test/golden/cases/quoting');
    const files = readdirSync(quoting).filter((f) => statSync(join(quoting, f)).isFile());
    const dir = writeProject(Object.fromEntries(files.map((f) => [f, readFileSync(join(quoting, f), 'utf8')])));
    const r = cli(['compile', '-p', dir]);
    expect(r.code, r.stderr).toBe(0);
    const topics = readdirSync(join(dir, 'generated/topics'));
    expect(topics).toHaveLength(2);
    for (const t of topics) expect(t).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]*\.json$/);
    expect(readdirSync(dir).sort()).toEqual(['generated', 'stream_project.yml']);
  });

  it('documents --output in help', () => {
    const r = cli(['compile', '--help']);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('relative path is resolved against the project folder');
  });
});
