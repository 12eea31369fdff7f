import { describe, expect, it } from 'vitest';
import { assignLayers, chooseMaxRows, countCrossings, layoutDag, type LayoutEdge } from '../../src/docs/layout.js';

const e = (from: string, to: string): LayoutEdge => ({ from, to });

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
    expect(layout).toMatchObject({ width: 0, height: 0, crossings: 0 });
  });
});
