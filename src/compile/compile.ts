/**
 * ResolvedProject → artifacts, files and the manifest. Pure: no I/O, no clock (the caller passes
 * `compiledAt`), and the same input always gives the same bytes.
 */
import { error, warning, type Diagnostic } from '../core/diagnostics.js';
import { buildManifest } from '../manifest/build.js';
import type { NodeId } from '../project/types.js';
import type { ResolvedProject } from '../resolve/types.js';
import { CompileContext } from './context.js';
import { emitAcls, type KafkaClient } from './emitters/acls.js';
import { emitConnector } from './emitters/connectors.js';
import { emitContinuousTests } from './emitters/continuous.js';
import { emitFlinkJob, type JobKafkaAccess } from './emitters/flink.js';
import { checkClientSecurity } from './kafka-identity.js';
import { emitGatewayRules } from './emitters/gateway.js';
import { emitSourceSchema, modelOutputSchema, type ModelOutputSchema } from './emitters/schemas.js';
import { emitTopic } from './emitters/topics.js';
import { nodeError, stableJson } from './emitters/common.js';
import { policyPlacementDiagnostics } from './emitters/masking.js';
import { contentHash } from './hash.js';
import { compileBaseKey, fromCachedSlice, modelSliceKeys, toCachedSlice, type CompileMemo, type CompiledSlice } from './memo.js';
import { FileNamer, isSafeRelativePath } from './paths.js';
import type { AclSpec, Artifacts, CompileOptions, CompileResult, ConnectorSpec, FlinkJobSpec, GatewaySpec, SchemaSpecArtifact, TopicSpec } from './types.js';

export type { CompileOptions, CompileResult } from './types.js';

interface Pending<S> {
  addr: string;
  owner: NodeId;
  /** Name the file is derived from. */
  fileName: string;
  spec: S;
  /** File content, given the spec. */
  content: (spec: S) => string;
}

export function compileProject(resolved: ResolvedProject, opts: CompileOptions & { streamtVersion?: string } = {}): CompileResult {
  return compile(resolved, opts, false) as CompileResult;
}

/**
 * The diagnostics `compileProject` reports, and nothing else (validate): the same emitters run,
 * but no spec is scrubbed of secrets or hashed, and no file or manifest is built, since nothing of
 * them is kept. test/unit/validate-compile.test.ts keeps the two in step.
 */
export function compileDiagnostics(resolved: ResolvedProject, memo?: CompileMemo): Diagnostic[] {
  return compile(resolved, { renderFiles: false }, true, memo).diagnostics;
}

/**
 * `memo` (validate only: diagnosticsOnly): each model's part remembered between runs (./memo.ts),
 * replayed where its key is known, compiled and remembered where it is not.
 */
