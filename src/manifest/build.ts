/** Builds the manifest from a resolved project and its compiled artifacts. Pure and deterministic. */
import { own } from '../core/own.js';
import type { Column, NodeId } from '../project/types.js';
import { materializationOf, type ResolvedModel, type ResolvedProject } from '../resolve/types.js';
import type { CompileContext } from '../compile/context.js';
import type { Artifacts } from '../compile/types.js';
import type { ModelOutputSchema } from '../compile/emitters/schemas.js';
import { MANIFEST_VERSION, type Manifest, type ManifestColumn, type ManifestModelColumn } from './schema.js';

export interface ManifestOptions {
  compiledAt: string;
  streamtVersion?: string;
  selection?: ReadonlySet<NodeId>;
  selectors?: { select: string[]; exclude: string[] };
  /** Each model's output schema as compiled (registered, or only derived without a registry). */
  outputSchemas?: ReadonlyMap<NodeId, ModelOutputSchema>;
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function modelColumn(m: ResolvedModel, c: Column, base: ManifestColumn): ManifestModelColumn {
  const cls = own(m.columnClasses, c.name);
  const lineage = m.columnLineage?.find((l) => l.column === c.name);
  // Written out rather than spread (this runs for every column of every model): the same keys in the same order.
  return {
    name: base.name,
    type: base.type,
    nullable: base.nullable,
    classification: cls?.classification ?? base.classification,
    description: base.description,
    classification_reason: cls?.reason ?? null,
    masked: cls?.masked ?? null,
    masked_at_read_for: [...(cls?.maskedAtReadFor ?? [])],
    lineage: lineage ? { inputs: lineage.inputs.map((i) => ({ node: i.node, column: i.column })), transform: lineage.transform, partial: lineage.partial ?? false } : null,
  };
}

function outputSchema(o: ModelOutputSchema | undefined) {
  return o ? { subject: o.spec.subject, schema_type: o.spec.schema_type, registered: o.registered, schema: o.spec.schema } : null;
}

export function buildManifest(ctx: CompileContext, artifacts: Artifacts, opts: ManifestOptions): Manifest {
  const resolved: ResolvedProject = ctx.resolved;
  const project = resolved.project;
  const v = ctx.vault;
  const present = (id: NodeId) => resolved.nodes.has(id);
  const nullableMap = (id: NodeId) => new Map((resolved.models.get(id.slice(6))?.analysis?.columns ?? []).map((c) => [c.name, c.nullable]));
  const column = (c: Column, nullable?: boolean): ManifestColumn => ({
    name: c.name,
    type: c.type ?? 'STRING',
    nullable: c.nullable ?? nullable ?? null,
    classification: c.classification ?? null,
    description: c.description ?? null,
  });

  const sources = project.sources
    .filter((s) => present(s.id))
    .map((s) => {
      const table = ctx.table(s.id)!;
      return {
        id: s.id,
        name: s.name,
        file: s.file,
        description: s.description ?? null,
        owner: s.owner ?? null,
        tags: [...s.tags],
        topic: table.topic,
        format: table.format,
        changelog: s.changelog.kind,
        key: [...s.key],
        schema: s.schema
          ? { subject: s.schema.subject ?? (s.schema.definition !== undefined ? `${table.topic}-value` : null), format: s.schema.format ?? null, registered_by_streamt: s.schema.definition !== undefined }
          : null,
        columns: s.columns.map((c) => column(c)),
        event_time: s.eventTime ? { column: s.eventTime.column, watermark_strategy: s.eventTime.watermark.strategy, max_out_of_orderness_ms: s.eventTime.watermark.maxOutOfOrdernessMs } : null,
      };
    })
    .sort(byName);

  const models = [...resolved.models.values()]
    .map((m) => {
      const table = ctx.table(m.node.id);
      const nullable = nullableMap(m.node.id);
      return {
        id: m.node.id,
        name: m.node.name,
        file: m.node.file,
        description: m.node.description ?? null,
        owner: m.node.owner ?? null,
        tags: [...m.node.tags],
        materialized: m.materialized,
        materialization_reason: m.materializationReason,
        topic: m.materialized === 'sink' ? null : table?.topic ?? null,
        value_format: m.materialized === 'sink' || !table ? null : table.format,
        output_schema: outputSchema(opts.outputSchemas?.get(m.node.id)),
        key: [...m.node.key],
        inputs: [...m.inputs],
        changelog: m.analysis?.changelog ?? null,
        stateful_features: [...(m.analysis?.features ?? [])],
        columns: m.columns.map((c) => modelColumn(m, c, column(c, nullable.get(c.name)))),
        sql: m.renderedSql !== undefined ? v.scrub(m.renderedSql) : null,
        selected: !opts.selection || opts.selection.has(m.node.id),
        ...(m.node.version !== undefined ? { version: m.node.version } : {}),
        ...(m.node.baseName !== undefined ? { base_name: m.node.baseName } : {}),
        ...(m.node.deprecationDate !== undefined ? { deprecation_date: m.node.deprecationDate } : {}),
        ...(m.node.contractEnforced ? { contract_enforced: true } : {}),
      };
    })
    .sort(byName);

  const tests = project.tests
    .map((t) => ({
      id: t.id,
      name: t.name,
      file: t.file,
      description: t.description ?? null,
      target: t.target,
      type: t.type,
      severity: t.severity,
      assertions: t.assertions.map((a) => ({ type: a.type, config: v.scrubValue(a.config, t.id) })),
    }))
    .sort(byName);

  const refIds = (refs: { kind: string; name: string }[]) =>
    refs
      .map((r): NodeId | undefined => {
        if ((r.kind === 'source' || r.kind === 'any') && present(`source.${r.name}`)) return `source.${r.name}`;
        if ((r.kind === 'model' || r.kind === 'any') && present(`model.${r.name}`)) return `model.${r.name}`;
        return undefined;
      })
      .filter((x): x is NodeId => !!x);
  const exposures = project.exposures
    .map((e) => ({
      id: e.id,
      name: e.name,
      file: e.file,
      description: e.description ?? null,
      owner: e.owner ?? null,
      type: e.type,
      role: e.role ?? null,
      url: e.url ?? null,
      produces: refIds(e.produces),
      consumes: refIds(e.consumes),
      depends_on: refIds(e.dependsOn),
      consumer_group: e.consumerGroup ?? null,
    }))
    .sort(byName);

  const dag = {
    nodes: resolved.dag.nodes().map((id) => {
      const n = resolved.nodes.get(id)!;
      return {
        id,
        name: n.name,
        type: n.kind,
        materialized: materializationOf(resolved, n),
        upstream: resolved.dag.parents(id),
        downstream: resolved.dag.children(id),
      };
    }),
    edges: resolved.dag.edges(),
  };

  const withBase = <S extends object>(a: { addr: string; owner: NodeId; hash: string; file: string; spec: S }) => ({ addr: a.addr, owner: a.owner, hash: a.hash, file: a.file, ...a.spec });
  return {
    manifest_version: MANIFEST_VERSION,
    streamt_version: opts.streamtVersion ?? null,
    project: project.name,
    version: project.version ?? '0.0.0',
    compiled_at: opts.compiledAt,
    environment: project.environment?.name ?? null,
    selection: opts.selectors ?? null,
    sources,
    models,
    tests,
    exposures,
    dag,
    artifacts: {
      topics: artifacts.topics.map(withBase),
      flink_jobs: artifacts.flinkJobs.map(withBase),
      connectors: artifacts.connectors.map(withBase),
      gateway_rules: artifacts.gatewayRules.map(withBase),
      schemas: artifacts.schemas.map(withBase),
      // Only when the project manages Kafka ACLs (runtime.kafka.acls).
      ...(ctx.resolved.access?.managed ? { acls: artifacts.acls.map(withBase) } : {}),
    },
  };
}
