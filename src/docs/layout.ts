/**
 * Left-to-right layered layout of the lineage graph, computed at generation time so the browser
 * only draws. Layers come from the longest path in topological order (a node sits one column
 * right of its furthest parent); the order inside each layer comes from barycenter sweeps that
 * reduce edge crossings, keeping the best ordering seen.
 */

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface NodePlacement {
  layer: number;
  /** Position inside the layer, in reading order (wrapped layers fill row by row). */
  index: number;
  x: number;
  y: number;
}

export interface Layout {
  nodes: Map<string, NodePlacement>;
  width: number;
  height: number;
  layers: string[][];
  /** Horizontal extent of each layer (several sub-columns when wrapped). */
  bands: { x: number; width: number }[];
  /** Crossings between adjacent layers (long edges interpolated), after ordering. */
  crossings: number;
}

export interface LayoutOptions {
  nodeWidth?: number;
  nodeHeight?: number;
  columnGap?: number;
  /** Gap between the sub-columns of one wrapped layer. */
  subColumnGap?: number;
  rowGap?: number;
  sweeps?: number;
  /** Rows before a layer wraps into another column (default: chosen for the aspect ratio). */
  maxRows?: number;
  /** Target width/height ratio when choosing maxRows. */
  aspect?: number;
}

/** Longest-path layers; nodes left over by a cycle go one layer past the rest, in id order. */
export function assignLayers(ids: readonly string[], edges: readonly LayoutEdge[]): Map<string, number> {
  const known = new Set(ids);
  const parents = new Map<string, string[]>(ids.map((id) => [id, []]));
  const children = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (!known.has(e.from) || !known.has(e.to) || e.from === e.to) continue;
    parents.get(e.to)!.push(e.from);
    children.get(e.from)!.push(e.to);
  }
  const indegree = new Map(ids.map((id) => [id, parents.get(id)!.length]));
  const layer = new Map<string, number>();
  let ready = ids.filter((id) => indegree.get(id) === 0).sort();
  while (ready.length) {
    const next: string[] = [];
    for (const id of ready) {
      layer.set(id, Math.max(-1, ...parents.get(id)!.map((p) => layer.get(p) ?? -1)) + 1);
      for (const c of children.get(id)!) {
        const d = indegree.get(c)! - 1;
        indegree.set(c, d);
        if (d === 0) next.push(c);
      }
    }
    ready = next.sort();
  }
  const deepest = Math.max(-1, ...layer.values());
  for (const id of [...ids].sort()) if (!layer.has(id)) layer.set(id, deepest + 1);
  return layer;
}

