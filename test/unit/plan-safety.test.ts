/** Item 5 and 7 of issue 10: exact ownership, read-only source subjects, sealed plans, scoped block_deploy, token masking, redacted fingerprints. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentHash } from '../../src/compile/hash.js';
import { HANDLERS, kindOfAddr } from '../../src/adapters/registry.js';
import { planChecksum, sealPlan, verifySavedPlan } from '../../src/apply/workflow.js';
import { readDeployBlockers, DEFAULT_BLOCK_DEPLOY_MAX_AGE_MS, blockDeployMaxAge } from '../../src/datatest/blockers.js';
import { fingerprint, plan, redact } from '../../src/plan/plan.js';
import type { DesiredResource, Observed, OwnershipRecord, PlanOptions, RecordEntry } from '../../src/plan/types.js';
import { ProjectInfoSchema } from '../../src/project/schema.js';
import { maskSecrets, Output } from '../../src/ui/output.js';

const opts = (o: Partial<PlanOptions> = {}): PlanOptions => ({ prune: false, allowStateReset: false, select: [], exclude: [], ...o });
const base = { environment: null, streamtVersion: '0', createdAt: '2026-01-01T00:00:00Z', resolve: (s: string) => s, includeOrphans: true };
const running = (name: string, jid: string): Observed => ({ kind: 'flink_job', name, active: [{ jid, state: 'RUNNING', startTime: 1 }] });

describe('ownership is exact', () => {
  it('refuses project names with "." or "/" (the separators of job names and record keys), with the reason', () => {
    for (const name of ['pay.eu', 'pay/eu']) {
      const r = ProjectInfoSchema.safeParse({ name });
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(/no "\." or "\/"/);
    }
    expect(ProjectInfoSchema.safeParse({ name: 'pay_eu' }).success).toBe(true);
    expect(ProjectInfoSchema.safeParse({ name: 'pay-eu' }).success).toBe(true);
  });

  it("never takes another project's jobs for its own: pay's prefix is not a prefix of pay-eu's or pay_eu's names", () => {
    const observed = new Map<string, Observed>([
      ['flink.job.m', running('streamt.pay.m', 'j1')],
      ['flink.job.x', running('streamt.pay-eu.x', 'j2')],
      ['flink.job.y', running('streamt.pay_eu.y', 'j3')],
      ['gateway.rule.streamt.payx.r', { kind: 'gateway_rule', name: 'streamt.payx.r', ruleKind: 'Interceptor', exists: true, resource: {} }],
    ]);
    const p = plan({ ...base, project: 'pay', desired: [], observed, record: { project: 'pay', entries: new Map() }, options: opts({ prune: true }) });
    expect(p.changes.map((c) => [c.addr, c.action])).toEqual([['flink.job.m', 'delete']]);
  });
});

describe('source subjects are read-only', () => {
  const spec = { subject: 'orders-value', schema_type: 'AVRO' as const, schema: '{"type":"record","name":"o","fields":[{"name":"id","type":"string"}]}', compatibility: null };
  const src: DesiredResource = { kind: 'subject', addr: 'sr.subject.orders-value', name: 'orders-value', owner: 'source.orders', hash: contentHash(spec), spec, readOnly: true, dependsOn: [], impacts: [] };
  const v2 = { version: 2, id: 7, schema: '{"type":"record","name":"o","fields":[{"name":"id","type":"string"},{"name":"x","type":["null","string"],"default":null}]}', schemaType: 'AVRO' };
  const record = (entries: [string, RecordEntry][] = []): OwnershipRecord => ({ project: 'p', entries: new Map(entries) });

  it("plans no change when the producer registered a newer version, and says the registry's verdict", () => {
    const compatible = new Map<string, Observed>([[src.addr, { kind: 'subject', subject: 'orders-value', exists: true, latest: v2, compatibility: 'BACKWARD', compatible: { isCompatible: true, messages: [] } }]]);
    const p = plan({ ...base, project: 'p', desired: [src], observed: compatible, record: record(), options: opts({ prune: true }) });
    expect(p.changes).toHaveLength(1);
    expect(p.changes[0]).toMatchObject({ action: 'no-op' });
    expect(p.changes[0]!.recordOnly).toBeUndefined();
    expect(p.changes[0]!.warnings![0]).toMatch(/differs from the latest version 2 \(compatible under BACKWARD\)/);
    const incompatible = new Map<string, Observed>([[src.addr, { kind: 'subject', subject: 'orders-value', exists: true, latest: v2, compatibility: 'FULL', compatible: { isCompatible: false, messages: ['READER_FIELD_MISSING_DEFAULT_VALUE x'] } }]]);
    const q = plan({ ...base, project: 'p', desired: [src], observed: incompatible, record: record(), options: opts() });
    expect(q.changes[0]).toMatchObject({ action: 'no-op' });
    expect(q.changes[0]!.blocked).toBeUndefined();
    expect(q.changes[0]!.warnings![0]).toMatch(/incompatible with the latest version 2 under FULL: READER_FIELD_MISSING_DEFAULT_VALUE x/);
  });

  it('never registers a missing source subject, and never records a matching one', () => {
    const p = plan({ ...base, project: 'p', desired: [src], observed: new Map([[src.addr, { kind: 'subject', subject: 'orders-value', exists: false }]]), record: record(), options: opts() });
    expect(p.changes[0]).toMatchObject({ action: 'no-op' });
    expect(p.changes[0]!.warnings![0]).toMatch(/not registered: its producer registers it/);
    const same = plan({ ...base, project: 'p', desired: [src], observed: new Map([[src.addr, { kind: 'subject', subject: 'orders-value', exists: true, latest: { version: 1, id: 1, schema: spec.schema, schemaType: 'AVRO' } }]]), record: record(), options: opts() });
    expect(same.changes[0]).toMatchObject({ action: 'no-op' });
  });

  it('with --prune, a source subject an older streamt recorded is only forgotten, never deleted', () => {
    const e: RecordEntry = { project: 'p', addr: src.addr, kind: 'subject', name: 'orders-value', owner: 'source.orders', hash: 'h', spec, applied_at: '2026-01-01T00:00:00Z', streamt_version: '0' };
    const observed = new Map<string, Observed>([[src.addr, { kind: 'subject', subject: 'orders-value', exists: true, latest: v2 }]]);
    const p = plan({ ...base, project: 'p', desired: [], observed, record: record([[src.addr, e]]), options: opts({ prune: true }) });
    expect(p.changes[0]).toMatchObject({ action: 'delete', recordOnly: true });
    expect(p.changes[0]!.reasons[0]).toMatch(/the subject is kept/);
  });
});

describe('saved plans are verified against their hashes', () => {
  const spec = { name: 't', partitions: 1, replication_factor: 1, config: {} };
  const made = () =>
    plan({ ...base, project: 'p', desired: [{ kind: 'topic', addr: 'kafka.topic.t', name: 't', owner: 'model.t', hash: contentHash(spec), spec, dependsOn: [], impacts: [] }], observed: new Map(), record: { project: 'p', entries: new Map() }, options: opts() });

  it('accepts the plan streamt wrote', () => {
    const sealed = sealPlan(made());
    expect(sealed.checksum).toBe(planChecksum(sealed));
    expect(verifySavedPlan(JSON.parse(JSON.stringify(sealed)))).toEqual([]);
  });

  it('refuses an edited spec, an edited plan, and a plan without a checksum', () => {
    const sealed = JSON.parse(JSON.stringify(sealPlan(made())));
    const spec = JSON.parse(JSON.stringify(sealed));
    spec.changes[0].desired.partitions = 12;
    expect(verifySavedPlan(spec).join('\n')).toMatch(/kafka\.topic\.t: the spec does not match its hash/);
    const rehashed = { ...spec, checksum: planChecksum(spec) };
    expect(verifySavedPlan(rehashed).join('\n')).toMatch(/the spec does not match its hash/);
    const options = { ...sealed, options: { ...sealed.options, prune: true } };
    expect(verifySavedPlan(options).join('\n')).toMatch(/checksum does not match/);
    const { checksum: _c, ...bare } = sealed;
    expect(verifySavedPlan(bare).join('\n')).toMatch(/no checksum/);
  });
});

describe('block_deploy is scoped to the project, the environment and a maximum age', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const root = (meta: Record<string, unknown> | undefined) => {
    const dir = mkdtempSync(join(tmpdir(), 'streamt-blockers-'));
    mkdirSync(join(dir, 'generated'));
    writeFileSync(join(dir, 'generated', 'run_results.json'), JSON.stringify({ ...(meta ? { metadata: meta } : {}), results: [{ test: 't', status: 'fail', target: 'm', message: 'bad', blocks_deploy: true }] }));
    return dir;
  };
  const scope = (notes: string[], o: { environment?: string | null } = {}) => ({ project: 'pay', environment: o.environment ?? null, now, note: (m: string) => notes.push(m) });

  it('blocks on a fresh result of this project and environment', () => {
    const notes: string[] = [];
    expect(readDeployBlockers(root({ project: 'pay', environment: 'prod', generated_at: '2026-06-01T11:00:00Z' }), scope(notes, { environment: 'prod' }))).toHaveLength(1);
    expect(notes).toEqual([]);
  });

  it('ignores, with a note, results of another project, another environment, too old, or without metadata', () => {
    const cases: [Record<string, unknown> | undefined, RegExp][] = [
      [{ project: 'other', environment: null, generated_at: '2026-06-01T11:00:00Z' }, /project other, not pay/],
      [{ project: 'pay', environment: 'dev', generated_at: '2026-06-01T11:00:00Z' }, /environment dev, not no environment/],
      [{ project: 'pay', environment: null, generated_at: '2026-05-30T11:00:00Z' }, /older than the maximum age 1 d/],
      [undefined, /does not record the project/],
    ];
    for (const [meta, why] of cases) {
      const notes: string[] = [];
      expect(readDeployBlockers(root(meta), scope(notes))).toEqual([]);
      expect(notes.join('\n')).toMatch(why);
    }
  });

  it('reads the maximum age from STREAMT_BLOCK_DEPLOY_MAX_AGE (default 24 h)', () => {
    expect(blockDeployMaxAge({})).toBe(DEFAULT_BLOCK_DEPLOY_MAX_AGE_MS);
    expect(blockDeployMaxAge({ STREAMT_BLOCK_DEPLOY_MAX_AGE: '2h' })).toBe(7_200_000);
    expect(blockDeployMaxAge({ STREAMT_BLOCK_DEPLOY_MAX_AGE: 'soon' })).toBe(DEFAULT_BLOCK_DEPLOY_MAX_AGE_MS);
  });
});

describe('secrets are masked as whole tokens', () => {
  it('masks a secret standing alone, never a part of a word', () => {
    expect(maskSecrets('wrote payments.yml', ['pay'])).toBe('wrote payments.yml');
    expect(maskSecrets('password=pay user pay@host (pay)', ['pay'])).toBe('password=**** user ****@host (****)');
    expect(maskSecrets('url jdbc:postgresql://u:s3cr3t!@h/db', ['s3cr3t!'])).toBe('url jdbc:postgresql://u:****@h/db');
    expect(maskSecrets('abcabc abc', ['abc', 'abcabc'])).toBe('**** ****');
  });

  it('does not mask one- and two-character values (they would hide ordinary words)', () => {
    let text = '';
    const stream = { write: (s: string) => ((text += s), true), isTTY: false } as never;
    const out = new Output(stream, stream, { color: false, env: {} });
    out.addSecrets(['a', 'pw', 'pay']);
    out.out('a pw pay payments');
    expect(text).toBe('a pw **** payments\n');
  });
});

describe('fingerprints hash redacted facts', () => {
  it('hashes no password: a connector config with a secret is hashed with a placeholder', () => {
    const o = (pw: string): Observed => ({ kind: 'connector', name: 'c', exists: true, config: { 'connection.password': pw, 'connection.url': `jdbc:postgresql://u:${pw}@h/db`, topics: 't' } });
    expect(JSON.stringify(redact(handlerFacts(o('hunter22')), ['hunter22']))).not.toContain('hunter22');
    expect(fingerprint(o('hunter22'), undefined, ['hunter22'])).toBe(fingerprint(o('other-pw'), undefined, ['other-pw']));
    // A change that is not a secret still moves the fingerprint.
    const moved: Observed = { ...o('hunter22'), config: { ...(o('hunter22').config as object), topics: 'u' } };
    expect(fingerprint(moved, undefined, ['hunter22'])).not.toBe(fingerprint(o('hunter22'), undefined, ['hunter22']));
  });
});

describe('the handler registry', () => {
  it('lists each kind once, with its address prefix, in the order of one node', () => {
    expect(HANDLERS.map((h) => [h.kind, h.addrPrefix])).toEqual([
      ['subject', 'sr.subject.'],
      ['topic', 'kafka.topic.'],
      ['acl', 'kafka.acl.'],
      ['gateway_rule', 'gateway.rule.'],
      ['flink_job', 'flink.job.'],
      ['connector', 'connect.connector.'],
    ]);
    expect(kindOfAddr('connect.connector.x')).toBe('connector');
    expect(kindOfAddr('acl.x')).toBeUndefined();
  });
});

function handlerFacts(o: Observed): unknown {
  return HANDLERS.find((h) => h.kind === o.kind)!.fingerprintFacts(o);
}
