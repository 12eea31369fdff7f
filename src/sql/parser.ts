/**
 * A recursive-descent parser for Flink SQL queries (the SELECT grammar of Flink 1.20: WITH, set
 * operations, joins, window TVFs, FOR SYSTEM_TIME AS OF, MATCH_RECOGNIZE, OVER windows, LATERAL
 * TABLE, UNNEST and Flink's types and special function syntax).
 *
 * node-sql-parser's `flinksql` dialect rejects large parts of this grammar (OVER, HOP/CUMULATE/
 * SESSION, FOR SYSTEM_TIME, EXTRACT, TRY_CAST, CURRENT_TIMESTAMP, ARRAY[...], FILTER, UNNEST...),
 * so streamt parses the one statement it needs itself and reports exact positions on failure.
 */
import { setOwn } from '../core/own.js';
import type { Cte, Expr, FromItem, MatchRecognize, OrderItem, Pos, Query, Select, SelectItem, SetOperation, Values, WindowSpec } from './ast.js';
import { FLINK_RESERVED_WORDS } from './flink-names.js';
import { SqlSyntaxError, tokenize, type Token } from './tokenizer.js';

/** Words that end an expression or cannot be an implicit alias. */
const RESERVED = new Set([
  'ALL', 'AND', 'AS', 'ASC', 'BETWEEN', 'BY', 'CASE', 'CROSS', 'DESC', 'DISTINCT', 'ELSE', 'END', 'EXCEPT', 'EXISTS', 'FETCH',
  'FILTER', 'FOR', 'FROM', 'FULL', 'GROUP', 'HAVING', 'IN', 'INNER', 'INTERSECT', 'IS', 'JOIN', 'LATERAL', 'LEFT', 'LIKE',
  'LIMIT', 'MATCH_RECOGNIZE', 'MINUS', 'NATURAL', 'NOT', 'OFFSET', 'ON', 'OR', 'ORDER', 'OUTER', 'OVER', 'PARTITION', 'RIGHT',
  'SELECT', 'SIMILAR', 'THEN', 'UNION', 'USING', 'VALUES', 'WHEN', 'WHERE', 'WINDOW', 'WITH', 'TABLE', 'ESCAPE', 'RETURNING',
]);

export const TIME_UNITS = new Set([
  'YEAR', 'YEARS', 'QUARTER', 'QUARTERS', 'MONTH', 'MONTHS', 'WEEK', 'WEEKS', 'DAY', 'DAYS', 'HOUR', 'HOURS', 'MINUTE', 'MINUTES',
  'SECOND', 'SECONDS', 'MILLISECOND', 'MILLISECONDS', 'MICROSECOND', 'MICROSECONDS', 'NANOSECOND', 'NANOSECONDS', 'DOW', 'DOY',
  'EPOCH', 'DECADE', 'CENTURY', 'MILLENNIUM', 'ISODOW', 'ISOYEAR', 'SQL_TSI_DAY', 'SQL_TSI_HOUR', 'SQL_TSI_MINUTE', 'SQL_TSI_SECOND',
]);

/** Functions Flink calls without parentheses. */
const NILADIC = new Set(['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIMESTAMP', 'LOCALTIME', 'CURRENT_USER', 'SESSION_USER', 'USER', 'CURRENT_ROLE', 'CURRENT_CATALOG', 'CURRENT_SCHEMA']);

const WINDOW_TVFS = new Set(['TUMBLE', 'HOP', 'CUMULATE', 'SESSION']);

