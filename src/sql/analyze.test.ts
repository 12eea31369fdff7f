import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { analyzeSql, type InputTable, type SqlAnalysis } from './index.js';

const INPUTS = parse(readFileSync(fileURLToPath(new URL('../../test/sql-corpus/inputs.yaml', import.meta.url)), 'utf8')) as Record<string, InputTable>;
// A lookup-capable table (a JDBC table, say): the right side of a processing-time join.
INPUTS.customer_lookup = { ...INPUTS.customers!, changelog: 'append', lookup: true };
const analyze = (sql: string) => analyzeSql(sql, INPUTS);
const codes = (a: SqlAnalysis) => a.diagnostics.map((d) => d.code);
const columns = (a: SqlAnalysis) => a.columns?.map((c) => `${c.name}: ${c.type}${c.nullable === false ? '!' : ''}`);
const typeOf = (expr: string, from = 'orders') => {
  const a = analyze(`SELECT ${expr} AS x FROM ${from}`);
  expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return columns(a)?.[0]?.replace(/^x: /, '');
};

describe('tables and FROM are read from the parsed query, never from comments or strings', () => {
  it('ignores SQL words inside line comments, block comments and string literals', () => {
    const a = analyze(`SELECT order_id, 'x JOIN y' AS s -- GROUP BY order_id
      FROM orders /* JOIN customers ON 1 = 1 */ WHERE status <> 'ORDER BY'`);
    expect(a.tables).toEqual(['orders']);
    expect(a.stateful).toBe(false);
    expect(a.features).toEqual([]);
  });

  it('does not take FROM in a comment or a string for a FROM clause', () => {
    for (const sql of ["/* FROM orders */ SELECT 1 AS n", "SELECT 'FROM orders' AS s", 'SELECT 1 AS n -- FROM orders']) {
      const a = analyze(sql);
      expect(a.hasFrom, sql).toBe(false);
      expect(a.tables, sql).toEqual([]);
      expect(codes(a), sql).toContain('SQL_NO_FROM');
    }
  });

  it('keeps escaped quotes inside literals and quoted identifiers', () => {
    const a = analyze("SELECT `payment_id` AS `it``s` FROM `payments.v1` WHERE card_id = 'it''s -- not a comment'");
    expect(a.parsed).toBe(true);
    expect(a.tables).toEqual(['payments.v1']);
    expect(a.columns?.[0]?.name).toBe('it`s');
  });

  it('handles rendered refs with dots and dashes', () => {
    const a = analyze('SELECT * FROM `orders-eu` e JOIN `payments.v1` p ON e.id = p.payment_id');
    expect(a.tables).toEqual(['orders-eu', 'payments.v1']);
  });

  it('lists tables in order of first appearance, once, without CTE names, including subqueries', () => {
    const a = analyze(`WITH recent AS (SELECT * FROM shipments)
      SELECT o.order_id FROM orders o JOIN recent r ON o.order_id = r.order_id
      WHERE o.customer_id IN (SELECT customer_id FROM customers) AND o.order_id IN (SELECT order_id FROM shipments)`);
    expect(a.tables).toEqual(['shipments', 'orders', 'customers']);
  });
});

