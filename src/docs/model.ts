/**
 * The docs view model: everything the site shows, computed once from the resolved project, the
 * compile result and the last test results. Pages and the graph data are rendered from it, so
 * they always agree. Pure: no I/O, no clock.
 */
import { FileNamer } from '../compile/paths.js';
import type { CompileResult } from '../compile/types.js';
import { own } from '../core/own.js';
import type { Classification, Column, ExposureNode, Materialization, ModelNode, NodeId, ProjectNode, SourceNode } from '../project/types.js';
import { consumerCompatibility, readersOf } from '../resolve/contracts.js';
import { rowFields, splitNullability, typeArguments, typeRoot } from '../sql/types.js';
import type { ResolvedProject } from '../resolve/types.js';
import type { RunResults, TestResult } from './run-results.js';

export const CLASSIFICATIONS: readonly Classification[] = ['public', 'internal', 'confidential', 'sensitive', 'highly_sensitive'];
const rank = (c: Classification | undefined) => (c ? CLASSIFICATIONS.indexOf(c) : -1);
const highest = (cs: (Classification | undefined)[]): Classification | undefined => cs.reduce<Classification | undefined>((a, c) => (rank(c) > rank(a) ? c : a), undefined);

export interface DocsColumn {
  name: string;
  type?: string;
  /** Declared (sources); for models, propagated from what the column derives from, after masking. */
  classification?: Classification;
  /** Why the model column has its classification (inherited from..., declared, masked). */
  classificationReason?: string;
  /** A mask applied to the data the model writes. */
  masked?: string;
  /** Roles the Gateway masks or encrypts the column for at read. */
  maskedAtReadFor?: string[];
  /** Column-level lineage: the input columns the value derives from, and how. */
  derivesFrom?: { id: NodeId; column: string }[];
  transform?: string;
  /** The lineage is incomplete (an input schema is unknown). */
  lineagePartial?: boolean;
  description?: string;
}

/** Something the node deploys: a topic, a Flink job, a connector, a schema subject or a gateway rule. */
export interface DocsDeployment {
  kind: 'topic' | 'flink job' | 'connector' | 'schema' | 'gateway rule';
  addr: string;
  name: string;
  facts: [string, string][];
  /** The generated file (JSON or SQL), shown folded. */
  file?: { path: string; content: string };
}

export interface DocsTestInfo {
  target: string;
  targetId?: NodeId;
  type: string;
  severity: string;
  assertions: string[];
  result?: TestResult;
}

export interface DocsNode {
  id: NodeId;
  kind: ProjectNode['kind'];
  name: string;
  description?: string;
  owner?: string;
  tags: string[];
  file: string;
  /** Page path relative to the site root. */
  page: string;
  materialized?: Materialization;
  materializationReason?: string;
  /** Highest classification of the node's own columns. */
  classification?: Classification;
  /** Highest classification held by the node or anything upstream of it. */
  upstreamClassification?: Classification;
  columns: DocsColumn[];
  /** SQL as written (templates included). */
  sql?: string;
  /** The compiled Flink SQL script, when the model runs as a Flink job. */
  compiledSql?: string;
  deploys: DocsDeployment[];
  /** Key facts as label/value rows (topic, access, consumer group, …). */
  facts: [string, string][];
  /** Free-form maps shown as tables: SLA, freshness, contracts. */
  sections: { title: string; rows: [string, string][] }[];
  links: { label: string; url: string }[];
  upstream: NodeId[];
  downstream: NodeId[];
  /** Tests on this node. */
  tests: NodeId[];
  /** Exposures downstream of this node, transitively: who a change would affect. */
  impacted: NodeId[];
  test?: DocsTestInfo;
  access?: { roles: string[]; purpose?: string };
  exposureType?: string;
}

export interface ClassificationView {
  level: Classification;
  holders: { id: NodeId; columns: string[] }[];
  /** Exposures with a holder upstream; `carried` when a classified column name still reaches the exposure's direct inputs. */
  exposures: { id: NodeId; via: NodeId[]; carried: boolean }[];
}

export interface DocsModel {
  project: { name: string; version?: string; description?: string; environment?: string };
  nodes: DocsNode[];
  byId: Map<NodeId, DocsNode>;
  edges: { from: NodeId; to: NodeId }[];
  governance: {
    classifications: ClassificationView[];
    exposuresByPurpose: { purpose: string; exposures: NodeId[] }[];
    exposuresByOwner: { owner: string; exposures: NodeId[] }[];
    owners: { owner: string; nodes: NodeId[] }[];
  };
  tests: { hasResults: boolean; generatedAt?: string; counts: Record<string, number> };
  compiled: boolean;
}

