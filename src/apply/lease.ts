/**
 * One apply at a time per project and environment: a lease in the ownership record topic
 * (`_streamt_state`, src/adapters/kafka/record.ts), Terraform's state lock without a lock
 * service. See docs/plan-apply.md, "Locks".
 *
 * - Every attempt is a **claim** with a unique id, one message keyed
 *   `<project>@<environment>/_lease/<claim id>` in partition 0 of the record topic (one
 *   partition: all claims are totally ordered). The value names the holder (user@host, pid,
 *   command), since when it holds, and when the claim expires (60 s after it was last written).
 * - **The first unexpired claim in log order holds the lease.** A claimant writes its claim,
 *   reads the partition back to the end and holds the lease if no older claim is still
 *   unexpired; otherwise it withdraws its claim (a tombstone) and, within `--lock-timeout`,
 *   waits and tries again with a new claim.
 * - The holder **renews** by writing its claim again every 15 s (the value carries the offset of
 *   its first message, so its place in the order survives compaction, which keeps only the
 *   newest message of each key), then reads back that it still holds the lease.
 * - **An apply never acts without the lease.** Before every change the holder checks that its
 *   lease is valid: renewed in time, by its own monotonic clock, 15 s before others may consider
 *   it expired (a paused or slow process stops before its next change), not broken with
 *   `streamt unlock`, not taken over. A renewal that takes longer than that margin counts as
 *   lost: it may have landed after the claim expired.
 * - **Release** is the tombstone of the claim's key. A claim once released stays released for
 *   every reader (a later message of that claim is ignored), and compaction only ever keeps the
 *   newest message of a key, so it cannot bring an old claim back.
 *
 * Assumptions, as for every lease: the clocks of the machines that apply agree within the
 * margin (15 s; NTP does far better), and a process is not paused between the check before a
 * change and the change's first request (the job lookup right before each Flink submit is the
 * second line of defence). A killed apply's lease expires by itself.
 *
 * The pure part (`foldLease`, `leaseHolder`) decides who holds the lease from the log; the
 * `ApplyLease` protocol talks to the log only through `LeaseLog`.
 */
import { randomBytes } from 'node:crypto';
import type { PartitionRecord } from '../adapters/kafka/client.js';

export const LEASE_TTL_MS = 60_000;
export const LEASE_RENEW_MS = 15_000;
export const LEASE_MARGIN_MS = 15_000;
/** How often a waiting apply reads the log again. */
export const LEASE_POLL_MS = 2_000;

export interface LeaseHolder {
  user: string;
  host: string;
  pid: number;
  command: string;
}

/** The value of a claim message. */
export interface LeaseClaim {
  streamt_lease: 1;
  claim: string;
  project: string;
  environment: string | null;
  holder: LeaseHolder;
  /** When the claim was first written. */
  since: string;
  renewed_at: string;
  expires_at: string;
  /** The offset of the claim's first message; null in that first message (its own offset). */
  order: number | null;
  streamt_version: string;
}

export interface ClaimState {
  claim: string;
  /** Its place in the log order: the offset of its first message. */
  order: number;
  value: LeaseClaim;
  expiresAt: number;
}

export interface LeaseState {
  prefix: string;
  claims: ReadonlyMap<string, ClaimState>;
  /** Claims released by a tombstone: never live again. */
  released: ReadonlySet<string>;
  /** The next offset to read. */
  next: number;
}

export function emptyLeaseState(prefix: string): LeaseState {
  return { prefix, claims: new Map(), released: new Set(), next: 0 };
}

export function parseClaim(text: string): LeaseClaim | undefined {
  try {
    const v = JSON.parse(text) as Partial<LeaseClaim>;
    if (!v || typeof v.claim !== 'string' || typeof v.expires_at !== 'string' || Number.isNaN(Date.parse(v.expires_at))) return undefined;
    return v as LeaseClaim;
  } catch {
    return undefined;
  }
}

/**
 * Pure: the lease state after reading `records` (in log order) on top of `state`. Only keys
 * with the state's prefix count; an unreadable value is ignored.
 */
export function foldLease(state: LeaseState, records: readonly PartitionRecord[], end?: number): LeaseState {
  const claims = new Map(state.claims);
  const released = new Set(state.released);
  let next = state.next;
  for (const r of records) {
    next = Math.max(next, r.offset + 1);
    if (!r.key?.startsWith(state.prefix)) continue;
    const claim = r.key.slice(state.prefix.length);
    if (r.value === null) {
      released.add(claim);
      claims.delete(claim);
      continue;
    }
    if (released.has(claim)) continue;
    const value = parseClaim(r.value);
    if (!value || value.claim !== claim) continue;
    const previous = claims.get(claim);
    const order = Math.min(previous?.order ?? Number.POSITIVE_INFINITY, value.order ?? r.offset, r.offset);
    claims.set(claim, { claim, order, value, expiresAt: Date.parse(value.expires_at) });
  }
  return { prefix: state.prefix, claims, released, next: Math.max(next, end ?? 0) };
}

