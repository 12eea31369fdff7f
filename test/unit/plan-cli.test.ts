// plan and status when the live systems are down: a clear message naming the service and URL.
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(args, { stdout: { write: (s: string) => ((stdout += s), true) } as never, stderr: { write: (s: string) => ((stderr += s), true) } as never, env: { NO_COLOR: '1' } });
  return { code, stdout, stderr };
}

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamt-plan-cli-'));
  mkdirSync(join(dir, 'models'));
  // Port 9 (discard) on localhost: nothing listens there.
  writeFileSync(join(dir, 'stream_project.yml'), 'project:\n  name: down\nruntime:\n  kafka:\n    bootstrap_servers: 127.0.0.1:9\n    sasl_password: topsecret-value\n');
  writeFileSync(join(dir, 'models', 'm.yml'), 'models:\n  - name: t\n    materialized: topic\n    columns:\n      - { name: k, type: STRING }\n');
  return dir;
}

describe('plan with a live system down', () => {
  it('names Kafka and its address, without a stack trace or secrets', async () => {
    const r = await cli(['plan', '-p', project()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SERVICE_UNREACHABLE');
    expect(r.stderr).toContain('Kafka at 127.0.0.1:9 is not reachable');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).not.toContain('topsecret-value');
  }, 30_000);

  it('prints the error as JSON with --format json', async () => {
    const r = await cli(['status', '-p', project(), '--format', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, diagnostics: [{ code: 'SERVICE_UNREACHABLE' }] });
  }, 30_000);

  it('refuses a file that is not a plan', async () => {
    const dir = project();
    writeFileSync(join(dir, 'plan.json'), '{"hello": 1}');
    const r = await cli(['apply', join(dir, 'plan.json'), '-p', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('APPLY_PLAN_INVALID');
  });
});

describe('apply and block_deploy', () => {
  it('refuses to deploy while a block_deploy test failed in the last streamt test run', async () => {
    const dir = project();
    mkdirSync(join(dir, 'generated'), { recursive: true });
    // run_results.json of this project and environment, written now (see the block_deploy scope).
    const metadata = { project: 'down', environment: null, generated_at: new Date().toISOString() };
    writeFileSync(join(dir, 'generated', 'run_results.json'), JSON.stringify({ metadata, results: [{ test: 'amounts_positive', target: 'payments_clean', status: 'fail', blocks_deploy: true, message: '3 violations' }, { test: 'other', status: 'fail', blocks_deploy: false }] }));
    const r = await cli(['apply', '-p', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('APPLY_BLOCKED_BY_TESTS');
    expect(r.stderr).toContain('amounts_positive on payments_clean (fail: 3 violations)');
    expect(r.stderr).not.toContain('other');
    expect(r.stderr).not.toContain('SERVICE_UNREACHABLE'); // refused before talking to any system
  });
});
