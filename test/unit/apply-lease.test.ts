/**
 * The apply lease (src/apply/lease.ts): who holds it given a log of claims, expiry, renewal,
 * release, unlock and compaction, on an in-memory log with a fake clock. The Kafka side (the
 * record topic's partition, read without a consumer group) is tested in
 * test/integration/lease.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { PartitionRecord } from '../../src/adapters/kafka/client.js';
import { leasePrefix } from '../../src/adapters/kafka/record.js';
import { ApplyLease, LeaseHeldError, LeaseLostError, breakLease, emptyLeaseState, foldLease, leaseHolder, readLease, type LeaseClaim, type LeaseClock, type LeaseLog } from '../../src/apply/lease.js';
import { PROJECT_NAME_PATTERN } from '../../src/project/schema.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const PREFIX = leasePrefix('pay', null);

class FakeClock implements LeaseClock {
  t = T0;
  now = () => this.t;
  monotonic = () => this.t;
  sleep = async (ms: number) => {
    this.t += ms;
  };
}

class MemoryLog implements LeaseLog {
  records: PartitionRecord[] = [];
  private offset = 0;
  /** Runs before an append is stored (to interleave another writer, or to make it slow). */
  beforeAppend?: (key: string, value: string | null) => void;
  constructor(readonly clock: FakeClock) {}
  async append(key: string, value: string | null): Promise<number> {
    this.beforeAppend?.(key, value);
    return this.put(key, value);
  }
  put(key: string, value: string | null): number {
    const offset = this.offset++;
    this.records.push({ offset, key, value, timestamp: this.clock.now() });
    return offset;
  }
  async read(from: number): Promise<{ records: PartitionRecord[]; end: number }> {
    return { records: this.records.filter((r) => r.offset >= from), end: this.offset };
  }
  /** Kafka's log compaction: only the newest message of each key stays (offsets unchanged). */
  compact(): void {
    const newest = new Map<string, number>();
    for (const r of this.records) newest.set(r.key ?? '', r.offset);
    this.records = this.records.filter((r) => newest.get(r.key ?? '') === r.offset);
  }
}

const holder = (pid: number) => ({ user: 'alice', host: 'laptop', pid, command: `streamt apply (${pid})` });

function claimValue(claim: string, at: number, o: { ttl?: number; order?: number | null; pid?: number } = {}): string {
  const v: LeaseClaim = {
    streamt_lease: 1,
    claim,
    project: 'pay',
    environment: null,
    holder: holder(o.pid ?? 1),
    since: new Date(at).toISOString(),
    renewed_at: new Date(at).toISOString(),
    expires_at: new Date(at + (o.ttl ?? 60_000)).toISOString(),
    order: o.order ?? null,
    streamt_version: '0.1.0',
  };
  return JSON.stringify(v);
}

const rec = (offset: number, key: string, value: string | null): PartitionRecord => ({ offset, key, value, timestamp: T0 });

function acquire(log: MemoryLog, clock: FakeClock, pid: number, timeoutMs = 0, onWait?: () => void) {
  return ApplyLease.acquire(log, { prefix: PREFIX, project: 'pay', environment: null, holder: holder(pid), streamtVersion: '0.1.0', timeoutMs, clock, autoRenew: false, ...(onWait ? { onWait } : {}) });
}

describe('lease keys', () => {
  it("live beside the record but never under a project's record prefix", () => {
    expect(leasePrefix('pay', 'prod')).toBe('pay@prod/_lease/');
    expect(leasePrefix('pay', null)).toBe('pay@/_lease/');
    // The record of a project reads the keys `<project>/…`; '@' is in no project name, so no
    // project's prefix is a prefix of a lease key.
    expect(PROJECT_NAME_PATTERN.test('pay@prod')).toBe(false);
    for (const project of ['pay', 'pay_eu', 'pay-eu']) expect(leasePrefix('pay', 'prod').startsWith(`${project}/`)).toBe(false);
    // One lease per project and environment.
    expect(leasePrefix('pay_eu', null).startsWith(leasePrefix('pay', null))).toBe(false);
    expect(leasePrefix('pay', 'prod2').startsWith(leasePrefix('pay', 'prod'))).toBe(false);
  });
});

