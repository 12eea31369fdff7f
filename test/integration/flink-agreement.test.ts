/**
 * Flink is the judge (issue 11): every compiled job of examples/, test/golden/cases/ and the
 * `streamt init` template, and every query of the SQL corpus (test/sql-corpus, at least 300), goes
 * through Flink 1.20.3's planner (scripts/flink-agreement.mjs, offline, on the stack's Flink jars,
 * one JVM) and agrees with streamt: accepted or refused at the same place with the same reason,
 * changelog mode, upsert key, output columns with types, nullability and time attributes, join kind.
 * There is no list of known disagreements: any disagreement fails. The stored verdicts the corpus
 * unit test reads must be what Flink says today, and so must the analyser's reserved words and
 * function names (src/sql/flink-names.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');

interface Report {
  total: number;
  agree: number;
  corpus: number;
  stale: string[];
  cases: { id: string; agree: boolean; differences: string[]; flink_error: string | null }[];
}

describe('Flink agreement', () => {
  it('agrees with Flink on every compiled job and every corpus query, from verdicts that are current', { timeout: 1_800_000 }, () => {
    // A cold judge (no cached answers) plans ~500 jobs; on a loaded 2-core machine that takes minutes.
    const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'flink-agreement.mjs'), '--json'], { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    // Cases of every origin are judged: a broken harness must not pass as agreement.
    expect(report.cases.some((c) => c.id.startsWith('examples/'))).toBe(true);
    expect(report.cases.some((c) => c.id.startsWith('test/golden/cases/'))).toBe(true);
    expect(report.cases.some((c) => c.id.startsWith('templates/project:'))).toBe(true);
    expect(report.corpus).toBeGreaterThanOrEqual(300);
    expect(report.cases.find((c) => c.id === 'src/sql/flink-names.ts')?.agree, 'src/sql/flink-names.ts is not Flink 1.20\'s: run node scripts/flink-agreement.mjs --flink-names').toBe(true);
    const disagreements = report.cases.filter((c) => !c.agree).map((c) => `${c.id}: ${c.differences.join('; ')}`);
    expect(disagreements).toEqual([]);
    expect(report.stale, 'stored verdicts differ from Flink: run node scripts/flink-agreement.mjs --capture and review the diff').toEqual([]);
    expect(report.agree).toBe(report.total);
  });
});
