/** The syntax tree of a Flink SQL query, as produced by `parser.ts`. Positions are 1-based. */
export interface Pos {
  line: number;
  column: number;
  /** Of a dotted name (`t.a.b`): where each part starts (Flink reports a qualified column's error at the name after the qualifier). */
  parts?: Pos[];
  /** Of a function call: its name as written (Flink's messages quote it so; `name` is upper case). */
  text?: string;
}

export type Expr =
  | { kind: 'literal'; literal: 'integer' | 'decimal' | 'approx' | 'string' | 'boolean' | 'null' | 'binary'; text: string; pos: Pos }
  | { kind: 'typed_literal'; type: 'DATE' | 'TIME' | 'TIMESTAMP' | 'TIMESTAMP_LTZ'; text: string; pos: Pos }
  | { kind: 'interval'; value: Expr; unit: string; pos: Pos }
  /** A time unit or other bare keyword argument, e.g. `HOUR` in `TIMESTAMPADD(HOUR, 1, ts)`. */
  | { kind: 'symbol'; name: string; pos: Pos }
  | { kind: 'column'; parts: string[]; pos: Pos }
  | { kind: 'star'; qualifier?: string[]; pos: Pos }
  | { kind: 'call'; name: string; args: Expr[]; distinct: boolean; star: boolean; filter?: Expr; over?: WindowSpec; returning?: string; pos: Pos }
  | { kind: 'cast'; safe: boolean; expr: Expr; type: string; pos: Pos }
  | { kind: 'unary'; op: string; expr: Expr; pos: Pos }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; pos: Pos }
  | { kind: 'is'; not: boolean; test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN'; expr: Expr; pos: Pos }
  | { kind: 'between'; not: boolean; expr: Expr; low: Expr; high: Expr; pos: Pos }
  | { kind: 'in'; not: boolean; expr: Expr; list?: Expr[]; query?: Query; pos: Pos }
  | { kind: 'like'; not: boolean; op: 'LIKE' | 'SIMILAR TO'; expr: Expr; pattern: Expr; escape?: Expr; pos: Pos }
  | { kind: 'exists'; query: Query; pos: Pos }
  | { kind: 'subquery'; query: Query; pos: Pos }
  | { kind: 'case'; operand?: Expr; whens: { when: Expr; then: Expr }[]; else?: Expr; pos: Pos }
  | { kind: 'constructor'; type: 'ARRAY' | 'MAP' | 'ROW'; items: Expr[]; pos: Pos }
  | { kind: 'index'; expr: Expr; index: Expr; pos: Pos }
  | { kind: 'field'; expr: Expr; name: string; pos: Pos };

export interface OrderItem {
  expr: Expr;
  descending: boolean;
}

export interface WindowSpec {
  /** A named window (`OVER w`) before resolution against the WINDOW clause. */
  ref?: string;
  partitionBy: Expr[];
  orderBy: OrderItem[];
  frame?: 'ROWS' | 'RANGE';
  /** The frame as written (`ROWS BETWEEN 5 PRECEDING AND CURRENT ROW`), to tell two windows apart. */
  frameText?: string;
  pos: Pos;
}

export interface SelectItem {
  expr: Expr;
  alias?: string;
  pos: Pos;
}

export interface MatchRecognize {
  partitionBy: Expr[];
  orderBy: OrderItem[];
  measures: SelectItem[];
  allRows: boolean;
  /** The PATTERN's tokens, as written (`A`, `B`, `+`, `?`, `{`, `2`, `,`, `}`). */
  pattern: string[];
  define: { name: string; expr: Expr; pos: Pos }[];
  pos: Pos;
}

export type FromItem =
  /** `name` is the dotted full name; `parts` keeps quoted names with dots (`orders.v1`) whole. */
  | { kind: 'table'; name: string; parts: string[]; alias?: string; columnAliases?: string[]; asOf?: Expr; match?: MatchRecognize; matchAlias?: string; pos: Pos }
  | { kind: 'derived'; query: Query; lateral: boolean; alias?: string; columnAliases?: string[]; match?: MatchRecognize; matchAlias?: string; pos: Pos }
  | {
      kind: 'window_tvf';
      fn: 'TUMBLE' | 'HOP' | 'CUMULATE' | 'SESSION';
      input: FromItem;
      timeColumn: string;
      timeColumnPos?: Pos;
      partitionBy: string[];
      args: Expr[];
      alias?: string;
      columnAliases?: string[];
      pos: Pos;
    }
  /** LATERAL TABLE(f(x)) and UNNEST(array): one row in, many rows out, no state. */
  | { kind: 'table_function'; call: Expr; unnest: boolean; ordinality?: boolean; alias?: string; columnAliases?: string[]; pos: Pos }
  | { kind: 'join'; joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS' | 'COMMA'; natural?: boolean; left: FromItem; right: FromItem; on?: Expr; using?: string[]; pos: Pos };

export interface Select {
  kind: 'select';
  distinct: boolean;
  items: SelectItem[];
  from?: FromItem;
  where?: Expr;
  groupBy: Expr[];
  /** GROUPING SETS, ROLLUP and CUBE are flattened into their expressions. */
  groupingSets: boolean;
  having?: Expr;
  windows: Record<string, WindowSpec>;
  pos: Pos;
}

export interface SetOperation {
  kind: 'set';
  op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  all: boolean;
  left: Query;
  right: Query;
  pos: Pos;
}

export interface Values {
  kind: 'values';
  rows: Expr[][];
  pos: Pos;
}

export interface Cte {
  name: string;
  columns?: string[];
  query: Query;
  pos: Pos;
}

/** A query body with its own WITH, ORDER BY and LIMIT, wrapping a select, set operation or VALUES. */
export interface Query {
  kind: 'query';
  with: Cte[];
  body: Select | SetOperation | Values | Query;
  orderBy: OrderItem[];
  limit?: Expr;
  offset?: Expr;
  pos: Pos;
}
