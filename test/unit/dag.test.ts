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

  it('finds the cycles of random graphs: each strongly connected component once, its path a real cycle', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const n = 2 + Math.floor(random() * 12);
      const names = Array.from({ length: n }, (_, i) => `n${String(i).padStart(2, '0')}`);
      const edges: [string, string][] = [];
      for (let e = Math.floor(random() * n * 2); e > 0; e--) edges.push([names[Math.floor(random() * n)]!, names[Math.floor(random() * n)]!]);
      const d = dag(edges, names);
      // Mutual reachability, by brute force: the components the cycles must cover.
      const reach = new Map(names.map((v) => [v, d.descendants(v)]));
      const components = new Map<string, string[]>();
      for (const v of names) {
        const members = names.filter((w) => w === v || (reach.get(v)!.has(w) && reach.get(w)!.has(v)));
        if (members.length > 1) components.set(members[0]!, members);
      }
      const cycles = d.cycles();
      expect(cycles.map((c) => c[0])).toEqual([...components.keys()].sort());
      for (const cycle of cycles) {
        const members = components.get(cycle[0]!)!;
        expect(cycle.every((v) => members.includes(v))).toBe(true);
        expect(new Set(cycle).size).toBe(cycle.length);
        cycle.forEach((v, i) => expect(d.children(v)).toContain(cycle[(i + 1) % cycle.length]));
      }
      // A topological order puts every edge's parent first, but for the nodes on or after a cycle.
      const order = d.topologicalOrder();
      expect([...order].sort()).toEqual([...names].sort());
      const blocked = new Set([...components.values()].flat().flatMap((v) => [v, ...reach.get(v)!]));
      for (const { from, to } of d.edges()) if (!blocked.has(to)) expect(order.indexOf(from)).toBeLessThan(order.indexOf(to));
    }
  });

  it('finds a cycle along a chain of 20,000 nodes (no recursion)', () => {
    const names = Array.from({ length: 20_000 }, (_, i) => `m${String(i).padStart(5, '0')}`);
    const edges: [string, string][] = names.slice(1).map((v, i) => [names[i]!, v]);
    edges.push([names[names.length - 1]!, names[0]!]);
    const cycles = dag(edges).cycles();
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toEqual(names);
  });
});
