/**
 * The written DSL: what users may put in stream_project.yml, environments/*.yml and the resource
 * files. Objects are strict, so a misspelled key is an error and never silently dropped. Only
 * designated free-form maps (`config`, `meta`, `vars`, ...) accept any key.
 *
 * Aliases from the seeds and the Python reference implementation are accepted here and folded
 * into one shape by normalize.ts.
 */
import { z } from '../core/zod.js';

const str = (description: string) => z.string().describe(description);
const optStr = (description: string) => z.string().optional().describe(description);
const posInt = (description: string) => z.number().int().positive().describe(description);
const freeMap = (description: string) => z.record(z.string(), z.unknown()).describe(description);
const stringList = (description: string) => z.array(z.string()).describe(description);

export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Project names: like NAME_PATTERN without '.' (see ProjectInfoSchema.name). */
export const PROJECT_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const resourceName = z
  .string()
  .regex(NAME_PATTERN, 'names start with a letter or underscore and contain only letters, digits, "_", "." and "-"')
  .describe('Unique name (letters, digits, "_", "." and "-")');

// ---------------------------------------------------------------------------------------------
// Project, runtime, defaults, rules

export const ProjectInfoSchema = z
  .strictObject({
    // No '.' (the separator of `streamt.<project>.<model>` job and interceptor names, so that one
    // project's name prefix is never another's, e.g. `pay` and `pay.eu`) and no '/' (the separator
    // of the ownership record's keys `<project>/<addr>`).
    name: z
      .string()
      .regex(PROJECT_NAME_PATTERN, 'project names start with a letter or underscore and contain only letters, digits, "_" and "-" (no "." or "/": they separate the project from the resource in job names and ownership records; use e.g. "pay_eu" instead of "pay.eu")')
      .describe('Project identifier, used in job names and ownership labels (letters, digits, "_" and "-")'),
    version: z.union([z.string(), z.number()]).optional().describe('Semantic version of the project'),
    description: optStr('What this project is for'),
    default_environment: optStr('Environment used when neither --env nor STREAMT_ENV is given (like a dbt target)'),
  })
  .describe('Project identity');

/** A Kafka principal: `<type>:<name>`, e.g. User:alice. */
const KafkaPrincipal = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]*:.+$/, 'a Kafka principal is <type>:<name>, e.g. User:fraud-scoring')
  .describe('Kafka principal, e.g. User:fraud-scoring');

const KafkaRuntimeSchema = z
  .strictObject({
    bootstrap_servers: z
      .union([z.string(), z.array(z.string())])
      .describe('Kafka bootstrap servers, "host:port" (comma-separated string or list)'),
    bootstrap_servers_internal: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('Bootstrap servers as seen from inside Flink and Connect, when they differ'),
    security_protocol: z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).optional().describe('Kafka security protocol'),
    sasl_mechanism: z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional().describe('SASL mechanism'),
    sasl_username: optStr('SASL user name'),
    sasl_password: optStr('SASL password (use ${VAR})'),
    ssl_ca_location: optStr("Path to a PEM CA bundle for SSL, on this machine: streamt's own client reads it (Flink jobs and connectors cannot; see ssl_ca_pem)"),
    ssl_ca_pem: optStr('PEM CA certificates for SSL, inline (e.g. ${KAFKA_CA_PEM}): used by streamt and compiled into Flink jobs and connector overrides as ssl.truststore.certificates, so no file is needed on the Flink or Connect nodes'),
    client_id: optStr('Kafka client id used by streamt'),
    acls: z
      .strictObject({
        roles: z
          .record(z.string(), z.union([KafkaPrincipal, z.array(KafkaPrincipal).min(1)]))
          .optional()
          .describe('Role → Kafka principal(s), e.g. fraud-engine: User:fraud-scoring (the roles of exposures, allow and deny policies)'),
      })
      .optional()
      .describe("Kafka ACLs: when set, streamt grants each exposure, Flink job and connector exactly what it reads and writes, and manages those grants like every other resource (absent: streamt manages no ACL)"),
  })
  .describe('Kafka cluster connection');

/** The Kafka identity of a Flink or Connect cluster's clients, when it is not streamt's own. */
const ClusterKafkaIdentitySchema = z
  .strictObject({
    principal: KafkaPrincipal.optional().describe('The principal the ACLs are granted to (default: User:<sasl_username>); set it for mTLS or a custom principal builder'),
    sasl_username: optStr("SASL user name of the cluster's Kafka clients (same mechanism and protocol as runtime.kafka)"),
    sasl_password: optStr('SASL password (use ${VAR})'),
    ssl_truststore_location: optStr("Path of a PEM CA file on the cluster's own nodes (instead of runtime.kafka.ssl_ca_pem)"),
  })
  .describe("How the cluster's Kafka clients authenticate (default: with runtime.kafka's credentials)");

