/** The dbt/Terraform workflow on the built binary: project discovery, init, vars, state, select, clean, completion, reproducible output. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT, SOURCES, writeProject } from '../helpers/project.js';
import { BIN, cli, REPO } from './helpers.js';

function initProject(name = 'shop'): string {
  const parent = writeProject({});
  const r = cli(['init', name], { cwd: parent });
  expect(r.code, r.stderr).toBe(0);
  return join(parent, name);
}

const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, unknown> & { nodes?: { id: string; name: string }[] };

describe('the project folder', () => {
  it('is found from a subfolder, as git does; -p and STREAMT_PROJECT_DIR win', () => {
    const dir = initProject();
    const deep = join(dir, 'models', 'sub');
    mkdirSync(deep);
    const r = cli(['validate'], { cwd: deep });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Project "shop" is valid');
    const other = initProject('other');
    expect(cli(['validate', '-p', other], { cwd: deep }).stderr).toContain('Project "other" is valid');
    expect(cli(['validate'], { cwd: deep, env: { STREAMT_PROJECT_DIR: other } }).stderr).toContain('Project "other" is valid');
    // Outside any project: PROJECT_NOT_FOUND names the folder.
    const nowhere = cli(['validate'], { cwd: writeProject({}) });
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('PROJECT_NOT_FOUND');
  });
});

describe('init', () => {
  it('writes a yaml-language-server line per YAML file that points at the shipped JSON Schemas', () => {
    const dir = initProject();
    const files = ['stream_project.yml', 'sources/events.yml', 'models/page_views_clean.yml', 'tests/page_views.yml', 'exposures/dashboards.yml'];
    for (const f of files) {
      const first = readFileSync(join(dir, f), 'utf8').split('\n')[0]!;
      const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
      expect(m, f).not.toBeNull();
      const schema = resolve(dirname(join(dir, f)), m![1]!);
      expect(existsSync(schema), `${f} → ${schema}`).toBe(true);
      expect(schema).toBe(join(REPO, 'docs', 'schema', f === 'stream_project.yml' ? 'stream_project.schema.json' : 'resources.schema.json'));
    }
  });

  it('refuses inside an existing project, with a hint, and writes nothing', () => {
    const dir = initProject();
    const r = cli(['init', 'nested'], { cwd: join(dir, 'models') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('INIT_INSIDE_PROJECT');
    expect(r.stderr).toMatch(/hint: create it outside/);
    expect(existsSync(join(dir, 'models', 'nested'))).toBe(false);
  });
});

describe('--vars', () => {
  it('overrides vars: for one run, and rejects what is not a mapping', () => {
    const dir = initProject();
    const r = cli(['compile', '--vars', '{max_duration_ms: 600000}'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'generated', 'flink', 'page_views_clean.sql'), 'utf8')).toContain('BETWEEN 0 AND 600000');
    expect(cli(['compile'], { cwd: dir }).code).toBe(0);
    expect(readFileSync(join(dir, 'generated', 'flink', 'page_views_clean.sql'), 'utf8')).toContain('BETWEEN 0 AND 3600000');
    const bad = cli(['validate', '--vars', '[1, 2]'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('INVALID_VARS');
  });
});

describe('state:modified and state:new (slim CI)', () => {
  it('select what changed since a saved manifest', () => {
    const dir = initProject();
    expect(cli(['compile', '-o', 'prod-state'], { cwd: dir }).code).toBe(0);
    const none = cli(['ls', '--select', 'state:modified', '--state', 'prod-state'], { cwd: dir });
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('');
    const file = join(dir, 'models', 'page_views_clean.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('WHERE user_id IS NOT NULL', 'WHERE user_id IS NOT NULL AND url IS NOT NULL'));
    writeFileSync(join(dir, 'models', 'extra.yml'), 'models:\n  - name: long_views\n    description: "Long views"\n    owner: team-web\n    sql: SELECT view_id, url FROM {{ ref("page_views_clean") }} WHERE duration_ms > 60000\n');
    const modified = cli(['ls', '--select', 'state:modified', '--state', 'prod-state'], { cwd: dir });
    expect(modified.stdout.trim().split('\n')).toEqual(['model.page_views_clean', 'model.long_views']);
    expect(cli(['ls', '--select', 'state:new', '--state', 'prod-state'], { cwd: dir }).stdout.trim()).toBe('model.long_views');
    expect(cli(['ls', '--select', 'state:modified+', '--state', 'prod-state'], { cwd: dir }).stdout.trim().split('\n')).toContain('model.views_per_minute');
    const plan = cli(['compile', '--dry-run', '--select', 'state:modified', '--state', 'prod-state', '--format', 'json'], { cwd: dir });
    expect((json(plan).artifacts as { flink_jobs: number }).flink_jobs).toBe(2);
    const noState = cli(['ls', '--select', 'state:modified'], { cwd: dir });
    expect(noState.code).toBe(1);
    expect(noState.stderr).toContain('STATE_REQUIRED');
    const missing = cli(['ls', '--select', 'state:new', '--state', 'nowhere'], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('STATE_NOT_FOUND');
  });
});

describe('--select on lineage and docs', () => {
  it('lineage shows only the selected nodes and the edges between them', () => {
    const dir = initProject();
    const r = json(cli(['lineage', '--select', 'views_per_minute+', '--format', 'json'], { cwd: dir }));
    expect((r.nodes as { name: string }[]).map((n) => n.name).sort()).toEqual(['traffic_dashboard', 'views_per_minute']);
    expect(r.edges).toEqual([{ from: 'views_per_minute', to: 'traffic_dashboard' }]);
    const text = cli(['lineage', '--select', 'tag:web'], { cwd: dir });
    expect(text.stdout).toContain('page_views_clean');
    expect(text.stdout).not.toContain('traffic_dashboard');
  });

  it('docs generate documents only the selected nodes', () => {
    const dir = initProject();
    const r = cli(['docs', 'generate', '--select', '+page_views_clean', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).nodes).toEqual({ sources: 1, models: 1, tests: 0, exposures: 0 });
    const pages = readdirSync(join(dir, 'site'), { recursive: true }).map(String).filter((p) => p.endsWith('.html'));
    expect(pages.some((p) => p.includes('views_per_minute'))).toBe(false);
    expect(pages.some((p) => p.includes('page_views_clean'))).toBe(true);
  });
});

describe('clean', () => {
  it('removes generated/ and site/, and refuses folders streamt did not write', () => {
    const dir = initProject();
    expect(cli(['compile'], { cwd: dir }).code).toBe(0);
    expect(cli(['docs', 'generate'], { cwd: dir }).code).toBe(0);
    const r = cli(['clean'], { cwd: join(dir, 'models') });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Removed generated, site');
    expect(existsSync(join(dir, 'generated')) || existsSync(join(dir, 'site'))).toBe(false);
    mkdirSync(join(dir, 'site'));
    writeFileSync(join(dir, 'site', 'notes.md'), 'mine');
    const refused = cli(['clean'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('CLEAN_REFUSED');
    expect(readFileSync(join(dir, 'site', 'notes.md'), 'utf8')).toBe('mine');
    expect(cli(['clean', '--target', '..'], { cwd: dir }).stderr).toContain('CLEAN_REFUSED');
  });
});

describe('reproducible output', () => {
  it('SOURCE_DATE_EPOCH makes generated/ and site/ byte-identical for the same input', () => {
    const dir = initProject();
    const env = { SOURCE_DATE_EPOCH: '1700000000' };
    const snapshot = (folder: string) =>
      Object.fromEntries(
        readdirSync(join(dir, folder), { recursive: true })
          .map(String)
          .filter((f) => statSync(join(dir, folder, f)).isFile())
          .sort()
          .map((f) => [f, readFileSync(join(dir, folder, f), 'utf8')]),
      );
    expect(cli(['compile'], { cwd: dir, env }).code).toBe(0);
    expect(cli(['docs', 'generate'], { cwd: dir, env }).code).toBe(0);
    const first = { generated: snapshot('generated'), site: snapshot('site') };
    expect(first.generated['manifest.json']).toContain('"compiled_at": "2023-11-14T22:13:20.000Z"');
    expect(cli(['compile'], { cwd: dir, env }).code).toBe(0);
    expect(cli(['docs', 'generate'], { cwd: dir, env }).code).toBe(0);
    expect({ generated: snapshot('generated'), site: snapshot('site') }).toEqual(first);
  });

  it('output folders get the permissions of the umask', () => {
    const dir = initProject();
    for (const [umask, mode] of [
      ['022', 0o755],
      ['027', 0o750],
    ] as const) {
      const r = spawnSync('sh', ['-c', `umask ${umask} && "${process.execPath}" "${BIN}" compile && "${process.execPath}" "${BIN}" docs generate`], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(join(dir, 'generated')).mode & 0o777).toBe(mode);
      expect(statSync(join(dir, 'generated', 'flink')).mode & 0o777).toBe(mode);
      expect(statSync(join(dir, 'site')).mode & 0o777).toBe(mode);
    }
  });
});

describe('messages', () => {
  it('a governance rule error names the rule its own line; counts are singular or plural', () => {
    const project = `${PROJECT}rules:\n  topics:\n    min_partitions: 3\n  models:\n    require_owner: true\n    require_description: true\n`;
    const dir = writeProject({ 'stream_project.yml': project, 'sources/s.yml': SOURCES, 'models/m.yml': 'models:\n  - name: m\n    description: "d"\n    topic: {partitions: 3}\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n' });
    const line = project.split('\n').indexOf('    require_owner: true') + 1;
    const r = cli(['validate'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('RULE_REQUIRE_OWNER');
    expect(r.stderr).toContain(`(rule at stream_project.yml:${line})`);
    expect(r.stderr).toContain('Validation failed: 1 error');
    const ok = cli(['validate'], { cwd: initProject() });
    expect(ok.stderr).toContain('1 source, 2 models, 1 test, 1 exposure');
  });
});

describe('completion', () => {
  it('bash: completes commands, subcommands and options from the program', () => {
    const script = cli(['completion', 'bash']).stdout;
    const complete = (line: string) => {
      const words = line.split(' ');
      const r = spawnSync('bash', ['-c', `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _streamt; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout.trim().split('\n').filter(Boolean);
    };
    expect(complete('streamt de').sort()).toEqual(['debug', 'destroy']);
    expect(complete('streamt docs ')).toEqual(expect.arrayContaining(['generate', 'serve']));
    expect(complete('streamt apply --auto')).toEqual(['--auto-approve']);
    expect(complete('streamt docs generate --sel')).toEqual(['--select']);
    expect(complete('streamt lineage --format ')).toEqual(['ascii', 'json', 'mermaid']);
  });

  it('zsh and fish scripts name every command; an unknown shell is a usage error', () => {
    for (const shell of ['zsh', 'fish']) {
      const r = cli(['completion', shell]);
      expect(r.code).toBe(0);
      for (const c of ['validate', 'build', 'show', 'freshness', 'debug', 'destroy', 'clean', 'completion']) expect(r.stdout).toContain(c);
    }
    expect(cli(['completion', 'powershell']).code).toBe(1);
  });
});
