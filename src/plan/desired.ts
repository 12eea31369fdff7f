/** The resources a compiled project declares, with their dependencies and impacted exposures (pure). */
import type { Artifacts } from '../compile/types.js';
import type { Manifest } from '../manifest/schema.js';
import { handlerFor, HANDLERS, kindOfAddr as registryKindOfAddr } from '../adapters/registry.js';
import type { DesiredResource, ResourceKind } from './types.js';

/** Order of resources of one node: a subject before its topic, the topic before the job or connector. */
export const KIND_ORDER: Record<ResourceKind, number> = Object.fromEntries(HANDLERS.map((h) => [h.kind, h.order]));

export function desiredResources(manifest: Manifest, artifacts: Artifacts): DesiredResource[] {
  const dag = new Map(manifest.dag.nodes.map((n) => [n.id, n]));
  const out: DesiredResource[] = HANDLERS.flatMap((h) => h.desired(artifacts, manifest).map((r) => ({ ...r, dependsOn: [] as string[], impacts: [] as string[] })));
  const byOwner = new Map<string, DesiredResource[]>();
  for (const r of out) byOwner.set(r.owner, [...(byOwner.get(r.owner) ?? []), r]);
  // A resource that reads or writes a topic waits for that topic and its value subject.
  const topicAddr = new Map(out.filter((r) => r.kind === 'topic').map((r) => [r.name, r.addr]));
  const subjectAddr = new Map(out.filter((r) => r.kind === 'subject').map((r) => [r.name, r.addr]));

  /** Nearest upstream nodes that own resources (skipping nodes without any, e.g. sources). */
  const upstreamOwners = (id: string, seen = new Set<string>()): string[] => {
    const res: string[] = [];
    for (const u of dag.get(id)?.upstream ?? []) {
      if (seen.has(u)) continue;
      seen.add(u);
      if (byOwner.has(u)) res.push(u);
      else res.push(...upstreamOwners(u, seen));
    }
    return res;
  };
  const exposuresBelow = (id: string): string[] => {
    const seen = new Set<string>();
    const stack = [id];
    const found = new Set<string>();
    while (stack.length) {
      const n = stack.pop()!;
      for (const d of dag.get(n)?.downstream ?? []) {
        if (seen.has(d)) continue;
        seen.add(d);
        const node = dag.get(d);
        if (node?.type === 'exposure') found.add(node.name);
        stack.push(d);
      }
    }
    return [...found].sort();
  };

  // A deprecated model (version) says so once, on its first resource.
  const models = new Map(manifest.models.map((m) => [m.id, m]));
  const noted = new Set<string>();
  for (const r of [...out].sort((a, b) => KIND_ORDER[a.kind]! - KIND_ORDER[b.kind]! || (a.addr < b.addr ? -1 : 1))) {
    const m = models.get(r.owner as never);
    if (!m?.deprecation_date || noted.has(r.owner)) continue;
    noted.add(r.owner);
    const readers = (dag.get(r.owner)?.downstream ?? []).map((d) => dag.get(d)).filter((n) => n?.type === 'model' || n?.type === 'exposure').map((n) => `${n!.type} ${n!.name}`);
    r.notes = [`model ${m.name}${m.version !== undefined ? ` (version ${m.version} of ${m.base_name ?? m.name})` : ''} is deprecated from ${m.deprecation_date}${readers.length ? `; still read by ${readers.sort().join(', ')}` : '; nothing in the project reads it any more'}`];
  }

  for (const r of out) {
    const deps = new Set<string>();
    for (const s of byOwner.get(r.owner) ?? []) if (KIND_ORDER[s.kind]! < KIND_ORDER[r.kind]!) deps.add(s.addr);
    // Topics and subjects only wait for their own node; jobs, connectors and rules also wait for
    // what their upstream nodes run, so a failed upstream job skips its consumers.
    const h = handlerFor(r.kind);
    if (h.waitsForUpstream) for (const u of upstreamOwners(r.owner)) for (const s of byOwner.get(u) ?? []) if (s.kind !== 'subject') deps.add(s.addr);
    const topics = h.topicsOf?.(r.spec) ?? [];
    for (const t of topics) {
      const a = topicAddr.get(t);
      if (a && a !== r.addr) deps.add(a);
      const s = subjectAddr.get(`${t}-value`);
      if (s) deps.add(s);
    }
    deps.delete(r.addr);
    r.dependsOn = [...deps].sort();
    r.impacts = exposuresBelow(r.owner);
    // A sink model is read by its Kafka Connect connector (named after it).
    const readers = (dag.get(r.owner)?.downstream ?? [])
      .map((d) => dag.get(d))
      .filter((n) => n?.type === 'model' || n?.type === 'exposure')
      .map((n) => `${n!.materialized === 'sink' ? 'connector' : n!.type} ${n!.name}`)
      .sort();
    if (readers.length) r.readers = readers;
  }
  return out.sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
}

export function kindOfAddr(addr: string): ResourceKind | undefined {
  return registryKindOfAddr(addr);
}