export interface DocsModelInput {
  resolved: ResolvedProject;
  compiled?: CompileResult;
  runResults?: RunResults;
}

function render(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.map(render).join(', ');
  return JSON.stringify(value);
}

const rows = (record: Record<string, unknown> | undefined): [string, string][] =>
  Object.entries(record ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => [k, render(v)]);

/**
 * The node's schema as the docs show it: where it comes from (inline definition, locked subject
 * version, or derived from the output columns), its subject, version and compatibility, its
 * fields with nested ones as dotted paths, and who a breaking change would break.
 */
function schemaSections(node: SourceNode | ModelNode, d: DocsNode, resolved: ResolvedProject, compiled: CompileResult | undefined): DocsNode['sections'] {
  const subject = compiled?.artifacts.schemas.find((s) => s.owner === node.id)?.spec;
  const facts: [string, string][] = [];
  if (node.kind === 'source') {
    const info = node.derivedSchema;
    if (info) {
      facts.push(['format', info.format === 'json' ? 'JSON Schema' : info.format === 'avro' ? 'Avro' : 'Protobuf']);
      facts.push(['from', info.origin === 'lock' ? `registry subject ${info.subject}, version ${info.version} (id ${info.id}, schemas.lock.yml)` : 'the inline definition']);
    } else if (node.schema) facts.push(['from', 'the declared columns']);
    if (subject) facts.push(['subject', `${subject.subject} (the producer's: never changed by streamt)`]);
    if (node.schema?.compatibility) facts.push(['compatibility', node.schema.compatibility]);
  } else if (subject) {
    facts.push(['format', subject.schema_type === 'JSON' ? 'JSON Schema' : 'Avro'], ['from', 'derived from the output columns'], ['subject', subject.subject]);
    const asked = consumerCompatibility(resolved, node.id);
    facts.push(['compatibility', subject.compatibility ? `${subject.compatibility}${asked ? ` (asked by exposure ${asked.exposures.join(', exposure ')})` : ''}` : 'the registry default']);
  } else {
    // Derived but registered nowhere (no schema registry): the manifest's output schema.
    const out = compiled?.manifest.models.find((m) => m.id === node.id)?.output_schema;
    if (out) facts.push(['format', out.schema_type === 'JSON' ? 'JSON Schema' : 'Avro'], ['from', 'derived from the output columns'], ['subject', `${out.subject} (not registered: no schema registry is configured)`]);
  }
  if (!facts.length) return [];
  const readers = readersOf(resolved, node.id);
  facts.push(['a breaking change breaks', readers.length ? readers.join(', ') : 'nothing in the project reads it']);
  if (d.impacted.length) facts.push(['exposures downstream', d.impacted.map((e) => e.slice('exposure.'.length)).join(', ')]);
  const fields: [string, string][] = [];
  const walk = (prefix: string, type: string, depth: number) => {
    const { type: bare } = splitNullability(type);
    const root = typeRoot(bare);
    const inner = root === 'ROW' ? bare : root === 'ARRAY' && typeRoot(typeArguments(bare)[0] ?? '') === 'ROW' ? typeArguments(bare)[0]! : undefined;
    if (!inner || depth > 8) return;
    for (const f of rowFields(inner)) {
      const path = `${prefix}${root === 'ARRAY' ? '[]' : ''}.${f.name}`;
      fields.push([path, f.type]);
      walk(path, f.type, depth + 1);
    }
  };
  for (const c of d.columns) {
    if (!c.type) continue;
    fields.push([c.name, c.type]);
    walk(c.name, c.type, 0);
  }
  return [{ title: 'Schema', rows: facts }, ...(fields.length ? [{ title: 'Schema fields', rows: fields }] : [])];
}

function columnsOf(node: ProjectNode, resolved: ResolvedProject): DocsColumn[] {
  let columns: Column[] = [];
  let classified: Record<string, Classification> = {};
  if (node.kind === 'source') columns = node.columns;
  const m = node.kind === 'model' ? resolved.models.get(node.name) : undefined;
  if (node.kind === 'model') {
    columns = m?.columns.length ? m.columns : m?.columnLineage?.length ? m.columnLineage.map((l) => ({ name: l.column })) : node.columns;
    classified = node.classification;
  }
  const out: DocsColumn[] = columns.map((c) => {
    const col: DocsColumn = { name: c.name };
    if (c.type) col.type = c.type;
    const propagated = own(m?.columnClasses, c.name);
    const cls = propagated ? propagated.classification : (c.classification ?? own(classified, c.name));
    if (cls) col.classification = cls;
    if (propagated) col.classificationReason = propagated.reason;
    if (propagated?.masked) col.masked = propagated.masked;
    if (propagated?.maskedAtReadFor?.length) col.maskedAtReadFor = [...propagated.maskedAtReadFor];
    const lineage = m?.columnLineage?.find((l) => l.column === c.name);
    if (lineage) {
      col.derivesFrom = lineage.inputs.map((i) => ({ id: i.node, column: i.column }));
      col.transform = lineage.transform;
      if (lineage.partial) col.lineagePartial = true;
    }
    if (c.description) col.description = c.description;
    return col;
  });
  // A classification (security.classification) for a column the SQL does not output still counts.
  for (const [name, cls] of Object.entries(classified)) if (!out.some((c) => c.name === name)) out.push({ name, classification: cls });
  return out;
}

