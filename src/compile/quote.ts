/**
 * Quoting for generated Flink SQL. Every identifier and every literal streamt writes goes through
 * these two functions, so a name with a quote, backtick, dot or dash cannot break or inject SQL.
 */

/** A Flink SQL identifier: backtick-quoted, backticks doubled (`a``b`). */
export function quoteIdent(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** A Flink SQL string literal: single-quoted, quotes doubled ('it''s'). */
export function quoteLiteral(value: string): string {
  return "'" + value.replace(/'/g, "''") + "'";
}

/** `'key' = 'value'` for WITH clauses and SET statements. */
export function option(key: string, value: string): string {
  return `${quoteLiteral(key)} = ${quoteLiteral(value)}`;
}

/**
 * A Flink column type as written by the user or inferred. Types come from the project (not from
 * data), but a type string could still carry SQL; anything outside the type grammar's alphabet
 * is rejected so the caller reports it instead of emitting it.
 */
export function safeType(type: string): string | undefined {
  const t = type.trim();
  if (!t || !/^[A-Za-z0-9_ (),<>`'\s]+$/.test(t)) return undefined;
  // Balanced brackets and quotes only; no statement terminators or comments can pass the alphabet above.
  let depth = 0;
  let quote: string | undefined;
  for (const ch of t) {
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '`' || ch === "'") quote = ch;
    else if (ch === '(' || ch === '<') depth++;
    else if (ch === ')' || ch === '>') {
      depth--;
      if (depth < 0) return undefined;
    }
  }
  return depth === 0 && !quote ? t : undefined;
}
