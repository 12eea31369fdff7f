/**
 * Flink is the judge of the schema type mapping (issue 12): every Avro and Protobuf case of
 * test/schemas/cases goes through Flink 1.20's own converters (scripts/schema-judge.mjs, offline,
 * on the stack's Flink jars plus flink-protobuf). The stored answers (test/schemas/expected/, read
 * by the unit tests) must still be Flink's, and streamt must agree with every one.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');

describe('schema type mapping judged by Flink', () => {
  it('agrees with AvroSchemaConverter and PbToRowTypeUtil on every case, and the stored answers are Flink\'s', () => {
    const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'schema-judge.mjs'), '--json'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const report = JSON.parse(r.stdout || '[]') as { id: string; agree: boolean; differences: string[] }[];
    expect(report.filter((c) => c.id.startsWith('avro/')).length).toBeGreaterThanOrEqual(8);
    expect(report.filter((c) => c.id.startsWith('protobuf/')).length).toBeGreaterThanOrEqual(4);
    expect(report.filter((c) => !c.agree).map((c) => `${c.id}: ${c.differences.join('; ')}`)).toEqual([]);
    expect(r.status, r.stderr).toBe(0);
  });
});