function compile(resolved: ResolvedProject, opts: CompileOptions & { streamtVersion?: string }, diagnosticsOnly: boolean, memo?: CompileMemo): CompileResult | { diagnostics: Diagnostic[] } {
  const ctx = new CompileContext(resolved);
  ctx.diagnosticsOnly = diagnosticsOnly;
  const diagnostics: Diagnostic[] = [];
  const selected = (id: NodeId) => !opts.selection || opts.selection.has(id);
  const topics: Pending<TopicSpec>[] = [];
  const jobs: Pending<FlinkJobSpec & { script: string }>[] = [];
  const connectors: Pending<ConnectorSpec>[] = [];
  const schemas: Pending<SchemaSpecArtifact>[] = [];
  const rules: Pending<GatewaySpec>[] = [];
  /** Every model's output schema, registered or only derived: the manifest shows them. */
  const outputSchemas = new Map<NodeId, ModelOutputSchema>();
  /** The Kafka clients compiled (jobs, connectors) and what they read and write: their ACLs. */
  const clients: KafkaClient[] = [];
  const hasGateway = !!resolved.project.runtime.conduktor?.gateway;

  const models = [...resolved.models.values()].sort((a, b) => (a.node.name < b.node.name ? -1 : 1));
  const base = memo && diagnosticsOnly ? compileBaseKey(resolved, ctx.vault) : undefined;
  const sliceKeys = base !== undefined ? modelSliceKeys(base, resolved) : undefined;
  for (const m of models) {
    const id = m.node.id;
    if (!selected(id)) continue;
    const key = sliceKeys?.get(m.node.name);
    if (key !== undefined) {
      const known = memo!.next.get(key) ?? memo!.previous.get(key);
      // The clients are read only to compile ACLs, which only a project that manages them does (emitAcls).
      // A part is what an empty vault gives (it was remembered only then): it is this vault's too
      // unless a value the vault knows occurs in it, where this vault would scrub it (./memo.ts).
      const slice = known !== undefined && !ctx.vault.leaks(known) ? fromCachedSlice(known, !!resolved.access?.managed) : undefined;
      if (slice) {
        // The addresses and clients are all the rest of a diagnostics-only compile reads of a part.
        replay(topics, slice.topics, id);
        replay(jobs, slice.jobs, id);
        replay(connectors, slice.connectors, id);
        replay(schemas, slice.schemas, id);
        replay(rules, slice.rules, id);
        for (const c of slice.clients) clients.push({ ...c, owner: id });
        memo!.next.set(key, known!);
        continue;
      }
    }
    const before = key !== undefined || diagnosticsOnly ? { v: ctx.vault.changes, d: diagnostics.length, t: topics.length, j: jobs.length, c: connectors.length, s: schemas.length, r: rules.length, k: clients.length } : undefined;
    const topic = emitTopic(ctx, m);
    if (topic) topics.push({ addr: `kafka.topic.${topic.name}`, owner: id, fileName: topic.name, spec: topic, content: stableJson });
    if ((m.materialized === 'flink' || m.materialized === 'topic') && m.renderedSql !== undefined) {
      const job = emitFlinkJob(ctx, m, diagnostics);
      if (job) {
        jobs.push({ addr: `flink.job.${m.node.name}`, owner: id, fileName: m.node.name, spec: { ...job.spec, script: job.sql }, content: (s) => s.script });
        clients.push({ addr: `flink.job.${m.node.name}`, owner: id, runtime: 'flink', cluster: job.spec.cluster, access: job.access });
      }
    }
    const output = modelOutputSchema(ctx, m, diagnostics, diagnosticsOnly);
    if (output && !diagnosticsOnly) outputSchemas.set(id, output);
    const modelSchema = output?.registered ? output.spec : undefined;
    if (modelSchema) schemas.push({ addr: `sr.subject.${modelSchema.subject}`, owner: id, fileName: modelSchema.subject, spec: modelSchema, content: registration });
    const connector = emitConnector(ctx, m, diagnostics, (envelope) => {
      topics.push({ addr: `kafka.topic.${envelope.topic.name}`, owner: id, fileName: envelope.topic.name, spec: envelope.topic, content: stableJson });
      jobs.push({ addr: `flink.job.${m.node.name}.connect`, owner: id, fileName: `${m.node.name}.connect`, spec: { ...envelope.job.spec, script: envelope.job.sql }, content: (s) => s.script });
      clients.push({ addr: `flink.job.${m.node.name}.connect`, owner: id, runtime: 'flink', cluster: envelope.job.spec.cluster, access: envelope.job.access });
    });
    if (connector) {
      connectors.push({ addr: `connect.connector.${connector.name}`, owner: id, fileName: connector.name, spec: connector, content: (s) => stableJson({ name: s.name, config: s.config }) });
      clients.push({ addr: `connect.connector.${connector.name}`, owner: id, runtime: 'connect', cluster: connector.cluster, access: connectorAccess(connector) });
    }
    for (const rule of emitGatewayRules(ctx, m, diagnostics)) {
      rules.push({ addr: `gateway.rule.${rule.name}`, owner: id, fileName: rule.name, spec: rule, content: (s) => stableJson(s.resource) });
    }
    diagnostics.push(...policyPlacementDiagnostics(ctx, m));
    if (diagnosticsOnly && before) {
      // Nothing after this loop reads a spec in a diagnostics-only compile (addresses, owners and
      // clients only): dropped now, the specs of 10,000 models die young instead of being carried
      // through the whole compile (validate's peak RSS, docs/development.md).
      for (const [list, from] of [[topics, before.t], [jobs, before.j], [connectors, before.c], [schemas, before.s], [rules, before.r]] as [Pending<unknown>[], number][]) {
        for (let i = from; i < list.length; i++) list[i]!.spec = undefined;
      }
    }
    // Remembered only when the vault changed nothing in it (it is what an empty vault gives) and
    // no value the vault knows occurs in it (none is written to the cache).
    if (key !== undefined && before && diagnostics.length === before.d && ctx.vault.changes === before.v) {
      const slice: CompiledSlice = {
        topics: topics.slice(before.t).map((p) => p.addr),
        jobs: jobs.slice(before.j).map((p) => p.addr),
        connectors: connectors.slice(before.c).map((p) => p.addr),
        schemas: schemas.slice(before.s).map((p) => p.addr),
        rules: rules.slice(before.r).map((p) => p.addr),
        clients: clients.slice(before.k).map((c) => ({ addr: c.addr, runtime: c.runtime, cluster: c.cluster, access: c.access })),
      };
      const cached = toCachedSlice(slice);
      if (cached !== undefined && !ctx.vault.leaks(cached)) memo!.next.set(key!, cached);
    }
  }
  for (const s of [...resolved.project.sources].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!resolved.nodes.has(s.id) || !selected(s.id)) continue;
    const schema = emitSourceSchema(ctx, s, diagnostics);
    if (schema) schemas.push({ addr: `sr.subject.${schema.subject}`, owner: s.id, fileName: schema.subject, spec: schema, content: registration });
  }

  // Two resources with one address would overwrite each other when applied.
  for (const list of [topics, jobs, connectors, schemas, rules] as Pending<unknown>[][]) {
    const seen = new Map<string, NodeId>();
    for (const p of list) {
      const first = seen.get(p.addr);
      if (first && first !== p.owner) {
        diagnostics.push(nodeError(ctx, p.owner, 'DUPLICATE_ARTIFACT', `${p.owner} and ${first} both produce ${p.addr}`, 'give each model its own topic, connector or subject name'));
      } else if (first) {
        diagnostics.push(error('DUPLICATE_ARTIFACT', `${p.owner} produces ${p.addr} twice`, { node: p.owner }));
      }
      seen.set(p.addr, p.owner);
    }
  }

  const files = new Map<string, string>();
  const finish = <S, O>(folder: string, ext: string, list: Pending<S>[], specOf: (s: S) => O) => {
    const namer = new FileNamer(folder);
    return [...list]
      .sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0))
      .map((p) => {
        // Only the addresses and owners are read after this (duplicates, ACLs): no copy of the spec.
        if (diagnosticsOnly) return { addr: p.addr, owner: p.owner, file: '', hash: '', spec: p.spec as unknown as O };
        // Without a known secret there is nothing to scrub: the emitter's spec is used as it is
        // (nothing changes an artifact's spec after this), not copied.
        const spec = ctx.vault.empty ? p.spec : ctx.vault.scrubStrings(p.spec);
        const file = namer.name(p.fileName, ext);
        files.set(file, opts.renderFiles === false ? '' : p.content(spec));
        const clean = specOf(spec);
        return { addr: p.addr, owner: p.owner, file, hash: contentHash(clean), spec: clean };
      });
  };
  const artifacts: Artifacts = {
    topics: finish('topics', '.json', topics, (s) => s),
    flinkJobs: finish('flink', '.sql', jobs, ({ script: _script, ...rest }) => rest),
    connectors: finish('connect', '.json', connectors, (s) => s),
    schemas: finish('schemas', '.json', schemas, (s) => s),
    gatewayRules: finish('gateway', '.json', rules, (s) => s),
    acls: [],
  };

  // Continuous tests are Flink jobs too: planned, applied and owned like the models' jobs.
  const monitors = emitContinuousTests(ctx, opts.selection ? { selection: opts.selection } : {});
  diagnostics.push(...monitors.diagnostics);
  const modelAddrs = new Set([...artifacts.flinkJobs, ...artifacts.topics].map((a) => a.addr));
  for (const a of [...monitors.flinkJobs, ...monitors.topics]) {
    if (modelAddrs.has(a.addr)) diagnostics.push(nodeError(ctx, a.owner, 'DUPLICATE_ARTIFACT', `${a.owner} produces ${a.addr}, which a model also produces`, 'rename the model or the test'));
  }
  artifacts.flinkJobs = [...artifacts.flinkJobs, ...monitors.flinkJobs].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  artifacts.topics = [...artifacts.topics, ...monitors.topics].sort((a, b) => (a.addr < b.addr ? -1 : a.addr > b.addr ? 1 : 0));
  for (const [path, content] of monitors.files) files.set(path, content);
  for (const [key, value] of monitors.secrets) ctx.vault.values.set(key, value);
  for (const j of monitors.flinkJobs) {
    const a = monitors.access.get(j.addr);
    if (a) clients.push({ addr: j.addr, owner: j.owner, runtime: 'flink', cluster: j.spec.cluster, access: a });
  }

  // Kafka ACLs (runtime.kafka.acls): what each node's clients and roles need, after every client is known.
  diagnostics.push(...checkClientSecurity(ctx, artifacts.flinkJobs.length > 0));
  const acls: Pending<AclSpec>[] = emitAcls(ctx, clients, selected, diagnostics).map((spec) => ({ addr: `kafka.acl.${spec.name}`, owner: spec.name as NodeId, fileName: spec.name, spec, content: stableJson }));
  artifacts.acls = finish('acls', '.json', acls, (s) => s);
  if (diagnosticsOnly) return { diagnostics };

  const manifestOpts: Parameters<typeof buildManifest>[2] = { compiledAt: opts.compiledAt ?? '1970-01-01T00:00:00.000Z', outputSchemas };
  if (opts.streamtVersion !== undefined) manifestOpts.streamtVersion = opts.streamtVersion;
  if (opts.selection) manifestOpts.selection = opts.selection;
  if (opts.selectors) manifestOpts.selectors = opts.selectors;
  const manifest = buildManifest(ctx, artifacts, manifestOpts);
  files.set('manifest.json', opts.renderFiles === false ? '' : stableJson(manifest));

  // Last line of defence: no secret value and no unsafe path leaves the compiler.
  for (const [path, content] of files) {
    if (!isSafeRelativePath(path)) throw new Error(`streamt bug: unsafe output path ${JSON.stringify(path)}`);
    if (ctx.vault.leaks(content)) files.set(path, ctx.vault.scrubText(content));
  }
  return { manifest, files, artifacts, diagnostics, secrets: new Map(ctx.vault.values) };
}

/** A remembered part's artifacts: a diagnostics-only compile reads only their address and owner (finish), no spec. */
function replay<S>(list: Pending<S>[], addrs: string[], owner: NodeId): void {
  for (const addr of addrs) list.push({ addr, owner, fileName: '', spec: undefined as unknown as S, content: () => '' });
}

/**
 * What a sink connector's consumer does on Kafka: reads its topics in its group (Connect's
 * `connect-<name>` unless overridden), writes its dead letter queue when it has one.
 */
function connectorAccess(c: ConnectorSpec): JobKafkaAccess {
  const group = c.config['consumer.override.group.id'] ?? `connect-${c.name}`;
  const dlq = c.config['errors.deadletterqueue.topic.name'];
  return { reads: c.topics.map((topic) => ({ topic, group })), writes: dlq ? [dlq] : [] };
}

/** The body of POST /subjects/{subject}/versions. */
function registration(s: SchemaSpecArtifact): string {
  const body: Record<string, unknown> = { schemaType: s.schema_type, schema: s.schema };
  return stableJson(body);
}
