/**
 * `validate` is `compile` without writing (issue 11): on the same input it reports the same
 * diagnostic codes, so a green `validate` in CI means `compile` succeeds.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { PROJECT, SOURCES, writeProject } from '../helpers/project.js';
import { REPO } from './helpers.js';

interface Json {
  diagnostics: { code: string; severity: string }[];
}

async function runJson(argv: string[]): Promise<{ code: number; json: Json }> {
  let stdout = '';
  const stream = (append: (s: string) => void) => ({ write: (s: string) => (append(String(s)), true), isTTY: false }) as unknown as NodeJS.WritableStream;
  const code = await run(argv, { stdout: stream((s) => (stdout += s)), stderr: stream(() => undefined), env: { NO_COLOR: '1' } });
  return { code, json: JSON.parse(stdout) as Json };
}

const codes = (j: Json) => [...new Set(j.diagnostics.map((d) => `${d.severity} ${d.code}`))].sort();

async function both(dir: string) {
  // --dry-run to a fresh folder: compile reports everything and writes nothing.
  const out = join(mkdtempSync(join(tmpdir(), 'streamt-vc-')), 'generated');
  const v = await runJson(['validate', '-p', dir, '--format', 'json']);
  const c = await runJson(['compile', '-p', dir, '--dry-run', '--format', 'json', '-o', out]);
  expect(existsSync(out), 'compile --dry-run wrote files').toBe(false);
  return { v, c };
}

const dirsUnder = (root: string) =>
  readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory())
    .sort()
    .map((d) => join(root, d));

const projects = [
  ...dirsUnder(join(REPO, 'test', 'fixtures', 'malformed')),
  ...dirsUnder(join(REPO, 'test', 'golden', 'cases')),
  ...dirsUnder(join(REPO, 'examples')),
];

describe('validate reports what compile reports', () => {
  for (const dir of projects) {
    it(dir.slice(REPO.length + 1), async () => {
      const { v, c } = await both(dir);
      expect(codes(v.json)).toEqual(codes(c.json));
      expect(v.code).toBe(c.code);
    });
  }

  const compileOnly: Record<string, Record<string, string>> = {
    // Codes that used to be found only by compile: each must now fail validate too.
    KEY_COLUMN_NOT_FOUND: { 'models/m.yml': 'models:\n  - name: m\n    key: nope\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n' },
    UNKNOWN_CONNECTOR: {
      'models/m.yml': `models:
  - name: m
    sql: SELECT order_id FROM {{ source("orders_raw") }}
  - name: to_db
    from: [{ ref: m }]
    sink:
      connector: debezium-jdbc-snk
      config: { connection.url: "jdbc:postgresql://db/x" }
`,
    },
  };
  for (const [code, files] of Object.entries(compileOnly)) {
    it(`${code} fails validate as it fails compile`, async () => {
      const dir = writeProject({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, ...files });
      const { v, c } = await both(dir);
      expect(codes(v.json)).toContain(`error ${code}`);
      expect(codes(v.json)).toEqual(codes(c.json));
      expect(v.code).toBe(1);
    });
  }

  it('examples/payments with a Gateway: models the Gateway cannot express run on Flink, with a note, in validate as in compile', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'streamt-vc-')), 'payments');
    // Not validate's cache (.streamt/), which another test's validate may be renaming into place.
    cpSync(join(REPO, 'examples', 'payments'), dir, { recursive: true, filter: (src) => src !== join(REPO, 'examples', 'payments', '.streamt') });
    const file = join(dir, 'stream_project.yml');
    const text = readFileSync(file, 'utf8').replace(/^runtime:\n/m, 'runtime:\n  conduktor:\n    gateway:\n      admin_url: http://localhost:8888\n      proxy_bootstrap: localhost:6969\n');
    writeFileSync(file, text);
    const { v, c } = await both(dir);
    // payments_clean uses SUBSTR and IN, high_risk_payments OR: outside the Gateway's SQL.
    expect(codes(v.json)).toContain('info GATEWAY_CANNOT_SERVE');
    expect(codes(v.json).filter((x) => x.startsWith('error'))).toEqual([]);
    expect(codes(v.json)).toEqual(codes(c.json));
    expect([v.code, c.code]).toEqual([0, 0]);
  });

  it('a declared virtual topic the Gateway cannot serve fails validate as it fails compile', async () => {
    const gateway = PROJECT + '  conduktor:\n    gateway:\n      admin_url: http://localhost:8888\n';
    const dir = writeProject({ 'stream_project.yml': gateway, 'sources/s.yml': SOURCES, 'models/m.yml': "models:\n  - name: v\n    materialized: virtual_topic\n    sql: SELECT order_id FROM {{ source(\"orders_raw\") }} WHERE status = 'A' OR amount > 1\n" });
    const { v, c } = await both(dir);
    expect(codes(v.json)).toContain('error VIRTUAL_TOPIC_UNSUPPORTED_SQL');
    expect(codes(v.json)).toEqual(codes(c.json));
    expect([v.code, c.code]).toEqual([1, 1]);
  });
});

describe('a model that refs itself', () => {
  it('is a clear error in validate and compile, exit 1, not an internal error (exit 70)', async () => {
    const dir = writeProject({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': 'models:\n  - name: loop\n    sql: SELECT order_id FROM {{ ref("loop") }}\n' });
    const { v, c } = await both(dir);
    expect(codes(v.json)).toContain('error CYCLE_DETECTED');
    expect(codes(v.json)).toEqual(codes(c.json));
    expect([v.code, c.code]).toEqual([1, 1]);
  });
});
