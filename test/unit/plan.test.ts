import { describe, expect, it } from 'vitest';
import { plan, fingerprint, summarize } from '../../src/plan/plan.js';
import { desiredResources } from '../../src/plan/desired.js';
import { renderPlan } from '../../src/plan/render.js';
import { compileProject } from '../../src/compile/compile.js';
import { loadProject } from '../../src/project/load.js';
import { readProjectFiles } from '../../src/project/files.js';
import { resolveProject } from '../../src/resolve/resolve.js';
import type { DesiredResource, Observed, OwnershipRecord, PlanOptions, RecordEntry } from '../../src/plan/types.js';
import { Chalk } from 'chalk';
import { join } from 'node:path';

const opts = (o: Partial<PlanOptions> = {}): PlanOptions => ({ prune: false, allowStateReset: false, select: [], exclude: [], ...o });
const empty: OwnershipRecord = { project: 'p', entries: new Map() };
const topicRes = (name: string, o: Partial<DesiredResource> = {}): DesiredResource => ({ kind: 'topic', addr: `kafka.topic.${name}`, name, owner: `model.${name}`, hash: `h-${name}`, dependsOn: [], impacts: [], spec: { name, partitions: 1, replication_factor: 1, config: {} }, ...o }) as DesiredResource;
const entry = (addr: string, kind: RecordEntry['kind'], name: string, spec: any, hash = 'old'): RecordEntry => ({ project: 'p', addr, kind, name, owner: 'model.x', hash, spec, applied_at: '2026-01-01T00:00:00Z', streamt_version: '0' });
const base = { project: 'p', environment: null, streamtVersion: '0', createdAt: '2026-01-01T00:00:00Z', resolve: (s: string) => s, includeOrphans: true };

