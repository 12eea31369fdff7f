/**
 * Project → ResolvedProject: names, references, the DAG, SQL analysis in dependency order (so
 * each model sees its inputs' columns), and materialization. Pure: the project is the only input.
 */
import { error, info, warning, type Diagnostic } from '../core/diagnostics.js';
import { own, setOwn } from '../core/own.js';
import { closest, didYouMean } from '../core/suggest.js';
import { Dag } from '../graph/dag.js';
import type { Classification, Column, InputRef, Materialization, ModelNode, NodeId, Project, ProjectNode, SourceNode } from '../project/types.js';
import type { PathSegment } from '../project/yaml.js';
import { analyzeSql, type AnalyzeOptions, type InputTable, type SqlAnalysis } from '../sql/index.js';
import { renderTemplate, type TemplateCall } from '../template/render.js';
import { checkAccess as checkExposureAccess } from './access.js';
import { applyMaskTypes, classifyModel, modelLineage } from './columns.js';
import { checkRules } from './rules.js';
import { GATEWAY_SQL_HINT, gatewaySql } from './gateway-sql.js';
import { withSchemaColumns } from './source-schemas.js';
import { withModelVersions, type ModelVersions } from './versions.js';
import { checkContract } from './contracts.js';
import { checkSourceDeclaration, checkSourceReadByFlink } from './sources.js';
import { inputTableOf, inputTables, modelTable, sourceTable, type NodeTable } from './tables.js';
import type { ResolvedModel, ResolvedProject } from './types.js';
import { analysisKey, fromCached, hasLazyQuery, keyAnalysis, keyOfAnalysis, lazyQuery, lineageKey, rememberLineage, sourceLineageKey, toCached, toCachedLineage, type AnalysisMemo, type LineageMemo } from './memo.js';

export interface ResolveOptions {
  /** Analyses of an earlier run to reuse, and where this run's go (incremental validate: memo.ts). */
  analyses?: AnalysisMemo;
  /** Models' column lineage and classification of an earlier run, and where this run's go (memo.ts). */
  lineage?: LineageMemo;
}

