// The newcomer demo (docs/demo.md) runs end to end on the real stack and cleans up after itself.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { endpoints, http, onCleanup, pgQuery } from './helpers.js';
import { letters } from './plan-helpers.js';

const execFileAsync = promisify(execFile);
// Names suffixed (STREAMT_DEMO_SUFFIX), so the test never touches a demo someone has running on
// the stack, nor another test run's (fixed names made two runs share a table and a project).
const sfx = letters();
// The demo uses the stack the test run started; it must leave its ownership to the test run.
const run = (cmd: string, args: string[], opts: { timeout: number; maxBuffer?: number }) =>
  execFileAsync(cmd, args, { ...opts, env: { ...process.env, STREAMT_STACK_OWNER: 'test', STREAMT_DEMO_SUFFIX: sfx } });
const script = join(import.meta.dirname, '..', '..', 'scripts', 'demo.mjs');

describe('npm run demo', () => {
  it('applies examples/payments, shows transformed records downstream, and tears down', async () => {
    onCleanup('demo down', () => run(process.execPath, [script, 'down', '--keep-stack'], { timeout: 180_000 }));
    const up = await run(process.execPath, [script, 'up'], { timeout: 540_000, maxBuffer: 16 * 1024 * 1024 });
    // streamt's own progress goes to stderr, the demo's narration to stdout.
    expect(up.stderr).toContain('✓ Apply complete');
    expect(up.stdout).toMatch(new RegExp(`Downstream: payments_clean_${sfx}[\\s\\S]*card_last4`));
    // Closed five-minute windows with counts and totals.
    expect(up.stdout).toMatch(/alice\s+2026-01-01 10:00:00\s+2026-01-01 10:05:00\s+\d+\s+\d+/);
    expect(up.stdout).toMatch(/customer_id\s+payment_count\s+lifetime_amount_cents/);
    expect(up.stdout).toMatch(/A second plan: nothing to do[\s\S]*No changes\./);
    expect(up.stdout).not.toContain('4000000000001000'); // a full card number never leaves the raw topic

    const down = await run(process.execPath, [script, 'down', '--keep-stack'], { timeout: 180_000 });
    expect(down.stdout).toContain(`deleted source topics payments.raw.v1.${sfx}, crm.customers.v1.${sfx}`);
    expect(down.stdout).toContain(`dropped table payments_clean_${sfx} in PostgreSQL`);
    expect(await pgQuery(`SELECT to_regclass('public.payments_clean_${sfx}') IS NULL`)).toEqual([['t']]);
    const jobs = (await http('GET', `${endpoints.flinkRest}/jobs/overview`)).body.jobs as { name: string; state: string }[];
    expect(jobs.filter((j) => j.name.startsWith(`streamt.payments_${sfx}.`) && j.state === 'RUNNING')).toEqual([]);
  }, 720_000);
});
