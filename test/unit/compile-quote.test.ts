import { describe, expect, it } from 'vitest';
import { option, quoteIdent, quoteLiteral, safeType } from '../../src/compile/quote.js';
import { tokenize } from '../../src/sql/index.js';

describe('quoteIdent', () => {
  it('wraps in backticks and doubles embedded backticks', () => {
    expect(quoteIdent('orders')).toBe('`orders`');
    expect(quoteIdent('a`b')).toBe('`a``b`');
    expect(quoteIdent('``')).toBe('``````');
  });

  it.each(['x` STRING); DROP TABLE t; --', "it's", 'a.b-c', 'select', 'new\nline', '`'])('stays one identifier token for %j', (name) => {
    const tokens = tokenize(quoteIdent(name)).filter((t) => t.kind !== 'eof');
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.kind).toBe('quoted');
    expect(tokens[0]!.text).toBe(name);
  });
});

describe('quoteLiteral', () => {
  it.each(["O'Reilly", "'; DROP TABLE t; --", "''", 'back\\slash', 'multi\nline', '`tick`'])('stays one string token for %j', (value) => {
    const tokens = tokenize(quoteLiteral(value)).filter((t) => t.kind !== 'eof');
    expect(tokens).toHaveLength(1);
    expect(tokens[0]!.kind).toBe('string');
    expect(tokens[0]!.text).toBe(value);
  });

  it('builds option pairs with both sides quoted', () => {
    expect(option("k'", "v'")).toBe("'k''' = 'v'''");
  });
});

describe('safeType', () => {
  it('accepts Flink types', () => {
    for (const t of ['STRING', 'DECIMAL(10, 2)', 'TIMESTAMP(3)', 'ARRAY<ROW<`a b` INT, c STRING>>', 'MAP<STRING, BIGINT> NOT NULL']) expect(safeType(t)).toBe(t);
  });

  it('rejects anything that could end the column list or the statement', () => {
    for (const t of ['STRING); DROP TABLE x; --', 'INT -- comment', 'STRING)', 'ROW<a INT', "STRING COMMENT 'x", 'INT; SET']) expect(safeType(t)).toBeUndefined();
  });
});
