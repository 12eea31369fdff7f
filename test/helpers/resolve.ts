import type { Diagnostic } from '../../src/core/diagnostics.js';
import type { LoadOptions } from '../../src/project/load.js';
import { resolveProject } from '../../src/resolve/resolve.js';
import type { ResolvedProject } from '../../src/resolve/types.js';
import { load } from './project.js';

export function resolveFiles(files: Record<string, string>, opts: Partial<LoadOptions> = {}): { diagnostics: Diagnostic[]; resolved?: ResolvedProject } {
  const loaded = load(files, opts);
  if (!loaded.project || loaded.diagnostics.some((d) => d.severity === 'error')) return { diagnostics: loaded.diagnostics };
  const resolved = resolveProject(loaded.project);
  return { diagnostics: [...loaded.diagnostics, ...resolved.diagnostics], resolved };
}

