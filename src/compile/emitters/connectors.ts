/**
 * Kafka Connect sink connectors for `sink` models: the class from the catalogue (or passed
 * through), the topics of the inputs, converters matching how the inputs were written, masking
 * through MaskField where it implements the declared method, secrets as placeholders.
 */
import { warning, type Diagnostic } from '../../core/diagnostics.js';
import type { ResolvedModel } from '../../resolve/types.js';
import { lookupConnector } from '../connectors.js';
import type { CompileContext, NodeTable } from '../context.js';
import type { ConnectorSpec } from '../types.js';
import { nodeError } from './common.js';
import { connectConsumerOverrides } from '../kafka-identity.js';
import { emitConnectEnvelope, type ConnectEnvelope } from './connect-envelope.js';

const JSON_CONVERTER = 'org.apache.kafka.connect.json.JsonConverter';
const STRING_CONVERTER = 'org.apache.kafka.connect.storage.StringConverter';
const AVRO_CONVERTER = 'io.confluent.connect.avro.AvroConverter';
const MASK_FIELD = 'org.apache.kafka.connect.transforms.MaskField$Value';

/** The Connect cluster a sink model's connector runs on (null: the runtime's default). */
export function connectClusterOf(ctx: CompileContext, m: ResolvedModel): string | null {
  return m.node.sink?.cluster ?? m.node.connectCluster ?? ctx.project.defaults.models?.connect_cluster ?? ctx.project.runtime.connect?.default ?? null;
}

