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
import { error, type Diagnostic } from '../../core/diagnostics.js';
import type { Policy } from '../../project/types.js';
import type { ResolvedModel } from '../../resolve/types.js';
import type { Expr, Query } from '../../sql/ast.js';
import { parseQuery } from '../../sql/index.js';
import type { CompileContext, NodeTable } from '../context.js';
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
    const statement = m.renderedSql !== undefined ? gatewayStatement(ctx, m, input, alias, diagnostics) : `SELECT * FROM ${alias}`;
    if (statement === undefined) return out;
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

class Unsupported extends Error {}

/** The model's SELECT in the Gateway's SQL subset, reading the alias topic. */
function gatewayStatement(ctx: CompileContext, m: ResolvedModel, input: NodeTable, alias: string, diagnostics: Diagnostic[]): string | undefined {
  const node = m.node;
  const fail = (why: string) => {
    diagnostics.push(
      error('VIRTUAL_TOPIC_UNSUPPORTED_SQL', `Model "${node.name}" cannot be served as a Gateway virtual topic: ${why}`, {
        ...node.at(['sql']),
        node: node.id,
        hint: "the Gateway's SQL topics support SELECT of fields and CASE, and WHERE with AND of =, <>, <, <=, >, >= and REGEXP; use materialized: flink for anything else",
      }),
    );
    return undefined;
  };
  let q: Query;
  try {
    q = parseQuery(m.renderedSql!);
  } catch {
    return fail('its SQL could not be parsed');
  }
  if (q.with.length || q.orderBy.length || q.limit || q.offset) return fail('WITH, ORDER BY and LIMIT are not supported');
  const s = q.body;
  if (s.kind !== 'select') return fail('only a single SELECT is supported');
  if (s.distinct || s.groupBy.length || s.having) return fail('DISTINCT, GROUP BY and HAVING are not supported');
  if (!s.from || s.from.kind !== 'table') return fail('it must read one topic, without joins or table functions');
  const qualifiers = new Set([s.from.alias, s.from.parts[s.from.parts.length - 1]].filter((x): x is string => !!x));
  try {
    const items = s.items.map((it) => {
      if (it.expr.kind === 'star') return '*';
      const e = expr(it.expr, qualifiers, 'select');
      const name = it.alias ?? (it.expr.kind === 'column' ? it.expr.parts[it.expr.parts.length - 1] : undefined);
      if (!name) throw new Unsupported('every computed column needs an alias');
      return it.alias && (it.expr.kind !== 'column' || e !== field(it.alias)) ? `${e} AS ${field(it.alias)}` : e;
    });
    if (input.format !== 'json' && !(items.length === 1 && items[0] === '*')) {
      throw new Unsupported(`its input is ${input.format}, and the Gateway cannot project schema'd records (only SELECT *)`);
    }
    let text = `SELECT ${items.join(', ')} FROM ${alias}`;
    if (s.where) text += ` WHERE ${conjunction(s.where, qualifiers)}`;
    return ctx.vault.scrub(text);
  } catch (e) {
    if (e instanceof Unsupported) return fail(e.message);
    throw e;
  }
}

function field(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Unsupported(`field name "${name}" needs quoting, which the Gateway's SQL does not support`);
  return name;
}

function conjunction(e: Expr, q: Set<string>): string {
  if (e.kind === 'binary' && e.op.toUpperCase() === 'AND') return `${conjunction(e.left, q)} AND ${conjunction(e.right, q)}`;
  return predicate(e, q, 'where');
}

const COMPARISONS = new Set(['=', '<>', '!=', '<', '<=', '>', '>=']);

function predicate(e: Expr, q: Set<string>, where: 'select' | 'where'): string {
  if (e.kind === 'binary' && COMPARISONS.has(e.op)) return `${expr(e.left, q, where)} ${e.op === '!=' ? '<>' : e.op} ${expr(e.right, q, where)}`;
  if (e.kind === 'call' && e.name.toUpperCase() === 'REGEXP' && e.args.length === 2) return `${expr(e.args[0]!, q, where)} REGEXP ${expr(e.args[1]!, q, where)}`;
  if (e.kind === 'binary' && e.op.toUpperCase() === 'AND') return `${predicate(e.left, q, where)} AND ${predicate(e.right, q, where)}`;
  if (e.kind === 'binary' && e.op.toUpperCase() === 'OR') throw new Unsupported('OR is not supported');
  if (e.kind === 'in') throw new Unsupported('IN is not supported (it is an OR)');
  throw new Unsupported(`the condition at line ${e.pos.line}, column ${e.pos.column} is not a comparison`);
}

function expr(e: Expr, q: Set<string>, where: 'select' | 'where'): string {
  switch (e.kind) {
    case 'column': {
      const parts = e.parts.length > 1 && q.has(e.parts[0]!) ? e.parts.slice(1) : e.parts;
      const path = parts.map(field).join('.');
      return where === 'where' ? `$.${path}` : path;
    }
    case 'literal':
      if (e.literal === 'string') return `'${e.text.replace(/'/g, "''")}'`;
      if (e.literal === 'integer' || e.literal === 'decimal' || e.literal === 'approx') return e.text;
      if (e.literal === 'boolean' || e.literal === 'null') return e.text.toUpperCase();
      throw new Unsupported(`${e.literal} literals are not supported`);
    case 'unary':
      if (e.op === '-' && e.expr.kind === 'literal') return `-${expr(e.expr, q, where)}`;
      throw new Unsupported(`operator ${e.op} is not supported`);
    case 'case': {
      if (e.operand) throw new Unsupported('CASE <value> WHEN is not supported; write CASE WHEN <condition>');
      const whens = e.whens.map((w) => `WHEN ${predicateOrAnd(w.when, q)} THEN ${expr(w.then, q, 'select')}`).join(' ');
      return `CASE ${whens}${e.else ? ` ELSE ${expr(e.else, q, 'select')}` : ''} END`;
    }
    default:
      throw new Unsupported(`${e.kind === 'call' ? `function ${e.name}` : `${e.kind} expressions`} at line ${e.pos.line}, column ${e.pos.column} is not supported`);
  }
}

function predicateOrAnd(e: Expr, q: Set<string>): string {
  return predicate(e, q, 'select');
}
