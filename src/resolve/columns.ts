/**
 * Column-level lineage and classification that follows the data.
 *
 * Lineage: the analyser records, for every output column, the input columns its value derives from
 * (where it resolves each column reference); here the SQL's table names become node ids. A model
 * without SQL (a sink with `from:`) passes its single input's columns through.
 *
 * Classification: a source column has the classification it declares; a model column inherits the
 * highest classification of the columns it derives from; a `classification:` the model declares
 * for the column replaces what it inherits; a mask applied to the data the model writes lowers it
 * to at most the method's ceiling (MASK_CEILING). A mask applied only at read, per role, by the
 * Gateway leaves the topic (and everything that reads it) with the clear value. Pure.
 */
import { own, setOwn } from '../core/own.js';
import type { Classification, ModelNode, NodeId, Policy } from '../project/types.js';
import type { LineageTransform } from '../sql/index.js';
import type { ResolvedModel } from './types.js';

export const CLASSIFICATION_ORDER: readonly Classification[] = ['public', 'internal', 'confidential', 'sensitive', 'highly_sensitive'];

export type MaskMethod = Extract<Policy, { kind: 'mask' }>['method'];

/**
 * The highest classification a column can keep once masked with a method, in the data: `null` and
 * `redact` leave no value (public); `partial` keeps the last characters and `tokenize` a token
 * only a vault maps back (internal); `hash` (unsalted SHA-256) is pseudonymous and can be reversed
 * by enumerating a small domain such as card numbers (confidential).
 */
export const MASK_CEILING: Record<MaskMethod, Classification> = {
  null: 'public',
  redact: 'public',
  partial: 'internal',
  tokenize: 'internal',
  hash: 'confidential',
};

/** Where a mask policy is enforced: in the data the model writes, or at read by the Gateway for some roles. */
export type MaskPlacement = 'flink_sql' | 'connect' | 'gateway_read' | 'gateway_all';

/**
 * Flink models mask in their SQL (the topic never holds the clear value), except a mask for some
 * roles when a Gateway is configured: the Gateway masks at read for those roles. Sinks mask in
 * their connector; virtual topics on the Gateway.
 */
export function maskPlacement(m: ResolvedModel, p: Extract<Policy, { kind: 'mask' }>, gateway: boolean): MaskPlacement {
  if (m.materialized === 'sink') return 'connect';
  if (m.materialized === 'virtual_topic') return p.forRoles.length ? 'gateway_read' : 'gateway_all';
  if (p.forRoles.length && gateway) return 'gateway_read';
  return 'flink_sql';
}

export interface ColumnInput {
  node: NodeId;
  column: string;
}

export interface ModelColumnLineage {
  column: string;
  inputs: ColumnInput[];
  transform: LineageTransform;
  /** An input's schema is unknown: the value may derive from more columns. */
  partial?: boolean;
}

export interface ColumnClassification {
  /** What the written data holds for this column; undefined when nothing it derives from is classified. */
  classification?: Classification;
  /** Before the model's own masks: declared, else inherited. */
  unmasked?: Classification;
  /** Why: `declared`, `inherited from source.x.c`, `masked (partial)`... */
  reason: string;
  /** The mask applied to the written data, if any. */
  masked?: MaskMethod;
  /** Masked or encrypted at read by the Gateway for these roles (the data keeps the clear value). */
  maskedAtReadFor?: string[];
  encrypted?: boolean;
}

export const rank = (c: Classification | undefined): number => (c === undefined ? -1 : CLASSIFICATION_ORDER.indexOf(c));
export const highest = (list: (Classification | undefined)[]): Classification | undefined =>
  list.reduce<Classification | undefined>((a, b) => (rank(b) > rank(a) ? b : a), undefined);

/** A model's output columns: declared or inferred, else (a sink without SQL) those its lineage passes through. */
export function outputColumns(m: ResolvedModel, lineage?: ModelColumnLineage[]): string[] {
  if (m.columns.length) return m.columns.map((c) => c.name);
  // The model's own lineage is read only here (a remembered one is parsed when read: memo.ts).
  return ((lineage === undefined ? m.columnLineage : lineage) ?? []).map((l) => l.column);
}

