/** Pure diff of a declared connector against the live one. Secret values are compared, never shown. */
import type { ConnectorSpec } from '../../compile/types.js';
import { hasOwn, own } from '../../core/own.js';
import type { FieldChange, Proposal } from '../../plan/types.js';
import type { ObservedConnector } from './connector-handler.js';
import { looksSecret } from '../../project/yaml.js';

const PLACEHOLDER = /\$\{(env|secret|file):[^}]*\}/;

export function diffConnector(desired: ConnectorSpec, observed: ObservedConnector, resolve: (value: string) => string, previous?: ConnectorSpec): Proposal {
  const sensitive = (k: string, v: string | undefined) => looksSecret(k) || (v !== undefined && PLACEHOLDER.test(v));
  const blocked = observed.validationErrors?.length
    ? { code: 'PLAN_CONNECTOR_INVALID', message: `Kafka Connect rejects the config of connector "${desired.name}": ${observed.validationErrors.join('; ')}`, hint: 'fix the sink config of the model' }
    : undefined;
  if (!observed.exists) {
    const fields: FieldChange[] = Object.entries(desired.config)
      .sort()
      .map(([k, v]) => (sensitive(k, v) ? { field: `config.${k}`, after: '(sensitive)', sensitive: true } : { field: `config.${k}`, after: v }));
    return { action: 'create', reasons: ['connector does not exist'], fields, ...(blocked ? { blocked } : {}) };
  }
  const live = observed.config ?? {};
  const fields: FieldChange[] = [];
  for (const [k, v] of Object.entries(desired.config).sort()) {
    if (own(live, k) !== resolve(v)) fields.push(sensitive(k, v) ? { field: `config.${k}`, before: own(live, k) === undefined ? undefined : '(sensitive)', after: '(sensitive)', sensitive: true } : { field: `config.${k}`, before: own(live, k), after: v });
  }
  for (const k of Object.keys(previous?.config ?? {}).sort()) {
    if (!hasOwn(desired.config, k) && hasOwn(live, k)) fields.push(sensitive(k, live[k]) ? { field: `config.${k}`, before: '(sensitive)', after: undefined, sensitive: true } : { field: `config.${k}`, before: live[k], after: undefined });
  }
  const reasons: string[] = [];
  if (fields.length) reasons.push(`config differs: ${fields.map((f) => f.field.slice(7)).join(', ')}`);
  const failed = [observed.state, ...(observed.tasks ?? []).map((t) => t.state)].includes('FAILED');
  if (failed) reasons.push('the connector or one of its tasks is FAILED: restart it');
  const action = fields.length || failed ? 'update' : 'no-op';
  return { action, reasons, fields, ...(blocked && action !== 'no-op' ? { blocked } : {}) };
}
