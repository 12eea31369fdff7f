/**
 * streamt's SQL analyser: a pure function from a rendered model query and the schemas of its inputs
 * to the tables it reads, whether it is stateful, its changelog mode, its output columns and types.
 */
import { error, warning, type Diagnostic } from '../core/diagnostics.js';
import { releaseRank } from './changelog.js';
import { AnalysisContext } from './context.js';
import { analyzeTokens } from './fallback.js';
import { MultipleStatementsError, NotAQueryError, parseQuery } from './parser.js';
import { analyzeQuery } from './query.js';
import type { InputTableSchema, LineageTransform, StatefulFeature, TimeKind } from './relation.js';
import { SqlSyntaxError, tokenize, type Token } from './tokenizer.js';
import type { Query } from './ast.js';

export type { StatefulFeature, LineageTransform } from './relation.js';

/** Column-level lineage of one output column: the input columns its value derives from. */
export interface ColumnLineage {
  column: string;
  /** Input columns (`table` is the source or model name as the SQL reads it; `column` is `col.field` for a nested field), sorted. */
  sources: { table: string; column: string }[];
  transform: LineageTransform;
  /** An input's schema is unknown: the value may derive from more columns than listed. */
  partial?: boolean;
}
export { parseQuery, parseDataType } from './parser.js';
export { tokenize, SqlSyntaxError } from './tokenizer.js';

export interface ColumnType {
  name: string;
  /** Flink SQL type, e.g. 'STRING', 'BIGINT', 'DECIMAL(10, 2)', 'TIMESTAMP(3)', 'ROW<a INT>'. */
  type: string;
  nullable?: boolean;
  /** A time attribute (Flink's *ROWTIME* / *PROCTIME*): an event-time column (with a WATERMARK) or a processing-time column, of an input table or of an analysis' output. A table may have both. */
  time?: 'rowtime' | 'proctime';
}

export interface InputTable {
  /** May be empty when unknown. */
  columns: ColumnType[];
  /** The event-time attribute (has a WATERMARK) or a processing-time attribute. */
  timeAttribute?: { column: string; kind: 'rowtime' | 'proctime' };
  /** Every time attribute, when a table has both an event-time and a processing-time column. */
  timeAttributes?: { column: string; kind: 'rowtime' | 'proctime' }[];
  /** An upstream that is itself updating makes dependents updating. */
  changelog?: 'append' | 'updating';
  primaryKey?: string[];
  /** A lookup-capable table (a JDBC table...): it can be the right side of a processing-time (lookup) join. Kafka topics are not. */
  lookup?: boolean;
}

export interface SqlAnalysis {
  /** An AST was obtained. When false, a SQL_PARSE_ERROR explains why and the rest is a token-level best effort. */
  parsed: boolean;
  diagnostics: Diagnostic[];
  /** Tables read in FROM/JOIN (CTE names excluded), in order of first appearance, deduplicated. */
  tables: string[];
  hasFrom: boolean;
  stateful: boolean;
  /** Sorted, deduplicated. */
  features: StatefulFeature[];
  /** 'ML_PREDICT' | 'ML_EVALUATE' when called. */
  mlFunctions: string[];
  changelog: 'append' | 'updating';
  /** For updating results: the grouping keys or partition keys as output column names, when derivable. */
  upsertKey?: string[];
  /** Output columns; undefined when an input schema is unknown and needed. */
  columns?: ColumnType[];
  /** The time attribute the output keeps, if any (window_time is one, window_start/window_end are not): the rowtime first. */
  timeAttribute?: { column: string; kind: 'rowtime' | 'proctime' };
  /** Every time attribute the output keeps, in column order (a query may keep a rowtime and a proctime). */
  timeAttributes: { column: string; kind: 'rowtime' | 'proctime' }[];
  /** For each output column, in order, the input columns it derives from (recorded where references resolve). */
  lineage?: ColumnLineage[];
  /** The parsed query, for the phases that render it (e.g. as a Gateway statement): parsed once, here. */
  query?: Query;
}

export interface AnalyzeOptions {
  /**
   * Report tables missing from `inputs` as SQL_UNKNOWN_TABLE errors (default true). Set false to only
   * extract the tables a query reads, before the inputs are known.
   */
  checkTables?: boolean;
  /** Output columns of ML models by name, for ML_PREDICT('name', ...) (a model's ml_outputs). */
  mlOutputs?: Record<string, ColumnType[]>;
}