/** The lineage of a model's columns, with SQL table names turned into node ids. */
export function modelLineage(m: ResolvedModel, inputColumns: (id: NodeId) => string[] | undefined): ModelColumnLineage[] | undefined {
  const byTable = new Map(m.inputs.map((id) => [id.slice(id.indexOf('.') + 1), id] as const));
  if (m.analysis?.lineage) {
    return m.analysis.lineage.map((l) => {
      const entry: ModelColumnLineage = {
        column: l.column,
        inputs: l.sources.flatMap((s) => {
          const node = byTable.get(s.table);
          return node ? [{ node, column: s.column }] : [];
        }),
        transform: l.transform,
      };
      if (l.partial || l.sources.some((s) => !byTable.has(s.table))) entry.partial = true;
      return entry;
    });
  }
  // A sink without SQL writes its single input's columns as they are.
  if (m.renderedSql === undefined && m.inputs.length === 1) {
    const input = m.inputs[0]!;
    const cols = inputColumns(input);
    if (!cols) return undefined;
    return cols.map((c) => ({ column: c, inputs: [{ node: input, column: c }], transform: 'direct' as const }));
  }
  return undefined;
}

/**
 * The classification of each output column of a model, from its lineage and the classification of
 * its inputs' columns (`classOf`, already propagated upstream).
 */
export function classifyModel(
  m: ResolvedModel,
  lineage: ModelColumnLineage[] | undefined,
  classOf: (node: NodeId, column: string) => Classification | undefined,
  allOf: (node: NodeId) => (Classification | undefined)[],
  gateway: boolean,
): Record<string, ColumnClassification> {
  const node: ModelNode = m.node;
  const out: Record<string, ColumnClassification> = {};
  const byColumn = new Map((lineage ?? []).map((l) => [l.column, l]));
  const names = outputColumns(m, lineage);
  for (const name of names) {
    const l = byColumn.get(name);
    let unmasked: Classification | undefined;
    let reason: string;
    const declared = own(node.classification, name);
    if (declared) {
      unmasked = declared;
      reason = 'declared';
    } else if (!l || l.partial) {
      // Fail closed: where the lineage is unknown, the column may carry anything its inputs carry.
      unmasked = highest([...(l?.inputs ?? []).map((i) => classOf(i.node, i.column)), ...m.inputs.flatMap(allOf)]);
      reason = unmasked ? `unknown lineage: the highest of the inputs (${unmasked})` : 'unknown lineage, unclassified inputs';
    } else if (l.inputs.length === 0) {
      // A constant or a row count: no input value flows into it.
      unmasked = 'public';
      reason = 'derives from no input column';
    } else {
      const from = l.inputs.map((i) => ({ i, c: classOf(i.node, i.column) })).filter((x) => x.c !== undefined);
      unmasked = highest(from.map((x) => x.c));
      const top = from.filter((x) => x.c === unmasked).map((x) => `${x.i.node}.${x.i.column}`);
      reason = unmasked ? `inherited from ${top.join(', ')}` : 'no classified input';
    }
    const entry: ColumnClassification = { reason };
    if (unmasked) entry.unmasked = unmasked;
    let effective = unmasked;
    for (const p of node.policies) {
      if ((p.kind !== 'mask' && p.kind !== 'encrypt') || p.column !== name) continue;
      if (p.kind === 'encrypt') {
        entry.encrypted = true;
        if (p.forRoles.length) entry.maskedAtReadFor = [...new Set([...(entry.maskedAtReadFor ?? []), ...p.forRoles])];
        continue;
      }
      const placement = maskPlacement(m, p, gateway);
      if (placement === 'gateway_read') {
        entry.maskedAtReadFor = [...new Set([...(entry.maskedAtReadFor ?? []), ...p.forRoles])];
        continue;
      }
      entry.masked = p.method;
      const ceiling = MASK_CEILING[p.method];
      effective = rank(effective) > rank(ceiling) || effective === undefined ? ceiling : effective;
      entry.reason = `${reason}; masked (${p.method}) in the data`;
    }
    if (effective) entry.classification = effective;
    setOwn(out, name, entry);
  }
  return out;
}

/** The type a column has once masked in the data: hash, partial and redact write text; null keeps the type. */
export function maskedType(method: MaskMethod, type: string | undefined): string | undefined {
  return method === 'null' ? type : 'STRING';
}

/** The model's output columns as its job writes them: masked columns change type (./columns.ts). */
export function applyMaskTypes(m: ResolvedModel, gateway: boolean): void {
  if (m.materialized !== 'flink' && m.materialized !== 'topic') return;
  for (const p of m.node.policies) {
    if (p.kind !== 'mask' || p.method === 'tokenize' || maskPlacement(m, p, gateway) !== 'flink_sql') continue;
    m.columns = m.columns.map((c) => (c.name === p.column ? { ...c, type: maskedType(p.method, c.type) } : c));
  }
}
