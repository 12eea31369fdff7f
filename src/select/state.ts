/**
 * Slim CI (dbt's `state:` selectors): each node's fingerprint is the content hash of its manifest
 * entry (what it declares and how it compiles, `selected` aside) and of the artifacts it owns.
 * `state:new` is a node the saved manifest does not have; `state:modified` is a new node or one
 * whose fingerprint differs (as in dbt, new nodes count as modified).
 */
import { contentHash } from '../compile/hash.js';
import type { Manifest } from '../manifest/schema.js';

export type Fingerprints = ReadonlyMap<string, string>;

export interface StateComparison {
  previous: Fingerprints;
  current: Fingerprints;
}

export function nodeFingerprints(manifest: Pick<Manifest, 'sources' | 'models' | 'tests' | 'exposures' | 'artifacts'>): Map<string, string> {
  const owned = new Map<string, string[]>();
  for (const list of Object.values(manifest.artifacts ?? {})) {
    for (const a of list as { owner: string; hash: string }[]) owned.set(a.owner, [...(owned.get(a.owner) ?? []), a.hash]);
  }
  const out = new Map<string, string>();
  for (const list of [manifest.sources, manifest.models, manifest.tests, manifest.exposures]) {
    for (const entry of (list ?? []) as { id: string; selected?: unknown }[]) {
      const { selected: _selected, ...rest } = entry;
      out.set(entry.id, contentHash({ node: rest, artifacts: [...(owned.get(entry.id) ?? [])].sort() }));
    }
  }
  return out;
}

export function stateMatches(state: StateComparison, id: string, value: string): boolean {
  const before = state.previous.get(id);
  const now = state.current.get(id);
  if (value === 'new') return before === undefined;
  if (value === 'modified') return before === undefined || before !== now;
  return false;
}
