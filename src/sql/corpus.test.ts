/**
 * The SQL corpus judged by Flink: every query of test/sql-corpus/*.yaml agrees with Flink 1.20's
 * verdict stored in test/sql-corpus/flink/*.json (captured from Flink's planner by
 * `node scripts/flink-agreement.mjs --capture`, never written by hand or by a test). The
 * integration test flink-agreement.test.ts checks that the stored verdicts are still Flink's.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compareWithFlink, type CorpusEntry, type FlinkVerdict } from './corpus.js';
import { analyzeSql, type InputTable } from './index.js';

const corpusDir = fileURLToPath(new URL('../../test/sql-corpus/', import.meta.url));
const inputs = parse(readFileSync(`${corpusDir}inputs.yaml`, 'utf8')) as Record<string, InputTable>;
const files = readdirSync(corpusDir).filter((f) => f.endsWith('.yaml') && f !== 'inputs.yaml').sort();
const corpus = files.map((file) => {
  const verdictFile = `${corpusDir}flink/${file.replace(/\.yaml$/, '.json')}`;
  return {
    file,
    entries: parse(readFileSync(`${corpusDir}${file}`, 'utf8')) as CorpusEntry[],
    verdicts: (existsSync(verdictFile) ? JSON.parse(readFileSync(verdictFile, 'utf8')) : {}) as Record<string, FlinkVerdict>,
  };
});
const all = corpus.flatMap((c) => c.entries.map((e) => ({ ...e, verdict: c.verdicts[e.name] })));

describe('SQL corpus', () => {
  it('has at least 300 uniquely named queries, each with a verdict from Flink and no verdict without a query', () => {
    expect(all.length).toBeGreaterThanOrEqual(300);
    expect(new Set(all.map((e) => e.name)).size).toBe(all.length);
    expect(all.filter((e) => !e.verdict).map((e) => e.name)).toEqual([]);
    for (const c of corpus) expect(Object.keys(c.verdicts).sort(), c.file).toEqual(c.entries.map((e) => e.name).sort());
  });

  it("covers Flink's streaming operators and refusals, as Flink's plans show", () => {
    const operators = new Set(all.flatMap((e) => e.verdict?.operators ?? []));
    for (const op of ['GroupAggregate', 'WindowAggregate', 'GroupWindowAggregate', 'OverAggregate', 'Join', 'IntervalJoin', 'TemporalJoin', 'WindowJoin', 'Deduplicate', 'Rank', 'WindowRank', 'WindowDeduplicate', 'Match', 'Correlate', 'Union', 'Expand', 'TemporalSort', 'SortLimit', 'ChangelogNormalize']) {
      expect(operators, op).toContain(op);
    }
    expect(all.filter((e) => e.verdict && !e.verdict.accepted).length).toBeGreaterThanOrEqual(30);
  });

  it('holds the analyser cases of issue 11 ("Why"), judged by Flink like every other query', () => {
    const cases = [
      'interval-join-one-sided-bound-left', // LEFT JOIN with one time bound: a regular join, updating
      'interval-join-time-equality', // o.ts = s.ship_ts: an interval join
      'window-over-window-columns-ambiguous', // window TVF over an input with window_start: ambiguous
      'cascading-window-aggregation',
      'row-constructor-alias', // ROW(a, b) AS x: Flink's field names
      'dedup-keep-first-proctime-with-event-time', // append-only
      'group-column-neither-grouped-nor-aggregated', // an error
      'join-decimal-with-timestamp', // an error
      'select-filter-updating-input', // updating, stateless
    ];
    for (const name of cases) expect(all.find((e) => e.name === name)?.verdict, name).toBeDefined();
  });

  for (const c of corpus) {
    describe(c.file, () => {
      for (const entry of c.entries) {
        it(`${entry.name} agrees with Flink`, () => {
          const verdict = c.verdicts[entry.name];
          expect(verdict, 'no verdict: run node scripts/flink-agreement.mjs --capture').toBeDefined();
          expect(compareWithFlink(analyzeSql(entry.sql, inputs), verdict!)).toEqual([]);
        });
      }
    });
  }
});