/** Statements that are valid Flink SQL but not a model query. */
const NON_QUERY_STATEMENTS = new Set(['INSERT', 'CREATE', 'DROP', 'ALTER', 'SET', 'RESET', 'USE', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN', 'EXECUTE', 'LOAD', 'UNLOAD', 'BEGIN', 'END', 'DELETE', 'UPDATE', 'TRUNCATE', 'ADD', 'REMOVE', 'CALL', 'ANALYZE']);

export class NotAQueryError extends Error {
  constructor(
    readonly statement: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${statement} statement`);
    this.name = 'NotAQueryError';
  }
}

export class MultipleStatementsError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
  ) {
    super('more than one statement');
    this.name = 'MultipleStatementsError';
  }
}

/** Parses exactly one query (an optional trailing `;` is allowed). Throws SqlSyntaxError, NotAQueryError or MultipleStatementsError. */
export function parseQuery(sql: string): Query {
  const tokens = tokenize(sql);
  const first = tokens[0]!;
  if (first.kind === 'word' && NON_QUERY_STATEMENTS.has(first.upper)) throw new NotAQueryError(first.upper, first.line, first.column);
  if (first.kind === 'eof') throw new SqlSyntaxError('The SQL is empty', first.line, first.column, 'Write a SELECT query.');
  const parser = new Parser(tokens, true);
  const query = parser.query();
  parser.finish();
  return query;
}

/** parseDataType's answers by text: a project writes few distinct types, and every reader of a table normalises its columns' types. */
const dataTypes = new Map<string, string | undefined>();

/** Normalises a declared Flink type (`integer not null` → `INT NOT NULL`); undefined when it does not parse. */
export function parseDataType(text: string): string | undefined {
  if (dataTypes.has(text)) return dataTypes.get(text);
  let type: string | undefined;
  try {
    const parser = new Parser(tokenize(text));
    type = parser.dataType();
    parser.finish();
  } catch {
    type = undefined;
  }
  dataTypes.set(text, type);
  return type;
}

class Parser {
  private i = 0;
  /** `strictTypes`: a type name must be one of Flink's (in a query, CAST(x AS MONEY) is an error). */
  constructor(
    private readonly tokens: Token[],
    private readonly strictTypes = false,
  ) {}

  // ---- token helpers -------------------------------------------------------------------------
  private get tok(): Token {
    return this.tokens[this.i]!;
  }
  private peek(k = 1): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)]!;
  }
  private pos(t: Token = this.tok): Pos {
    return { line: t.line, column: t.column };
  }
  private isWord(...words: string[]): boolean {
    return this.tok.kind === 'word' && words.includes(this.tok.upper);
  }
  private isWordAt(k: number, ...words: string[]): boolean {
    const t = this.peek(k);
    return t.kind === 'word' && words.includes(t.upper);
  }
  private isOp(op: string): boolean {
    return this.tok.kind === 'op' && this.tok.text === op;
  }
  private acceptWord(...words: string[]): boolean {
    if (this.isWord(...words)) {
      this.i++;
      return true;
    }
    return false;
  }
  private acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.i++;
      return true;
    }
    return false;
  }
  private expectWord(word: string): void {
    if (!this.acceptWord(word)) this.fail(`Expected ${word}`);
  }
  private expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail(`Expected '${op}'`);
  }
  /**
   * A syntax error worded as Flink's parser words it: `Encountered "x"`, or, for a reserved keyword
   * written in capitals where a name could stand, `Incorrect syntax near the keyword 'X'`.
   */
  fail(expected: string, t: Token = this.tok, nameAllowed = false): never {
    let hint: string | undefined;
    if (t.kind === 'string' && t.upper === '"') hint = 'Flink SQL quotes identifiers with backticks (`name`) and strings with single quotes.';
    const reserved = t.kind === 'word' && FLINK_RESERVED_WORDS.has(t.upper);
    if (reserved && nameAllowed) hint = `${t.upper} is a reserved keyword in Flink SQL: quote it with backticks (\`${t.text}\`) to use it as a name.`;
    const head = reserved && nameAllowed && t.text === t.upper ? `Incorrect syntax near the keyword '${t.text}'` : `Encountered ${this.image(t)}`;
    throw new SqlSyntaxError(`${head}: ${expected[0]!.toLowerCase()}${expected.slice(1)}${reserved && nameAllowed ? ` (${t.upper} is reserved)` : ''}`, t.line, t.column, hint);
  }
  /** The token as Flink's parser quotes it in its messages. */
  private image(t: Token): string {
    switch (t.kind) {
      case 'eof':
        return '"<EOF>"';
      case 'string':
        return t.upper === '"' ? `"\\"${t.text}\\""` : `"'${t.text}'"`;
      case 'quoted':
        return `"\`${t.text}\`"`;
      default:
        return `"${t.text}"`;
    }
  }
  finish(): void {
    this.acceptOp(';');
    if (this.tok.kind !== 'eof') {
      if (this.tokens[this.i - 1]?.text === ';') throw new MultipleStatementsError(this.tok.line, this.tok.column);
      this.fail('Expected end of query');
    }
  }

  /** An identifier: an unreserved word or a backtick-quoted name. */
  private identifier(what = 'an identifier'): string {
    const t = this.tok;
    if (t.kind === 'quoted') {
      this.i++;
      return t.text;
    }
    if (t.kind === 'word' && !RESERVED.has(t.upper) && !FLINK_RESERVED_WORDS.has(t.upper)) {
      this.i++;
      return t.text;
    }
    return this.fail(`Expected ${what}`, t, true);
  }
  private isIdentifierStart(): boolean {
    return this.tok.kind === 'quoted' || (this.tok.kind === 'word' && !RESERVED.has(this.tok.upper) && !FLINK_RESERVED_WORDS.has(this.tok.upper));
  }
  private identifierList(): string[] {
    this.expectOp('(');
    const names = [this.identifier()];
    while (this.acceptOp(',')) names.push(this.identifier());
    this.expectOp(')');
    return names;
  }
  /** Skips a balanced parenthesised group starting at '('. */
  private skipParenthesised(): void {
    this.expectOp('(');
    let depth = 1;
    while (depth > 0) {
      if (this.tok.kind === 'eof') this.fail("Expected ')'");
      if (this.isOp('(')) depth++;
      else if (this.isOp(')')) depth--;
      this.i++;
    }
  }

  // ---- queries -------------------------------------------------------------------------------
  query(): Query {
    const start = this.pos();
    const ctes: Cte[] = [];
    if (this.acceptWord('WITH')) {
      do {
        const pos = this.pos();
        const name = this.identifier('a CTE name');
        const columns = this.isOp('(') ? this.identifierList() : undefined;
        this.expectWord('AS');
        this.expectOp('(');
        const query = this.query();
        this.expectOp(')');
        ctes.push({ name, ...(columns ? { columns } : {}), query, pos });
      } while (this.acceptOp(','));
    }
    const body = this.setExpression();
    const orderBy = this.acceptWord('ORDER') ? (this.expectWord('BY'), this.orderItems()) : [];
    let limit: Expr | undefined;
    let offset: Expr | undefined;
    for (;;) {
      if (this.acceptWord('LIMIT')) limit = this.expression();
      else if (this.acceptWord('OFFSET')) {
        offset = this.expression();
        this.acceptWord('ROW', 'ROWS');
      } else if (this.acceptWord('FETCH')) {
        this.expectWordOneOf('FIRST', 'NEXT');
        limit = this.isWord('ROW', 'ROWS') ? { kind: 'literal', literal: 'integer', text: '1', pos: this.pos() } : this.expression();
        this.expectWordOneOf('ROW', 'ROWS');
        this.expectWord('ONLY');
      } else break;
    }
    const q: Query = { kind: 'query', with: ctes, body, orderBy, pos: start };
    if (limit) q.limit = limit;
    if (offset) q.offset = offset;
    return q;
  }
  private expectWordOneOf(...words: string[]): void {
    if (!this.acceptWord(...words)) this.fail(`Expected ${words.join(' or ')}`);
  }

  private setExpression(): Select | SetOperation | Values | Query {
    let left = this.intersectTerm();
    while (this.isWord('UNION', 'EXCEPT', 'MINUS')) {
      const pos = this.pos();
      const op = this.tok.upper === 'UNION' ? 'UNION' : 'EXCEPT';
      this.i++;
      const all = this.acceptWord('ALL');
      if (!all) this.acceptWord('DISTINCT');
      const right = this.intersectTerm();
      left = { kind: 'set', op, all, left: wrap(left), right: wrap(right), pos };
    }
    return left;
  }
  private intersectTerm(): Select | SetOperation | Values | Query {
    let left: Select | SetOperation | Values | Query = this.queryPrimary();
    while (this.isWord('INTERSECT')) {
      const pos = this.pos();
      this.i++;
      const all = this.acceptWord('ALL');
      if (!all) this.acceptWord('DISTINCT');
      const right = this.queryPrimary();
      left = { kind: 'set', op: 'INTERSECT', all, left: wrap(left), right: wrap(right), pos };
    }
    return left;
  }
  private queryPrimary(): Select | Values | Query {
    if (this.isWord('SELECT')) return this.select();
    if (this.isWord('VALUES')) return this.values();
    if (this.isOp('(')) {
      this.i++;
      const q = this.query();
      this.expectOp(')');
      return q;
    }
    if (this.tok.kind === 'word' && NON_QUERY_STATEMENTS.has(this.tok.upper)) throw new NotAQueryError(this.tok.upper, this.tok.line, this.tok.column);
    return this.fail('Expected SELECT');
  }
  private values(): Values {
    const pos = this.pos();
    this.expectWord('VALUES');
    const rows: Expr[][] = [];
    do {
      if (this.acceptWord('ROW')) {
        /* ROW(...) is the same as (...) here */
      }
      this.expectOp('(');
      const row = [this.expression()];
      while (this.acceptOp(',')) row.push(this.expression());
      this.expectOp(')');
      rows.push(row);
    } while (this.acceptOp(','));
    return { kind: 'values', rows, pos };
  }

  private select(): Select {
    const pos = this.pos();
    this.expectWord('SELECT');
    const distinct = this.acceptWord('DISTINCT');
    if (!distinct) this.acceptWord('ALL');
    const items: SelectItem[] = [this.selectItem()];
    while (this.acceptOp(',')) items.push(this.selectItem());
    const select: Select = { kind: 'select', distinct, items, groupBy: [], groupingSets: false, windows: {}, pos };
    if (this.acceptWord('FROM')) select.from = this.fromClause();
    if (this.acceptWord('WHERE')) select.where = this.expression();
    if (this.acceptWord('GROUP')) {
      this.expectWord('BY');
      this.groupByList(select);
    }
    if (this.acceptWord('HAVING')) select.having = this.expression();
    if (this.acceptWord('WINDOW')) {
      do {
        const name = this.identifier('a window name');
        this.expectWord('AS');
        // An own key even for `__proto__` (core/own.ts), as the analyser reads it.
        setOwn(select.windows, name, this.windowSpec());
      } while (this.acceptOp(','));
    }
    return select;
  }

  private groupByList(select: Select): void {
    const element = () => {
      if (this.isWord('GROUPING') && this.isWordAt(1, 'SETS')) {
        this.i += 2;
        select.groupingSets = true;
        this.expectOp('(');
        do element();
        while (this.acceptOp(','));
        this.expectOp(')');
      } else if (this.isWord('ROLLUP', 'CUBE') && this.peek().text === '(') {
        this.i++;
        select.groupingSets = true;
        this.expectOp('(');
        do element();
        while (this.acceptOp(','));
        this.expectOp(')');
      } else if (this.isOp('(') && this.peek().text === ')') {
        this.i += 2; // the empty grouping set ()
      } else {
        const e = this.expression();
        if (e.kind === 'constructor' && e.type === 'ROW' && select.groupingSets) select.groupBy.push(...e.items);
        else select.groupBy.push(e);
      }
    };
    do element();
    while (this.acceptOp(','));
  }

  private selectItem(): SelectItem {
    const pos = this.pos();
    if (this.isOp('*')) {
      this.i++;
      return { expr: { kind: 'star', pos }, pos };
    }
    const expr = this.expression();
    let alias: string | undefined;
    if (this.acceptWord('AS')) alias = this.identifier('an alias');
    else if (this.isIdentifierStart()) alias = this.identifier();
    return alias !== undefined ? { expr, alias, pos } : { expr, pos };
  }

  private orderItems(): OrderItem[] {
    const items: OrderItem[] = [];
    do {
      const expr = this.expression();
      let descending = false;
      if (this.acceptWord('DESC')) descending = true;
      else this.acceptWord('ASC');
      if (this.acceptWord('NULLS')) this.expectWordOneOf('FIRST', 'LAST');
      items.push({ expr, descending });
    } while (this.acceptOp(','));
    return items;
  }

  // ---- FROM ----------------------------------------------------------------------------------
  private fromClause(): FromItem {
    let left = this.joinChain();
    while (this.isOp(',')) {
      const pos = this.pos();
      this.i++;
      const right = this.joinChain();
      left = { kind: 'join', joinType: 'COMMA', left, right, pos };
    }
    return left;
  }

  private joinChain(): FromItem {
    let left = this.tablePrimary();
    for (;;) {
      const pos = this.pos();
      let joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | undefined;
      const natural = this.acceptWord('NATURAL');
      if (this.acceptWord('JOIN')) joinType = 'INNER';
      else if (this.isWord('INNER') && this.isWordAt(1, 'JOIN')) (this.i += 2), (joinType = 'INNER');
      else if (this.isWord('CROSS') && this.isWordAt(1, 'JOIN')) (this.i += 2), (joinType = 'CROSS');
      else if (this.isWord('LEFT', 'RIGHT', 'FULL')) {
        joinType = this.tok.upper as 'LEFT' | 'RIGHT' | 'FULL';
        this.i++;
        this.acceptWord('OUTER');
        this.expectWord('JOIN');
      } else if (natural) this.fail('Expected JOIN');
      if (!joinType) return left;
      const right = this.tablePrimary();
      const join: FromItem = { kind: 'join', joinType, left, right, pos };
      if (natural) join.natural = true;
      else if (joinType !== 'CROSS') {
        if (this.acceptWord('ON')) join.on = this.expression();
        else if (this.acceptWord('USING')) join.using = this.identifierList();
        else this.fail('Expected ON or USING');
      }
      left = join;
    }
  }

  private tableAlias(item: { alias?: string; columnAliases?: string[] }): void {
    if (this.acceptWord('AS')) item.alias = this.identifier('an alias');
    else if (this.isIdentifierStart()) item.alias = this.identifier();
    else return;
    if (this.isOp('(')) item.columnAliases = this.identifierList();
  }

  private tablePrimary(): FromItem {
    const pos = this.pos();
    if (this.isWord('LATERAL')) {
      this.i++;
      if (this.acceptWord('TABLE')) return this.tableFunction(pos, false);
      this.expectOp('(');
      const query = this.query();
      this.expectOp(')');
      const item: FromItem = { kind: 'derived', query, lateral: true, pos };
      this.tableAlias(item);
      return item;
    }
    if (this.isWord('TABLE') && this.peek().text === '(') {
      this.i++;
      return this.tableFunction(pos, false);
    }
    if (this.isWord('UNNEST') && this.peek().text === '(') {
      return this.tableFunction(pos, true);
    }
    if (this.isOp('(')) {
      this.i++;
      if (!this.isWord('SELECT', 'WITH', 'VALUES') && !this.isOp('(')) this.fail('Expected a subquery');
      const query = this.query();
      this.expectOp(')');
      const item: FromItem = { kind: 'derived', query, lateral: false, pos };
      if (this.isWord('MATCH_RECOGNIZE')) {
        item.match = this.matchRecognize();
        this.tableAlias(item);
      } else this.tableAlias(item);
      return item;
    }
    const parts = [this.identifier('a table name')];
    while (this.isOp('.')) {
      this.i++;
      parts.push(this.identifier('a table name'));
    }
    const item: FromItem = { kind: 'table', name: parts.join('.'), parts, pos };
    if (this.isWord('FOR') && this.isWordAt(1, 'SYSTEM_TIME')) {
      this.i += 2;
      this.expectWord('AS');
      this.expectWord('OF');
      item.asOf = this.additive();
    }
    if (this.isWord('MATCH_RECOGNIZE')) item.match = this.matchRecognize();
    this.tableAlias(item);
    return item;
  }

  /** `TABLE(f(...))`, `LATERAL TABLE(f(...))` or `UNNEST(...)`, with window TVFs recognised. */
  private tableFunction(pos: Pos, unnest: boolean): FromItem {
    if (unnest) {
      const call = this.primary();
      const item: FromItem & { kind: 'table_function' } = { kind: 'table_function', call, unnest: true, pos };
      if (this.acceptWord('WITH')) {
        this.expectWord('ORDINALITY');
        item.ordinality = true;
      }
      this.tableAlias(item);
      return item;
    }
    this.expectOp('(');
    if (this.tok.kind === 'word' && WINDOW_TVFS.has(this.tok.upper) && this.peek().text === '(') {
      const item = this.windowTvf(pos);
      this.expectOp(')');
      this.tableAlias(item);
      return item;
    }
    const call = this.expression();
    this.expectOp(')');
    const item: FromItem = { kind: 'table_function', call, unnest: false, pos };
    this.tableAlias(item);
    return item;
  }

  private windowTvf(pos: Pos): FromItem & { kind: 'window_tvf' } {
    const fn = this.tok.upper as 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';
    this.i++;
    this.expectOp('(');
    let input: FromItem | undefined;
    let timeColumn: string | undefined;
    let timeColumnPos: Pos = pos;
    let partitionBy: string[] = [];
    const args: Expr[] = [];
    const parseData = () => {
      const dataPos = this.pos();
      if (this.acceptWord('TABLE')) {
        const parts = [this.identifier('a table name')];
        while (this.acceptOp('.')) parts.push(this.identifier('a table name'));
        input = { kind: 'table', name: parts.join('.'), parts, pos: dataPos };
      } else if (this.isOp('(')) {
        this.i++;
        const query = this.query();
        this.expectOp(')');
        input = { kind: 'derived', query, lateral: false, pos: dataPos };
      } else this.fail('Expected TABLE <name>');
      if (this.isWord('PARTITION') && this.isWordAt(1, 'BY')) {
        this.i += 2;
        if (this.isOp('(')) partitionBy = this.identifierList();
        else {
          partitionBy = [this.identifier()];
          while (this.isOp(',') && this.peek().kind !== 'eof' && !this.isWordAt(1, 'DESCRIPTOR') && this.peek(2).text !== '=>') {
            this.i++;
            partitionBy.push(this.identifier());
          }
        }
      }
    };
    const parseDescriptor = () => {
      this.expectWord('DESCRIPTOR');
      this.expectOp('(');
      timeColumnPos = this.pos();
      timeColumn = this.identifier('a time column');
      this.expectOp(')');
    };
    let position = 0;
    do {
      if ((this.tok.kind === 'word' || this.tok.kind === 'quoted') && this.peek().text === '=>') {
        const name = this.tok.upper || this.tok.text.toUpperCase();
        this.i += 2;
        if (name === 'DATA') parseData();
        else if (name === 'TIMECOL') parseDescriptor();
        else args.push(this.expression());
      } else if (position === 0) parseData();
      else if (position === 1) parseDescriptor();
      else args.push(this.expression());
      position++;
    } while (this.acceptOp(','));
    this.expectOp(')');
    if (!input) throw new SqlSyntaxError(`${fn} needs a TABLE argument`, pos.line, pos.column);
    if (!timeColumn) throw new SqlSyntaxError(`${fn} needs a DESCRIPTOR(time column) argument`, pos.line, pos.column);
    return { kind: 'window_tvf', fn, input, timeColumn, timeColumnPos, partitionBy, args, pos };
  }

  private matchRecognize(): MatchRecognize {
    const pos = this.pos();
    this.expectWord('MATCH_RECOGNIZE');
    this.expectOp('(');
    const match: MatchRecognize = { partitionBy: [], orderBy: [], measures: [], allRows: false, pattern: [], define: [], pos };
    if (this.isWord('PARTITION')) {
      this.i++;
      this.expectWord('BY');
      match.partitionBy.push(this.expression());
      while (this.acceptOp(',')) match.partitionBy.push(this.expression());
    }
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      match.orderBy = this.orderItems();
    }
    if (this.acceptWord('MEASURES')) {
      do {
        const itemPos = this.pos();
        const expr = this.expression();
        this.expectWord('AS');
        match.measures.push({ expr, alias: this.identifier('a measure name'), pos: itemPos });
      } while (this.acceptOp(','));
    }
    if (this.isWord('ALL') && this.isWordAt(1, 'ROWS')) match.allRows = true;
    // ROWS PER MATCH and AFTER MATCH SKIP do not change the output shape.
    while (!this.isWord('PATTERN')) {
      if (this.tok.kind === 'eof' || this.isOp(')')) this.fail('Expected PATTERN');
      this.i++;
    }
    this.i++;
    this.expectOp('(');
    let depth = 1;
    for (;;) {
      if (this.tok.kind === 'eof') this.fail("Expected ')' closing PATTERN");
      if (this.isOp('(')) depth++;
      else if (this.isOp(')') && --depth === 0) break;
      match.pattern.push(this.tok.text);
      this.i++;
    }
    this.i++;
    // WITHIN and SUBSET do not change the output shape either.
    while (!this.isWord('DEFINE') && !this.isOp(')')) {
      if ((this.tok as Token).kind === 'eof') this.fail("Expected ')' closing MATCH_RECOGNIZE");
      this.i++;
    }
    if (this.acceptWord('DEFINE')) {
      do {
        const pos = this.pos();
        const name = this.identifier('a pattern variable');
        this.expectWord('AS');
        match.define.push({ name, expr: this.expression(), pos });
      } while (this.acceptOp(','));
    }
    this.expectOp(')');
    return match;
  }

  private windowSpec(): WindowSpec {
    const pos = this.pos();
    this.expectOp('(');
    const spec: WindowSpec = { partitionBy: [], orderBy: [], pos };
    if (this.isIdentifierStart() && !this.isWord('ROWS', 'RANGE')) spec.ref = this.identifier();
    if (this.isWord('PARTITION')) {
      this.i++;
      this.expectWord('BY');
      spec.partitionBy.push(this.expression());
      while (this.acceptOp(',')) spec.partitionBy.push(this.expression());
    }
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      spec.orderBy = this.orderItems();
    }
    if (this.isWord('ROWS', 'RANGE')) {
      spec.frame = this.tok.upper as 'ROWS' | 'RANGE';
      const words: string[] = [];
      while (!this.isOp(')')) {
        if (this.tok.kind === 'eof') this.fail("Expected ')'");
        words.push(this.tok.kind === 'string' ? `'${this.tok.text}'` : this.tok.upper || this.tok.text);
        if (this.isOp('(')) this.skipParenthesised();
        else this.i++;
      }
      spec.frameText = words.join(' ');
    }
    this.expectOp(')');
    return spec;
  }

  // ---- expressions ---------------------------------------------------------------------------
  expression(): Expr {
    return this.or();
  }
  private or(): Expr {
    let left = this.and();
    while (this.isWord('OR')) {
      const pos = this.pos();
      this.i++;
      left = { kind: 'binary', op: 'OR', left, right: this.and(), pos };
    }
    return left;
  }
  private and(): Expr {
    let left = this.not();
    while (this.isWord('AND')) {
      const pos = this.pos();
      this.i++;
      left = { kind: 'binary', op: 'AND', left, right: this.not(), pos };
    }
    return left;
  }
  private not(): Expr {
    if (this.isWord('NOT')) {
      const pos = this.pos();
      this.i++;
      return { kind: 'unary', op: 'NOT', expr: this.not(), pos };
    }
    return this.predicate();
  }
  private predicate(): Expr {
    let left = this.additive();
    for (;;) {
      const pos = this.pos();
      if (this.tok.kind === 'op' && ['=', '<>', '!=', '<', '>', '<=', '>='].includes(this.tok.text)) {
        const op = this.tok.text === '!=' ? '<>' : this.tok.text;
        this.i++;
        left = { kind: 'binary', op, left, right: this.additive(), pos };
        continue;
      }
      if (this.isWord('IS')) {
        this.i++;
        const not = this.acceptWord('NOT');
        if (this.acceptWord('DISTINCT')) {
          this.expectWord('FROM');
          left = { kind: 'binary', op: not ? 'IS NOT DISTINCT FROM' : 'IS DISTINCT FROM', left, right: this.additive(), pos };
          continue;
        }
        if (this.isWord('NULL', 'TRUE', 'FALSE', 'UNKNOWN')) {
          const test = this.tok.upper as 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN';
          this.i++;
          left = { kind: 'is', not, test, expr: left, pos };
          continue;
        }
        if (this.isWord('JSON')) {
          this.i++;
          this.acceptWord('VALUE', 'SCALAR', 'ARRAY', 'OBJECT');
          left = { kind: 'call', name: 'IS JSON', args: [left], distinct: false, star: false, pos };
          continue;
        }
        this.fail('Expected NULL, TRUE, FALSE, UNKNOWN or DISTINCT FROM');
      }
      const not = this.isWord('NOT') && this.isWordAt(1, 'IN', 'BETWEEN', 'LIKE', 'SIMILAR');
      if (not) this.i++;
      if (this.acceptWord('IN')) {
        this.expectOp('(');
        if (this.isWord('SELECT', 'WITH', 'VALUES')) {
          const query = this.query();
          this.expectOp(')');
          left = { kind: 'in', not, expr: left, query, pos };
        } else {
          const list = [this.expression()];
          while (this.acceptOp(',')) list.push(this.expression());
          this.expectOp(')');
          left = { kind: 'in', not, expr: left, list, pos };
        }
        continue;
      }
      if (this.acceptWord('BETWEEN')) {
        if (!this.acceptWord('SYMMETRIC')) this.acceptWord('ASYMMETRIC');
        const low = this.additive();
        this.expectWord('AND');
        const high = this.additive();
        left = { kind: 'between', not, expr: left, low, high, pos };
        continue;
      }
      if (this.isWord('LIKE') || (this.isWord('SIMILAR') && this.isWordAt(1, 'TO'))) {
        const op = this.tok.upper === 'LIKE' ? 'LIKE' : 'SIMILAR TO';
        this.i += op === 'LIKE' ? 1 : 2;
        const pattern = this.additive();
        const like: Expr = { kind: 'like', not, op, expr: left, pattern, pos };
        if (this.acceptWord('ESCAPE')) like.escape = this.additive();
        left = like;
        continue;
      }
      if (not) this.fail('Expected IN, BETWEEN, LIKE or SIMILAR TO');
      return left;
    }
  }
  additive(): Expr {
    let left = this.multiplicative();
    while (this.tok.kind === 'op' && (this.tok.text === '+' || this.tok.text === '-' || this.tok.text === '||')) {
      const pos = this.pos();
      const op = this.tok.text;
      this.i++;
      left = { kind: 'binary', op, left, right: this.multiplicative(), pos };
    }
    return left;
  }
  private multiplicative(): Expr {
    let left = this.unary();
    while (this.tok.kind === 'op' && (this.tok.text === '*' || this.tok.text === '/' || this.tok.text === '%')) {
      const pos = this.pos();
      const op = this.tok.text;
      this.i++;
      left = { kind: 'binary', op, left, right: this.unary(), pos };
    }
    return left;
  }
  private unary(): Expr {
    if (this.isOp('-') || this.isOp('+')) {
      const pos = this.pos();
      const op = this.tok.text;
      this.i++;
      const expr = this.unary();
      if (op === '-' && expr.kind === 'literal' && (expr.literal === 'integer' || expr.literal === 'decimal' || expr.literal === 'approx')) {
        return { ...expr, text: `-${expr.text}`, pos };
      }
      return { kind: 'unary', op, expr, pos };
    }
    return this.postfix(this.primary());
  }
  private postfix(expr: Expr): Expr {
    for (;;) {
      if (this.isOp('[')) {
        const pos = this.pos();
        this.i++;
        const index = this.expression();
        this.expectOp(']');
        expr = { kind: 'index', expr, index, pos };
      } else if (this.isOp('.') && expr.kind !== 'column' && (this.peek().kind === 'word' || this.peek().kind === 'quoted')) {
        const pos = this.pos();
        this.i++;
        expr = { kind: 'field', expr, name: this.identifier('a field name'), pos };
      } else return expr;
    }
  }

  primary(): Expr {
    const t = this.tok;
    const pos = this.pos();
    switch (t.kind) {
      case 'number': {
        this.i++;
        const literal = /e/i.test(t.text) ? 'approx' : t.text.includes('.') ? 'decimal' : 'integer';
        return { kind: 'literal', literal, text: t.text, pos };
      }
      case 'string':
        if (t.upper === '"') this.fail('Expected an expression');
        this.i++;
        return { kind: 'literal', literal: 'string', text: t.text, pos };
      case 'quoted':
        return this.identifierChain();
      case 'op':
        if (t.text === '(') {
          this.i++;
          if (this.isWord('SELECT', 'WITH', 'VALUES')) {
            const query = this.query();
            this.expectOp(')');
            return { kind: 'subquery', query, pos };
          }
          const first = this.expression();
          if (this.acceptOp(',')) {
            const items = [first, this.expression()];
            while (this.acceptOp(',')) items.push(this.expression());
            this.expectOp(')');
            return { kind: 'constructor', type: 'ROW', items, pos };
          }
          this.expectOp(')');
          return first;
        }
        return this.fail('Expected an expression', t, true);
      case 'eof':
        return this.fail('Expected an expression', t, true);
      case 'word':
        break;
    }
    const word = t.upper;
    const next = this.peek();
    switch (word) {
      case 'TRUE':
      case 'FALSE':
        this.i++;
        return { kind: 'literal', literal: 'boolean', text: word, pos };
      case 'NULL':
        this.i++;
        return { kind: 'literal', literal: 'null', text: 'NULL', pos };
      case 'DATE':
      case 'TIME':
      case 'TIMESTAMP':
      case 'TIMESTAMP_LTZ':
        if (next.kind === 'string') {
          this.i += 2;
          return { kind: 'typed_literal', type: word, text: next.text, pos };
        }
        break;
      case 'X':
        if (next.kind === 'string') {
          this.i += 2;
          return { kind: 'literal', literal: 'binary', text: next.text, pos };
        }
        break;
      case 'INTERVAL':
        return this.interval();
      case 'CASE':
        return this.caseExpression();
      case 'CAST':
      case 'TRY_CAST':
        if (next.text === '(') {
          this.i += 2;
          const expr = this.expression();
          this.expectWord('AS');
          const type = this.dataType();
          this.expectOp(')');
          return { kind: 'cast', safe: word === 'TRY_CAST', expr, type, pos };
        }
        break;
      case 'EXISTS':
        if (next.text === '(') {
          this.i += 2;
          const query = this.query();
          this.expectOp(')');
          return { kind: 'exists', query, pos };
        }
        break;
      case 'ARRAY':
      case 'MAP':
        if (next.text === '[') {
          this.i += 2;
          const items: Expr[] = [];
          if (!this.isOp(']')) {
            items.push(this.expression());
            while (this.acceptOp(',')) items.push(this.expression());
          }
          this.expectOp(']');
          return { kind: 'constructor', type: word, items, pos };
        }
        break;
      case 'ROW':
        if (next.text === '(') {
          this.i += 2;
          const items: Expr[] = [];
          if (!this.isOp(')')) {
            items.push(this.expression());
            while (this.acceptOp(',')) items.push(this.expression());
          }
          this.expectOp(')');
          return { kind: 'constructor', type: 'ROW', items, pos };
        }
        break;
    }
    if (NILADIC.has(word) && next.text !== '(' && next.text !== '.') {
      this.i++;
      return { kind: 'call', name: word, args: [], distinct: false, star: false, pos };
    }
    // LEFT(s, n) and RIGHT(s, n) are calls: Flink's grammar takes the join keywords as function names.
    const keywordCall = (word === 'LEFT' || word === 'RIGHT') && next.text === '(';
    if (!keywordCall && (RESERVED.has(word) || (FLINK_RESERVED_WORDS.has(word) && next.text !== '('))) return this.fail('Expected an expression', t, true);
    return this.identifierChain();
  }

  private interval(): Expr {
    const pos = this.pos();
    this.expectWord('INTERVAL');
    let value: Expr;
    const negative = this.acceptOp('-');
    if (this.tok.kind === 'string' && this.tok.upper !== '"') {
      value = { kind: 'literal', literal: 'string', text: (negative ? '-' : '') + this.tok.text, pos: this.pos() };
      this.i++;
    } else if (this.tok.kind === 'number') {
      value = { kind: 'literal', literal: 'integer', text: (negative ? '-' : '') + this.tok.text, pos: this.pos() };
      this.i++;
    } else value = this.primary();
    let unit = this.timeUnit();
    if (this.acceptWord('TO')) unit += ` TO ${this.timeUnit()}`;
    return { kind: 'interval', value, unit, pos };
  }
  private timeUnit(): string {
    if (this.tok.kind !== 'word' || !TIME_UNITS.has(this.tok.upper)) this.fail('Expected a time unit (SECOND, MINUTE, HOUR, DAY, ...)');
    let unit = this.tok.upper.replace(/S$/, '');
    this.i++;
    if (this.isOp('(')) {
      this.i++;
      unit += `(${this.tok.text}`;
      this.i++;
      if (this.acceptOp(',')) {
        unit += `, ${this.tok.text}`;
        this.i++;
      }
      this.expectOp(')');
      unit += ')';
    }
    return unit;
  }

  private caseExpression(): Expr {
    const pos = this.pos();
    this.expectWord('CASE');
    const operand = this.isWord('WHEN') ? undefined : this.expression();
    const whens: { when: Expr; then: Expr }[] = [];
    while (this.acceptWord('WHEN')) {
      const when = this.expression();
      this.expectWord('THEN');
      whens.push({ when, then: this.expression() });
    }
    if (whens.length === 0) this.fail('Expected WHEN');
    const e: Expr = { kind: 'case', whens, pos };
    if (operand) e.operand = operand;
    if (this.acceptWord('ELSE')) e.else = this.expression();
    this.expectWord('END');
    return e;
  }

  /** `a`, `t.a`, `t.a.field`, `f(x)`, `cat.db.f(x)`. */
  private identifierChain(): Expr {
    const pos = this.pos();
    const partPos = [pos];
    const parts = [this.anyIdentifier()];
    while (this.isOp('.') && (this.peek().kind === 'word' || this.peek().kind === 'quoted')) {
      // A reserved word is no name, even after a dot (Flink: Encountered ". year").
      if (this.peek().kind === 'word' && FLINK_RESERVED_WORDS.has(this.peek().upper) && this.peek(2).text !== '(') {
        const dot = this.tok;
        const word = this.peek();
        throw new SqlSyntaxError(`Encountered ". ${word.text}": ${word.upper} is a reserved keyword`, dot.line, dot.column, `Quote the name with backticks: .\`${word.text}\`.`);
      }
      this.i++;
      partPos.push(this.pos());
      parts.push(this.anyIdentifier());
    }
    if (this.isOp('.') && this.peek().text === '*') {
      this.i += 2;
      return { kind: 'star', qualifier: parts, pos };
    }
    if (this.isOp('(')) return this.functionCall(parts, pos);
    return { kind: 'column', parts, pos: parts.length > 1 ? { ...pos, parts: partPos } : pos };
  }
  /** After a dot any word is a name, even a reserved one (`t.order`). */
  private anyIdentifier(): string {
    const t = this.tok;
    if (t.kind === 'quoted' || t.kind === 'word') {
      this.i++;
      return t.text;
    }
    return this.fail('Expected an identifier');
  }

  private functionCall(parts: string[], pos: Pos): Expr {
    const name = parts.map((p) => p.toUpperCase()).join('.');
    this.expectOp('(');
    const call: Expr & { kind: 'call' } = { kind: 'call', name, args: [], distinct: false, star: false, pos: { ...pos, text: parts.join('.') } };
    if (this.isOp('*') && this.peek().text === ')') {
      this.i++;
      call.star = true;
    } else if (!this.isOp(')')) {
      if (this.acceptWord('DISTINCT')) call.distinct = true;
      else this.acceptWord('ALL');
      this.functionArguments(call);
    }
    this.expectOp(')');
    if (this.isWord('WITHIN') && this.isWordAt(1, 'GROUP')) {
      this.i += 2;
      this.skipParenthesised();
    }
    if (this.isWord('FILTER') && this.peek().text === '(') {
      this.i += 2;
      this.expectWord('WHERE');
      call.filter = this.expression();
      this.expectOp(')');
    }
    if (this.acceptWord('OVER')) {
      if (this.isOp('(')) call.over = this.windowSpec();
      else {
        const refPos = this.pos();
        call.over = { ref: this.identifier('a window name'), partitionBy: [], orderBy: [], pos: refPos };
      }
    }
    return call;
  }

  /** Arguments, including Flink's keyword forms: EXTRACT(u FROM x), TRIM(BOTH c FROM s), SUBSTRING(s FROM i FOR n), POSITION(a IN b), CEIL(x TO u), JSON_VALUE(... RETURNING t). */
  private functionArguments(call: Expr & { kind: 'call' }): void {
    const name = call.name;
    if (name === 'TRIM' && this.isWord('BOTH', 'LEADING', 'TRAILING')) {
      call.args.push({ kind: 'symbol', name: this.tok.upper, pos: this.pos() });
      this.i++;
      if (this.acceptWord('FROM')) {
        call.args.push(this.expression());
        return;
      }
    }
    const argument = (): Expr => {
      if (this.tok.kind === 'word' && TIME_UNITS.has(this.tok.upper) && (this.peek().text === ',' || this.isWordAt(1, 'FROM')) && call.args.length === 0) {
        const symbol: Expr = { kind: 'symbol', name: this.tok.upper, pos: this.pos() };
        this.i++;
        return symbol;
      }
      if ((this.tok.kind === 'word' || this.tok.kind === 'quoted') && this.peek().text === '=>') this.i += 2; // named argument
      // JSON_OBJECT(KEY 'k' VALUE v): KEY only introduces the key.
      if ((name === 'JSON_OBJECT' || name === 'JSON_OBJECTAGG') && this.isWord('KEY') && this.peek().kind !== 'op') this.i++;
      // POSITION(a IN b): IN separates the arguments instead of starting an IN predicate.
      if (name === 'POSITION' && call.args.length === 0) return this.additive();
      return this.expression();
    };
    call.args.push(argument());
    for (;;) {
      if (this.acceptOp(',')) call.args.push(argument());
      else if (this.isWord('FROM', 'FOR', 'IN', 'PLACING')) {
        this.i++;
        call.args.push(this.expression());
      } else if (this.acceptWord('TO')) {
        call.args.push({ kind: 'symbol', name: this.timeUnit(), pos: this.pos() });
      } else if (this.acceptWord('RETURNING')) {
        call.returning = this.dataType();
      } else if (this.isOp(')')) {
        // SUBSTRING is syntax in Flink's grammar: SUBSTRING(s FROM i [FOR n]) or SUBSTRING(s, i [, n]).
        if (name === 'SUBSTRING' && call.args.length < 2) this.fail("Expected FROM or ','");
        return;
      }
      else if (name.startsWith('JSON')) {
        // KEY ... VALUE v: the value is an argument; ON EMPTY / ON ERROR / NULL ON NULL ... do not change the type.
        if (this.acceptWord('VALUE')) {
          call.args.push(this.expression());
          continue;
        }
        while (!this.isOp(')') && !this.isOp(',') && !this.isWord('RETURNING', 'VALUE')) {
          if (this.tok.kind === 'eof') this.fail("Expected ')'");
          if (this.isOp('(')) this.skipParenthesised();
          else this.i++;
        }
      } else this.fail("Expected ',' or ')'");
    }
  }

  // ---- types ---------------------------------------------------------------------------------
  /** A Flink data type, normalised: keywords upper-case, `DECIMAL(10, 2)`, `ROW<a INT>`, with ` NOT NULL` when declared. */
  dataType(): string {
    let type = this.baseType();
    for (;;) {
      if (this.acceptWord('ARRAY')) type = `ARRAY<${type}>`;
      else if (this.acceptWord('MULTISET')) type = `MULTISET<${type}>`;
      else break;
    }
    if (this.isWord('NOT') && this.isWordAt(1, 'NULL')) {
      this.i += 2;
      type += ' NOT NULL';
    } else this.acceptWord('NULL');
    return type;
  }

  private typeParams(): number[] | undefined {
    if (!this.isOp('(')) return undefined;
    this.i++;
    const params: number[] = [];
    do {
      if (this.tok.kind !== 'number') this.fail('Expected a number');
      params.push(Number(this.tok.text));
      this.i++;
    } while (this.acceptOp(','));
    this.expectOp(')');
    return params;
  }

  private baseType(): string {
    if (this.tok.kind !== 'word') return this.fail('Expected a data type');
    const word = this.tok.upper;
    const written = this.tok.text;
    this.i++;
    const angle = (): string[] => {
      const types: string[] = [];
      this.expectOp('<');
      do types.push(this.dataType());
      while (this.acceptOp(','));
      this.expectOp('>');
      return types;
    };
    switch (word) {
      case 'ARRAY':
      case 'MULTISET':
        return `${word}<${angle()[0]}>`;
      case 'MAP': {
        const [k, v] = angle();
        return `MAP<${k}, ${v}>`;
      }
      case 'ROW': {
        const close = this.isOp('<') ? '>' : ')';
        if (!this.acceptOp('<')) this.expectOp('(');
        const fields: string[] = [];
        if (!this.isOp(close)) {
          do {
            const fieldToken = this.tokens[this.i]!;
            const name = fieldToken.kind === 'quoted' ? `\`${fieldToken.text}\`` : fieldToken.text;
            this.i++;
            let field = `${name} ${this.dataType()}`;
            if (this.acceptWord('COMMENT')) {
              field += ` COMMENT '${this.tok.text.replace(/'/g, "''")}'`;
              this.i++;
            }
            fields.push(field);
          } while (this.acceptOp(','));
        }
        this.expectOp(close);
        return `ROW<${fields.join(', ')}>`;
      }
      case 'INT':
      case 'INTEGER':
        return 'INT';
      case 'TINYINT':
      case 'SMALLINT':
      case 'BIGINT':
      case 'BOOLEAN':
      case 'FLOAT':
      case 'REAL':
      case 'DATE':
      case 'STRING':
      case 'BYTES':
        return word === 'REAL' ? 'FLOAT' : word;
      case 'DOUBLE':
        this.acceptWord('PRECISION');
        return 'DOUBLE';
      case 'DECIMAL':
      case 'DEC':
      case 'NUMERIC': {
        const p = this.typeParams() ?? [];
        return `DECIMAL(${p[0] ?? 10}, ${p[1] ?? 0})`;
      }
      case 'CHAR':
      case 'CHARACTER':
      case 'VARCHAR':
      case 'BINARY':
      case 'VARBINARY': {
        let base = word === 'CHARACTER' ? 'CHAR' : word;
        if (base === 'CHAR' && this.acceptWord('VARYING')) base = 'VARCHAR';
        const p = this.typeParams();
        return p ? `${base}(${p[0]})` : `${base}(1)`;
      }
      case 'TIME': {
        const p = this.typeParams();
        if (this.acceptWord('WITHOUT')) (this.expectWord('TIME'), this.expectWord('ZONE'));
        return `TIME(${p?.[0] ?? 0})`;
      }
      case 'TIMESTAMP': {
        const p = this.typeParams()?.[0] ?? 6;
        if (this.acceptWord('WITHOUT')) {
          this.expectWord('TIME');
          this.expectWord('ZONE');
        } else if (this.acceptWord('WITH')) {
          if (this.acceptWord('LOCAL')) {
            this.expectWord('TIME');
            this.expectWord('ZONE');
            return `TIMESTAMP_LTZ(${p})`;
          }
          this.expectWord('TIME');
          this.expectWord('ZONE');
          return `TIMESTAMP WITH TIME ZONE(${p})`;
        }
        return `TIMESTAMP(${p})`;
      }
      case 'TIMESTAMP_LTZ':
        return `TIMESTAMP_LTZ(${this.typeParams()?.[0] ?? 6})`;
      case 'INTERVAL': {
        let unit = this.timeUnit();
        if (this.acceptWord('TO')) unit += ` TO ${this.timeUnit()}`;
        return `INTERVAL ${unit}`;
      }
      case 'RAW':
      case 'NULL':
        if (this.isOp('(')) this.skipParenthesised();
        return word;
      default: {
        if (this.strictTypes) {
          const t = this.tokens[this.i - 1]!;
          throw new SqlSyntaxError(`Unknown identifier '${written}': not a Flink data type`, t.line, t.column, 'Use a Flink SQL type: STRING, INT, BIGINT, DECIMAL(p, s), DOUBLE, BOOLEAN, DATE, TIMESTAMP(3), ...');
        }
        // A user-defined or structured type: keep its name as written.
        const p = this.typeParams();
        return p ? `${written}(${p.join(', ')})` : written;
      }
    }
  }
}

function wrap(body: Select | SetOperation | Values | Query): Query {
  if (body.kind === 'query') return body;
  return { kind: 'query', with: [], body, orderBy: [], pos: body.pos };
}
