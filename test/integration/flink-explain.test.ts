// The plans the unit tests judge (test/fixtures/flink-explain/captured.json) are Flink's, and
// still what Flink says: every captured job is put through the stack's SQL Gateway again, and its
// state signature (the stateful operators and all that feeds them), or its rejection, must be the
// one captured. When Flink's answer changes, re-capture on purpose: node scripts/flink-explain-capture.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlinkAdapter } from '../../src/adapters/flink/client.js';
import { explainSection, parsePlanTree, stateSignature, tableColumns } from '../../src/adapters/flink/explain.js';
import { compileProject } from '../../src/compile/compile.js';
import { resolveProject } from '../../src/resolve/resolve.js';
import { load } from '../helpers/project.js';
import { mapBounded } from '../../src/core/bounded.js';
import type { FlinkJobSpec } from '../../src/compile/types.js';
import { endpoints, http } from './helpers.js';

interface Version {
  spec: FlinkJobSpec;
  explain: string;
}
const captured = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'flink-explain', 'captured.json'), 'utf8')) as {
  flink: string;
  pairs: { name: string; before: Version; after: Version }[];
  rejected: { name: string; spec: FlinkJobSpec; statement: number; rejection: { message: string; line?: number; column?: number } }[];
};
const flink = new FlinkAdapter('local', { rest_url: endpoints.flinkRest, sql_gateway_url: endpoints.flinkSqlGateway });
const signature = (v: { spec: FlinkJobSpec; explain: string }) => stateSignature(v.explain, tableColumns(v.spec.statements))?.signature;

describe('the captured Flink plans', () => {
  it('come from the Flink version of the stack', async () => {
    const info = await http('GET', `${endpoints.flinkSqlGateway}/v1/info`);
    expect(captured.flink).toBe(`${info.body.productName} ${info.body.version}`);
  });

  it('are what Flink plans today for every captured job, and nothing is submitted', async () => {
    const versions = captured.pairs.flatMap((p) => [
      { id: `${p.name} before`, v: p.before },
      { id: `${p.name} after`, v: p.after },
    ]);
    const differ: string[] = [];
    await mapBounded(versions, 2, async ({ id, v }) => {
      const now = await flink.explain(v.spec.statements);
      if (!now.accepted) differ.push(`${id}: now rejected: ${now.rejection.message}`);
      else if (signature({ spec: v.spec, explain: now.plan }) !== signature(v)) differ.push(`${id}: Flink's stateful operators differ from the capture`);
    });
    expect(differ).toEqual([]);
    // An INSERT that ran would be a job named after its sink (Flink's default job name).
    const jobs = (await http('GET', `${endpoints.flinkRest}/jobs/overview`)).body.jobs as { name: string }[];
    expect(jobs.filter((j) => j.name.includes('m__output'))).toEqual([]);
  });

  it("are rejected today as captured, with Flink's message and position", async () => {
    for (const r of captured.rejected) {
      const now = await flink.explain(r.spec.statements);
      expect(now, r.name).toEqual({ accepted: false, statement: r.statement, rejection: r.rejection });
    }
  });
});

describe('a statement set', () => {
  it('(a continuous test writing violations and a DLQ) is planned as one, and its plan is read as one tree per INSERT', async () => {
    const loaded = load({
      'stream_project.yml': `project:\n  name: explain_set\nruntime:\n  kafka:\n    bootstrap_servers: localhost:9092\n  flink:\n    default: local\n    clusters:\n      local:\n        rest_url: ${endpoints.flinkRest}\n        sql_gateway_url: ${endpoints.flinkSqlGateway}\n`,
      'sources/s.yml': 'sources:\n  - name: orders\n    topic: explain.set.orders\n    columns:\n      - { name: order_id, type: STRING }\n      - { name: amount, type: DOUBLE }\n',
      'models/m.yml': 'models:\n  - name: big\n    sql: SELECT order_id, amount FROM {{ source("orders") }} WHERE amount > 10\n',
      'tests/t.yml': 'tests:\n  - name: amounts\n    model: big\n    type: continuous\n    assertions:\n      - not_null: {columns: [order_id]}\n    on_failure:\n      actions:\n        - dlq: {topic: explain.set.dlq}\n',
    });
    const result = compileProject(resolveProject(loaded.project!), { compiledAt: '1970-01-01T00:00:00.000Z' });
    const job = result.artifacts.flinkJobs.find((j) => j.owner === 'test.amounts')!;
    expect(job.spec.statements.some((x) => x.startsWith('EXECUTE STATEMENT SET'))).toBe(true);
    const answer = await flink.explain(job.spec.statements);
    if (!answer.accepted) throw new Error(answer.rejection.message);
    const tree = parsePlanTree(explainSection(answer.plan, 'Optimized Physical Plan')!)!;
    expect(tree.name).toBe('StatementSet');
    expect(tree.children.map((c) => c.name)).toEqual(['Sink', 'Sink']);
    expect(stateSignature(answer.plan, tableColumns(job.spec.statements))).toBeDefined();
  });
});

