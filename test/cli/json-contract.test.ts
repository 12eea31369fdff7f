/**
 * The CI contract: with --format json every command prints exactly one document on stdout, on
 * success and on every error path, and it validates against its schema (src/ui/contract.ts, the
 * source of docs/schema/output/). Live commands are run against refused ports here (their error
 * path needs no stack); their success documents are validated by the integration tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTPUT_SCHEMAS, type OutputFormat } from '../../src/ui/contract.js';
import { PROJECT, writeProject } from '../helpers/project.js';
import { cli, REPO } from './helpers.js';

const EXAMPLE = join(REPO, 'examples', 'payments');
/** Every port refused: nothing listens on port 1-9 of the loopback. */
const REFUSED = {
  KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:3',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:4',
  FLINK_REST_URL: 'http://127.0.0.1:5',
  FLINK_SQL_GATEWAY_URL: 'http://127.0.0.1:6',
  CONNECT_REST_URL: 'http://127.0.0.1:7',
};

function initProject(): string {
  const parent = writeProject({});
  expect(cli(['init', 'shop'], { cwd: parent }).code).toBe(0);
  return join(parent, 'shop');
}

function broken(): string {
  return writeProject({ 'stream_project.yml': PROJECT, 'models/m.yml': 'models:\n  - name: m\n    sql: SELECT x FROM {{ ref("missing") }}\n' });
}

function expectDocument(args: string[], format: OutputFormat, opts: { cwd?: string; env?: Record<string, string>; ok?: boolean } = {}) {
  const r = cli([...args, '--format', 'json'], { cwd: opts.cwd ?? REPO, env: opts.env ?? {} });
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`${args.join(' ')}: stdout is not one JSON document:\n${r.stdout}\n${r.stderr}`);
  }
  const parsed = OUTPUT_SCHEMAS[format].safeParse(doc);
  expect(parsed.success, `${args.join(' ')}: ${JSON.stringify(parsed.error?.issues ?? [], null, 1)}\n${r.stdout}`).toBe(true);
  expect(doc.format).toBe(format);
  expect(doc.format_version).toBe(1);
  expect(doc.ok, `${args.join(' ')} exit ${r.code}: ${r.stdout}`).toBe(r.code === 0);
  if (opts.ok !== undefined) expect(doc.ok, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(opts.ok);
  return { doc, code: r.code, stderr: r.stderr };
}

describe('--format json: offline commands', () => {
  it('validate, ls, lineage, compile, docs generate: success and errors', () => {
    const dir = initProject();
    const bad = broken();
    const empty = writeProject({});
    expectDocument(['validate', '-p', EXAMPLE], 'streamt-validate', { ok: true });
    expectDocument(['validate', '-p', bad], 'streamt-validate', { ok: false });
    expectDocument(['ls', '-p', dir], 'streamt-ls', { ok: true });
    expectDocument(['ls', '-p', dir, '--select', 'nope:x'], 'streamt-ls', { ok: false });
    expectDocument(['ls', '-p', empty], 'streamt-ls', { ok: false });
    expectDocument(['lineage', '-p', dir], 'streamt-lineage', { ok: true });
    const missing = expectDocument(['lineage', '-p', dir, '--model', 'nope'], 'streamt-lineage', { ok: false });
    expect((missing.doc.diagnostics as { code: string }[]).map((d) => d.code)).toEqual(['NODE_NOT_FOUND']);
    expectDocument(['lineage', '-p', empty], 'streamt-lineage', { ok: false });
    expectDocument(['lineage', '-p', EXAMPLE, '--column', 'payments_clean.card_last4'], 'streamt-lineage', { ok: true });
    expectDocument(['lineage', '-p', EXAMPLE, '--column', 'payments_clean.nope'], 'streamt-lineage', { ok: false });
    expectDocument(['compile', '-p', dir, '--dry-run'], 'streamt-compile', { ok: true });
    expectDocument(['compile', '-p', bad], 'streamt-compile', { ok: false });
    expectDocument(['docs', 'generate', '-p', dir], 'streamt-docs', { ok: true });
    expectDocument(['docs', 'generate', '-p', bad], 'streamt-docs', { ok: false });
  });

  it('init, envs, clean: success and errors', () => {
    const parent = writeProject({});
    expectDocument(['init', 'shop'], 'streamt-init', { cwd: parent, ok: true });
    expectDocument(['init', 'again'], 'streamt-init', { cwd: join(parent, 'shop'), ok: false });
    const dir = join(parent, 'shop');
    expectDocument(['envs', 'list', '-p', dir], 'streamt-envs', { ok: true });
    expectDocument(['envs', 'show', 'prod', '-p', dir], 'streamt-env', { ok: false });
    mkdirSync(join(dir, 'environments'));
    writeFileSync(join(dir, 'environments', 'prod.yml'), 'environment:\n  protected: true\n');
    expectDocument(['envs', 'list', '-p', dir], 'streamt-envs', { ok: true });
    expectDocument(['envs', 'show', 'prod', '-p', dir], 'streamt-env', { ok: true });
    expectDocument(['clean', '-p', dir], 'streamt-clean', { ok: true });
    mkdirSync(join(dir, 'generated'));
    writeFileSync(join(dir, 'generated', 'mine.txt'), 'keep');
    expectDocument(['clean', '-p', dir], 'streamt-clean', { ok: false });
  });
});

