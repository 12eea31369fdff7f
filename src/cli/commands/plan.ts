import { writeFileSync, renameSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { ServiceError } from '../../adapters/http.js';
import { compileForLive, leaseLog, liveSystems, makePlan, sealPlan } from '../../apply/workflow.js';
import { describeHolder, leaseHolder, readLease } from '../../apply/lease.js';
import { leasePrefix } from '../../adapters/kafka/record.js';
import { hasChanges } from '../../plan/plan.js';
import { blockerDiagnostic } from '../../plan/flink-locate.js';
import { renderPlan } from '../../plan/render.js';
import type { Plan } from '../../plan/types.js';
import { diagnosticToJson, renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { packageVersion } from '../main.js';
import { runFrontEnd, sourceLinesFrom, type GlobalOptions } from '../pipeline.js';

export interface PlanCommandOptions extends GlobalOptions {
  select?: string[];
  exclude?: string[];
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

/** A live system failure as a diagnostic: the message names the service and URL; no stack. */
export function serviceDiagnostic(e: unknown): Diagnostic | undefined {
  if (!(e instanceof ServiceError)) return undefined;
  return {
    code: e.unreachable ? 'SERVICE_UNREACHABLE' : 'SERVICE_ERROR',
    severity: 'error',
    message: e.message,
    hint: e.unreachable ? `start it (locally: npm run stack -- up) or fix its URL in runtime (${e.service})` : `see the ${e.service} logs for details`,
  };
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
  if (!front.resolved || !front.project || hasErrors(front.diagnostics)) {
    reportDiagnostics(out, front.root, front.diagnostics, opts.verbose);
    out.err(`${c.red('✗')} Not planned: the project has ${summaryLine(front.diagnostics, c)}; run streamt validate for details`);
    return ExitCode.FAILURE;
  }
  const { compiled, diagnostics } = compileForLive(front.resolved, opts, now(), packageVersion());
  const all = [...front.diagnostics, ...diagnostics];
  if (!compiled) {
    reportDiagnostics(out, front.root, all, opts.verbose);
    out.err(`${c.red('✗')} Not planned: the project does not compile (${summaryLine(all, c)})`);
    return ExitCode.FAILURE;
  }
  if (opts.format !== 'json') reportDiagnostics(out, front.root, all.filter((d) => d.severity === 'error'), false);
  const live = liveSystems(front.project);
  try {
    const { plan } = await makePlan(live, front.project, compiled, { prune: !!opts.prune, allowStateReset: !!opts.allowStateReset, select: opts.select ?? [], exclude: opts.exclude ?? [] }, now(), packageVersion());
    // plan takes no lease (it changes nothing), but says when an apply is running meanwhile.
    const environment = front.project.environment?.name ?? null;
    const running = await readLease(leaseLog(live), leasePrefix(front.project.name, environment)).then((s) => leaseHolder(s, now().getTime()), () => undefined);
    if (running) out.err(`${c.yellow('!')} An apply of project ${front.project.name}${environment ? ` (environment ${environment})` : ''} is running: ${describeHolder(running)}. The live state may change until it finishes; this plan is what apply would do now.`);
    if (opts.out) writePlanFile(resolvePath(opts.out), sealPlan(plan));
    if (opts.format === 'json') out.json(plan);
    else {
      // A change Flink's planner rejected points at the model's SQL: shown like a compiler error.
      const located = plan.changes.filter((x) => x.blocked?.location).map((x) => blockerDiagnostic(x.blocked!, x.owner));
      if (located.length) reportDiagnostics(out, front.root, located, false);
      out.out(renderPlan(plan, out.color));
      if (opts.out) out.err(`Plan saved to ${opts.out}; apply it exactly with: streamt apply ${opts.out}`);
    }
    if (plan.summary.blocked) return ExitCode.FAILURE;
    return opts.detailedExitcode && hasChanges(plan) ? ExitCode.CHANGES : ExitCode.OK;
  } catch (e) {
    const d = serviceDiagnostic(e);
    if (!d) throw e;
    if (opts.format === 'json') out.json({ ok: false, diagnostics: [diagnosticToJson(d)] });
    else out.err(renderDiagnostics([d], c) + `\n${c.red('✗')} Not planned: a live system failed`);
    return ExitCode.FAILURE;
  } finally {
    await live.close();
  }
}
