/**
 * Incremental validate: each model's part of validate's in-memory compile (compileDiagnostics),
 * remembered between runs. The per-model emitters (topic, Flink job, output schema, connector,
 * Gateway rules, policy placement) are a pure function of explicit inputs, gathered here into the
 * key (modelSliceKey):
 * - the project's own settings (everything of the Project but its node lists and the process
 *   environment: name, runtime, defaults, rules, vars, the --env environment) and whether a
 *   Gateway is configured, once per compile (compileBaseKey; not made when the settings hold a
 *   value the secret vault knows);
 * - the model's node (by the key of its entry, project/memo.ts, else its data without its
 *   locators), what resolve decided for it (inputs,
 *   materialization and its reason, output columns, Gateway SQL) and its SQL analysis, by the key
 *   it was remembered under (resolve/memo.ts: a function of the rendered SQL and the inputs' views);
 * - the views (NodeTable) of the model and of its inputs, through the keys of its inputs
 *   (modelSliceKeys: the keys are chained along the DAG);
 * - the compatibility the exposures reading the model ask of its subject.
 * The emitters read the project through CompileContext; what they read of it is the above
 * (ctx.table of the model and its inputs, ctx.model of its inputs, the settings, the vault, and
 * the model's consumers' compatibility). An emitter that reads more must add it to the key:
 * test/cli/validate-cache.test.ts compares warm runs with cold ones after edits of each input.
 *
 * What is remembered is what the rest of the compile reads of a model's part when only its
 * diagnostics are kept: the addresses of the artifacts it produces and its Kafka clients (ACLs).
 * The secret vault is not in the key. A diagnostics-only compile's diagnostics and addresses read
 * no scrubbed string, and a part's clients only copy scrubbed strings (a connector's group and
 * dead letter queue); so compile.ts remembers a part only when the vault changed nothing in it
 * (`SecretVault.changes`: it is what an empty vault gives) and none of the vault's values occurs
 * in it, and replays it only when none of the current vault's values occurs in it.
 * Only a part that reported no diagnostic is remembered (a diagnostic's position depends on the
 * rest of the file, as for the nodes: project/memo.ts), so a remembered part adds none. Pure: the
 * previous parts come in, the ones this run used go out (the CLI's cache reads and writes them).
 */
import { hash } from 'node:crypto';
import { jsonExact, jsonKeyOf, type Memo } from '../core/memo.js';
import { nodeIdentity } from '../project/memo.js';
import type { NodeId } from '../project/types.js';
import { consumerCompatibility } from '../resolve/contracts.js';
import { modelAnalysisKey } from '../resolve/memo.js';
import type { ResolvedModel, ResolvedProject } from '../resolve/types.js';
import type { JobKafkaAccess } from './emitters/flink.js';
import type { SecretVault } from './secrets.js';

/** Models' compile parts by key (modelSliceKey), as JSON (CompiledSlice). */
export type CompileMemo = Memo;

/** A Kafka client a model's part compiled (a Flink job or a connector), as compile's ACLs read it. */
export interface SliceClient {
  addr: string;
  runtime: 'flink' | 'connect';
  cluster: string | null;
  access: JobKafkaAccess;
}

/** A model's part of the compile, when it reported no diagnostic: the addresses it produced, by kind, in order, and its clients. */
export interface CompiledSlice {
  topics: string[];
  jobs: string[];
  connectors: string[];
  schemas: string[];
  rules: string[];
  clients: SliceClient[];
}

/** Not read by a model's part: the node lists (read through the keys of the model and its inputs) and the environment (see compileBaseKey). */
const NOT_SETTINGS = new Set(['sources', 'models', 'tests', 'exposures', 'env']);

/**
 * The key of what every model's part reads of the project itself, or undefined (nothing is
 * remembered) when JSON cannot tell it apart or the settings hold a value the secret vault knows
 * (a connection secret: no hash of it is written). The vault itself is not in the key: a part is
 * remembered only when compiling it changed nothing through the vault (`SecretVault.changes`),
 * so it is what an empty vault gives, and it is replayed only when no value the vault knows
 * occurs in it (compile.ts; see the header). Without a secret the emitters read nothing of the
 * environment: the rendered SQL that `env_var()` reads is part of each model's key.
 */
export function compileBaseKey(resolved: ResolvedProject, vault: SecretVault): string | undefined {
  const p = resolved.project as unknown as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  // Locators are functions of the project file, which `projectFile` and the settings are.
  for (const k of Object.keys(p)) if (!NOT_SETTINGS.has(k) && typeof p[k] !== 'function') settings[k] = p[k];
  const args = [settings, resolved.gateway];
  if (!jsonExact(args)) return undefined;
  const json = JSON.stringify(args);
  if (vault.leaks(json)) return undefined;
  return hash('sha256', json, 'base64');
}

