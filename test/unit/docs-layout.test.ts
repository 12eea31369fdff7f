import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { assignLayers, chooseMaxRows, countCrossings, layoutDag, layoutScript, type Layout, type LayoutEdge, type LayoutEngine } from '../../src/docs/layout.js';

const e = (from: string, to: string): LayoutEdge => ({ from, to });
const W = 200;
const H = 30;

/** A small deterministic PRNG (mulberry32), so the generated graphs are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Generated lineage-like DAGs: a few sources, models reading one to three earlier nodes (often
 * a recent one, sometimes one far back, which makes long edges), tests and exposures hanging off
 * models. `shape` tunes how wide and how deep it grows.
 */
function generatedGraph(models: number, seed: number, shape: 'wide' | 'deep' | 'mixed'): { ids: string[]; edges: LayoutEdge[] } {
  const rnd = random(seed);
  const sources = Math.max(1, Math.round(models / (shape === 'wide' ? 50 : 15)));
  const ids: string[] = [];
  const edges: LayoutEdge[] = [];
  for (let s = 0; s < sources; s++) ids.push(`source.s${s}`);
  for (let m = 0; m < models; m++) {
    const id = `model.m${m}`;
    const inputs = 1 + Math.floor(rnd() * (shape === 'deep' ? 3 : 2));
    const pool = ids.length;
    const parents = new Set<string>();
    for (let k = 0; k < inputs; k++) {
      const r = rnd();
      // deep: mostly the latest nodes; wide: mostly the sources; mixed: anything.
      const pick = shape === 'deep' && r < 0.7 ? pool - 1 - Math.floor(rnd() * Math.min(pool, 4)) : shape === 'wide' && r < 0.7 ? Math.floor(rnd() * sources) : Math.floor(rnd() * pool);
      parents.add(ids[pick]!);
    }
    ids.push(id);
    for (const p of parents) edges.push(e(p, id));
    if (rnd() < 0.15) {
      ids.push(`test.t${m}`);
      edges.push(e(id, `test.t${m}`));
    }
  }
  const modelIds = ids.filter((id) => id.startsWith('model.'));
  for (let x = 0; x < Math.max(1, Math.round(models / 20)); x++) {
    const id = `exposure.x${x}`;
    ids.push(id);
    for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) edges.push(e(modelIds[Math.floor(rnd() * modelIds.length)]!, id));
  }
  const unique = new Map(edges.map((x) => [`${x.from}>${x.to}`, x]));
  return { ids, edges: [...unique.values()] };
}

/** Whether an axis-parallel segment passes through the inside of a box (touching its border does not count). */
function crossesBox(p: [number, number], q: [number, number], box: { x: number; y: number }): boolean {
  const [x1, x2] = [Math.min(p[0], q[0]), Math.max(p[0], q[0])];
  const [y1, y2] = [Math.min(p[1], q[1]), Math.max(p[1], q[1])];
  if (y1 === y2) return y1 > box.y && y1 < box.y + H && Math.max(x1, box.x) < Math.min(x2, box.x + W);
  return x1 > box.x && x1 < box.x + W && Math.max(y1, box.y) < Math.min(y2, box.y + H);
}

/** Every geometric promise of a layout: boxes apart, every edge routed, orthogonal, through no box. */
function checkGeometry(layout: Layout, ids: readonly string[], edges: readonly LayoutEdge[]): { segments: number; bends: number } {
  const boxes = [...layout.nodes.entries()];
  expect(boxes.map(([id]) => id).sort()).toEqual([...ids].sort());
  // No two boxes overlap (rows and columns never share a box).
  expect(new Set(boxes.map(([, p]) => `${p.column},${p.row}`)).size).toBe(ids.length);
  for (const [, p] of boxes) {
    expect(p.x).toBeGreaterThanOrEqual(0);
    expect(p.y).toBeGreaterThanOrEqual(0);
    expect(p.x + W).toBeLessThanOrEqual(layout.width);
    expect(p.y + H).toBeLessThanOrEqual(layout.height);
  }
  const wanted = edges.filter((x) => x.from !== x.to && layout.nodes.has(x.from) && layout.nodes.has(x.to));
  expect(layout.routes.map((r) => `${r.from}>${r.to}`)).toEqual(wanted.map((x) => `${x.from}>${x.to}`));
  let segments = 0;
  let bends = 0;
  for (const route of layout.routes) {
    const a = layout.nodes.get(route.from)!;
    const b = layout.nodes.get(route.to)!;
    const first = route.points[0]!;
    const last = route.points[route.points.length - 1]!;
    // Leaves the source by its right side and enters the target by its left side, mid-height.
    expect(first).toEqual([a.x + W, a.y + H / 2]);
    expect(last).toEqual([b.x, b.y + H / 2]);
    bends += route.points.length - 2;
    for (let k = 1; k < route.points.length; k++) {
      const p = route.points[k - 1]!;
      const q = route.points[k]!;
      segments++;
      expect(p[0] === q[0] || p[1] === q[1], `${route.from}>${route.to} segment ${k} is not orthogonal`).toBe(true);
      // Not even the boxes it connects: it only touches their sides.
      for (const [id, box] of boxes) {
        if (crossesBox(p, q, box)) expect.fail(`edge ${route.from} → ${route.to} crosses ${id} (segment ${JSON.stringify(p)}–${JSON.stringify(q)})`);
      }
    }
  }
  return { segments, bends };
}

