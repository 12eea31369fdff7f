/**
 * The plan is data. It says, for every resource, what apply will do and why; apply executes
 * exactly the changes it lists (nothing is re-decided at apply time) and refuses to run when the
 * live state moved since (fingerprints).
 */
/**
 * The kind of a resource: the `kind` of the handler that manages it (src/adapters/registry.ts
 * lists them: topic, subject, flink_job, connector, gateway_rule). A plain string, so that a new
 * kind is one new handler module plus its registration, not an edit of every union.
 */
export type ResourceKind = string;
export type Action = 'create' | 'update' | 'replace' | 'delete' | 'no-op';

/**
 * A spec as compiled (TopicSpec, FlinkJobSpec, ...). Its shape belongs to the handler of its
 * kind; the planner only hashes, stores and hands it back.
 */
export type DesiredSpec = unknown;

/** What the project declares for one resource (from the compiled artifacts). */
export interface DesiredResource<S = DesiredSpec> {
  kind: ResourceKind;
  addr: string;
  name: string;
  /** Node id that declares it. */
  owner: string;
  /** Content hash of the spec (placeholders, not secret values). */
  hash: string;
  spec: S;
  /** Flink jobs: the model keeps state (its upgrades go through savepoints). */
  stateful?: boolean;
  /**
   * Declared but not ours to change (a source's registry subject belongs to its producer): the
   * plan only checks it against the live state and never creates, updates, records or deletes it.
   */
  readOnly?: boolean;
  /** Addresses this resource must wait for (same node's subject/topic, upstream nodes' resources). */
  dependsOn: string[];
  /** Exposures downstream of the owner node. */
  impacts: string[];
  /** The models and exposures that read the owner node directly (`model x`, `exposure y`). */
  readers?: string[];
  /** Notes plan shows with the change (e.g. the owner model's deprecation date). */
  notes?: string[];
}

/**
 * Observed state: a read-only snapshot an adapter took of one resource. Each handler defines its
 * own shape (ObservedTopic in src/adapters/kafka/topic-handler.ts, ...); the planner only passes
 * it from the handler's observeMany to the same handler's diff, fingerprint and status.
 */
export interface ObservedBase {
  kind: ResourceKind;
  [fact: string]: unknown;
}

export type Observed = ObservedBase;

// ---------------------------------------------------------------------------------
// Ownership record: what this project applied
// ---------------------------------------------------------------------------------

export interface RecordEntry {
  project: string;
  addr: string;
  kind: ResourceKind;
  name: string;
  owner: string;
  hash: string;
  /** The spec as applied, with secret placeholders (never secret values). */
  spec: DesiredSpec;
  stateful?: boolean;
  /** Flink: a savepoint taken by an upgrade whose resubmission did not finish; the next apply resumes from it. */
  savepoint?: string;
  applied_at: string;
  streamt_version: string;
  /** The environment whose apply wrote the entry (null: none); absent in entries of older versions. */
  environment?: string | null;
}

export interface OwnershipRecord {
  project: string;
  entries: Map<string, RecordEntry>;
}

// ---------------------------------------------------------------------------------
// Changes
// ---------------------------------------------------------------------------------

export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
  /** Values are not shown (secret-looking keys). */
  sensitive?: boolean;
}

export interface Blocker {
  code: string;
  message: string;
  hint?: string;
  /**
   * Where a rejection was found in the compiled script: the statement (0-based index) and, when
   * Flink gives one, its line and column in that statement (PLAN_FLINK_REJECTED).
   */
  flink?: { statement: number; line?: number; column?: number };
  /** The same place in the project (the model's SQL in its YAML file), when it can be mapped. */
  location?: SourceLocation;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** What a diff function proposes for one resource. */
export interface Proposal {
  action: Action;
  reasons: string[];
  fields: FieldChange[];
  blocked?: Blocker;
  /** Flink only: how the change is carried out. */
  steps?: FlinkStep[];
  warnings?: string[];
  /**
   * Flink only: who judged whether the job's savepoint can be restored into the new statements:
   * Flink's planner (EXPLAIN of the recorded and the new job compared operator by operator) or,
   * when it could not be asked, streamt's own rule on the parsed SQL.
   */
  stateJudge?: 'flink-planner' | 'streamt-rule';
}

export type FlinkStep = 'stop-with-savepoint' | 'cancel' | 'submit' | 'submit-from-savepoint';

export interface ResourceChange extends Proposal {
  addr: string;
  kind: ResourceKind;
  name: string;
  owner: string | null;
  /** Owned (recorded or named like this project's jobs) but no longer declared. */
  orphan: boolean;
  /** What apply writes (create/update/replace): the spec, secrets as placeholders. */
  desired?: DesiredSpec;
  hash?: string;
  stateful?: boolean;
  /** Live identifiers apply needs (e.g. the running job ids to stop). */
  live?: { jobIds?: string[]; savepoint?: string };
  /** Only the ownership record is written (the live resource already matches). */
  recordOnly?: boolean;
  /** Fingerprint of the observed state and record entry at plan time. */
  fingerprint: string;
  dependsOn: string[];
  impacts: string[];
}

export interface PlanOptions {
  prune: boolean;
  allowStateReset: boolean;
  select: string[];
  exclude: string[];
}

export interface Plan {
  format: 'streamt-plan';
  format_version: 1;
  project: string;
  environment: string | null;
  created_at: string;
  streamt_version: string;
  options: PlanOptions;
  changes: ResourceChange[];
  /** Orphans left alone because --prune was not given. */
  summary: PlanSummary;
  /**
   * Written by `plan --out` only: the content hash of the rest of the plan, so that `apply
   * plan.json` refuses an edited plan (an optional field: format_version stays 1).
   */
  checksum?: string;
}

export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
  no_op: number;
  blocked: number;
  orphans_kept: number;
}
