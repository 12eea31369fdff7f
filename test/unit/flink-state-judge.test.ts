/**
 * State compatibility judged by Flink (issue 10, item 3), on Flink's own output: every plan here
 * was captured from Flink 1.20's SQL Gateway by scripts/flink-explain-capture.mjs (the pairs are
 * in test/fixtures/flink-explain/pairs.yaml; test/integration/flink-explain.test.ts checks the
 * capture is still what Flink says). The offline rule (shape.ts) may be stricter than Flink's
 * judgement, never more permissive.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { FlinkJobSpec } from '../../src/compile/types.js';
import { explainSection, judgeStatePlans, maskLiterals, parseNode, parsePlanTree, planningScript, stateSignature, tableColumns } from '../../src/adapters/flink/explain.js';
import { diffFlinkJob, judgeState } from '../../src/adapters/flink/diff.js';
import type { FlinkPlannerFacts, ObservedFlinkJob } from '../../src/adapters/flink/job-handler.js';

interface Version {
  spec: FlinkJobSpec;
  stateful: boolean;
  explain: string;
}
const dir = join(import.meta.dirname, '..', 'fixtures', 'flink-explain');
const captured = JSON.parse(readFileSync(join(dir, 'captured.json'), 'utf8')) as { flink: string; pairs: { name: string; before: Version; after: Version }[] };
const declared = parse(readFileSync(join(dir, 'pairs.yaml'), 'utf8')) as { name: string; state?: 'compatible' | 'incompatible' }[];
const pair = (name: string) => {
  const p = captured.pairs.find((x) => x.name === name);
  if (!p) throw new Error(`no captured pair ${name}: run scripts/flink-explain-capture.mjs`);
  return p;
};
const signature = (v: Version) => {
  const s = stateSignature(v.explain, tableColumns(v.spec.statements));
  if (!s) throw new Error('unreadable EXPLAIN output');
  return s;
};
const flinkVerdict = (name: string) => judgeStatePlans(signature(pair(name).before), signature(pair(name).after));
/** The offline rule as plan applies it when Flink cannot be asked (the record says whether the job kept state). */
const offlineVerdict = (name: string) => {
  const p = pair(name);
  return judgeState(p.before.spec, p.after.spec, undefined, p.before.stateful || p.after.stateful).verdict;
};
const explained = (v: Version) => ({ accepted: true as const, plan: v.explain });

describe('the capture', () => {
  it('holds every declared pair, from Flink 1.20', () => {
    expect(captured.flink).toMatch(/^Apache Flink 1\.20\./);
    expect(captured.pairs.map((p) => p.name)).toEqual(declared.map((p) => p.name));
  });
});

describe("Flink's plans, read", () => {
  it('parses the physical plan into operators with their attributes', () => {
    const text = pair('top-3-to-top-100').before.explain;
    const root = parsePlanTree(explainSection(text, 'Optimized Physical Plan')!)!;
    expect(root.name).toBe('Sink');
    const names: string[] = [];
    const visit = (n: typeof root) => (names.push(n.name), n.children.forEach(visit));
    visit(root);
    expect(names).toContain('Rank');
    expect(names).toContain('TableSourceScan');
    const rank = stateSignature(text)!.operators.find((o) => o.name === 'Rank')!;
    expect(Object.fromEntries(rank.attrs)).toMatchObject({ rankType: 'ROW_NUMBER', rankRange: 'rankStart=1, rankEnd=3', partitionBy: 'customer_id', orderBy: 'amount DESC' });
  });

  it('finds the stateful operators Flink plans for each kind of query', () => {
    const ops = (name: string) => signature(pair(name).before).operators.map((o) => o.name);
    expect(ops('tumble-5-to-60-minutes')).toContain('GlobalWindowAggregate');
    expect(ops('group-where-constant')).toEqual(['GroupAggregate']);
    expect(ops('interval-join-bounds')).toEqual(['IntervalJoin']);
    expect(ops('regular-join-keys')).toEqual(['Join']);
    expect(ops('dedup-first-to-last')).toEqual(['Deduplicate']);
    expect(ops('over-range')).toEqual(['OverAggregate']);
    // An updating result whose upsert key is not the sink's key: the sink materializes rows.
    expect(ops('left-join-projection-after-state')).toEqual(['Sink', 'Join']);
    expect(signature(pair('stateless-projection').before).stateful).toBe(false);
  });

  it("masks only literals, never parts of Flink's generated names", () => {
    expect(maskLiterals("AND(>(amount, 10), =(status, _UTF-16LE'A'), >($f3, 2), <=(ship_ts, +(ts, 3600000:INTERVAL HOUR)))")).toBe('AND(>(amount, ?), =(status, ?), >($f3, ?), <=(ship_ts, +(ts, ?)))');
    expect(maskLiterals('SUM(w0$o1) AS EXPR$1, null:BIGINT')).toBe('SUM(w0$o1) AS EXPR$1, ?');
  });

  it('reads attributes with nested brackets', () => {
    expect(parseNode('Exchange(distribution=[hash[customer_id]], changelogMode=[I])')).toEqual({ name: 'Exchange', attrs: [['distribution', 'hash[customer_id]'], ['changelogMode', 'I']] });
  });
});