describe('who holds the lease (pure)', () => {
  it('the first unexpired claim in log order holds it; an expired one does not', () => {
    const s = foldLease(emptyLeaseState(PREFIX), [rec(0, `${PREFIX}a`, claimValue('a', T0)), rec(1, `${PREFIX}b`, claimValue('b', T0 + 1_000))]);
    expect(leaseHolder(s, T0 + 10_000)?.claim).toBe('a');
    // a expires at T0+60 s, b at T0+61 s.
    expect(leaseHolder(s, T0 + 60_000)?.claim).toBe('b');
    expect(leaseHolder(s, T0 + 61_000)).toBeUndefined();
  });

  it('a tombstone releases a claim for good: a later message of that claim is ignored', () => {
    const s = foldLease(emptyLeaseState(PREFIX), [rec(0, `${PREFIX}a`, claimValue('a', T0)), rec(1, `${PREFIX}a`, null), rec(2, `${PREFIX}a`, claimValue('a', T0 + 5_000, { order: 0 })), rec(3, `${PREFIX}b`, claimValue('b', T0 + 6_000))]);
    expect(s.released.has('a')).toBe(true);
    expect(leaseHolder(s, T0 + 7_000)?.claim).toBe('b');
  });

  it('ignores the record entries and other projects and environments', () => {
    const s = foldLease(emptyLeaseState(PREFIX), [
      rec(0, 'pay/flink.job.x', '{"addr":"flink.job.x"}'),
      rec(1, `${leasePrefix('pay_eu', null)}x`, claimValue('x', T0)),
      rec(2, `${leasePrefix('pay', 'prod')}y`, claimValue('y', T0)),
      rec(3, `${PREFIX}z`, 'not json'),
    ]);
    expect(s.claims.size).toBe(0);
    expect(s.next).toBe(4);
  });

  it('a renewal keeps the place of the first message, also once compaction removed it', () => {
    const log = [rec(0, `${PREFIX}a`, claimValue('a', T0)), rec(1, `${PREFIX}b`, claimValue('b', T0 + 1_000)), rec(2, `${PREFIX}a`, claimValue('a', T0 + 15_000, { order: 0 }))];
    expect(leaseHolder(foldLease(emptyLeaseState(PREFIX), log), T0 + 20_000)?.claim).toBe('a');
    // Compacted: only a's renewal (offset 2) is left, after b's claim (offset 1).
    const compacted = foldLease(emptyLeaseState(PREFIX), [log[1]!, log[2]!]);
    expect(compacted.claims.get('a')?.order).toBe(0);
    expect(leaseHolder(compacted, T0 + 20_000)?.claim).toBe('a');
  });
});