export function analyzeSql(sql: string, inputs: Record<string, InputTable>, options: AnalyzeOptions = {}): SqlAnalysis {
  let query;
  try {
    query = parseQuery(sql);
  } catch (e) {
    return unparsed(sql, e);
  }
  const analyzer = new AnalysisContext(inputs as Record<string, InputTableSchema>, options);
  const rel = releaseRank(analyzer, analyzeQuery(analyzer, query));
  const diagnostics = analyzer.diagnostics;

  const tables = orderedTables(analyzer.tableRefs);
  if (tables.length === 0) {
    diagnostics.push(
      error('SQL_NO_FROM', analyzer.hasFrom ? 'The query reads no table' : 'The query has no FROM clause', {
        line: query.pos.line,
        column: query.pos.column,
        hint: 'Streaming models must read from at least one table: use {{ source("name") }} or {{ ref("model") }} in FROM.',
      }),
    );
  }

  const knownTypes = rel.complete && rel.cols.every((c) => c.type !== undefined && c.type !== 'NULL');
  for (const col of rel.cols) {
    const at = col.pos ? { line: col.pos.line, column: col.pos.column } : {};
    if (col.unnamed) {
      diagnostics.push(warning('SQL_UNNAMED_COLUMN', `An output column has no name; Flink calls it ${col.name}`, { ...at, hint: 'Give the expression an alias: <expression> AS name.' }));
    }
    if (col.duplicateOf) {
      diagnostics.push(warning('SQL_DUPLICATE_COLUMN', `Two output columns are named '${col.duplicateOf}'; Flink renames the second to '${col.name}'`, { ...at, hint: 'Select the columns explicitly with distinct aliases.' }));
    }
    if (col.type === 'NULL') {
      diagnostics.push(error('SQL_UNTYPED_NULL', `Illegal use of 'NULL': output column '${col.name}' has no type`, { ...at, hint: `Write CAST(NULL AS <type>) AS ${col.name}.` }));
    }
  }

  const features = [...analyzer.features].sort();
  const analysis: SqlAnalysis = {
    parsed: true,
    diagnostics: sortByPosition(diagnostics),
    tables,
    hasFrom: analyzer.hasFrom,
    stateful: features.length > 0,
    features,
    mlFunctions: [...analyzer.mlFunctions].sort(),
    changelog: rel.changelog,
    query,
    timeAttributes: rel.cols.filter((c) => c.time).map((c) => ({ column: c.name, kind: c.time as TimeKind })),
  };
  if (rel.changelog === 'updating' && rel.upsertKey) analysis.upsertKey = rel.upsertKey;
  analysis.lineage = rel.cols.map((c) => {
    const sources = [...(c.lineage?.sources ?? [])].sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : a.column < b.column ? -1 : a.column > b.column ? 1 : 0));
    const entry: ColumnLineage = { column: c.name, sources, transform: c.lineage?.transform ?? 'expression' };
    if (!c.lineage || c.lineage.partial || !rel.complete) entry.partial = true;
    return entry;
  });
  if (knownTypes) analysis.columns = rel.cols.map((c) => ({ name: c.name, type: c.type!, nullable: c.nullable, ...(c.time ? { time: c.time } : {}) }));
  // window_time first: a window TVF keeps its input's rowtime too, but windows downstream follow window_time.
  const time = rel.cols.find((c) => c.time === 'rowtime' && c.window === 'time') ?? rel.cols.find((c) => c.time === 'rowtime') ?? rel.cols.find((c) => c.time === 'proctime');
  if (time) analysis.timeAttribute = { column: time.name, kind: time.time as TimeKind };
  return analysis;
}

function unparsed(sql: string, e: unknown): SqlAnalysis {
  let tokens: Token[] = [];
  try {
    tokens = tokenize(sql);
  } catch {
    tokens = [];
  }
  const fallback = analyzeTokens(tokens);
  let diagnostic: Diagnostic;
  if (e instanceof NotAQueryError) {
    diagnostic = error('SQL_NOT_SELECT', `A model's SQL must be a SELECT query, not a ${e.statement} statement`, {
      line: e.line,
      column: e.column,
      hint: 'Write only the SELECT: streamt generates the CREATE TABLE and INSERT INTO statements.',
    });
  } else if (e instanceof MultipleStatementsError) {
    diagnostic = error('SQL_MULTIPLE_STATEMENTS', "A model's SQL must be a single SELECT query", { line: e.line, column: e.column, hint: 'Split the statements into separate models.' });
  } else if (e instanceof SqlSyntaxError) {
    diagnostic = error('SQL_PARSE_ERROR', `SQL syntax error: ${e.message}`, {
      line: e.line,
      column: e.column,
      hint: e.hint ?? 'Fix the syntax at this position. If this is valid Flink SQL that streamt cannot parse, report it and set materialized: explicitly meanwhile.',
    });
  } else throw e;
  const analysis: SqlAnalysis = {
    parsed: false,
    diagnostics: [diagnostic],
    tables: fallback.tables,
    hasFrom: fallback.hasFrom,
    stateful: fallback.features.length > 0,
    features: fallback.features,
    mlFunctions: fallback.mlFunctions,
    // Without a tree the changelog cannot be derived: assume the safer mode when anything is stateful.
    changelog: fallback.features.length > 0 ? 'updating' : 'append',
    timeAttributes: [],
  };
  return analysis;
}

function orderedTables(refs: { name: string; pos: { line: number; column: number } }[]): string[] {
  const sorted = [...refs].sort((a, b) => a.pos.line - b.pos.line || a.pos.column - b.pos.column);
  const out: string[] = [];
  for (const r of sorted) if (!out.includes(r.name)) out.push(r.name);
  return out;
}

function sortByPosition(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (a.d.line ?? Infinity) - (b.d.line ?? Infinity) || (a.d.column ?? 0) - (b.d.column ?? 0) || a.i - b.i)
    .map((x) => x.d);
}
