import { hasErrors } from '../../core/diagnostics.js';
import { materializationOf } from '../../resolve/types.js';
import type { Output } from '../../ui/output.js';
import type { GlobalOptions } from '../pipeline.js';
import { selectNodes, type SelectionOptions } from '../selection.js';
import { frontEndForViews } from './lineage.js';

export interface LsOptions extends GlobalOptions, SelectionOptions {
  format?: 'text' | 'json';
}

export function lsCommand(opts: LsOptions, out: Output, env: Readonly<Record<string, string | undefined>>): number {
  const json = opts.format === 'json';
  const { result, report } = frontEndForViews(opts, out, env, 'streamt-ls', json);
  if (!result.resolved) return report.finish(false);
  const resolved = result.resolved;
  const selection = selectNodes(resolved, opts);
  if (selection.diagnostics.length) report.diagnostics(selection.diagnostics);
  if (hasErrors(selection.diagnostics)) return report.finish(false);
  const ordered = resolved.dag.topologicalOrder().filter((id) => !selection.ids || selection.ids.has(id));
  if (json) {
    return report.finish(true, {
      nodes: ordered.map((id) => {
        const n = resolved.nodes.get(id)!;
        return { id, name: n.name, type: n.kind, materialized: materializationOf(resolved, n), file: n.file, tags: n.tags, owner: n.owner ?? null };
      }),
    });
  }
  if (ordered.length) out.out(ordered.join('\n'));
  return report.finish(true);
}
