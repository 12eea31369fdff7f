/**
 * Left-to-right layered layout of the lineage graph, with edges routed around the boxes.
 *
 * Layers come from the longest path in topological order (a node sits one column right of its
 * furthest parent); the order inside each layer comes from barycenter sweeps that reduce edge
 * crossings, keeping the best ordering seen. A layer with many nodes wraps row by row into
 * sub-columns, so a wide, shallow project still fits a screen. Rows are aligned across the whole
 * drawing, which leaves free lanes: the vertical gaps between columns and the horizontal gaps
 * between rows. Every edge is an orthogonal polyline in those lanes (or along a row that is
 * empty where the edge crosses it), so no edge crosses a box. docs/development.md says why this
 * and not dummy nodes or a library (measured).
 *
 * The browser runs this very code to lay out what a filter or a focus leaves: `layoutScript()`
 * is the source of `assets/layout.js`. So everything lives in `layoutEngine`, which must stay
 * self-contained: no import, no reference to anything outside its body (types are erased).
 */

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface NodePlacement {
  layer: number;
  /** Position inside the layer, in reading order (wrapped layers fill row by row). */
  index: number;
  /** Column across the whole drawing (sub-columns of wrapped layers counted) and row. */
  column: number;
  row: number;
  x: number;
  y: number;
}

