import { writeFileSync, renameSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { compileForLive, leaseLog, liveSystems, makePlan, sealPlan } from '../../apply/workflow.js';
import { describeHolder, leaseHolder, readLease } from '../../apply/lease.js';
import { leasePrefix } from '../../adapters/kafka/record.js';
import { hasChanges } from '../../plan/plan.js';
import { blockerDiagnostic } from '../../plan/flink-locate.js';
import { newerVersions, recheckWithNewer } from '../../plan/schema-lock.js';
import { renderPlan } from '../../plan/render.js';
import type { Plan } from '../../plan/types.js';
import { renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { preflight } from '../live.js';
import { packageVersion } from '../main.js';
import { runFrontEnd, sourceLinesFrom, type GlobalOptions } from '../pipeline.js';
import { reporter } from '../report.js';
import { selectContext, type SelectionOptions } from '../selection.js';

export { serviceDiagnostic } from '../live.js';
import { serviceDiagnostic } from '../live.js';

export interface PlanCommandOptions extends GlobalOptions, SelectionOptions {
  prune?: boolean;
  allowStateReset?: boolean;
  format?: 'text' | 'json';
  out?: string;
  detailedExitcode?: boolean;
  verbose?: boolean;
}

/** Prints diagnostics (stderr) and returns whether there were errors. */
export function reportDiagnostics(out: Output, root: string, diagnostics: readonly Diagnostic[], verbose?: boolean): boolean {
  const shown = verbose ? diagnostics : diagnostics.filter((d) => d.severity !== 'info');
  if (shown.length) out.err(renderDiagnostics(shown, out.errColor, sourceLinesFrom(root)) + '\n');
  return hasErrors(diagnostics);
}

export function writePlanFile(path: string, p: Plan): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(p, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

export async function planCommand(opts: PlanCommandOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): Promise<number> {
  const front = runFrontEnd(opts, env, { live: true });
  if (front.project) out.addSecrets(front.project.secrets);
  const c = out.errColor;
  const json = opts.format === 'json';
  const report = reporter(out, 'streamt-plan', { json, root: front.root, verbose: opts.verbose });
  if (!front.resolved || !front.project || hasErrors(front.diagnostics)) {
    report.diagnostics(front.diagnostics);
    return report.finish(false, {}, `${c.red('✗')} Not planned: the project has ${summaryLine(front.diagnostics, c)}; run streamt validate for details`);
  }
  const { context, diagnostics: stateDiagnostics } = selectContext(front.resolved, opts);
  const { compiled, diagnostics } = hasErrors(stateDiagnostics) ? { compiled: undefined, diagnostics: stateDiagnostics } : compileForLive(front.resolved, { ...opts, context }, now(), packageVersion());
  const all = [...front.diagnostics, ...diagnostics];
  if (!compiled) {
    report.diagnostics(all);
    return report.finish(false, {}, `${c.red('✗')} Not planned: the project does not compile (${summaryLine(all, c)})`);
  }
  report.diagnostics(all.filter((d) => d.severity === 'error'));
  const probe = await preflight(front.project, compiled.desired);
  report.diagnostics(probe.diagnostics);
  if (probe.failed) {
    return report.finish(false, { unreachable: probe.unreachable }, `${c.red('✗')} Not planned: ${probe.unreachable.length === 1 ? 'a live system is' : `${probe.unreachable.length} live systems are`} not reachable`);
  }
  const live = liveSystems(front.project);
  try {
    // Locked registry schemas: a newer version is reported and every model re-checked against it.
    if (front.project.schemaLock && front.project.runtime.schema_registry) {
      const { newer, entries } = await newerVersions(front.project, (s, v) => live.registry().version(s, v));
      const lockDiagnostics = recheckWithNewer(front.project, front.resolved, newer, entries);
      report.diagnostics(lockDiagnostics);
      if (hasErrors(lockDiagnostics)) return report.finish(false, {}, `${c.red('✗')} Not planned: a newer registered schema breaks what the project reads`);
    }
    const { plan } = await makePlan(live, front.project, compiled, { prune: !!opts.prune, allowStateReset: !!opts.allowStateReset, select: opts.select ?? [], exclude: opts.exclude ?? [] }, now(), packageVersion());
    // plan takes no lease (it changes nothing), but says when an apply is running meanwhile.
    const environment = front.project.environment?.name ?? null;
    const running = await readLease(leaseLog(live), leasePrefix(front.project.name, environment)).then((s) => leaseHolder(s, now().getTime()), () => undefined);
    if (running) out.err(`${c.yellow('!')} An apply of project ${front.project.name}${environment ? ` (environment ${environment})` : ''} is running: ${describeHolder(running)}. The live state may change until it finishes; this plan is what apply would do now.`);
    if (opts.out) writePlanFile(resolvePath(opts.out), sealPlan(plan));
    const ok = !plan.summary.blocked;
    const code = !ok ? ExitCode.FAILURE : opts.detailedExitcode && hasChanges(plan) ? ExitCode.CHANGES : ExitCode.OK;
    // A change Flink's planner rejected points at the model's SQL: shown like a compiler error.
    const located = plan.changes.filter((x) => x.blocked?.location).map((x) => blockerDiagnostic(x.blocked!, x.owner));
    if (json) {
      report.all.push(...located);
      const { format: _f, format_version: _v, ...rest } = plan;
      return report.finish(ok, rest as unknown as Record<string, unknown>, undefined, code);
    }
    if (located.length) reportDiagnostics(out, front.root, located, false);
    out.out(renderPlan(plan, out.color));
    if (opts.out) out.err(`Plan saved to ${opts.out}; apply it exactly with: streamt apply ${opts.out}`);
    return code;
  } catch (e) {
    const d = serviceDiagnostic(e, front.project);
    if (!d) throw e;
    report.diagnostics([d]);
    return report.finish(false, {}, `${c.red('✗')} Not planned: a live system failed`);
  } finally {
    await live.close();
  }
}