describe('--format json: live commands on refused ports', () => {
  const dir = initProject();
  const cases: [string[], OutputFormat][] = [
    [['plan'], 'streamt-plan'],
    [['apply', '--auto-approve'], 'streamt-apply'],
    [['destroy', '--auto-approve'], 'streamt-destroy'],
    [['build', '--auto-approve'], 'streamt-build'],
    [['status'], 'streamt-status'],
    [['test'], 'streamt-test'],
    [['show', 'page_views'], 'streamt-show'],
    [['freshness'], 'streamt-freshness'],
    [['debug', '--timeout', '2'], 'streamt-debug'],
    [['unlock', 'claim-1'], 'streamt-unlock'],
  ];
  for (const [args, format] of cases) {
    it(`${args[0]}: every unreachable system, each with its runtime key`, () => {
      const { doc } = expectDocument([...args, '-p', dir], format, { env: REFUSED, ok: false });
      const diagnostics = doc.diagnostics as { code: string; message: string; hint: string }[];
      const unreachable = diagnostics.filter((d) => d.code === 'SERVICE_UNREACHABLE');
      expect(unreachable.map((d) => d.hint.match(/runtime\.[a-z_.]+/)?.[0]).sort()).toEqual([
        'runtime.connect.clusters.local.rest_url',
        'runtime.flink.clusters.local.rest_url',
        'runtime.flink.clusters.local.sql_gateway_url',
        'runtime.kafka.bootstrap_servers',
        'runtime.schema_registry.url',
      ]);
      expect(JSON.stringify(doc)).not.toContain('npm run stack');
    });
  }

  it('front-end errors of live commands are documents too', () => {
    const bad = broken();
    expectDocument(['plan', '-p', bad], 'streamt-plan', { ok: false });
    expectDocument(['status', '-p', bad], 'streamt-status', { ok: false });
    expectDocument(['apply', '-p', bad], 'streamt-apply', { ok: false });
    expectDocument(['test', '-p', bad], 'streamt-test', { ok: false });
    expectDocument(['build', '-p', bad], 'streamt-build', { ok: false });
    expectDocument(['show', 'x', '-p', bad], 'streamt-show', { ok: false });
    expectDocument(['freshness', '-p', bad], 'streamt-freshness', { ok: false });
    expectDocument(['show', 'nope', '-p', dir], 'streamt-show', { ok: false });
  });
});