describe('diagnostics', () => {
  it('reports a syntax error with its 1-based line and column and a hint', () => {
    const a = analyze('SELECT order_id\nFROM orders\nWHERE amount >');
    expect(a.parsed).toBe(false);
    const d = a.diagnostics[0]!;
    expect(d).toMatchObject({ code: 'SQL_PARSE_ERROR', severity: 'error', line: 3, column: 15 });
    expect(d.hint).toBeTruthy();
    // The token-level fallback still finds the table so the DAG can be built.
    expect(a.tables).toEqual(['orders']);
  });

  it('reports unterminated strings and comments at their start', () => {
    expect(analyze("SELECT 'abc FROM orders").diagnostics[0]).toMatchObject({ code: 'SQL_PARSE_ERROR', line: 1, column: 8 });
    expect(analyze('SELECT 1 /* FROM orders').diagnostics[0]).toMatchObject({ code: 'SQL_PARSE_ERROR', line: 1, column: 10 });
  });

  it('rejects statements that are not a query', () => {
    for (const sql of ['INSERT INTO out SELECT * FROM orders', 'CREATE TABLE t (a INT)', 'SET parallelism.default = 2']) {
      const a = analyze(sql);
      expect(codes(a), sql).toEqual(['SQL_NOT_SELECT']);
      expect(a.parsed).toBe(false);
    }
    expect(codes(analyze('SELECT * FROM orders; SELECT * FROM clicks'))).toEqual(['SQL_MULTIPLE_STATEMENTS']);
    expect(analyze('SELECT * FROM orders;').parsed).toBe(true);
  });

  it('reports unknown and ambiguous columns with positions and suggestions', () => {
    const unknown = analyze('SELECT order_id,\n  Amount FROM orders');
    expect(unknown.diagnostics[0]).toMatchObject({ code: 'SQL_UNKNOWN_COLUMN', line: 2, column: 3 });
    expect(unknown.diagnostics[0]!.hint).toContain("'amount'");
    const ambiguous = analyze('SELECT customer_id FROM orders o JOIN customers c ON o.customer_id = c.customer_id');
    expect(codes(ambiguous)).toEqual(['SQL_AMBIGUOUS_COLUMN']);
    expect(codes(analyze('SELECT x.order_id FROM orders o'))).toEqual(['SQL_UNKNOWN_COLUMN']);
  });

  it('takes a JOIN ... USING column as one column, first in SELECT * as Flink does', () => {
    const named = analyze('SELECT customer_id, order_id, url FROM orders JOIN clicks USING (customer_id)');
    expect(codes(named)).toEqual([]);
    expect(named.columns?.map((c) => c.name)).toEqual(['customer_id', 'order_id', 'url']);
    const star = analyze('SELECT * FROM orders JOIN clicks USING (customer_id)');
    expect(codes(star)).toEqual([]);
    expect(star.columns?.map((c) => c.name).slice(0, 2)).toEqual(['customer_id', 'order_id']);
    expect(star.columns?.filter((c) => c.name === 'customer_id')).toHaveLength(1);
    // ON keeps both sides' columns: an unqualified name is still ambiguous.
    expect(codes(analyze('SELECT customer_id FROM orders o JOIN clicks c ON o.customer_id = c.customer_id'))).toEqual(['SQL_AMBIGUOUS_COLUMN']);
  });

  it('reports unknown tables unless asked only to extract them', () => {
    expect(codes(analyze('SELECT * FROM order'))).toEqual(['SQL_PARSE_ERROR']);
    const a = analyze('SELECT * FROM ordrs');
    expect(codes(a)).toEqual(['SQL_UNKNOWN_TABLE']);
    expect(a.diagnostics[0]!.hint).toContain("'orders'");
    expect(a.columns).toBeUndefined();
    expect(analyzeSql('SELECT * FROM ordrs', {}, { checkTables: false }).diagnostics).toEqual([]);
  });

  it('takes a table named like a member of Object.prototype for an unknown table, at its position', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const a = analyze(`SELECT order_id\nFROM ${name}`);
      expect(a.diagnostics, name).toMatchObject([{ code: 'SQL_UNKNOWN_TABLE', severity: 'error', message: `Object '${name}' not found`, line: 2, column: 6 }]);
      expect(a.tables, name).toEqual([name]);
      // Also as the versioned side of a temporal join.
      const j = analyze(`SELECT o.order_id FROM orders o JOIN ${name} FOR SYSTEM_TIME AS OF o.order_time AS c ON o.customer_id = c.customer_id`);
      expect(codes(j), name).toEqual(['SQL_UNKNOWN_TABLE']);
    }
  });

  it('reads an input named like a member of Object.prototype as any input', () => {
    const table: InputTable = { columns: [{ name: 'id', type: 'STRING' }, { name: 'n', type: 'INT' }] };
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      // As JSON.parse and both YAML readers give it: an own key, even `__proto__`.
      const inputs = JSON.parse(`{"${name}": ${JSON.stringify(table)}}`) as Record<string, InputTable>;
      const a = analyzeSql(`SELECT id, n + 1 AS m FROM \`${name}\``, inputs);
      expect(a.diagnostics, name).toEqual([]);
      expect(columns(a), name).toEqual(['id: STRING', 'm: INT']);
      expect(a.tables, name).toEqual([name]);
    }
  });

  it('takes a window named like a member of Object.prototype and never declared for an unknown window', () => {
    for (const name of ['constructor', 'toString', 'valueOf', '__proto__']) {
      const a = analyze(`SELECT SUM(amount) OVER ${name} AS s FROM orders`);
      expect(codes(a), name).toContain('SQL_UNKNOWN_WINDOW');
      const declared = analyze(`SELECT SUM(amount) OVER ${name} AS s FROM orders WINDOW ${name} AS (PARTITION BY customer_id ORDER BY order_time)`);
      expect(declared.diagnostics, name).toEqual([]);
    }
  });

  it('reads ML_PREDICT output columns only of the ML models declared', () => {
    const ml = (model: string) => analyzeSql(`SELECT f.label FROM orders AS o, LATERAL TABLE(ML_PREDICT('${model}', o.amount)) AS f`, INPUTS, { mlOutputs: { Labels: [{ name: 'label', type: 'STRING' }] } });
    expect(columns(ml('Labels'))).toEqual(['label: STRING']);
    for (const name of ['constructor', 'toString', 'valueOf']) expect(columns(ml(name)), name).toEqual(columns(ml('Unknown')));
  });

  it('warns about unnamed expressions and duplicate output names', () => {
    const a = analyze('SELECT order_id, amount * 2 FROM orders');
    expect(a.diagnostics).toMatchObject([{ code: 'SQL_UNNAMED_COLUMN', severity: 'warning', line: 1, column: 18 }]);
    expect(a.columns?.[1]?.name).toBe('EXPR$1');
    const dup = analyze('SELECT * FROM orders o JOIN shipments s ON o.order_id = s.order_id');
    expect(codes(dup)).toContain('SQL_DUPLICATE_COLUMN');
    expect(dup.columns?.map((c) => c.name)).toContain('order_id0');
  });

  it("refuses a function Flink does not have, with Flink's message, where the call is", () => {
    const a = analyze('SELECT my_udf(amount) AS v FROM orders');
    expect(a.diagnostics[0]).toMatchObject({ code: 'SQL_UNKNOWN_FUNCTION', severity: 'error', line: 1, column: 8 });
    expect(a.diagnostics[0]!.message).toBe('No match found for function signature my_udf(<NUMERIC>)');
    expect(a.diagnostics[0]!.hint).toBeTruthy();
  });

  it("refuses a reserved keyword as a name, as Flink's parser does, and accepts it quoted", () => {
    const a = analyze('SELECT order_id AS value FROM orders');
    expect(a.diagnostics[0]).toMatchObject({ code: 'SQL_PARSE_ERROR', line: 1, column: 20 });
    expect(a.diagnostics[0]!.message).toContain('Encountered "value"');
    expect(a.diagnostics[0]!.hint).toContain('`value`');
    expect(analyze('SELECT order_id AS `value` FROM orders').diagnostics).toEqual([]);
  });

  it('requires a time attribute for window TVFs', () => {
    expect(codes(analyze("SELECT * FROM TABLE(TUMBLE(TABLE orders, DESCRIPTOR(status), INTERVAL '1' MINUTE))"))).toContain('SQL_TIME_ATTRIBUTE_REQUIRED');
  });

  it('is deterministic', () => {
    const sql = 'SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id';
    expect(JSON.stringify(analyze(sql))).toBe(JSON.stringify(analyze(sql)));
  });
});

