import { describe, expect, it } from 'vitest';
import { Dag } from '../../src/graph/dag.js';

function dag(edges: [string, string][], extra: string[] = []) {
  const d = new Dag<string, null>();
  for (const n of new Set([...edges.flat(), ...extra])) d.addNode(n, null);
  for (const [a, b] of edges) d.addEdge(a, b);
  return d;
}

describe('Dag', () => {
  it('orders topologically, ties broken by id, whatever the insertion order', () => {
    const a = dag([['src', 'm2'], ['src', 'm1'], ['m1', 'm3'], ['m2', 'm3']], ['z_alone']);
    const b = dag([['m2', 'm3'], ['m1', 'm3'], ['src', 'm1'], ['src', 'm2']], ['z_alone']);
    expect(a.topologicalOrder()).toEqual(['src', 'z_alone', 'm1', 'm2', 'm3']);
    expect(b.topologicalOrder()).toEqual(a.topologicalOrder());
    expect(a.waves()).toEqual([['src', 'z_alone'], ['m1', 'm2'], ['m3']]);
  });

  it('finds every cycle with its full path', () => {
    const d = dag([['a', 'b'], ['b', 'c'], ['c', 'a'], ['x', 'y'], ['y', 'x'], ['c', 'd']]);
    expect(d.cycles()).toEqual([
      ['a', 'b', 'c'],
      ['x', 'y'],
    ]);
    expect(dag([['a', 'b']]).cycles()).toEqual([]);
  });

  it('computes ancestors and descendants, with a depth limit', () => {
    const d = dag([['a', 'b'], ['b', 'c'], ['c', 'd']]);
    expect([...d.descendants('a')].sort()).toEqual(['b', 'c', 'd']);
    expect([...d.descendants('a', 1)]).toEqual(['b']);
    expect([...d.ancestors('d', 2)].sort()).toEqual(['b', 'c']);
  });

  it('ignores edges to unknown nodes (validation reports them)', () => {
    const d = dag([['a', 'b']]);
    d.addEdge('a', 'missing');
    expect(d.edges()).toEqual([{ from: 'a', to: 'b' }]);
  });
});
