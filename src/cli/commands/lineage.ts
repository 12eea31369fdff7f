import { error, hasErrors } from '../../core/diagnostics.js';
import { closest } from '../../core/suggest.js';
import { findNode, lineageView, renderAsciiTree, renderMermaid } from '../../lineage/lineage.js';
import { renderDiagnostics } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { runFrontEnd, sourceLinesFrom, type GlobalOptions, type PipelineResult } from '../pipeline.js';

export interface LineageOptions extends GlobalOptions {
  format?: 'ascii' | 'text' | 'json' | 'mermaid';
  model?: string;
  upstream?: boolean;
  downstream?: boolean;
  tests?: boolean;
}

/** Load and resolve for read-only views: any error in loading stops; later errors only warn. */
export function frontEndForViews(opts: GlobalOptions, out: Output, env: Readonly<Record<string, string | undefined>>): PipelineResult | undefined {
  const result = runFrontEnd(opts, env);
  if (result.project) out.addSecrets(result.project.secrets);
  if (!result.resolved) {
    out.err(renderDiagnostics(result.diagnostics, out.errColor, sourceLinesFrom(result.root)));
    return undefined;
  }
  if (hasErrors(result.diagnostics)) {
    const n = result.diagnostics.filter((d) => d.severity === 'error').length;
    out.err(out.errColor.yellow(`warning: the project has ${n} validation error${n === 1 ? '' : 's'}; run "streamt validate" for details`));
  }
  return result;
}

export function lineageCommand(opts: LineageOptions, out: Output, env: Readonly<Record<string, string | undefined>>): number {
  const result = frontEndForViews(opts, out, env);
  if (!result?.resolved) return ExitCode.FAILURE;
  const resolved = result.resolved;
  let focus: string | undefined;
  if (opts.model) {
    focus = findNode(resolved, opts.model);
    if (!focus) {
      const near = closest(opts.model, [...resolved.nodes.values()].map((n) => n.name));
      out.err(renderDiagnostics([error('NODE_NOT_FOUND', `No node named "${opts.model}"`, { hint: near.length ? `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : 'run "streamt ls" to list nodes' })], out.errColor));
      return ExitCode.FAILURE;
    }
  }
  if ((opts.upstream || opts.downstream) && !focus) {
    out.err(renderDiagnostics([error('MISSING_OPTION', '--upstream and --downstream need --model <name>', { hint: 'e.g. streamt lineage --model orders --upstream' })], out.errColor));
    return ExitCode.FAILURE;
  }
  const viewOpts: Parameters<typeof lineageView>[1] = {};
  if (focus) viewOpts.focus = focus;
  if (opts.upstream) viewOpts.upstream = true;
  if (opts.downstream) viewOpts.downstream = true;
  if (opts.tests || focus?.startsWith('test.')) viewOpts.includeTests = true;
  const view = lineageView(resolved, viewOpts);
  const format = opts.format ?? 'ascii';
  if (format === 'json') {
    out.json({ nodes: view.nodes.map(({ id: _id, ...n }) => n), edges: view.edges });
  } else if (format === 'mermaid') {
    out.out(renderMermaid(view));
  } else {
    const name = focus ? resolved.nodes.get(focus as never)!.name : undefined;
    if (focus && opts.upstream && !opts.downstream) {
      out.out(renderAsciiTree(view, { upstreamOf: name! }));
    } else if (focus && !opts.upstream && !opts.downstream) {
      out.out(`Upstream of ${name}:\n${renderAsciiTree(view, { upstreamOf: name! })}\n\nDownstream of ${name}:\n${renderAsciiTree(lineageView(resolved, { ...viewOpts, downstream: true }), {}).split('\n').filter(Boolean).join('\n')}`);
    } else {
      out.out(view.nodes.length ? renderAsciiTree(view) : '(empty project)');
    }
  }
  return ExitCode.OK;
}
