// A name Flink's parser reserves, written unquoted in a model's SQL (s.model, value, year), would
// fail the job at apply with a ParseException: validate refuses it as Flink's parser does
// (SQL_PARSE_ERROR worded as Flink words it), at its position, with the quoted form as hint.
// Quoted, it compiles (test/golden/cases/quoting, judged by Flink). The list of reserved words is
// Flink's own (src/sql/flink-names.ts, checked by every agreement run).
import { describe, expect, it } from 'vitest';
import { FLINK_RESERVED_WORDS } from '../../src/sql/flink-names.js';
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
const errors = (sql: string) => resolve(sql).diagnostics.filter((d) => d.severity === 'error');

describe('reserved words', () => {
  it('are Flink\'s (VALUE, MODEL, TIMESTAMP are reserved, DATA is not)', () => {
    for (const w of ['VALUE', 'MODEL', 'TIMESTAMP', 'COUNT', 'YEAR', 'USER']) expect(FLINK_RESERVED_WORDS.has(w), w).toBe(true);
    for (const w of ['DATA', 'NAME', 'KEY', 'TYPE', 'STATUS']) expect(FLINK_RESERVED_WORDS.has(w), w).toBe(false);
  });

  it('unquoted as names are parse errors at their position, with the quoted form as hint', () => {
    const [dotted] = errors('SELECT s.model, value, `timestamp` AS ts, data FROM {{ source("readings") }} AS s');
    expect(dotted).toMatchObject({ code: 'SQL_PARSE_ERROR', file: 'models/m.yml', line: 4, column: 15, hint: 'Quote the name with backticks: .`model`.' });
    expect(dotted!.message).toContain('Encountered ". model"');
    const [bare] = errors('SELECT value, data FROM {{ source("readings") }} AS s');
    expect(bare).toMatchObject({ code: 'SQL_PARSE_ERROR', line: 4, column: 14 });
    expect(bare!.message).toContain('Encountered "value"');
    expect(bare!.hint).toContain('`value`');
  });

  it('as aliases too, but not as function names', () => {
    const e = errors('SELECT YEAR(`timestamp`) AS year, COUNT(*) AS n FROM {{ source("readings") }} GROUP BY YEAR(`timestamp`)');
    expect(e.map((d) => [d.code, d.column])).toEqual([['SQL_PARSE_ERROR', 35]]);
    expect(e[0]!.message).toContain('Encountered "year"');
  });

  it('quoted, they are names like any other', () => {
    expect(errors('SELECT s.`model`, `value`, `timestamp` AS `at`, data FROM {{ source("readings") }} AS s')).toEqual([]);
  });
});
