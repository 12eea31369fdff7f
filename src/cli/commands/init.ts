/**
 * `streamt init [dir]`: scaffolds a project from templates/project. It refuses to overwrite
 * anything: either every file is new, or nothing is written.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { error } from '../../core/diagnostics.js';
import { NAME_PATTERN } from '../../project/schema.js';
import { renderDiagnostics } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';

export function templatesDir(): string {
  // dist/cli/commands/init.js (built) and src/cli/commands/init.ts (tests) are both 3 levels deep.
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'templates', 'project');
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir).sort()) {
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

export function initCommand(dir: string | undefined, opts: { name?: string }, out: Output): number {
  const target = resolve(dir ?? '.');
  const name = (opts.name ?? basename(target)).replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[^A-Za-z_]/, '_');
  if (!NAME_PATTERN.test(name)) {
    out.err(renderDiagnostics([error('INVALID_NAME', `"${name}" is not a valid project name`, { hint: 'pass --name my_project' })], out.errColor));
    return ExitCode.FAILURE;
  }
  const source = templatesDir();
  const files = listFiles(source).map((abs) => ({ abs, rel: targetName(relative(source, abs).split('\\').join('/')) }));
  const clashes = files.filter((f) => existsSync(join(target, f.rel)));
  if (existsSync(target) && !statSync(target).isDirectory()) {
    out.err(renderDiagnostics([error('INIT_TARGET_NOT_DIR', `${target} exists and is not a folder`, { hint: 'choose another path' })], out.errColor));
    return ExitCode.FAILURE;
  }
  if (clashes.length) {
    out.err(
      renderDiagnostics(
        [
          error('INIT_WOULD_OVERWRITE', `streamt init would overwrite ${clashes.length} existing file${clashes.length === 1 ? '' : 's'}: ${clashes.map((c) => c.rel).join(', ')}`, {
            file: relative(process.cwd(), target) || '.',
            hint: 'run it in an empty folder: streamt init my-project',
          }),
        ],
        out.errColor,
      ),
    );
    return ExitCode.FAILURE;
  }
  for (const f of files) {
    const dest = join(target, f.rel);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, readFileSync(f.abs, 'utf8').replace(/__PROJECT_NAME__/g, name), { flag: 'wx' });
  }
  const shown = relative(process.cwd(), target) || '.';
  const c = out.errColor;
  out.err(`${c.green('✓')} Created project "${name}" in ${shown} (${files.length} files)`);
  out.err('');
  out.err('Next steps:');
  if (shown !== '.') out.err(`  cd ${shown}`);
  out.err('  streamt validate        # check the declarations');
  out.err('  streamt lineage         # see how data flows');
  out.err('  streamt compile         # write Flink SQL, topics and connectors to generated/');
  return ExitCode.OK;
}