const SchemaRegistryRuntimeSchema = z
  .strictObject({
    url: str('Schema Registry base URL (Confluent-compatible API; a path prefix is allowed)'),
    username: optStr('HTTP basic auth user'),
    password: optStr('HTTP basic auth password (use ${VAR})'),
  })
  .describe('Schema Registry connection');

const FlinkClusterSchema = z
  .strictObject({
    type: z.enum(['rest', 'docker', 'kubernetes', 'confluent']).optional().describe('Cluster kind (default: rest)'),
    rest_url: optStr('Flink JobManager REST URL'),
    sql_gateway_url: optStr('Flink SQL Gateway URL'),
    version: z.union([z.string(), z.number()]).optional().describe('Flink version'),
    username: optStr('HTTP basic auth user'),
    password: optStr('HTTP basic auth password'),
    environment: optStr('Confluent Cloud environment id'),
    api_key: optStr('Confluent Cloud API key'),
    api_secret: optStr('Confluent Cloud API secret'),
    compute_pool_id: optStr('Confluent Cloud compute pool id'),
    region: optStr('Cloud region'),
    namespace: optStr('Kubernetes namespace'),
    kafka: ClusterKafkaIdentitySchema.optional(),
    kafka_connector: z
      .enum(['flink-sql-connector-kafka', 'flink-connector-kafka'])
      .optional()
      .describe("The Kafka connector jar on the cluster: flink-sql-connector-kafka (default; Kafka's classes are relocated under org.apache.flink.kafka.shaded, which the SASL login module must name) or flink-connector-kafka with kafka-clients"),
    checkpoint_dir: optStr("Where this cluster's jobs write their checkpoints (a URI, e.g. file:///data/flink/checkpoints or s3://bucket/checkpoints); default: the cluster's own execution.checkpointing.dir"),
    savepoint_dir: optStr("Where streamt's stop-with-savepoint (upgrades, pause_model) writes savepoints (a URI, sent with each stop request); default: the cluster's own execution.checkpointing.savepoint-dir"),
  })
  .describe('One Flink cluster');

const FlinkRuntimeSchema = z
  .strictObject({
    default: optStr('Name of the default cluster'),
    clusters: z.record(z.string(), FlinkClusterSchema).optional().describe('Flink clusters by name'),
  })
  .describe('Flink clusters');

const ConnectClusterSchema = z
  .strictObject({
    rest_url: str('Kafka Connect REST URL'),
    username: optStr('HTTP basic auth user'),
    password: optStr('HTTP basic auth password'),
    kafka: ClusterKafkaIdentitySchema.optional().describe("The Kafka identity of this cluster's sink connectors: with sasl_username, each connector's consumer authenticates with it (consumer.override.*, allowed by the worker's default connector.client.config.override.policy=All); with only principal, the worker's own principal"),
  })
  .describe('One Kafka Connect cluster');

const ConnectRuntimeSchema = z
  .strictObject({
    default: optStr('Name of the default cluster'),
    clusters: z.record(z.string(), ConnectClusterSchema).optional().describe('Connect clusters by name'),
  })
  .describe('Kafka Connect clusters');

const GatewayRuntimeSchema = z
  .strictObject({
    admin_url: optStr('Conduktor Gateway admin API URL (v2)'),
    url: optStr('Alias of admin_url (reference implementation)'),
    proxy_bootstrap: optStr('Gateway Kafka proxy bootstrap address'),
    username: optStr('Admin API user'),
    password: optStr('Admin API password'),
    virtual_cluster: optStr('Gateway virtual cluster (vCluster)'),
    kms: freeMap("KMS configuration of the Gateway's EncryptPlugin (kmsConfig: vault, aws, azure, gcp), for encrypt policies").optional(),
  })
  .describe('Conduktor Gateway; its presence enables virtual topics');

const ConduktorRuntimeSchema = z
  .strictObject({
    gateway: GatewayRuntimeSchema.optional(),
    console: z
      .strictObject({ url: optStr('Console URL'), api_key: optStr('Console API key') })
      .optional()
      .describe('Conduktor Console'),
  })
  .describe('Conduktor platform');

export const RuntimeSchema = z
  .strictObject({
    kafka: KafkaRuntimeSchema.optional(),
    schema_registry: SchemaRegistryRuntimeSchema.optional(),
    flink: FlinkRuntimeSchema.optional(),
    connect: ConnectRuntimeSchema.optional(),
    conduktor: ConduktorRuntimeSchema.optional(),
  })
  .describe('Connections to the live systems');