describe('lookup joins', () => {
  it('are recognised, and refused as Flink refuses them: every input is a Kafka topic, which Flink cannot look up', () => {
    const a = analyze('SELECT c.url FROM clicks c JOIN customers FOR SYSTEM_TIME AS OF c.proc_time AS cu ON c.customer_id = cu.customer_id');
    expect(a.features).toContain('lookup_join');
    const errors = a.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => d.code)).toEqual(['SQL_UNSUPPORTED']);
    expect(errors[0]!.message).toMatch(/^Processing-time temporal join is not supported yet/);
    expect(analyze('SELECT o.order_id FROM orders o JOIN customers FOR SYSTEM_TIME AS OF o.order_time AS cu ON o.customer_id = cu.customer_id').features).not.toContain('lookup_join');
  });
});

describe('stateful features: each with a positive and a negative case', () => {
  const cases: [string, string, string][] = [
    ['group_by', 'SELECT customer_id, COUNT(*) AS n FROM orders GROUP BY customer_id', 'SELECT customer_id, amount FROM orders'],
    ['aggregate', 'SELECT MAX(amount) AS m FROM orders', 'SELECT ABS(amount) AS m FROM orders'],
    ['distinct', 'SELECT DISTINCT status FROM orders', "SELECT status FROM orders WHERE status = 'DISTINCT'"],
    ['regular_join', 'SELECT o.order_id FROM orders o JOIN customers c ON o.customer_id = c.customer_id', 'SELECT o.order_id FROM orders o WHERE o.customer_id > 0'],
    ['interval_join', "SELECT o.order_id FROM orders o JOIN shipments s ON o.order_id = s.order_id AND s.ship_time BETWEEN o.order_time AND o.order_time + INTERVAL '1' HOUR", 'SELECT o.order_id FROM orders o JOIN shipments s ON o.order_id = s.order_id'],
    ['temporal_join', 'SELECT o.order_id FROM orders o JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency', 'SELECT o.order_id FROM orders o JOIN currency_rates r ON o.currency = r.currency'],
    ['lookup_join', 'SELECT c.url FROM clicks c JOIN customer_lookup FOR SYSTEM_TIME AS OF c.proc_time AS cu ON c.customer_id = cu.customer_id', 'SELECT o.order_id FROM orders o JOIN customers FOR SYSTEM_TIME AS OF o.order_time AS cu ON o.customer_id = cu.customer_id'],
    ['window_tvf', "SELECT * FROM TABLE(HOP(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '1' MINUTE, INTERVAL '5' MINUTES))", "SELECT bidtime, item FROM Bid WHERE item <> 'TUMBLE'"],
    ['group_window', "SELECT SESSION_START(order_time, INTERVAL '5' MINUTE) AS s, COUNT(*) AS n FROM orders GROUP BY SESSION(order_time, INTERVAL '5' MINUTE)", "SELECT COUNT(*) AS n FROM orders GROUP BY status"],
    ['over', 'SELECT order_id, SUM(amount) OVER (PARTITION BY customer_id ORDER BY order_time) AS running_total FROM orders', 'SELECT order_id, amount FROM orders'],
    ['deduplication', 'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_time) AS rn FROM orders) WHERE rn = 1', 'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY amount) AS rn FROM orders) WHERE rn = 1'],
    ['top_n', 'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY amount DESC) AS rn FROM orders) WHERE rn <= 3', 'SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_time) AS rn FROM orders) WHERE rn = 1'],
    ['match_recognize', 'SELECT * FROM Ticker MATCH_RECOGNIZE (PARTITION BY symbol ORDER BY rowtime MEASURES A.price AS p ONE ROW PER MATCH PATTERN (A) DEFINE A AS A.price > 10) AS T', "SELECT symbol FROM Ticker WHERE symbol = 'MATCH_RECOGNIZE'"],
    ['order_by', 'SELECT * FROM orders ORDER BY order_time', 'SELECT * FROM orders'],
    ['window_join', "SELECT L.item FROM (SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES))) L JOIN (SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES))) R ON L.item = R.item AND L.window_start = R.window_start AND L.window_end = R.window_end", "SELECT L.item FROM (SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES))) L JOIN (SELECT * FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '5' MINUTES))) R ON L.item = R.item"],
  ];
  for (const [feature, positive, negative] of cases) {
    it(feature, () => {
      const p = analyze(positive);
      expect(p.diagnostics.filter((d) => d.severity === 'error'), positive).toEqual([]);
      expect(p.features, positive).toContain(feature);
      expect(p.stateful).toBe(true);
      const n = analyze(negative);
      expect(n.features, negative).not.toContain(feature);
    });
  }

  it('reports ML functions', () => {
    expect(analyze("SELECT * FROM `payments.v1` p, LATERAL TABLE(ML_EVALUATE('m', p.amount)) AS T(score)").mlFunctions).toEqual(['ML_EVALUATE']);
    expect(analyze("SELECT 'ML_PREDICT(x)' AS s FROM orders").mlFunctions).toEqual([]);
  });

  it('takes a ROW_NUMBER that no outer query filters for an OVER aggregation, as Flink plans it', () => {
    const a = analyze('SELECT order_id, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY order_time) AS rn FROM orders');
    expect(a.features).toEqual(['over']);
    expect(a.diagnostics).toEqual([]);
    expect(a.changelog).toBe('append');
  });
});