describe('layers', () => {
  it('places each node one layer right of its furthest parent', () => {
    const layers = assignLayers(['a', 'b', 'c', 'd'], [e('a', 'b'), e('b', 'c'), e('a', 'c'), e('a', 'd')]);
    expect(Object.fromEntries(layers)).toEqual({ a: 0, b: 1, c: 2, d: 1 });
  });

  it('puts nodes of a cycle after the others instead of failing', () => {
    const layers = assignLayers(['a', 'b', 'c'], [e('a', 'b'), e('b', 'c'), e('c', 'b')]);
    expect(layers.get('a')).toBe(0);
    expect(layers.get('b')).toBe(1);
    expect(layers.get('c')).toBe(1);
  });

  it('ignores edges to unknown nodes and self edges', () => {
    const layers = assignLayers(['a', 'b'], [e('a', 'zz'), e('b', 'b'), e('a', 'b')]);
    expect(Object.fromEntries(layers)).toEqual({ a: 0, b: 1 });
  });
});

describe('layoutDag', () => {
  it('draws every edge left to right', () => {
    const ids = ['s1', 's2', 'm1', 'm2', 'm3', 'x'];
    const edges = [e('s1', 'm1'), e('s2', 'm2'), e('m1', 'm3'), e('m2', 'm3'), e('m3', 'x'), e('s1', 'x')];
    const layout = layoutDag(ids, edges);
    for (const edge of edges) expect(layout.nodes.get(edge.from)!.x).toBeLessThan(layout.nodes.get(edge.to)!.x);
    expect(layout.nodes.size).toBe(ids.length);
  });

  it('orders layers by barycenter to remove avoidable crossings', () => {
    // In id order, a→y and b→x cross; barycenter ordering uncrosses them.
    const ids = ['a', 'b', 'x', 'y'];
    const edges = [e('a', 'y'), e('b', 'x')];
    const layers = assignLayers(ids, edges);
    expect(countCrossings([['a', 'b'], ['x', 'y']], edges, layers)).toBe(1);
    const layout = layoutDag(ids, edges);
    expect(layout.crossings).toBe(0);
    expect(layout.nodes.get('a')!.y < layout.nodes.get('b')!.y).toBe(layout.nodes.get('y')!.y < layout.nodes.get('x')!.y);
  });

  it('keeps nodes from overlapping, also when wide layers wrap into sub-columns', () => {
    const ids = ['src', ...Array.from({ length: 60 }, (_, i) => `m${String(i).padStart(2, '0')}`)];
    const edges = ids.slice(1).map((id) => e('src', id));
    const layout = layoutDag(ids, edges, { maxRows: 10 });
    const spots = new Set([...layout.nodes.values()].map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(ids.length);
    const xs = new Set(ids.slice(1).map((id) => layout.nodes.get(id)!.x));
    expect(xs.size).toBe(6);
    for (const p of layout.nodes.values()) {
      expect(p.x + 200).toBeLessThanOrEqual(layout.width);
      expect(p.y + 30).toBeLessThanOrEqual(layout.height);
    }
    expect(layout.bands).toHaveLength(2);
  });

  it('wraps a wide, shallow graph and leaves a deep, narrow one alone', () => {
    expect(chooseMaxRows([1, 2, 2, 2, 2, 2, 2], 290, 42, 1.6)).toBe(2);
    expect(chooseMaxRows([5, 250], 290, 42, 1.6)).toBeLessThan(250);
  });

  it('is deterministic whatever the input order', () => {
    const ids = ['c', 'a', 'b', 'd'];
    const edges = [e('a', 'c'), e('b', 'c'), e('c', 'd')];
    const one = layoutDag(ids, edges);
    const two = layoutDag([...ids].reverse(), [...edges].reverse());
    expect([...one.nodes].sort()).toEqual([...two.nodes].sort());
  });

  it('handles an empty graph', () => {
    const layout = layoutDag([], []);
    expect(layout).toMatchObject({ width: 0, height: 0, crossings: 0, routes: [] });
  });

  it('lines rows up across layers, so the gaps between rows run through the whole drawing', () => {
    const { ids, edges } = generatedGraph(120, 7, 'wide');
    const layout = layoutDag(ids, edges);
    for (const p of layout.nodes.values()) expect(p.y).toBe(p.row * (H + 12));
  });
});

describe('edge routing', () => {
  it('routes an edge across a wrapped layer around its boxes, not through them', () => {
    // s feeds 12 models wrapped into 3 sub-columns; m00 (first sub-column) feeds x in the next
    // layer: a straight line from m00 to x would cross the two sub-columns to its right.
    const ms = Array.from({ length: 12 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const ids = ['s', ...ms, 'x'];
    const edges = [...ms.map((m) => e('s', m)), e('m00', 'x')];
    const layout = layoutDag(ids, edges, { maxRows: 4 });
    const m00 = layout.nodes.get('m00')!;
    const x = layout.nodes.get('x')!;
    expect(x.column - m00.column).toBeGreaterThan(1);
    const route = layout.routes.find((r) => r.from === 'm00')!;
    expect(route.points.length).toBeGreaterThan(2);
    checkGeometry(layout, ids, edges);
  });

  it('routes an edge that skips layers around the boxes of the layers between', () => {
    // a → b → c → d and a → d: the long edge passes the columns of b and c.
    const ids = ['a', 'b', 'c', 'd', 'b2', 'c2'];
    const edges = [e('a', 'b'), e('b', 'c'), e('c', 'd'), e('a', 'd'), e('a', 'b2'), e('b2', 'c2')];
    checkGeometry(layoutDag(ids, edges), ids, edges);
  });

  it('routes the edges of a cycle too (a broken project still draws)', () => {
    const ids = ['a', 'b', 'c'];
    const edges = [e('a', 'b'), e('b', 'c'), e('c', 'b')];
    checkGeometry(layoutDag(ids, edges), ids, edges);
  });

  for (const [models, seed, shape] of [
    [5, 1, 'mixed'],
    [40, 2, 'deep'],
    [40, 3, 'wide'],
    [150, 4, 'mixed'],
    [400, 5, 'wide'],
    [400, 6, 'deep'],
    [1000, 8, 'mixed'],
  ] as const) {
    it(`never crosses a box: generated ${shape} graph with ${models} models`, () => {
      const { ids, edges } = generatedGraph(models, seed, shape);
      const layout = layoutDag(ids, edges);
      const { segments } = checkGeometry(layout, ids, edges);
      expect(segments).toBeGreaterThan(edges.length - 1);
    });
  }

  it('lays out a subset (what a filter or a focus leaves) with only its nodes and their edges', () => {
    const { ids, edges } = generatedGraph(300, 9, 'mixed');
    const shown = ids.filter((_, i) => i % 3 === 0);
    const keep = new Set(shown);
    const layout = layoutDag(shown, edges);
    checkGeometry(layout, shown, edges);
    expect(layout.routes.every((r) => keep.has(r.from) && keep.has(r.to))).toBe(true);
    // Fewer nodes, smaller drawing: the subset is not left where the full layout put it.
    const full = layoutDag(ids, edges);
    expect(layout.width * layout.height).toBeLessThan(full.width * full.height / 2);
  });
});

describe('the browser copy of the engine', () => {
  it('is the same code: assets/layout.js gives the same layout and routes', () => {
    const sandbox: { streamtLayout?: LayoutEngine } = {};
    runInNewContext(layoutScript(), sandbox);
    const browser = sandbox.streamtLayout!;
    const { ids, edges } = generatedGraph(200, 11, 'mixed');
    const here = layoutDag(ids, edges);
    const there = browser.layoutDag(ids, edges);
    expect(JSON.stringify([...there.nodes])).toBe(JSON.stringify([...here.nodes]));
    expect(JSON.stringify(there.routes)).toBe(JSON.stringify(here.routes));
    expect(there.bands).toEqual(here.bands);
  });
});