export function layoutDag(ids: readonly string[], edges: readonly LayoutEdge[], opts: LayoutOptions = {}): Layout {
  const nodeWidth = opts.nodeWidth ?? 200;
  const nodeHeight = opts.nodeHeight ?? 30;
  const columnGap = opts.columnGap ?? 90;
  const subColumnGap = opts.subColumnGap ?? 24;
  const rowGap = opts.rowGap ?? 12;
  const sweeps = opts.sweeps ?? 8;

  const layerOf = assignLayers(ids, edges);
  const layerCount = Math.max(0, ...layerOf.values()) + (ids.length ? 1 : 0);
  let layers: string[][] = Array.from({ length: layerCount }, () => []);
  for (const id of [...ids].sort()) layers[layerOf.get(id)!]!.push(id);

  const known = new Set(ids);
  const usable = edges.filter((e) => known.has(e.from) && known.has(e.to) && e.from !== e.to && layerOf.get(e.from)! < layerOf.get(e.to)!);
  const parents = new Map<string, string[]>(ids.map((id) => [id, []]));
  const children = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of usable) {
    parents.get(e.to)!.push(e.from);
    children.get(e.from)!.push(e.to);
  }

  // Normalized positions (0..1) so layers of different sizes can be compared.
  const positions = (order: string[][]): Map<string, number> => {
    const pos = new Map<string, number>();
    for (const layer of order) layer.forEach((id, i) => pos.set(id, (i + 0.5) / layer.length));
    return pos;
  };
  const reorder = (order: string[][], layerIndex: number, neighbours: Map<string, string[]>): string[][] => {
    const pos = positions(order);
    const current = order[layerIndex]!;
    const keyed = current.map((id, i) => {
      const ns = neighbours.get(id)!;
      const bary = ns.length ? ns.reduce((s, n) => s + pos.get(n)!, 0) / ns.length : pos.get(id)!;
      return { id, bary, i };
    });
    keyed.sort((a, b) => a.bary - b.bary || a.i - b.i);
    const copy = order.slice();
    copy[layerIndex] = keyed.map((k) => k.id);
    return copy;
  };

  let best = layers;
  let bestCrossings = countCrossings(layers, usable, layerOf);
  for (let s = 0; s < sweeps && bestCrossings > 0; s++) {
    if (s % 2 === 0) for (let l = 1; l < layers.length; l++) layers = reorder(layers, l, parents);
    else for (let l = layers.length - 2; l >= 0; l--) layers = reorder(layers, l, children);
    const crossings = countCrossings(layers, usable, layerOf);
    if (crossings < bestCrossings) {
      best = layers;
      bestCrossings = crossings;
    }
  }

  const rowHeight = nodeHeight + rowGap;
  const rows = opts.maxRows ?? chooseMaxRows(best.map((l) => l.length), nodeWidth + columnGap, rowHeight, opts.aspect ?? 1.6);
  const nodes = new Map<string, NodePlacement>();
  const bands: { x: number; width: number }[] = [];
  const layerRows = best.map((layer) => Math.ceil(layer.length / Math.max(1, Math.ceil(layer.length / rows))));
  const maxRows = Math.max(0, ...layerRows);
  let x = 0;
  best.forEach((layer, l) => {
    // A layer taller than `rows` is wrapped row by row into sub-columns, set closer together than
    // layers, which keeps each node's height close to its neighbours' in the adjacent layers.
    const columns = Math.max(1, Math.ceil(layer.length / rows));
    const offset = ((maxRows - layerRows[l]!) * rowHeight) / 2;
    layer.forEach((id, index) =>
      nodes.set(id, { layer: l, index, x: x + (index % columns) * (nodeWidth + subColumnGap), y: offset + Math.floor(index / columns) * rowHeight }),
    );
    const width = columns * nodeWidth + (columns - 1) * subColumnGap;
    bands.push({ x, width });
    x += width + columnGap;
  });
  return {
    nodes,
    layers: best,
    bands,
    width: bands.length ? x - columnGap : 0,
    height: maxRows ? maxRows * rowHeight - rowGap : 0,
    crossings: bestCrossings,
  };
}

/**
 * Rows per column so the drawing is about `aspect` times wider than tall: a deep, narrow DAG
 * keeps one column per layer, a wide one (hundreds of models fed by a few sources) wraps.
 */
export function chooseMaxRows(layerSizes: readonly number[], columnWidth: number, rowHeight: number, aspect: number): number {
  const tallest = Math.max(0, ...layerSizes);
  let best = tallest;
  let bestScore = Infinity;
  for (let rows = tallest; rows >= Math.min(tallest, 8); rows--) {
    const columns = layerSizes.reduce((sum, n) => sum + Math.max(1, Math.ceil(n / rows)), 0);
    const height = Math.max(...layerSizes.map((n) => Math.ceil(n / Math.max(1, Math.ceil(n / rows))))) * rowHeight;
    const score = Math.abs(Math.log((columns * columnWidth) / height / aspect));
    if (score < bestScore - 1e-9) {
      best = rows;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Crossings between each pair of adjacent layers. An edge spanning several layers is
 * interpolated linearly between its ends, which is how it is drawn (roughly).
 */
export function countCrossings(layers: string[][], edges: readonly LayoutEdge[], layerOf: Map<string, number>): number {
  const pos = new Map<string, number>();
  for (const layer of layers) layer.forEach((id, i) => pos.set(id, (i + 0.5) / layer.length));
  let total = 0;
  for (let gap = 0; gap + 1 < layers.length; gap++) {
    const segments: [number, number][] = [];
    for (const e of edges) {
      const a = layerOf.get(e.from)!;
      const b = layerOf.get(e.to)!;
      if (a > gap || b < gap + 1) continue;
      const pa = pos.get(e.from)!;
      const pb = pos.get(e.to)!;
      const at = (l: number) => pa + ((pb - pa) * (l - a)) / (b - a);
      segments.push([at(gap), at(gap + 1)]);
    }
    segments.sort((s, t) => s[0] - t[0] || s[1] - t[1]);
    total += inversions(segments.map((s) => s[1]), segments.map((s) => s[0]));
  }
  return total;
}

/** Pairs i<j with right[i] > right[j] and left[i] < left[j] (strict, so shared ends do not count). */
function inversions(right: number[], left: number[]): number {
  let count = 0;
  // Quadratic is fine for the few hundred edges between two layers; keep it obviously right.
  for (let i = 0; i < right.length; i++) {
    for (let j = i + 1; j < right.length; j++) {
      if (left[i]! < left[j]! && right[i]! > right[j]!) count++;
    }
  }
  return count;
}
