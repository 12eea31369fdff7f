/**
 * How commands end: diagnostics rendered once (text on stderr) or one JSON document of the
 * contract (src/ui/contract.ts) on stdout, on success and on every error path alike.
 */
import { hasErrors, type Diagnostic } from '../core/diagnostics.js';
import { document, type OutputFormat } from '../ui/contract.js';
import { diagnosticToJson, renderDiagnostics } from '../ui/diagnostics.js';
import type { Output } from '../ui/output.js';
import { ExitCode } from './exit-codes.js';
import { sourceLinesFrom } from './pipeline.js';

export interface Reporter {
  json: boolean;
  /** Prints diagnostics as text (stderr); nothing in JSON mode (they go in the document). */
  diagnostics(list: readonly Diagnostic[]): void;
  /** Prints a line to stderr unless in JSON mode. */
  note(text: string): void;
  /** Ends the command: the JSON document, or the diagnostics and a last line. Returns the exit code. */
  finish(ok: boolean, body?: Record<string, unknown>, last?: string, code?: number): number;
  /** Every diagnostic seen so far (kept for the JSON document). */
  all: Diagnostic[];
}

export function reporter(out: Output, format: OutputFormat, opts: { json: boolean; root?: string | undefined; verbose?: boolean | undefined }): Reporter {
  const all: Diagnostic[] = [];
  const shown = (list: readonly Diagnostic[]) => (opts.verbose ? list : list.filter((d) => d.severity !== 'info'));
  return {
    json: opts.json,
    all,
    diagnostics(list) {
      all.push(...list);
      if (opts.json) return;
      const s = shown(list);
      if (s.length) out.err(renderDiagnostics(s, out.errColor, opts.root ? sourceLinesFrom(opts.root) : undefined) + '\n');
    },
    note(text) {
      if (!opts.json) out.err(text);
    },
    finish(ok, body = {}, last, code) {
      if (opts.json) out.json(document(format, { ok, ...body, diagnostics: all.map(diagnosticToJson) }));
      else if (last) out.err(last);
      return code ?? (ok ? ExitCode.OK : ExitCode.FAILURE);
    },
  };
}

export { hasErrors };