const TopicSettingsSchema = z
  .strictObject({
    name: optStr('Kafka topic name (default: the model name)'),
    partitions: posInt('Number of partitions').optional(),
    replication_factor: posInt('Replication factor').optional(),
    config: freeMap('Kafka topic configs, e.g. retention.ms, cleanup.policy').optional(),
  })
  .describe('Output topic settings');

const FlinkSettingsSchema = z
  .strictObject({
    parallelism: posInt('Job parallelism').optional(),
    checkpoint_interval_ms: posInt('Checkpoint interval in ms').optional(),
    checkpoint_interval: posInt('Alias of checkpoint_interval_ms').optional(),
    restart_strategy: z.enum(['exponential-delay', 'fixed-delay', 'none']).optional().describe('How a failed job restarts (default: exponential-delay)'),
    restart_attempts: z.number().int().min(1).optional().describe('Restart attempts before the job is FAILED (default: 10; for exponential-delay, counted again after an hour without failure)'),
    delivery: z.enum(['at_least_once', 'exactly_once']).optional().describe('Delivery guarantee of the Kafka sink (default: at_least_once; exactly_once writes in Kafka transactions committed on each checkpoint)'),
    state_backend: z.enum(['hashmap', 'rocksdb', 'filesystem', 'memory']).optional().describe("State backend (state.backend.type): hashmap keeps state on the heap, rocksdb on local disk; filesystem and memory are older names of hashmap. Default: the cluster's"),
    state_ttl_ms: z.number().int().describe('Idle state retention in ms (0 disables)').optional(),
  })
  .describe('Flink job settings');

export const DefaultsSchema = z
  .strictObject({
    topic: TopicSettingsSchema.omit({ name: true }).optional().describe('Defaults for every output topic'),
    models: z
      .strictObject({
        cluster: optStr('Default Kafka cluster'),
        topic: TopicSettingsSchema.omit({ name: true }).optional(),
        flink: FlinkSettingsSchema.optional(),
        flink_cluster: optStr('Default Flink cluster'),
        connect_cluster: optStr('Default Connect cluster'),
        output_format: z
          .enum(['avro', 'json'])
          .optional()
          .describe('Value format of every model\'s topic and its output schema (Avro subject, or JSON Schema); without it, Avro when runtime.schema_registry is configured, else JSON: see docs/schemas.md'),
      })
      .optional()
      .describe('Defaults for models'),
    tests: z
      .strictObject({
        flink_cluster: optStr('Flink cluster for continuous tests'),
        sample_size: posInt('Default sample size for sample tests').optional(),
      })
      .optional()
      .describe('Defaults for tests'),
  })
  .describe('Default values applied to every resource');

export const RulesSchema = z
  .strictObject({
    topics: z
      .strictObject({
        min_partitions: posInt('Minimum partitions').optional(),
        max_partitions: posInt('Maximum partitions').optional(),
        min_replication_factor: posInt('Minimum replication factor').optional(),
        max_replication_factor: posInt('Maximum replication factor').optional(),
        required_config: stringList('Topic configs every topic must set').optional(),
        naming_pattern: optStr('Regular expression every topic name must match (anchored)'),
        forbidden_prefixes: stringList('Prefixes no topic name may start with').optional(),
        forbidden_suffixes: stringList('Suffixes no topic name may end with').optional(),
      })
      .optional()
      .describe('Rules for topics created by the project'),
    models: z
      .strictObject({
        require_description: z.boolean().optional().describe('Every model needs a description'),
        require_owner: z.boolean().optional().describe('Every model needs an owner'),
        require_tests: z.boolean().optional().describe('Every model needs at least one test'),
        max_dependencies: posInt('Maximum number of inputs per model').optional(),
        allowed_materializations: z
          .array(z.enum(['topic', 'virtual_topic', 'flink', 'sink']))
          .optional()
          .describe('Materializations models may use'),
        required_tags: stringList('Tags every model must carry').optional(),
      })
      .optional()
      .describe('Rules for models'),
    sources: z
      .strictObject({
        require_schema: z.boolean().optional().describe('Every source needs a schema'),
        require_freshness: z.boolean().optional().describe('Every source needs a freshness SLA'),
        require_description: z.boolean().optional().describe('Every source needs a description'),
        require_owner: z.boolean().optional().describe('Every source needs an owner'),
        require_columns: z.boolean().optional().describe('Every source declares its columns'),
      })
      .optional()
      .describe('Rules for sources'),
    security: z
      .strictObject({
        require_classification: z.boolean().optional().describe('Every declared column needs a classification'),
        sensitive_columns_require_masking: z
          .boolean()
          .optional()
          .describe('Sensitive and highly sensitive columns must be masked downstream'),
        allowed_classifications: z
          .union([
            z.array(z.enum(['public', 'internal', 'confidential', 'sensitive', 'highly_sensitive'])),
            z.partialRecord(z.enum(['public', 'protected', 'private']), z.array(z.enum(['public', 'internal', 'confidential', 'sensitive', 'highly_sensitive']))),
          ])
          .optional()
          .describe('Classifications a model may write (after masking): a list for every model, or per access level (public: [public, internal])'),
        pii_column_patterns: stringList('Regular expressions of column names that hold personal data: such columns must be classified sensitive or highly_sensitive').optional(),
      })
      .optional()
      .describe('Security rules'),
  })
  .describe('Governance rules, checked at validate time (fail closed)');

