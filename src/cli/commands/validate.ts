import { countBySeverity, hasErrors } from '../../core/diagnostics.js';
import { diagnosticToJson, renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { runFrontEnd, sourceLinesFrom, type GlobalOptions } from '../pipeline.js';

export interface ValidateOptions extends GlobalOptions {
  strict?: boolean;
  verbose?: boolean;
  format?: 'text' | 'json';
}

export function validateCommand(opts: ValidateOptions, out: Output, env: Readonly<Record<string, string | undefined>>): number {
  const result = runFrontEnd(opts, env);
  if (result.project) out.addSecrets(result.project.secrets);
  const { errors, warnings } = countBySeverity(result.diagnostics);
  const valid = !hasErrors(result.diagnostics) && !(opts.strict && warnings > 0);
  if (opts.format === 'json') {
    out.json({ valid, errors, warnings, diagnostics: result.diagnostics.map(diagnosticToJson) });
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
    const counts = `${p.sources.length} sources, ${p.models.length} models, ${p.tests.length} tests, ${p.exposures.length} exposures`;
    const rules = Object.keys(p.rules).length ? '; governance rules passed' : '';
    const tail = warnings ? ` with ${summaryLine(result.diagnostics, c)}` : '';
    out.err(`${c.green('✓')} Project "${p.name}"${env} is valid${tail}: ${counts}${rules}`);
    return ExitCode.OK;
  }
  const why = opts.strict && !errors ? ' (--strict: warnings count as failures)' : '';
  out.err(`${c.red('✗')} Validation failed: ${summaryLine(result.diagnostics, c)}${why}`);
  return ExitCode.FAILURE;
}
