/**
 * Sinks such as the JDBC connectors need records that carry a schema (a Connect Struct), while
 * Flink writes schemaless JSON. For a sink that needs one and reads a single append-only JSON
 * input, streamt adds a small Flink job, owned by the sink, that rewrites the input as the Kafka
 * Connect JSON envelope `{"schema": ..., "payload": ...}` to its own topic; the connector reads
 * that topic with `value.converter.schemas.enable=true`. No converter or registry is needed.
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import type { ResolvedModel } from '../../resolve/types.js';
import type { CompileContext, NodeTable } from '../context.js';
import { option, quoteIdent, quoteLiteral } from '../quote.js';
import type { FlinkJobSpec, TopicSpec } from '../types.js';
import { decimalPrecisionScale, decimalType, splitNullability, typeRoot } from '../../sql/types.js';
import { commentText } from './common.js';
import { createTable, deliveryOptions, inputTable, jobSettingStatements, type JobKafkaAccess } from './flink.js';
import { flinkConnectionOptions } from '../kafka-identity.js';

export interface ConnectEnvelope {
  /** The table the connector reads: the input, rewritten in the envelope. */
  topic: TopicSpec;
  job: { spec: FlinkJobSpec; sql: string; access: JobKafkaAccess };
}

/** A field of the Connect schema: its type, logical type (name, version, parameters) if any, and the payload expression. */
interface ConnectField {
  type: string;
  /** Connect logical type, e.g. org.apache.kafka.connect.data.Decimal. */
  logical?: { name: string; parameters?: Record<string, string> };
  value: string;
  valueType: string;
}

const LOGICAL = {
  decimal: 'org.apache.kafka.connect.data.Decimal',
  date: 'org.apache.kafka.connect.data.Date',
  time: 'org.apache.kafka.connect.data.Time',
  timestamp: 'org.apache.kafka.connect.data.Timestamp',
} as const;

/**
 * Connect schema type of a Flink column, and the expression that produces a matching value.
 * Temporal and decimal columns travel as Connect's logical types, so a JDBC sink creates and fills
 * DATE, TIME, TIMESTAMP and NUMERIC(p, s) columns; nested types (ARRAY, ROW, MAP, MULTISET) as
 * their JSON text. The envelope job's session is UTC: a TIMESTAMP is read as UTC wall time, a
 * TIMESTAMP_LTZ is its instant.
 */
function connectField(name: string, flinkType: string): ConnectField {
  const col = quoteIdent(name);
  const { type } = splitNullability(flinkType);
  const root = typeRoot(type);
  const epochMillis = (ts: string) => `EXTRACT(EPOCH FROM ${ts}) * 1000 + EXTRACT(MILLISECOND FROM ${ts})`;
  switch (root) {
    case 'STRING':
    case 'VARCHAR':
    case 'CHAR':
      return { type: 'string', value: col, valueType: 'STRING' };
    case 'BOOLEAN':
      return { type: 'boolean', value: col, valueType: 'BOOLEAN' };
    case 'TINYINT':
      return { type: 'int8', value: col, valueType: 'TINYINT' };
    case 'SMALLINT':
      return { type: 'int16', value: col, valueType: 'SMALLINT' };
    case 'INT':
    case 'INTEGER':
      return { type: 'int32', value: col, valueType: 'INT' };
    case 'BIGINT':
      return { type: 'int64', value: col, valueType: 'BIGINT' };
    // Kafka Connect's JsonConverter names the floating types "float" and "double" (JsonSchema's
    // FLOAT_TYPE_NAME, DOUBLE_TYPE_NAME); "float32"/"float64" are Schema.Type enum names it does not
    // read, and the sink task fails on the first record.
    case 'FLOAT':
      return { type: 'float', value: col, valueType: 'FLOAT' };
    case 'DOUBLE':
      return { type: 'double', value: col, valueType: 'DOUBLE' };
    case 'DECIMAL': {
      // JsonConverter reads a Decimal from a JSON number, exactly (Flink writes DECIMAL as one).
      const [p, sc] = decimalPrecisionScale(type);
      return { type: 'bytes', logical: { name: LOGICAL.decimal, parameters: { scale: String(sc), 'connect.decimal.precision': String(p) } }, value: col, valueType: decimalType(p, sc) };
    }
    case 'DATE':
      return { type: 'int32', logical: { name: LOGICAL.date }, value: `TIMESTAMPDIFF(DAY, DATE '1970-01-01', ${col})`, valueType: 'INT' };
    case 'TIME':
      return { type: 'int32', logical: { name: LOGICAL.time }, value: `HOUR(${col}) * 3600000 + MINUTE(${col}) * 60000 + SECOND(${col}) * 1000`, valueType: 'INT' };
    case 'TIMESTAMP':
      return { type: 'int64', logical: { name: LOGICAL.timestamp }, value: epochMillis(col), valueType: 'BIGINT' };
    case 'TIMESTAMP_LTZ':
      return { type: 'int64', logical: { name: LOGICAL.timestamp }, value: epochMillis(`CAST(${col} AS TIMESTAMP(3))`), valueType: 'BIGINT' };
    case 'BYTES':
    case 'VARBINARY':
    case 'BINARY':
      // Flink's JSON format writes bytes as base64 text, which is how JsonConverter reads Connect bytes.
      return { type: 'bytes', value: col, valueType: 'BYTES' };
    case 'ARRAY':
    case 'ROW':
    case 'MAP':
    case 'MULTISET':
      return { type: 'string', value: `JSON_STRING(${col})`, valueType: 'STRING' };
    default:
      return { type: 'string', value: `CAST(${col} AS STRING)`, valueType: 'STRING' };
  }
}

