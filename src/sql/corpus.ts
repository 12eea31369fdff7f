/**
 * The SQL corpus (test/sql-corpus) judged by Flink: each query's expectation is Flink 1.20's own
 * verdict, captured by `node scripts/flink-agreement.mjs --capture` from tools/flink-planner and
 * stored in test/sql-corpus/flink/<file>.json. This module is the one definition of "streamt agrees
 * with Flink" on a query, shared by the corpus unit test and the agreement script.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import type { SqlAnalysis } from './index.js';

/** A corpus query, as written in test/sql-corpus/<file>.yaml. */
export interface CorpusEntry {
  name: string;
  /** Where the pattern comes from (a page of Flink's documentation, an issue). */
  doc?: string;
  sql: string;
}

/** Flink's verdict on a query, as stored (never written by hand). */
export interface FlinkVerdict {
  accepted: boolean;
  /** Why Flink refuses: the innermost message of the cause chain, without its position prefix. */
  error?: string;
  /** Where Flink places the error in the query, when it says. */
  at?: { line: number; column: number };
  /** Row kinds of the result: `I` is append-only; `I,UB,UA,D`, `I,UA,D`... are updating. */
  changelog?: string;
  /** Every upsert key Flink derives for the result, as output column names. */
  upsertKeys?: string[][];
  /** `name: TYPE`, `!` for NOT NULL, ` *ROWTIME*` for a column that is still an event-time attribute. */
  columns?: string[];
  /** Physical operators of the plan (GroupAggregate, IntervalJoin, Deduplicate...), without Calc and Exchange. */
  operators?: string[];
}

/** The judge's raw answer for one case (tools/flink-planner/src/PlannerJudge.java). */
export interface JudgeAnswer {
  id: string;
  accepted: boolean;
  error?: string;
  columns?: { name: string; type: string; time?: 'rowtime' | 'proctime' }[];
  columns_error?: string;
  changelog_mode?: string;
  upsert_keys?: string[][];
  upsert_materialize?: boolean;
  operators?: string[];
  plan_time_attributes?: { name: string; kind: 'rowtime' | 'proctime' }[];
}

/** The stored form of a judge's answer. */
export function verdictOf(answer: JudgeAnswer): FlinkVerdict {
  if (!answer.accepted) {
    const { message, at } = flinkReason(answer.error ?? '');
    return at ? { accepted: false, error: message, at } : { accepted: false, error: message };
  }
  const v: FlinkVerdict = { accepted: true };
  if (answer.changelog_mode !== undefined) v.changelog = answer.changelog_mode;
  if (answer.upsert_keys) v.upsertKeys = answer.upsert_keys;
  // Which columns are still event-time attributes is read from the optimized plan: the validator's
  // schema keeps *ROWTIME* on columns a regular join, an aggregation or an expression materializes,
  // and every processing-time attribute is materialized at the root of a query.
  const rowtimes = new Set((answer.plan_time_attributes ?? []).filter((t) => t.kind === 'rowtime').map((t) => t.name));
  if (answer.columns) v.columns = answer.columns.map((c) => flinkColumn(c.name, c.type, rowtimes.has(c.name) ? 'rowtime' : undefined));
  if (answer.operators) v.operators = answer.operators;
  return v;
}

/**
 * Flink nests causes ("SQL validation failed. ... | From line 8, column 12 to line 8, column 23:
 * Column 'x' is ambiguous | Column 'x' is ambiguous"); the reason is the last distinct message, and
 * the position the first one any message gives.
 */
