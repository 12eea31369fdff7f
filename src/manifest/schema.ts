/**
 * The manifest (`generated/manifest.json`): the compiled project as a contract between compile and
 * plan/apply/docs. A superset of the seeds' manifest. Same input, same bytes, `compiled_at` aside.
 * docs/schema/manifest.schema.json is generated from this schema (a test keeps them equal).
 */
import { z } from '../core/zod.js';

export const MANIFEST_VERSION = 1;

const str = (d: string) => z.string().describe(d);
const nullableStr = (d: string) => z.string().nullable().describe(d);
const nodeId = z.string().regex(/^(source|model|test|exposure)\.[^.]/).describe('Node id: <kind>.<name>');

const ColumnSchema = z
  .object({
    name: str('Column name'),
    type: str('Flink SQL type'),
    nullable: z.boolean().nullable().describe('false when known NOT NULL; null when unknown'),
    classification: nullableStr('Data classification'),
    description: nullableStr('Description'),
  })
  .describe('A column');

const ModelColumnSchema = ColumnSchema.extend({
  classification: nullableStr('Classification of the data the model writes: declared, else inherited from the columns it derives from, lowered by a mask applied to the data (docs/security.md)'),
  classification_reason: nullableStr('Why the column has its classification'),
  masked: nullableStr('Mask method applied to the data the model writes (hash, partial, redact, null, tokenize)'),
  masked_at_read_for: z.array(z.string()).describe('Roles the Gateway masks or encrypts the column for at read (the data keeps the value)'),
  lineage: z
    .object({
      inputs: z.array(z.object({ node: nodeId, column: str('Input column (`col.field` for a nested field)') })).describe('Input columns the value derives from'),
      transform: z.enum(['direct', 'expression', 'aggregate', 'window']).describe('direct copy, computed expression, aggregate, or window bound'),
      partial: z.boolean().describe('An input schema is unknown: the value may derive from more columns'),
    })
    .nullable()
    .describe('Column-level lineage; null when the column is not derived from SQL or a single input'),
}).describe('An output column of a model');

const SourceSchema = z
  .object({
    id: nodeId,
    name: str('Source name'),
    file: str('Declaring file, relative to the project root'),
    description: nullableStr('Description'),
    owner: nullableStr('Owner'),
    tags: z.array(z.string()),
    topic: str('Physical topic'),
    format: z
      .enum(['json', 'avro-confluent', 'protobuf', 'debezium-json', 'debezium-avro-confluent', 'canal-json', 'maxwell-json'])
      .describe('Value wire format as seen by Flink (a CDC source\'s change-event format)'),
    changelog: z.enum(['append', 'upsert', 'cdc']).describe('append (events), upsert (latest value per key) or cdc (database changes)'),
    key: z.array(z.string()).describe('Message key columns; the primary key of an upsert or CDC source'),
    schema: z
      .object({
        subject: nullableStr('Registry subject'),
        format: nullableStr('avro, json or protobuf'),
        registered_by_streamt: z.boolean().describe('true when streamt registers the inline definition; false for a reference to an existing subject'),
      })
      .nullable(),
    columns: z.array(ColumnSchema),
    event_time: z
      .object({ column: z.string(), watermark_strategy: z.string(), max_out_of_orderness_ms: z.number() })
      .nullable(),
  })
  .describe('A source');

const ModelSchema = z
  .object({
    id: nodeId,
    name: str('Model name'),
    file: str('Declaring file, relative to the project root'),
    description: nullableStr('Description'),
    owner: nullableStr('Owner'),
    tags: z.array(z.string()),
    materialized: z.enum(['topic', 'virtual_topic', 'flink', 'sink']),
    materialization_reason: str('Why this materialization was chosen'),
    topic: nullableStr('Output topic (virtual topic name for virtual_topic; null for sinks)'),
    value_format: z
      .enum(['json', 'avro-confluent', 'protobuf', 'debezium-json', 'debezium-avro-confluent', 'canal-json', 'maxwell-json'])
      .nullable()
      .optional()
      .describe("Value format of the output topic (null for sinks): output_format, else Avro when a registry is configured and a Flink job writes the topic, else JSON; a virtual topic keeps its input's"),
    output_schema: z
      .object({
        subject: str('Registry subject of the topic\'s values (<topic>-value)'),
        schema_type: z.enum(['AVRO', 'JSON', 'PROTOBUF']),
        registered: z.boolean().describe('true when streamt registers it (a registry is configured); false: derived only'),
        schema: str('The schema text: Avro, or a JSON Schema (draft-07)'),
      })
      .nullable()
      .optional()
      .describe('The output schema derived from the output columns (docs/schemas.md#model-outputs); null when the columns are unknown or nothing is written'),
    key: z.array(z.string()).describe('Message key columns'),
    inputs: z.array(nodeId).describe('Direct inputs'),
    changelog: z.enum(['append', 'updating']).nullable().describe('Whether the result is append-only or updating; null without SQL'),
    stateful_features: z.array(z.string()),
    columns: z.array(ModelColumnSchema).describe('Declared, else inferred, output columns'),
    sql: nullableStr('The SQL with templates rendered (source()/ref() as quoted node names)'),
    selected: z.boolean().describe('Whether artifacts were compiled for it (see selection)'),
    version: z.number().int().optional().describe('The version, for one version of a versioned model (the node is <name>_v<N>)'),
    base_name: z.string().optional().describe('The model name written in the YAML, for one version of a versioned model'),
    deprecation_date: z.string().optional().describe('Date after which the model (version) is deprecated'),
    contract_enforced: z.boolean().optional().describe('true when the declared columns are a contract (contract.enforced)'),
  })
  .describe('A model');

