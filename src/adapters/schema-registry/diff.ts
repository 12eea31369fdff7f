/** Pure diff of a declared subject against the registry. */
import type { SchemaSpecArtifact } from '../../compile/types.js';
import type { FieldChange, Proposal } from '../../plan/types.js';
import type { ObservedSubject } from './subject-handler.js';
import { canonicalJson } from '../../compile/hash.js';

/** Schema text compared by meaning where it can be parsed (AVRO, JSON), else by trimmed text. */
export function normalizeSchema(schema: string, type: string): string {
  if (type === 'AVRO' || type === 'JSON') {
    try {
      return canonicalJson(JSON.parse(schema));
    } catch {
      /* compared as text */
    }
  }
  return schema.trim().replace(/\s+/g, ' ');
}

export function sameSchema(desired: SchemaSpecArtifact, latest: { schema: string; schemaType: string }): boolean {
  return (latest.schemaType || 'AVRO') === desired.schema_type && normalizeSchema(latest.schema, desired.schema_type) === normalizeSchema(desired.schema, desired.schema_type);
}

export function diffSubject(desired: SchemaSpecArtifact, observed: ObservedSubject): Proposal {
  if (!observed.exists || !observed.latest) {
    const fields: FieldChange[] = [{ field: 'schema_type', after: desired.schema_type }, { field: 'schema', after: '(new subject, version 1)' }];
    if (desired.compatibility) fields.push({ field: 'compatibility', after: desired.compatibility });
    return { action: 'create', reasons: ['subject does not exist'], fields };
  }
  const fields: FieldChange[] = [];
  const reasons: string[] = [];
  const p: Proposal = { action: 'no-op', reasons, fields };
  if (desired.compatibility && (observed.compatibility ?? null) !== desired.compatibility) {
    fields.push({ field: 'compatibility', before: observed.compatibility ?? '(registry default)', after: desired.compatibility });
    reasons.push('compatibility level differs');
  }
  if (!sameSchema(desired, observed.latest)) {
    fields.push({ field: 'schema', before: `version ${observed.latest.version}`, after: 'new version' });
    reasons.push(observed.latest.schemaType !== desired.schema_type ? `schema type changes ${observed.latest.schemaType} → ${desired.schema_type}` : 'schema differs from the latest version');
    if (observed.compatible && !observed.compatible.isCompatible) {
      p.blocked = {
        code: 'PLAN_SCHEMA_INCOMPATIBLE',
        message: `The new schema of subject "${desired.subject}" is incompatible with version ${observed.latest.version}${observed.compatibility ? ` under ${observed.compatibility} compatibility` : ''}${observed.compatible.messages.length ? `: ${observed.compatible.messages.join('; ')}` : ' (the registry gave no details)'}`,
        hint: 'make the change compatible (e.g. add fields with defaults), or publish under a new subject',
      };
    }
  }
  if (p.blocked) p.action = 'replace';
  else if (fields.length) p.action = 'update';
  return p;
}