export function emitConnector(ctx: CompileContext, m: ResolvedModel, diagnostics: Diagnostic[], onEnvelope: (e: ConnectEnvelope) => void = () => {}): ConnectorSpec | undefined {
  const node = m.node;
  const sink = node.sink;
  if (m.materialized !== 'sink' || !sink) return undefined;
  const before = diagnostics.length;
  const found = lookupConnector(sink.connector);
  if (!found.ok) {
    diagnostics.push(
      nodeError(ctx, node.id, 'UNKNOWN_CONNECTOR', `Unknown connector "${sink.connector}" for sink model "${node.name}"`,
        found.suggestions.length ? `did you mean ${found.suggestions.map((s) => `"${s}"`).join(' or ')}? Or give the connector class, e.g. io.debezium.connector.jdbc.JdbcSinkConnector` : 'use a catalogue name (see docs/compile.md) or a fully qualified connector class',
        ['sink', 'connector']),
    );
    return undefined;
  }
  const inputs = m.inputs.map((i) => ctx.table(i)).filter((t): t is NodeTable => !!t);
  let topics = sink.topic ? [sink.topic] : [...new Set(inputs.map((t) => t.topic))];
  const where = `connect.connector.${node.name}`;

  const config: Record<string, string> = {
    'connector.class': found.connectorClass,
    topics: topics.join(','),
  };
  // Converters follow how the inputs were written (all inputs of a sink share one converter).
  const first = inputs[0];
  const formats = new Set(inputs.map((t) => t.format));
  if (formats.size > 1) {
    diagnostics.push(nodeError(ctx, node.id, 'SINK_MIXED_FORMATS', `Sink model "${node.name}" reads inputs in different formats (${[...formats].sort().join(', ')})`, 'split the sink, one per format'));
  }
  const keyFormats = new Set(inputs.map((t) => (t.keyFields.length ? t.keyFormat ?? 'json' : 'raw')));
  config['key.converter'] = keyFormats.size === 1 && keyFormats.has('json') ? JSON_CONVERTER : STRING_CONVERTER;
  if (config['key.converter'] === JSON_CONVERTER) config['key.converter.schemas.enable'] = 'false';
  if (first?.format === 'avro-confluent') {
    config['value.converter'] = AVRO_CONVERTER;
    config['value.converter.schema.registry.url'] = ctx.vault.scrub(ctx.registryUrl() ?? '');
  } else {
    config['value.converter'] = JSON_CONVERTER;
    config['value.converter.schemas.enable'] = 'false';
    const pk = sink.config['primary.key.fields'];
    const keyColumns = typeof pk === 'string' ? pk.split(',').map((k) => k.trim()) : node.key;
    const envelope = emitConnectEnvelope(ctx, m, !!found.entry?.needsSchema, inputs, keyColumns, diagnostics);
    if (envelope) {
      // The connector reads the input rewritten with its schema by a job streamt adds.
      topics = [envelope.topic.name];
      config.topics = envelope.topic.name;
      config['value.converter.schemas.enable'] = 'true';
      onEnvelope(envelope);
    } else if (found.entry?.needsSchema) {
      diagnostics.push(
        warning('CONNECTOR_NEEDS_SCHEMA', `Connector ${found.entry.name} of sink model "${node.name}" needs records with a schema, but its input is schemaless JSON`, {
          ...node.at(['sink', 'connector']),
          node: node.id,
          hint: 'write the input as Avro (an Avro source and a Schema Registry), or use a connector that accepts schemaless JSON',
        }),
      );
    }
  }

  // Masking: MaskField empties a field (null) or replaces it with a fixed value (redact).
  const masks = node.policies.filter((p) => p.kind === 'mask' || p.kind === 'encrypt');
  const transforms: string[] = [];
  masks.forEach((p, i) => {
    if (p.kind === 'encrypt') {
      diagnostics.push(nodeError(ctx, node.id, 'MASK_METHOD_UNSUPPORTED', `Sink model "${node.name}" encrypts column "${p.column}", which no Kafka Connect transform implements`, 'encrypt upstream (Gateway EncryptPlugin on the input topic) or drop the column', ['security', 'policies']));
      return;
    }
    if (p.kind !== 'mask') return;
    if (p.method !== 'null' && p.method !== 'redact') {
      diagnostics.push(nodeError(ctx, node.id, 'MASK_METHOD_UNSUPPORTED', `Sink model "${node.name}" masks column "${p.column}" with method ${p.method}, which no Kafka Connect transform implements`, 'use method: null or redact (MaskField), or mask upstream in the SQL', ['security', 'policies']));
      return;
    }
    const name = `mask${i}`;
    transforms.push(name);
    config[`transforms.${name}.type`] = MASK_FIELD;
    config[`transforms.${name}.fields`] = p.column;
    if (p.method === 'redact') config[`transforms.${name}.replacement`] = '****';
    if (p.forRoles.length) {
      diagnostics.push(warning('MASK_ROLES_IGNORED', `for_roles of the mask on "${p.column}" is ignored by sink "${node.name}": the sink writes masked data for everyone`, { ...node.at(['security', 'policies']), node: node.id }));
    }
  });
  if (transforms.length) config.transforms = transforms.join(',');
  // The cluster's own Kafka identity, when it has one: the connector's consumer authenticates with it.
  Object.assign(config, connectConsumerOverrides(ctx, connectClusterOf(ctx, m)));

  for (const key of Object.keys(sink.config).sort()) {
    const v = sink.config[key];
    const text = typeof v === 'string' ? v : JSON.stringify(v);
    config[key] = ctx.vault.configValue(where, key, text);
  }
  for (const key of found.entry?.required ?? []) {
    if (config[key] === undefined) {
      diagnostics.push(nodeError(ctx, node.id, 'CONNECTOR_CONFIG_MISSING', `Connector ${found.entry!.name} of sink model "${node.name}" needs config "${key}"`, `add sink.config.${key}`, ['sink']));
    }
  }
  if (diagnostics.slice(before).some((d) => d.severity === 'error')) return undefined;
  const sorted: Record<string, string> = {};
  for (const k of Object.keys(config).sort()) sorted[k] = config[k]!;
  return {
    name: node.name,
    connector_class: found.connectorClass,
    cluster: connectClusterOf(ctx, m),
    topics,
    config: sorted,
  };
}
