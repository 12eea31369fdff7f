/**
 * The normalized project: one shape per concept, whatever alias the YAML used. Every node keeps
 * where it was declared so later phases can point at the user's file.
 */
import type { Defaults, Rules, Runtime } from './schema.js';
import type { Loc, PathSegment } from './yaml.js';

export type Materialization = 'topic' | 'virtual_topic' | 'flink' | 'sink';
export type Classification = 'public' | 'internal' | 'confidential' | 'sensitive' | 'highly_sensitive';
export type NodeKind = 'source' | 'model' | 'test' | 'exposure';
export type NodeId = `${NodeKind}.${string}`;

/** Resolves a path inside the node's YAML entry to a position (key or value). */
export type Locator = (path?: readonly PathSegment[], which?: 'key' | 'value') => Loc;
/** Resolves a 1-based line/column inside a string value (e.g. the SQL) to a file position. */
export type StringLocator = (path: readonly PathSegment[], line: number, column: number) => Loc;

export interface Column {
  name: string;
  type?: string;
  description?: string;
  classification?: Classification;
  proctime?: boolean;
  nullable?: boolean;
  tags?: string[];
}

export interface EventTime {
  column: string;
  watermark: { strategy: 'bounded_out_of_orderness' | 'monotonously_increasing'; maxOutOfOrdernessMs: number };
  allowedLatenessMs?: number;
}

export interface InputRef {
  kind: 'source' | 'model' | 'any';
  name: string;
  /** Where in the YAML entry the reference was written. */
  path: PathSegment[];
  /** The model version pinned (`{ref: m, version: 1}`, `ref("m", version=1)`); absent: the latest. */
  version?: number;
  /** Where the pinned version was written (the `version` key, or the ref string). */
  versionPath?: PathSegment[];
}

interface NodeBase {
  name: string;
  id: NodeId;
  /** File the node was declared in, relative to the project root. */
  file: string;
  loc: Loc;
  at: Locator;
  atString: StringLocator;
  description?: string;
  owner?: string;
  tags: string[];
  meta: Record<string, unknown>;
}

export interface SchemaSpec {
  subject?: string;
  format?: 'avro' | 'json' | 'protobuf';
  definition?: string;
  version?: number | 'latest';
  compatibility?: string;
  registry?: string;
  /** Protobuf: the message of the file that is the topic's value (default: the first). */
  message?: string;
}

/** What a source's columns were derived from (set by resolve from the schema or the schema lock). */
export interface DerivedSchemaInfo {
  format: 'avro' | 'json' | 'protobuf';
  origin: 'definition' | 'lock';
  /** Format options the schema needs to be read as mapped (e.g. ISO-8601 timestamps in JSON). */
  formatOptions: Record<string, string>;
  subject?: string;
  version?: number;
  id?: number;
}

/** What a source's records mean: events (append), the latest value per key (upsert), or CDC changes. */
export type SourceChangelog =
  | { kind: 'append' }
  | { kind: 'upsert' }
  | { kind: 'cdc'; format: 'debezium-json' | 'debezium-avro' | 'canal-json' | 'maxwell-json'; schemaInclude: boolean };

export interface SourceNode extends NodeBase {
  kind: 'source';
  topic?: string;
  cluster?: string;
  /** Message key column(s): the primary key of an upsert or CDC source. */
  key: string[];
  keyFormat?: 'raw' | 'json';
  changelog: SourceChangelog;
  schema?: SchemaSpec;
  columns: Column[];
  /** Set by resolve when the columns come from the schema (inline definition or lock). */
  derivedSchema?: DerivedSchemaInfo;
  freshness?: { maxLagSeconds?: number; warnAfterSeconds?: number };
  sla?: Record<string, unknown>;
  eventTime?: EventTime;
  access?: 'private' | 'protected' | 'public';
  group?: string;
}

export interface TopicSettings {
  name?: string;
  partitions?: number;
  replicationFactor?: number;
  config: Record<string, string>;
}

export interface FlinkSettings {
  parallelism?: number;
  checkpointIntervalMs?: number;
  stateBackend?: string;
  stateTtlMs?: number;
  restartStrategy?: 'exponential-delay' | 'fixed-delay' | 'none';
  restartAttempts?: number;
  delivery?: 'at_least_once' | 'exactly_once';
}

