// Each thing derived once (issue 11, item 5): resolve computes one view per source and model
// (topic, columns in order, time attributes, format, changelog, key) and the compiler renders it;
// the analyser reads the same shape the compiled CREATE TABLE declares.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/index.js';
import { inputTableOf } from '../../src/resolve/tables.js';
import { REPO } from '../golden/helpers.js';
import { PROJECT } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

function compile(files: Record<string, string>) {
  const { resolved, diagnostics } = resolveFiles(files);
  if (!resolved) throw new Error(JSON.stringify(diagnostics, null, 2));
  const result = compileProject(resolved, { compiledAt: '2025-01-01T00:00:00.000Z' });
  return { resolved, result, diagnostics: [...resolved.diagnostics, ...result.diagnostics] };
}

const CLICKS = `sources:
  - name: clicks
    topic: web.clicks
    columns:
      - name: user_id
        type: STRING
      - name: pt
        proctime: true
      - name: url
        type: STRING
      - name: ts
        type: TIMESTAMP(3)
    event_time:
      column: ts
`;

describe('one view per node', () => {
  it('keeps a source\'s column order, with its proctime column where it was declared, for the analyser and the DDL alike', () => {
    const { resolved, result, diagnostics } = compile({
      'stream_project.yml': PROJECT,
      'sources/s.yml': CLICKS,
      'models/m.yml': 'models:\n  - name: all_clicks\n    materialized: flink\n    sql: SELECT * FROM {{ source("clicks") }}\n',
    });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const view = resolved.tables.get('source.clicks')!;
    expect(view.columns!.map((c) => c.name)).toEqual(['user_id', 'pt', 'url', 'ts']);
    expect(inputTableOf(view).columns.map((c) => [c.name, c.time ?? null])).toEqual([
      ['user_id', null],
      ['pt', 'proctime'],
      ['url', null],
      ['ts', 'rowtime'],
    ]);
    // SELECT * gives the columns in the order the source table declares them: the sink must too.
    const model = resolved.models.get('all_clicks')!;
    expect(model.columns.map((c) => c.name)).toEqual(['user_id', 'pt', 'url', 'ts']);
    const job = result.artifacts.flinkJobs.find((j) => j.addr === 'flink.job.all_clicks')!;
    const input = job.spec.statements.find((s) => s.startsWith('CREATE TEMPORARY TABLE `clicks`'))!;
    const sink = job.spec.statements.find((s) => s.startsWith('CREATE TEMPORARY TABLE `all_clicks__output`'))!;
    expect(input).toMatch(/`user_id` STRING,\n {2}`pt` AS PROCTIME\(\),\n {2}`url` STRING,\n {2}`ts` TIMESTAMP\(3\),\n {2}WATERMARK FOR `ts`/);
    expect(sink).toMatch(/`user_id` STRING,\n {2}`pt` TIMESTAMP_LTZ\(3\),\n {2}`url` STRING,\n {2}`ts` TIMESTAMP\(3\)\n/);
  });

  it('keeps both time attributes of a model that passes them on: event time with its watermark, processing time recomputed', () => {
    const { resolved, result } = compile({
      'stream_project.yml': PROJECT,
      'sources/s.yml': CLICKS,
      'models/m.yml': `models:
  - name: all_clicks
    materialized: flink
    sql: SELECT * FROM {{ source("clicks") }}
  - name: per_user
    sql: |
      SELECT user_id, window_start, window_end, COUNT(*) AS n
      FROM TABLE(TUMBLE(TABLE {{ ref("all_clicks") }}, DESCRIPTOR(pt), INTERVAL '1' MINUTE))
      GROUP BY user_id, window_start, window_end
`,
    });
    const view = resolved.tables.get('model.all_clicks')!;
    expect(view.rowtime?.column).toBe('ts');
    expect(view.columns!.filter((c) => c.proctime).map((c) => c.name)).toEqual(['pt']);
    const job = result.artifacts.flinkJobs.find((j) => j.addr === 'flink.job.per_user')!;
    const input = job.spec.statements.find((s) => s.startsWith('CREATE TEMPORARY TABLE `all_clicks`'))!;
    expect(input).toContain('`pt` AS PROCTIME()');
    expect(input).toContain('WATERMARK FOR `ts`');
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('names each topic once: the model\'s view is what the topic, the job, the subject and the manifest say', () => {
    const { resolved, result } = compile({
      'stream_project.yml': PROJECT + '  schema_registry:\n    url: http://registry:8081\n',
      'sources/s.yml': `sources:
  - name: pay
    topic: pay.raw
    schema:
      format: avro
    columns:
      - {name: id, type: STRING}
      - {name: amount, type: BIGINT}
`,
      'models/m.yml': 'models:\n  - name: big\n    topic: {name: pay.big.v2}\n    sql: SELECT id, amount FROM {{ source("pay") }} WHERE amount > 10\n',
    });
    const view = resolved.tables.get('model.big')!;
    expect(view.topic).toBe('pay.big.v2');
    expect(result.artifacts.topics.map((t) => t.spec.name)).toEqual(['pay.big.v2']);
    const job = result.artifacts.flinkJobs[0]!.spec;
    expect(job.output_topic).toBe('pay.big.v2');
    expect(job.input_topics).toEqual(['pay.raw']);
    expect(result.artifacts.schemas.map((s) => s.spec.subject)).toEqual(['pay.big.v2-value']);
    expect(result.manifest.models.find((m) => m.name === 'big')!.topic).toBe('pay.big.v2');
  });

  it('gives the analyser the primary key the compiled input table declares, NOT NULL as Flink makes it', () => {
    const { resolved } = compile({
      'stream_project.yml': PROJECT,
      'sources/s.yml': CLICKS,
      'models/m.yml': `models:
  - name: per_user
    key: user_id
    sql: SELECT user_id, COUNT(*) AS n FROM {{ source("clicks") }} GROUP BY user_id
  - name: busy
    sql: SELECT user_id, n FROM {{ ref("per_user") }} WHERE n > 10
`,
    });
    const input = inputTableOf(resolved.tables.get('model.per_user'));
    expect(input.primaryKey).toEqual(['user_id']);
    expect(input.columns.find((c) => c.name === 'user_id')!.nullable).toBe(false);
    expect(resolved.models.get('busy')!.analysis!.columns!.find((c) => c.name === 'user_id')!.nullable).toBe(false);
  });
});

describe('folders import in one direction', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((e) => {
      const p = join(dir, e);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });
  const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)[^;]*?from '([^']+)'/gms)].map((m) => m[1]!);

  it('compile emits continuous tests itself and imports nothing of datatest (no compile ⇄ datatest cycle)', () => {
    const bad = files(join(REPO, 'src/compile')).flatMap((f) => importsOf(f).filter((i) => /\/datatest\//.test(i)).map((i) => `${relative(REPO, f)} imports ${i}`));
    expect(bad).toEqual([]);
  });

  it('resolve imports nothing of compile', () => {
    const bad = files(join(REPO, 'src/resolve')).flatMap((f) => importsOf(f).filter((i) => /\/compile\//.test(i)).map((i) => `${relative(REPO, f)} imports ${i}`));
    expect(bad).toEqual([]);
  });
});
