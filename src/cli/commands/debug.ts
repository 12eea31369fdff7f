/**
 * `streamt debug` (dbt debug): the project loads, and every configured system answers, all
 * checked at once: reachability, authentication, versions and what streamt needs there (a
 * TaskManager and the SQL Gateway for Flink jobs, the Connect plugins the project's connectors
 * use, the registry's Confluent-compatible API). Every problem is listed, each with the runtime
 * key to fix.
 */
import { error, hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { probeSystems } from '../../adapters/probe.js';
import { compileProject } from '../../compile/compile.js';
import { summaryLine } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { plural } from '../../ui/plural.js';
import { needsOf, runtimeFile } from '../live.js';
import { packageVersion } from '../main.js';
import { runFrontEnd, type GlobalOptions } from '../pipeline.js';
import { reporter } from '../report.js';

export interface DebugOptions extends GlobalOptions {
  format?: 'text' | 'json';
  timeout?: string;
}

export async function debugCommand(opts: DebugOptions, out: Output, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const json = opts.format === 'json';
  const front = runFrontEnd(opts, env, { live: true });
  if (front.project) out.addSecrets(front.project.secrets);
  const report = reporter(out, 'streamt-debug', { json, root: front.root });
  const c = out.errColor;
  if (!front.project) {
    report.diagnostics(front.diagnostics);
    return report.finish(false, {}, `${c.red('✗')} The project does not load: ${summaryLine(front.diagnostics, c)}`);
  }
  const project = front.project;
  const configErrors = front.diagnostics.filter((d) => d.severity === 'error');
  if (configErrors.length) report.diagnostics(configErrors);
  const compiled = front.resolved && !hasErrors(front.diagnostics) ? compileProject(front.resolved, { compiledAt: '1970-01-01T00:00:00.000Z' }) : undefined;
  const timeoutMs = Math.max(100, Number(opts.timeout ?? 5) * 1000 || 5000);
  const checks = await probeSystems(project.runtime, { deep: true, timeoutMs, needs: needsOf(compiled && !hasErrors(compiled.diagnostics) ? compiled : undefined) });
  const problems: Diagnostic[] = checks
    .filter((x) => !x.ok)
    .map((x) =>
      error(x.reachable ? 'SERVICE_PROBLEM' : 'SERVICE_UNREACHABLE', `${x.system} at ${x.url}: ${x.problems.join('; ')}`, {
        hint: x.reachable ? `fix it on the ${x.system} side, or change ${x.name} (in ${runtimeFile(project)})` : `start it, or fix ${x.name} (in ${runtimeFile(project)})`,
      }),
    );
  if (!checks.length) problems.push(error('NO_RUNTIME', 'No live system is configured: runtime: is empty', { hint: 'add runtime.kafka (and flink, connect, schema_registry) to stream_project.yml or an environment file' }));
  report.all.push(...problems);
  const ok = !problems.length && !configErrors.length;
  const body = { project: project.name, environment: project.environment?.name ?? null, systems: checks.map(({ reachable: _r, ...x }) => x) };
  if (json) return report.finish(ok, body);
  const k = out.color;
  out.out(`streamt ${packageVersion()}, project "${project.name}"${project.environment ? ` (environment ${project.environment.name})` : ''} in ${front.root}`);
  const width = Math.max(0, ...checks.map((x) => x.system.length));
  for (const x of checks) {
    const mark = x.ok ? k.green('✓') : k.red('✗');
    out.out(`  ${mark} ${x.system.padEnd(width)}  ${x.url}${x.version ? k.dim(`  ${x.version}`) : ''}${k.dim(`  (${x.ms} ms)`)}`);
    for (const p of x.problems) out.out(`      ${k.red(p)}${k.dim(`  → ${x.name}`)}`);
  }
  const bad = checks.filter((x) => !x.ok).length;
  return report.finish(
    ok,
    {},
    ok ? `${c.green('✓')} All ${plural(checks.length, 'system')} answered` : `${c.red('✗')} ${bad ? `${bad} of ${plural(checks.length, 'system')} ${bad === 1 ? 'has a problem' : 'have problems'}` : summaryLine([...configErrors, ...problems], c)}`,
  );
}