function deploymentsOf(compiled: CompileResult | undefined): Map<NodeId, DocsDeployment[]> {
  const out = new Map<NodeId, DocsDeployment[]>();
  if (!compiled) return out;
  const add = (owner: NodeId, d: DocsDeployment) => out.set(owner, [...(out.get(owner) ?? []), d]);
  const fileOf = (path: string) => {
    const content = compiled.files.get(path);
    return content === undefined ? undefined : { path, content };
  };
  const withFile = (d: DocsDeployment, path: string): DocsDeployment => {
    const f = fileOf(path);
    if (f) d.file = f;
    return d;
  };
  const a = compiled.artifacts;
  for (const t of a.topics) {
    const facts: [string, string][] = [
      ['partitions', render(t.spec.partitions ?? 'cluster default')],
      ['replication factor', render(t.spec.replication_factor ?? 'cluster default')],
      ...rows(t.spec.config),
    ];
    add(t.owner, { kind: 'topic', addr: t.addr, name: t.spec.name, facts });
  }
  for (const j of a.flinkJobs) {
    const facts: [string, string][] = [
      ['pipeline name', j.spec.name],
      ['reads', j.spec.input_topics.join(', ')],
      ['writes', `${j.spec.output_topic} (${j.spec.sink_connector})`],
    ];
    if (j.spec.cluster) facts.push(['cluster', j.spec.cluster]);
    if (j.spec.parallelism !== null) facts.push(['parallelism', String(j.spec.parallelism)]);
    if (j.spec.checkpoint_interval_ms !== null) facts.push(['checkpoint interval', `${j.spec.checkpoint_interval_ms} ms`]);
    if (j.spec.state_ttl_ms !== null) facts.push(['state TTL', `${j.spec.state_ttl_ms} ms`]);
    if (j.spec.primary_key.length) facts.push(['primary key', j.spec.primary_key.join(', ')]);
    add(j.owner, { kind: 'flink job', addr: j.addr, name: j.spec.name, facts });
  }
  for (const c of a.connectors) {
    const facts: [string, string][] = [['class', c.spec.connector_class], ['topics', c.spec.topics.join(', ')]];
    if (c.spec.cluster) facts.push(['cluster', c.spec.cluster]);
    add(c.owner, withFile({ kind: 'connector', addr: c.addr, name: c.spec.name, facts }, c.file));
  }
  for (const s of a.schemas) {
    add(s.owner, { kind: 'schema', addr: s.addr, name: s.spec.subject, facts: [['type', s.spec.schema_type], ['compatibility', s.spec.compatibility ?? 'registry default']] });
  }
  for (const g of a.gatewayRules) {
    add(g.owner, withFile({ kind: 'gateway rule', addr: g.addr, name: g.spec.name, facts: [['kind', g.spec.kind]] }, g.file));
  }
  return out;
}

function assertionText(a: { type: string; config: Record<string, unknown> }): string {
  const entries = Object.entries(a.config);
  if (!entries.length) return a.type;
  return `${a.type}: ${entries.map(([k, v]) => `${k}=${typeof v === 'object' && v !== null && !Array.isArray(v) ? JSON.stringify(v) : Array.isArray(v) ? `[${v.map(render).join(', ')}]` : render(v)}`).join(', ')}`;
}

function exposureDetails(node: ExposureNode, d: DocsNode): void {
  d.exposureType = node.type;
  d.facts.push(['type', node.type]);
  if (node.role) d.facts.push(['role', node.role]);
  if (node.language) d.facts.push(['language', node.language]);
  if (node.tool) d.facts.push(['tool', node.tool]);
  if (node.consumerGroup) d.facts.push(['consumer group', node.consumerGroup]);
  if (node.url) d.links.push({ label: 'url', url: node.url });
  if (node.repo) d.links.push({ label: 'repository', url: node.repo });
  if (node.access) {
    d.access = { roles: [...node.access.roles] };
    if (node.access.purpose) d.access.purpose = node.access.purpose;
  }
  if (node.sla) d.sections.push({ title: 'SLA', rows: rows(node.sla) });
  if (node.freshness) d.sections.push({ title: 'Freshness', rows: rows(node.freshness) });
  if (node.contracts) d.sections.push({ title: 'Contracts', rows: rows(node.contracts) });
}

