/**
 * Column-level lineage recorded by the analyser where column references resolve: every output
 * column lists the input columns its value derives from, and how (direct, expression, aggregate,
 * window), through every construct of the SELECT grammar.
 */
import { describe, expect, it } from 'vitest';
import { analyzeSql, type InputTable } from '../../src/sql/index.js';

const inputs: Record<string, InputTable> = {
  pay: {
    columns: [
      { name: 'id', type: 'BIGINT' },
      { name: 'card_number', type: 'STRING' },
      { name: 'amount', type: 'INT' },
      { name: 'customer', type: 'ROW<email STRING, name STRING>' },
      { name: 'tags', type: 'ARRAY<STRING>' },
      { name: 'ts', type: 'TIMESTAMP(3)' },
    ],
    timeAttribute: { column: 'ts', kind: 'rowtime' },
  },
  cust: { columns: [{ name: 'id', type: 'BIGINT' }, { name: 'email', type: 'STRING' }] },
};

/** column → "transform: table.col, table.col" */
function lineage(sql: string): Record<string, string> {
  const a = analyzeSql(sql, inputs);
  expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return Object.fromEntries((a.lineage ?? []).map((l) => [l.column, `${l.transform}: ${l.sources.map((s) => `${s.table}.${s.column}`).join(', ')}${l.partial ? ' (partial)' : ''}`]));
}

describe('column lineage', () => {
  it('follows plain columns, expressions, casts, CASE and nested fields', () => {
    expect(
      lineage(
        "SELECT id, UPPER(card_number) AS c, CAST(amount AS BIGINT) AS a, CASE WHEN amount > 10 THEN card_number ELSE 'x' END AS k, customer.email AS e, customer, 'const' AS lit FROM pay",
      ),
    ).toEqual({
      id: 'direct: pay.id',
      c: 'expression: pay.card_number',
      a: 'expression: pay.amount',
      k: 'expression: pay.amount, pay.card_number',
      e: 'direct: pay.customer.email',
      customer: 'direct: pay.customer',
      lit: 'expression: ',
    });
  });

  it('follows aggregates and GROUP BY keys', () => {
    expect(lineage('SELECT p.id, SUM(p.amount) AS s, COUNT(*) AS n, MAX(UPPER(card_number)) AS m FROM pay p GROUP BY p.id')).toEqual({
      id: 'direct: pay.id',
      s: 'aggregate: pay.amount',
      n: 'aggregate: ',
      m: 'aggregate: pay.card_number',
    });
  });

  it('follows both sides of a join, not the join condition', () => {
    expect(lineage('SELECT p.id AS pid, c.email, CONCAT(c.email, p.card_number) AS both_sides FROM pay p JOIN cust c ON p.id = c.id')).toEqual({
      pid: 'direct: pay.id',
      email: 'direct: cust.email',
      both_sides: 'expression: cust.email, pay.card_number',
    });
  });

  it('merges the sides of a union', () => {
    expect(lineage('SELECT id, card_number AS x FROM pay UNION ALL SELECT id, email FROM cust')).toEqual({
      id: 'direct: cust.id, pay.id',
      x: 'direct: cust.email, pay.card_number',
    });
    expect(lineage('SELECT id, UPPER(card_number) AS x FROM pay UNION SELECT id, email FROM cust').x).toBe('expression: cust.email, pay.card_number');
  });

  it('derives window bounds from the DESCRIPTOR column', () => {
    expect(lineage("SELECT id, window_start, window_end, window_time, SUM(amount) AS total FROM TABLE(TUMBLE(TABLE pay, DESCRIPTOR(ts), INTERVAL '5' MINUTE)) GROUP BY id, window_start, window_end, window_time")).toEqual({
      id: 'direct: pay.id',
      window_start: 'window: pay.ts',
      window_end: 'window: pay.ts',
      window_time: 'window: pay.ts',
      total: 'aggregate: pay.amount',
    });
  });

  it('an OVER aggregate derives from its arguments, not from its partitioning and order', () => {
    expect(lineage('SELECT id, SUM(amount) OVER (PARTITION BY card_number ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS r FROM pay')).toEqual({
      id: 'direct: pay.id',
      r: 'aggregate: pay.amount',
    });
  });

  it('goes through CTEs, derived tables, * and scalar subqueries', () => {
    expect(lineage('WITH t AS (SELECT id, card_number AS cn FROM pay) SELECT cn, (SELECT MAX(email) FROM cust) AS m FROM t')).toEqual({
      cn: 'direct: pay.card_number',
      m: 'expression: cust.email',
    });
    expect(lineage('SELECT x.c, x.c.email AS e FROM (SELECT customer AS c FROM pay) x')).toEqual({ c: 'direct: pay.customer', e: 'direct: pay.customer.email' });
    expect(lineage('SELECT * FROM cust')).toEqual({ id: 'direct: cust.id', email: 'direct: cust.email' });
    // A field of a computed ROW derives from the whole value.
    expect(lineage('SELECT r.EXPR$0 AS f FROM (SELECT ROW(card_number, id) AS r FROM pay) AS s').f).toBe('expression: pay.card_number, pay.id');
  });

  it('follows UNNEST elements and MATCH_RECOGNIZE measures', () => {
    expect(lineage('SELECT id, tag FROM pay CROSS JOIN UNNEST(tags) AS t (tag)')).toEqual({ id: 'direct: pay.id', tag: 'expression: pay.tags' });
    expect(
      lineage('SELECT * FROM pay MATCH_RECOGNIZE (PARTITION BY id ORDER BY ts MEASURES FIRST(A.card_number) AS fc, LAST(B.amount) AS la PATTERN (A B) DEFINE A AS A.amount > 1, B AS B.amount > 2)'),
    ).toEqual({ id: 'direct: pay.id', fc: 'expression: pay.card_number', la: 'expression: pay.amount' });
  });

  it('goes through a Top-N and an event-time temporal join', () => {
    expect(lineage('SELECT id, card_number, rn FROM (SELECT id, card_number, ROW_NUMBER() OVER (PARTITION BY id ORDER BY amount DESC) AS rn FROM pay) WHERE rn <= 3')).toEqual({
      id: 'direct: pay.id',
      card_number: 'direct: pay.card_number',
      rn: 'aggregate: ',
    });
    const versioned = { ...inputs, rates: { columns: [{ name: 'id', type: 'BIGINT' }, { name: 'rate', type: 'DOUBLE' }, { name: 'rts', type: 'TIMESTAMP(3)' }], timeAttribute: { column: 'rts', kind: 'rowtime' as const }, changelog: 'updating' as const, primaryKey: ['id'] } };
    const a = analyzeSql('SELECT p.id, p.amount * r.rate AS converted FROM pay AS p JOIN rates FOR SYSTEM_TIME AS OF p.ts AS r ON p.id = r.id', versioned);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(a.lineage?.map((l) => `${l.column} ${l.transform}: ${l.sources.map((x) => `${x.table}.${x.column}`).join(', ')}`)).toEqual(['id direct: pay.id', 'converted expression: pay.amount, rates.rate']);
  });

  it('says when an input schema is unknown', () => {
    const a = analyzeSql('SELECT a, UPPER(b) AS ub FROM unknown_t', { unknown_t: { columns: [] } });
    expect(a.lineage).toEqual([
      { column: 'a', sources: [], transform: 'expression', partial: true },
      { column: 'ub', sources: [], transform: 'expression', partial: true },
    ]);
  });
});
