/** Pure decisions of the CLI: apply's confirmation (as Terraform), freshness verdicts (as dbt), state fingerprints. */
import { describe, expect, it } from 'vitest';
import { confirmApply } from '../../src/cli/confirm.js';
import { judgeFreshness } from '../../src/cli/commands/freshness.js';
import { nodeFingerprints, stateMatches } from '../../src/select/state.js';

const answering = (answer: string, asked: string[] = []) => async (q: string) => {
  asked.push(q);
  return answer;
};

describe('apply confirmation', () => {
  it('a fresh plan asks for yes on a terminal, and anything else cancels', async () => {
    const asked: string[] = [];
    expect(await confirmApply({ changes: 3, savedPlan: false, ask: answering('yes', asked) })).toBeUndefined();
    expect(asked).toEqual(["Do you want to apply 3 changes? Only 'yes' will be accepted: "]);
    expect((await confirmApply({ changes: 1, savedPlan: false, ask: answering('y') }))?.code).toBe('APPLY_CONFIRMATION_REQUIRED');
  });

  it('without a terminal, only --auto-approve (or --confirm) applies, as Terraform with -input=false', async () => {
    const refused = await confirmApply({ changes: 2, savedPlan: false });
    expect(refused?.code).toBe('APPLY_CONFIRMATION_REQUIRED');
    expect(refused?.hint).toContain('--auto-approve');
    expect(await confirmApply({ changes: 2, savedPlan: false, autoApprove: true })).toBeUndefined();
    expect(await confirmApply({ changes: 2, savedPlan: false, confirm: true })).toBeUndefined();
  });

  it('a saved plan file is applied without the yes question', async () => {
    expect(await confirmApply({ changes: 2, savedPlan: true })).toBeUndefined();
  });

  it('a protected environment asks for its name even with --auto-approve; --confirm skips it', async () => {
    const prod = { name: 'prod', protected: true };
    expect((await confirmApply({ changes: 1, savedPlan: false, environment: prod, autoApprove: true }))?.code).toBe('APPLY_CONFIRMATION_REQUIRED');
    expect((await confirmApply({ changes: 1, savedPlan: true, environment: prod, ask: answering('yes') }))?.code).toBe('APPLY_CONFIRMATION_REQUIRED');
    expect(await confirmApply({ changes: 1, savedPlan: false, environment: prod, autoApprove: true, ask: answering('prod') })).toBeUndefined();
    expect(await confirmApply({ changes: 1, savedPlan: false, environment: prod, confirm: true })).toBeUndefined();
  });

  it('destroy says what it destroys', async () => {
    const asked: string[] = [];
    await confirmApply({ changes: 1, savedPlan: false, verb: 'destroy', ask: answering('no', asked) });
    expect(asked[0]).toBe("Do you want to destroy 1 resource? Only 'yes' will be accepted: ");
  });
});

describe('freshness verdicts', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const s = { warnAfterSeconds: 60, maxLagSeconds: 300 };
  it('pass, warn after warn_after_seconds, error after max_lag_seconds', () => {
    expect(judgeFreshness(s, now - 30_000, now)).toMatchObject({ status: 'pass', age_seconds: 30 });
    expect(judgeFreshness(s, now - 120_000, now)).toMatchObject({ status: 'warn', age_seconds: 120 });
    expect(judgeFreshness(s, now - 600_000, now)).toMatchObject({ status: 'error', age_seconds: 600 });
    expect(judgeFreshness({ maxLagSeconds: 300 }, now - 120_000, now).status).toBe('pass');
  });
  it('a topic without records is an error', () => {
    expect(judgeFreshness(s, undefined, now)).toMatchObject({ status: 'error', age_seconds: null });
  });
});

describe('state fingerprints', () => {
  const manifest = (sql: string, hash = 'sha256:a') => ({
    sources: [{ id: 'source.s', name: 's' }],
    models: [{ id: 'model.m', name: 'm', sql, selected: true }],
    tests: [],
    exposures: [],
    artifacts: { topics: [{ owner: 'model.m', hash }], flink_jobs: [], connectors: [], schemas: [], gateway_rules: [] },
  });
  it('a changed declaration or artifact is modified, a new node is new and modified, selection does not count', () => {
    const before = nodeFingerprints(manifest('SELECT 1') as never);
    const same = nodeFingerprints({ ...manifest('SELECT 1'), models: [{ id: 'model.m', name: 'm', sql: 'SELECT 1', selected: false }] } as never);
    expect(stateMatches({ previous: before, current: same }, 'model.m', 'modified')).toBe(false);
    const sql = nodeFingerprints(manifest('SELECT 2') as never);
    expect(stateMatches({ previous: before, current: sql }, 'model.m', 'modified')).toBe(true);
    const artifact = nodeFingerprints(manifest('SELECT 1', 'sha256:b') as never);
    expect(stateMatches({ previous: before, current: artifact }, 'model.m', 'modified')).toBe(true);
    expect(stateMatches({ previous: new Map(), current: before }, 'model.m', 'new')).toBe(true);
    expect(stateMatches({ previous: before, current: before }, 'source.s', 'new')).toBe(false);
  });
});
