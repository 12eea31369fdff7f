/** Kafka topics written by models (real topics only: virtual topics live in the Gateway). */
import type { ResolvedModel } from '../../resolve/types.js';
import { effectiveTopic } from '../../resolve/rules.js';
import type { CompileContext } from '../context.js';
import type { TopicSpec } from '../types.js';

export function emitTopic(ctx: CompileContext, m: ResolvedModel): TopicSpec | undefined {
  if (m.materialized !== 'topic' && m.materialized !== 'flink') return undefined;
  const t = effectiveTopic(m.node, ctx.project);
  const table = ctx.table(m.node.id)!;
  const config: Record<string, string> = {};
  for (const key of Object.keys(t.config).sort()) config[key] = ctx.vault.scrub(t.config[key]!);
  // An upsert-kafka output is a changelog keyed by its primary key: compaction keeps the latest row.
  if (table.changelog === 'updating' && m.renderedSql !== undefined && config['cleanup.policy'] === undefined) config['cleanup.policy'] = 'compact';
  return { name: table.topic, partitions: t.partitions ?? null, replication_factor: t.replicationFactor ?? null, config: sortKeys(config) };
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k]!;
  return out;
}
