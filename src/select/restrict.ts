/**
 * The resolved project seen through a selection: only the selected nodes and the edges between
 * them. Views (the docs site) use it to show what `--select` chose; compile and plan use the
 * selection itself.
 */
import { Dag } from '../graph/dag.js';
import type { NodeId, ProjectNode } from '../project/types.js';
import type { ResolvedProject } from '../resolve/types.js';

export function restrictResolved(resolved: ResolvedProject, ids: ReadonlySet<NodeId>): ResolvedProject {
  const dag = new Dag<NodeId, ProjectNode>();
  const nodes = new Map<NodeId, ProjectNode>();
  for (const [id, n] of resolved.nodes) {
    if (!ids.has(id)) continue;
    nodes.set(id, n);
    dag.addNode(id, n);
  }
  for (const e of resolved.dag.edges()) if (ids.has(e.from) && ids.has(e.to)) dag.addEdge(e.from, e.to);
  const p = resolved.project;
  return {
    ...resolved,
    nodes,
    dag,
    models: new Map([...resolved.models].filter(([, m]) => ids.has(m.node.id))),
    project: {
      ...p,
      sources: p.sources.filter((s) => ids.has(s.id)),
      models: p.models.filter((m) => ids.has(m.id)),
      tests: p.tests.filter((t) => ids.has(t.id)),
      exposures: p.exposures.filter((x) => ids.has(x.id)),
    },
  };
}
