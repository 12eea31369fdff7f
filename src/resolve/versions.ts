/**
 * Model versions (pure): a model entry with `version: N` is the node `<name>_v<N>` writing the
 * topic `<topic>.v<N>` (its subject `<topic>.v<N>-value`), so several versions of one model run
 * side by side while their consumers move. `ref("name")`, `from:`, exposures and tests naming
 * the bare name read the latest (highest) version; `ref("name", version=N)` (dbt: `v=N`) pins
 * one, and so do `{ref: name, version: N}` and `ref("name", version=N)` in `from:` and in an
 * exposure's `consumes:` / `depends_on:`. See docs/schemas.md#contracts-and-versions.
 */
import { error, type Diagnostic } from '../core/diagnostics.js';
import type { ExposureNode, InputRef, ModelNode, Project } from '../project/types.js';

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
  const pinsSomething = (refs: InputRef[]) => refs.some((r) => r.version !== undefined);
  if (!renamed.size && !project.models.some((m) => pinsSomething(m.from)) && !project.exposures.some((e) => pinsSomething(e.consumes) || pinsSomething(e.dependsOn)))
    return { project, versions };

  // References by bare name read the latest version; `{ref: m, version: N}` reads version N, and
  // a version that does not exist is reported at the reference (then dropped, so it is reported once).
  const pin = (owner: ModelNode | ExposureNode) => (ref: InputRef): InputRef | undefined => {
    if (ref.kind === 'source') return ref;
    if (ref.version === undefined) return byBase.has(ref.name) ? { ...ref, name: versions.nodeName(ref.name)! } : ref;
    const name = versions.nodeName(ref.name, ref.version);
    if (name !== undefined) return { ...ref, name };
    const known = versions.versionsOf(ref.name);
    diagnostics.push(
      error('MODEL_VERSION_NOT_FOUND', known.length ? `Model "${ref.name}" has no version ${ref.version}` : `Model "${ref.name}" is not versioned: version ${ref.version} of it reads nothing`, {
        ...owner.at(ref.versionPath ?? ref.path),
        node: owner.id,
        hint: known.length ? `its versions: ${known.join(', ')}` : `drop the version, or give "${ref.name}" a version: ${ref.version}`,
      }),
    );
    return undefined;
  };
  const pinAll = (refs: InputRef[], owner: ModelNode | ExposureNode) => refs.map(pin(owner)).filter((r): r is InputRef => !!r);
  const models = project.models.map((m) => {
    const n = renamed.get(m) ?? m;
    return n.from.some((r) => byBase.has(r.name) || r.version !== undefined) ? { ...n, from: pinAll(n.from, n) } : n;
  });
  const exposures = project.exposures.map((e) => ({ ...e, consumes: pinAll(e.consumes, e), dependsOn: pinAll(e.dependsOn, e) }));
  const tests = project.tests.map((t) => (byBase.has(t.target) ? { ...t, target: versions.nodeName(t.target)! } : t));
  return { project: { ...project, models, exposures, tests }, versions };
}
