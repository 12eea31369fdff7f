import { resolve as resolvePath } from 'node:path';
import { stringify } from 'yaml';
import { error } from '../../core/diagnostics.js';
import { readProjectFiles } from '../../project/files.js';
import { environmentNameOf } from '../../project/load.js';
import { looksSecret, parseYaml, toValue } from '../../project/yaml.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { runFrontEnd, type GlobalOptions } from '../pipeline.js';
import { reporter } from '../report.js';

export function maskSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, key));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, k)]));
  }
  if (typeof value === 'string' && looksSecret(key)) return '****';
  return value;
}

export function envsListCommand(opts: GlobalOptions & { format?: 'text' | 'json' }, out: Output): number {
  const files = readProjectFiles(resolvePath(opts.projectDir));
  const report = reporter(out, 'streamt-envs', { json: opts.format === 'json' });
  if (!files.projectFile) {
    report.diagnostics([error('PROJECT_NOT_FOUND', `No stream_project.yml found in ${files.root}`, { hint: 'run "streamt init" to create a project, or pass --project-dir <folder>' })]);
    return report.finish(false);
  }
  if (!files.environmentFiles) {
    return report.finish(true, { mode: 'single', default: null, environments: [] }, 'No environments configured (single-environment mode): runtime: comes from stream_project.yml');
  }
  const envs = files.environmentFiles.map((f) => {
    const name = environmentNameOf(f.path);
    const parsed = f.text !== undefined ? parseYaml(f.path, f.text) : undefined;
    const value = ((parsed?.yaml ? toValue(parsed.yaml).value : undefined) ?? {}) as { environment?: { description?: string; protected?: boolean } };
    const ok = !!parsed?.yaml;
    return { name, file: f.path, description: value.environment?.description ?? null, protected: value.environment?.protected === true, valid: ok };
  });
  if (opts.format === 'json') return report.finish(true, { mode: 'multi', environments: envs });
  const width = Math.max(4, ...envs.map((e) => e.name.length));
  for (const e of envs) {
    const flags = [e.protected ? out.color.yellow('[protected]') : '', e.valid ? '' : out.color.red('[invalid YAML]')].filter(Boolean).join(' ');
    out.out(`${e.name.padEnd(width)}  ${e.description ?? ''}${flags ? ' ' + flags : ''}`.trimEnd());
  }
  return ExitCode.OK;
}

export function envsShowCommand(name: string, opts: GlobalOptions & { format?: 'text' | 'json' }, out: Output, env: Readonly<Record<string, string | undefined>>): number {
  const files = readProjectFiles(resolvePath(opts.projectDir));
  const report = reporter(out, 'streamt-env', { json: opts.format === 'json', root: files.root });
  if (!files.environmentFiles) {
    report.diagnostics([error('ENV_NOT_CONFIGURED', 'This project has no environments/ folder', { hint: 'create environments/<name>.yml' })]);
    return report.finish(false);
  }
  const result = runFrontEnd({ ...opts, env: name }, env);
  if (result.project) out.addSecrets(result.project.secrets);
  const p = result.project;
  if (!p?.environment) {
    report.diagnostics(result.diagnostics.filter((d) => d.severity === 'error'));
    return report.finish(false);
  }
  const e = p.environment;
  const view = {
    name: e.name,
    description: e.description ?? null,
    protected: e.protected,
    file: e.file,
    runtime: maskSecrets(p.runtime),
    safety: { confirm_apply: e.confirmApply, allow_destructive: e.allowDestructive },
  };
  if (opts.format === 'json') return report.finish(true, view);
  out.out(`Environment: ${e.name}${e.protected ? ' ' + out.color.yellow('[protected]') : ''}`);
  if (e.description) out.out(`Description: ${e.description}`);
  out.out(`File: ${e.file}`);
  out.out('Runtime:');
  out.out(stringify(view.runtime).trimEnd().split('\n').map((l) => '  ' + l).join('\n'));
  out.out('Safety:');
  out.out(`  confirm_apply: ${e.confirmApply}\n  allow_destructive: ${e.allowDestructive}`);
  return ExitCode.OK;
}
