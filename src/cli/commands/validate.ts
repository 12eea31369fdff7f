import { countBySeverity, hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { compileProject } from '../../compile/compile.js';
import { document } from '../../ui/contract.js';
import type { CompileResult } from '../../compile/types.js';
import { LiveSystems, secretResolver } from '../../adapters/live.js';
import { checkJobsWithFlink } from '../../plan/flink-check.js';
import { diagnosticToJson, renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import { plural } from '../../ui/plural.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { runFrontEnd, sourceLinesFrom, type GlobalOptions, type PipelineResult } from '../pipeline.js';

export interface ValidateOptions extends GlobalOptions {
  strict?: boolean;
  verbose?: boolean;
  format?: 'text' | 'json';
  /** Also put every compiled Flink job through Flink's planner (the SQL Gateway of runtime.flink). */
  flink?: boolean;
}

/**
 * Every diagnostic `compile` would report on this input, without writing anything: load, resolve
 * and, when those are clean, the whole compiler in memory (its files are dropped). A green
 * `validate` therefore means `compile` succeeds; test/unit/validate-compile.test.ts keeps the two
 * in step on every fixture, golden and example project.
 */
export function validateDiagnostics(front: PipelineResult): Diagnostic[] {
  return validateInMemory(front).diagnostics;
}

function validateInMemory(front: PipelineResult): { diagnostics: Diagnostic[]; compiled?: CompileResult } {
  if (!front.resolved || hasErrors(front.diagnostics)) return { diagnostics: front.diagnostics };
  // compiledAt is fixed: nothing of the output is kept, and validate must not depend on the clock.
  const compiled = compileProject(front.resolved, { compiledAt: '1970-01-01T00:00:00.000Z' });
  return { diagnostics: [...front.diagnostics, ...compiled.diagnostics], compiled };
}

/**
 * `validate`, and with `--flink` Flink's planner on every compiled job (src/plan/flink-check.ts):
 * the same check plan runs before it creates anything, on demand. It talks to the SQL Gateway,
 * so the project is loaded as for plan (connection settings and secrets resolved).
 */
export function validateCommand(opts: ValidateOptions, out: Output, env: Readonly<Record<string, string | undefined>>): number | Promise<number> {
  if (!opts.flink) {
    const front = runFrontEnd(opts, env);
    return report(opts, out, { ...front, diagnostics: validateDiagnostics(front) });
  }
  return validateWithFlink(opts, out, env);
}

async function validateWithFlink(opts: ValidateOptions, out: Output, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const front = runFrontEnd(opts, env, { live: true });
  const v = validateInMemory(front);
  if (!v.compiled || hasErrors(v.diagnostics) || !front.resolved || !front.project) return report(opts, out, { ...front, diagnostics: v.diagnostics });
  const project = front.project;
  const live = new LiveSystems(project.runtime, project.name);
  try {
    const check = await checkJobsWithFlink(front.resolved, v.compiled.artifacts.flinkJobs, (cluster) => live.flink(cluster), secretResolver(v.compiled.secrets));
    const jobs = v.compiled.artifacts.flinkJobs.length;
    const note = `Flink's planner accepted ${check.accepted} of ${jobs} job${jobs === 1 ? '' : 's'}`;
    return report(opts, out, { ...front, diagnostics: [...v.diagnostics, ...check.diagnostics] }, { note, accepted: check.accepted, jobs });
  } finally {
    await live.close();
  }
}

function report(opts: ValidateOptions, out: Output, result: PipelineResult, flink?: { note: string; accepted: number; jobs: number }): number {
  if (result.project) out.addSecrets(result.project.secrets);
  const { errors, warnings } = countBySeverity(result.diagnostics);
  const valid = !hasErrors(result.diagnostics) && !(opts.strict && warnings > 0);
  if (opts.format === 'json') {
    out.json(document('streamt-validate', { ok: valid, valid, errors, warnings, ...(flink ? { flink: { jobs: flink.jobs, accepted: flink.accepted } } : {}), diagnostics: result.diagnostics.map(diagnosticToJson) }));
    return valid ? ExitCode.OK : ExitCode.FAILURE;
  }
  // Notes (info) are for the curious: counted, shown with --verbose.
  const shown = opts.verbose ? result.diagnostics : result.diagnostics.filter((d) => d.severity !== 'info');
  const hidden = result.diagnostics.length - shown.length;
  if (shown.length) {
    out.err(renderDiagnostics(shown, out.errColor, sourceLinesFrom(result.root)));
    out.err('');
  }
  if (hidden) out.err(out.errColor.dim(`${hidden} note${hidden === 1 ? '' : 's'} hidden; --verbose shows them`));
  const c = out.errColor;
  if (valid) {
    const p = result.project!;
    const env = p.environment ? ` (${p.environment.name})` : '';
    const counts = [plural(p.sources.length, 'source'), plural(p.models.length, 'model'), plural(p.tests.length, 'test'), plural(p.exposures.length, 'exposure')].join(', ');
    const rules = `${Object.keys(p.rules).length ? '; governance rules passed' : ''}${flink ? `; ${flink.note}` : ''}`;
    const tail = warnings ? ` with ${summaryLine(result.diagnostics, c)}` : '';
    out.err(`${c.green('✓')} Project "${p.name}"${env} is valid${tail}: ${counts}${rules}`);
    return ExitCode.OK;
  }
  const why = opts.strict && !errors ? ' (--strict: warnings count as failures)' : '';
  out.err(`${c.red('✗')} Validation failed: ${summaryLine(result.diagnostics, c)}${why}`);
  return ExitCode.FAILURE;
}
