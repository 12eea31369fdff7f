/**
 * A small directed graph with the operations streamt needs, all deterministic: topological order
 * (ties broken by id), waves of independent nodes, cycles with their full path, ancestors and
 * descendants. Adjacency is kept in Maps of Sets (no library): building the DAG of a
 * 10,000-model project through graphlib (an edge-key string and four index entries per edge)
 * was 8 % of a cold validate's CPU (docs/development.md, "validate and compile from scratch").
 */
export class Dag<Id extends string = string, Data = unknown> {
  private readonly data_ = new Map<Id, Data>();
  private readonly out = new Map<Id, Set<Id>>();
  private readonly in = new Map<Id, Set<Id>>();
  /** The waves of the graph as it is now; dropped when a node or an edge is added. */
  private wavesMemo: Id[][] | undefined;

  addNode(id: Id, data: Data): void {
    this.data_.set(id, data);
    if (!this.out.has(id)) {
      this.out.set(id, new Set());
      this.in.set(id, new Set());
      this.wavesMemo = undefined;
    }
  }

  /** Edges to unknown nodes are ignored: a missing reference is reported by validation, not here. */
  addEdge(from: Id, to: Id, _label?: string): void {
    if (from === to) return;
    const children = this.out.get(from);
    const parents = this.in.get(to);
    if (!children || !parents || children.has(to)) return;
    children.add(to);
    parents.add(from);
    this.wavesMemo = undefined;
  }

  has(id: string): id is Id {
    return this.out.has(id as Id);
  }

  data(id: Id): Data {
    return this.data_.get(id) as Data;
  }

  nodes(): Id[] {
    return [...this.out.keys()].sort();
  }

  edges(): { from: Id; to: Id }[] {
    const out: { from: Id; to: Id }[] = [];
    for (const [from, children] of this.out) for (const to of children) out.push({ from, to });
    return out.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  }

  parents(id: Id): Id[] {
    return [...(this.in.get(id) ?? [])].sort();
  }

  children(id: Id): Id[] {
    return [...(this.out.get(id) ?? [])].sort();
  }

  /** Every cycle's nodes in order, starting from its smallest id: [a, b, c] means a -> b -> c -> a. */
  cycles(): Id[][] {
    const out: Id[][] = [];
    for (const component of this.stronglyConnected()) {
      // Self-edges are never added, so a component of one node is no cycle.
      if (component.length === 1) continue;
      const members = new Set(component);
      const start = [...component].sort()[0]!;
      out.push(this.pathWithin(start, members));
    }
    return out.sort((a, b) => a[0]!.localeCompare(b[0]!));
  }

  /** Tarjan's strongly connected components, iterative (a 10,000-deep chain must not overflow the stack). */
  private stronglyConnected(): Id[][] {
    const index = new Map<Id, number>();
    const low = new Map<Id, number>();
    const onStack = new Set<Id>();
    const stack: Id[] = [];
    const components: Id[][] = [];
    let next = 0;
    for (const root of this.out.keys()) {
      if (index.has(root)) continue;
      const work: { id: Id; it: Iterator<Id> }[] = [{ id: root, it: this.out.get(root)!.values() }];
      index.set(root, next);
      low.set(root, next++);
      stack.push(root);
      onStack.add(root);
      while (work.length) {
        const frame = work[work.length - 1]!;
        const step = frame.it.next();
        if (!step.done) {
          const w = step.value;
          if (!index.has(w)) {
            index.set(w, next);
            low.set(w, next++);
            stack.push(w);
            onStack.add(w);
            work.push({ id: w, it: this.out.get(w)!.values() });
          } else if (onStack.has(w)) {
            low.set(frame.id, Math.min(low.get(frame.id)!, index.get(w)!));
          }
          continue;
        }
        work.pop();
        const v = frame.id;
        if (work.length) {
          const parent = work[work.length - 1]!.id;
          low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
        }
        if (low.get(v) === index.get(v)) {
          const component: Id[] = [];
          let w: Id;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            component.push(w);
          } while (w !== v);
          components.push(component);
        }
      }
    }
    return components;
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
    if (!this.wavesMemo) this.wavesMemo = this.computeWaves();
    return this.wavesMemo.map((w) => [...w]);
  }

  private computeWaves(): Id[][] {
    const indegree = new Map<Id, number>();
    let ready: Id[] = [];
    for (const [id, parents] of this.in) {
      indegree.set(id, parents.size);
      if (!parents.size) ready.push(id);
    }
    ready.sort();
    const waves: Id[][] = [];
    let placed = 0;
    while (ready.length) {
      waves.push(ready);
      placed += ready.length;
      const next: Id[] = [];
      for (const id of ready) {
        // The order children are visited in does not matter: each wave is sorted.
        for (const child of this.out.get(id)!) {
          const d = indegree.get(child)! - 1;
          indegree.set(child, d);
          if (d === 0) next.push(child);
        }
      }
      ready = next.sort();
    }
    if (placed < this.out.size) waves.push(this.nodes().filter((id) => indegree.get(id)! > 0));
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
