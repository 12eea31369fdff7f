/**
 * A Flink SQL tokenizer. Comments (`--`, `/* *\/`, including `/*+ hints *\/`) never become tokens,
 * so words inside them can never change what the analyser sees; string literals ('it''s') and
 * backtick identifiers (`orders.v1`, with `` `` `` as an escaped backtick) are single tokens.
 */
export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text for words, numbers and operators; the unescaped value for strings and quoted identifiers. */
  text: string;
  /** Upper-cased text for words, used for keyword matching; empty otherwise. */
  upper: string;
  offset: number;
  line: number;
  column: number;
}

export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'SqlSyntaxError';
  }
}

const MULTI_CHAR_OPS = ['<>', '<=', '>=', '!=', '||', '=>'];
const SINGLE_CHAR_OPS = new Set(['(', ')', ',', '.', ';', '+', '-', '*', '/', '%', '=', '<', '>', '[', ']', '?', ':', '{', '}', '|', '^', '$', '&', '!']);

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = sql.length;

  const advanceTo = (end: number) => {
    for (let k = i; k < end; k++) {
      if (sql[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    i = end;
  };

  while (i < n) {
    const ch = sql[i]!;
    const column = i - lineStart + 1;
    const startLine = line;
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n' || ch === '\f') {
      advanceTo(i + 1);
      continue;
    }
    if (ch === '-' && sql[i + 1] === '-') {
      let end = sql.indexOf('\n', i);
      if (end < 0) end = n;
      advanceTo(end);
      continue;
    }
    if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw new SqlSyntaxError('Unterminated comment', startLine, column, 'Close the comment with */.');
      advanceTo(end + 2);
      continue;
    }
    if (ch === "'" || ch === '`' || ch === '"') {
      // Flink quotes identifiers with backticks; double quotes are not identifiers in Flink SQL,
      // but are tokenized as strings so the parser can reject them with a precise message.
      const quote = ch;
      let k = i + 1;
      let value = '';
      for (;;) {
        if (k >= n) {
          const what = quote === '`' ? 'quoted identifier' : 'string literal';
          throw new SqlSyntaxError(`Unterminated ${what}`, startLine, column, `Close it with ${quote}.`);
        }
        if (sql[k] === quote) {
          if (sql[k + 1] === quote) {
            value += quote;
            k += 2;
            continue;
          }
          break;
        }
        value += sql[k];
        k++;
      }
      const kind: TokenKind = quote === '`' ? 'quoted' : 'string';
      tokens.push({ kind, text: value, upper: '', offset: i, line: startLine, column });
      if (quote === '"') tokens[tokens.length - 1]!.upper = '"';
      advanceTo(k + 1);
      continue;
    }
    if (isDigit(ch) || (ch === '.' && isDigit(sql[i + 1] ?? ''))) {
      let k = i;
      while (k < n && isDigit(sql[k]!)) k++;
      if (sql[k] === '.' && isDigit(sql[k + 1] ?? '')) {
        k++;
        while (k < n && isDigit(sql[k]!)) k++;
      } else if (sql[k] === '.' && !isIdentStart(sql[k + 1] ?? '')) {
        k++;
      }
      if ((sql[k] === 'e' || sql[k] === 'E') && (isDigit(sql[k + 1] ?? '') || ((sql[k + 1] === '+' || sql[k + 1] === '-') && isDigit(sql[k + 2] ?? '')))) {
        k += 2;
        while (k < n && isDigit(sql[k]!)) k++;
      }
      tokens.push({ kind: 'number', text: sql.slice(i, k), upper: '', offset: i, line: startLine, column });
      advanceTo(k);
      continue;
    }
    if (isIdentStart(ch)) {
      let k = i + 1;
      while (k < n && isIdentPart(sql[k]!)) k++;
      const text = sql.slice(i, k);
      tokens.push({ kind: 'word', text, upper: text.toUpperCase(), offset: i, line: startLine, column });
      advanceTo(k);
      continue;
    }
    const two = sql.slice(i, i + 2);
    if (MULTI_CHAR_OPS.includes(two)) {
      tokens.push({ kind: 'op', text: two, upper: '', offset: i, line: startLine, column });
      advanceTo(i + 2);
      continue;
    }
    if (SINGLE_CHAR_OPS.has(ch)) {
      tokens.push({ kind: 'op', text: ch, upper: '', offset: i, line: startLine, column });
      advanceTo(i + 1);
      continue;
    }
    throw new SqlSyntaxError(`Unexpected character '${ch}'`, startLine, column);
  }
  tokens.push({ kind: 'eof', text: '', upper: '', offset: n, line, column: n - lineStart + 1 });
  return tokens;
}

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

function isIdentStart(c: string): boolean {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === '$' || c > '\u007f';
}

function isIdentPart(c: string): boolean {
  return isIdentStart(c) || isDigit(c);
}
