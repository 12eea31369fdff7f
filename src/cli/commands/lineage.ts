import { error, hasErrors } from '../../core/diagnostics.js';
import { closest } from '../../core/suggest.js';
import { columnLineage, findColumn, renderColumnLineage } from '../../lineage/columns.js';
import { findNode, lineageView, renderAsciiTree, renderMermaid, type LineageView } from '../../lineage/lineage.js';
import type { OutputFormat } from '../../ui/contract.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { runFrontEnd, type GlobalOptions, type PipelineResult } from '../pipeline.js';
import { reporter, type Reporter } from '../report.js';
import { selectNodes, type SelectionOptions } from '../selection.js';

export interface LineageOptions extends GlobalOptions, SelectionOptions {
  format?: 'ascii' | 'text' | 'json' | 'mermaid';
  model?: string;
  upstream?: boolean;
  downstream?: boolean;
  column?: string;
  tests?: boolean;
}

/**
 * Load and resolve for read-only views: any error in loading stops; later errors only warn. The
 * reporter prints (or collects, for --format json) the diagnostics.
 */
export function frontEndForViews(opts: GlobalOptions, out: Output, env: Readonly<Record<string, string | undefined>>, format: OutputFormat, json: boolean): { result: PipelineResult; report: Reporter } {
  const result = runFrontEnd(opts, env);
  if (result.project) out.addSecrets(result.project.secrets);
  const report = reporter(out, format, { json, root: result.root });
  if (!result.resolved) {
    report.diagnostics(result.diagnostics);
    return { result, report };
  }
  if (hasErrors(result.diagnostics)) {
    const n = result.diagnostics.filter((d) => d.severity === 'error').length;
    if (json) report.all.push(...result.diagnostics);
    else out.err(out.errColor.yellow(`warning: the project has ${n} validation error${n === 1 ? '' : 's'}; run "streamt validate" for details`));
  }
  return { result, report };
}

/** The view restricted to a set of node names (with the edges between them). */
function restrict(view: LineageView, names: Set<string>): LineageView {
  return {
    nodes: view.nodes.filter((n) => names.has(n.name)).map((n) => ({ ...n, upstream: n.upstream.filter((u) => names.has(u)), downstream: n.downstream.filter((d) => names.has(d)) })),
    edges: view.edges.filter((e) => names.has(e.from) && names.has(e.to)),
  };
}

export function lineageCommand(opts: LineageOptions, out: Output, env: Readonly<Record<string, string | undefined>>): number {
  const json = opts.format === 'json';
  const { result, report } = frontEndForViews(opts, out, env, 'streamt-lineage', json);
  if (!result.resolved) return report.finish(false);
  const resolved = result.resolved;
  if (opts.column !== undefined) {
    const found = findColumn(resolved, opts.column);
    if ('error' in found) {
      report.diagnostics([error('COLUMN_NOT_FOUND', found.error, found.hint ? { hint: found.hint } : {})]);
      return report.finish(false);
    }
    const view = columnLineage(resolved, found.ref);
    if (json) return report.finish(true, { column: view.column, upstream: view.upstream, downstream: view.downstream, exposures: view.exposures });
    if (opts.format === 'mermaid') {
      report.diagnostics([error('MISSING_OPTION', '--column shows text or --format json', { hint: 'drop --format mermaid' })]);
      return report.finish(false);
    }
    out.out(renderColumnLineage(view));
    return ExitCode.OK;
  }
  let focus: string | undefined;
  if (opts.model) {
    focus = findNode(resolved, opts.model);
    if (!focus) {
      const near = closest(opts.model, [...resolved.nodes.values()].map((n) => n.name));
      report.diagnostics([error('NODE_NOT_FOUND', `No node named "${opts.model}"`, { hint: near.length ? `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : 'run "streamt ls" to list nodes' })]);
      return report.finish(false);
    }
  }
  if ((opts.upstream || opts.downstream) && !focus) {
    report.diagnostics([error('MISSING_OPTION', '--upstream and --downstream need --model <name>', { hint: 'e.g. streamt lineage --model orders --upstream' })]);
    return report.finish(false);
  }
  const sel = selectNodes(resolved, opts);
  if (sel.diagnostics.length) report.diagnostics(sel.diagnostics);
  if (hasErrors(sel.diagnostics)) return report.finish(false);
  const keep = sel.ids ? new Set([...sel.ids].map((id) => resolved.nodes.get(id)!.name)) : undefined;
  const viewOpts: Parameters<typeof lineageView>[1] = {};
  if (focus) viewOpts.focus = focus;
  if (opts.upstream) viewOpts.upstream = true;
  if (opts.downstream) viewOpts.downstream = true;
  if (opts.tests || focus?.startsWith('test.') || [...(sel.ids ?? [])].some((id) => id.startsWith('test.'))) viewOpts.includeTests = true;
  const make = (o: Parameters<typeof lineageView>[1]) => (keep ? restrict(lineageView(resolved, o), keep) : lineageView(resolved, o));
  const view = make(viewOpts);
  const format = opts.format ?? 'ascii';
  if (format === 'json') {
    return report.finish(true, { nodes: view.nodes.map(({ id: _id, ...n }) => n), edges: view.edges });
  } else if (format === 'mermaid') {
    out.out(renderMermaid(view));
  } else {
    const name = focus ? resolved.nodes.get(focus as never)!.name : undefined;
    if (focus && opts.upstream && !opts.downstream) {
      out.out(renderAsciiTree(view, { upstreamOf: name! }));
    } else if (focus && !opts.upstream && !opts.downstream) {
      out.out(`Upstream of ${name}:\n${renderAsciiTree(view, { upstreamOf: name! })}\n\nDownstream of ${name}:\n${renderAsciiTree(make({ ...viewOpts, downstream: true }), {}).split('\n').filter(Boolean).join('\n')}`);
    } else {
      out.out(view.nodes.length ? renderAsciiTree(view) : keep ? '(no node selected)' : '(empty project)');
    }
  }
  return ExitCode.OK;
}
