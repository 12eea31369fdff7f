/**
 * Typing of expressions: literals, operators, casts, constructors, field and index access, and
 * calls (built-in functions from functions.ts, aggregates and OVER calls, MATCH_RECOGNIZE
 * functions), with Flink's nullability.
 */
import { own } from '../core/own.js';
import type { Expr } from './ast.js';
import type { AnalysisContext } from './context.js';
import { AGGREGATE_FUNCTIONS, functionRule, GROUP_WINDOW_FUNCTIONS, isAggregateFunction, ML_FUNCTIONS, WINDOW_ONLY_FUNCTIONS, type ArgType } from './functions.js';
import { fieldOf, hasMatchScope, resolveColumn } from './names.js';
import { subquery } from './subqueries.js';
import { UNKNOWN, type Scope, type SelectContext, type TimeKind, type Typed } from './relation.js';
import { exprStart, exprText } from './expressions.js';
import { FLINK_FUNCTIONS } from './flink-names.js';
import { checkOperandSignatures, checkTypedSignatures } from './signatures.js';
import { calciteTypeName, commonType, comparableTypes, isIntervalType, isNumericType, isTimestampType, numericArithmeticType, splitNullability, typeArguments, typeFamily, typeRoot } from './types.js';

export function typeExpr(cx: AnalysisContext, expr: Expr, scope: Scope, ctx?: SelectContext): Typed {
  switch (expr.kind) {
    case 'literal':
      return literalType(expr);
    case 'typed_literal': {
      if (expr.type === 'DATE') return { type: 'DATE', nullable: false };
      const fraction = /\.(\d+)/.exec(expr.text)?.[1]?.length ?? 0;
      if (expr.type === 'TIME') return { type: `TIME(${fraction})`, nullable: false };
      return { type: `${expr.type}(${fraction})`, nullable: false };
    }
    case 'interval':
      return { type: /YEAR|MONTH|QUARTER/.test(expr.unit) ? 'INTERVAL YEAR TO MONTH' : 'INTERVAL DAY TO SECOND(3)', nullable: false };
    case 'symbol':
      return { type: 'SYMBOL', nullable: false };
    case 'column':
      return resolveColumn(cx, expr, scope);
    case 'star':
      cx.error('SQL_PARSE_ERROR', '* is only allowed in the select list or COUNT(*)', expr.pos);
      return UNKNOWN;
    case 'call':
      return typeCall(cx, expr, scope, ctx);
    case 'cast': {
      const inner = typeExpr(cx, expr.expr, scope, ctx);
      const { type, nullable } = splitNullability(expr.type);
      if (inner.type !== undefined) checkCast(cx, inner.type, type, expr);
      return { type, nullable: expr.safe ? true : nullable && inner.nullable ? true : !nullable ? false : inner.nullable };
    }
    case 'unary': {
      if (expr.op === 'NOT' && expr.expr.kind === 'exists') {
        subquery(cx, expr.expr.query, scope, ctx, 'exists', true);
        return { type: 'BOOLEAN', nullable: false };
      }
      const inner = typeExpr(cx, expr.expr, scope, ctx);
      if (expr.op === 'NOT') return { type: 'BOOLEAN', nullable: inner.nullable };
      return { type: inner.type, nullable: inner.nullable };
    }
    case 'binary':
      return typeBinary(cx, expr, scope, ctx);
    case 'is':
      typeExpr(cx, expr.expr, scope, ctx);
      return { type: 'BOOLEAN', nullable: false };
    case 'between': {
      const parts = [expr.expr, expr.low, expr.high].map((e) => typeExpr(cx, e, scope, ctx));
      const [value, low, high] = parts.map((p) => p.type);
      if (value !== undefined && [low, high].some((t) => t !== undefined && !comparableTypes(value, t))) {
        cx.error('SQL_TYPE_MISMATCH', `Cannot apply 'BETWEEN ASYMMETRIC' to arguments of type '${value} BETWEEN ASYMMETRIC ${low} AND ${high}'`, exprStart(expr), 'The bounds must be comparable with the value: CAST them.');
      }
      return { type: 'BOOLEAN', nullable: parts.some((p) => p.nullable) };
    }
    case 'in': {
      const value = typeExpr(cx, expr.expr, scope, ctx);
      const items = (expr.list ?? []).map((e) => typeExpr(cx, e, scope, ctx));
      if (value.type !== undefined && items.some((t) => t.type !== undefined && !comparableTypes(value.type!, t.type))) {
        cx.error('SQL_TYPE_MISMATCH', `Values passed to IN operator must have compatible types: ${value.type} IN (${items.map((t) => t.type ?? '?').join(', ')})`, exprStart(expr), 'CAST the values to the type of the tested expression.');
      }
      if (expr.query) subquery(cx, expr.query, scope, ctx, 'in', expr.not);
      return { type: 'BOOLEAN', nullable: value.nullable };
    }
    case 'like': {
      const value = typeExpr(cx, expr.expr, scope, ctx);
      const pattern = typeExpr(cx, expr.pattern, scope, ctx);
      const notText = [value.type, pattern.type].some((t) => t !== undefined && !['character', 'null'].includes(typeFamily(t)));
      if (notText) {
        cx.error('SQL_TYPE_MISMATCH', `Cannot apply '${expr.op}' to arguments of type '${expr.op}(<${value.type}>, <${pattern.type}>)': ${expr.op} compares character strings`, exprStart(expr), `CAST the value to STRING: CAST(x AS STRING) ${expr.op} '...'.`);
      }
      return { type: 'BOOLEAN', nullable: value.nullable };
    }
    case 'exists':
      subquery(cx, expr.query, scope, ctx, 'exists', false);
      return { type: 'BOOLEAN', nullable: false };
    case 'subquery': {
      const rel = subquery(cx, expr.query, scope, ctx, 'scalar', false);
      const first = rel.cols[0];
      return { type: first?.type, nullable: true };
    }
    case 'case': {
      if (expr.operand) typeExpr(cx, expr.operand, scope, ctx);
      const results: Typed[] = [];
      for (const w of expr.whens) {
        const when = typeExpr(cx, w.when, scope, ctx);
        // A searched CASE takes conditions (Flink's validator: "Expected a boolean type").
        if (!expr.operand && when.type !== undefined && !['boolean', 'null', 'other'].includes(typeFamily(when.type))) {
          cx.error('SQL_TYPE_MISMATCH', `Expected a boolean type: WHEN ${exprText(w.when)} is a ${when.type}`, exprStart(expr), `Compare it: WHEN ${exprText(w.when)} <> 0.`);
        }
        results.push(typeExpr(cx, w.then, scope, ctx));
      }
      if (expr.else) results.push(typeExpr(cx, expr.else, scope, ctx));
      const type = mergeTypes(results);
      if (type === undefined && results.every((r) => r.type !== undefined)) mixingError(cx, results.map((r) => r.type!), expr);
      return { type, nullable: !expr.else || results.some((r) => r.nullable) };
    }
    case 'constructor': {
      const items = expr.items.map((e) => typeExpr(cx, e, scope, ctx));
      // Element types say NOT NULL when no element can be NULL (ARRAY['a', 'b'] is ARRAY<CHAR(1) NOT NULL>).
      const element = (typed: Typed[]) => {
        const t = mergeTypes(typed);
        return t === undefined ? undefined : `${t}${typed.every((x) => !x.nullable) ? ' NOT NULL' : ''}`;
      };
      if (expr.type === 'ARRAY') return { type: items.length ? wrapType('ARRAY', element(items)) : undefined, nullable: false };
      if (expr.type === 'MAP') {
        const keys = element(items.filter((_, i) => i % 2 === 0));
        const values = element(items.filter((_, i) => i % 2 === 1));
        return { type: keys && values ? `MAP<${keys}, ${values}>` : undefined, nullable: false };
      }
      if (items.some((t) => t.type === undefined)) return { type: undefined, nullable: false };
      return { type: `ROW<${items.map((t, i) => `EXPR$${i} ${t.type}${t.nullable ? '' : ' NOT NULL'}`).join(', ')}>`, nullable: false };
    }
    case 'index': {
      const base = typeExpr(cx, expr.expr, scope, ctx);
      const index = typeExpr(cx, expr.index, scope, ctx);
      if (!base.type) return UNKNOWN;
      const args = typeArguments(base.type);
      const root = typeRoot(base.type);
      if (root === 'ARRAY') return { ...splitNullability(args[0] ?? 'STRING'), nullable: true };
      if (root === 'MAP') return { ...splitNullability(args[1] ?? 'STRING'), nullable: true };
      if (root === 'ROW') return { type: undefined, nullable: true };
      cx.error('SQL_TYPE_MISMATCH', `Cannot apply 'ITEM' to arguments of type 'ITEM(<${base.type}>, <${index.type}>)': only an ARRAY, a MAP or a ROW can be indexed`, exprStart(expr), `'${exprText(expr.expr)}' is a ${base.type}.`);
      return UNKNOWN;
    }
    case 'field': {
      const base = typeExpr(cx, expr.expr, scope, ctx);
      return fieldOf(cx, base, [expr.name], expr.pos);
    }
  }
}