describe('changelog mode and upsert keys', () => {
  it('stateless projections and filters keep an append-only input append-only', () => {
    expect(analyze("SELECT order_id FROM orders WHERE status = 'PAID'").changelog).toBe('append');
  });

  it('non-windowed aggregation is updating, keyed by its grouping keys under their output names', () => {
    const a = analyze('SELECT customer_id AS cid, status, SUM(amount) AS total FROM orders GROUP BY customer_id, status');
    expect(a.changelog).toBe('updating');
    expect(a.upsertKey).toEqual(['cid', 'status']);
  });

  it('window aggregation is append-only', () => {
    expect(analyze("SELECT window_start, window_end, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end").changelog).toBe('append');
    // Grouping by window_start alone is not a window aggregation in Flink.
    expect(analyze("SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE Bid, DESCRIPTOR(bidtime), INTERVAL '1' MINUTE)) GROUP BY window_start").changelog).toBe('updating');
  });

  it('outer joins are updating; inner joins of append-only inputs stay append-only as in Flink', () => {
    expect(analyze('SELECT o.order_id FROM orders o LEFT JOIN products p ON o.product_id = p.product_id').changelog).toBe('updating');
    expect(analyze('SELECT o.order_id FROM orders o JOIN products p ON o.product_id = p.product_id').changelog).toBe('append');
    // customers is an upsert (updating) table
    expect(analyze('SELECT o.order_id FROM orders o JOIN customers c ON o.customer_id = c.customer_id').changelog).toBe('updating');
    expect(analyze('SELECT o.order_id FROM orders o JOIN customer_totals t ON o.customer_id = t.customer_id').changelog).toBe('updating');
  });

  it('interval and temporal joins are append-only', () => {
    expect(analyze("SELECT o.order_id FROM orders o, shipments s WHERE o.order_id = s.order_id AND s.ship_time BETWEEN o.order_time AND o.order_time + INTERVAL '4' HOUR").changelog).toBe('append');
    expect(analyze('SELECT o.order_id FROM orders o JOIN currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r ON o.currency = r.currency').changelog).toBe('append');
  });

  it('deduplication keeping the first row is append-only on processing time only; keeping the last row is updating', () => {
    const first = analyze('SELECT order_id, amount FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_time ASC) AS rn FROM orders) WHERE rn = 1');
    expect(first.changelog).toBe('updating');
    expect(first.upsertKey).toEqual(['order_id']);
    const last = analyze('SELECT order_id, amount FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY order_time DESC) AS rn FROM orders) WHERE rn = 1');
    expect(last.changelog).toBe('updating');
    expect(last.upsertKey).toEqual(['order_id']);
  });

  it('an updating upstream makes a projection updating and carries its key', () => {
    const a = analyze('SELECT customer_id AS id, total FROM customer_totals');
    expect(a.changelog).toBe('updating');
    expect(a.upsertKey).toEqual(['id']);
    expect(analyze('SELECT total FROM customer_totals').upsertKey).toBeUndefined();
  });

  it('a failed parse is never reported as append-only when stateful keywords are present', () => {
    const a = analyze('SELECT customer_id, COUNT(*) FROM orders GROUP BY customer_id HAVING');
    expect(a.parsed).toBe(false);
    expect(a.features).toContain('group_by');
    expect(a.changelog).toBe('updating');
  });
});

