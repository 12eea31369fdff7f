/** Pure diff of a declared topic against the live one. Only declared configs are compared. */
import type { TopicSpec } from '../../compile/types.js';
import { hasOwn, own } from '../../core/own.js';
import type { FieldChange, Proposal } from '../../plan/types.js';
import type { ObservedTopic } from './topic-handler.js';

export function diffTopic(desired: TopicSpec, observed: ObservedTopic, previous?: TopicSpec): Proposal {
  if (!observed.exists) {
    const fields: FieldChange[] = [];
    if (desired.partitions !== null) fields.push({ field: 'partitions', after: desired.partitions });
    if (desired.replication_factor !== null) fields.push({ field: 'replication_factor', after: desired.replication_factor });
    for (const [k, v] of Object.entries(desired.config).sort()) fields.push({ field: `config.${k}`, after: v });
    return { action: 'create', reasons: ['topic does not exist'], fields };
  }
  const fields: FieldChange[] = [];
  const reasons: string[] = [];
  const live = observed.config ?? {};
  for (const [k, v] of Object.entries(desired.config).sort()) {
    if (own(live, k) !== v) fields.push({ field: `config.${k}`, before: own(live, k), after: v });
  }
  // A key this project set before and no longer declares goes back to the broker default.
  for (const k of Object.keys(previous?.config ?? {}).sort()) {
    if (!hasOwn(desired.config, k) && hasOwn(live, k)) fields.push({ field: `config.${k}`, before: live[k], after: undefined });
  }
  if (fields.length) reasons.push(`config differs: ${fields.map((f) => f.field.slice(7)).join(', ')}`);
  const p: Proposal = { action: 'no-op', reasons, fields };
  if (desired.partitions !== null && observed.partitions !== undefined && desired.partitions !== observed.partitions) {
    fields.unshift({ field: 'partitions', before: observed.partitions, after: desired.partitions });
    if (desired.partitions > observed.partitions) reasons.unshift(`partitions increase ${observed.partitions} → ${desired.partitions}`);
    else
      p.blocked = {
        code: 'PLAN_PARTITIONS_DECREASE',
        message: `Kafka cannot reduce the partitions of topic "${desired.name}" (${observed.partitions} → ${desired.partitions}) in place`,
        hint: `keep partitions: ${observed.partitions}, or create a new topic (e.g. a new model version) and migrate consumers`,
      };
  }
  if (desired.replication_factor !== null && observed.replicationFactor !== undefined && desired.replication_factor !== observed.replicationFactor) {
    fields.push({ field: 'replication_factor', before: observed.replicationFactor, after: desired.replication_factor });
    p.blocked ??= {
      code: 'PLAN_REPLICATION_FACTOR_CHANGE',
      message: `The replication factor of topic "${desired.name}" cannot be changed by streamt (${observed.replicationFactor} → ${desired.replication_factor})`,
      hint: 'reassign partitions with kafka-reassign-partitions, or keep the live replication factor',
    };
  }
  if (p.blocked) p.action = 'replace';
  else if (fields.length) p.action = 'update';
  return p;
}
