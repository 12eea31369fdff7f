/**
 * A job Flink's planner rejects is reported at the model's SQL in its YAML file. The rejections
 * are Flink's own (captured from the SQL Gateway by scripts/flink-explain-capture.mjs); the
 * project around them is the one the capture compiled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { constructPosition, flinkLocation, insertToRendered, renderedToTemplate } from '../../src/plan/flink-locate.js';
import { resolveProject } from '../../src/resolve/resolve.js';
import { load } from '../helpers/project.js';
import type { FlinkJobSpec } from '../../src/compile/types.js';

const captured = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'flink-explain', 'captured.json'), 'utf8')) as {
  sources: string;
  rejected: { name: string; sql: string; spec: FlinkJobSpec; statement: number; rejection: { message: string; line?: number; column?: number } }[];
};
const PROJECT = 'project:\n  name: capture\nruntime:\n  kafka:\n    bootstrap_servers: localhost:9092\n  flink:\n    default: local\n    clusters:\n      local:\n        rest_url: http://localhost:8082\n        sql_gateway_url: http://localhost:8084\n';
const modelYaml = (sql: string) => `models:\n  - name: m\n    sql: |\n${sql.replace(/\s+$/, '').split('\n').map((l) => `      ${l}`).join('\n')}\n`;

function located(name: string) {
  const r = captured.rejected.find((x) => x.name === name);
  if (!r) throw new Error(`no captured rejection ${name}`);
  const yaml = modelYaml(r.sql);
  const loaded = load({ 'stream_project.yml': PROJECT, 'sources/s.yml': captured.sources, 'models/m.yml': yaml });
  const resolved = resolveProject(loaded.project!);
  const loc = flinkLocation(resolved, 'model.m', r.spec.statements, { statement: r.statement, ...(r.rejection.line !== undefined ? { line: r.rejection.line, column: r.rejection.column! } : {}) }, r.rejection.message);
  const line = yaml.split('\n')[loc!.line - 1]!;
  return { loc, at: line.slice(loc!.column - 1), rejection: r.rejection };
}

describe("Flink's rejections at the model's SQL", () => {
  it('a position Flink gives ("at line 3, column 4" of the compiled INSERT) is the same place in the YAML', () => {
    const r = located('keyword-column');
    expect(r.rejection).toMatchObject({ line: 3, column: 4 });
    expect(r.loc).toEqual({ file: 'models/m.yml', line: 5, column: 10 });
    expect(r.at.startsWith('.model FROM')).toBe(true);
  });

  it('an operator Flink names without a position (an updating LEFT JOIN for an append sink) points at its JOIN', () => {
    const r = located('left-join-interval-updating');
    expect(r.rejection.line).toBeUndefined();
    expect(r.rejection.message).toContain("doesn't support consuming update and delete changes");
    expect(r.at.startsWith('LEFT JOIN {{ source("shipments") }}')).toBe(true);
  });

  it('a temporal join without a versioned table points at its FOR SYSTEM_TIME AS OF', () => {
    const r = located('temporal-join-without-versioned-table');
    expect(r.rejection.message).toContain('Temporal Table Join requires');
    expect(r.at.startsWith('FOR SYSTEM_TIME AS OF p.ts')).toBe(true);
  });
});

describe('positions through the compiled INSERT and the template', () => {
  it('maps a line of the compiled INSERT to the rendered SQL (leading blank lines and a trailing ; dropped)', () => {
    const rendered = '\nSELECT a,\n  b FROM `t`;\n';
    const insert = 'INSERT INTO `x`\nSELECT a,\n  b FROM `t`\n';
    expect(insertToRendered(insert, rendered, 3, 3)).toEqual({ line: 3, column: 3 });
    expect(insertToRendered(insert, rendered, 1, 5)).toBeUndefined();
  });

  it('moves a column back over a rendered source()/ref() call, and points inside a call at the call', () => {
    const template = 'SELECT x FROM {{ source("orders") }} o WHERE o.nope > 1';
    const rendered = 'SELECT x FROM `orders` o WHERE o.nope > 1';
    const col = rendered.indexOf('o.nope') + 1;
    expect(renderedToTemplate(template, rendered, 1, col)).toEqual({ line: 1, column: template.indexOf('o.nope') + 1 });
    expect(renderedToTemplate(template, rendered, 1, rendered.indexOf('`orders`') + 2)).toEqual({ line: 1, column: template.indexOf('{{') + 1 });
    expect(renderedToTemplate(template, rendered, 1, 3)).toEqual({ line: 1, column: 3 });
  });

  it('finds the construct a message names, never inside a string or a comment', () => {
    const sql = "SELECT 'left join' AS s -- a LEFT JOIN here\nFROM a\nLEFT OUTER JOIN b ON a.k = b.k";
    expect(constructPosition('produced by node Join(joinType=[LeftOuterJoin], where=[])', sql)).toEqual({ line: 3, column: 1 });
    expect(constructPosition('something else', sql)).toBeUndefined();
  });
});