const TestSchema = z
  .object({
    id: nodeId,
    name: z.string(),
    file: z.string(),
    description: z.string().nullable(),
    target: z.string().describe('Model or source under test'),
    type: z.enum(['schema', 'sample', 'continuous']),
    severity: z.enum(['error', 'warn']),
    assertions: z.array(z.object({ type: z.string(), config: z.record(z.string(), z.unknown()) })),
  })
  .describe('A test');

const ExposureSchema = z
  .object({
    id: nodeId,
    name: z.string(),
    file: z.string(),
    description: z.string().nullable(),
    owner: z.string().nullable(),
    type: z.string(),
    role: z.string().nullable(),
    url: z.string().nullable(),
    produces: z.array(nodeId),
    consumes: z.array(nodeId),
    depends_on: z.array(nodeId),
    consumer_group: z.string().nullable(),
  })
  .describe('An exposure');

const DagSchema = z
  .object({
    nodes: z.array(
      z.object({
        id: nodeId,
        name: z.string(),
        type: z.enum(['source', 'model', 'test', 'exposure']),
        materialized: z.enum(['topic', 'virtual_topic', 'flink', 'sink']).nullable(),
        upstream: z.array(nodeId),
        downstream: z.array(nodeId),
      }),
    ),
    edges: z.array(z.object({ from: nodeId, to: nodeId })),
  })
  .describe('The dependency graph; nodes and edges sorted by id');

const artifactBase = {
  addr: str('Stable address of the resource'),
  owner: nodeId.describe('Node that owns it'),
  hash: z.string().regex(/^sha256:[0-9a-f]{64}$/).describe('sha256 of the canonical JSON of the spec'),
  file: str('File in the output folder'),
};

const TopicArtifact = z.object({
  ...artifactBase,
  name: z.string(),
  partitions: z.number().int().nullable(),
  replication_factor: z.number().int().nullable(),
  config: z.record(z.string(), z.string()),
});

const FlinkJobArtifact = z.object({
  ...artifactBase,
  name: str('pipeline.name: streamt.<project>.<model>'),
  cluster: z.string().nullable(),
  parallelism: z.number().int().nullable(),
  checkpoint_interval_ms: z.number().int().nullable(),
  state_ttl_ms: z.number().int().nullable(),
  state_backend: z.string().nullable(),
  input_topics: z.array(z.string()),
  output_topic: z.string(),
  sink_connector: z.enum(['kafka', 'upsert-kafka']),
  primary_key: z.array(z.string()),
  value_format: z.enum(['json', 'avro-confluent']),
  key_format: z.enum(['raw', 'json']).nullable(),
  key_fields: z.array(z.string()),
  statements: z.array(z.string()).describe('Statements to run in order in a fresh SQL Gateway session'),
});

const ConnectorArtifact = z.object({
  ...artifactBase,
  name: z.string(),
  connector_class: z.string(),
  cluster: z.string().nullable(),
  topics: z.array(z.string()),
  config: z.record(z.string(), z.string()).describe('Connector config; secrets are ${env:VAR} / ${secret:...} placeholders'),
});

const SchemaArtifact = z.object({
  ...artifactBase,
  subject: z.string(),
  schema_type: z.enum(['AVRO', 'JSON', 'PROTOBUF']),
  schema: z.string(),
  compatibility: z.string().nullable(),
});

const GatewayArtifact = z.object({
  ...artifactBase,
  name: z.string(),
  kind: z.enum(['Interceptor', 'AliasTopic']),
  resource: z.object({
    kind: z.enum(['Interceptor', 'AliasTopic']),
    apiVersion: z.literal('gateway/v2'),
    metadata: z.record(z.string(), z.unknown()),
    spec: z.record(z.string(), z.unknown()),
  }),
});

const AclArtifact = z.object({
  ...artifactBase,
  name: str('The node the bindings are for'),
  bindings: z.array(
    z.object({
      principal: z.string(),
      host: z.string(),
      operation: z.enum(['READ', 'WRITE', 'DESCRIBE']),
      permission: z.enum(['ALLOW', 'DENY']),
      resource_type: z.enum(['TOPIC', 'GROUP', 'TRANSACTIONAL_ID']),
      resource_name: z.string(),
      pattern_type: z.enum(['LITERAL', 'PREFIXED']),
    }),
  ),
});

export const ManifestSchema = z
  .object({
    manifest_version: z.literal(MANIFEST_VERSION).describe('Version of this manifest format'),
    streamt_version: z.string().nullable(),
    project: str('Project name'),
    version: str('Project version (0.0.0 when not set)'),
    compiled_at: str('ISO 8601 time of the compile: the only field that differs between two compiles of the same input'),
    environment: nullableStr('Environment compiled for'),
    selection: z.object({ select: z.array(z.string()), exclude: z.array(z.string()) }).nullable(),
    sources: z.array(SourceSchema),
    models: z.array(ModelSchema),
    tests: z.array(TestSchema),
    exposures: z.array(ExposureSchema),
    dag: DagSchema,
    artifacts: z.object({
      topics: z.array(TopicArtifact),
      flink_jobs: z.array(FlinkJobArtifact),
      connectors: z.array(ConnectorArtifact),
      gateway_rules: z.array(GatewayArtifact),
      schemas: z.array(SchemaArtifact),
      acls: z.array(AclArtifact).optional().describe('Kafka ACL bindings per node; present when runtime.kafka.acls is set'),
    }),
  })
  .describe('streamt manifest: the compiled project');

export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestColumn = z.infer<typeof ColumnSchema>;
export type ManifestModelColumn = z.infer<typeof ModelColumnSchema>;

/** The JSON Schema committed at docs/schema/manifest.schema.json. */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ManifestSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return { $id: 'https://streamt.dev/schema/manifest.schema.json', title: 'streamt manifest', ...schema };
}