/** An edge drawn as an orthogonal polyline: from the right side of `from` to the left side of `to`. */
export interface EdgeRoute {
  from: string;
  to: string;
  points: [number, number][];
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
  /** One route per edge between two distinct laid-out nodes, in the order of the input edges. */
  routes: EdgeRoute[];
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

export interface LayoutEngine {
  assignLayers(ids: readonly string[], edges: readonly LayoutEdge[]): Map<string, number>;
  layoutDag(ids: readonly string[], edges: readonly LayoutEdge[], opts?: LayoutOptions): Layout;
  chooseMaxRows(layerSizes: readonly number[], columnWidth: number, rowHeight: number, aspect: number): number;
  countCrossings(layers: string[][], edges: readonly LayoutEdge[], layerOf: Map<string, number>): number;
}

/** The layout functions. Self-contained: its source is shipped to the browser as is. */
export function layoutEngine(): LayoutEngine {
  /** Longest-path layers; nodes left over by a cycle go one layer past the rest, in id order. */
  function assignLayers(ids: readonly string[], edges: readonly LayoutEdge[]): Map<string, number> {
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
        let l = 0;
        for (const p of parents.get(id)!) l = Math.max(l, (layer.get(p) ?? -1) + 1);
        layer.set(id, l);
        for (const c of children.get(id)!) {
          const d = indegree.get(c)! - 1;
          indegree.set(c, d);
          if (d === 0) next.push(c);
        }
      }
      ready = next.sort();
    }
    let deepest = -1;
    for (const l of layer.values()) deepest = Math.max(deepest, l);
    for (const id of [...ids].sort()) if (!layer.has(id)) layer.set(id, deepest + 1);
    return layer;
  }

  /**
   * Rows per column so the drawing is about `aspect` times wider than tall: a deep, narrow DAG
   * keeps one column per layer, a wide one (hundreds of models fed by a few sources) wraps.
   */
  function chooseMaxRows(layerSizes: readonly number[], columnWidth: number, rowHeight: number, aspect: number): number {
    let tallest = 0;
    for (const n of layerSizes) tallest = Math.max(tallest, n);
    let best = tallest;
    let bestScore = Infinity;
    for (let rows = tallest; rows >= Math.min(tallest, 8); rows--) {
      let columns = 0;
      let height = 0;
      for (const n of layerSizes) {
        const cols = Math.max(1, Math.ceil(n / rows));
        columns += cols;
        height = Math.max(height, Math.ceil(n / cols) * rowHeight);
      }
      const score = Math.abs(Math.log((columns * columnWidth) / height / aspect));
      if (score < bestScore - 1e-9) {
        best = rows;
        bestScore = score;
      }
    }
    return best;
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

  /**
   * Crossings between each pair of adjacent layers. An edge spanning several layers is
   * interpolated linearly between its ends (an estimate: that is what the ordering minimises).
   */
  function countCrossings(layers: string[][], edges: readonly LayoutEdge[], layerOf: Map<string, number>): number {
    const pos = new Map<string, number>();
    for (const layer of layers) layer.forEach((id, i) => pos.set(id, (i + 0.5) / layer.length));
    const byGap: [number, number][][] = layers.map(() => []);
    for (const e of edges) {
      const a = layerOf.get(e.from)!;
      const b = layerOf.get(e.to)!;
      const pa = pos.get(e.from)!;
      const pb = pos.get(e.to)!;
      for (let gap = a; gap < b; gap++) {
        const at = (l: number) => pa + ((pb - pa) * (l - a)) / (b - a);
        byGap[gap]!.push([at(gap), at(gap + 1)]);
      }
    }
    let total = 0;
    for (const segments of byGap) {
      if (segments.length < 2) continue;
      segments.sort((s, t) => s[0] - t[0] || s[1] - t[1]);
      total += inversions(segments.map((s) => s[1]), segments.map((s) => s[0]));
    }
    return total;
  }

  function layoutDag(ids: readonly string[], edges: readonly LayoutEdge[], opts: LayoutOptions = {}): Layout {
    const nodeWidth = opts.nodeWidth ?? 200;
    const nodeHeight = opts.nodeHeight ?? 30;
    const columnGap = opts.columnGap ?? 90;
    const subColumnGap = opts.subColumnGap ?? 24;
    const rowGap = opts.rowGap ?? 12;
    const sweeps = opts.sweeps ?? 8;

    const layerOf = assignLayers(ids, edges);
    let layerCount = 0;
    for (const l of layerOf.values()) layerCount = Math.max(layerCount, l + 1);
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
    /** Left x of every column, and the rows it holds a box in. */
    const columnX: number[] = [];
    const taken: Set<number>[] = [];
    const layerRows = best.map((layer) => Math.ceil(layer.length / Math.max(1, Math.ceil(layer.length / rows))));
    let maxRows = 0;
    for (const r of layerRows) maxRows = Math.max(maxRows, r);
    let x = 0;
    best.forEach((layer, l) => {
      // A layer taller than `rows` is wrapped row by row into sub-columns, set closer together than
      // layers, which keeps each node's height close to its neighbours' in the adjacent layers.
      // Layers are centred vertically by whole rows, so rows line up across the drawing.
      const columns = Math.max(1, Math.ceil(layer.length / rows));
      const first = columnX.length;
      for (let c = 0; c < columns; c++) {
        columnX.push(x + c * (nodeWidth + subColumnGap));
        taken.push(new Set());
      }
      const top = Math.floor((maxRows - layerRows[l]!) / 2);
      layer.forEach((id, index) => {
        const column = first + (index % columns);
        const row = top + Math.floor(index / columns);
        taken[column]!.add(row);
        nodes.set(id, { layer: l, index, column, row, x: columnX[column]!, y: row * rowHeight });
      });
      const width = columns * nodeWidth + (columns - 1) * subColumnGap;
      bands.push({ x, width });
      x += width + columnGap;
    });

    // ---- routing ----
    // Lanes free of boxes: the middle of the gap on either side of each column, the middle of
    // the gap between two rows, and a row's centre line where the columns crossed hold no box there.
    const gapAfter = (c: number) => (c + 1 < columnX.length ? (columnX[c]! + nodeWidth + columnX[c + 1]!) / 2 : columnX[c]! + nodeWidth + columnGap / 2);
    const gapBefore = (c: number) => (c > 0 ? gapAfter(c - 1) : columnX[0]! - columnGap / 2);
    const rowFree = (row: number, from: number, to: number) => {
      for (let c = from + 1; c < to; c++) if (taken[c]!.has(row)) return false;
      return true;
    };
    const middle = nodeHeight / 2;
    const routes: EdgeRoute[] = [];
    for (const e of edges) {
      const a = nodes.get(e.from);
      const b = nodes.get(e.to);
      if (!a || !b || e.from === e.to) continue;
      const start: [number, number] = [a.x + nodeWidth, a.y + middle];
      const end: [number, number] = [b.x, b.y + middle];
      const out = gapAfter(a.column);
      const into = gapBefore(b.column);
      let points: [number, number][];
      if (a.column < b.column && (out === into || rowFree(b.row, a.column, b.column))) {
        // Down the gap right of the source, then along the target's row.
        points = [start, [out, start[1]], [out, end[1]], end];
      } else if (a.column < b.column && rowFree(a.row, a.column, b.column)) {
        // Along the source's row, then down the gap left of the target.
        points = [start, [into, start[1]], [into, end[1]], end];
      } else {
        // Through the gap between rows next to the target, on the side facing the source.
        const lane = (b.row + (a.row > b.row ? 1 : 0)) * rowHeight - rowGap / 2;
        points = [start, [out, start[1]], [out, lane], [into, lane], [into, end[1]], end];
      }
      routes.push({ from: e.from, to: e.to, points: simplify(points) });
    }

    return {
      nodes,
      layers: best,
      bands,
      width: bands.length ? x - columnGap : 0,
      height: maxRows ? maxRows * rowHeight - rowGap : 0,
      crossings: bestCrossings,
      routes,
    };
  }

  /** Drops repeated points and the middle of three aligned points. */
  function simplify(points: [number, number][]): [number, number][] {
    const out: [number, number][] = [];
    for (const p of points) {
      const last = out[out.length - 1];
      if (last && last[0] === p[0] && last[1] === p[1]) continue;
      const before = out[out.length - 2];
      if (before && last && ((before[0] === last[0] && last[0] === p[0]) || (before[1] === last[1] && last[1] === p[1]))) out.pop();
      out.push(p);
    }
    return out;
  }

  return { assignLayers, layoutDag, chooseMaxRows, countCrossings };
}

const engine = layoutEngine();
export const assignLayers = engine.assignLayers;
export const layoutDag = engine.layoutDag;
export const chooseMaxRows = engine.chooseMaxRows;
export const countCrossings = engine.countCrossings;

/** `assets/layout.js`: the same engine for the browser, as `window.streamtLayout`. */
export function layoutScript(): string {
  return `/* streamt docs: the lineage layout engine (src/docs/layout.ts), shared with \`streamt docs generate\`. */\nvar streamtLayout = (${layoutEngine.toString()})();\n`;
}
