/**
 * Lineage views of the DAG: a JSON document, an ASCII tree and a Mermaid flowchart. All three
 * come from the same view model, so they always agree.
 */
import type { NodeId, ProjectNode } from '../project/types.js';
import { materializationOf, type ResolvedProject } from '../resolve/types.js';

export interface LineageNode {
  id: NodeId;
  name: string;
  type: ProjectNode['kind'];
  materialized: string | null;
  /** One version of a versioned model. */
  version?: number;
  /** The date after which the model (version) is deprecated. */
  deprecation_date?: string;
  upstream: string[];
  downstream: string[];
}

export interface LineageView {
  nodes: LineageNode[];
  edges: { from: string; to: string }[];
}

export interface LineageOptions {
  /** Focus on one node. */
  focus?: string;
  upstream?: boolean;
  downstream?: boolean;
  /** Tests are left out unless asked for: they would double every model's fan-out. */
  includeTests?: boolean;
}

export function lineageView(resolved: ResolvedProject, opts: LineageOptions = {}): LineageView {
  const { dag } = resolved;
  let keep = new Set<NodeId>(dag.nodes().filter((id) => opts.includeTests || !id.startsWith('test.')));
  if (opts.focus) {
    const focus = findNode(resolved, opts.focus)!;
    const both = !opts.upstream && !opts.downstream;
    const set = new Set<NodeId>([focus]);
    if (opts.upstream || both) for (const a of dag.ancestors(focus)) set.add(a);
    if (opts.downstream || both) for (const d of dag.descendants(focus)) set.add(d);
    keep = new Set([...set].filter((id) => keep.has(id)));
  }
  const label = (id: NodeId) => resolved.nodes.get(id)!.name;
  const nodes: LineageNode[] = [];
  for (const id of dag.topologicalOrder()) {
    if (!keep.has(id)) continue;
    const node = resolved.nodes.get(id)!;
    nodes.push({
      id,
      name: node.name,
      type: node.kind,
      materialized: materializationOf(resolved, node),
      ...(node.kind === 'model' && node.version !== undefined ? { version: node.version } : {}),
      ...(node.kind === 'model' && node.deprecationDate !== undefined ? { deprecation_date: node.deprecationDate } : {}),
      upstream: dag.parents(id).filter((p) => keep.has(p)).map(label),
      downstream: dag.children(id).filter((c) => keep.has(c)).map(label),
    });
  }
  const edges = dag
    .edges()
    .filter((e) => keep.has(e.from) && keep.has(e.to))
    .map((e) => ({ from: label(e.from), to: label(e.to) }));
  return { nodes, edges };
}

/** Accepts a bare name (source, model or exposure first, then test; a versioned model's name is its latest version) or a node id. */
export function findNode(resolved: ResolvedProject, name: string): NodeId | undefined {
  if (resolved.nodes.has(name as NodeId)) return name as NodeId;
  for (const kind of ['model', 'source', 'exposure', 'test']) {
    const id = `${kind}.${name}` as NodeId;
    if (resolved.nodes.has(id)) return id;
  }
  // A versioned model's name is its latest version, as in ref().
  const versions = [...resolved.models.values()].filter((m) => m.node.baseName === name).sort((a, b) => (b.node.version ?? 0) - (a.node.version ?? 0));
  return versions[0]?.node.id;
}

function tag(n: LineageNode): string {
  if (n.type === 'model') return `model:${n.materialized ?? '?'}${n.version !== undefined ? `, v${n.version}` : ''}${n.deprecation_date ? `, deprecated ${n.deprecation_date}` : ''}`;
  return n.type;
}

/**
 * An indented tree from each root. A node reached again is printed once more with "(see above)"
 * instead of its subtree, so the output stays linear in the size of the graph.
 */
export function renderAsciiTree(view: LineageView, opts: { upstreamOf?: string } = {}): string {
  const byName = new Map(view.nodes.map((n) => [n.name, n]));
  const lines: string[] = [];
  const printed = new Set<string>();
  const next = (n: LineageNode) => (opts.upstreamOf ? n.upstream : n.downstream);
  const visit = (n: LineageNode, prefix: string, last: boolean, root: boolean): void => {
    const connector = root ? '' : last ? '└── ' : '├── ';
    const again = printed.has(n.name) && next(n).length > 0;
    lines.push(`${prefix}${connector}${n.name} (${tag(n)})${again ? ' (see above)' : ''}`);
    if (again) return;
    printed.add(n.name);
    const kids = next(n).map((k) => byName.get(k)!).filter(Boolean);
    const childPrefix = root ? prefix : prefix + (last ? '    ' : '│   ');
    kids.forEach((k, i) => visit(k, childPrefix, i === kids.length - 1, false));
  };
  const roots = opts.upstreamOf
    ? view.nodes.filter((n) => n.name === opts.upstreamOf)
    : view.nodes.filter((n) => n.upstream.length === 0);
  for (const r of roots) visit(r, '', true, true);
  // Nodes only reachable through a cycle have no root; show them too.
  for (const n of view.nodes) if (!printed.has(n.name) && !opts.upstreamOf) visit(n, '', true, true);
  return lines.join('\n');
}

function mermaidId(name: string, index: Map<string, string>): string {
  let id = index.get(name);
  if (!id) {
    id = `n${index.size}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
    index.set(name, id);
  }
  return id;
}

/** Escapes a label for Mermaid's quoted labels (renders on GitHub). */
function mermaidLabel(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

export function renderMermaid(view: LineageView): string {
  const ids = new Map<string, string>();
  const lines = ['flowchart LR'];
  for (const n of view.nodes) {
    const id = mermaidId(n.name, ids);
    const label = mermaidLabel(`${n.name}<br/>${tag(n)}`).replace('#lt;br/#gt;', '<br/>');
    const shape = n.type === 'source' ? [`[("`, `")]`] : n.type === 'exposure' ? [`>"`, `"]`] : n.type === 'test' ? [`{{"`, `"}}`] : [`["`, `"]`];
    lines.push(`  ${id}${shape[0]}${label}${shape[1]}:::${n.type}`);
  }
  for (const e of view.edges) lines.push(`  ${mermaidId(e.from, ids)} --> ${mermaidId(e.to, ids)}`);
  lines.push('  classDef source fill:#e8f4ff,stroke:#1f6feb');
  lines.push('  classDef model fill:#eefbea,stroke:#2da44e');
  lines.push('  classDef exposure fill:#fff4e5,stroke:#d4a72c');
  lines.push('  classDef test fill:#f6f0ff,stroke:#8250df');
  return lines.join('\n');
}
