/**
 * Operand typing of built-in calls comes from Flink's own signature tables (flink-names.ts, written by
 * tools/flink-planner/src/FlinkNames.java); the corpus (test/sql-corpus/function-arguments.yaml) holds
 * Flink's verdicts. These tests pin the behaviour users see: the refusal, its code, place and hint.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FLINK_FUNCTIONS, FLINK_SIGNATURES_TEXT, FLINK_TYPED_SIGNATURES_TEXT } from './flink-names.js';
import { analyzeSql, type InputTable } from './index.js';

const INPUTS: Record<string, InputTable> = {
  ...(parse(readFileSync(fileURLToPath(new URL('../../test/sql-corpus/inputs.yaml', import.meta.url)), 'utf8')) as Record<string, InputTable>),
  s: { columns: [{ name: 'id', type: 'STRING' }, { name: 'amount', type: 'DECIMAL(38, 2)' }, { name: 't', type: 'TIMESTAMP(3)' }] },
};
const errorsOf = (expr: string) => analyzeSql(`SELECT ${expr} AS x FROM s`, INPUTS).diagnostics.filter((d) => d.severity === 'error');

describe('function operand typing derived from Flink', () => {
  it('reads its tables from Flink: every function with a signature is one of Flink’s function names', () => {
    const names = (text: string) => text.split('\n').filter(Boolean).map((l) => l.split(' ')[0]!);
    expect(names(FLINK_SIGNATURES_TEXT).length).toBeGreaterThan(100);
    for (const name of names(FLINK_SIGNATURES_TEXT)) expect(FLINK_FUNCTIONS.has(name), name).toBe(true);
    expect(FLINK_SIGNATURES_TEXT).toContain("REGEXP_EXTRACT 'REGEXP_EXTRACT(<CHARACTER>, <CHARACTER>, <INTEGER>)'");
    expect(FLINK_TYPED_SIGNATURES_TEXT).toContain('ARRAY_CONTAINS ARRAY_CONTAINS(haystack <ARRAY>, needle <ARRAY ELEMENT>)');
  });

  it('refuses the calls validate used to pass, with Flink’s message at the call and a hint', () => {
    const calls = ["REGEXP_EXTRACT(id, 1)", 'TO_TIMESTAMP_LTZ(id, 3)', "DATE_FORMAT(amount, 'yyyy')", "SPLIT_INDEX(id, ',', 'x')", "SUBSTRING(id FROM 'a')", "LPAD(id, 'x', 'y')", 'OVERLAY(id PLACING 1 FROM 2)', "CONVERT_TZ(id, 1, 'UTC')", "TIMESTAMPADD(DAY, 'x', t)", 'TRUNCATE(id, 1)', 'FROM_UNIXTIME(id)', "PARSE_URL(amount, 'HOST')", 'BIN(id)', 'HEX(amount)', 'STR_TO_MAP(amount)'];
    for (const call of calls) {
      const [e, ...more] = errorsOf(call);
      expect(more, call).toEqual([]);
      expect(e?.code, call).toBe('SQL_TYPE_MISMATCH');
      expect(e?.message, call).toMatch(new RegExp(`^Cannot apply '${call.split('(')[0]}' to arguments of type .*Supported form\\(s\\): '`));
      expect([e?.line, e?.column], call).toEqual([1, 8]);
      expect(e?.hint, call).toMatch(/CAST/);
    }
    expect(errorsOf('REGEXP_EXTRACT(id, 1)')[0]!.message).toBe(
      "Cannot apply 'REGEXP_EXTRACT' to arguments of type 'REGEXP_EXTRACT(<VARCHAR(2147483647)>, <INTEGER>)'. Supported form(s): 'REGEXP_EXTRACT(<CHARACTER>, <CHARACTER>, <INTEGER>)' 'REGEXP_EXTRACT(<CHARACTER>, <CHARACTER>)'",
    );
    // A character literal is CHAR(n) in Flink's message (Flink 1.20.3's planner through the SQL Gateway, verbatim).
    expect(errorsOf("LPAD(id, 'x', 'y')")[0]!.message).toBe("Cannot apply 'LPAD' to arguments of type 'LPAD(<VARCHAR(2147483647)>, <CHAR(1)>, <CHAR(1)>)'. Supported form(s): 'LPAD(<CHARACTER>, <INTEGER>, <CHARACTER>)'");
    expect(errorsOf("CONVERT_TZ(id, 1, 'UTC')")[0]!.message).toBe("Cannot apply 'CONVERT_TZ' to arguments of type 'CONVERT_TZ(<VARCHAR(2147483647)>, <INTEGER>, <CHAR(3)>)'. Supported form(s): 'CONVERT_TZ(<CHARACTER>, <CHARACTER>, <CHARACTER>)'");
  });

  it('says "Invalid input arguments." for the new type inference stack, as Flink does', () => {
    for (const call of ["ARRAY_CONTAINS(id, 'a')", "IFNULL(amount, 'x')"]) {
      expect(errorsOf(call).map((e) => e.message).join(), call).toContain('Invalid input arguments. Expected signatures are: ');
    }
  });

  it('accepts the same functions with the operand families Flink allows (a NULL fits any)', () => {
    for (const call of ["REGEXP_EXTRACT(id, 'a(b)', 1)", 'TO_TIMESTAMP_LTZ(amount, 3)', "DATE_FORMAT(t, 'yyyy')", "LPAD(id, 3, 'y')", "OVERLAY(id PLACING 'x' FROM 2)", 'TRUNCATE(amount, 1)', "IFNULL(id, 'x')", 'UPPER(id)', 'LEFT(id, 2)', 'HEX(NULL)']) {
      expect(errorsOf(call), call).toEqual([]);
    }
  });
});