export function buildDocsModel(input: DocsModelInput): DocsModel {
  const { resolved, compiled, runResults } = input;
  const { dag } = resolved;
  const ids = dag.nodes();
  const deployments = deploymentsOf(compiled);
  const namers = new Map<string, FileNamer>();
  const pageOf = (node: ProjectNode) => {
    let namer = namers.get(node.kind);
    if (!namer) namers.set(node.kind, (namer = new FileNamer(`nodes/${node.kind}`)));
    return namer.name(node.name, '.html');
  };

  const nodes: DocsNode[] = [];
  const byId = new Map<NodeId, DocsNode>();
  for (const id of ids) {
    const node = resolved.nodes.get(id)!;
    const d: DocsNode = {
      id,
      kind: node.kind,
      name: node.name,
      tags: [...node.tags].sort(),
      file: node.file,
      page: pageOf(node),
      columns: columnsOf(node, resolved),
      deploys: deployments.get(id) ?? [],
      facts: [],
      sections: [],
      links: [],
      upstream: dag.parents(id),
      downstream: dag.children(id),
      tests: dag.children(id).filter((c) => c.startsWith('test.')),
      impacted: [...dag.descendants(id)].filter((c) => c.startsWith('exposure.')).sort(),
    };
    if (node.description) d.description = node.description;
    if (node.owner) d.owner = node.owner;
    const cls = highest(d.columns.map((c) => c.classification));
    if (cls) d.classification = cls;

    if (node.kind === 'source') {
      if (node.topic) d.facts.push(['topic', node.topic]);
      if (node.cluster) d.facts.push(['cluster', node.cluster]);
      if (node.key.length) d.facts.push(['key', node.key.join(', ')]);
      if (node.changelog.kind !== 'append') d.facts.push(['changelog', node.changelog.kind === 'cdc' ? node.changelog.format : node.changelog.kind]);
      if (node.schema?.subject) d.facts.push(['schema subject', node.schema.subject]);
      if (node.schema?.format) d.facts.push(['schema format', node.schema.format]);
      if (node.eventTime) d.facts.push(['event time', `${node.eventTime.column} (watermark ${node.eventTime.watermark.maxOutOfOrdernessMs} ms)`]);
      if (node.access) d.facts.push(['access', node.access]);
      if (node.group) d.facts.push(['group', node.group]);
      if (node.freshness) d.sections.push({ title: 'Freshness', rows: rows({ max_lag_seconds: node.freshness.maxLagSeconds, warn_after_seconds: node.freshness.warnAfterSeconds }).filter(([, v]) => v !== '') });
      if (node.sla) d.sections.push({ title: 'SLA', rows: rows(node.sla) });
    } else if (node.kind === 'model') {
      const m = resolved.models.get(node.name);
      if (m) {
        d.materialized = m.materialized;
        d.materializationReason = m.materializationReason;
      }
      if (node.sql !== undefined) d.sql = node.sql;
      const job = compiled?.artifacts.flinkJobs.find((j) => j.owner === id);
      if (job) d.compiledSql = compiled!.files.get(job.file) ?? job.spec.statements.map((s) => `${s};`).join('\n\n');
      if (node.key.length) d.facts.push(['key', node.key.join(', ')]);
      d.facts.push(['access', node.access]);
      if (node.group) d.facts.push(['group', node.group]);
      if (node.version !== undefined) d.facts.push(['version', node.baseName ? `${node.version} of ${node.baseName}` : String(node.version)]);
      if (node.deprecationDate) d.facts.push(['deprecated from', node.deprecationDate]);
      if (node.contractEnforced) d.facts.push(['contract', 'enforced: the SQL must produce exactly the declared columns']);
      if (node.eventTime) d.facts.push(['event time', `${node.eventTime.column} (watermark ${node.eventTime.watermark.maxOutOfOrdernessMs} ms)`]);
      if (node.sink) d.facts.push(['sink connector', node.sink.connector]);
      if (node.policies.length) {
        d.sections.push({
          title: 'Security policies',
          rows: node.policies.map((p): [string, string] => {
            if (p.kind === 'mask') return [`mask ${p.column}`, `${p.method}${p.forRoles.length ? ` for ${p.forRoles.join(', ')}` : ''}`];
            if (p.kind === 'encrypt') return [`encrypt ${p.column}`, `key ${p.key}${p.forRoles.length ? ` for ${p.forRoles.join(', ')}` : ''}`];
            if (p.kind === 'allow') return ['allow', `${p.roles.join(', ')}${p.purpose ? ` (purpose: ${p.purpose})` : ''}`];
            return ['deny', p.roles.join(', ')];
          }),
        });
      }
    } else if (node.kind === 'test') {
      const targetId = dag.parents(id)[0];
      const info: DocsTestInfo = { target: node.target, type: node.type, severity: node.severity, assertions: node.assertions.map(assertionText) };
      if (targetId) info.targetId = targetId;
      const result = runResults?.byTest.get(node.name);
      if (result) info.result = result;
      d.test = info;
      d.facts.push(['type', node.type], ['severity', node.severity]);
      if (node.sampleSize !== undefined) d.facts.push(['sample size', String(node.sampleSize)]);
      if (node.timeout !== undefined) d.facts.push(['timeout', String(node.timeout)]);
    } else {
      exposureDetails(node, d);
    }
    if (node.kind === 'source' || node.kind === 'model') d.sections.push(...schemaSections(node, d, resolved, compiled));
    nodes.push(d);
    byId.set(id, d);
  }

  for (const d of nodes) {
    const up = highest([d.classification, ...[...dag.ancestors(d.id)].map((a) => byId.get(a)!.classification)]);
    if (up) d.upstreamClassification = up;
  }

  // Laid out in the browser (src/docs/layout.ts, shipped as assets/layout.js), for the whole
  // graph and for what a filter or a focus leaves.
  const edges = dag.edges();

  const counts: Record<string, number> = {};
  for (const d of nodes) if (d.test?.result) counts[d.test.result.status] = (counts[d.test.result.status] ?? 0) + 1;
  const tests: DocsModel['tests'] = { hasResults: !!runResults, counts };
  if (runResults?.generatedAt) tests.generatedAt = runResults.generatedAt;

  const project: DocsModel['project'] = { name: resolved.project.name };
  if (resolved.project.version) project.version = resolved.project.version;
  if (resolved.project.description) project.description = resolved.project.description;
  if (resolved.project.environment) project.environment = resolved.project.environment.name;

  return {
    project,
    nodes,
    byId,
    edges,
    governance: governance(nodes, byId, resolved),
    tests,
    compiled: !!compiled,
  };
}

