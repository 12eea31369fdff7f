/**
 * `streamt init [dir]`: scaffolds a project from templates/project. It refuses to overwrite
 * anything (either every file is new, or nothing is written) and to create a project inside
 * another one. Each YAML file starts with a `yaml-language-server` line pointing at the JSON
 * Schema shipped in this package, so editors complete and check keys out of the box.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { error } from '../../core/diagnostics.js';
import { NAME_PATTERN } from '../../project/schema.js';
import type { Output } from '../../ui/output.js';
import { plural } from '../../ui/plural.js';
import { findProjectRoot } from '../project-dir.js';
import { reporter } from '../report.js';

export function templatesDir(): string {
  // dist/cli/commands/init.js (built) and src/cli/commands/init.ts (tests) are both 3 levels deep.
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'templates', 'project');
}

/** docs/schema of this package (shipped in the npm package, see package.json "files"). */
export function schemaDir(): string {
  return resolve(templatesDir(), '..', '..', 'docs', 'schema');
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
    if (e === '.streamt') continue; // a validate's cache (.streamt/cache/), never part of a template
    const full = join(dir, e);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

/** npm drops .gitignore from packages, so the template ships it as _gitignore. */
function targetName(rel: string): string {
  return rel.replace(/(^|\/)_gitignore$/, '$1.gitignore');
}

/** `__SCHEMA__/x.schema.json` in a template → a path relative to the written file. */
function withSchemaPaths(text: string, dest: string): string {
  const rel = relative(dirname(dest), schemaDir()).split(sep).join('/');
  return text.replace(/__SCHEMA__/g, rel || '.');
}

export function initCommand(dir: string | undefined, opts: { name?: string; format?: 'text' | 'json' }, out: Output, cwd = process.cwd()): number {
  const json = opts.format === 'json';
  const report = reporter(out, 'streamt-init', { json });
  const target = resolve(cwd, dir ?? '.');
  const shown = relative(cwd, target) || '.';
  const name = (opts.name ?? basename(target)).replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z_]/, '_');
  if (!NAME_PATTERN.test(name)) {
    report.diagnostics([error('INVALID_NAME', `"${name}" is not a valid project name`, { hint: 'pass --name my_project' })]);
    return report.finish(false);
  }
  if (existsSync(target) && !statSync(target).isDirectory()) {
    report.diagnostics([error('INIT_TARGET_NOT_DIR', `${target} exists and is not a folder`, { hint: 'choose another path' })]);
    return report.finish(false);
  }
  // A project inside a project would be read as part of the outer one's folders (or shadow it).
  const enclosing = findProjectRoot(target);
  if (enclosing) {
    const where = relative(cwd, enclosing) || '.';
    report.diagnostics([
      error('INIT_INSIDE_PROJECT', `${shown} is ${enclosing === target ? 'already' : 'inside'} a streamt project (${join(where, 'stream_project.yml')})`, {
        file: join(where, 'stream_project.yml').split(sep).join('/'),
        hint: enclosing === target ? 'this project exists: run streamt validate here, or streamt init <new-folder> elsewhere' : `create it outside ${where}, e.g. streamt init ${relative(cwd, join(dirname(enclosing), name)) || name}`,
      }),
    ]);
    return report.finish(false);
  }
  const source = templatesDir();
  const files = listFiles(source).map((abs) => ({ abs, rel: targetName(relative(source, abs).split('\\').join('/')) }));
  const clashes = files.filter((f) => existsSync(join(target, f.rel)));
  if (clashes.length) {
    report.diagnostics([
      error('INIT_WOULD_OVERWRITE', `streamt init would overwrite ${plural(clashes.length, 'existing file')}: ${clashes.map((c) => c.rel).join(', ')}`, {
        file: shown,
        hint: 'run it in an empty folder: streamt init my-project',
      }),
    ]);
    return report.finish(false);
  }
  for (const f of files) {
    const dest = join(target, f.rel);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, withSchemaPaths(readFileSync(f.abs, 'utf8').replace(/__PROJECT_NAME__/g, name), dest), { flag: 'wx' });
  }
  if (json) return report.finish(true, { project: name, dir: target, files: files.map((f) => f.rel) });
  const c = out.errColor;
  out.err(`${c.green('✓')} Created project "${name}" in ${shown} (${plural(files.length, 'file')})`);
  out.err('');
  out.err('Next steps:');
  if (shown !== '.') out.err(`  cd ${shown}`);
  out.err('  streamt validate        # check the declarations');
  out.err('  streamt lineage         # see how data flows');
  out.err('  streamt compile         # write Flink SQL, topics and connectors to generated/');
  out.err('  streamt debug           # check the connections to Kafka, Flink, Connect and the registry');
  return report.finish(true);
}