// ---------------------------------------------------------------------------------------------
// Shared pieces of resources

export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'sensitive', 'highly_sensitive'] as const;
const Classification = z.enum(CLASSIFICATIONS).describe('Data classification');

const ColumnSchema = z
  .strictObject({
    name: str('Column name'),
    type: optStr('Flink SQL type, e.g. STRING, BIGINT, DECIMAL(10, 2), TIMESTAMP(3)'),
    data_type: optStr('Alias of type (dbt style)'),
    description: optStr('What the column holds'),
    classification: Classification.optional(),
    proctime: z.boolean().optional().describe('A processing-time attribute computed by Flink'),
    nullable: z.boolean().optional().describe('Whether the column may be null'),
    tags: stringList('Tags').optional(),
  })
  .describe('A column');

/** `{ref: x}`, `{source: x}`, `{model: x}`, or a string: `x`, `ref("x")`, `source("x")`. */
const RefEntry = z.union(
  [
    z.string(),
    z.strictObject({ ref: z.string(), version: z.number().int().positive().optional().describe('The model version read (default: the latest)') }),
    z.strictObject({ source: z.string() }),
    z.strictObject({ model: z.string(), version: z.number().int().positive().optional().describe('The model version read (default: the latest)') }),
  ],
  { error: 'expected a name, ref("name"), ref("name", version=N), source("name") or an object {ref|source|model: name} (refs may add version: N)' },
);

const FromSchema = z
  .union(
    [
      z.string(),
      z.array(RefEntry),
      z.strictObject({
        ref: z.string().optional(),
        source: z.string().optional(),
        model: z.string().optional(),
        refs: z.array(z.string()).optional(),
        sources: z.array(z.string()).optional(),
        models: z.array(z.string()).optional(),
      }),
    ],
    { error: 'expected a name, a list of names or {ref|source|model: name} entries' },
  )
  .describe('Inputs of the model (inferred from the SQL when absent)');

const EventTimeSchema = z
  .strictObject({
    column: str('Event-time column'),
    watermark: z
      .strictObject({
        strategy: z.enum(['bounded_out_of_orderness', 'monotonously_increasing']).optional(),
        max_out_of_orderness_ms: z.number().int().nonnegative().optional(),
      })
      .optional()
      .describe('Watermark strategy'),
    allowed_lateness_ms: z.number().int().nonnegative().optional().describe('Allowed lateness in ms'),
  })
  .describe('Event-time attribute and watermark');

const SchemaBlock = z
  .strictObject({
    registry: optStr('Registry name (informational)'),
    subject: optStr('Registry subject (default: <topic>-value); without a definition, its columns come from schemas.lock.yml (streamt schemas pull)'),
    format: z.enum(['avro', 'json', 'protobuf', 'AVRO', 'JSON', 'PROTOBUF', 'json_schema']).optional().describe('Schema format'),
    definition: z.union([z.string(), z.record(z.string(), z.unknown())]).optional().describe('Inline schema definition (Avro, JSON Schema or Protobuf); the source\'s columns are derived from it'),
    version: z.union([z.number().int(), z.literal('latest')]).optional().describe('Registered version to use (default: the newest version in schemas.lock.yml)'),
    message: optStr('Protobuf: the message that is the topic\'s value (default: the first message of the file)'),
    compatibility: z
      .enum(['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'])
      .optional()
      .describe('Compatibility level for the subject'),
  })
  .describe('Schema of the topic values');

