/**
 * A model's SQL in the Conduktor Gateway's SQL subset (VirtualSqlTopicPlugin): a projection of
 * fields, aliases and CASE, and a filter that is an AND of =, <>, <, <=, >, >= and REGEXP, over
 * one JSON topic. Decided once, by resolve: a stateless model is served by the Gateway only when
 * its SQL translates; the Gateway emitter renders the translation.
 */
import type { Expr, Query } from '../sql/ast.js';

/** The translated statement (without its FROM, which names the alias topic), or why there is none. */
export type GatewaySql = { ok: true; select: string; where?: string } | { ok: false; reason: string };

export const GATEWAY_SQL_HINT = "the Gateway's SQL topics support SELECT of fields and CASE, and WHERE with AND of =, <>, <, <=, >, >= and REGEXP; use materialized: flink for anything else";

class Unsupported extends Error {}

/** `query` read from one input whose values are in `inputFormat`. */
export function gatewaySql(query: Query | undefined, inputFormat: string): GatewaySql {
  const fail = (reason: string): GatewaySql => ({ ok: false, reason });
  const q = query;
  if (!q) return fail('its SQL could not be parsed');
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
    if (inputFormat !== 'json' && !(items.length === 1 && items[0] === '*')) {
      throw new Unsupported(`its input is ${inputFormat}, and the Gateway cannot project schema'd records (only SELECT *)`);
    }
    const out: GatewaySql = { ok: true, select: `SELECT ${items.join(', ')}` };
    if (s.where) out.where = conjunction(s.where, qualifiers);
    return out;
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