/** Pure: the claims not released and not expired at `now`, oldest first. */
export function liveClaims(state: LeaseState, now: number): ClaimState[] {
  return [...state.claims.values()].filter((c) => c.expiresAt > now).sort((a, b) => a.order - b.order);
}

/** Pure: who holds the lease at `now`: the first unexpired claim in log order. */
export function leaseHolder(state: LeaseState, now: number): ClaimState | undefined {
  return liveClaims(state, now)[0];
}

/** `alice@laptop, pid 4242, \`streamt apply\`, since … (claim …)` */
export function describeHolder(c: ClaimState): string {
  const h = c.value.holder ?? ({} as Partial<LeaseHolder>);
  return `${h.user ?? '?'}@${h.host ?? '?'}, pid ${h.pid ?? '?'}, \`${h.command ?? '?'}\`, since ${c.value.since} (claim ${c.claim})`;
}

/** What JSON output says about a holder. */
export function holderJson(c: ClaimState): Record<string, unknown> {
  return { claim: c.claim, ...c.value.holder, since: c.value.since, renewed_at: c.value.renewed_at, expires_at: c.value.expires_at };
}

// ---------------------------------------------------------------------------------------------
// The protocol

/** The record topic's lease partition, as the protocol needs it (src/adapters/kafka/record.ts). */
export interface LeaseLog {
  /** Appends a message (null: a tombstone), acknowledged by all in-sync replicas; returns its offset. */
  append(key: string, value: string | null): Promise<number>;
  /** The messages from `from` to the end of the log. */
  read(from: number): Promise<{ records: PartitionRecord[]; end: number }>;
}

export interface LeaseClock {
  /** Wall clock (ms): what claims say and how others judge them. */
  now(): number;
  /** Monotonic clock (ms): how the holder judges its own lease. */
  monotonic(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: LeaseClock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface LeaseTimings {
  ttlMs: number;
  renewMs: number;
  marginMs: number;
  pollMs: number;
}

export const DEFAULT_TIMINGS: LeaseTimings = { ttlMs: LEASE_TTL_MS, renewMs: LEASE_RENEW_MS, marginMs: LEASE_MARGIN_MS, pollMs: LEASE_POLL_MS };

/** Another apply holds the lease (after waiting up to the timeout). */
export class LeaseHeldError extends Error {
  constructor(
    readonly holder: ClaimState,
    readonly waitedMs: number,
  ) {
    super(`the apply lease is held by ${describeHolder(holder)}`);
    this.name = 'LeaseHeldError';
  }
}

/** The holder lost its lease while applying: it must not change anything more. */
export class LeaseLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeaseLostError';
  }
}

export interface AcquireOptions {
  prefix: string;
  project: string;
  environment: string | null;
  holder: LeaseHolder;
  streamtVersion: string;
  /** How long to wait for another apply's lease (0: refuse at once). */
  timeoutMs: number;
  /** Called when the lease is held by another apply and this one starts (or goes on) waiting. */
  onWait?: (holder: ClaimState) => void;
  clock?: LeaseClock;
  timings?: Partial<LeaseTimings>;
  /** Renew on a timer (default); tests call renew() themselves. */
  autoRenew?: boolean;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function newClaimId(): string {
  return randomBytes(8).toString('hex');
}

/** Reads the log from `state.next` to its end and folds it in. */
async function catchUp(log: LeaseLog, state: LeaseState): Promise<LeaseState> {
  const r = await log.read(state.next);
  return foldLease(state, r.records, r.end);
}

/** The lease state of a project and environment, read from the log. */
export async function readLease(log: LeaseLog, prefix: string): Promise<LeaseState> {
  return catchUp(log, emptyLeaseState(prefix));
}

/**
 * Breaks a lease (`streamt unlock <claim>`): writes the tombstone of that claim. Returns the
 * claim it released, or undefined when no such claim is live (already released, expired, or
 * never written).
 */
export async function breakLease(log: LeaseLog, prefix: string, claim: string, now: number): Promise<{ released?: ClaimState; state: LeaseState }> {
  const state = await readLease(log, prefix);
  const c = state.claims.get(claim);
  if (!c || c.expiresAt <= now) return { state };
  await log.append(prefix + claim, null);
  return { released: c, state };
}

export class ApplyLease {
  private state: LeaseState;
  private validUntil: number;
  private lostReason: string | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private renewing: Promise<void> | undefined;
  private done = false;

  private constructor(
    private readonly log: LeaseLog,
    private readonly o: AcquireOptions,
    private readonly clock: LeaseClock,
    private readonly t: LeaseTimings,
    readonly claim: string,
    private readonly value: LeaseClaim,
    state: LeaseState,
    writtenAt: number,
  ) {
    this.state = state;
    this.validUntil = writtenAt + t.ttlMs - t.marginMs;
  }

