/**
 * One handler per resource kind (the way a Terraform provider implements one resource type):
 * everything streamt knows about a kind lives in its handler module, which the registry
 * (./registry.ts) lists once. The planner (src/plan/plan.ts), the desired-state builder
 * (src/plan/desired.ts), the live systems (./live.ts) and `status` iterate over the registry and
 * never switch over kinds.
 *
 * Import graph (acyclic between folders): src/plan/types.ts imports nothing of the adapters;
 * handlers import src/plan/types.ts (types only), their adapter client and their pure diff;
 * src/plan/plan.ts and ./live.ts import the registry. Each handler module owns the type of its
 * observed state; the kind's diff.ts and client.ts import that type back (`import type`, erased
 * at run time).
 *
 * Adding a kind (e.g. Kafka ACLs): one new module implementing `ResourceHandler`, one line in
 * ./registry.ts (and the compile step that emits its artifacts).
 */
import type { Artifacts } from '../compile/types.js';
import type { Manifest } from '../manifest/schema.js';
import type { Runtime } from '../project/schema.js';
import type { DesiredResource, ObservedBase, Proposal, RecordEntry, ResourceChange } from '../plan/types.js';
import type { ConnectAdapter } from './connect/client.js';
import type { FlinkAdapter } from './flink/client.js';
import type { GatewayAdapter } from './gateway/client.js';
import type { KafkaAdapter } from './kafka/client.js';
import type { SchemaRegistryAdapter } from './schema-registry/client.js';

/** The adapters of one project's live systems (implemented by LiveSystems). */
export interface LiveContext {
  readonly project: string;
  readonly runtime: Runtime;
  kafka(): KafkaAdapter;
  flink(cluster: string | null): FlinkAdapter;
  flinkClusterNames(): string[];
  connect(cluster: string | null): ConnectAdapter;
  registry(): SchemaRegistryAdapter;
  gateway(): GatewayAdapter;
  gatewayConfigured(): boolean;
}

/** One resource to observe: declared (with its spec) or only recorded (with its record entry). */
export interface ObserveTarget<S = unknown> {
  addr: string;
  name: string;
  /** The declared spec (absent for a recorded, undeclared resource). */
  spec?: S;
  /** The content hash of the declared spec (to tell a changed resource from the recorded one). */
  hash?: string;
  /** The declared resource is read-only (see DesiredResource.readOnly). */
  readOnly?: boolean;
  /** The record entry: of an undeclared resource, or of a declared one this project applied before. */
  recorded?: RecordEntry;
}

export interface ObserveOptions {
  /** Also discover undeclared resources this project owns by name (not for a narrowed plan). */
  orphans: boolean;
  /** `streamt.<project>.`: the name prefix of resources owned by name (see ownedByName). */
  ownPrefix: string;
  /** Fills secret placeholders (in memory only, e.g. to validate a connector config). */
  resolve: (s: string) => string;
  /**
   * Ask the live system to validate a desired config: Connect's config validation, Flink's
   * planner (EXPLAIN of every new or changed job, and of its recorded statements). Plan only.
   */
  validate: boolean;
}

export interface DiffContext {
  allowStateReset: boolean;
  resolve: (s: string) => string;
}

export interface ApplyContext {
  resolve: (s: string) => string;
  progress?: (msg: string) => void;
  /** Writes an intermediate record entry (e.g. the savepoint of an unfinished upgrade). */
  record?: (entry: RecordEntry) => Promise<void>;
  /** The record entry before this change. */
  previous?: RecordEntry;
  /**
   * Throws unless this apply may still change things (it holds the apply lease). A change with
   * several steps calls it before each step after the first; apply calls it before each change.
   */
  guard?: () => void;
}

export interface ResourceStatus {
  state: string;
  healthy: boolean;
  details: Record<string, unknown>;
}

/** What a handler adds to the generic change (Flink: running job ids, savepoint, statefulness). */
export type ChangeFacts = Partial<Pick<ResourceChange, 'stateful' | 'live'>>;

export interface ResourceHandler<S = any, O extends ObservedBase = any> {
  /** The kind in plans and records (`topic`, `flink_job`, ...). */
  readonly kind: string;
  /** Address prefix, e.g. `kafka.topic.`; an address is `<prefix><name-or-node>`. */
  readonly addrPrefix: string;
  /** Order of one node's resources (a subject before its topic, the topic before its job). */
  readonly order: number;
  /** Consumers (jobs, connectors, rules) also wait for their upstream nodes' resources. */
  readonly waitsForUpstream: boolean;
  /** Deleted after every consumer's delete (topics, subjects). */
  readonly deletesAfterConsumers: boolean;
  /** Changes are carried out as a list of steps (Flink); a record-only change has none. */
  readonly hasSteps?: boolean;

  /** The declared resources of this kind, from the compiled artifacts (pure). */
  desired(artifacts: Artifacts, manifest: Manifest): Omit<DesiredResource<S>, 'dependsOn' | 'impacts'>[];
  /** Topics a declared resource reads or writes (dependencies on their topic and subject). */
  topicsOf?(spec: S): readonly string[];

  /** The observed state of a resource that does not exist. */
  absent(name: string): O;
  /** Whether the observed resource exists (a Flink job: one is active). */
  exists(o: O): boolean;
  /**
   * Observes all `targets` at once (one listing call where the system allows it) and, with
   * `opts.orphans`, every undeclared resource owned by name. Read-only. Keys are addresses.
   */
  observeMany(targets: readonly ObserveTarget<S>[], live: LiveContext, opts: ObserveOptions): Promise<Map<string, O>>;

  /** Pure: what to do for a declared resource, given what is live and what was recorded. */
  diff(d: DesiredResource<S>, o: O, entry: RecordEntry | undefined, ctx: DiffContext): Proposal;
  /** Pure: live identifiers apply needs, taken from the observed state. */
  changeFacts?(d: DesiredResource<S>, o: O, entry: RecordEntry | undefined, p: Proposal): ChangeFacts;
  /**
   * The observed facts apply depends on (their hash is the change's fingerprint). Secret-looking
   * keys and secret values are redacted by the planner before hashing.
   */
  fingerprintFacts(o: O): unknown;

  /**
   * Ownership facts: whether an undeclared live resource is this project's by its name alone
   * (`streamt.<project>.` prefix; project names cannot contain '.', so the prefix is exact).
   * Without it, only the record makes an undeclared resource this project's.
   */
  ownedByName?(o: O, project: string): boolean;
  /** May an orphan of this kind be deleted? (A source subject recorded by an old version: no.) */
  deletable?(entry: RecordEntry | undefined): boolean;
  /** The delete of an orphan: steps, live ids, and the spec to delete by when not recorded. */
  orphanDelete?(o: O, entry: RecordEntry | undefined): Partial<ResourceChange>;

  /** `status`: state, health and details of a declared resource. */
  status(o: O, drift: readonly string[], d: DesiredResource<S> | undefined, live: LiveContext): Promise<ResourceStatus>;
  /** `status` text: the one-line detail. */
  statusDetail?(s: ResourceStatus): string;

  /**
   * Carries out one planned change (never a record-only one). Returns whether the resource now
   * exists (`kept`: write its record entry) or is gone (`deleted`: forget it).
   */
  apply(change: ResourceChange, live: LiveContext, ctx: ApplyContext): Promise<'kept' | 'deleted'>;
}
