/**
 * The catalogue of Kafka Connect sink connectors streamt knows by a short name. `sink.connector`
 * may name an entry here or give a connector class outright (passed through unchanged).
 *
 * `needsSchema`: the connector needs records with a schema (a Struct) to map fields to columns,
 * so schemaless JSON from Flink's `json` format cannot feed it; the compiler warns.
 * `masking`: record-level masking runs through Kafka's MaskField transform, which can replace a
 * field with its type's empty value (`null` method) or a fixed replacement (`redact`).
 */
import { closest } from '../core/suggest.js';

export interface ConnectorEntry {
  name: string;
  connectorClass: string;
  description: string;
  docs: string;
  needsSchema: boolean;
  /** Config keys the connector cannot start without (checked at compile time). */
  required: string[];
}

export const CONNECTOR_CATALOGUE: readonly ConnectorEntry[] = [
  {
    name: 'file-sink',
    connectorClass: 'org.apache.kafka.connect.file.FileStreamSinkConnector',
    description: 'Apache Kafka FileStream sink: appends each record to a local file (tests and demos)',
    docs: 'https://kafka.apache.org/documentation/#connect',
    needsSchema: false,
    required: ['file'],
  },
  {
    name: 'debezium-jdbc-sink',
    connectorClass: 'io.debezium.connector.jdbc.JdbcSinkConnector',
    description: 'Debezium JDBC sink: PostgreSQL, MySQL, SQL Server, Oracle, Db2 ...',
    docs: 'https://debezium.io/documentation/reference/stable/connectors/jdbc.html',
    needsSchema: true,
    required: ['connection.url'],
  },
  {
    name: 'jdbc-sink',
    connectorClass: 'io.confluent.connect.jdbc.JdbcSinkConnector',
    description: 'Confluent JDBC sink',
    docs: 'https://docs.confluent.io/kafka-connectors/jdbc/current/sink-connector/overview.html',
    needsSchema: true,
    required: ['connection.url'],
  },
  {
    name: 's3-sink',
    connectorClass: 'io.confluent.connect.s3.S3SinkConnector',
    description: 'Confluent Amazon S3 sink',
    docs: 'https://docs.confluent.io/kafka-connectors/s3-sink/current/overview.html',
    needsSchema: false,
    required: ['s3.bucket.name'],
  },
  {
    name: 'aiven-s3-sink',
    connectorClass: 'io.aiven.kafka.connect.s3.AivenKafkaConnectS3SinkConnector',
    description: 'Aiven Amazon S3 sink (Apache 2.0)',
    docs: 'https://github.com/Aiven-Open/cloud-storage-connectors-for-apache-kafka',
    needsSchema: false,
    required: ['aws.s3.bucket.name'],
  },
  {
    name: 'gcs-sink',
    connectorClass: 'io.confluent.connect.gcs.GcsSinkConnector',
    description: 'Confluent Google Cloud Storage sink',
    docs: 'https://docs.confluent.io/kafka-connectors/gcs-sink/current/overview.html',
    needsSchema: false,
    required: ['gcs.bucket.name'],
  },
  {
    name: 'snowflake-sink',
    connectorClass: 'com.snowflake.kafka.connector.SnowflakeSinkConnector',
    description: 'Snowflake sink',
    docs: 'https://docs.snowflake.com/en/user-guide/kafka-connector',
    needsSchema: false,
    required: ['snowflake.url.name'],
  },
  {
    name: 'elasticsearch-sink',
    connectorClass: 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector',
    description: 'Confluent Elasticsearch sink',
    docs: 'https://docs.confluent.io/kafka-connectors/elasticsearch/current/overview.html',
    needsSchema: false,
    required: ['connection.url'],
  },
  {
    name: 'bigquery-sink',
    connectorClass: 'com.wepay.kafka.connect.bigquery.BigQuerySinkConnector',
    description: 'Google BigQuery sink (WePay / Confluent)',
    docs: 'https://docs.confluent.io/kafka-connectors/bigquery/current/overview.html',
    needsSchema: true,
    required: ['project', 'defaultDataset'],
  },
  {
    name: 'http-sink',
    connectorClass: 'io.confluent.connect.http.HttpSinkConnector',
    description: 'Confluent HTTP sink: POSTs records to an HTTP endpoint',
    docs: 'https://docs.confluent.io/kafka-connectors/http/current/overview.html',
    needsSchema: false,
    required: ['http.api.url'],
  },
  {
    name: 'aiven-http-sink',
    connectorClass: 'io.aiven.kafka.connect.http.HttpSinkConnector',
    description: 'Aiven HTTP sink (Apache 2.0)',
    docs: 'https://github.com/Aiven-Open/http-connector-for-apache-kafka',
    needsSchema: false,
    required: ['http.url'],
  },
];

const BY_NAME = new Map(CONNECTOR_CATALOGUE.map((e) => [e.name, e]));
const BY_CLASS = new Map(CONNECTOR_CATALOGUE.map((e) => [e.connectorClass, e]));

/** A fully qualified Java class name: dotted lowercase package, class starting with a capital. */
export function looksLikeJavaClass(name: string): boolean {
  return /^[a-z_$][\w$]*(\.[a-z_$][\w$]*)*\.[A-Z][\w$]*$/.test(name);
}

export type ConnectorLookup =
  | { ok: true; connectorClass: string; entry?: ConnectorEntry }
  | { ok: false; suggestions: string[] };

export function lookupConnector(name: string): ConnectorLookup {
  const entry = BY_NAME.get(name) ?? BY_CLASS.get(name);
  if (entry) return { ok: true, connectorClass: entry.connectorClass, entry };
  if (looksLikeJavaClass(name)) return { ok: true, connectorClass: name };
  return { ok: false, suggestions: closest(name, BY_NAME.keys()) };
}