const SlaSchema = z
  .strictObject({
    availability: z.union([z.string(), z.number()]).optional(),
    max_produce_latency_ms: z.number().optional(),
    max_end_to_end_latency_ms: z.number().optional(),
    max_lag_messages: z.number().optional(),
    max_lag_seconds: z.number().optional(),
    max_lag_minutes: z.number().optional(),
    max_error_rate: z.number().optional(),
    min_throughput_per_second: z.number().optional(),
  })
  .describe('Service level expectations');

const FreshnessSchema = z
  .strictObject({
    max_lag_seconds: z.number().optional(),
    warn_after_seconds: z.number().optional(),
    max_lag_minutes: z.number().optional(),
  })
  .describe('Freshness expectation');

/** pii_tags (seeds): a map column → classification, or a list of one-entry maps. */
const PiiTags = z
  .union([z.record(z.string(), Classification), z.array(z.record(z.string(), Classification))], {
    error: 'expected a map column: classification, or a list of such maps',
  })
  .describe('Column classification (seeds syntax)');

const common = {
  description: optStr('Description, shown in docs'),
  owner: optStr('Owning team or person'),
  tags: stringList('Tags for selection and docs').optional(),
  meta: freeMap('Free-form metadata').optional(),
};

// ---------------------------------------------------------------------------------------------
// Sources

/** CDC formats Flink reads from Kafka (`debezium-avro` is Flink's debezium-avro-confluent). */
export const CDC_FORMATS = ['debezium-json', 'debezium-avro', 'canal-json', 'maxwell-json'] as const;
export const SOURCE_CHANGELOGS = ['append', 'upsert', ...CDC_FORMATS] as const;

export const SourceSchema = z
  .strictObject({
    name: resourceName,
    ...common,
    type: z.enum(['kafka_topic']).optional().describe('Source kind (only kafka_topic)'),
    topic: str('Physical Kafka topic name').optional(),
    cluster: optStr('Kafka cluster name'),
    schema: SchemaBlock.optional(),
    schema_: SchemaBlock.optional().describe('Alias of schema (reference implementation)'),
    schema_ref: optStr('Registry subject reference, e.g. sr://payments.raw.v1 or schema_registry:subject'),
    key: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('Message key column(s); the primary key of an upsert or CDC source (required for them)'),
    key_format: z.enum(['raw', 'json']).optional().describe('How the message key is encoded, for an upsert source: raw (a plain string; the default for one character column) or json'),
    changelog: z
      .union([
        z.enum(SOURCE_CHANGELOGS),
        z.strictObject({
          format: z.enum(CDC_FORMATS).describe('The CDC format of the values'),
          schema_include: z.boolean().optional().describe('debezium-json: each record carries its schema (Kafka Connect\'s JsonConverter with schemas.enable=true)'),
        }),
      ])
      .optional()
      .describe(
        'What a record means: append (default: each record is an event), upsert (a compacted topic: the latest value per key, a null value deletes it; read with upsert-kafka), or a CDC format: debezium-json, debezium-avro (Schema Registry), canal-json, maxwell-json (inserts, updates and deletes of a database table). Upsert and CDC sources are changelogs: they need key:, and they can be the versioned side of an event-time temporal join',
      ),
    columns: z.array(ColumnSchema).optional(),
    pii_tags: PiiTags.optional(),
    freshness: FreshnessSchema.optional(),
    sla: SlaSchema.optional(),
    event_time: EventTimeSchema.optional(),
    access: z.enum(['private', 'protected', 'public']).optional().describe('Who may read this source'),
    group: optStr('Group allowed to reference it'),
  })
  .describe('An existing Kafka topic the project reads');

// ---------------------------------------------------------------------------------------------
// Models

const MaskMethod = z.enum(['hash', 'redact', 'partial', 'tokenize', 'tokenization', 'null']);
const PolicySchema = z.union(
  [
    z.strictObject({
      mask: z.strictObject({
        column: str('Column to mask'),
        method: MaskMethod.optional().describe('hash, redact, partial, tokenize or null'),
        for_roles: stringList('Roles that see the masked value').optional(),
        keep_last: z.number().int().min(0).optional().describe('partial: how many trailing characters stay visible (default 4)'),
        applied_in: z.array(z.strictObject({ roles: z.array(z.string()) })).optional().describe('Seeds syntax of for_roles'),
      }),
    }),
    z.strictObject({
      encrypt: z.strictObject({
        column: str('Column to encrypt'),
        key: str('KMS key reference, e.g. kms://prod/payments'),
        for_roles: stringList('Roles that see the encrypted value').optional(),
      }),
    }),
    z.strictObject({
      allow: z.strictObject({ roles: z.array(z.string()), purpose: z.string().optional() }),
    }),
    z.strictObject({ deny: z.strictObject({ roles: z.array(z.string()) }) }),
  ],
  { error: 'expected one of mask, encrypt, allow or deny' },
);

