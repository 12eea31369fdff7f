/**
 * Contracts between a model and its readers (pure): the compatibility level the exposures that
 * read a model ask of its registry subject, and who reads a node (the consumers a breaking change
 * of its output schema would break). See docs/schemas.md#contracts-and-versions.
 */
import type { ExposureNode, NodeId } from '../project/types.js';
import type { ResolvedProject } from './types.js';

export const COMPATIBILITY_LEVELS = ['BACKWARD', 'BACKWARD_TRANSITIVE', 'FORWARD', 'FORWARD_TRANSITIVE', 'FULL', 'FULL_TRANSITIVE', 'NONE'] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

interface Wanted {
  backward: boolean;
  forward: boolean;
  transitive: boolean;
}

/**
 * What one exposure's `contracts:` asks of the subjects it reads: `compatibility:` (a registry
 * level) as written; else `versioning:` (backward, forward, full or none, optionally
 * `_transitive`), transitive when `schema: strict`; `schema: strict` alone means BACKWARD_TRANSITIVE.
 * `schema: none`, or no contracts, ask nothing.
 */
export function exposureCompatibility(e: ExposureNode): CompatibilityLevel | undefined {
  const c = e.contracts;
  if (!c) return undefined;
  const explicit = typeof c.compatibility === 'string' ? c.compatibility.toUpperCase() : undefined;
  if (explicit && (COMPATIBILITY_LEVELS as readonly string[]).includes(explicit)) return explicit as CompatibilityLevel;
  const schema = typeof c.schema === 'string' ? c.schema : undefined;
  if (schema === 'none') return undefined;
  const versioning = typeof c.versioning === 'string' ? c.versioning.toUpperCase().replace(/-/g, '_') : undefined;
  if (!versioning && schema !== 'strict') return undefined;
  let level = versioning ?? 'BACKWARD';
  if (!(COMPATIBILITY_LEVELS as readonly string[]).includes(level)) return undefined;
  if (schema === 'strict' && level !== 'NONE' && !level.endsWith('_TRANSITIVE')) level = `${level}_TRANSITIVE`;
  return level as CompatibilityLevel;
}

function wanted(level: CompatibilityLevel): Wanted {
  return { backward: level.startsWith('BACKWARD') || level.startsWith('FULL'), forward: level.startsWith('FORWARD') || level.startsWith('FULL'), transitive: level.endsWith('_TRANSITIVE') };
}

/** The weakest level that satisfies all of them (BACKWARD and FORWARD make FULL; any transitive makes it transitive). */
export function combineCompatibility(levels: readonly CompatibilityLevel[]): CompatibilityLevel | undefined {
  if (!levels.length) return undefined;
  const w = levels.map(wanted).reduce((a, b) => ({ backward: a.backward || b.backward, forward: a.forward || b.forward, transitive: a.transitive || b.transitive }));
  const base = w.backward && w.forward ? 'FULL' : w.backward ? 'BACKWARD' : w.forward ? 'FORWARD' : 'NONE';
  return (base !== 'NONE' && w.transitive ? `${base}_TRANSITIVE` : base) as CompatibilityLevel;
}

/** The exposures reading a node directly (consumes / depends_on). */
export function exposuresReading(resolved: ResolvedProject, id: NodeId): ExposureNode[] {
  if (!resolved.dag.has(id)) return [];
  return resolved.dag
    .children(id)
    .map((c) => resolved.nodes.get(c))
    .filter((n): n is ExposureNode => n?.kind === 'exposure')
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The compatibility level the exposures reading a node ask of its subject, and which exposures ask it. */
export function consumerCompatibility(resolved: ResolvedProject, id: NodeId): { level: CompatibilityLevel; exposures: string[] } | undefined {
  const asks = exposuresReading(resolved, id)
    .map((e) => [e.name, exposureCompatibility(e)] as const)
    .filter((x): x is readonly [string, CompatibilityLevel] => !!x[1]);
  const level = combineCompatibility(asks.map(([, l]) => l));
  return level ? { level, exposures: asks.map(([n]) => n) } : undefined;
}

/** Who reads a node: downstream models and exposures, as `model x` / `exposure y`, sorted. */
export function readersOf(resolved: ResolvedProject, id: NodeId): string[] {
  if (!resolved.dag.has(id)) return [];
  return resolved.dag
    .children(id)
    .map((c) => resolved.nodes.get(c))
    .filter((n) => n?.kind === 'model' || n?.kind === 'exposure')
    .map((n) => `${n!.kind} ${n!.name}`)
    .sort();
}
