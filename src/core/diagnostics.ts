/**
 * Diagnostics are values: every phase returns them instead of throwing, and the CLI renders
 * them once. Positions are 1-based (line and column), as editors and compilers print them.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Position {
  file?: string;
  line?: number;
  column?: number;
}

export interface Diagnostic extends Position {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
  /** The node the diagnostic is about, e.g. `model.orders`, when there is one. */
  node?: string;
}

export function error(code: string, message: string, extra: Partial<Omit<Diagnostic, 'code' | 'message' | 'severity'>> = {}): Diagnostic {
  return { code, severity: 'error', message, ...stripUndefined(extra) };
}

export function warning(code: string, message: string, extra: Partial<Omit<Diagnostic, 'code' | 'message' | 'severity'>> = {}): Diagnostic {
  return { code, severity: 'warning', message, ...stripUndefined(extra) };
}

export function info(code: string, message: string, extra: Partial<Omit<Diagnostic, 'code' | 'message' | 'severity'>> = {}): Diagnostic {
  return { code, severity: 'info', message, ...stripUndefined(extra) };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function countBySeverity(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number; infos: number } {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}

/** Stable order: by file, line, column, then code, so output never depends on traversal order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      (a.file ?? '').localeCompare(b.file ?? '') ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0) ||
      a.code.localeCompare(b.code) ||
      a.message.localeCompare(b.message),
  );
}

function stripUndefined<T extends object>(o: T): T {
  const out = {} as T;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
