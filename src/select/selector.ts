/**
 * dbt-style node selection, shared by ls, compile, plan, apply and test.
 *
 *   name  +name  name+  +name+  2+name  name+1   graph operators (all or N levels)
 *   tag:x  path:models/x  type:model|source|test|exposure  materialized:flink  owner:team
 *   state:modified  state:new                                against --state <dir> (slim CI)
 *   orders_*                                                 glob on names
 *   "a b" = union, "a,b" = intersection; --exclude removes.
 */
import { error, type Diagnostic } from '../core/diagnostics.js';
import type { NodeId } from '../project/types.js';
import { materializationOf, type ResolvedProject } from '../resolve/types.js';
import { stateMatches, type StateComparison } from './state.js';

export interface SelectContext {
  /** The saved manifest of --state and the project's own, for state:modified / state:new. */
  state?: StateComparison;
}

export interface Selection {
  ids: Set<NodeId>;
  diagnostics: Diagnostic[];
}

const METHODS = ['tag', 'path', 'type', 'materialized', 'owner', 'name', 'kind', 'state'];
const STATES = ['modified', 'new'];

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function matchAtom(resolved: ResolvedProject, atom: string, diagnostics: Diagnostic[], ctx: SelectContext): Set<NodeId> {
  // Digits are a depth only next to a "+": "2+orders" and "orders+1", never "orders_2019".
  const m = /^(?:(\d*)(\+))?(.*?)(?:(\+)(\d*))?$/.exec(atom)!;
  const [, upDepthStr, up, core, down, downDepthStr] = m;
  const upDepth = upDepthStr ? Number(upDepthStr) : Infinity;
  const downDepth = downDepthStr ? Number(downDepthStr) : Infinity;
  const base = new Set<NodeId>();
  const colon = core!.indexOf(':');
  const method = colon > 0 ? core!.slice(0, colon) : 'name';
  const value = colon > 0 ? core!.slice(colon + 1) : core!;
  if (!METHODS.includes(method)) {
    diagnostics.push(error('INVALID_SELECTOR', `Unknown selector method "${method}" in "${atom}"`, { hint: `use one of ${METHODS.join(', ')}` }));
    return base;
  }
  if (method === 'state') {
    if (!STATES.includes(value)) {
      diagnostics.push(error('INVALID_SELECTOR', `Unknown state "${value}" in "${atom}"`, { hint: 'use state:modified or state:new' }));
      return base;
    }
    if (!ctx.state) {
      diagnostics.push(error('STATE_REQUIRED', `"${atom}" compares with a saved manifest: pass --state <dir with a manifest.json>`, { hint: 'e.g. the generated/ folder of the main branch: streamt ls --select state:modified --state prod-artifacts/' }));
      return base;
    }
  }
  const pattern = globToRegExp(value);
  for (const [id, node] of resolved.nodes) {
    let hit = false;
    switch (method) {
      case 'name':
        // A versioned model's name selects all its versions (as dbt's does).
        hit = pattern.test(node.name) || pattern.test(id) || (node.kind === 'model' && node.baseName !== undefined && pattern.test(node.baseName));
        break;
      case 'tag':
        hit = node.tags.some((t) => pattern.test(t));
        break;
      case 'path': {
        const prefix = value.replace(/\/+$/, '');
        hit = node.file === prefix || node.file.startsWith(prefix + '/') || pattern.test(node.file);
        break;
      }
      case 'type':
      case 'kind':
        hit = pattern.test(node.kind) || pattern.test(materializationOf(resolved, node) ?? '');
        break;
      case 'materialized':
        hit = pattern.test(materializationOf(resolved, node) ?? '');
        break;
      case 'owner':
        hit = pattern.test(node.owner ?? '');
        break;
      case 'state':
        hit = stateMatches(ctx.state!, id, value);
        break;
    }
    if (hit) base.add(id);
  }
  const result = new Set(base);
  for (const id of base) {
    if (up) for (const a of resolved.dag.ancestors(id, upDepth)) result.add(a);
    if (down) for (const d of resolved.dag.descendants(id, downDepth)) result.add(d);
  }
  return result;
}

/** Evaluates one selector string: space-separated union of comma-separated intersections. */
function evaluate(resolved: ResolvedProject, expression: string, diagnostics: Diagnostic[], ctx: SelectContext): Set<NodeId> {
  const union = new Set<NodeId>();
  for (const term of expression.trim().split(/\s+/).filter(Boolean)) {
    const parts = term.split(',').filter(Boolean);
    let acc: Set<NodeId> | undefined;
    for (const part of parts) {
      const hit = matchAtom(resolved, part, diagnostics, ctx);
      acc = acc ? new Set([...acc].filter((id) => hit.has(id))) : hit;
    }
    for (const id of acc ?? []) union.add(id);
  }
  return union;
}

/** No --select means everything; an expression that matches nothing is reported, not silent. */
export function select(resolved: ResolvedProject, include: readonly string[] = [], exclude: readonly string[] = [], ctx: SelectContext = {}): Selection {
  const diagnostics: Diagnostic[] = [];
  let ids: Set<NodeId>;
  if (include.length) {
    ids = new Set();
    for (const expr of include) {
      const hit = evaluate(resolved, expr, diagnostics, ctx);
      // With state: an empty selection is the answer (nothing changed), not a mistake.
      if (!hit.size && !diagnostics.length && !/\bstate:/.test(expr)) {
        diagnostics.push(error('SELECTOR_NO_MATCH', `--select "${expr}" matches no node`, { hint: 'run "streamt ls" to see node names, tags and paths' }));
      }
      for (const id of hit) ids.add(id);
    }
  } else {
    ids = new Set(resolved.nodes.keys());
  }
  for (const expr of exclude) for (const id of evaluate(resolved, expr, diagnostics, ctx)) ids.delete(id);
  return { ids, diagnostics };
}

/** Splits repeated or space-joined CLI values into selector expressions. */
export function selectorArgs(values: string | string[] | undefined): string[] {
  if (values === undefined) return [];
  return (Array.isArray(values) ? values : [values]).filter((v) => v.trim().length > 0);
}