function groupBy(items: DocsNode[], key: (d: DocsNode) => string): { key: string; ids: NodeId[] }[] {
  const map = new Map<string, NodeId[]>();
  for (const d of items) map.set(key(d), [...(map.get(key(d)) ?? []), d.id]);
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, ids]) => ({ key: k, ids }));
}

export const NO_PURPOSE = '(no purpose declared)';
export const NO_OWNER = '(no owner)';

function governance(nodes: DocsNode[], byId: Map<NodeId, DocsNode>, resolved: ResolvedProject): DocsModel['governance'] {
  const exposures = nodes.filter((d) => d.kind === 'exposure');
  const classifications: ClassificationView[] = [];
  for (const level of [...CLASSIFICATIONS].reverse()) {
    const holders = nodes
      .map((d) => ({ id: d.id, columns: d.columns.filter((c) => c.classification === level).map((c) => c.name) }))
      .filter((h) => h.columns.length);
    const holderIds = new Set(holders.map((h) => h.id));
    const levelColumns = new Set(holders.flatMap((h) => h.columns));
    const views: ClassificationView['exposures'] = [];
    for (const e of exposures) {
      const via = [...resolved.dag.ancestors(e.id)].filter((a) => holderIds.has(a)).sort();
      if (!via.length) continue;
      // Whether a classified column (by name) still reaches what the exposure reads directly.
      const carried = e.upstream.some((p) => holderIds.has(p) || byId.get(p)!.columns.some((c) => levelColumns.has(c.name)));
      views.push({ id: e.id, via, carried });
    }
    classifications.push({ level, holders, exposures: views });
  }
  return {
    classifications,
    exposuresByPurpose: groupBy(exposures, (d) => d.access?.purpose ?? NO_PURPOSE).map((g) => ({ purpose: g.key, exposures: g.ids })),
    exposuresByOwner: groupBy(exposures, (d) => d.owner ?? NO_OWNER).map((g) => ({ owner: g.key, exposures: g.ids })),
    owners: groupBy(nodes.filter((d) => d.kind !== 'test'), (d) => d.owner ?? NO_OWNER).map((g) => ({ owner: g.key, nodes: g.ids })),
  };
}
