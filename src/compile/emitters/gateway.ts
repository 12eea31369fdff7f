/**
 * Conduktor Gateway v2 resources.
 *
 * A virtual_topic model becomes an AliasTopic over its input's physical topic, with a name made
 * only of [A-Za-z0-9_] (so the Gateway statement never quotes a topic name, whatever the topic is
 * called), and a VirtualSqlTopicPlugin interceptor whose statement carries the model's full
 * projection and filter, translated to the Gateway's SQL subset (AND of comparisons and REGEXP,
 * CASE; value fields as `$.field` in WHERE). Anything outside the subset is a diagnostic, never
 * silently dropped.
 *
 * Mask and encrypt policies become FieldLevelDataMaskingPlugin / EncryptPlugin interceptors on the
 * model's topic, one per role in for_roles (scoped to the Gateway group of that name), or global.
 */
import type { Diagnostic } from '../../core/diagnostics.js';
import type { Policy } from '../../project/types.js';
import type { ResolvedModel } from '../../resolve/types.js';
import type { CompileContext } from '../context.js';
import type { GatewayResource, GatewaySpec } from '../types.js';
import { nodeError } from './common.js';

const PLUGIN = {
  sql: 'io.conduktor.gateway.interceptor.VirtualSqlTopicPlugin',
  mask: 'io.conduktor.gateway.interceptor.FieldLevelDataMaskingPlugin',
  encrypt: 'io.conduktor.gateway.interceptor.EncryptPlugin',
} as const;

/** Gateway resource names: [a-zA-Z0-9_.-]. */
export function gatewayName(text: string): string {
  return text.replace(/[^a-zA-Z0-9_.-]/g, '_');
}

