/** What the compiler produces: artifacts (with addresses, owners and content hashes) and files. */
import type { Diagnostic } from '../core/diagnostics.js';
import type { NodeId } from '../project/types.js';
import type { Manifest } from '../manifest/schema.js';

export interface ArtifactBase {
  /** Stable address: `kafka.topic.<name>`, `flink.job.<model>`, `connect.connector.<name>`, `sr.subject.<subject>`, `gateway.rule.<name>`, `kafka.acl.<node id>`. */
  addr: string;
  /** The node the artifact belongs to. */
  owner: NodeId;
  /** File written for it, relative to the output folder. */
  file: string;
  /** `sha256:<hex>` of the canonical JSON of `spec`. */
  hash: string;
}

export interface TopicSpec {
  name: string;
  partitions: number | null;
  replication_factor: number | null;
  config: Record<string, string>;
}

export interface FlinkJobSpec {
  /** pipeline.name: `streamt.<project>.<model>`. */
  name: string;
  cluster: string | null;
  parallelism: number | null;
  checkpoint_interval_ms: number | null;
  state_ttl_ms: number | null;
  state_backend: string | null;
  /** Topics the job reads and writes. */
  input_topics: string[];
  output_topic: string;
  /** `kafka` (append-only) or `upsert-kafka` (updating result). */
  sink_connector: 'kafka' | 'upsert-kafka';
  primary_key: string[];
  value_format: 'json' | 'avro-confluent';
  key_format: 'raw' | 'json' | null;
  key_fields: string[];
  /** The script's statements in order, without terminators: what apply submits, one by one, in a fresh session. */
  statements: string[];
}

export interface ConnectorSpec {
  name: string;
  connector_class: string;
  cluster: string | null;
  topics: string[];
  config: Record<string, string>;
}

export interface SchemaSpecArtifact {
  subject: string;
  schema_type: 'AVRO' | 'JSON' | 'PROTOBUF';
  /** The schema text, as registered (definitions are kept byte for byte). */
  schema: string;
  compatibility: string | null;
}

export interface GatewayResource {
  kind: 'Interceptor' | 'AliasTopic';
  apiVersion: 'gateway/v2';
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
}

export interface GatewaySpec {
  name: string;
  kind: GatewayResource['kind'];
  resource: GatewayResource;
}

/** One Kafka ACL binding, as Kafka's CreateAcls takes it. */
export interface AclBinding {
  /** `User:<name>` (or another principal type). */
  principal: string;
  /** `*`: from any host. */
  host: string;
  operation: 'READ' | 'WRITE' | 'DESCRIBE';
  permission: 'ALLOW' | 'DENY';
  resource_type: 'TOPIC' | 'GROUP' | 'TRANSACTIONAL_ID';
  resource_name: string;
  /** LITERAL: the name itself; PREFIXED: every name starting with it. */
  pattern_type: 'LITERAL' | 'PREFIXED';
}

/**
 * The Kafka ACL bindings one node of the project needs (an exposure's roles, a model's job and
 * connector principals and its deny policies, a continuous test's job): one resource
 * `kafka.acl.<node id>`.
 */
export interface AclSpec {
  /** The node id, e.g. `exposure.fraud_scoring`. */
  name: string;
  /** Unique, sorted by resource (type, name, pattern), then principal, operation, permission. */
  bindings: AclBinding[];
}

export type TopicArtifact = ArtifactBase & { spec: TopicSpec };
export type FlinkJobArtifact = ArtifactBase & { spec: FlinkJobSpec };
export type ConnectorArtifact = ArtifactBase & { spec: ConnectorSpec };
export type SchemaArtifact = ArtifactBase & { spec: SchemaSpecArtifact };
export type GatewayArtifact = ArtifactBase & { spec: GatewaySpec };
export type AclArtifact = ArtifactBase & { spec: AclSpec };

export interface Artifacts {
  topics: TopicArtifact[];
  flinkJobs: FlinkJobArtifact[];
  connectors: ConnectorArtifact[];
  schemas: SchemaArtifact[];
  gatewayRules: GatewayArtifact[];
  /** Empty unless runtime.kafka.acls is set. */
  acls: AclArtifact[];
}

export interface CompileOptions {
  /** Nodes to compile artifacts for (default: all). The manifest always describes the whole project. */
  selection?: ReadonlySet<NodeId>;
  /** Recorded in the manifest when given (the CLI passes its --select/--exclude). */
  selectors?: { select: string[]; exclude: string[] };
  /** ISO timestamp for `compiled_at`; the only part of the output that may differ between runs. */
  compiledAt?: string;
}

export interface CompileResult {
  manifest: Manifest;
  /** Relative path → content. Paths are sanitized and never leave the output folder. */
  files: Map<string, string>;
  artifacts: Artifacts;
  diagnostics: Diagnostic[];
  /** Placeholder → secret value, for apply to substitute in memory. Never written. */
  secrets: Map<string, string>;
}
