// The plans the unit tests judge (test/fixtures/flink-explain/captured.json) are Flink's, and
// still what Flink says: every captured job is put through the stack's SQL Gateway again, and its
// state signature (the stateful operators and all that feeds them), or its rejection, must be the
// one captured. When Flink's answer changes, re-capture on purpose: node scripts/flink-explain-capture.mjs
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FlinkAdapter } from '../../src/adapters/flink/client.js';
import { stateSignature, tableColumns } from '../../src/adapters/flink/explain.js';
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
