/**
 * The package as a user gets it: packed from a clone that has never been built (dist/ is not in
 * git), installed into an empty folder, and run through its installed binary.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { OUTPUT_SCHEMAS } from '../../src/ui/contract.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, STACK_TRACE } from './helpers.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let work: string;
let tarball: string;
let installed: string;
let packedFiles: string[];

function run(bin: string, args: string[], cwd: string) {
  const env = { ...process.env, NO_COLOR: '1' } as NodeJS.ProcessEnv;
  delete env.STREAMT_ENV;
  const r = spawnSync(bin, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'streamt-pack-'));
  // A clone as git has it: the tracked files only (no dist/, no generated/), with the dev
  // dependencies the clone's `npm ci` installed.
  const clone = join(work, 'clone');
  mkdirSync(clone);
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of tracked) if (existsSync(join(REPO, f))) cpSync(join(REPO, f), join(clone, f), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'), 'dir');
  expect(existsSync(join(clone, 'dist'))).toBe(false);

  const out = join(work, 'out');
  mkdirSync(out);
  const packed = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', out], { cwd: clone, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as { filename: string; files: { path: string }[] }[];
  tarball = join(out, packed[0]!.filename);
  packedFiles = packed[0]!.files.map((f) => f.path);

  installed = join(work, 'user');
  mkdirSync(installed);
  execFileSync(npm, ['init', '-y'], { cwd: installed, stdio: 'ignore' });
  execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: installed, stdio: ['ignore', 'ignore', 'pipe'], timeout: 180_000 });
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('packed package', () => {
  it('ships the built CLI, the templates, the JSON Schemas and the docs, and no source maps', () => {
    expect(packedFiles).toContain('dist/cli/main.js');
    expect(packedFiles).toContain('templates/project/stream_project.yml');
    expect(packedFiles).toContain('docs/schema/stream_project.schema.json');
    expect(packedFiles).toContain('docs/getting-started.md');
    expect(packedFiles.filter((f) => f.endsWith('.map'))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(installed, 'node_modules', 'streamt', 'package.json'), 'utf8'));
    expect(pkg.repository?.url).toBeTruthy();
    expect(pkg.homepage).toBeTruthy();
    expect(pkg.bugs?.url).toBeTruthy();
  });

  it('runs init, validate, compile and docs generate with the installed binary', () => {
    const bin = join(installed, 'node_modules', '.bin', 'streamt');
    const v = run(bin, ['--version'], installed);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);

    const init = run(bin, ['init', 'shop'], installed);
    expect(init.stderr).not.toMatch(STACK_TRACE);
    expect(init.code).toBe(0);
    const project = join(installed, 'shop');
    for (const args of [['validate'], ['compile'], ['docs', 'generate']]) {
      const r = run(bin, args, project);
      expect(r.stderr, `${args.join(' ')}: ${r.stderr}`).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find/);
      expect(r.stderr).not.toMatch(STACK_TRACE);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(readdirSync(join(project, 'generated'))).toContain('manifest.json');
    expect(existsSync(join(project, 'site', 'index.html'))).toBe(true);
  });

  it('the installed binary: schema lines into the package, project found from a subfolder, init refused inside it, JSON documents, clean, completion', () => {
    const bin = join(installed, 'node_modules', '.bin', 'streamt');
    const parent = join(installed, 'work');
    mkdirSync(parent);
    expect(run(bin, ['init', 'clicks'], parent).code).toBe(0);
    const project = join(parent, 'clicks');
    for (const [file, schema] of [
      ['stream_project.yml', 'stream_project.schema.json'],
      ['models/page_views_clean.yml', 'resources.schema.json'],
    ] as const) {
      const line = readFileSync(join(project, file), 'utf8').split('\n')[0]!;
      const path = /\$schema=(\S+)/.exec(line)![1]!;
      expect(resolve(dirname(join(project, file)), path)).toBe(join(installed, 'node_modules', 'streamt', 'docs', 'schema', schema));
    }
    const sub = join(project, 'models');
    const ls = run(bin, ['ls', '--format', 'json'], sub);
    expect(ls.code, ls.stderr).toBe(0);
    const doc = JSON.parse(ls.stdout);
    expect(OUTPUT_SCHEMAS['streamt-ls'].safeParse(doc).success).toBe(true);
    expect(doc.nodes.map((n: { id: string }) => n.id)).toContain('model.views_per_minute');
    const nested = run(bin, ['init', 'inner', '--format', 'json'], sub);
    expect(nested.code).toBe(1);
    expect(JSON.parse(nested.stdout).diagnostics[0].code).toBe('INIT_INSIDE_PROJECT');
    expect(run(bin, ['compile'], sub).code).toBe(0);
    const clean = run(bin, ['clean', '--format', 'json'], sub);
    expect(JSON.parse(clean.stdout)).toMatchObject({ format: 'streamt-clean', ok: true, removed: ['generated'] });
    expect(run(bin, ['completion', 'bash'], installed).stdout).toContain('complete -o default -F _streamt streamt');
    expect(existsSync(join(installed, 'node_modules', 'streamt', 'docs', 'schema', 'output', 'plan.schema.json'))).toBe(true);
  });

  it('resolves the JSON Schemas through the package exports', () => {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', "import { createRequire } from 'node:module'; const require = createRequire(process.cwd() + '/'); console.log(require.resolve('streamt/schema/stream_project.schema.json'))"], { cwd: installed, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/node_modules\/streamt\/docs\/schema\/stream_project\.schema\.json$/);
  });
});
