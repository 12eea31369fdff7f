import type { Diagnostic } from '../core/diagnostics.js';
import type { Dag } from '../graph/dag.js';
import type { Column, Materialization, ModelNode, NodeId, Project, ProjectNode } from '../project/types.js';
import type { SqlAnalysis } from '../sql/index.js';
import type { AccessModel } from './access.js';
import type { ColumnClassification, ModelColumnLineage } from './columns.js';
import type { GatewaySql } from './gateway-sql.js';
import type { NodeTable } from './tables.js';

export interface ResolvedModel {
  node: ModelNode;
  /** Direct inputs (sources and models), from the SQL and `from:`. */
  inputs: NodeId[];
  /** SQL with templates rendered; source()/ref() became backtick-quoted node names. */
  renderedSql?: string;
  analysis?: SqlAnalysis;
  materialized: Materialization;
  /** Why this materialization was chosen, for humans (lineage, docs, plan). */
  materializationReason: string;
  /** Output columns: declared columns, else those inferred from the SQL. */
  columns: Column[];
  /** Names of ref()/source() calls that resolve to nothing (already reported). */
  unresolved?: string[];
  /** Column-level lineage: for each output column, the input columns it derives from (./columns.ts). */
  columnLineage?: ModelColumnLineage[];
  /** The classification of each output column, propagated from its inputs (./columns.ts). */
  columnClasses?: Record<string, ColumnClassification>;
  /** The model's SQL in the Gateway's subset, when it is (or could have been) a virtual topic. */
  gatewaySql?: GatewaySql;
}

export interface ResolvedProject {
  project: Project;
  nodes: Map<NodeId, ProjectNode>;
  models: Map<string, ResolvedModel>;
  /**
   * Each source's and model's view, derived once: topic, columns in order with time attributes,
   * format, changelog mode and key. What the analyser read and what compile renders.
   */
  tables: Map<NodeId, NodeTable>;
  dag: Dag<NodeId, ProjectNode>;
  /** Edges where an exposure produces into a source: lineage only, not dependencies. */
  diagnostics: Diagnostic[];
  /** True when a Conduktor Gateway is configured (virtual topics available). */
  gateway: boolean;
  /** Who may read and write what, and the Kafka principals of roles (./access.ts). */
  access?: AccessModel;
}

/** How a node is materialized: only models have one. */
export function materializationOf(resolved: ResolvedProject, node: { kind: string; name: string }): Materialization | null {
  return node.kind === 'model' ? (resolved.models.get(node.name)?.materialized ?? null) : null;
}