describe('plan', () => {
  it('creates what does not exist, with the fingerprint of what was observed', () => {
    const observed = new Map<string, Observed>([['kafka.topic.a', { kind: 'topic', name: 'a', exists: false }]]);
    const p = plan({ ...base, desired: [topicRes('a')], observed, record: empty, options: opts() });
    expect(p.changes).toHaveLength(1);
    expect(p.changes[0]).toMatchObject({ addr: 'kafka.topic.a', action: 'create', orphan: false, hash: 'h-a' });
    expect(p.changes[0]!.fingerprint).toBe(fingerprint(observed.get('kafka.topic.a'), undefined));
    expect(p.summary).toMatchObject({ create: 1, update: 0, delete: 0 });
  });

  it('records a matching but unrecorded resource instead of touching it', () => {
    const observed = new Map<string, Observed>([['kafka.topic.a', { kind: 'topic', name: 'a', exists: true, partitions: 1, replicationFactor: 1, config: {} }]]);
    const p = plan({ ...base, desired: [topicRes('a')], observed, record: empty, options: opts() });
    expect(p.changes[0]).toMatchObject({ action: 'update', recordOnly: true });
    const recorded: OwnershipRecord = { project: 'p', entries: new Map([['kafka.topic.a', entry('kafka.topic.a', 'topic', 'a', topicRes('a').spec, 'h-a')]]) };
    expect(plan({ ...base, desired: [topicRes('a')], observed, record: recorded, options: opts() }).changes[0]!.action).toBe('no-op');
  });

  it('shows orphans (recorded, or Flink jobs named streamt.<project>.*) and deletes them only with --prune', () => {
    const rec: OwnershipRecord = { project: 'p', entries: new Map([['kafka.topic.old', entry('kafka.topic.old', 'topic', 'old', { name: 'old', partitions: 1, replication_factor: 1, config: {} })]]) };
    const observed = new Map<string, Observed>([
      ['kafka.topic.old', { kind: 'topic', name: 'old', exists: true, partitions: 1, replicationFactor: 1, config: {} }],
      ['flink.job.gone', { kind: 'flink_job', name: 'streamt.p.gone', active: [{ jid: 'j1', state: 'RUNNING', startTime: 1 }] }],
      ['flink.job.other', { kind: 'flink_job', name: 'someone.else', active: [{ jid: 'j2', state: 'RUNNING', startTime: 1 }] }],
    ]);
    const kept = plan({ ...base, desired: [], observed, record: rec, options: opts() });
    expect(kept.changes.map((c) => [c.addr, c.action, c.orphan])).toEqual([
      ['flink.job.gone', 'no-op', true],
      ['kafka.topic.old', 'no-op', true],
    ]);
    expect(kept.summary.orphans_kept).toBe(2);
    const pruned = plan({ ...base, desired: [], observed, record: rec, options: opts({ prune: true }) });
    expect(pruned.changes.map((c) => [c.addr, c.action])).toEqual([
      ['flink.job.gone', 'delete'],
      ['kafka.topic.old', 'delete'],
    ]);
    // Consumers go first: the topic delete waits for the job delete.
    expect(pruned.changes.find((c) => c.addr === 'kafka.topic.old')!.dependsOn).toEqual(['flink.job.gone']);
    expect(pruned.changes.find((c) => c.addr === 'flink.job.gone')!.live).toEqual({ jobIds: ['j1'] });
  });

  it('never looks for orphans when the plan is narrowed by a selection', () => {
    const rec: OwnershipRecord = { project: 'p', entries: new Map([['kafka.topic.old', entry('kafka.topic.old', 'topic', 'old', {})]]) };
    const p = plan({ ...base, includeOrphans: false, desired: [], observed: new Map(), record: rec, options: opts({ prune: true }) });
    expect(p.changes).toEqual([]);
  });

  it('summarizes blocked changes', () => {
    const observed = new Map<string, Observed>([['kafka.topic.a', { kind: 'topic', name: 'a', exists: true, partitions: 4, replicationFactor: 1, config: {} }]]);
    const p = plan({ ...base, desired: [topicRes('a')], observed, record: empty, options: opts() });
    expect(p.summary).toMatchObject({ replace: 1, blocked: 1 });
    expect(summarize(p.changes)).toEqual(p.summary);
    const text = renderPlan(p, new Chalk({ level: 0 }));
    expect(text).toContain('PLAN_PARTITIONS_DECREASE');
    expect(text).toContain('apply refuses this plan');
  });

  it('never plans, prunes or adopts what another environment of the project applied on this cluster', () => {
    const spec = topicRes('a').spec;
    const byDev = (addr: string, name: string, kind: RecordEntry['kind'] = 'topic'): RecordEntry => ({ ...entry(addr, kind, name, spec, 'h-a'), environment: 'dev' });
    const rec: OwnershipRecord = {
      project: 'p',
      entries: new Map([
        ['kafka.topic.a', byDev('kafka.topic.a', 'a')],
        ['kafka.topic.dev_only', byDev('kafka.topic.dev_only', 'dev_only')],
        ['flink.job.m', byDev('flink.job.m', 'streamt.p.m', 'flink_job')],
        ['kafka.topic.mine', { ...entry('kafka.topic.mine', 'topic', 'mine', spec), environment: 'prod' }],
        ['kafka.topic.legacy', entry('kafka.topic.legacy', 'topic', 'legacy', spec)],
      ]),
    };
    const observed = new Map<string, Observed>([
      ['kafka.topic.a', { kind: 'topic', name: 'a', exists: true, partitions: 1, replicationFactor: 1, config: {} }],
      ['kafka.topic.dev_only', { kind: 'topic', name: 'dev_only', exists: true, partitions: 1, replicationFactor: 1, config: {} }],
      ['flink.job.m', { kind: 'flink_job', name: 'streamt.p.m', active: [{ jid: 'j1', state: 'RUNNING', startTime: 1 }] }],
      ['kafka.topic.mine', { kind: 'topic', name: 'mine', exists: true, partitions: 1, replicationFactor: 1, config: {} }],
      ['kafka.topic.legacy', { kind: 'topic', name: 'legacy', exists: true, partitions: 1, replicationFactor: 1, config: {} }],
    ]);
    const p = plan({ ...base, environment: 'prod', desired: [topicRes('a')], observed, record: rec, options: opts({ prune: true }) });
    // The declared topic dev applied is blocked, naming both environments; apply refuses the plan.
    const a = p.changes.find((c) => c.addr === 'kafka.topic.a')!;
    expect(a.blocked).toMatchObject({ code: 'ENVIRONMENT_CONFLICT' });
    expect(a.blocked!.message).toContain('applied on this cluster by environment dev of project p');
    expect(a.blocked!.message).toContain('this plan is for environment prod');
    expect(a.blocked!.hint).toContain('--env dev');
    expect(p.summary.blocked).toBe(1);
    // dev's other resources (its job too, though named streamt.p.*) are not prod's orphans; prod's
    // own entries and entries from before environments were recorded are.
    expect(p.changes.filter((c) => c.orphan).map((c) => [c.addr, c.action])).toEqual([
      ['kafka.topic.legacy', 'delete'],
      ['kafka.topic.mine', 'delete'],
    ]);
    // The same record read by dev: nothing is in conflict.
    const dev = plan({ ...base, environment: 'dev', desired: [topicRes('a')], observed, record: rec, options: opts() });
    expect(dev.changes.find((c) => c.addr === 'kafka.topic.a')!.action).toBe('no-op');
    expect(dev.summary.blocked).toBe(0);
  });

  it('renders no changes plainly', () => {
    const p = plan({ ...base, desired: [], observed: new Map(), record: empty, options: opts() });
    expect(renderPlan(p, new Chalk({ level: 0 }))).toContain('No changes.');
  });
});

