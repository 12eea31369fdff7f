/**
 * The check behind the SQL corpus (test/sql-corpus): one definition of "parsed and classified
 * correctly", shared by the corpus test and scripts/sql-corpus-report.mjs.
 */
import type { InputTable, SqlAnalysis } from './index.js';

export interface CorpusExpectation {
  tables: string[];
  features: string[];
  changelog: 'append' | 'updating';
  upsertKey?: string[];
  /** `name: TYPE`, with a trailing `!` for NOT NULL. */
  columns?: string[];
  timeAttribute?: string;
  mlFunctions?: string[];
  /** Codes of the errors expected when Flink refuses the query. */
  errors?: string[];
}

export interface CorpusEntry {
  name: string;
  doc?: string;
  sql: string;
  expect: CorpusExpectation;
}

export interface CorpusResult {
  name: string;
  parsed: boolean;
  /** Human-readable differences between the analysis and the expectation; empty when correct. */
  mismatches: string[];
}

export function checkCorpusEntry(entry: CorpusEntry, analyze: (sql: string, inputs: Record<string, InputTable>) => SqlAnalysis, inputs: Record<string, InputTable>): CorpusResult {
  const analysis = analyze(entry.sql, inputs);
  const mismatches: string[] = [];
  const expect = entry.expect;
  const compare = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };
  if (!analysis.parsed) mismatches.push(`not parsed: ${analysis.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}`);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error');
  if (expect.errors) compare('errors', errors.map((d) => d.code), expect.errors);
  else if (analysis.parsed && errors.length > 0) mismatches.push(`errors: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  compare('tables', analysis.tables, expect.tables);
  compare('features', analysis.features, [...expect.features].sort());
  compare('stateful', analysis.stateful, expect.features.length > 0);
  compare('changelog', analysis.changelog, expect.changelog);
  if (expect.upsertKey) compare('upsertKey', analysis.upsertKey, expect.upsertKey);
  if (expect.columns) compare('columns', analysis.columns?.map((c) => `${c.name}: ${c.type}${c.nullable === false ? '!' : ''}`), expect.columns);
  if (expect.timeAttribute) compare('timeAttribute', analysis.timeAttribute?.column, expect.timeAttribute);
  compare('mlFunctions', analysis.mlFunctions, expect.mlFunctions ?? []);
  return { name: entry.name, parsed: analysis.parsed, mismatches };
}
