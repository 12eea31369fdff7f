/**
 * Contracts between a model and its readers (pure): the compatibility level the exposures that
 * read a model ask of its registry subject, and who reads a node (the consumers a breaking change
 * of its output schema would break). See docs/schemas.md#contracts-and-versions.
 */
import { error, type Diagnostic } from '../core/diagnostics.js';
import type { ExposureNode, NodeId } from '../project/types.js';
import { splitNullability } from '../sql/types.js';
import type { ResolvedModel, ResolvedProject } from './types.js';

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

/** A Flink type in one spelling, nullability aside, for comparing a contract with the SQL. */
export function canonicalType(type: string): string {
  let t = splitNullability(type.trim()).type.toUpperCase().replace(/\s+/g, ' ').replace(/\s*([(),<>])\s*/g, '$1');
  t = t.replace(/\bSTRING\b/g, 'VARCHAR(2147483647)').replace(/\bBYTES\b/g, 'VARBINARY(2147483647)').replace(/\bINTEGER\b/g, 'INT');
  t = t.replace(/\b(TIMESTAMP_LTZ|TIMESTAMP)(?!\(|_)/g, '$1(6)').replace(/\bTIME(?![(_S])/g, 'TIME(0)').replace(/\b(DECIMAL|NUMERIC|DEC)(?!\()/g, 'DECIMAL(10,0)').replace(/\b(NUMERIC|DEC)\(/g, 'DECIMAL(');
  t = t.replace(/\bDECIMAL\((\d+)\)/g, 'DECIMAL($1,0)').replace(/\bVARCHAR(?!\()/g, 'VARCHAR(1)').replace(/\bCHAR(?!\()/g, 'CHAR(1)');
  return t.replace(/ WITH LOCAL TIME ZONE/g, '_LTZ');
}

/**
 * `contract: {enforced: true}`: the declared columns are binding. The SQL must produce exactly
 * them, in order, with the same types (nullability aside); the difference is the message.
 */
export function checkContract(m: ResolvedModel): Diagnostic[] {
  const node = m.node;
  if (!node.contractEnforced) return [];
  const at = node.contractAt ?? [];
  if (!node.columns.length) {
    return [error('CONTRACT_NO_COLUMNS', `Model "${node.name}" enforces a contract but declares no columns`, { ...node.at(at, 'key'), node: node.id, hint: 'declare the columns: the contract is their names and types' })];
  }
  const untyped = node.columns.filter((c) => !c.type);
  if (untyped.length) {
    return [
      error('CONTRACT_COLUMN_TYPE_MISSING', `Model "${node.name}" enforces a contract, so each column needs a type: ${untyped.map((c) => c.name).join(', ')} ${untyped.length === 1 ? 'has' : 'have'} none`, {
        ...node.at(['columns', node.columns.indexOf(untyped[0]!)], 'key'),
        node: node.id,
        hint: 'add type: (or data_type:) to every declared column',
      }),
    ];
  }
  const produced = m.analysis?.columns;
  if (!produced) return [];
  const declared = node.columns.map((c) => ({ name: c.name, type: c.type! }));
  const out = new Map(produced.map((c) => [c.name, c]));
  const want = new Map(declared.map((c) => [c.name, c]));
  const lines: string[] = [];
  for (const c of declared) {
    const p = out.get(c.name);
    if (!p) lines.push(`- ${c.name} ${c.type} (declared, not produced)`);
    else if (p.type && canonicalType(p.type) !== canonicalType(c.type)) lines.push(`~ ${c.name}: declared ${c.type}, the SQL produces ${p.type}`);
  }
  for (const p of produced) if (!want.has(p.name)) lines.push(`+ ${p.name} ${p.type ?? ''} (produced, not declared)`.replace('  (', ' ('));
  if (!lines.length) {
    const order = produced.map((c) => c.name);
    if (order.join() !== declared.map((c) => c.name).join()) lines.push(`order: declared (${declared.map((c) => c.name).join(', ')}), the SQL produces (${order.join(', ')})`);
  }
  if (!lines.length) return [];
  return [
    error('CONTRACT_VIOLATION', `The SQL of model "${node.name}" does not produce its contract:\n${lines.map((l) => `    ${l}`).join('\n')}`, {
      ...node.at(['sql']),
      node: node.id,
      hint: 'change the SQL (SELECT exactly the declared columns, CAST where the type differs) or the declared columns; a breaking change of a contracted model deserves a new version',
    }),
  ];
}