describe('state compatibility judged on Flink\'s plans', () => {
  it('a 5-minute tumbling window changed to 60 minutes is state-breaking, and Flink\'s operator says why', () => {
    const v = flinkVerdict('tumble-5-to-60-minutes');
    expect(v.compatible).toBe(false);
    expect(v.compatible ? [] : v.why).toEqual(["Flink's GlobalWindowAggregate changes: window=[TUMBLE(slice_end=[$slice_end], size=[5 min])] → window=[TUMBLE(slice_end=[$slice_end], size=[1 h])]"]);
  });

  it('a Top-3 changed to a Top-100 is state-breaking (the Rank range)', () => {
    const v = flinkVerdict('top-3-to-top-100');
    expect(v.compatible ? [] : v.why).toEqual(["Flink's Rank changes: rankRange=[rankStart=1, rankEnd=3] → rankRange=[rankStart=1, rankEnd=100]"]);
  });

  it('a WHERE constant keeps the state, under a window, a Top-N, an aggregation, a dedup or an interval join', () => {
    for (const name of ['tumble-where-constant', 'top-n-where-constant', 'group-where-constant', 'group-where-string-constant', 'dedup-where-constant', 'interval-join-filter-constant']) {
      expect(flinkVerdict(name), name).toEqual({ compatible: true, stateful: true });
    }
  });

  it('a source column nobody reads keeps the state; a retyped column that is read does not', () => {
    expect(flinkVerdict('source-column-added-not-read').compatible).toBe(true);
    expect(flinkVerdict('source-column-type-read').compatible).toBe(false);
  });

  it('a projection constant feeding an aggregate is state; after it, not (unless the sink materializes rows)', () => {
    expect(flinkVerdict('group-derived-projection-constant').compatible).toBe(false);
    expect(flinkVerdict('group-projection-after-state').compatible).toBe(true);
    expect(flinkVerdict('left-join-projection-after-state').compatible).toBe(false);
  });

  it('every pair with a declared meaning gets it from Flink', () => {
    for (const d of declared.filter((x) => x.state)) expect(flinkVerdict(d.name).compatible ? 'compatible' : 'incompatible', d.name).toBe(d.state);
  });
});

describe('agreement: the offline rule is never more permissive than Flink', () => {
  it('every change Flink calls state-breaking, the offline rule calls state-breaking too', () => {
    const permissive = captured.pairs.filter((p) => !flinkVerdict(p.name).compatible && offlineVerdict(p.name).compatible).map((p) => p.name);
    expect(permissive).toEqual([]);
  });

  it('where it is stricter than Flink, it is on these pairs only (a filter or projection it cannot place)', () => {
    const stricter = captured.pairs.filter((p) => flinkVerdict(p.name).compatible && !offlineVerdict(p.name).compatible).map((p) => p.name);
    expect(stricter).toEqual(['group-projection-after-state', 'interval-join-filter-constant', 'regular-join-one-side-where', 'source-column-added-not-read']);
  });
});