/** How a node name appears in rendered SQL: a backtick-quoted identifier. */
export function quoteName(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

interface Lookup {
  sources: Map<string, SourceNode>;
  models: Map<string, ModelNode>;
}

function checkNames(project: Project, diagnostics: Diagnostic[]): Lookup {
  const sources = new Map<string, SourceNode>();
  const models = new Map<string, ModelNode>();
  const seen = new Map<string, ProjectNode>();
  const kinds = [
    ['source', project.sources, 'DUPLICATE_SOURCE'],
    ['model', project.models, 'DUPLICATE_MODEL'],
    ['test', project.tests, 'DUPLICATE_TEST'],
    ['exposure', project.exposures, 'DUPLICATE_EXPOSURE'],
  ] as const;
  for (const [kind, list, code] of kinds) {
    const local = new Map<string, ProjectNode>();
    for (const node of list) {
      const first = local.get(node.name);
      if (first) {
        diagnostics.push(
          error(code, `Duplicate ${kind} name "${node.name}" (first declared at ${first.loc.file}:${first.loc.line})`, {
            ...node.loc,
            node: node.id,
            hint: `rename one of the two ${kind}s`,
          }),
        );
        continue;
      }
      local.set(node.name, node);
      if (kind === 'test') continue;
      // Sources, models and exposures share one namespace: lineage and selectors use bare names.
      const other = seen.get(node.name);
      if (other) {
        diagnostics.push(
          error('NAME_CONFLICT', `${kind} "${node.name}" has the same name as ${other.kind} "${other.name}" (${other.loc.file}:${other.loc.line})`, {
            ...node.loc,
            node: node.id,
            hint: 'sources, models and exposures must have distinct names',
          }),
        );
        continue;
      }
      seen.set(node.name, node);
      if (kind === 'source') sources.set(node.name, node as SourceNode);
      if (kind === 'model') models.set(node.name, node as ModelNode);
    }
  }
  return { sources, models };
}

function notFound(kind: 'source' | 'model', name: string, lookup: Lookup): { code: string; message: string; hint: string } {
  const other = kind === 'source' ? lookup.models.has(name) : lookup.sources.has(name);
  if (other) {
    const fn = kind === 'source' ? 'ref' : 'source';
    return {
      code: kind === 'source' ? 'SOURCE_NOT_FOUND' : 'MODEL_NOT_FOUND',
      message: `${kind === 'source' ? 'Source' : 'Model'} "${name}" not found, but a ${kind === 'source' ? 'model' : 'source'} has this name`,
      hint: `use {{ ${fn}("${name}") }}`,
    };
  }
  const names = kind === 'source' ? lookup.sources.keys() : lookup.models.keys();
  const near = closest(name, names);
  return {
    code: kind === 'source' ? 'SOURCE_NOT_FOUND' : 'MODEL_NOT_FOUND',
    message: `${kind === 'source' ? 'Source' : 'Model'} "${name}" not found`,
    hint: near.length ? `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : `declare it under ${kind}s:`,
  };
}

/** Resolves `from:`-style refs whose kind may be unknown ('any'). */
function resolveRef(ref: InputRef, lookup: Lookup): NodeId | undefined {
  if ((ref.kind === 'source' || ref.kind === 'any') && lookup.sources.has(ref.name)) return `source.${ref.name}`;
  if ((ref.kind === 'model' || ref.kind === 'any') && lookup.models.has(ref.name)) return `model.${ref.name}`;
  return undefined;
}

function gatewayConfigured(project: Project): boolean {
  return !!project.runtime.conduktor?.gateway;
}

function flinkClusters(project: Project): Record<string, { type?: string }> {
  return project.runtime.flink?.clusters ?? {};
}

function accessAllowed(target: { access?: string; group?: string }, from: ModelNode): boolean {
  if (target.access === 'private' && target.group) return from.group === target.group;
  return true;
}

export function resolveProject(written: Project, opts: ResolveOptions = {}): ResolvedProject {
  const diagnostics: Diagnostic[] = [];
  // Sources whose schema is known (inline or locked) get their columns from it, once, here.
  // Versioned models become one node per version (`<name>_v<N>`), before names are checked.
  const { project, versions } = withModelVersions(withSchemaColumns(written, diagnostics), diagnostics);
  const lookup = checkNames(project, diagnostics);
  const gateway = gatewayConfigured(project);
  const dag = new Dag<NodeId, ProjectNode>();
  const nodes = new Map<NodeId, ProjectNode>();
  const all: ProjectNode[] = [...lookup.sources.values(), ...lookup.models.values(), ...project.tests, ...project.exposures];
  for (const n of all) {
    if (nodes.has(n.id)) continue;
    nodes.set(n.id, n);
    dag.addNode(n.id, n);
  }

  // 1. Render templates and resolve every model's inputs.
  const models = new Map<string, ResolvedModel>();
  for (const model of lookup.models.values()) {
    const inputs = new Set<NodeId>();
    const sqlInputs = new Set<NodeId>();
    // Missing refs are already reported; the SQL analyser must not report them again.
    const unresolved = new Set<string>();
    let renderedSql: string | undefined;
    if (model.sql !== undefined) {
      const rendered = renderTemplate(model.sql, {
        vars: project.vars,
        env: project.env,
        source: quoteName,
        ref: (name, version) => quoteName(versions.nodeName(name, version) ?? name),
      });
      for (const d of rendered.diagnostics) {
        diagnostics.push({ ...d, ...model.atString(['sql'], d.line ?? 1, d.column ?? 1), node: model.id });
      }
      renderedSql = rendered.text;
      for (const written of rendered.calls) {
        const call = versionedCall(written, model, versions, diagnostics);
        if (!call) {
          unresolved.add(versions.nodeName(written.name) ?? written.name);
          continue;
        }
        const id = checkCall(call, model, lookup, diagnostics);
        if (id) {
          inputs.add(id);
          sqlInputs.add(id);
        } else {
          unresolved.add(call.name);
        }
      }
    }
    for (const ref of model.from) {
      const id = resolveRef(ref, lookup);
      if (!id) {
        const nf = notFound(ref.kind === 'source' ? 'source' : ref.kind === 'model' ? 'model' : lookup.sources.size && !lookup.models.size ? 'source' : 'model', ref.name, lookup);
        const anyKind = ref.kind === 'any';
        diagnostics.push(
          error(anyKind ? 'MODEL_NOT_FOUND' : nf.code, anyKind ? `"${ref.name}" in from: is neither a source nor a model` : nf.message, {
            ...model.at(ref.path),
            node: model.id,
            hint: anyKind ? (didYouMean(ref.name, [...lookup.sources.keys(), ...lookup.models.keys()]) ?? 'declare it under sources: or models:') : nf.hint,
          }),
        );
        continue;
      }
      checkAccess(id, model, () => model.at(ref.path), lookup, diagnostics);
      if (model.sql !== undefined && !sqlInputs.has(id)) {
        diagnostics.push(
          warning(id.startsWith('source.') ? 'UNUSED_FROM_SOURCE' : 'UNUSED_FROM_REF', `${ref.name} is declared in from: but not read by the SQL of model "${model.name}"`, {
            ...model.at(ref.path),
            node: model.id,
            hint: `remove it from from:, or read it with {{ ${id.startsWith('source.') ? 'source' : 'ref'}("${ref.name}") }}`,
          }),
        );
      }
      inputs.add(id);
    }
    if (model.hasFrom && model.sql !== undefined) {
      const declared = new Set(model.from.map((r) => resolveRef(r, lookup)));
      for (const id of sqlInputs) {
        if (!declared.has(id)) {
          diagnostics.push(
            warning('UNDECLARED_DEPENDENCY', `Model "${model.name}" reads ${id.replace('.', ' ')} in its SQL but does not list it in from:`, {
              ...model.at(['from'], 'key'),
              node: model.id,
              hint: 'add it to from:, or remove from: and let streamt infer the inputs from the SQL',
            }),
          );
        }
      }
    }
    for (const id of inputs) dag.addEdge(id, model.id, 'data');
    const entry: ResolvedModel = { node: model, inputs: [...inputs].sort(), materialized: 'flink', materializationReason: '', columns: model.columns, unresolved: [...unresolved] };
    if (renderedSql !== undefined) entry.renderedSql = renderedSql;
    models.set(model.name, entry);
  }

  // 2. Tests and exposures hang off the models and sources they name.
  for (const test of project.tests) {
    const target = resolveRef({ kind: 'any', name: test.target, path: ['model'] }, lookup);
    if (!target) {
      diagnostics.push(
        error('TEST_MODEL_NOT_FOUND', `Test "${test.name}" tests "${test.target}", which is neither a model nor a source`, {
          ...test.at(['model']),
          node: test.id,
          hint: didYouMean(test.target, [...lookup.models.keys(), ...lookup.sources.keys()]) ?? 'set model: to a declared model or source',
        }),
      );
    } else {
      dag.addEdge(target, test.id, 'test');
    }
  }
  for (const exposure of project.exposures) {
    const groups: [InputRef[], string][] = [
      [exposure.produces, 'EXPOSURE_SOURCE_NOT_FOUND'],
      [exposure.consumes, 'EXPOSURE_MODEL_NOT_FOUND'],
      [exposure.dependsOn, 'EXPOSURE_DEPENDENCY_NOT_FOUND'],
    ];
    for (const [refs, code] of groups) {
      for (const ref of refs) {
        const id = resolveRef(ref, lookup);
        if (!id) {
          const what = ref.kind === 'source' ? 'source' : ref.kind === 'model' ? 'model' : 'source or model';
          diagnostics.push(
            error(code, `Exposure "${exposure.name}" references ${what} "${ref.name}", which does not exist`, {
              ...exposure.at(ref.path),
              node: exposure.id,
              hint: didYouMean(ref.name, [...lookup.sources.keys(), ...lookup.models.keys()]) ?? `declare "${ref.name}" or fix the name`,
            }),
          );
          continue;
        }
        if (refs === exposure.produces) dag.addEdge(exposure.id, id, 'produces');
        else dag.addEdge(id, exposure.id, 'consumes');
      }
    }
  }

  // 3. Cycles among models (producer exposures may legitimately close a loop through an app).
  const modelDag = new Dag<NodeId>();
  for (const m of models.values()) modelDag.addNode(m.node.id, undefined);
  for (const m of models.values()) for (const i of m.inputs) modelDag.addEdge(i, m.node.id);
  // The Dag drops self-edges, so a model that reads itself is found here; left undetected, every
  // later phase would recurse on it forever.
  for (const m of models.values()) {
    if (!m.inputs.includes(m.node.id)) continue;
    diagnostics.push(
      error('CYCLE_DETECTED', `Circular dependency: model "${m.node.name}" reads its own output (${m.node.name} -> ${m.node.name})`, {
        ...m.node.loc,
        node: m.node.id,
        hint: 'a model cannot read its own output; read the model or source it is computed from',
      }),
    );
  }
  const cycles = modelDag.cycles();
  for (const cycle of cycles) {
    const names = cycle.map((id) => id.slice('model.'.length));
    const first = lookup.models.get(names[0]!)!;
    diagnostics.push(
      error('CYCLE_DETECTED', `Circular dependency: ${[...names, names[0]].join(' -> ')}`, {
        ...first.loc,
        node: first.id,
        hint: 'a model cannot read its own output, directly or through other models; break the cycle',
      }),
    );
  }

  // 4. Analyse SQL in dependency order so inputs' columns are known, and derive each node's view
  // (topic, columns, time attributes, format, changelog, key) once, for every later phase.
  const tables = new Map<NodeId, NodeTable>();
  for (const s of lookup.sources.values()) tables.set(s.id, sourceTable(s));
  // What the analyser sees of a table, derived once per table, not once per reader (the analyser
  // only reads its inputs).
  const inputViews = new WeakMap<NodeTable, InputTable>();
  const inputOf = (t: NodeTable | undefined): InputTable => {
    if (!t) return inputTableOf(t);
    let view = inputViews.get(t);
    if (!view) inputViews.set(t, (view = inputTableOf(t)));
    return view;
  };
  // The order of the models, computed once: step 7 walks it again.
  const order = modelDag.topologicalOrder();
  for (const id of order) {
    const m = models.get(id.slice('model.'.length))!;
    if (m.renderedSql !== undefined) {
      const inputs: Record<string, InputTable> = {};
      for (const i of m.inputs) setOwn(inputs, i.slice(i.indexOf('.') + 1), inputOf(tables.get(i)));
      for (const name of m.unresolved ?? []) if (!own(inputs, name)) setOwn(inputs, name, { columns: [] });
      const mlOutputs: Record<string, { name: string; type: string }[]> = {};
      for (const [name, cols] of Object.entries(m.node.mlOutputs)) {
        if (cols.length && cols.every((c) => c.type !== undefined)) setOwn(mlOutputs, name, cols.map((c) => ({ name: c.name, type: c.type! })));
      }
      const options = Object.keys(mlOutputs).length ? { mlOutputs } : {};
      const analysis = analyze(m.renderedSql, inputs, options, opts.analyses);
      m.analysis = analysis;
      for (const d of analysis.diagnostics) {
        const loc = d.line !== undefined ? m.node.atString(['sql'], d.line, d.column ?? 1) : m.node.at(['sql']);
        diagnostics.push({ ...d, ...loc, node: m.node.id });
      }
      if (!m.columns.length && analysis.columns) m.columns = analysis.columns.map((c) => ({ name: c.name, type: c.type }));
      diagnostics.push(...checkContract(m));
    }
    chooseMaterialization(m, project, gateway, inputTables(m, tables), diagnostics);
    // The query tree was read (Gateway SQL); keep the heap small from here on (memo.ts).
    // A remembered analysis is lazy already: copying it would read, so parse, its tree.
    if (m.analysis?.parsed && m.renderedSql !== undefined && !hasLazyQuery(m.analysis)) {
      // A copy without the tree: turning the existing property into the getter would put the
      // analysis in V8's dictionary mode.
      const { query: _query, ...rest } = m.analysis;
      const key = keyOfAnalysis(m.analysis);
      m.analysis = rest;
      if (key !== undefined) keyAnalysis(rest, key);
      lazyQuery(m.analysis, m.renderedSql);
    }
    applyMaskTypes(m, gateway);
    const table = modelTable(m, project, inputTables(m, tables));
    tables.set(m.node.id, table);
    if (table.formatNote) {
      diagnostics.push(
        info('MODEL_OUTPUT_JSON_FALLBACK', `Model "${m.node.name}" writes JSON, not Avro, although a schema registry is configured: ${table.formatNote}`, {
          ...m.node.at(['sql']),
          node: m.node.id,
          hint: 'CAST the column to a type Avro can hold to write Avro, or set output_format: json to make the choice explicit',
        }),
      );
    }
  }

  // 5. Sources: what their declaration must say, and what the Flink jobs reading them need.
  const flinkReaders = new Map<NodeId, string[]>();
  for (const m of models.values()) {
    if (!runsOnFlink(m)) continue;
    for (const i of m.inputs) if (i.startsWith('source.')) flinkReaders.set(i, [...(flinkReaders.get(i) ?? []), m.node.name]);
  }
  for (const s of lookup.sources.values()) {
    diagnostics.push(...checkSourceDeclaration(s));
    const readers = flinkReaders.get(s.id);
    if (readers) diagnostics.push(...checkSourceReadByFlink(s, readers.sort()));
  }

  // 6. Kafka, where it matters: every model that writes a topic or runs a job needs the cluster.
  const needKafka = [...models.values()].filter((m) => m.materialized === 'flink' || m.materialized === 'topic').map((m) => m.node.name);
  if (needKafka.length && !project.runtime.kafka?.bootstrap_servers) {
    const noRuntime = !Object.keys(project.runtime).length;
    diagnostics.push(
      error('KAFKA_REQUIRED', `${noRuntime ? 'The project has no runtime: section' : 'No Kafka cluster is configured (runtime.kafka)'}, and ${needKafka.length === 1 ? 'model' : 'models'} ${needKafka.slice(0, 5).map((n) => `"${n}"`).join(', ')}${needKafka.length > 5 ? ', ...' : ''} ${needKafka.length === 1 ? 'writes a Kafka topic' : 'write Kafka topics'}`, {
        ...project.runtimeAt([], 'key'),
        hint: noRuntime
          ? 'add runtime: with kafka: {bootstrap_servers: host:9092}, and the flink, connect or conduktor connections your models need (see docs/yaml-reference.md, runtime)'
          : 'add runtime.kafka.bootstrap_servers (host:port)',
      }),
    );
  }

  // 7. Column lineage and classification, in dependency order (a model's inputs are classified first).
  const classOf = (id: NodeId, column: string): Classification | undefined => {
    if (id.startsWith('source.')) {
      const cols = lookup.sources.get(id.slice('source.'.length))?.columns ?? [];
      // A nested field takes its own classification, else its enclosing column's.
      for (let name = column; ; name = name.slice(0, name.lastIndexOf('.'))) {
        const c = cols.find((x) => x.name === name)?.classification;
        if (c || !name.includes('.')) return c;
      }
    }
    const classes = models.get(id.slice('model.'.length))?.columnClasses ?? {};
    for (let name = column; ; name = name.slice(0, name.lastIndexOf('.'))) {
      const c = own(classes, name)?.classification;
      if (c || !name.includes('.')) return c;
    }
  };
  const allOf = (id: NodeId): (Classification | undefined)[] =>
    id.startsWith('source.')
      ? (lookup.sources.get(id.slice('source.'.length))?.columns ?? []).map((c) => c.classification)
      : Object.values(models.get(id.slice('model.'.length))?.columnClasses ?? {}).map((c) => c.classification);
  // Remembered (incremental validate): a model's lineage and classification, by the key of what
  // they are a function of, chained from its inputs' keys (memo.ts, lineageKey).
  const lineageKeys = new Map<NodeId, string | undefined>();
  const inputLineageKey = (input: NodeId): string | undefined => {
    if (lineageKeys.has(input)) return lineageKeys.get(input);
    // A source (a model not yet keyed is upstream of nothing here: the order is topological).
    const s = input.startsWith('source.') ? lookup.sources.get(input.slice('source.'.length)) : undefined;
    const key = s ? sourceLineageKey(s.columns, tables.get(input)?.columns) : undefined;
    lineageKeys.set(input, key);
    return key;
  };
  const tableColumns = (input: NodeId): string[] | undefined => tables.get(input)?.columns?.map((c) => c.name);
  for (const id of order) {
    const m = models.get(id.slice('model.'.length))!;
    const memo = opts.lineage;
    const key = memo ? lineageKey(m, gateway, inputLineageKey) : undefined;
    lineageKeys.set(id, key);
    const known = key !== undefined ? (memo!.next.get(key) ?? memo!.previous.get(key)) : undefined;
    // The lineage is not remembered, only whether there is one: computed again the first time it
    // is read, from what it is computed from here (nothing changes a model's analysis or a view
    // after this step).
    if (known !== undefined && rememberLineage(m, known, () => modelLineage(m, tableColumns))) {
      memo!.next.set(key!, known);
      continue;
    }
    const lineage = modelLineage(m, tableColumns);
    if (lineage) m.columnLineage = lineage;
    m.columnClasses = classifyModel(m, lineage, classOf, allOf, gateway);
    if (key !== undefined) {
      const cached = toCachedLineage({ hasLineage: lineage !== undefined, classes: m.columnClasses });
      if (cached !== undefined) memo!.next.set(key, cached);
    }
  }

  const fellBack = [...models.values()].filter((m) => m.materializationReason === 'stateless SQL, no Gateway configured');
  if (fellBack.length && Object.keys(flinkClusters(project)).length) {
    // One note for the project, not one per model: it is a property of the runtime.
    const names = fellBack.map((m) => m.node.name);
    diagnostics.push(
      info('AMBIGUOUS_MATERIALIZATION', `${names.length} stateless model${names.length === 1 ? ' (' : 's ('}${names.slice(0, 5).join(', ')}${names.length > 5 ? ', ...' : ''}) ${names.length === 1 ? 'runs as a Flink job' : 'run as Flink jobs'} because no Conduktor Gateway is configured`, {
        ...project.runtimeAt([], 'key'),
        hint: 'configure runtime.conduktor.gateway to serve them as virtual topics, or set materialized: flink to make the choice explicit',
      }),
    );
  }
  checkTests(project, lookup, models, diagnostics);
  const resolved: ResolvedProject = { project, nodes, models, tables, dag, diagnostics, gateway };
  diagnostics.push(...checkRules(resolved));
  const access = checkExposureAccess(resolved);
  resolved.access = access.access;
  diagnostics.push(...access.diagnostics);
  return resolved;
}

/** `analyzeSql`, or the same analysis remembered from an earlier run (memo.ts). */
function analyze(sql: string, inputs: Record<string, InputTable>, options: AnalyzeOptions, memo: AnalysisMemo | undefined): SqlAnalysis {
  if (!memo) return analyzeSql(sql, inputs, options);
  const key = analysisKey(sql, inputs, options);
  if (key === undefined) return analyzeSql(sql, inputs, options);
  const known = memo.next.get(key) ?? memo.previous.get(key);
  if (known) {
    try {
      const analysis = fromCached(known, sql);
      memo.next.set(key, known);
      keyAnalysis(analysis, key);
      return analysis;
    } catch {
      // An entry that does not read back is not trusted: analysed again below.
    }
  }
  const analysis = analyzeSql(sql, inputs, options);
  const cached = toCached(analysis);
  if (cached !== undefined) memo.next.set(key, cached);
  keyAnalysis(analysis, key);
  return analysis;
}

/** A `ref()` call with the node name of the version it reads; undefined (reported) when the version does not exist. */
function versionedCall(call: TemplateCall, model: ModelNode, versions: ModelVersions, diagnostics: Diagnostic[]): TemplateCall | undefined {
  if (call.fn !== 'ref') return call;
  const name = versions.nodeName(call.name, call.version);
  if (name !== undefined) return name === call.name ? call : { ...call, name };
  const known = versions.versionsOf(call.name);
  diagnostics.push(
    error('MODEL_VERSION_NOT_FOUND', known.length ? `Model "${call.name}" has no version ${call.version}` : `Model "${call.name}" is not versioned: ref("${call.name}", version=${call.version}) reads nothing`, {
      ...model.atString(['sql'], call.line, call.column),
      node: model.id,
      hint: known.length ? `its versions: ${known.join(', ')}` : `use ref("${call.name}"), or give "${call.name}" a version: ${call.version}`,
    }),
  );
  return undefined;
}

function checkCall(call: TemplateCall, model: ModelNode, lookup: Lookup, diagnostics: Diagnostic[]): NodeId | undefined {
  const kind = call.fn === 'source' ? 'source' : 'model';
  const exists = kind === 'source' ? lookup.sources.has(call.name) : lookup.models.has(call.name);
  // Positions are only computed when a diagnostic needs one.
  const at = () => model.atString(['sql'], call.line, call.column);
  if (!exists) {
    const nf = notFound(kind, call.name, lookup);
    diagnostics.push(error(nf.code, nf.message, { ...at(), node: model.id, hint: nf.hint }));
    return undefined;
  }
  const id: NodeId = `${kind}.${call.name}`;
  checkAccess(id, model, at, lookup, diagnostics);
  return id;
}

function checkAccess(id: NodeId, model: ModelNode, at: () => { file: string; line: number; column: number }, lookup: Lookup, diagnostics: Diagnostic[]): void {
  const name = id.slice(id.indexOf('.') + 1);
  const target = id.startsWith('source.') ? lookup.sources.get(name) : lookup.models.get(name);
  if (!target || target === model) return;
  if (!accessAllowed(target, model)) {
    diagnostics.push(
      error('ACCESS_DENIED', `Access denied: model "${model.name}"${model.group ? ` (group ${model.group})` : ''} cannot read private ${target.kind} "${name}" of group ${target.group}`, {
        ...at(),
        node: model.id,
        hint: `set group: ${target.group} on "${model.name}", or make "${name}" access: protected or public`,
      }),
    );
  }
}

const ML_FUNCTIONS = ['ML_PREDICT', 'ML_EVALUATE'];

/** Why a stateless model cannot be a Gateway virtual topic, or undefined when it can. */
function gatewayCannotServe(m: ResolvedModel, inputs: NodeTable[]): string | undefined {
  if (inputs.length !== 1) return `it reads ${inputs.length} topics, and a virtual topic reads one`;
  const input = inputs[0]!;
  if (input.changelog === 'updating') return `it reads ${input.id.replace('.', ' ')}, a changelog, which a virtual topic cannot filter (a row an update moves out of the filter would stay visible)`;
  m.gatewaySql = gatewaySql(m.analysis?.query, input.format);
  return m.gatewaySql.ok ? undefined : m.gatewaySql.reason;
}

/** Models compiled to a Flink job of their own. */
function runsOnFlink(m: ResolvedModel): boolean {
  return (m.materialized === 'flink' || m.materialized === 'topic') && m.renderedSql !== undefined;
}

function chooseMaterialization(m: ResolvedModel, project: Project, gateway: boolean, inputs: NodeTable[], diagnostics: Diagnostic[]): void {
  const node = m.node;
  const a = m.analysis;
  const hasFlink = Object.keys(flinkClusters(project)).length > 0;
  let chosen: Materialization;
  let reason: string;
  if (node.declaredMaterialized) {
    chosen = node.declaredMaterialized;
    reason = 'declared with materialized:';
  } else if (node.sql === undefined && node.from.length) {
    chosen = 'sink';
    reason = 'from: without SQL';
  } else if (node.virtualTopic) {
    chosen = 'virtual_topic';
    reason = 'gateway.virtual_topic is set';
  } else if (node.sql === undefined) {
    chosen = 'topic';
    reason = 'no SQL: a plain topic';
  } else if (a && (a.stateful || a.mlFunctions.length)) {
    chosen = 'flink';
    reason = a.mlFunctions.length ? `calls ${a.mlFunctions.join(', ')}` : `stateful SQL (${a.features.join(', ').replace(/_/g, ' ')})`;
  } else if (!a || !a.parsed) {
    chosen = 'flink';
    reason = a ? 'SQL could not be analysed' : 'SQL template could not be rendered';
  } else if (!gateway && inputs.some((i) => i.changelog === 'updating')) {
    chosen = 'flink';
    reason = `stateless SQL over a changelog (${inputs.filter((i) => i.changelog === 'updating').map((i) => i.name).join(', ')})`;
  } else if (gateway) {
    const why = gatewayCannotServe(m, inputs);
    if (!why) {
      chosen = 'virtual_topic';
      reason = 'stateless SQL and a Gateway is configured';
    } else {
      chosen = 'flink';
      reason = `stateless SQL the Gateway cannot serve: ${why}`;
      diagnostics.push(
        info('GATEWAY_CANNOT_SERVE', `Model "${node.name}" is stateless but runs as a Flink job: the Gateway cannot serve it (${why})`, {
          ...node.at(['sql']),
          node: node.id,
          hint: m.gatewaySql && !m.gatewaySql.ok
            ? "to serve it as a virtual topic, keep to the Gateway's SQL (SELECT of fields and CASE; WHERE with AND of =, <>, <, <=, >, >= and REGEXP); or set materialized: flink to make the choice explicit"
            : 'set materialized: flink to make the choice explicit',
        }),
      );
    }
  } else {
    chosen = 'flink';
    reason = 'stateless SQL, no Gateway configured';
  }
  m.materialized = chosen;
  m.materializationReason = reason;
  if (chosen === 'virtual_topic' && node.sql !== undefined && inputs.length === 1) {
    // A virtual topic written as such: what the Gateway cannot do is an error, never dropped.
    m.gatewaySql ??= gatewaySql(a?.query, inputs[0]!.format);
    if (!m.gatewaySql.ok) {
      diagnostics.push(error('VIRTUAL_TOPIC_UNSUPPORTED_SQL', `Model "${node.name}" cannot be served as a Gateway virtual topic: ${m.gatewaySql.reason}`, { ...node.at(['sql']), node: node.id, hint: GATEWAY_SQL_HINT }));
    }
    if (inputs[0]!.changelog === 'updating') {
      diagnostics.push(
        error('VIRTUAL_TOPIC_CHANGELOG', `Model "${node.name}" is a virtual topic over ${inputs[0]!.id.replace('.', ' ')}, a changelog: the Gateway filters records one by one, so a row that an update moves out of the filter would stay visible`, {
          ...(node.declaredMaterialized ? node.at(['materialized']) : node.at(['gateway'])),
          node: node.id,
          hint: 'use materialized: flink (an upsert-kafka job keeps the result right), or read an append-only input',
        }),
      );
    }
  }
  const runtimeLoc = () => ({ ...node.loc, node: node.id }); // located only for a diagnostic

  if (chosen === 'virtual_topic' && !gateway) {
    diagnostics.push(
      error('GATEWAY_REQUIRED', `Model "${node.name}" is a virtual topic but no Conduktor Gateway is configured`, {
        ...(node.declaredMaterialized ? node.at(['materialized']) : node.at(['gateway'])),
        node: node.id,
        hint: 'add runtime.conduktor.gateway.admin_url, or use materialized: flink',
      }),
    );
  }
  if (chosen === 'virtual_topic' && a?.stateful) {
    diagnostics.push(
      error('VIRTUAL_TOPIC_STATEFUL', `Model "${node.name}" is a virtual topic but its SQL is stateful (${a.features.join(', ')})`, {
        ...node.at(['sql']),
        node: node.id,
        hint: 'a Gateway virtual topic can only filter and project; use materialized: flink',
      }),
    );
  }
  const needsFlink = chosen === 'flink' || (chosen === 'topic' && node.sql !== undefined);
  if (needsFlink && a?.changelog === 'updating' && node.key.length && a.upsertKey?.length) {
    const missing = a.upsertKey.filter((k) => !node.key.includes(k));
    if (missing.length) {
      diagnostics.push(
        error('KEY_NOT_UNIQUE', `The key of model "${node.name}" (${node.key.join(', ')}) does not identify a row of its updating result, whose key is (${a.upsertKey.join(', ')}): its compacted topic would keep one row per ${node.key.join(', ')} and lose the others`, {
          ...node.at(['key']),
          node: node.id,
          hint: `set key: [${a.upsertKey.join(', ')}] (the key must contain ${missing.join(', ')}), or change the query so that ${node.key.join(', ')} identifies a row (e.g. GROUP BY ${node.key.join(', ')} only)`,
        }),
      );
    }
  }
  if (needsFlink && !hasFlink) {
    const auto = !node.declaredMaterialized && a && !a.stateful && !a.mlFunctions.length;
    diagnostics.push(
      error(auto ? 'NO_PROCESSING_RUNTIME' : 'FLINK_REQUIRED', auto
        ? `Model "${node.name}" transforms data but neither a Gateway nor a Flink cluster is configured`
        : `Model "${node.name}" runs on Flink but no Flink cluster is configured`, {
        ...runtimeLoc(),
        hint: 'add runtime.flink.clusters.<name> with rest_url and sql_gateway_url',
      }),
    );
  }
  if (needsFlink && node.flinkCluster && hasFlink && !own(flinkClusters(project), node.flinkCluster)) {
    diagnostics.push(
      error('UNKNOWN_CLUSTER', `Model "${node.name}" uses Flink cluster "${node.flinkCluster}", which is not declared`, {
        ...node.at(['flink_cluster']),
        node: node.id,
        hint: didYouMean(node.flinkCluster, Object.keys(flinkClusters(project))) ?? 'declare it under runtime.flink.clusters',
      }),
    );
  }
  if (a?.mlFunctions.length) {
    const confluent = Object.values(flinkClusters(project)).some((c) => c.type === 'confluent');
    if (!confluent) {
      diagnostics.push(
        error('CONFLUENT_FLINK_REQUIRED', `Model "${node.name}" calls ${a.mlFunctions.join(', ')}, which only Confluent Cloud Flink provides`, {
          ...node.at(['sql']),
          node: node.id,
          hint: 'add a runtime.flink.clusters entry with type: confluent',
        }),
      );
    } else {
      for (const fn of ML_FUNCTIONS) {
        if (!a.mlFunctions.includes(fn)) continue;
        const sql = m.renderedSql ?? '';
        const re = new RegExp(`${fn}\\s*\\(\\s*(?:TABLE\\s+)?['"\`]?([A-Za-z0-9_.-]+)`, 'gi');
        for (const match of sql.matchAll(re)) {
          if (!own(node.mlOutputs, match[1]!)) {
            diagnostics.push(
              warning('ML_PREDICT_OPAQUE_OUTPUT', `Output columns of ML model "${match[1]}" are unknown in model "${node.name}"`, {
                ...node.at(['sql']),
                node: node.id,
                hint: `declare them under ml_outputs: ${match[1]}: {columns: [...]}`,
              }),
            );
          }
        }
      }
    }
  }
  if (chosen === 'sink') {
    if (!node.sink) {
      diagnostics.push(
        error('MISSING_SINK_CONFIG', `Sink model "${node.name}" has no sink: configuration`, {
          ...runtimeLoc(),
          hint: 'add sink: {connector: jdbc-sink, config: {...}}',
        }),
      );
    }
    if (!project.runtime.connect?.clusters || !Object.keys(project.runtime.connect.clusters).length) {
      diagnostics.push(
        error('CONNECT_REQUIRED', `Sink model "${node.name}" needs a Kafka Connect cluster, and none is configured`, {
          ...runtimeLoc(),
          hint: 'add runtime.connect.clusters.<name>.rest_url',
        }),
      );
    }
    if (!m.inputs.length) {
      diagnostics.push(error('SINK_NO_INPUT', `Sink model "${node.name}" has no input`, { ...runtimeLoc(), hint: 'add from: <model or source>' }));
    }
  }
  if (node.sql !== undefined && a && !a.hasFrom && a.parsed) {
    // The analyser reports SQL_NO_FROM itself; nothing more to add here.
  }
  const ttl = node.flink.stateTtlMs;
  if (ttl !== undefined && ttl < 0) {
    diagnostics.push(error('INVALID_STATE_TTL', `State TTL of model "${node.name}" must be positive, got ${ttl}`, { ...node.at(['advanced', 'flink', 'state_ttl_ms']), node: node.id, hint: 'use a duration in ms, or 0 to keep state forever' }));
  } else if (ttl !== undefined && ttl > 0 && ttl < 1000) {
    diagnostics.push(warning('STATE_TTL_TOO_SHORT', `State TTL of model "${node.name}" is ${ttl} ms: state expires almost immediately`, { ...node.at(['advanced', 'flink', 'state_ttl_ms']), node: node.id, hint: 'state TTL is in milliseconds; 3600000 is one hour' }));
  }
  if (node.policies.some((p) => p.kind !== 'encrypt') && !gateway && chosen === 'virtual_topic') {
    diagnostics.push(
      warning('SECURITY_POLICIES_NOT_ENFORCED', `Security policies of model "${node.name}" need a Conduktor Gateway to be enforced at read time`, {
        ...node.at(['security']),
        node: node.id,
        hint: 'configure runtime.conduktor.gateway, or mask in the SQL',
      }),
    );
  }
}

