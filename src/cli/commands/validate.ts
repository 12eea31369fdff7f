import { countBySeverity, hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { compileProject } from '../../compile/compile.js';
import { document } from '../../ui/contract.js';
import { diagnosticToJson, renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import { plural } from '../../ui/plural.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { runFrontEnd, sourceLinesFrom, type GlobalOptions, type PipelineResult } from '../pipeline.js';

export interface ValidateOptions extends GlobalOptions {
  strict?: boolean;
  verbose?: boolean;
  format?: 'text' | 'json';
}

/**
 * Every diagnostic `compile` would report on this input, without writing anything: load, resolve
 * and, when those are clean, the whole compiler in memory (its files are dropped). A green
 * `validate` therefore means `compile` succeeds; test/unit/validate-compile.test.ts keeps the two
 * in step on every fixture, golden and example project.
 */
export function validateDiagnostics(front: PipelineResult): Diagnostic[] {
  if (!front.resolved || hasErrors(front.diagnostics)) return front.diagnostics;
  // compiledAt is fixed: nothing of the output is kept, and validate must not depend on the clock.
  const compiled = compileProject(front.resolved, { compiledAt: '1970-01-01T00:00:00.000Z' });
  return [...front.diagnostics, ...compiled.diagnostics];
}

export function validateCommand(opts: ValidateOptions, out: Output, env: Readonly<Record<string, string | undefined>>): number {
  const front = runFrontEnd(opts, env);
  const result = { ...front, diagnostics: validateDiagnostics(front) };
  if (result.project) out.addSecrets(result.project.secrets);
  const { errors, warnings } = countBySeverity(result.diagnostics);
  const valid = !hasErrors(result.diagnostics) && !(opts.strict && warnings > 0);
  if (opts.format === 'json') {
    out.json(document('streamt-validate', { ok: valid, valid, errors, warnings, diagnostics: result.diagnostics.map(diagnosticToJson) }));
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
    const rules = Object.keys(p.rules).length ? '; governance rules passed' : '';
    const tail = warnings ? ` with ${summaryLine(result.diagnostics, c)}` : '';
    out.err(`${c.green('✓')} Project "${p.name}"${env} is valid${tail}: ${counts}${rules}`);
    return ExitCode.OK;
  }
  const why = opts.strict && !errors ? ' (--strict: warnings count as failures)' : '';
  out.err(`${c.red('✗')} Validation failed: ${summaryLine(result.diagnostics, c)}${why}`);
  return ExitCode.FAILURE;
}