export function emitGatewayRules(ctx: CompileContext, m: ResolvedModel, diagnostics: Diagnostic[]): GatewaySpec[] {
  const node = m.node;
  const out: GatewaySpec[] = [];
  const gw = ctx.project.runtime.conduktor?.gateway;
  if (!gw) return out;
  const vCluster = gw.virtual_cluster;
  const scope = (group?: string): Record<string, string> | undefined => {
    const s: Record<string, string> = {};
    if (vCluster) s.vCluster = vCluster;
    if (group) s.group = group;
    return Object.keys(s).length ? s : undefined;
  };
  const interceptor = (name: string, pluginClass: string, priority: number, config: Record<string, unknown>, comment: string, group?: string): GatewaySpec => {
    const metadata: Record<string, unknown> = { name };
    const sc = scope(group);
    if (sc) metadata.scope = sc;
    const resource: GatewayResource = { kind: 'Interceptor', apiVersion: 'gateway/v2', metadata, spec: { comment, pluginClass, priority, config } };
    return { name, kind: 'Interceptor', resource };
  };
  const base = gatewayName(`streamt.${ctx.projectName}.${node.name}`);
  const table = ctx.table(node.id);
  if (!table) return out;

  if (m.materialized === 'virtual_topic') {
    const input = m.inputs.length === 1 ? ctx.table(m.inputs[0]!) : undefined;
    if (!input) {
      diagnostics.push(nodeError(ctx, node.id, 'VIRTUAL_TOPIC_INPUTS', `Virtual topic "${node.name}" must read exactly one topic, it reads ${m.inputs.length}`, 'use materialized: flink to combine topics'));
      return out;
    }
    const alias = `streamt_${ctx.projectName}_${node.name}_input`.replace(/[^A-Za-z0-9_]/g, '_');
    // The translation resolve made (and reported when impossible: VIRTUAL_TOPIC_UNSUPPORTED_SQL).
    const sql = m.gatewaySql;
    if (m.renderedSql !== undefined && !sql?.ok) return out;
    const statement = sql?.ok ? ctx.vault.scrub(`${sql.select} FROM ${alias}${sql.where !== undefined ? ` WHERE ${sql.where}` : ''}`) : `SELECT * FROM ${alias}`;
    const aliasResource: GatewayResource = {
      kind: 'AliasTopic',
      apiVersion: 'gateway/v2',
      metadata: vCluster ? { name: alias, vCluster } : { name: alias },
      spec: { physicalName: input.topic },
    };
    out.push({ name: alias, kind: 'AliasTopic', resource: aliasResource });
    const config: Record<string, unknown> = { virtualTopic: table.topic, statement };
    if (input.format === 'avro-confluent' && ctx.registryUrl()) config.schemaRegistryConfig = { host: ctx.vault.scrub(ctx.registryUrl()!) };
    out.push(interceptor(`${base}.sql`, PLUGIN.sql, 100, config, `streamt: virtual topic of model ${node.name}`));
  }

  const topicRegex = `^${escapeRegex(table.topic)}$`;
  const byRole = new Map<string, Policy[]>();
  for (const p of node.policies) {
    if (p.kind !== 'mask' && p.kind !== 'encrypt') continue;
    // A mask for every reader of a Flink-written topic is applied in the job (./masking.ts).
    if (p.kind === 'mask' && !p.forRoles.length && (m.materialized === 'flink' || m.materialized === 'topic')) continue;
    for (const role of p.forRoles.length ? p.forRoles : ['']) {
      const list = byRole.get(role) ?? [];
      list.push(p);
      byRole.set(role, list);
    }
  }
  for (const role of [...byRole.keys()].sort()) {
    const policies = byRole.get(role)!;
    const suffix = role ? `.${gatewayName(role)}` : '';
    const masks = policies.filter((p): p is Extract<Policy, { kind: 'mask' }> => p.kind === 'mask');
    const encrypts = policies.filter((p): p is Extract<Policy, { kind: 'encrypt' }> => p.kind === 'encrypt');
    const rules: Record<string, unknown>[] = [];
    for (const p of masks) {
      if (p.method !== 'redact') {
        diagnostics.push(nodeError(ctx, node.id, 'MASK_METHOD_UNSUPPORTED', `The Gateway cannot mask column "${p.column}" of model "${node.name}" with method ${p.method}: FieldLevelDataMaskingPlugin only replaces characters (MASK_ALL, MASK_FIRST_N, MASK_LAST_N)`, 'use method: redact on a Gateway-served topic, or compute the masked value in the SQL (e.g. SHA256(col), CONCAT(\'****\', RIGHT(col, 4)))', p.path));
        continue;
      }
      rules.push({ name: `${gatewayName(p.column)}_redact`, fields: [p.column], rule: { type: 'MASK_ALL', maskingChar: '*' } });
    }
    if (rules.length) {
      out.push(interceptor(`${base}.mask${suffix}`, PLUGIN.mask, 100, { topic: topicRegex, policies: rules, errorPolicy: 'fail_fetch' }, `streamt: masking on model ${node.name}${role ? ` for role ${role}` : ''}`, role || undefined));
    }
    if (encrypts.length) {
      if (m.materialized === 'virtual_topic') {
        diagnostics.push(nodeError(ctx, node.id, 'ENCRYPT_ON_VIRTUAL_TOPIC', `Virtual topic "${node.name}" cannot encrypt: a virtual topic is read-only and EncryptPlugin encrypts on produce`, 'encrypt the input topic instead', encrypts[0]!.path));
        continue;
      }
      out.push(
        interceptor(`${base}.encrypt${suffix}`, PLUGIN.encrypt, 100, {
          topic: topicRegex,
          recordValue: { fields: encrypts.map((p) => ({ fieldName: p.column, keySecretId: ctx.vault.scrub(p.key), algorithm: 'AES128_GCM' })) },
          ...(gw.kms ? { kmsConfig: ctx.vault.scrubValue(gw.kms, node.id) } : {}),
        }, `streamt: encryption on model ${node.name}${role ? ` for role ${role}` : ''}`, role || undefined),
      );
    }
  }
  return out;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
