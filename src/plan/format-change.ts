/**
 * A change of the value format of a live topic (pure): a model applied as JSON whose topic
 * becomes Avro (the default with a registry), or the reverse. The records already in the topic
 * keep the old format, so every reader of the topic would meet both: Flink's avro-confluent
 * format fails on a JSON record ("Unknown magic byte"), the json format on an Avro one. It is a
 * breaking change, planned like an incompatible output schema (PLAN_SCHEMA_INCOMPATIBLE): blocked,
 * naming the topic and its readers, unless the model gets a new version (a new topic, so there is
 * nothing recorded to change) or the plan is made with --allow-state-reset (the topic's records
 * are state its readers lose the use of). See docs/plan-apply.md.
 */
import type { Blocker } from './types.js';

/** The format a topic's values are written in, as plan shows it. */
export type WireFormat = 'json' | 'avro-confluent';

/** The value format a recorded Flink job writes: its spec's value_format, else its sink table's DDL. */
export function jobValueFormat(spec: { value_format?: string; statements?: readonly string[]; output_topic?: string } | undefined): WireFormat | undefined {
  if (!spec) return undefined;
  if (spec.value_format === 'json' || spec.value_format === 'avro-confluent') return spec.value_format;
  // An older record: the sink table is the CREATE TABLE of the output topic.
  for (const s of spec.statements ?? []) {
    if (!/^CREATE\s+TEMPORARY\s+TABLE/i.test(s) || !spec.output_topic || !s.includes(`'topic' = '${spec.output_topic.replace(/'/g, "''")}'`)) continue;
    const f = /'(?:value\.)?format'\s*=\s*'([^']+)'/.exec(s)?.[1];
    if (f === 'json' || f === 'avro-confluent') return f;
  }
  return undefined;
}

/** The value format a registered subject's latest schema says (a JSON Schema: json; Avro: avro-confluent). */
export function subjectValueFormat(schemaType: string | undefined): WireFormat | undefined {
  const t = (schemaType ?? 'AVRO').toUpperCase();
  return t === 'AVRO' ? 'avro-confluent' : t === 'JSON' ? 'json' : undefined;
}

const label = (f: string) => (f === 'avro-confluent' ? 'Avro (avro-confluent)' : f === 'json' ? 'JSON' : f);

/**
 * The blocker of a format change of `topic`, naming who reads it (`model x`, `exposure y`,
 * `connector z`) and the exposures further downstream, with the ways out: keep the old format,
 * a new version, or --allow-state-reset.
 */
export function formatChangeBlocker(topic: string, before: string, after: string, readers: readonly string[], impacts: readonly string[]): Blocker {
  const further = impacts.filter((e) => !readers.includes(`exposure ${e}`));
  const who = readers.length ? `read by ${readers.join(', ')}` : 'no model, exposure or connector of the project reads it (other consumers may)';
  const below = further.length ? ` (and downstream: exposure ${further.join(', exposure ')})` : '';
  const keep = before === 'json' ? 'set output_format: json on the model (or defaults.models.output_format: json) to keep writing JSON' : `set output_format: ${before === 'avro-confluent' ? 'avro' : before} on the model to keep its format`;
  return {
    code: 'PLAN_FORMAT_CHANGE',
    message: `The values of topic "${topic}" change format: ${label(before)} → ${label(after)}. The records already in the topic stay ${label(before)}, and a reader of the new format fails on them: ${who}${below}`,
    hint: `${keep}; or give the model a new version (version: N+1 writes <topic>.v<N+1> in the new format while its readers move); or plan again with --allow-state-reset to switch the topic in place (a reader that has not read every earlier record, or reads the topic from its beginning, fails on the old ones)`,
  };
}

/** What plan says of a format change it is allowed to make (--allow-state-reset). */
export function formatChangeAllowed(topic: string, before: string, after: string): string {
  return `--allow-state-reset: topic "${topic}" switches from ${label(before)} to ${label(after)} in place; its earlier records stay ${label(before)}, and a reader that reads them fails`;
}