describe('SELECT * expansion', () => {
  it('expands * and t.* from the input schemas, across joins', () => {
    const a = analyze('SELECT c.*, o.amount FROM orders o JOIN customers c ON o.customer_id = c.customer_id');
    expect(columns(a)).toEqual(['customer_id: BIGINT!', 'name: STRING', 'country: STRING', 'update_time: TIMESTAMP(3)', 'amount: DECIMAL(10, 2)']);
  });

  it('expands through subqueries and CTEs with column aliases', () => {
    const a = analyze('WITH t (id, total) AS (SELECT order_id, amount FROM orders) SELECT * FROM (SELECT * FROM t) AS s');
    expect(columns(a)).toEqual(['id: BIGINT!', 'total: DECIMAL(10, 2)']);
  });

  it('adds window_start, window_end and window_time to a window TVF; window_time is the time attribute', () => {
    const a = analyze("SELECT * FROM TABLE(TUMBLE(TABLE Ticker, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))");
    expect(columns(a)?.slice(-3)).toEqual(['window_start: TIMESTAMP(3)!', 'window_end: TIMESTAMP(3)!', 'window_time: TIMESTAMP(3)!']);
    expect(a.timeAttribute).toEqual({ column: 'window_time', kind: 'rowtime' });
    const starts = analyze("SELECT window_start, window_end, symbol FROM TABLE(TUMBLE(TABLE Ticker, DESCRIPTOR(rowtime), INTERVAL '1' MINUTE))");
    expect(starts.timeAttribute).toBeUndefined();
  });

  it('leaves columns undefined when a needed input schema is unknown', () => {
    const a = analyze('SELECT * FROM `orders-eu`');
    expect(a.columns).toBeUndefined();
    expect(a.timeAttribute).toEqual({ column: 'ts', kind: 'rowtime' });
    // ...but not when the query does not need it.
    expect(columns(analyze('SELECT COUNT(*) AS n FROM `orders-eu`'))).toEqual(['n: BIGINT!']);
  });

  it('propagates the rowtime attribute through projections and drops it after aggregation', () => {
    expect(analyze('SELECT order_time AS ts, order_id FROM orders').timeAttribute).toEqual({ column: 'ts', kind: 'rowtime' });
    expect(analyze('SELECT CAST(order_time AS TIMESTAMP(3)) AS ts FROM orders').timeAttribute).toBeUndefined();
    expect(analyze('SELECT order_time, COUNT(*) AS n FROM orders GROUP BY order_time').timeAttribute).toBeUndefined();
    expect(analyze('SELECT proc_time FROM clicks').timeAttribute).toEqual({ column: 'proc_time', kind: 'proctime' });
  });
});