const SecuritySchema = z
  .strictObject({
    classification: z.record(z.string(), Classification).optional().describe('Column → classification'),
    policies: z.array(PolicySchema).optional().describe('Masking, encryption and access policies'),
  })
  .describe('Security declarations');

const SinkSchema = z
  .strictObject({
    connector: optStr('Connector type from the catalogue (e.g. jdbc-sink) or a connector class'),
    type: optStr('Connector type (alias of connector in `connector:` blocks)'),
    config: freeMap('Connector configuration').optional(),
    cluster: optStr('Connect cluster'),
    topic: optStr('Topic to read (default: the inputs\' topics)'),
  })
  .describe('Kafka Connect sink');

const MlOutputSchema = z.union([
  z.strictObject({ columns: z.array(ColumnSchema), description: z.string().optional() }),
  z.record(z.string(), z.string()),
]);

const AdvancedSchema = z
  .strictObject({
    flink: FlinkSettingsSchema.optional(),
    topic: TopicSettingsSchema.optional(),
    flink_cluster: optStr('Flink cluster for this model'),
    connect_cluster: optStr('Connect cluster for this model'),
    event_time: EventTimeSchema.optional(),
    connector: SinkSchema.optional(),
    sink: SinkSchema.optional(),
  })
  .describe('Framework details, for when the defaults are not enough');

export const MATERIALIZATIONS = ['topic', 'virtual_topic', 'flink', 'sink'] as const;

export const ModelSchema = z
  .strictObject({
    name: resourceName,
    ...common,
    materialized: z
      .enum(['topic', 'virtual_topic', 'flink', 'sink', 'flink_stream'])
      .optional()
      .describe('topic, virtual_topic, flink or sink (inferred from the SQL when absent)'),
    sql: optStr('Flink SQL SELECT; use {{ source("x") }} and {{ ref("x") }} to read inputs'),
    from: FromSchema.optional(),
    key: z.union([z.string(), z.array(z.string())]).optional().describe('Message key column(s); also the upsert primary key'),
    columns: z.array(ColumnSchema).optional(),
    security: SecuritySchema.optional(),
    sink: SinkSchema.optional(),
    connector: SinkSchema.optional().describe('Alias of sink (reference implementation)'),
    gateway: z
      .strictObject({
        virtual_topic: z
          .union([z.strictObject({ name: z.string().optional(), compression: z.string().optional() }), z.boolean(), z.string()])
          .optional(),
      })
      .optional()
      .describe('Gateway settings for virtual topics'),
    ml_outputs: z.record(z.string(), MlOutputSchema).optional().describe('Output columns of ML_PREDICT models'),
    advanced: AdvancedSchema.optional(),
    topic: TopicSettingsSchema.optional().describe('Output topic (same as advanced.topic)'),
    flink: FlinkSettingsSchema.optional().describe('Flink settings (same as advanced.flink)'),
    flink_cluster: optStr('Flink cluster (same as advanced.flink_cluster)'),
    connect_cluster: optStr('Connect cluster (same as advanced.connect_cluster)'),
    cluster: optStr('Kafka cluster'),
    event_time: EventTimeSchema.optional(),
    access: z.enum(['private', 'protected', 'public']).optional().describe('Who may reference this model'),
    group: optStr('Group the model belongs to (for access control)'),
    version: z.number().int().positive().optional().describe('Model version: deploys to the topic <topic>.v<N> as node <name>_v<N>; several entries with one name and distinct versions run side by side, ref("name", version=N) pins one (see docs/schemas.md)'),
    deprecation_date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}/, { error: 'expected a date YYYY-MM-DD' })
      .optional()
      .describe('Date (YYYY-MM-DD) after which this model (version) is deprecated; shown in plan, lineage and docs'),
    output_format: z
      .enum(['avro', 'json'])
      .optional()
      .describe('Value format of the output topic: avro (an Avro subject <topic>-value, needs runtime.schema_registry) or json (its JSON Schema is registered when a registry is configured); default: defaults.models.output_format, else Avro when runtime.schema_registry is configured and a Flink job writes the topic, JSON otherwise. Changing the format of a topic already written is a breaking change (see docs/plan-apply.md)'),
    contract: z
      .strictObject({ enforced: z.boolean() })
      .optional()
      .describe('contract: {enforced: true} makes the declared columns and types binding: the SQL must produce exactly them'),
    config: z
      .strictObject({ contract: z.strictObject({ enforced: z.boolean() }).optional() })
      .optional()
      .describe('Model configuration (dbt style); config.contract.enforced is contract.enforced'),
  })
  .describe('A transformation producing a stream');

