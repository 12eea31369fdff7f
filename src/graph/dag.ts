/**
 * A small directed graph over graphlib with the operations streamt needs, all deterministic:
 * topological order (ties broken by id), waves of independent nodes, cycles with their full
 * path, ancestors and descendants.
 */
import { Graph, alg } from '@dagrejs/graphlib';

export class Dag<Id extends string = string, Data = unknown> {
  private readonly g = new Graph({ directed: true });

  addNode(id: Id, data: Data): void {
    this.g.setNode(id, data as never);
  }

  /** Edges to unknown nodes are ignored: a missing reference is reported by validation, not here. */
  addEdge(from: Id, to: Id, label?: string): void {
    if (!this.g.hasNode(from) || !this.g.hasNode(to) || from === to) return;
    this.g.setEdge(from, to, label);
  }

  has(id: string): id is Id {
    return this.g.hasNode(id);
  }

  data(id: Id): Data {
    return this.g.node(id) as Data;
  }

  nodes(): Id[] {
    return (this.g.nodes() as Id[]).sort();
  }

  edges(): { from: Id; to: Id }[] {
    return this.g
      .edges()
      .map((e) => ({ from: e.v as Id, to: e.w as Id }))
      .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  }

  parents(id: Id): Id[] {
    return ((this.g.predecessors(id) ?? []) as Id[]).sort();
  }

  children(id: Id): Id[] {
    return ((this.g.successors(id) ?? []) as Id[]).sort();
  }

  /** Every cycle's nodes in order, starting from its smallest id: [a, b, c] means a -> b -> c -> a. */
  cycles(): Id[][] {
    const out: Id[][] = [];
    for (const component of alg.tarjan(this.g) as Id[][]) {
      if (component.length === 1 && !this.g.hasEdge(component[0]!, component[0]!)) continue;
      const members = new Set(component);
      const start = [...component].sort()[0]!;
      out.push(this.pathWithin(start, members));
    }
    return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
  }

  /** A simple cycle through `start` inside one strongly connected component (BFS back to start). */
  private pathWithin(start: Id, members: Set<Id>): Id[] {
    const previous = new Map<Id, Id>();
    const queue: Id[] = [start];
    const seen = new Set<Id>([start]);
    while (queue.length) {
      const current = queue.shift()!;
      for (const next of this.children(current)) {
        if (!members.has(next)) continue;
        if (next === start) {
          const path: Id[] = [current];
          while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
          return path;
        }
        if (!seen.has(next)) {
          seen.add(next);
          previous.set(next, current);
          queue.push(next);
        }
      }
    }
    return [start];
  }

  /**
   * Kahn's algorithm with the smallest ready id first, so the order never depends on file order.
   * Nodes on cycles come last, in id order.
   */
  topologicalOrder(): Id[] {
    return this.waves().flat();
  }

  /** Groups of nodes whose parents are all in earlier groups: what can run in parallel. */
  waves(): Id[][] {
    const indegree = new Map<Id, number>();
    for (const id of this.nodes()) indegree.set(id, this.parents(id).length);
    const waves: Id[][] = [];
    let ready = [...indegree].filter(([, d]) => d === 0).map(([id]) => id).sort();
    const placed = new Set<Id>();
    while (ready.length) {
      waves.push(ready);
      const next: Id[] = [];
      for (const id of ready) {
        placed.add(id);
        for (const child of this.children(id)) {
          const d = indegree.get(child)! - 1;
          indegree.set(child, d);
          if (d === 0) next.push(child);
        }
      }
      ready = next.sort();
    }
    const rest = this.nodes().filter((id) => !placed.has(id));
    if (rest.length) waves.push(rest);
    return waves;
  }

  ancestors(id: Id, depth = Infinity): Set<Id> {
    return this.reach(id, (n) => this.parents(n), depth);
  }

  descendants(id: Id, depth = Infinity): Set<Id> {
    return this.reach(id, (n) => this.children(n), depth);
  }

  private reach(id: Id, next: (n: Id) => Id[], depth: number): Set<Id> {
    const out = new Set<Id>();
    let frontier = [id];
    for (let level = 0; level < depth && frontier.length; level++) {
      const upcoming: Id[] = [];
      for (const n of frontier) {
        for (const m of next(n)) {
          if (!out.has(m) && m !== id) {
            out.add(m);
            upcoming.push(m);
          }
        }
      }
      frontier = upcoming;
    }
    return out;
  }
}