export interface SinkSettings {
  connector: string;
  config: Record<string, unknown>;
  cluster?: string;
  topic?: string;
}

export type Policy =
  | { kind: 'mask'; column: string; method: 'hash' | 'redact' | 'partial' | 'tokenize' | 'null'; forRoles: string[]; path: PathSegment[]; keepLast?: number }
  | { kind: 'encrypt'; column: string; key: string; forRoles: string[]; path: PathSegment[] }
  | { kind: 'allow'; roles: string[]; purpose?: string; path: PathSegment[] }
  | { kind: 'deny'; roles: string[]; path: PathSegment[] };

export interface ModelNode extends NodeBase {
  kind: 'model';
  /** As written, with templates. */
  sql?: string;
  /** Explicit materialization, if the user wrote one. */
  declaredMaterialized?: Materialization;
  from: InputRef[];
  /** True when `from:` was written (so SQL refs should match it). */
  hasFrom: boolean;
  key: string[];
  columns: Column[];
  topic: TopicSettings;
  flink: FlinkSettings;
  flinkCluster?: string;
  connectCluster?: string;
  cluster?: string;
  sink?: SinkSettings;
  /** Gateway virtual topic explicitly requested. */
  virtualTopic?: { name?: string; compression?: string };
  eventTime?: EventTime;
  classification: Record<string, Classification>;
  policies: Policy[];
  mlOutputs: Record<string, Column[]>;
  access: 'private' | 'protected' | 'public';
  group?: string;
  version?: number;
  /** The name written in the YAML when the node is one version of a versioned model (`name` is then `<base>_v<N>`). */
  baseName?: string;
  /** ISO date (YYYY-MM-DD) after which the model (version) is deprecated. */
  deprecationDate?: string;
  /** Declared value format of the output topic (model, else defaults.models.output_format). */
  outputFormat?: 'avro' | 'json';
  contractEnforced: boolean;
  /** Where the contract was declared (`contract` or `config.contract`). */
  contractAt?: PathSegment[];
}

export type AssertionSpec = { type: string; config: Record<string, unknown>; path: PathSegment[] };
export type FailureAction = { type: string; config: Record<string, unknown>; path: PathSegment[] };

export interface TestNode extends NodeBase {
  kind: 'test';
  target: string;
  type: 'schema' | 'sample' | 'continuous';
  assertions: AssertionSpec[];
  sampleSize?: number;
  timeout?: string | number;
  flinkCluster?: string;
  severity: 'error' | 'warn';
  warnIf?: string;
  errorIf?: string;
  actions: FailureAction[];
}

export interface ExposureNode extends NodeBase {
  kind: 'exposure';
  type: string;
  role?: 'producer' | 'consumer' | 'both';
  url?: string;
  repo?: string;
  language?: string;
  tool?: string;
  produces: InputRef[];
  consumes: InputRef[];
  dependsOn: InputRef[];
  consumerGroup?: string;
  /** Group the exposure belongs to (it may read private models and sources of that group). */
  group?: string;
  sla?: Record<string, unknown>;
  access?: { roles: string[]; purpose?: string };
  freshness?: Record<string, unknown>;
  contracts?: Record<string, unknown>;
}

export type ProjectNode = SourceNode | ModelNode | TestNode | ExposureNode;

export interface EnvironmentInfo {
  name: string;
  description?: string;
  protected: boolean;
  confirmApply: boolean;
  allowDestructive: boolean;
  file: string;
}

export interface Project {
  name: string;
  version?: string;
  description?: string;
  /** Absolute path of the project folder. */
  root: string;
  projectFile: string;
  environment?: EnvironmentInfo;
  runtime: Runtime;
  /** Where runtime keys were declared (project file or environment file). */
  runtimeAt: Locator;
  defaults: Defaults;
  rules: Rules;
  rulesAt: Locator;
  vars: Record<string, unknown>;
  sources: SourceNode[];
  models: ModelNode[];
  tests: TestNode[];
  exposures: ExposureNode[];
  /** schemas.lock.yml, when the project has one (see src/schemas/lock.ts). */
  schemaLock?: import('../schemas/lock.js').SchemaLock;
  /** Resolved secret values: never printed, never written. */
  secrets: string[];
  /** Environment variables available to env_var() (process env over .env files). */
  env: Readonly<Record<string, string | undefined>>;
}