// ---------------------------------------------------------------------------------------------
// Tests

const windowStr = z.union([z.string(), z.number()]).describe('Window, e.g. "15 minutes" or seconds');
export const AssertionSchemas = {
  not_null: z.strictObject({ columns: z.array(z.string()).min(1) }),
  accepted_values: z.strictObject({ column: z.string(), values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) }),
  allowed_values: z.strictObject({ column: z.string(), values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) }),
  range: z.strictObject({ column: z.string(), min: z.number().optional(), max: z.number().optional() }),
  accepted_types: z.union([
    z.strictObject({ types: z.record(z.string(), z.string()) }),
    z.record(z.string(), z.string()),
  ]),
  unique_key: z.strictObject({ key: z.union([z.string(), z.array(z.string())]), window: windowStr.optional(), tolerance: z.number().min(0).optional() }),
  foreign_key: z.strictObject({
    column: z.string(),
    ref_model: z.string(),
    ref_key: z.string().optional(),
    window: windowStr.optional(),
  }),
  max_lag: z.strictObject({ column: z.string().optional(), max_seconds: z.number().positive().optional(), seconds: z.number().positive().optional() }),
  max_latency: z.strictObject({ source: z.string().optional(), target: z.string().optional(), max_ms: z.number().positive() }),
  throughput: z.strictObject({ min_per_second: z.number().min(0).optional(), max_per_second: z.number().positive().optional() }),
  distribution: z.strictObject({
    column: z.string(),
    buckets: z.array(
      z.strictObject({
        min: z.number().optional(),
        max: z.number().optional(),
        value: z.union([z.string(), z.number(), z.boolean()]).optional(),
        min_ratio: z.number().min(0).max(1).optional(),
        max_ratio: z.number().min(0).max(1).optional(),
      }),
    ),
  }),
  schema: z
    .strictObject({ columns: z.array(z.string()).min(1).optional() })
    .describe('Continuous tests: each record is a JSON object whose declared columns (or the listed ones) read as their declared types, NOT NULL ones present'),
  custom_sql: z.strictObject({
    sql: z.string().optional(),
    expect: z.union([z.string(), z.number()]).optional(),
    name: z.string().optional(),
    where: z.string().optional(),
    detail_column: z.string().optional(),
  }),
} as const;
export type AssertionName = keyof typeof AssertionSchemas;

/** Each assertion is a one-key map; the key is checked by the normalizer for a precise message. */
const AssertionSchema = z.record(z.string(), z.unknown()).describe('One assertion: {not_null: {...}}, {range: {...}}, ...');

const ActionSchema = z.record(z.string(), z.unknown()).describe('One action: alert, dlq, pause_model, block_deploy');

const OnFailureSchema = z.union([
  z.strictObject({
    severity: z.enum(['error', 'warn', 'warning']).optional(),
    actions: z.array(ActionSchema).optional(),
  }),
  z.array(ActionSchema),
]);

export const TestSchema = z
  .strictObject({
    name: resourceName,
    description: optStr('What the test checks'),
    model: str('Model or source under test'),
    type: z.enum(['schema', 'sample', 'continuous', 'streaming']).describe('schema, sample or continuous'),
    assertions: z.array(AssertionSchema).describe('Assertions'),
    sample_size: posInt('Records to read (sample tests)').optional(),
    timeout: z.union([z.string(), z.number()]).optional().describe('How long a sample test may read'),
    flink_cluster: optStr('Flink cluster (continuous tests)'),
    severity: z.enum(['error', 'warn', 'warning']).optional().describe('error fails the run, warn only reports'),
    warn_if: optStr('Threshold, e.g. ">0" or ">=10"'),
    error_if: optStr('Threshold, e.g. ">0"'),
    on_failure: OnFailureSchema.optional().describe('Actions on failure'),
    tags: stringList('Tags').optional(),
    meta: freeMap('Free-form metadata').optional(),
  })
  .describe('A data test');

// ---------------------------------------------------------------------------------------------
// Exposures

export const EXPOSURE_TYPES = ['application', 'dashboard', 'ml_training', 'ml_inference', 'api', 'notebook', 'analysis'] as const;