  /**
   * Takes the lease, waiting up to `timeoutMs` while another apply holds it; throws
   * LeaseHeldError naming the holder when it is still held after that.
   */
  static async acquire(log: LeaseLog, o: AcquireOptions): Promise<ApplyLease> {
    const clock = o.clock ?? systemClock;
    const t = { ...DEFAULT_TIMINGS, ...o.timings };
    const started = clock.monotonic();
    let state = await readLease(log, o.prefix);
    let told: string | undefined;
    for (;;) {
      const holder = leaseHolder(state, clock.now());
      if (!holder) {
        const claim = newClaimId();
        const now = clock.now();
        const value: LeaseClaim = { streamt_lease: 1, claim, project: o.project, environment: o.environment, holder: o.holder, since: iso(now), renewed_at: iso(now), expires_at: iso(now + t.ttlMs), order: null, streamt_version: o.streamtVersion };
        const writtenAt = clock.monotonic();
        await log.append(o.prefix + claim, JSON.stringify(value));
        state = await catchUp(log, state);
        const mine = state.claims.get(claim);
        if (mine && leaseHolder(state, clock.now())?.claim === claim) {
          const lease = new ApplyLease(log, o, clock, t, claim, { ...value, order: mine.order }, state, writtenAt);
          if (o.autoRenew !== false) lease.startTimer();
          return lease;
        }
        // An older claim is live (written while ours was on its way): withdraw ours.
        await log.append(o.prefix + claim, null);
        state = await catchUp(log, state);
        continue;
      }
      const waited = clock.monotonic() - started;
      if (waited >= o.timeoutMs) throw new LeaseHeldError(holder, waited);
      if (told !== holder.claim) {
        told = holder.claim;
        o.onWait?.(holder);
      }
      await clock.sleep(Math.min(t.pollMs, o.timeoutMs - waited));
      state = await catchUp(log, state);
    }
  }

  /** Why the lease was lost, if it was. */
  get lost(): string | undefined {
    return this.lostReason;
  }

  get since(): string {
    return this.value.since;
  }

  get holder(): LeaseHolder {
    return this.value.holder;
  }

  /** Throws LeaseLostError unless the lease is held and valid: call it before every change. */
  check(): void {
    if (!this.lostReason && this.clock.monotonic() > this.validUntil) this.lose(`it was not renewed within ${(this.t.ttlMs - this.t.marginMs) / 1000} s (was the process paused, or Kafka unreachable?)`);
    if (this.lostReason) throw new LeaseLostError(`the apply lease (claim ${this.claim}) was lost: ${this.lostReason}; nothing more is changed. Run streamt plan to see where the apply stopped, then apply again`);
  }

  /** Writes the claim again with a new expiry and reads back that it still holds the lease. */
  async renew(): Promise<void> {
    if (this.lostReason || this.done) return;
    const started = this.clock.monotonic();
    if (started > this.validUntil) return this.lose(`it was not renewed within ${(this.t.ttlMs - this.t.marginMs) / 1000} s (was the process paused, or Kafka unreachable?)`);
    const now = this.clock.now();
    try {
      await this.log.append(this.o.prefix + this.claim, JSON.stringify({ ...this.value, renewed_at: iso(now), expires_at: iso(now + this.t.ttlMs) }));
    } catch {
      return; // tried again at the next tick; the lease is lost if none succeeds in time
    }
    const took = this.clock.monotonic() - started;
    if (took > this.t.marginMs) return this.lose(`renewing it took ${Math.round(took / 1000)} s, more than ${this.t.marginMs / 1000} s: it may have expired meanwhile`);
    try {
      this.state = await catchUp(this.log, this.state);
    } catch {
      return;
    }
    if (this.state.released.has(this.claim)) return this.lose('it was broken with streamt unlock');
    const holder = leaseHolder(this.state, this.clock.now());
    if (holder?.claim !== this.claim) return this.lose(holder ? `it is now held by ${describeHolder(holder)}` : 'it expired');
    this.validUntil = started + this.t.ttlMs - this.t.marginMs;
  }

  /** Stops renewing and writes the tombstone of the claim. */
  async release(): Promise<void> {
    if (this.done) return;
    this.done = true;
    if (this.timer) clearInterval(this.timer);
    await this.renewing;
    await this.log.append(this.o.prefix + this.claim, null);
  }

  private lose(reason: string): void {
    this.lostReason ??= reason;
  }

  private startTimer(): void {
    this.timer = setInterval(() => {
      if (this.renewing) return;
      this.renewing = this.renew()
        .catch(() => {})
        .finally(() => {
          this.renewing = undefined;
        });
    }, this.t.renewMs);
    this.timer.unref?.();
  }
}
