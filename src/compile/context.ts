/**
 * What the emitters share during one compile: the resolved project (with each node's view, derived
 * once by resolve), the secret vault and the runtime connections. Created once per compile.
 */
import type { ModelNode, NodeId, Project, SourceNode } from '../project/types.js';
import type { NodeTable } from '../resolve/tables.js';
import type { ResolvedModel, ResolvedProject } from '../resolve/types.js';
import { SecretVault } from './secrets.js';

export type { NodeTable, Rowtime, TableColumn, ValueFormat } from '../resolve/tables.js';
export { declaredOutputFormat, detectFormat, sourceFormat } from '../resolve/tables.js';

export class CompileContext {
  readonly project: Project;
  readonly vault: SecretVault;
  /**
   * validate's in-memory compile (compileDiagnostics): emitters report every diagnostic but may
   * skip text nobody reads (a Flink job's script).
   */
  diagnosticsOnly = false;

  constructor(readonly resolved: ResolvedProject) {
    this.project = resolved.project;
    this.vault = new SecretVault(this.project.secrets, this.project.env);
  }

  get projectName(): string {
    return this.project.name;
  }

  /** Bootstrap servers as seen from Flink and Connect. */
  bootstrapServers(): string {
    const k = this.project.runtime.kafka;
    const v = k?.bootstrap_servers_internal ?? k?.bootstrap_servers ?? '';
    return Array.isArray(v) ? v.join(',') : v;
  }

  registryUrl(): string | undefined {
    return this.project.runtime.schema_registry?.url;
  }

  model(name: string): ResolvedModel | undefined {
    return this.resolved.models.get(name);
  }

  source(name: string): SourceNode | undefined {
    const n = this.resolved.nodes.get(`source.${name}`);
    return n?.kind === 'source' ? n : undefined;
  }

  /** The view of a source or model, as resolve derived it. */
  table(id: NodeId): NodeTable | undefined {
    return this.resolved.tables.get(id);
  }

  /** The model nodes a Flink job is compiled for. */
  flinkModels(): ResolvedModel[] {
    return [...this.resolved.models.values()].filter((m) => (m.materialized === 'flink' || m.materialized === 'topic') && m.renderedSql !== undefined);
  }

  modelNode(name: string): ModelNode | undefined {
    return this.model(name)?.node;
  }
}