describe('desired resources of examples/payments', () => {
  const project = loadProject(readProjectFiles(join(import.meta.dirname, '..', '..', 'examples', 'payments')), { processEnv: {} }).project!;
  const resolved = resolveProject(project);
  const result = compileProject(resolved, { compiledAt: '2026-01-01T00:00:00Z' });
  const desired = desiredResources(result.manifest, result.artifacts);
  const by = (addr: string) => desired.find((d) => d.addr === addr)!;

  it('orders a node subject → topic → job and jobs after their upstream resources', () => {
    expect(by('flink.job.payments_clean').dependsOn).toEqual(['kafka.topic.payments_clean', 'sr.subject.payments.raw.v1-value']);
    expect(by('flink.job.customer_spend_5m').dependsOn).toEqual(['flink.job.payments_clean', 'kafka.topic.customer_spend_5m', 'kafka.topic.payments_clean']);
    // The JDBC sink reads the Connect envelope written by the job streamt adds for it.
    expect(by('connect.connector.payments_to_postgres').dependsOn).toEqual(['flink.job.payments_clean', 'flink.job.payments_to_postgres.connect', 'kafka.topic.payments_clean', 'kafka.topic.payments_to_postgres.connect']);
    expect(by('flink.job.payments_to_postgres.connect').dependsOn).toContain('kafka.topic.payments_to_postgres.connect');
    expect(by('kafka.topic.customer_spend_5m').dependsOn).toEqual([]);
  });
  it('knows which exposures each resource impacts and which jobs are stateful', () => {
    expect(by('flink.job.payments_clean').impacts).toEqual(['finance_dashboard', 'fraud_scoring_service']);
    expect(by('flink.job.high_risk_payments').impacts).toEqual(['fraud_scoring_service']);
    expect(desired.filter((d) => d.kind === 'flink_job' && d.stateful).map((d) => d.name).sort()).toEqual(['streamt.payments.customer_spend_5m', 'streamt.payments.customer_totals', 'streamt.payments.payments_enriched']);
  });
});

describe('rendering long changes', () => {
  it('shows the region around the first difference', async () => {
    const { around } = await import('../../src/plan/render.js');
    const before = `INSERT INTO x SELECT ${'a, '.repeat(60)}k FROM t WHERE v > 0 GROUP BY k`;
    const after = before.replace('v > 0', 'v > 10');
    const [b, a] = around(before, after);
    expect(b).toContain('v > 0');
    expect(a).toContain('v > 10');
    expect(b.startsWith('…')).toBe(true);
    expect(a.length).toBeLessThan(100);
  });
});
