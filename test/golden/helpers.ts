/** Compiles a project folder in memory, the way `streamt compile` does, with a fixed clock. */
import { resolve } from 'node:path';
import { compileProject, type CompileResult } from '../../src/compile/index.js';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import { readProjectFiles } from '../../src/project/files.js';
import { loadProject } from '../../src/project/load.js';
import { resolveProject } from '../../src/resolve/resolve.js';
import type { ResolvedProject } from '../../src/resolve/types.js';

export const REPO = resolve(import.meta.dirname, '../..');
export const COMPILED_AT = '2025-01-01T00:00:00.000Z';

export interface Compiled {
  resolved: ResolvedProject;
  /** Load and resolve diagnostics, then compile diagnostics. */
  diagnostics: Diagnostic[];
  result: CompileResult;
}

export function compileDir(dir: string, processEnv: Record<string, string> = {}): Compiled {
  const loaded = loadProject(readProjectFiles(dir), { processEnv });
  if (!loaded.project) throw new Error(`cannot load ${dir}: ${JSON.stringify(loaded.diagnostics)}`);
  const resolved = resolveProject(loaded.project);
  const result = compileProject(resolved, { compiledAt: COMPILED_AT, streamtVersion: '0.0.0-test' });
  return { resolved, diagnostics: [...loaded.diagnostics, ...resolved.diagnostics, ...result.diagnostics], result };
}

export function diagnosticLines(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map((d) => `${d.severity} ${d.code} ${d.file ?? ''}:${d.line ?? ''} ${d.message}`).sort().join('\n') + '\n';
}
