/**
 * Column-level lineage of one column, up (the input columns it derives from, to the sources) and
 * down (the model columns derived from it, to the exposures that read them), from the lineage the
 * resolver recorded (resolve/columns.ts). One view model, rendered as text and JSON.
 */
import { own } from '../core/own.js';
import type { Classification, NodeId } from '../project/types.js';
import { outputColumns } from '../resolve/columns.js';
import type { ResolvedProject } from '../resolve/types.js';

export interface ColumnRef {
  node: NodeId;
  column: string;
}

export interface ColumnLineageNode extends ColumnRef {
  /** How this column derives from the one it is listed under (downstream), or how the column it is listed under derives from it (upstream). */
  transform: string | null;
  classification: Classification | null;
  masked: string | null;
  /** The lineage of this column is incomplete (an input schema is unknown). */
  partial: boolean;
  /** Already shown above in this tree (a diamond): not expanded again. */
  repeated?: boolean;
  children: ColumnLineageNode[];
}

export interface ColumnLineageView {
  column: Omit<ColumnLineageNode, 'children' | 'transform' | 'repeated'>;
  upstream: ColumnLineageNode[];
  downstream: ColumnLineageNode[];
  /** Exposures reading a model that carries the column or a column derived from it. */
  exposures: string[];
}

/** `model.col`, `source.col`, `model.col.field`: the node and the column, or why not. */
export function findColumn(resolved: ResolvedProject, spec: string): { ref: ColumnRef } | { error: string; hint?: string } {
  const dot = spec.indexOf('.');
  if (dot < 1) return { error: `"${spec}" is not <node>.<column>`, hint: 'e.g. streamt lineage --column payments_clean.card_number' };
  const name = spec.slice(0, dot);
  const column = spec.slice(dot + 1);
  const node = [`model.${name}`, `source.${name}`].find((id) => resolved.nodes.has(id as NodeId)) as NodeId | undefined;
  if (!node) return { error: `No source or model named "${name}"`, hint: 'run "streamt ls" to list nodes' };
  const columns = columnsOf(resolved, node);
  if (!columns.includes(column) && !columns.includes(column.split('.')[0]!)) {
    return { error: `${node.replace('.', ' ')} has no column "${column}"`, hint: columns.length ? `its columns: ${columns.join(', ')}` : 'its columns are unknown' };
  }
  return { ref: { node, column } };
}

function columnsOf(resolved: ResolvedProject, id: NodeId): string[] {
  if (id.startsWith('source.')) return resolved.project.sources.find((s) => s.id === id)?.columns.map((c) => c.name) ?? [];
  const m = resolved.models.get(id.slice('model.'.length));
  return m ? outputColumns(m) : [];
}

function describe(resolved: ResolvedProject, ref: ColumnRef): { classification: Classification | null; masked: string | null; partial: boolean } {
  if (ref.node.startsWith('source.')) {
    const cols = resolved.project.sources.find((s) => s.id === ref.node)?.columns ?? [];
    const c = cols.find((x) => x.name === ref.column) ?? cols.find((x) => x.name === ref.column.split('.')[0]);
    return { classification: c?.classification ?? null, masked: null, partial: false };
  }
  const m = resolved.models.get(ref.node.slice('model.'.length));
  const cls = own(m?.columnClasses, ref.column);
  const lineage = m?.columnLineage?.find((l) => l.column === ref.column);
  return { classification: cls?.classification ?? null, masked: cls?.masked ?? null, partial: !lineage || !!lineage.partial };
}

/** Does `input` (a column the lineage names) stand for `target`? A nested field is part of its column. */
function covers(input: string, target: string): boolean {
  return input === target || input.startsWith(`${target}.`) || target.startsWith(`${input}.`);
}

export function columnLineage(resolved: ResolvedProject, ref: ColumnRef): ColumnLineageView {
  const up = (r: ColumnRef, seen: Set<string>): ColumnLineageNode[] => {
    if (!r.node.startsWith('model.')) return [];
    const m = resolved.models.get(r.node.slice('model.'.length));
    const l = m?.columnLineage?.find((x) => x.column === r.column || covers(x.column, r.column));
    if (!l) return [];
    return l.inputs.map((i) => {
      const key = `${i.node}:${i.column}`;
      const repeated = seen.has(key);
      seen.add(key);
      const node: ColumnLineageNode = { ...i, transform: l.transform, ...describe(resolved, i), children: repeated ? [] : up(i, seen) };
      if (repeated) node.repeated = true;
      return node;
    });
  };
  const exposures = new Set<string>();
  const down = (r: ColumnRef, seen: Set<string>): ColumnLineageNode[] => {
    const out: ColumnLineageNode[] = [];
    for (const child of resolved.dag.children(r.node)) {
      if (child.startsWith('exposure.')) {
        exposures.add(resolved.nodes.get(child)!.name);
        continue;
      }
      if (!child.startsWith('model.')) continue;
      const m = resolved.models.get(child.slice('model.'.length));
      for (const l of m?.columnLineage ?? []) {
        if (!l.inputs.some((i) => i.node === r.node && covers(i.column, r.column))) continue;
        const c: ColumnRef = { node: child, column: l.column };
        const key = `${c.node}:${c.column}`;
        const repeated = seen.has(key);
        seen.add(key);
        const node: ColumnLineageNode = { ...c, transform: l.transform, ...describe(resolved, c), children: repeated ? [] : down(c, seen) };
        if (repeated) node.repeated = true;
        out.push(node);
      }
    }
    return out;
  };
  // The exposures reading the column's own node.
  for (const child of resolved.dag.children(ref.node)) if (child.startsWith('exposure.')) exposures.add(resolved.nodes.get(child)!.name);
  const upstream = up(ref, new Set());
  const downstream = down(ref, new Set());
  return { column: { ...ref, ...describe(resolved, ref) }, upstream, downstream, exposures: [...exposures].sort() };
}

const label = (n: { node: NodeId; column: string; classification: string | null; masked: string | null; partial: boolean }) =>
  `${n.node.replace('.', ' ')}.${n.column}${n.classification ? ` [${n.classification}${n.masked ? `, masked ${n.masked}` : ''}]` : n.masked ? ` [masked ${n.masked}]` : ''}${n.partial ? ' (lineage incomplete: an input schema is unknown)' : ''}`;

export function renderColumnLineage(view: ColumnLineageView): string {
  const lines: string[] = [label(view.column)];
  const tree = (nodes: ColumnLineageNode[], indent: string, arrow: string) => {
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1;
      lines.push(`${indent}${last ? '└─' : '├─'}${arrow} ${label(n)} (${n.transform})${n.repeated ? ' (see above)' : ''}`);
      tree(n.children, indent + (last ? '   ' : '│  '), arrow);
    });
  };
  lines.push('', 'Upstream (derives from):');
  if (view.upstream.length) tree(view.upstream, '  ', '◀'); else lines.push('  (none: not derived from another column)');
  lines.push('', 'Downstream (derived into):');
  if (view.downstream.length) tree(view.downstream, '  ', '▶'); else lines.push('  (none)');
  if (view.exposures.length) lines.push('', `Read by exposures: ${view.exposures.join(', ')}`);
  return lines.join('\n');
}