/** WHERE and HAVING conditions are BOOLEAN. */
export function expectBoolean(cx: AnalysisContext, typed: Typed, expr: Expr, clause: string): void {
  if (typed.type !== undefined && typeRoot(typed.type) !== 'BOOLEAN' && typeRoot(typed.type) !== 'NULL') {
    cx.error('SQL_TYPE_MISMATCH', `${clause} clause must be a condition: it is a ${typed.type}, not a BOOLEAN`, exprStart(expr), `Compare it, e.g. ${clause} x > 0.`);
  }
}

function typeBinary(cx: AnalysisContext, expr: Expr & { kind: 'binary' }, scope: Scope, ctx?: SelectContext): Typed {
  const left = typeExpr(cx, expr.left, scope, ctx);
  const right = typeExpr(cx, expr.right, scope, ctx);
  const nullable = left.nullable || right.nullable;
  const comparison = ['=', '<>', '<', '>', '<=', '>=', 'IS DISTINCT FROM', 'IS NOT DISTINCT FROM'].includes(expr.op);
  if (comparison && left.type !== undefined && right.type !== undefined) {
    if (!comparableTypes(left.type, right.type)) {
      cx.error('SQL_TYPE_MISMATCH', `Cannot apply '${expr.op}' to arguments of type '<${left.type}> ${expr.op} <${right.type}>'`, exprStart(expr), 'Compare values of comparable types: CAST one side.');
    } else if (typeFamily(left.type) !== typeFamily(right.type) && ![left.type, right.type].includes('NULL') && !isLiteral(expr.left) && !isLiteral(expr.right)) {
      // Flink casts a character literal to the other side's type, never a column.
      cx.error(
        'SQL_TYPE_MISMATCH',
        `implicit type conversion between ${calciteTypeName(left.type)} and ${calciteTypeName(right.type)} is not supported now`,
        exprStart(expr),
        `CAST one side: CAST(${exprText(expr.left)} AS ${right.type}) ${expr.op} ${exprText(expr.right)}.`,
      );
    }
  }
  switch (expr.op) {
    case 'AND':
    case 'OR':
    case '=':
    case '<>':
    case '<':
    case '>':
    case '<=':
    case '>=':
      return { type: 'BOOLEAN', nullable };
    case 'IS DISTINCT FROM':
    case 'IS NOT DISTINCT FROM':
      return { type: 'BOOLEAN', nullable: false };
    case '||':
      return { type: 'STRING', nullable };
  }
  if (left.type === undefined || right.type === undefined) return { type: undefined, nullable };
  const op = expr.op as '+' | '-' | '*' | '/' | '%';
  const numeric = numericArithmeticType(op, left.type, right.type);
  if (numeric) return { type: numeric, nullable };
  // Datetime arithmetic: ts ± INTERVAL keeps the datetime type (but not its time attribute).
  const datetime = (t: string) => isTimestampType(t) || typeRoot(t) === 'DATE' || typeRoot(t) === 'TIME';
  if ((op === '+' || op === '-') && datetime(left.type) && isIntervalType(right.type)) return { type: left.type, nullable };
  if (op === '+' && isIntervalType(left.type) && datetime(right.type)) return { type: right.type, nullable };
  if ((op === '+' || op === '-') && isIntervalType(left.type) && isIntervalType(right.type)) return { type: left.type, nullable };
  if ((op === '*' || op === '/') && isIntervalType(left.type) && isNumericType(right.type)) return { type: left.type, nullable };
  if (left.type === 'NULL' || right.type === 'NULL') return { type: left.type === 'NULL' ? right.type : left.type, nullable: true };
  cx.error('SQL_TYPE_MISMATCH', `Cannot apply '${expr.op}' to arguments of type '<${left.type}> ${expr.op} <${right.type}>'`, exprStart(expr), 'CAST one side to a compatible type.');
  return { type: undefined, nullable };
}