export const ExposureSchema = z
  .strictObject({
    name: resourceName,
    ...common,
    type: z.enum(EXPOSURE_TYPES).describe('application, dashboard, ml_training, ml_inference or api'),
    role: z.enum(['producer', 'consumer', 'both']).optional().describe('For applications: producer, consumer or both'),
    url: optStr('Link to the repository, dashboard, ...'),
    repo: optStr('Repository URL'),
    language: optStr('Implementation language'),
    tool: optStr('Tool (dashboards)'),
    produces: z.array(RefEntry).optional().describe('Sources this exposure writes'),
    consumes: z.array(RefEntry).optional().describe('Models or sources this exposure reads'),
    depends_on: z.array(RefEntry).optional().describe('Models or sources this exposure depends on'),
    consumer_group: optStr('Kafka consumer group: lag in status, and the group its roles may use (runtime.kafka.acls)'),
    group: optStr('Group the exposure belongs to: it may read private models and sources of that group'),
    consumer_config: z
      .strictObject({ consumer_group: z.string().optional(), max_lag_messages: z.number().optional() })
      .optional(),
    sla: SlaSchema.optional(),
    contracts: z
      .strictObject({
        schema: z.enum(['strict', 'lenient', 'none']).optional().describe('strict: the level is transitive (alone: BACKWARD_TRANSITIVE); none: no level asked'),
        versioning: z.string().optional().describe('backward, forward, full or none (optionally _transitive): the compatibility level of the model subjects this exposure reads'),
        compatibility: z.string().optional().describe('A registry compatibility level, as is (BACKWARD, FULL_TRANSITIVE, ...); wins over versioning'),
      })
      .optional()
      .describe('Contract expectations: the compatibility level of the registry subjects of the models it reads (planned and applied; several exposures combine to the weakest level satisfying all). See docs/schemas.md#contracts-and-versions'),
    access: z
      .strictObject({
        roles: z.array(z.string()).optional(),
        allowed_roles: z.array(z.string()).optional(),
        purpose: z.string().optional(),
      })
      .optional()
      .describe('Who uses it and why'),
    freshness: FreshnessSchema.optional(),
    schedule: optStr('Schedule (batch consumers)'),
    data_requirements: freeMap('Free-form requirements').optional(),
  })
  .describe('A producer or consumer outside the project (app, dashboard, ML job)');

// ---------------------------------------------------------------------------------------------
// Files

export const ResourceSections = {
  sources: SourceSchema,
  models: ModelSchema,
  tests: TestSchema,
  exposures: ExposureSchema,
} as const;
export type SectionName = keyof typeof ResourceSections;
export const SECTION_NAMES = Object.keys(ResourceSections) as SectionName[];

/** Top-level keys of stream_project.yml. Sections are validated entry by entry, for precise errors. */
export const ProjectFileSchema = z
  .strictObject({
    project: ProjectInfoSchema,
    runtime: RuntimeSchema.optional(),
    defaults: DefaultsSchema.optional(),
    rules: RulesSchema.optional(),
    vars: freeMap('Variables for {{ var("name") }}').optional(),
    sources: z.array(SourceSchema).optional(),
    models: z.array(ModelSchema).optional(),
    tests: z.array(TestSchema).optional(),
    exposures: z.array(ExposureSchema).optional(),
  })
  .describe('stream_project.yml');

export const ResourceFileSchema = z
  .strictObject({
    sources: z.array(SourceSchema).optional(),
    models: z.array(ModelSchema).optional(),
    tests: z.array(TestSchema).optional(),
    exposures: z.array(ExposureSchema).optional(),
  })
  .describe('A file under sources/, models/, tests/ or exposures/');

export const EnvironmentFileSchema = z
  .strictObject({
    environment: z
      .strictObject({
        name: optStr('Must equal the file name'),
        description: optStr('Shown by envs list'),
        protected: z.boolean().optional().describe('Apply asks for confirmation'),
      })
      .optional(),
    runtime: RuntimeSchema.optional().describe('Merged over the runtime: of stream_project.yml, key by key'),
    safety: z
      .strictObject({
        confirm_apply: z.boolean().optional(),
        allow_destructive: z.boolean().optional().describe('false blocks plans with deletes or replaces unless --force'),
      })
      .optional(),
    vars: freeMap('Variables overriding the project vars').optional(),
  })
  .describe('environments/<name>.yml');

export type WrittenProjectFile = z.infer<typeof ProjectFileSchema>;
export type WrittenSource = z.infer<typeof SourceSchema>;
export type WrittenModel = z.infer<typeof ModelSchema>;
export type WrittenTest = z.infer<typeof TestSchema>;
export type WrittenExposure = z.infer<typeof ExposureSchema>;
export type WrittenEnvironment = z.infer<typeof EnvironmentFileSchema>;
export type Runtime = z.infer<typeof RuntimeSchema>;
export type Defaults = z.infer<typeof DefaultsSchema>;
export type Rules = z.infer<typeof RulesSchema>;