/**
 * The key of each model's part of the compile (see the header), by model name; undefined where
 * it is not remembered (an input JSON cannot tell apart, SQL whose analysis has no key, or an
 * input whose key is not known). Keys are chained (a Merkle tree along the DAG): a model's view
 * (resolve/tables.ts, modelTable) is a function of its node, what resolve decided for it, its
 * analysis, the project's settings and its inputs' views, all of which its key is a function of,
 * so the key of a model stands for its view in the keys of its readers, and no view is written
 * out. A source's view is keyed by its JSON.
 */
export function modelSliceKeys(base: string, resolved: ResolvedProject): Map<string, string | undefined> {
  const keys = new Map<string, string | undefined>();
  // The models an exposure reads: only their subjects can be asked a compatibility (consumerCompatibility).
  const readByExposures = new Set<NodeId>();
  for (const e of resolved.project.exposures) if (resolved.dag.has(e.id)) for (const id of resolved.dag.parents(e.id)) readByExposures.add(id);
  const modelOf = (id: NodeId) => (id.startsWith('model.') ? resolved.models.get(id.slice('model.'.length)) : undefined);
  // Inputs first, without recursion (a chain of models can be as long as the project).
  const opened = new Set<string>();
  for (const root of resolved.models.values()) {
    const stack: ResolvedModel[] = [root];
    while (stack.length) {
      const m = stack[stack.length - 1]!;
      const name = m.node.name;
      if (keys.has(name)) {
        stack.pop();
        continue;
      }
      if (!opened.has(name)) {
        opened.add(name);
        let waits = false;
        for (const id of m.inputs) {
          const u = modelOf(id);
          // An input already opened and not keyed is on a cycle: this model is not remembered.
          if (u && !keys.has(u.node.name) && !opened.has(u.node.name)) {
            stack.push(u);
            waits = true;
          }
        }
        if (waits) continue;
      }
      keys.set(name, sliceKey(base, m, resolved, keys, modelOf, readByExposures));
      stack.pop();
    }
  }
  return keys;
}

function sliceKey(base: string, m: ResolvedModel, resolved: ResolvedProject, keys: Map<string, string | undefined>, modelOf: (id: NodeId) => ResolvedModel | undefined, readByExposures: Set<NodeId>): string | undefined {
  // SQL is keyed by its analysis's key, which the rendered SQL and the names it reads are part of.
  const analysis = modelAnalysisKey(m);
  if (analysis === undefined) return undefined;
  const node = nodeIdentity(m.node);
  const inputs: [NodeId, string | null][] = [];
  for (const id of m.inputs) {
    const u = modelOf(id);
    if (u) {
      const k = keys.get(u.node.name);
      if (k === undefined) return undefined;
      inputs.push([id, k]);
      continue;
    }
    const t = resolved.tables.get(id);
    const k = t ? (jsonKeyOf(t) ?? null) : null;
    if (t && k === null) return undefined;
    inputs.push([id, k]);
  }
  // What resolve decided beyond that: the output columns are a function of the node, the analysis,
  // the materialization and the settings (resolve/columns.ts, applyMaskTypes), all in the key.
  const decided = [m.materialized, m.materializationReason, m.gatewaySql ?? null];
  const compatibility = readByExposures.has(m.node.id) ? consumerCompatibility(resolved, m.node.id) ?? null : null;
  // Keys and strings are JSON-exact by construction: the rest is checked.
  if ((typeof node !== 'string' && !jsonExact(node)) || !jsonExact(m.gatewaySql ?? null) || !jsonExact(compatibility)) return undefined;
  const args = [base, node, decided, analysis, inputs, compatibility];
  return hash('sha256', JSON.stringify(args), 'base64');
}

/**
 * A remembered part again, or undefined when it does not read back as one (then compiled
 * again). Its clients only when `withClients` (they are read only to compile ACLs): an empty
 * list otherwise.
 */
export function fromCachedSlice(cached: string, withClients: boolean): CompiledSlice | undefined {
  try {
    const nl = cached.indexOf('\n');
    if (nl < 0) return undefined;
    const s = JSON.parse(cached.slice(0, nl)) as Partial<CompiledSlice> | null;
    if (!s || typeof s !== 'object') return undefined;
    for (const k of ['topics', 'jobs', 'connectors', 'schemas', 'rules'] as const) if (!Array.isArray(s[k]) || !s[k].every((a) => typeof a === 'string')) return undefined;
    s.clients = withClients ? (JSON.parse(cached.slice(nl + 1)) as SliceClient[]) : [];
    if (!Array.isArray(s.clients)) return undefined;
    return s as CompiledSlice;
  } catch {
    return undefined;
  }
}

/** The remembered form: the addresses as JSON, a newline, the clients as JSON. */
export function toCachedSlice(s: CompiledSlice): string | undefined {
  if (!jsonExact(s)) return undefined;
  const { clients, ...addrs } = s;
  return `${JSON.stringify(addrs)}\n${JSON.stringify(clients)}`;
}
