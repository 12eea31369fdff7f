/**
 * The plan is data. It says, for every resource, what apply will do and why; apply executes
 * exactly the changes it lists (nothing is re-decided at apply time) and refuses to run when the
 * live state moved since (fingerprints).
 */
import type { ConnectorSpec, FlinkJobSpec, GatewaySpec, SchemaSpecArtifact, TopicSpec } from '../compile/types.js';

export type ResourceKind = 'topic' | 'flink_job' | 'connector' | 'subject' | 'gateway_rule';
export type Action = 'create' | 'update' | 'replace' | 'delete' | 'no-op';

/** What the project declares for one resource (from the compiled artifacts). */
export type DesiredResource =
  | (DesiredBase & { kind: 'topic'; spec: TopicSpec })
  | (DesiredBase & { kind: 'flink_job'; spec: FlinkJobSpec; stateful: boolean })
  | (DesiredBase & { kind: 'connector'; spec: ConnectorSpec })
  | (DesiredBase & { kind: 'subject'; spec: SchemaSpecArtifact })
  | (DesiredBase & { kind: 'gateway_rule'; spec: GatewaySpec });

export interface DesiredBase {
  addr: string;
  name: string;
  /** Node id that declares it. */
  owner: string;
  /** Content hash of the spec (placeholders, not secret values). */
  hash: string;
  /** Addresses this resource must wait for (same node's subject/topic, upstream nodes' resources). */
  dependsOn: string[];
  /** Exposures downstream of the owner node. */
  impacts: string[];
}

export type DesiredSpec = DesiredResource['spec'];

// ---------------------------------------------------------------------------------
// Observed state (read-only snapshots from the adapters)
// ---------------------------------------------------------------------------------

export interface ObservedTopic {
  kind: 'topic';
  name: string;
  exists: boolean;
  partitions?: number;
  replicationFactor?: number;
  /** Only configs set on the topic itself (not broker defaults). */
  config?: Record<string, string>;
}

export interface LiveJob {
  jid: string;
  state: string;
  startTime: number;
}

export interface ObservedFlinkJob {
  kind: 'flink_job';
  name: string;
  /** Jobs with this pipeline.name that are not in a terminal state, newest first. */
  active: LiveJob[];
  /** The newest terminated job with this name (FAILED, CANCELED, FINISHED), if any. */
  lastTerminated?: LiveJob;
  /**
   * What that job can be restored from: its latest completed savepoint (stopped by an upgrade,
   * by `streamt test`'s pause_model or by hand) or retained checkpoint, whichever is newer.
   */
  lastSavepoint?: string;
  /** Whether lastSavepoint is a savepoint or a retained checkpoint. */
  restoreKind?: 'savepoint' | 'checkpoint';
}

export interface ObservedConnector {
  kind: 'connector';
  name: string;
  exists: boolean;
  config?: Record<string, string>;
  state?: string;
  tasks?: { id: number; state: string; trace?: string }[];
  /** Config validation errors from the plugin (`PUT /connector-plugins/{class}/config/validate`). */
  validationErrors?: string[];
}

export interface ObservedSubject {
  kind: 'subject';
  subject: string;
  exists: boolean;
  latest?: { version: number; id: number; schema: string; schemaType: string };
  /** Subject-level compatibility (null: the registry default applies). */
  compatibility?: string | null;
  /** When the desired schema differs from the latest: the registry's verdict. */
  compatible?: { isCompatible: boolean; messages: string[] };
}

export interface ObservedGatewayRule {
  kind: 'gateway_rule';
  name: string;
  ruleKind: 'Interceptor' | 'AliasTopic';
  exists: boolean;
  resource?: Record<string, unknown>;
}

export type Observed = ObservedTopic | ObservedFlinkJob | ObservedConnector | ObservedSubject | ObservedGatewayRule;

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
