/** Pure diff of a declared Gateway resource (interceptor or alias topic) against the live one. */
import type { GatewaySpec } from '../../compile/types.js';
import { canonicalJson } from '../../compile/hash.js';
import { own } from '../../core/own.js';
import type { FieldChange, Proposal } from '../../plan/types.js';
import type { ObservedGatewayRule } from './rule-handler.js';

export function diffGatewayRule(desired: GatewaySpec, observed: ObservedGatewayRule): Proposal {
  if (!observed.exists || !observed.resource) {
    return { action: 'create', reasons: [`${desired.kind} does not exist`], fields: [{ field: 'spec', after: desired.resource.spec }] };
  }
  const fields: FieldChange[] = [];
  const live = (observed.resource.spec ?? {}) as Record<string, unknown>;
  // Only declared keys: defaults the Gateway adds are not drift.
  for (const [k, v] of Object.entries(desired.resource.spec).sort()) {
    if (canonicalJson(own(live, k)) !== canonicalJson(v)) fields.push({ field: `spec.${k}`, before: own(live, k), after: v });
  }
  const liveScope = ((observed.resource.metadata ?? {}) as Record<string, unknown>).scope;
  const wantScope = desired.resource.metadata.scope;
  if (wantScope !== undefined && canonicalJson(liveScope) !== canonicalJson(wantScope)) fields.push({ field: 'metadata.scope', before: liveScope, after: wantScope });
  return fields.length ? { action: 'update', reasons: [`${desired.kind} differs: ${fields.map((f) => f.field).join(', ')}`], fields } : { action: 'no-op', reasons: [], fields };
}
