/**
 * Model versions (pure): a model entry with `version: N` is the node `<name>_v<N>` writing the
 * topic `<topic>.v<N>` (its subject `<topic>.v<N>-value`), so several versions of one model run
 * side by side while their consumers move. `ref("name")`, `from:`, exposures and tests naming
 * the bare name read the latest (highest) version; `ref("name", version=N)` (dbt: `v=N`) pins
 * one. See docs/schemas.md#contracts-and-versions.
 */
import { error, type Diagnostic } from '../core/diagnostics.js';
import type { InputRef, ModelNode, Project } from '../project/types.js';

export interface ModelVersions {
  /** The node name a reference reads: the pinned version, the latest one, or the name itself. Undefined: no such version. */
  nodeName(name: string, version?: number): string | undefined;
  /** The versions of a versioned model, ascending (empty when the name is not versioned). */
  versionsOf(base: string): number[];
}

/** The versioned node name of version `v` of model `base`. */
export const versionedName = (base: string, v: number): string => `${base}_v${v}`;

/** The topic of version `v`: `<topic>.v<N>`, unless the declared topic already ends so. */
export function versionedTopic(topic: string, v: number): string {
  return topic.endsWith(`.v${v}`) ? topic : `${topic}.v${v}`;
}

export function withModelVersions(project: Project, diagnostics: Diagnostic[]): { project: Project; versions: ModelVersions } {
  const groups = new Map<string, ModelNode[]>();
  for (const m of project.models) groups.set(m.name, [...(groups.get(m.name) ?? []), m]);
  const byBase = new Map<string, number[]>();
  const renamed = new Map<ModelNode, ModelNode>();
  for (const [base, list] of groups) {
    if (!list.some((m) => m.version !== undefined)) continue;
    // Several entries of one name are versions only when each has its own version; otherwise the
    // duplicate names are reported as they always were.
    if (list.length > 1 && list.some((m) => m.version === undefined)) continue;
    const seen = new Map<number, ModelNode>();
    for (const m of list) {
      const v = m.version!;
      const first = seen.get(v);
      if (first) {
        diagnostics.push(
          error('DUPLICATE_MODEL_VERSION', `Model "${base}" declares version ${v} twice (first at ${first.loc.file}:${first.loc.line})`, {
            ...m.at(['version']),
            node: m.id,
            hint: 'give each version of the model its own number',
          }),
        );
        continue;
      }
      seen.set(v, m);
      const name = versionedName(base, v);
      renamed.set(m, { ...m, name, id: `model.${name}`, baseName: base, topic: { ...m.topic, name: versionedTopic(m.topic.name ?? base, v) } });
    }
    byBase.set(base, [...seen.keys()].sort((a, b) => a - b));
  }
  const versions: ModelVersions = {
    nodeName(name, version) {
      const vs = byBase.get(name);
      if (!vs) return version === undefined ? name : undefined;
      const v = version ?? vs[vs.length - 1]!;
      return vs.includes(v) ? versionedName(name, v) : undefined;
    },
    versionsOf: (base) => byBase.get(base) ?? [],
  };
  if (!renamed.size) return { project, versions };

  // References by bare name read the latest version.
  const latest = (ref: InputRef): InputRef => (byBase.has(ref.name) && ref.kind !== 'source' ? { ...ref, name: versions.nodeName(ref.name)! } : ref);
  const models = project.models.map((m) => {
    const n = renamed.get(m) ?? m;
    return n.from.some((r) => byBase.has(r.name)) ? { ...n, from: n.from.map(latest) } : n;
  });
  const exposures = project.exposures.map((e) => ({ ...e, consumes: e.consumes.map(latest), dependsOn: e.dependsOn.map(latest) }));
  const tests = project.tests.map((t) => (byBase.has(t.target) ? { ...t, target: versions.nodeName(t.target)! } : t));
  return { project: { ...project, models, exposures, tests }, versions };
}