export function flinkReason(chain: string): { message: string; at?: { line: number; column: number } } {
  const parts = chain
    .split(' | ')
    .map((p) => p.trim())
    .filter((p) => p && p !== 'null');
  let at: { line: number; column: number } | undefined;
  for (const p of parts) {
    const m = /(?:From line|at line) (\d+), column (\d+)/.exec(p);
    if (m) {
      at = { line: Number(m[1]), column: Number(m[2]) };
      break;
    }
  }
  let message = parts[parts.length - 1] ?? chain;
  // A parse error's last cause repeats the expected-token list; keep what was encountered.
  const parse = /^(?:SQL parse failed\. )?(Encountered .*? at line \d+, column \d+)\./s.exec(message) ?? /(Encountered .*? at line \d+, column \d+)\./s.exec(chain);
  if (parse) message = parse[1]!;
  // Planner node ids and correlation variables count what the JVM planned before: not part of the verdict.
  message = message
    .replace(/^From line \d+, column \d+ to line \d+, column \d+: /, '')
    .replace(/#\d+/g, '#')
    .replace(/\$cor\d+/g, '$cor')
    .replace(/\s+/g, ' ')
    .trim();
  return at ? { message, at } : { message };
}

export function flinkColumn(name: string, type: string, time?: 'rowtime' | 'proctime'): string {
  const notNull = / NOT NULL$/.test(type);
  const base = normaliseType(type.replace(/ NOT NULL$/, ''));
  return `${name}: ${base}${notNull ? '!' : ''}${time ? ` *${time.toUpperCase()}*` : ''}`;
}

/** A column of streamt's analysis in the verdict's spelling (its processing-time attributes are materialized at the root, as in Flink). */
export function streamtColumn(c: { name: string; type: string; nullable?: boolean; time?: 'rowtime' | 'proctime' }): string {
  return `${c.name}: ${normaliseType(c.type)}${c.nullable === false ? '!' : ''}${c.time === 'rowtime' ? ' *ROWTIME*' : ''}`;
}

/**
 * One spelling per type. Character and binary strings compare without their length: streamt types
 * every string as STRING (Kafka's JSON and Avro strings have no length, and Flink writes any
 * character type into a STRING column), where Flink types the literal 'ab' as CHAR(2).
 */
export function normaliseType(type: string): string {
  return type
    .replace(/`/g, '')
    .replace(/TIMESTAMP\((\d+)\) WITH LOCAL TIME ZONE/g, 'TIMESTAMP_LTZ($1)')
    .replace(/\b(?:VAR)?CHAR\(\d+\)|\bSTRING\b/g, 'STRING')
    .replace(/\b(?:VAR)?BINARY\(\d+\)|\bBYTES\b/g, 'BYTES')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Operators that keep no state of their own (ChangelogNormalize comes from reading an upsert input, not from the query). */
const STATELESS_OPERATORS = new Set(['TableSourceScan', 'Calc', 'Exchange', 'WatermarkAssigner', 'Union', 'Correlate', 'Expand', 'ChangelogNormalize', 'DropUpdateBefore', 'MiniBatchAssigner', 'Sink', 'Values', 'WindowTableFunction']);

const JOIN_OPERATORS: Record<string, string> = { Join: 'regular_join', IntervalJoin: 'interval_join', TemporalJoin: 'temporal_join', LookupJoin: 'lookup_join', WindowJoin: 'window_join' };

export function isUpdating(changelog: string | undefined): boolean {
  return changelog !== undefined && changelog !== 'I';
}

export function streamtAccepts(a: SqlAnalysis): boolean {
  return a.parsed && !a.diagnostics.some((d) => d.severity === 'error');
}

/**
 * The differences between streamt's analysis of a query and Flink's verdict; empty when they agree on
 * acceptance, changelog mode, upsert key, output columns (names, order, types, nullability, time
 * attributes), join kind and statefulness, or, for a refused query, on the refusal and its position.
 */
export function compareWithFlink(a: SqlAnalysis, flink: FlinkVerdict): string[] {
  const diffs: string[] = [];
  const errors = a.diagnostics.filter((d) => d.severity === 'error');
  if (!flink.accepted) {
    if (streamtAccepts(a)) return [`streamt accepts, Flink refuses: ${flink.error}`];
    // streamt says what Flink says, where Flink says it, and how to fix it.
    const gist = flinkGist(flink.error ?? '');
    const saying = errors.filter((d) => normaliseSpace(d.message).includes(gist));
    if (saying.length === 0) return [`streamt's error does not say what Flink says ("${gist}"): ${errors.map(describe).join('; ')}`];
    const placed = flink.at ? saying.filter((d) => d.line === flink.at!.line && d.column === flink.at!.column) : saying;
    if (placed.length === 0) return [`streamt's error is not where Flink's is (${flink.at!.line}:${flink.at!.column}): ${saying.map(describe).join('; ')}`];
    if (!placed.some((d) => d.hint)) diffs.push(`streamt's error has no hint: ${describe(placed[0]!)}`);
    return diffs;
  }
  if (!streamtAccepts(a)) return [`streamt refuses, Flink accepts: ${errors.map(describe).join('; ')}`];
  const updating = isUpdating(flink.changelog);
  if (flink.changelog !== undefined && (a.changelog === 'updating') !== updating) diffs.push(`changelog: streamt ${a.changelog}, Flink ${updating ? 'updating' : 'append'} [${flink.changelog}]`);
  if (updating && a.changelog === 'updating') {
    // A global aggregation's key is the empty set (one row): no key a sink could declare.
    const keys = (flink.upsertKeys ?? []).filter((k) => k.length > 0);
    const mine = a.upsertKey ? [...a.upsertKey].sort().join(', ') : undefined;
    const theirs = keys.map((k) => [...k].sort().join(', '));
    if (mine === undefined && theirs.length > 0) diffs.push(`upsert key: streamt none, Flink ${theirs.map((k) => `[${k}]`).join(' or ')}`);
    else if (mine !== undefined && !theirs.includes(mine)) diffs.push(`upsert key: streamt [${mine}], Flink ${theirs.length ? theirs.map((k) => `[${k}]`).join(' or ') : 'none'}`);
  }
  if (flink.columns) {
    const mine = a.columns?.map(streamtColumn);
    if (!mine) diffs.push(`columns: streamt cannot type them, Flink ${JSON.stringify(flink.columns)}`);
    else if (mine.length !== flink.columns.length || mine.some((c, i) => c !== flink.columns![i])) diffs.push(`columns: streamt ${JSON.stringify(mine)}, Flink ${JSON.stringify(flink.columns)}`);
  }
  if (flink.operators) {
    const flinkJoins = [...new Set(flink.operators.map((o) => JOIN_OPERATORS[o]).filter((j): j is string => !!j))].sort();
    const mineJoins = a.features.filter((f) => Object.values(JOIN_OPERATORS).includes(f)).sort();
    if (flinkJoins.join() !== mineJoins.join()) diffs.push(`joins: streamt [${mineJoins.join(', ')}], Flink [${flinkJoins.join(', ')}] (${flink.operators.join(', ')})`);
    const stateful = flink.operators.filter((o) => !STATELESS_OPERATORS.has(o));
    if (stateful.length > 0 && !a.stateful) diffs.push(`stateful: streamt says stateless, Flink keeps state in ${stateful.join(', ')}`);
  }
  return diffs;
}

/**
 * What a refusal must say: Flink's reason without what streamt cannot know or need not repeat (the
 * plan dump, the list of supported signatures, the expected tokens of a parse error, Calcite's
 * spelling of argument types), first sentence only.
 */
export function flinkGist(message: string): string {
  let m = normaliseSpace(message);
  const encountered = /^Encountered "([^"\s]+)/.exec(m);
  if (encountered) return `Encountered "${encountered[1]}`;
  m = m
    .replace(/ The physical plan is:.*$/, '')
    .replace(/ If you think this function should be supported.*$/, '')
    .replace(/\. Supported form\(s\):.*$/, '')
    .replace(/ to arguments of type '.*?'(?=\.|$)/, '')
    .replace(/(No match found for function signature [\w$]+)\s*\(.*$/, '$1')
    .replace(/ at line \d+, column \d+.*$/, '')
    .replace(/ which is produced by node .*$/, '')
    .replace(/: set type is .*$/, '')
    .replace(/ \$cor\d* in the plan$/, '')
    .replace(/;.*$/, '');
  const sentence = /^(.*?[^.])\. [A-Z]/.exec(m);
  if (sentence) m = sentence[1]!;
  return m.replace(/\.$/, '').trim();
}

function normaliseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function describe(d: Diagnostic): string {
  return `${d.line ?? '?'}:${d.column ?? '?'} ${d.code} ${d.message}`;
}

