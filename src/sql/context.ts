/**
 * The state of one analysis: the inputs, what was found so far (tables read, stateful features, ML
 * functions) and the diagnostics. Every analysis step receives it; nothing else is shared.
 */
import { error, warning, type Diagnostic } from '../core/diagnostics.js';
import { own } from '../core/own.js';
import type { Expr, FromItem, Pos } from './ast.js';
import type { InputColumn, InputTableSchema, LineageCollector, Relation, Scope, StatefulFeature } from './relation.js';

export interface AnalyzerOptions {
  /** Report SQL_UNKNOWN_TABLE for tables missing from the inputs (default true). */
  checkTables?: boolean;
  /** Output columns of ML models by name, for ML_PREDICT('name', ...) (the model's ml_outputs). */
  mlOutputs?: Record<string, InputColumn[]>;
}

export class AnalysisContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly tableRefs: { name: string; pos: Pos }[] = [];
  readonly features = new Set<StatefulFeature>();
  readonly mlFunctions = new Set<string>();
  hasFrom = false;
  /** CTEs in scope, innermost last. */
  readonly ctes: Map<string, Relation>[] = [];
  /** The scope level each column reference resolved in, in order: a subquery that resolves in an enclosing level is correlated. */
  readonly resolutions: Scope[] = [];
  /** The upsert keys of each join's result, as qualified columns (`c.customer_id`). */
  readonly joinKeys = new Map<FromItem, Expr[][]>();
  /** Table items on the right side of a JOIN, where FOR SYSTEM_TIME AS OF is valid. */
  readonly joinRightSides = new Set<FromItem>();
  /** Collects the input columns the expression being typed reads (column-level lineage); undefined where references are not values (WHERE, ON, GROUP BY...). */
  lineage: LineageCollector | undefined;

  constructor(
    readonly inputs: Record<string, InputTableSchema>,
    readonly options: AnalyzerOptions = {},
  ) {}

  error(code: string, message: string, pos: Pos | undefined, hint?: string): void {
    this.diagnostics.push(error(code, message, { ...(pos ? { line: pos.line, column: pos.column } : {}), ...(hint ? { hint } : {}) }));
  }

  warn(code: string, message: string, pos: Pos | undefined, hint?: string): void {
    this.diagnostics.push(warning(code, message, { ...(pos ? { line: pos.line, column: pos.column } : {}), ...(hint ? { hint } : {}) }));
  }

  /** The declared output columns of the ML model an ML_PREDICT call names (`ml_outputs`), if declared. */
  mlOutputs(call: Expr & { kind: 'call' }): InputColumn[] | undefined {
    if (call.name !== 'ML_PREDICT') return undefined;
    const first = call.args[0];
    if (!first || first.kind !== 'literal' || first.literal !== 'string') return undefined;
    const cols = own(this.options.mlOutputs, first.text);
    return cols?.length ? cols : undefined;
  }
}
