import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { PROJECT, RUNTIME, writeProject } from '../helpers/project.js';
import { cli, REPO, STACK_TRACE } from './helpers.js';

const EXAMPLE = join(REPO, 'examples', 'payments');
const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };

describe('streamt binary', () => {
  it('prints its version and help', () => {
    const v = cli(['--version']);
    expect(v).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const h = cli(['--help']);
    expect(h.code).toBe(0);
    for (const cmd of ['validate', 'lineage', 'ls', 'init', 'envs']) expect(h.stdout).toContain(cmd);
  });

  it('rejects unknown commands and options with exit 1 and a message on stderr', () => {
    const a = cli(['frobnicate']);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain("unknown command 'frobnicate'");
    const b = cli(['validate', '--nope']);
    expect(b.code).toBe(1);
    expect(b.stderr).toContain("unknown option '--nope'");
    expect(a.stdout + b.stdout).toBe('');
  });
});

describe('validate', () => {
  it('accepts the bundled example: exit 0, summary on stderr, nothing on stdout', () => {
    const r = cli(['validate', '-p', EXAMPLE]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Project "payments" is valid');
    expect(r.stderr).toContain('governance rules passed');
  });

  it('prints JSON on stdout with --format json', () => {
    const r = cli(['validate', '-p', EXAMPLE, '--format', 'json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { valid: boolean; errors: number; warnings: number; diagnostics: unknown[] };
    expect(json).toMatchObject({ valid: true, errors: 0, warnings: 0 });
    expect(Array.isArray(json.diagnostics)).toBe(true);
  });

  it('reports errors compiler-style with exit 1, and as JSON', () => {
    const dir = writeProject({
      'stream_project.yml': PROJECT,
      'models/m.yml': 'models:\n  - name: m\n    sql: |\n      SELECT x\n      FROM {{ ref("mising") }}\n',
    });
    const r = cli(['validate', '-p', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('models/m.yml:5:15 error MODEL_NOT_FOUND Model "mising" not found');
    expect(r.stderr).toContain('5 |       FROM {{ ref("mising") }}');
    expect(r.stderr).toContain('Validation failed: 1 error');
    const j = cli(['validate', '-p', dir, '--format', 'json']);
    expect(j.code).toBe(1);
    const json = JSON.parse(j.stdout) as { valid: boolean; diagnostics: { code: string; file: string; line: number; column: number }[] };
    expect(json.valid).toBe(false);
    expect(json.diagnostics).toContainEqual(expect.objectContaining({ code: 'MODEL_NOT_FOUND', file: 'models/m.yml', line: 5, column: 15 }));
  });

  it('--strict turns warnings into failure', () => {
    const dir = writeProject({
      'stream_project.yml': PROJECT,
      'sources/s.yml': 'sources:\n  - name: s\n    topic: t\n    columns: [{name: x, type: INT}]\n',
      'models/m.yml': 'models:\n  - name: m\n    from: [s]\n    sql: SELECT 1 AS n FROM {{ source("s") }}\n  - name: other\n    from: [m]\n    sql: SELECT n FROM {{ source("s") }} CROSS JOIN {{ ref("m") }}\n',
      'tests/t.yml': 'tests:\n  - name: t\n    model: m\n    type: continuous\n    sample_size: 3\n    assertions: []\n',
    });
    expect(cli(['validate', '-p', dir]).code).toBe(0);
    const strict = cli(['validate', '-p', dir, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain('--strict');
    expect(JSON.parse(cli(['validate', '-p', dir, '--strict', '--format', 'json']).stdout)).toMatchObject({ valid: false, errors: 0 });
  });

  it('reads the project dir from STREAMT_PROJECT_DIR', () => {
    expect(cli(['validate'], { env: { STREAMT_PROJECT_DIR: EXAMPLE } }).code).toBe(0);
  });

  it('never prints a resolved secret', () => {
    const dir = writeProject({
      'stream_project.yml': `project:\n  name: s\nruntime:\n  kafka:\n    bootstrap_servers: localhost:9092\n    sasl_password: \${KAFKA_PASSWORD}\n    sasl_mechanism: \${KAFKA_PASSWORD}\n`,
    });
    const r = cli(['validate', '-p', dir, '--format', 'json'], { env: { KAFKA_PASSWORD: 'TopSecret-42' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('INVALID_VALUE');
    expect(r.stdout + r.stderr).not.toContain('TopSecret-42');
  });
});

describe('malformed projects', () => {
  const root = join(REPO, 'test', 'fixtures', 'malformed');
  const expected = JSON.parse(readFileSync(join(root, 'expected.json'), 'utf8')) as Record<string, string[]>;
  const cases = readdirSync(root).filter((d) => statSync(join(root, d)).isDirectory());

  it('has an expectation for every case', () => {
    expect(cases.sort()).toEqual(Object.keys(expected).sort());
  });

  for (const name of cases) {
    it(`${name}: clean diagnostics, no stack trace`, () => {
      const text = cli(['validate', '-p', join(root, name)]);
      expect(text.stderr).not.toMatch(STACK_TRACE);
      expect(text.stderr).not.toContain('internal error');
      const json = cli(['validate', '-p', join(root, name), '--format', 'json']);
      const result = JSON.parse(json.stdout) as { valid: boolean; diagnostics: { code: string; file: string | null }[] };
      const errorCodes = new Set(result.diagnostics.filter((d) => (d as { severity?: string }).severity === 'error').map((d) => d.code));
      expect([...errorCodes].sort()).toEqual([...expected[name]!].sort());
      expect(text.code).toBe(expected[name]!.length ? 1 : 0);
      expect(result.valid).toBe(expected[name]!.length === 0);
    });
  }

  it('huge files are refused, not read', () => {
    const dir = writeProject({ 'stream_project.yml': PROJECT, 'models/huge.yml': Buffer.alloc(21 * 1024 * 1024, 'a') });
    const r = cli(['validate', '-p', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code)).toEqual(['FILE_TOO_LARGE']);
  });
});

describe('lineage and ls', () => {
  it('prints an ASCII tree, JSON and Mermaid on stdout', () => {
    const ascii = cli(['lineage', '-p', EXAMPLE]);
    expect(ascii.code).toBe(0);
    expect(ascii.stdout).toContain('└── payments_clean (model:flink)');
    const json = JSON.parse(cli(['lineage', '-p', EXAMPLE, '--format', 'json']).stdout) as { nodes: { name: string; upstream: string[] }[]; edges: unknown[] };
    expect(json.nodes.find((n) => n.name === 'customer_totals')?.upstream).toEqual(['payments_clean']);
    expect(json.edges.length).toBeGreaterThan(5);
    expect(cli(['lineage', '-p', EXAMPLE, '--format', 'mermaid']).stdout.startsWith('flowchart LR\n')).toBe(true);
  });

  it('focuses with --model and --upstream/--downstream, and suggests names', () => {
    const up = JSON.parse(cli(['lineage', '-p', EXAMPLE, '--model', 'high_risk_payments', '--upstream', '--format', 'json']).stdout) as { nodes: { name: string }[] };
    expect(up.nodes.map((n) => n.name)).not.toContain('customer_totals');
    expect(up.nodes.map((n) => n.name)).toContain('customers');
    const bad = cli(['lineage', '-p', EXAMPLE, '--model', 'high_risk_payment']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('did you mean "high_risk_payments"?');
  });

  it('shows a column up and down with --column, as text and JSON', () => {
    const text = cli(['lineage', '-p', EXAMPLE, '--column', 'payments_clean.card_last4']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('◀ source card_payments_raw.card_number [highly_sensitive] (expression)');
    expect(text.stdout).toContain('▶ model payments_to_postgres.card_last4');
    const json = JSON.parse(cli(['lineage', '-p', EXAMPLE, '--column', 'card_payments_raw.amount_cents', '--format', 'json']).stdout) as {
      column: { node: string };
      upstream: unknown[];
      downstream: { node: string; column: string; transform: string; children: { node: string; column: string }[] }[];
    };
    expect(json.column.node).toBe('source.card_payments_raw');
    expect(json.upstream).toEqual([]);
    const clean = json.downstream.find((d) => d.node === 'model.payments_clean');
    expect(clean).toMatchObject({ column: 'amount_cents', transform: 'direct' });
    expect(clean!.children.map((c) => `${c.node}.${c.column}`)).toContain('model.customer_spend_5m.total_amount_cents');
    const bad = cli(['lineage', '-p', EXAMPLE, '--column', 'payments_clean.card_numbr']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('COLUMN_NOT_FOUND');
  });

  it('lists selected nodes', () => {
    const r = cli(['ls', '-p', EXAMPLE, '--select', 'tag:finance', '--exclude', 'type:exposure']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['model.customer_totals', 'model.payments_to_postgres']);
    const json = JSON.parse(cli(['ls', '-p', EXAMPLE, '-s', 'payments_clean', '--format', 'json']).stdout) as { format: string; nodes: { materialized: string; file: string }[] };
    expect(json.format).toBe('streamt-ls');
    expect(json.nodes).toEqual([expect.objectContaining({ materialized: 'flink', file: 'models/payments.yml' })]);
  });
});

describe('init', () => {
  it('scaffolds a project that validates, and refuses to overwrite', () => {
    const parent = writeProject({});
    const r = cli(['init', 'shop'], { cwd: parent });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Created project "shop"');
    expect(existsSync(join(parent, 'shop', '.gitignore'))).toBe(true);
    expect(readFileSync(join(parent, 'shop', 'stream_project.yml'), 'utf8')).toContain('name: shop');
    expect(cli(['validate', '-p', join(parent, 'shop'), '--strict']).code).toBe(0);
    const compiled = cli(['compile', '-p', join(parent, 'shop')]);
    expect(compiled.code, compiled.stderr).toBe(0);
    expect(existsSync(join(parent, 'shop', 'generated', 'manifest.json'))).toBe(true);
    const before = readFileSync(join(parent, 'shop', 'stream_project.yml'), 'utf8');
    const again = cli(['init', 'shop'], { cwd: parent });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('INIT_INSIDE_PROJECT');
    expect(readFileSync(join(parent, 'shop', 'stream_project.yml'), 'utf8')).toBe(before);
    // A folder with files of its own (no project): nothing is overwritten.
    const other = writeProject({ 'README.md': 'mine\n' });
    const clash = cli(['init', '.'], { cwd: other });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('INIT_WOULD_OVERWRITE');
    expect(readFileSync(join(other, 'README.md'), 'utf8')).toBe('mine\n');
  });
});

describe('envs', () => {
  const dir = writeProject({
    'stream_project.yml': 'project:\n  name: multi\n',
    'environments/dev.yml': `environment:\n  description: Local\n${RUNTIME}`,
    'environments/prod.yml': `environment:\n  protected: true\n${RUNTIME.replace('bootstrap_servers: localhost:9092', 'bootstrap_servers: prod:9092\n    sasl_username: app\n    sasl_password: ${PROD_PASSWORD}')}`,
    '.env.prod': 'PROD_PASSWORD=very-secret-value\n',
  });

  it('lists environments', () => {
    const r = cli(['envs', 'list', '-p', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('dev ');
    expect(r.stdout).toContain('prod');
    expect(r.stdout).toContain('[protected]');
  });

  it('shows one with secrets masked', () => {
    const r = cli(['envs', 'show', 'prod', '-p', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sasl_password: "****"');
    expect(r.stdout + r.stderr).not.toContain('very-secret-value');
    const json = JSON.parse(cli(['envs', 'show', 'prod', '-p', dir, '--format', 'json']).stdout) as { protected: boolean };
    expect(json.protected).toBe(true);
  });

  it('requires --env for commands in multi-environment projects', () => {
    const r = cli(['validate', '-p', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ENV_REQUIRED');
    expect(cli(['validate', '-p', dir, '--env', 'dev']).code).toBe(0);
    expect(cli(['validate', '-p', dir], { env: { STREAMT_ENV: 'dev' } }).code).toBe(0);
  });
});

describe('colours', () => {
  it('are off without a TTY or with NO_COLOR, on with FORCE_COLOR', () => {
    const plain = cli(['validate', '-p', EXAMPLE]);
    expect(plain.stderr).not.toContain('\u001b[');
    const forced = cli(['validate', '-p', EXAMPLE], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stderr).toContain('\u001b[');
  });
});

describe('internal errors', () => {
  it('exit 70 with a short message, and the stack only with --debug', async () => {
    const sink = (chunks: string[]) =>
      Object.assign(
        new Writable({
          write(chunk, _enc, cb) {
            chunks.push(String(chunk));
            cb();
          },
        }),
        { isTTY: false },
      );
    const broken = Object.assign(
      new Writable({
        write(_c, _e, cb) {
          cb();
        },
      }),
      { isTTY: false },
    );
    // A stdout whose write throws stands in for any bug reached while running a command.
    broken.write = () => {
      throw new Error('boom');
    };
    const err: string[] = [];
    const code = await run(['lineage', '-p', EXAMPLE], { stdout: broken, stderr: sink(err), env: {} });
    expect(code).toBe(70);
    expect(err.join('')).toContain('internal error: boom');
    expect(err.join('')).toContain('--debug');
    expect(err.join('')).not.toMatch(STACK_TRACE);
    const errDebug: string[] = [];
    expect(await run(['lineage', '-p', EXAMPLE, '--debug'], { stdout: broken, stderr: sink(errDebug), env: {} })).toBe(70);
    expect(errDebug.join('')).toMatch(STACK_TRACE);
  });
});
