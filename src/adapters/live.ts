/**
 * The live systems of one project: builds the adapters from `runtime`, observes what a plan needs
 * (read-only), and applies one planned change at a time, each kind through its handler
 * (./registry.ts).
 */
import { own } from '../core/own.js';
import type { Runtime } from '../project/schema.js';
import type { DesiredResource, Observed, OwnershipRecord, RecordEntry, ResourceChange } from '../plan/types.js';
import { ConnectAdapter } from './connect/client.js';
import { FlinkAdapter } from './flink/client.js';
import { GatewayAdapter } from './gateway/client.js';
import { ServiceError } from './http.js';
import { KafkaAdapter } from './kafka/client.js';
import { RecordStore } from './kafka/record.js';
import { SchemaRegistryAdapter } from './schema-registry/client.js';
import type { ApplyContext, LiveContext, ObserveOptions, ObserveTarget } from './handler.js';
import { HANDLERS, handlerFor, hasHandler } from './registry.js';

export interface LiveOptions {
  /** Overall time limit of one HTTP call with its retries. */
  timeLimitMs?: number;
  stateTopic?: string;
  /** The environment applies run in: written into each record entry (src/plan/plan.ts foreignEntries). */
  environment?: string | null;
}

const PLACEHOLDER = /\$\{(?:env|secret|file):[^}]*\}/g;

/** Replaces secret placeholders with their values (in memory only). */
export function secretResolver(secrets: ReadonlyMap<string, string>): (s: string) => string {
  return (s) => s.replace(PLACEHOLDER, (m) => secrets.get(m) ?? m);
}

export class LiveSystems implements LiveContext {
  private kafkaAdapter?: KafkaAdapter;
  private readonly flinks = new Map<string, FlinkAdapter>();
  private readonly connects = new Map<string, ConnectAdapter>();
  private sr?: SchemaRegistryAdapter;
  private gw?: GatewayAdapter;
  private store?: RecordStore;

  constructor(readonly runtime: Runtime, readonly project: string, readonly opts: LiveOptions = {}) {}

  private http() {
    return this.opts.timeLimitMs ? { timeLimitMs: this.opts.timeLimitMs } : {};
  }

  kafka(): KafkaAdapter {
    if (!this.runtime.kafka) throw new ServiceError('Kafka', '(not configured)', 'runtime.kafka is not configured: plan and apply need a Kafka cluster (it also holds the ownership record)');
    return (this.kafkaAdapter ??= new KafkaAdapter(this.runtime.kafka));
  }

  records(): RecordStore {
    return (this.store ??= new RecordStore(this.kafka(), this.opts.stateTopic));
  }

  flinkClusterNames(): string[] {
    return Object.keys(this.runtime.flink?.clusters ?? {}).sort();
  }

  flink(cluster: string | null): FlinkAdapter {
    const f = this.runtime.flink;
    const name = cluster ?? f?.default ?? this.flinkClusterNames()[0];
    const cfg = name ? own(f?.clusters, name) : undefined;
    if (!name || !cfg) throw new ServiceError('Flink REST', '(not configured)', `Flink cluster ${name ? `"${name}" ` : ''}is not configured in runtime.flink.clusters`);
    let a = this.flinks.get(name);
    if (!a) this.flinks.set(name, (a = new FlinkAdapter(name, cfg, this.http())));
    return a;
  }

  connect(cluster: string | null): ConnectAdapter {
    const c = this.runtime.connect;
    const name = cluster ?? c?.default ?? Object.keys(c?.clusters ?? {}).sort()[0];
    const cfg = name ? own(c?.clusters, name) : undefined;
    if (!name || !cfg) throw new ServiceError('Kafka Connect', '(not configured)', `Kafka Connect cluster ${name ? `"${name}" ` : ''}is not configured in runtime.connect.clusters`);
    let a = this.connects.get(name);
    if (!a) this.connects.set(name, (a = new ConnectAdapter(name, cfg, this.http())));
    return a;
  }

