import { renderDiagnostics } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { hasErrors } from '../../core/diagnostics.js';
import { select } from '../../select/selector.js';
import { ExitCode } from '../exit-codes.js';
import type { GlobalOptions } from '../pipeline.js';
import { frontEndForViews } from './lineage.js';
import { materializationOf } from '../../resolve/types.js';

export interface LsOptions extends GlobalOptions {
  select?: string[];
  exclude?: string[];
  format?: 'text' | 'json';
}

export function lsCommand(opts: LsOptions, out: Output, env: Readonly<Record<string, string | undefined>>): number {
  const result = frontEndForViews(opts, out, env);
  if (!result?.resolved) return ExitCode.FAILURE;
  const resolved = result.resolved;
  const selection = select(resolved, opts.select ?? [], opts.exclude ?? []);
  if (hasErrors(selection.diagnostics)) {
    out.err(renderDiagnostics(selection.diagnostics, out.errColor));
    return ExitCode.FAILURE;
  }
  const ordered = resolved.dag.topologicalOrder().filter((id) => selection.ids.has(id));
  if (opts.format === 'json') {
    out.json(
      ordered.map((id) => {
        const n = resolved.nodes.get(id)!;
        return {
          id,
          name: n.name,
          type: n.kind,
          materialized: materializationOf(resolved, n),
          file: n.file,
          tags: n.tags,
          owner: n.owner ?? null,
        };
      }),
    );
  } else if (ordered.length) {
    out.out(ordered.join('\n'));
  }
  return ExitCode.OK;
}