describe('the plan says which judge decided', () => {
  const running: ObservedFlinkJob = { kind: 'flink_job', name: 'streamt.capture.m', active: [{ jid: 'j1', state: 'RUNNING', startTime: 1 }] };
  const diff = (name: string, planner: FlinkPlannerFacts | undefined, allowStateReset = false) => {
    const p = pair(name);
    return diffFlinkJob({ spec: p.after.spec, hash: 'h2', stateful: p.after.stateful }, { ...running, ...(planner ? { planner } : {}) }, { hash: 'h1', spec: p.before.spec, stateful: p.before.stateful }, { allowStateReset });
  };
  const both = (name: string): FlinkPlannerFacts => ({ desired: explained(pair(name).after), recorded: explained(pair(name).before) });

  it("Flink's planner: the window change is blocked with Flink's reason", () => {
    const p = diff('tumble-5-to-60-minutes', both('tumble-5-to-60-minutes'));
    expect(p).toMatchObject({ action: 'replace', stateJudge: 'flink-planner', blocked: { code: 'PLAN_STATE_INCOMPATIBLE' } });
    expect(p.blocked!.message).toContain('size=[1 h]');
    expect(p.reasons).toContain("state compatibility judged by Flink's planner (its plans of the recorded and the new statements compared)");
    expect(diff('tumble-5-to-60-minutes', both('tumble-5-to-60-minutes'), true)).toMatchObject({ action: 'replace', steps: ['cancel', 'submit'] });
    expect(diff('tumble-5-to-60-minutes', both('tumble-5-to-60-minutes'), true).blocked).toBeUndefined();
  });

  it("Flink's planner: a WHERE constant is an upgrade through a savepoint", () => {
    expect(diff('group-where-constant', both('group-where-constant'))).toMatchObject({ action: 'update', steps: ['stop-with-savepoint', 'submit-from-savepoint'], stateJudge: 'flink-planner' });
  });

  it('Flink can overrule the offline rule where the rule is stricter than Flink', () => {
    expect(diff('group-projection-after-state', undefined)).toMatchObject({ action: 'replace', stateJudge: 'streamt-rule', blocked: { code: 'PLAN_STATE_INCOMPATIBLE' } });
    expect(diff('group-projection-after-state', both('group-projection-after-state'))).toMatchObject({ action: 'update', stateJudge: 'flink-planner' });
  });

  it("streamt's rule judges when Flink cannot, and the plan says why", () => {
    const recordedRejected: FlinkPlannerFacts = { desired: explained(pair('group-keys').after), recorded: { accepted: false, statement: 15, rejection: { message: 'Object x not found' } } };
    const p = diff('group-keys', recordedRejected);
    expect(p.stateJudge).toBe('streamt-rule');
    expect(p.reasons).toContain("state compatibility judged by streamt's rule on the parsed SQL: Flink's planner rejects the recorded statements: Object x not found");
    expect(p.blocked?.code).toBe('PLAN_STATE_INCOMPATIBLE');
  });

  it('a job Flink rejects is blocked with its message and position; an unreachable SQL Gateway blocks it too', () => {
    const rejected = diff('group-keys', { desired: { accepted: false, statement: 15, rejection: { message: "Column 'x' not found in any table", line: 2, column: 8 } } });
    expect(rejected.blocked).toEqual({
      code: 'PLAN_FLINK_REJECTED',
      message: "Flink's planner rejects job streamt.capture.m: Column 'x' not found in any table",
      hint: "fix the model's SQL; streamt validate --flink runs the same check without planning",
      flink: { statement: 15, line: 2, column: 8 },
    });
    const down = diff('group-where-constant', { unavailable: 'Flink SQL Gateway at http://127.0.0.1:1 is not reachable' });
    expect(down.blocked).toMatchObject({ code: 'PLAN_FLINK_UNCHECKED' });
    expect(down.stateJudge).toBe('streamt-rule');
    // Nobody asked (a pure plan, or the staleness check): nothing is blocked for it.
    expect(diff('group-where-constant', undefined).blocked).toBeUndefined();
  });
});

describe('planning only', () => {
  it('sends table options as session properties, the tables through configure-session, and EXPLAIN of the INSERT', () => {
    const statements = pair('group-where-constant').after.spec.statements;
    const s = planningScript(statements);
    if ('refused' in s) throw new Error(s.refused);
    expect(Object.keys(s.properties).every((k) => k.startsWith('table.'))).toBe(true);
    expect(s.declarations.every((d) => /^CREATE TEMPORARY TABLE /.test(d.sql))).toBe(true);
    expect(s.declarations.length).toBe(statements.filter((x) => x.startsWith('CREATE')).length);
    expect(s.explain.sql.startsWith('EXPLAIN CHANGELOG_MODE INSERT INTO `m__output`\n')).toBe(true);
    expect(s.explain.index).toBe(statements.length - 1);
  });

  it('refuses to send anything else', () => {
    expect(planningScript(["SET 'pipeline.name' = 'x'", 'CREATE TABLE t (a INT)', 'INSERT INTO t SELECT 1'])).toMatchObject({ index: 1 });
    expect(planningScript(["SET 'pipeline.name' = 'x'"])).toMatchObject({ refused: 'the script has no INSERT statement to plan' });
    const set = planningScript(['CREATE TEMPORARY TABLE t (a INT)', 'EXECUTE STATEMENT SET\nBEGIN\nINSERT INTO t SELECT 1;\nEND']);
    expect(set).toMatchObject({ explain: { sql: 'EXPLAIN CHANGELOG_MODE STATEMENT SET\nBEGIN\nINSERT INTO t SELECT 1;\nEND' } });
  });
});