function typeCall(cx: AnalysisContext, call: Expr & { kind: 'call' }, scope: Scope, ctx?: SelectContext): Typed {
  const name = call.name;
  if (ML_FUNCTIONS.has(name)) cx.mlFunctions.add(name);
  const isAggregate = isAggregateFunction(name) && !call.over;
  if (isAggregate && ctx) {
    ctx.aggregateCalls++;
    ctx.firstAggregate ??= call.pos;
  }
  if (name === 'APPROX_COUNT_DISTINCT' && !call.over) {
    cx.error('SQL_UNSUPPORTED', 'APPROX_COUNT_DISTINCT aggregate function does not support yet for streaming', call.pos, 'Use COUNT(DISTINCT x).');
  }
  const args: ArgType[] = call.args.map((a) => {
    const t = typeExpr(cx, a, scope, ctx);
    const arg: ArgType = { type: t.type, nullable: t.nullable };
    if (a.kind === 'literal') arg.literal = a.text;
    if (t.time) (arg as ArgType & { time?: TimeKind }).time = t.time;
    return arg;
  });
  if (call.filter) typeExpr(cx, call.filter, scope, ctx);

  if (call.over) {
    let spec = call.over;
    if (spec.ref) {
      const named = own(ctx?.windows, spec.ref);
      if (!named) cx.error('SQL_UNKNOWN_WINDOW', `Unknown window '${spec.ref}'`, spec.pos, 'Declare it with WINDOW name AS (...).');
      else spec = { ...named, pos: spec.pos };
    }
    // The window's partitioning and order place rows; the value derives from the arguments (lineage).
    const lineage = cx.lineage;
    cx.lineage = undefined;
    for (const p of spec.partitionBy) typeExpr(cx, p, scope);
    for (const o of spec.orderBy) typeExpr(cx, o.expr, scope);
    cx.lineage = lineage;
    ctx?.overCalls.push({ name, spec, pos: call.pos });
    if (!isAggregateFunction(name) && !(name in WINDOW_ONLY_FUNCTIONS)) {
      cx.warn('SQL_UNKNOWN_FUNCTION', `Unknown window function ${name}`, call.pos);
      return { type: 'STRING', nullable: true };
    }
  } else if (name in WINDOW_ONLY_FUNCTIONS) {
    cx.error('SQL_UNSUPPORTED', `Unsupported call: ${name}(): it needs an OVER window`, call.pos, `Write ${name}() OVER (PARTITION BY ... ORDER BY ...).`);
  }

  if (scope.matchRecognize || hasMatchScope(scope)) {
    switch (name) {
      case 'FIRST':
      case 'LAST':
      case 'PREV':
      case 'NEXT':
        return { type: args[0]?.type, nullable: true };
      case 'MATCH_ROWTIME': {
        const rowtime = scope.entries[0]?.rel.cols.find((c) => c.time === 'rowtime');
        const type = rowtime?.type && typeRoot(rowtime.type) === 'TIMESTAMP_LTZ' ? 'TIMESTAMP_LTZ(3)' : 'TIMESTAMP(3)';
        return { type, nullable: false, time: 'rowtime' };
      }
      case 'MATCH_PROCTIME':
        return { type: 'TIMESTAMP_LTZ(3)', nullable: false, time: 'proctime' };
      case 'CLASSIFIER':
        cx.error('SQL_UNSUPPORTED', 'Unsupported call: CLASSIFIER(): Flink does not support it in MATCH_RECOGNIZE', call.pos, 'Define a measure per pattern variable instead.');
        return { type: 'STRING', nullable: false };
    }
  }
  if (name === 'JSON_VALUE' && call.returning) {
    const returning = splitNullability(call.returning).type;
    if (!['character', 'boolean'].includes(typeFamily(returning)) && !['INT', 'DOUBLE'].includes(typeRoot(returning))) {
      cx.error('SQL_UNSUPPORTED', `Unsupported type '${returning}' for RETURNING in JSON_VALUE()`, call.pos, 'JSON_VALUE returns STRING, BOOLEAN, INT or DOUBLE: return one of those and CAST it.');
    }
    return { type: returning, nullable: true };
  }
  if (name === 'TIMESTAMPDIFF' && args.length === 3) {
    const [, a, b] = args;
    const ltz = [a, b].map((x) => (x?.type === undefined ? undefined : typeRoot(x.type) === 'TIMESTAMP_LTZ'));
    if (ltz[0] !== undefined && ltz[1] !== undefined && ltz[0] !== ltz[1]) {
      cx.error('SQL_TYPE_MISMATCH', `TIMESTAMP_LTZ only supports diff between the same type: TIMESTAMPDIFF of ${a!.type} and ${b!.type}`, call.pos, 'CAST both to TIMESTAMP_LTZ(3), or use LOCALTIMESTAMP instead of CURRENT_TIMESTAMP.');
    }
  }
  if (name === 'NULLIF' && args.length === 2 && args[0]?.type !== undefined && args[1]?.type !== undefined) {
    const [a, b] = [args[0].type, args[1].type];
    const simple = (t: string) => ['numeric', 'character', 'boolean', 'date', 'time', 'timestamp', 'binary'].includes(typeFamily(t));
    // Flink types a character literal CHAR(n).
    const named = (t: string, e: Expr | undefined) => (e?.kind === 'literal' && e.literal === 'string' ? 'CHAR' : calciteTypeName(t));
    if (simple(a) && simple(b) && typeFamily(a) !== typeFamily(b)) {
      cx.error('SQL_TYPE_MISMATCH', `implicit type conversion between ${named(a, call.args[0])} and ${named(b, call.args[1])} is not supported now`, call.pos, `CAST one argument: NULLIF(${exprText(call.args[0]!)}, CAST(${exprText(call.args[1]!)} AS ${a})).`);
    }
  }
  if (name === 'JSON_QUERY' && call.returning) return { ...splitNullability(call.returning), nullable: true };
  if (GROUP_WINDOW_FUNCTIONS.has(name)) return { type: 'TIMESTAMP(3)', nullable: false };
  if (name === 'COUNT') return { type: 'BIGINT', nullable: false };

  if (!ML_FUNCTIONS.has(name) && !isFlinkFunction(name)) {
    unknownFunction(cx, call, args);
    return UNKNOWN;
  }
  const signaturesChecked = checkOperandSignatures(cx, call, args);
  checkTypedSignatures(cx, call, args);
  const rule = functionRule(name);
  if (!rule) {
    const ml = cx.mlOutputs(call);
    // Called as a scalar: its one output column, or a ROW of all of them.
    if (ml?.length === 1) return splitNullability(ml[0]!.type);
    if (ml) return { type: `ROW<${ml.map((c) => `\`${c.name.replace(/`/g, '``')}\` ${c.type}`).join(', ')}>`, nullable: true };
    if (ML_FUNCTIONS.has(name)) return UNKNOWN;
    cx.warn('SQL_UNKNOWN_FUNCTION', `Unknown function ${name}: assumed to be a user-defined function returning STRING`, call.pos, `Wrap the call in CAST(${name}(...) AS <type>) to declare its type.`);
    return { type: 'STRING', nullable: true };
  }
  if (!signaturesChecked) checkCharacterOperands(cx, call, args);
  const result = rule(args);
  const typed: Typed = { type: result.type, nullable: result.nullable ?? args.some((a) => a.nullable) };
  // Calcite's "nullable if empty": NULL over no row, so NOT NULL only per group, unfiltered, of a NOT NULL value.
  if (isAggregate && NULLABLE_IF_EMPTY.has(name)) typed.nullable = (args[0]?.nullable ?? true) || !ctx?.grouped || call.filter !== undefined;
  if (result.time) typed.time = result.time;
  if (isAggregate && name in AGGREGATE_FUNCTIONS && call.args.length === 0 && !call.star && name !== 'COUNT') {
    cx.error('SQL_UNSUPPORTED', `${name}() needs an argument`, call.pos);
  }
  return typed;
}

const NULLABLE_IF_EMPTY = new Set(['SUM', 'MIN', 'MAX', 'AVG', 'STDDEV', 'STDDEV_POP', 'STDDEV_SAMP', 'VARIANCE', 'VAR_POP', 'VAR_SAMP', 'FIRST_VALUE', 'LAST_VALUE']);

/** Flink has this function (JSON_OBJECTAGG and JSON_ARRAYAGG are catalogued by their NULL-handling variants). */
export function isFlinkFunction(name: string): boolean {
  return FLINK_FUNCTIONS.has(name) || FLINK_FUNCTIONS.has(`${name}_NULL_ON_NULL`) || name === 'IS JSON';
}

/** Flink 1.20 has no such function, and a streamt project registers none: Calcite's message. */
export function unknownFunction(cx: AnalysisContext, call: Expr & { kind: 'call' }, args: { type: string | undefined }[]): void {
  const signature = args.map((a) => `<${a.type === undefined ? 'ANY' : calciteFamily(a.type)}>`).join(', ');
  cx.error('SQL_UNKNOWN_FUNCTION', `No match found for function signature ${call.pos.text ?? call.name}(${signature})`, call.pos, `Flink 1.20 has no built-in function ${call.name}, and streamt projects register no user-defined functions.`);
}

/** How Calcite names an argument's type family in a function signature. */
function calciteFamily(type: string): string {
  switch (typeFamily(type)) {
    case 'numeric':
      return 'NUMERIC';
    case 'character':
      return 'CHARACTER';
    case 'binary':
      return 'BINARY';
    case 'boolean':
      return 'BOOLEAN';
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'interval':
      return 'INTERVAL';
    default:
      return typeRoot(type);
  }
}

/** Flink's casting rules that refuse a CAST outright (LogicalTypeCasts, and Flink's own hints). */
function checkCast(cx: AnalysisContext, from: string, to: string, expr: Expr): void {
  const f = typeFamily(from);
  const t = typeFamily(to);
  if (f === 'timestamp' && typeRoot(from) === 'TIMESTAMP' && t === 'numeric') {
    cx.error('SQL_TYPE_MISMATCH', 'The cast from TIMESTAMP type to NUMERIC type is not allowed', expr.pos, 'Use UNIX_TIMESTAMP(CAST(ts AS STRING)) for the seconds since the epoch.');
  } else if (f === 'numeric' && t === 'timestamp') {
    const target = typeRoot(to);
    cx.error('SQL_TYPE_MISMATCH', `The cast from NUMERIC type to ${target} type is not allowed`, expr.pos, target === 'TIMESTAMP' ? 'Use TO_TIMESTAMP(FROM_UNIXTIME(n)) for n seconds since the epoch.' : 'Use TO_TIMESTAMP_LTZ(n, precision) for n seconds (0) or milliseconds (3) since the epoch.');
  } else if ((f === 'date' || f === 'time') && t === 'numeric') {
    cx.error('SQL_TYPE_MISMATCH', `Cast function cannot convert value of type ${calciteTypeName(from)} to type ${calciteTypeName(to)}`, expr.pos, 'Format it with DATE_FORMAT, or extract a field with EXTRACT(... FROM ...).');
  }
}

/** Built-in functions whose operands are character strings (Calcite's CHARACTER operand checks). */
const CHARACTER_FUNCTIONS = new Set(['UPPER', 'LOWER', 'INITCAP', 'CHAR_LENGTH', 'CHARACTER_LENGTH', 'CONCAT', 'LTRIM', 'RTRIM', 'REVERSE']);

function checkCharacterOperands(cx: AnalysisContext, call: Expr & { kind: 'call' }, args: ArgType[]): void {
  if (!CHARACTER_FUNCTIONS.has(call.name)) return;
  if (args.every((a) => a.type === undefined || ['character', 'null', 'other'].includes(typeFamily(a.type)))) return;
  const types = args.map((a) => `<${a.type === undefined ? 'ANY' : calciteTypeName(a.type)}>`).join(', ');
  cx.error('SQL_TYPE_MISMATCH', `Cannot apply '${call.name}' to arguments of type '${call.name}(${types})': it takes character strings`, call.pos, `CAST the argument to STRING: ${call.name}(CAST(x AS STRING)).`);
}

function isLiteral(e: Expr): boolean {
  return e.kind === 'literal' || e.kind === 'typed_literal' || e.kind === 'interval' || (e.kind === 'unary' && isLiteral(e.expr));
}

/** CASE branches (or COALESCE arguments) without a common type. */
function mixingError(cx: AnalysisContext, types: string[], expr: Expr): void {
  const families = new Set(types.map(typeFamily));
  if (families.has('timestamp') && families.has('numeric')) {
    cx.error('SQL_TYPE_MISMATCH', 'The cast from NUMERIC type to TIMESTAMP type is not allowed: the branches mix numbers and timestamps', expr.pos, 'CAST the branches to one type.');
  } else {
    cx.error('SQL_TYPE_MISMATCH', `Illegal mixing of types in CASE or COALESCE statement: ${types.join(', ')}`, expr.pos, 'CAST the branches to one type.');
  }
}

function wrapType(wrapper: string, inner: string | undefined): string | undefined {
  return inner === undefined ? undefined : `${wrapper}<${inner}>`;
}

export function mergeTypes(typed: Typed[]): string | undefined {
  if (typed.some((t) => t.type === undefined)) return undefined;
  return commonType(typed.map((t) => t.type!));
}

function literalType(expr: Expr & { kind: 'literal' }): Typed {
  switch (expr.literal) {
    case 'integer': {
      const value = BigInt(expr.text);
      if (value >= -2147483648n && value <= 2147483647n) return { type: 'INT', nullable: false };
      if (value >= -9223372036854775808n && value <= 9223372036854775807n) return { type: 'BIGINT', nullable: false };
      return { type: `DECIMAL(${expr.text.replace('-', '').length}, 0)`, nullable: false };
    }
    case 'decimal': {
      // 0.001 is DECIMAL(4, 3): the integer part counts at least one digit.
      const unsigned = expr.text.replace('-', '');
      const [intPart = '', fraction = ''] = unsigned.split('.');
      const scale = fraction.length;
      return { type: `DECIMAL(${Math.max(1, intPart.replace(/^0+/, '').length) + scale}, ${scale})`, nullable: false };
    }
    case 'approx':
      return { type: 'DOUBLE', nullable: false };
    case 'string':
      // Flink types 'abc' as CHAR(3); STRING is what a sink column should declare.
      return { type: 'STRING', nullable: false };
    case 'boolean':
      return { type: 'BOOLEAN', nullable: false };
    case 'binary':
      return { type: 'BYTES', nullable: false };
    case 'null':
      return { type: 'NULL', nullable: true };
  }
}
