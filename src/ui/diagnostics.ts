/**
 * Renders diagnostics once, at the end of a command: compiler style for people
 * (`file:line:col error CODE message`, a code frame, a hint) and a stable JSON shape for CI.
 */
import type { ChalkInstance } from 'chalk';
import { countBySeverity, sortDiagnostics, type Diagnostic } from '../core/diagnostics.js';

export interface DiagnosticJson {
  code: string;
  severity: Diagnostic['severity'];
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  hint: string | null;
  node: string | null;
}

export function diagnosticToJson(d: Diagnostic): DiagnosticJson {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.file ?? null,
    line: d.line ?? null,
    column: d.column ?? null,
    hint: d.hint ?? null,
    node: d.node ?? null,
  };
}

export function location(d: Diagnostic): string {
  if (!d.file) return '';
  if (d.line === undefined) return d.file;
  return `${d.file}:${d.line}:${d.column ?? 1}`;
}

/** Reads a file's lines for code frames; undefined when unavailable (the frame is skipped). */
export type SourceLines = (file: string) => string[] | undefined;

export function renderDiagnostic(d: Diagnostic, c: ChalkInstance, lines?: SourceLines): string {
  const sev = d.severity === 'error' ? c.red.bold('error') : d.severity === 'warning' ? c.yellow.bold('warning') : c.cyan('info');
  const where = location(d);
  const head = `${where ? c.bold(where) + ' ' : ''}${sev} ${c.dim(d.code)} ${d.message}`;
  const out = [head];
  const src = d.file && d.line !== undefined ? lines?.(d.file) : undefined;
  const text = src?.[d.line! - 1];
  if (text !== undefined && text.length < 400) {
    const gutter = String(d.line).length;
    out.push(`${' '.repeat(gutter + 1)}${c.dim('|')}`);
    out.push(`${c.dim(String(d.line))} ${c.dim('|')} ${text.replace(/\t/g, ' ')}`);
    const col = Math.max(1, d.column ?? 1);
    out.push(`${' '.repeat(gutter + 1)}${c.dim('|')} ${' '.repeat(col - 1)}${d.severity === 'error' ? c.red('^') : c.yellow('^')}`);
  }
  if (d.hint) {
    const [first, ...rest] = d.hint.split('\n');
    out.push(`  ${c.cyan('hint:')} ${first}`);
    for (const r of rest) out.push(`        ${r}`);
  }
  return out.join('\n');
}

export function renderDiagnostics(diagnostics: readonly Diagnostic[], c: ChalkInstance, lines?: SourceLines): string {
  return sortDiagnostics(diagnostics)
    .map((d) => renderDiagnostic(d, c, lines))
    .join('\n\n');
}

export function summaryLine(diagnostics: readonly Diagnostic[], c: ChalkInstance): string {
  const { errors, warnings } = countBySeverity(diagnostics);
  const parts = [
    errors ? c.red(`${errors} error${errors === 1 ? '' : 's'}`) : '',
    warnings ? c.yellow(`${warnings} warning${warnings === 1 ? '' : 's'}`) : '',
  ].filter(Boolean);
  return parts.join(', ');
}