function checkTests(project: Project, lookup: Lookup, models: Map<string, ResolvedModel>, diagnostics: Diagnostic[]): void {
  const hasFlink = Object.keys(flinkClusters(project)).length > 0;
  for (const test of project.tests) {
    if (test.type === 'continuous' && !hasFlink) {
      diagnostics.push(
        error('CONTINUOUS_TEST_REQUIRES_FLINK', `Continuous test "${test.name}" needs a Flink cluster, and none is configured`, {
          ...test.at(['type']),
          node: test.id,
          hint: 'add runtime.flink.clusters, or use type: sample',
        }),
      );
    }
    // Schema tests read a sample of records too (checked against the declared schema).
    if (test.sampleSize !== undefined && test.type === 'continuous') {
      diagnostics.push(
        warning('SAMPLE_SIZE_IGNORED', `sample_size is ignored for ${test.type} test "${test.name}"`, {
          ...test.at(['sample_size'], 'key'),
          node: test.id,
          hint: 'remove sample_size, or use type: sample or schema',
        }),
      );
    }
    const targetColumns = columnsOf(test.target, lookup, models);
    for (const a of test.assertions) {
      for (const col of assertionColumns(a.type, a.config)) {
        if (targetColumns && targetColumns.length && !targetColumns.some((c) => c.name === col.name)) {
          diagnostics.push(
            warning('TEST_UNKNOWN_COLUMN', `Test "${test.name}" checks column "${col.name}", which "${test.target}" does not have`, {
              ...test.at([...a.path, ...col.path]),
              node: test.id,
              hint: didYouMean(col.name, targetColumns.map((c) => c.name)) ?? `known columns: ${targetColumns.map((c) => c.name).join(', ')}`,
            }),
          );
        }
      }
      if (a.type === 'foreign_key') {
        const refModel = String(a.config.ref_model);
        if (!lookup.models.has(refModel) && !lookup.sources.has(refModel)) {
          diagnostics.push(
            error('TEST_MODEL_NOT_FOUND', `foreign_key of test "${test.name}" references "${refModel}", which is neither a model nor a source`, {
              ...test.at([...a.path, 'ref_model']),
              node: test.id,
              hint: didYouMean(refModel, [...lookup.models.keys(), ...lookup.sources.keys()]) ?? 'fix ref_model',
            }),
          );
        }
      }
    }
    for (const action of test.actions) {
      if (action.type !== 'dlq') continue;
      const dlq = action.config.model ?? action.config.topic;
      if (typeof action.config.model === 'string' && !lookup.models.has(action.config.model)) {
        diagnostics.push(
          error('DLQ_MODEL_NOT_FOUND', `DLQ model "${action.config.model}" of test "${test.name}" does not exist`, {
            ...test.at([...action.path, 'model']),
            node: test.id,
            hint: didYouMean(action.config.model, lookup.models.keys()) ?? 'declare the DLQ model (materialized: topic), or use dlq: {topic: name}',
          }),
        );
      } else if (dlq === undefined) {
        diagnostics.push(
          error('DLQ_MODEL_NOT_FOUND', `The dlq action of test "${test.name}" names no model or topic`, {
            ...test.at(action.path),
            node: test.id,
            hint: 'write dlq: {model: <name>} or dlq: {topic: <name>}',
          }),
        );
      }
    }
  }
  for (const e of project.exposures) {
    if (e.sla) {
      diagnostics.push(
        info('SLA_NOT_ENFORCED', `The SLA of exposure "${e.name}" is documentation: streamt reports it but does not enforce it`, {
          ...e.at(['sla'], 'key'),
          node: e.id,
        }),
      );
    }
  }
}

function columnsOf(name: string, lookup: Lookup, models: Map<string, ResolvedModel>): Column[] | undefined {
  const s = lookup.sources.get(name);
  if (s) return s.columns;
  return models.get(name)?.columns;
}

function assertionColumns(type: string, config: Record<string, unknown>): { name: string; path: PathSegment[] }[] {
  const out: { name: string; path: PathSegment[] }[] = [];
  if (type === 'not_null' && Array.isArray(config.columns)) config.columns.forEach((c, i) => out.push({ name: String(c), path: ['columns', i] }));
  if (['accepted_values', 'range', 'distribution', 'foreign_key', 'max_lag'].includes(type) && typeof config.column === 'string')
    out.push({ name: config.column, path: ['column'] });
  if (type === 'unique_key') {
    const keys = Array.isArray(config.key) ? config.key : [config.key];
    keys.forEach((k, i) => out.push({ name: String(k), path: Array.isArray(config.key) ? ['key', i] : ['key'] }));
  }
  return out;
}