describe('type rules', () => {
  it('types literals', () => {
    expect(typeOf('42')).toBe('INT!');
    expect(typeOf('3000000000')).toBe('BIGINT!');
    expect(typeOf('2.50')).toBe('DECIMAL(3, 2)!');
    expect(typeOf('1e3')).toBe('DOUBLE!');
    expect(typeOf("'abc'")).toBe('STRING!');
    expect(typeOf('TRUE')).toBe('BOOLEAN!');
    expect(typeOf("DATE '2024-01-01'")).toBe('DATE!');
    expect(typeOf("TIMESTAMP '2024-01-01 00:00:00.123'")).toBe('TIMESTAMP(3)!');
  });

  it('keeps Flink type syntax in CAST and TRY_CAST', () => {
    expect(typeOf('CAST(order_id AS STRING)')).toBe('STRING!');
    expect(typeOf('CAST(amount AS DECIMAL(12,4))')).toBe('DECIMAL(12, 4)');
    expect(typeOf('CAST(status AS VARCHAR(20))')).toBe('VARCHAR(20)');
    expect(typeOf('CAST(order_time AS TIMESTAMP_LTZ(3))')).toBe('TIMESTAMP_LTZ(3)');
    expect(typeOf('CAST(status AS ROW<a INT, `b c` STRING>)')).toBe('ROW<a INT, `b c` STRING>');
    expect(typeOf('CAST(status AS ARRAY<MAP<STRING, BIGINT>>)')).toBe('ARRAY<MAP<STRING, BIGINT>>');
    expect(typeOf('CAST(quantity AS INTEGER NOT NULL)')).toBe('INT!');
    expect(typeOf('TRY_CAST(order_id AS INT)')).toBe('INT');
  });

  it('promotes numeric arithmetic like Flink', () => {
    expect(typeOf('quantity + 1')).toBe('INT');
    expect(typeOf('quantity + order_id')).toBe('BIGINT');
    expect(typeOf('quantity / 2')).toBe('INT');
    expect(typeOf('amount + 1')).toBe('DECIMAL(13, 2)');
    expect(typeOf('amount * amount')).toBe('DECIMAL(21, 4)');
    expect(typeOf('amount / 2')).toBe('DECIMAL(21, 13)');
    expect(typeOf('amount + 1.5e0')).toBe('DOUBLE');
    expect(typeOf('amount % 3')).toBe('DECIMAL(10, 2)');
    expect(typeOf("order_time + INTERVAL '1' HOUR")).toBe('TIMESTAMP(3)');
  });

  it('types comparisons, boolean logic and predicates as BOOLEAN', () => {
    expect(typeOf('amount > 1 AND status IS NOT NULL')).toBe('BOOLEAN');
    expect(typeOf('status IS NULL')).toBe('BOOLEAN!');
    expect(typeOf("status LIKE 'P%'")).toBe('BOOLEAN');
    expect(typeOf('quantity BETWEEN 1 AND 5')).toBe('BOOLEAN');
    expect(typeOf("status IN ('A', 'B')")).toBe('BOOLEAN');
  });

  it('merges CASE, COALESCE and IF branches', () => {
    expect(typeOf("CASE WHEN amount > 10 THEN 'big' ELSE 'small' END")).toBe('STRING!');
    expect(typeOf('CASE WHEN amount > 10 THEN quantity END')).toBe('INT');
    expect(typeOf('CASE status WHEN 1 THEN quantity ELSE order_id END')).toBe('BIGINT');
    expect(typeOf('CASE WHEN amount > 10 THEN amount ELSE 1.5 END')).toBe('DECIMAL(10, 2)');
    expect(typeOf('COALESCE(quantity, 0)')).toBe('INT!');
    expect(typeOf('IF(quantity > 1, amount, 0.5)')).toBe('DECIMAL(10, 2)');
  });

  it('types string, temporal and collection functions', () => {
    expect(typeOf('UPPER(status)')).toBe('STRING');
    expect(typeOf("CONCAT(status, '-', currency)")).toBe('STRING');
    expect(typeOf('status || currency')).toBe('STRING');
    expect(typeOf('CHAR_LENGTH(status)')).toBe('INT');
    expect(typeOf("SUBSTRING(status FROM 1 FOR 2)")).toBe('STRING');
    expect(typeOf("TRIM(BOTH ' ' FROM status)")).toBe('STRING');
    expect(typeOf('POSITION(\'a\' IN status)')).toBe('INT');
    expect(typeOf('EXTRACT(YEAR FROM order_time)')).toBe('BIGINT');
    expect(typeOf('TIMESTAMPDIFF(SECOND, order_time, order_time)')).toBe('INT');
    expect(typeOf("TO_TIMESTAMP('2024-01-01 00:00:00')")).toBe('TIMESTAMP(3)');
    expect(typeOf('CURRENT_TIMESTAMP')).toBe('TIMESTAMP_LTZ(3)!');
    expect(typeOf('PROCTIME()')).toBe('TIMESTAMP_LTZ(3)!');
    expect(typeOf('FLOOR(order_time TO HOUR)')).toBe('TIMESTAMP(3)');
    expect(typeOf('ARRAY[quantity, 1]')).toBe('ARRAY<INT>!');
    expect(typeOf("MAP['a', amount]")).toBe('MAP<STRING NOT NULL, DECIMAL(10, 2)>!');
    expect(typeOf('tags[1]', '`payments.v1`')).toBe('STRING');
    expect(typeOf('details.mcc', '`payments.v1`')).toBe('INT');
    expect(typeOf('MAP_KEYS(attributes)', '`payments.v1`')).toBe('ARRAY<STRING>');
  });

  it('types aggregates as Flink does', () => {
    const a = analyze(`SELECT COUNT(*) AS c, COUNT(DISTINCT status) AS cd, SUM(quantity) AS sq, SUM(amount) AS sa, AVG(quantity) AS aq,
      AVG(amount) AS aa, MIN(order_time) AS mn, MAX(status) AS mx, LISTAGG(status) AS l, COLLECT(status) AS co FROM orders`);
    expect(columns(a)).toEqual([
      'c: BIGINT!',
      'cd: BIGINT!',
      'sq: INT',
      'sa: DECIMAL(38, 2)',
      'aq: INT',
      'aa: DECIMAL(38, 6)',
      'mn: TIMESTAMP(3)',
      'mx: STRING',
      'l: STRING',
      'co: MULTISET<STRING>!',
    ]);
  });

  it('types ROW_NUMBER and group window functions', () => {
    const a = analyze(`SELECT TUMBLE_START(order_time, INTERVAL '1' HOUR) AS s, TUMBLE_END(order_time, INTERVAL '1' HOUR) AS e,
      TUMBLE_ROWTIME(order_time, INTERVAL '1' HOUR) AS t, COUNT(*) AS n FROM orders GROUP BY TUMBLE(order_time, INTERVAL '1' HOUR)`);
    expect(columns(a)).toEqual(['s: TIMESTAMP(3)!', 'e: TIMESTAMP(3)!', 't: TIMESTAMP(3)', 'n: BIGINT!']);
    expect(a.timeAttribute).toEqual({ column: 't', kind: 'rowtime' });
    const rn = analyze('SELECT * FROM (SELECT order_id, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY amount) AS rn FROM orders) WHERE rn <= 2');
    expect(columns(rn)).toEqual(['order_id: BIGINT!', 'rn: BIGINT!']);
  });

  it('types JSON_VALUE with RETURNING', () => {
    expect(typeOf("JSON_VALUE(status, '$.a' RETURNING DOUBLE NULL ON EMPTY)")).toBe('DOUBLE');
    expect(typeOf("JSON_VALUE(status, '$.a')")).toBe('STRING');
  });
});
