// A name Flink's parser reserves, written unquoted in a model's SQL (s.model, value, timestamp),
// would fail the job at apply with a ParseException: validate refuses it, at its position, with
// the fix. Quoted, it compiles (test/golden/cases/quoting, judged by Flink).
import { describe, expect, it } from 'vitest';
import { FLINK_RESERVED_WORDS } from '../../src/sql/flink-reserved.js';
import { PROJECT } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const SOURCE = `sources:
  - name: readings
    topic: sensor.readings
    columns:
      - { name: value, type: DOUBLE }
      - { name: model, type: STRING }
      - { name: timestamp, type: TIMESTAMP(3) }
      - { name: data, type: STRING }
`;
const resolve = (sql: string) => resolveFiles({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCE, 'models/m.yml': `models:\n  - name: m\n    sql: |\n      ${sql}\n` }).resolved!;

describe('reserved words', () => {
  it('come from Flink\'s parser (VALUE, MODEL, TIMESTAMP are reserved, DATA is not)', () => {
    for (const w of ['VALUE', 'MODEL', 'TIMESTAMP', 'COUNT', 'YEAR', 'USER']) expect(FLINK_RESERVED_WORDS.has(w), w).toBe(true);
    for (const w of ['DATA', 'NAME', 'KEY', 'TYPE', 'STATUS']) expect(FLINK_RESERVED_WORDS.has(w), w).toBe(false);
  });

  it('unquoted as names are errors with their position and the quoted form as hint', () => {
    const r = resolve('SELECT s.model, value, `timestamp` AS ts, data FROM {{ source("readings") }} AS s');
    const found = r.diagnostics.filter((d) => d.code === 'SQL_RESERVED_WORD');
    expect(found.map((d) => [d.severity, d.line, d.column, d.hint])).toEqual([
      ['error', 4, 16, 'Quote it with backticks: `model`.'],
      ['error', 4, 23, 'Quote it with backticks: `value`.'],
    ]);
    expect(found[0]!.message).toBe("'model' is a reserved word in Flink SQL: Flink cannot parse it as a name unquoted");
  });

  it('as aliases too, but not as function names', () => {
    const r = resolve('SELECT YEAR(`timestamp`) AS year, COUNT(*) AS n FROM {{ source("readings") }} GROUP BY YEAR(`timestamp`)');
    expect(r.diagnostics.filter((d) => d.code === 'SQL_RESERVED_WORD').map((d) => d.column)).toEqual([35]);
  });

  it('quoted, they are names like any other', () => {
    const r = resolve('SELECT s.`model`, `value`, `timestamp` AS `at`, data FROM {{ source("readings") }} AS s');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});
