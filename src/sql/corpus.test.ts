import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkCorpusEntry, type CorpusEntry } from './corpus.js';
import { analyzeSql, type InputTable } from './index.js';

const corpusDir = fileURLToPath(new URL('../../test/sql-corpus/', import.meta.url));
const inputs = parse(readFileSync(`${corpusDir}inputs.yaml`, 'utf8')) as Record<string, InputTable>;
const entries = parse(readFileSync(`${corpusDir}flink-docs.yaml`, 'utf8')) as CorpusEntry[];

describe('Flink documentation corpus', () => {
  it('has unique names and covers the documented query kinds', () => {
    expect(new Set(entries.map((e) => e.name)).size).toBe(entries.length);
    const features = new Set(entries.flatMap((e) => e.expect.features));
    for (const f of ['group_by', 'aggregate', 'distinct', 'regular_join', 'interval_join', 'temporal_join', 'lookup_join', 'window_join', 'window_tvf', 'group_window', 'over', 'deduplication', 'top_n', 'match_recognize', 'order_by']) {
      expect(features, f).toContain(f);
    }
  });

  for (const entry of entries) {
    it(`${entry.name} is parsed and classified as expected`, () => {
      const result = checkCorpusEntry(entry, analyzeSql, inputs);
      expect(result.mismatches).toEqual([]);
    });
  }
});