  registry(): SchemaRegistryAdapter {
    const cfg = this.runtime.schema_registry;
    if (!cfg) throw new ServiceError('Schema Registry', '(not configured)', 'runtime.schema_registry is not configured');
    return (this.sr ??= new SchemaRegistryAdapter(cfg, this.http()));
  }

  gateway(): GatewayAdapter {
    const g = this.runtime.conduktor?.gateway;
    const url = g?.admin_url ?? g?.url;
    if (!g || !url) throw new ServiceError('Conduktor Gateway', '(not configured)', 'runtime.conduktor.gateway.admin_url is not configured');
    return (this.gw ??= new GatewayAdapter({ url, username: g.username, password: g.password }, this.http()));
  }

  gatewayConfigured(): boolean {
    return !!(this.runtime.conduktor?.gateway?.admin_url ?? this.runtime.conduktor?.gateway?.url);
  }

  readRecord(): Promise<OwnershipRecord> {
    return this.records().read(this.project);
  }

  /**
   * Observes the declared resources and every resource the record or the name prefix says this
   * project owns, each kind through its handler, all kinds at once. Read-only (the registry's
   * compatibility check and Connect's validation change nothing). `resolve` fills secrets into
   * connector configs for validation.
   */
  async observe(desired: readonly DesiredResource[], record: OwnershipRecord, o: { orphans: boolean; resolve: (s: string) => string; validate?: boolean }): Promise<Map<string, Observed>> {
    const out = new Map<string, Observed>();
    const declared = new Set(desired.map((d) => d.addr));
    const recorded = o.orphans ? [...record.entries.values()].filter((e) => !declared.has(e.addr) && hasHandler(e.kind)) : [];
    const opts: ObserveOptions = { orphans: o.orphans, ownPrefix: `streamt.${this.project}.`, resolve: o.resolve, validate: o.validate !== false };
    const tasks = HANDLERS.map(async (h) => {
      const targets: ObserveTarget[] = [
        ...desired.filter((d) => d.kind === h.kind).map((d) => {
          const entry = record.entries.get(d.addr);
          return { addr: d.addr, name: d.name, spec: d.spec, hash: d.hash, ...(d.readOnly ? { readOnly: true } : {}), ...(entry ? { recorded: entry } : {}) };
        }),
        ...recorded.filter((e) => e.kind === h.kind).map((e) => ({ addr: e.addr, name: e.name, recorded: e })),
      ];
      const m = await h.observeMany(targets, this, opts);
      for (const [addr, obs] of m) out.set(addr, obs);
    });
    const settled = await Promise.allSettled(tasks);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return out;
  }

  /**
   * Carries out one planned change through its kind's handler. Returns the record entry to
   * write (null: forget the resource). Throws a ServiceError with a clear message on failure.
   */
  async apply(change: ResourceChange, resolve: (s: string) => string, meta: { streamtVersion: string; now: () => Date; progress?: (msg: string) => void; record?: (entry: RecordEntry) => Promise<void>; previous?: RecordEntry; guard?: () => void }): Promise<RecordEntry | null> {
    const entry = (): RecordEntry => ({
      project: this.project,
      addr: change.addr,
      kind: change.kind,
      name: change.name,
      owner: change.owner ?? '',
      hash: change.hash!,
      spec: change.desired!,
      ...(change.stateful !== undefined ? { stateful: change.stateful } : {}),
      applied_at: meta.now().toISOString(),
      streamt_version: meta.streamtVersion,
      environment: this.opts.environment ?? null,
    });
    // Record-only: the live resource is left as it is (adopted, or a read-only one forgotten).
    if (change.recordOnly) return change.action === 'delete' ? null : entry();
    const ctx: ApplyContext = { resolve, ...(meta.progress ? { progress: meta.progress } : {}), ...(meta.record ? { record: meta.record } : {}), ...(meta.previous ? { previous: meta.previous } : {}), ...(meta.guard ? { guard: meta.guard } : {}) };
    const result = await handlerFor(change.kind).apply(change, this, ctx);
    return result === 'deleted' ? null : entry();
  }

  async close(): Promise<void> {
    await this.store?.close();
    await this.kafkaAdapter?.close();
  }
}