describe('the lease protocol', () => {
  it('one apply holds it; a second one is refused at once, naming the holder', async () => {
    const clock = new FakeClock();
    const log = new MemoryLog(clock);
    const first = await acquire(log, clock, 101);
    first.check();
    const refused = await acquire(log, clock, 202).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LeaseHeldError);
    const held = refused as LeaseHeldError;
    expect(held.holder.claim).toBe(first.claim);
    expect(held.message).toContain('alice@laptop, pid 101, `streamt apply (101)`, since 2026-01-01T00:00:00.000Z');
    // The refused attempt withdrew its claim.
    const state = await readLease(log, PREFIX);
    expect([...state.claims.keys()]).toEqual([first.claim]);
    await first.release();
    expect(leaseHolder(await readLease(log, PREFIX), clock.now())).toBeUndefined();
    const third = await acquire(log, clock, 303);
    third.check();
  });

  it('claims written at the same time: the older one wins, the newer one withdraws', async () => {
    const clock = new FakeClock();
    const log = new MemoryLog(clock);
    let other: string | undefined;
    log.beforeAppend = (key, value) => {
      // Another apply's claim lands just before ours.
      if (!other && value) {
        other = `${PREFIX}other`;
        log.put(other, claimValue('other', clock.now(), { pid: 999 }));
      }
    };
    const e = (await acquire(log, clock, 101).catch((x: unknown) => x)) as LeaseHeldError;
    expect(e).toBeInstanceOf(LeaseHeldError);
    expect(e.holder.claim).toBe('other');
    expect(e.holder.value.holder.pid).toBe(999);
    const s = await readLease(log, PREFIX);
    expect([...s.claims.keys()]).toEqual(['other']);
  });

  it('a waiting apply takes the lease when the holder releases it', async () => {
    const clock = new FakeClock();
    const log = new MemoryLog(clock);
    const first = await acquire(log, clock, 101);
    let waits = 0;
    // The holder releases while the second one waits (its clock moves as it sleeps).
    const sleep = clock.sleep;
    clock.sleep = async (ms) => {
      await sleep(ms);
      if (clock.t - T0 >= 10_000) await first.release();
    };
    const second = await acquire(log, clock, 202, 5 * 60_000, () => waits++);
    expect(waits).toBe(1);
    second.check();
    expect(clock.t - T0).toBeLessThan(60_000);
  });

  it("a killed apply's lease expires by itself: the next apply waits for the expiry, then takes it", async () => {
    const clock = new FakeClock();
    const log = new MemoryLog(clock);
    const killed = await acquire(log, clock, 101); // never renews, never releases
    expect(killed.claim).toBeTruthy();
    const refused = await acquire(log, clock, 202).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(LeaseHeldError);
    const next = await acquire(log, clock, 202, 5 * 60_000);
    next.check();
    // Not before the claim's expiry (60 s after it was written).
    expect(clock.t - T0).toBeGreaterThanOrEqual(60_000);
    expect(leaseHolder(await readLease(log, PREFIX), clock.now())?.claim).toBe(next.claim);
  });

  it('renewing keeps the lease; an apply that was not renewed in time stops before its next change', async () => {
    const clock = new FakeClock();
    const log = new MemoryLog(clock);
    const lease = await acquire(log, clock, 101);
    for (let i = 0; i < 10; i++) {
      clock.t += 15_000;
      await lease.renew();
      lease.check();
    }
    // Others see it held well past the first expiry.
    expect((await acquire(log, clock, 202).catch((e: unknown) => e)) as LeaseHeldError).toBeInstanceOf(LeaseHeldError);
    // Paused for 50 s (more than the 60 s expiry minus the 15 s margin since the last renewal).
    clock.t += 50_000;
    expect(() => lease.check()).toThrow(LeaseLostError);
    expect(() => lease.check()).toThrow(/was not renewed within 45 s/);
    // It does not renew any more: its claim expires for everyone.
    await lease.renew();
    clock.t += 15_000;
    const next = await acquire(log, clock, 202);
    next.check();
  });

  it('a renewal that takes longer than the margin counts as lost', async () => {
    const clock = new FakeClock();
    const log = new MemoryLog(clock);
    const lease = await acquire(log, clock, 101);
    clock.t += 15_000;
    log.beforeAppend = () => {
      clock.t += 20_000;
    };
    await lease.renew();
    expect(() => lease.check()).toThrow(/renewing it took 20 s, more than 15 s/);
  });

  it('streamt unlock breaks it: the holder notices at its next renewal and stops', async () => {
    const clock = new FakeClock();
    const log = new MemoryLog(clock);
    const lease = await acquire(log, clock, 101);
    const broken = await breakLease(log, PREFIX, lease.claim, clock.now());
    expect(broken.released?.claim).toBe(lease.claim);
    // Another apply may take it right away.
    const other = await acquire(log, clock, 202);
    clock.t += 15_000;
    await lease.renew();
    expect(() => lease.check()).toThrow(/broken with streamt unlock/);
    // The old holder's renewal did not bring its claim back.
    expect(leaseHolder(await readLease(log, PREFIX), clock.now())?.claim).toBe(other.claim);
    // Unknown, released or expired claims are not found.
    expect((await breakLease(log, PREFIX, 'nope', clock.now())).released).toBeUndefined();
    expect((await breakLease(log, PREFIX, lease.claim, clock.now())).released).toBeUndefined();
  });

  it('compaction never brings a released claim back, nor lets a newer claim pass a renewed holder', async () => {
    const clock = new FakeClock();
    const log = new MemoryLog(clock);
    const a = await acquire(log, clock, 101);
    clock.t += 1_000;
    await acquire(log, clock, 202).catch(() => undefined); // b claims, loses, withdraws
    clock.t += 14_000;
    await a.renew();
    log.compact();
    expect(leaseHolder(await readLease(log, PREFIX), clock.now())?.claim).toBe(a.claim);
    await a.release();
    log.compact();
    const s = await readLease(log, PREFIX);
    expect(leaseHolder(s, clock.now())).toBeUndefined();
    expect(s.released.has(a.claim)).toBe(true);
  });
});
