/** Structural helpers over expressions: conjuncts, column references, equality, display text. */
import type { Expr, Pos } from './ast.js';

export type ColumnExpr = Expr & { kind: 'column' };

/** `a AND b AND c` → [a, b, c]. */
export function conjuncts(expr: Expr): Expr[] {
  if (expr.kind === 'binary' && expr.op === 'AND') return [...conjuncts(expr.left), ...conjuncts(expr.right)];
  return [expr];
}

/** Column references of an expression (not inside subqueries). */
export function columnRefs(expr: Expr): ColumnExpr[] {
  const out: ColumnExpr[] = [];
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'column':
        out.push(e);
        return;
      case 'call':
        e.args.forEach(visit);
        return;
      case 'cast':
      case 'unary':
        visit(e.expr);
        return;
      case 'binary':
        visit(e.left);
        visit(e.right);
        return;
      case 'interval':
        return;
      case 'between':
        visit(e.expr);
        visit(e.low);
        visit(e.high);
        return;
      default:
        return;
    }
  };
  visit(expr);
  return out;
}

/** Two expressions are the same: the same tree (positions aside), or the same column with and without a qualifier. */
export function sameExpr(a: Expr, b: Expr): boolean {
  return sameTree(a, b) || sameColumn(a, b);
}

/** `t.a` and `a` are the same key when they name the same column. */
function sameColumn(a: Expr, b: Expr): boolean {
  return a.kind === 'column' && b.kind === 'column' && a.parts[a.parts.length - 1] === b.parts[b.parts.length - 1] && (a.parts.length === 1 || b.parts.length === 1);
}

/** Structural equality of two syntax trees, ignoring positions and absent (undefined) properties. */
export function sameTree(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameTree(x, b[i]));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object' || Array.isArray(b)) return false;
  // Without building key lists (this runs for every GROUP BY and key comparison): every defined
  // key of a is defined in b with the same tree, and b has no more defined keys.
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let defined = 0;
  for (const k of Object.keys(ra)) {
    if (k === 'pos' || ra[k] === undefined) continue;
    defined++;
    if (!Object.prototype.propertyIsEnumerable.call(rb, k) || rb[k] === undefined || !sameTree(ra[k], rb[k])) return false;
  }
  for (const k of Object.keys(rb)) if (k !== 'pos' && rb[k] !== undefined) defined--;
  return defined === 0;
}

/** A short display form of an expression for messages. */
export function exprText(expr: Expr): string {
  switch (expr.kind) {
    case 'column':
      return expr.parts.join('.');
    case 'call':
      return `${expr.name}(${expr.args.map(exprText).join(', ')})`;
    default:
      return expr.kind;
  }
}

/** Where an expression starts in the query (an operator's position is its left operand's), as Flink reports it. */
export function exprStart(expr: Expr): Pos {
  switch (expr.kind) {
    case 'binary':
      return exprStart(expr.left);
    case 'is':
    case 'between':
    case 'in':
    case 'like':
    case 'index':
    case 'field':
      return exprStart(expr.expr);
    default:
      return expr.pos;
  }
}

/** A canonical text of an expression, equal for structurally equal expressions (`INTERVAL '5' MINUTES` is `INTERVAL '5' MINUTE`). */
export function exprKey(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return expr.literal === 'string' ? `'${expr.text}'` : expr.text.toUpperCase();
    case 'typed_literal':
      return `${expr.type} '${expr.text}'`;
    case 'interval':
      return `INTERVAL ${exprKey(expr.value)} ${expr.unit}`;
    case 'symbol':
      return expr.name;
    case 'column':
      return expr.parts.join('.');
    case 'star':
      return `${expr.qualifier ? `${expr.qualifier.join('.')}.` : ''}*`;
    case 'call':
      return `${expr.name}(${expr.distinct ? 'DISTINCT ' : ''}${expr.star ? '*' : expr.args.map(exprKey).join(', ')})`;
    case 'cast':
      return `${expr.safe ? 'TRY_CAST' : 'CAST'}(${exprKey(expr.expr)} AS ${expr.type})`;
    case 'unary':
      return `${expr.op} ${exprKey(expr.expr)}`;
    case 'binary':
      return `(${exprKey(expr.left)} ${expr.op} ${exprKey(expr.right)})`;
    default:
      return expr.kind;
  }
}