/**
 * The envelope job for sink `m`, or undefined when the sink does not need one (its connector takes
 * schemaless records, its input is Avro, it names its own topic) or cannot have one (several
 * inputs, an updating input, unknown columns): the caller then keeps schemaless JSON.
 */
export function emitConnectEnvelope(ctx: CompileContext, m: ResolvedModel, needsSchema: boolean, inputs: NodeTable[], keyColumns: readonly string[], diagnostics: Diagnostic[]): ConnectEnvelope | undefined {
  const input = inputs[0];
  if (!needsSchema || inputs.length !== 1 || !input || m.node.sink?.topic) return undefined;
  if (input.format !== 'json' || input.changelog !== 'append' || !input.columns?.length) return undefined;
  const sink = m.node;
  const pipelineName = `streamt.${ctx.projectName}.${sink.name}.connect`;
  const topicName = `${sink.name}.connect`;
  // The same checkpoints and restarts as a model's job: without them it would commit no offsets.
  const { eff, clusterName, statements } = jobSettingStatements(ctx, m, pipelineName);
  // Timestamps become epoch milliseconds: a TIMESTAMP is UTC wall time, a TIMESTAMP_LTZ an instant.
  statements.push(`SET ${option('table.local-time-zone', 'UTC')}`);
  const ddl = inputTable(ctx, m, input, pipelineName, clusterName, diagnostics);
  if (!ddl) return undefined;
  statements.push(ddl);

  const fields = input.columns.filter((c) => !c.proctime).map((c) => ({ name: c.name, ...connectField(c.name, c.type) }));
  // `parameters` is a ROW (Flink cannot CAST to a MAP here): the one logical type with parameters is Decimal.
  const parametersType = 'ROW<`scale` STRING, `connect.decimal.precision` STRING>';
  const schemaType = `ROW<\`type\` STRING, \`fields\` ARRAY<ROW<\`field\` STRING, \`type\` STRING, \`optional\` BOOLEAN, \`name\` STRING, \`version\` INT, \`parameters\` ${parametersType}>>, \`optional\` BOOLEAN, \`name\` STRING>`;
  const payloadType = `ROW<${fields.map((f) => `${quoteIdent(f.name)} ${f.valueType}`).join(', ')}>`;
  const outName = `${sink.name}__envelope`;
  statements.push(
    createTable(outName, [`${quoteIdent('schema')} ${schemaType}`, `${quoteIdent('payload')} ${payloadType}`], [
      option('connector', 'kafka'),
      option('topic', topicName),
      ...flinkConnectionOptions(ctx, ctx.bootstrapServers(), clusterName),
      option('format', 'json'),
      ...deliveryOptions(eff.delivery, pipelineName),
    ]),
  );
  const schemaFields = fields.map((f) => {
    const p = f.logical?.parameters;
    const params = p ? `ROW(${quoteLiteral(p.scale ?? '')}, ${quoteLiteral(p['connect.decimal.precision'] ?? '')})` : `CAST(NULL AS ${parametersType})`;
    const logical = f.logical ? `${quoteLiteral(f.logical.name)}, 1, ${params}` : `CAST(NULL AS STRING), CAST(NULL AS INT), CAST(NULL AS ${parametersType})`;
    return `ROW(${quoteLiteral(f.name)}, ${quoteLiteral(f.type)}, ${keyColumns.includes(f.name) ? 'FALSE' : 'TRUE'}, ${logical})`;
  });
  statements.push(
    `INSERT INTO ${quoteIdent(outName)}\nSELECT\n  CAST(ROW('struct', ARRAY[${schemaFields.join(', ')}], FALSE, ${quoteLiteral(input.name)}) AS ${schemaType}) AS ${quoteIdent('schema')},\n  CAST(ROW(${fields.map((f) => f.value).join(', ')}) AS ${payloadType}) AS ${quoteIdent('payload')}\nFROM ${quoteIdent(input.name)}`,
  );

  const header = [
    `-- Kafka Connect envelope for sink ${commentText(sink.name)} of project ${commentText(ctx.projectName)}, compiled by streamt.`,
    `-- Rewrites ${commentText(input.topic)} as {"schema", "payload"} records in ${commentText(topicName)}, for a connector that needs a schema.`,
    '-- Run the whole script in a fresh SQL Gateway session.',
  ].join('\n');
  const sql = header + '\n\n' + statements.map((s) => `${s};`).join('\n\n') + '\n';
  const d = ctx.project.defaults;
  return {
    topic: {
      name: topicName,
      partitions: d.models?.topic?.partitions ?? d.topic?.partitions ?? null,
      replication_factor: d.models?.topic?.replication_factor ?? d.topic?.replication_factor ?? null,
      config: {},
    },
    job: {
      sql,
      access: { reads: [{ topic: input.topic, group: pipelineName }], writes: [topicName], ...(eff.delivery === 'exactly_once' ? { transactionalIdPrefix: pipelineName } : {}) },
      spec: {
        name: pipelineName,
        cluster: sink.flinkCluster ?? d.models?.flink_cluster ?? ctx.project.runtime.flink?.default ?? null,
        parallelism: eff.parallelism ?? null,
        checkpoint_interval_ms: eff.checkpointIntervalMs,
        state_ttl_ms: null,
        state_backend: null,
        input_topics: [input.topic],
        output_topic: topicName,
        sink_connector: 'kafka',
        primary_key: [],
        value_format: 'json',
        key_format: null,
        key_fields: [],
        statements,
      },
    },
  };
}
