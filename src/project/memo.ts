/**
 * Incremental validate: normalized nodes remembered between runs. Checking an entry's shape (zod)
 * and normalizing it are a pure function of the entry's value, its section and its file (the node
 * keeps the file's path), so a node is remembered by the sha256 of those, as JSON (or, in a file
 * whose value is its text's, by that text's sha256 and the entry's place: nodeKey), and built
 * again from its remembered form after an edit elsewhere. Remembered only when that is exact: the entry
 * gave no diagnostic (a diagnostic's position depends on the rest of the file, so such entries are
 * checked again), and JSON gives the node back unchanged (`jsonExact`, and no object reached twice:
 * a node whose parts share an object would come back with two). The node's locators (`at`,
 * `atString`) and its lazily located `loc` are not data: they are set again from the entry's place
 * in its file, in the same property order. Pure: the previous nodes come in, the ones this run
 * used go out (src/cli/validate-cache.ts reads and writes them).
 */
import { hash } from 'node:crypto';
import { jsonExact } from '../core/memo.js';
import type { EntryContext } from './normalize.js';
import { lazyLoc } from './normalize.js';

/**
 * The key of an entry, or undefined (not remembered) when JSON would not tell its value apart.
 * An entry of a file whose value is its text's (`text`: the sha256 of the text, given for a file
 * the fast path read, with no `${…}` to interpolate) is keyed by that text and the entry's place
 * in it: the same text gives the same entry, without writing the entry as JSON and hashing it.
 */
export function nodeKey(section: string, file: string, entry: unknown, place?: { text: string; index: number }): string | undefined {
  if (place) return `${place.text}:${section}:${place.index}:${file}`;
  const args = [section, file, entry];
  if (!jsonExact(args)) return undefined;
  return hash('sha256', JSON.stringify(args), 'base64');
}

const NOT_DATA = new Set(['at', 'atString', 'loc']);

/**
 * The remembered form of a node (its locators left out, a 0 in their place to keep the order of
 * the properties), or undefined when JSON would not give it back exactly. Written property by
 * property rather than as a copy of the node without its locators: a copy built key by key is a
 * slow object to build and to write (at 10,000 models 95 → 57 ms).
 */
export function toCachedNode(node: object): string | undefined {
  const seen = new Set<object>();
  let out = '{';
  for (const k of Object.keys(node)) {
    if (out.length > 1) out += ',';
    if (NOT_DATA.has(k)) {
      out += `${JSON.stringify(k)}:0`;
      continue;
    }
    const v = (node as Record<string, unknown>)[k];
    if (!exactTree(v, seen)) return undefined;
    out += `${JSON.stringify(k)}:${JSON.stringify(v)}`;
  }
  return `${out}}`;
}

/** `jsonExact`, and no object or array reached twice (one walk). */
function exactTree(v: unknown, seen: Set<object>): boolean {
  if (v === null || typeof v !== 'object') return jsonExact(v);
  if (seen.has(v)) return false;
  seen.add(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !exactTree(v[i], seen)) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  let n = 0;
  for (const k in v) {
    if (!Object.hasOwn(v, k) || !exactTree((v as Record<string, unknown>)[k], seen)) return false;
    n++;
  }
  // Every own property enumerable (JSON writes no other) and no symbol (as jsonExact: one array).
  return Reflect.ownKeys(v).length === n;
}

/** A node again, from its remembered form: a fresh object, with the locators of its entry. */
export function fromCachedNode<T extends { loc: unknown }>(cached: string, ctx: EntryContext): T {
  const node = JSON.parse(cached) as Record<string, unknown>;
  if ('at' in node) node.at = ctx.at;
  if ('atString' in node) node.atString = ctx.atString;
  if ('loc' in node) lazyLoc(node as unknown as { loc: ReturnType<EntryContext['at']> }, ctx);
  return node as unknown as T;
}

/** The sha256 of the remembered form (toCachedNode) of each node made or read by a remembering load. */
const nodeHashes = new WeakMap<object, string>();

/**
 * Records that `form` is the remembered form of `node` (load.ts): its data, without its locators.
 * Its hash is kept (44 characters), not the form (about 600 at 10,000 models: 6 MB held).
 */
export function nodeForm(node: object, form: string): void {
  nodeHashes.set(node, hash('sha256', form, 'base64'));
}

/**
 * What stands for a node in the key of a value derived from it: the sha256 of its remembered form
 * when a remembering load made or read it and it is still that object (its data alone: an edit
 * elsewhere in its file leaves it the same, unlike the node's own key, which may be its file's
 * text), else its data without its locators (a copy, such as a model version's node; reading
 * `loc` would locate the node: normalize.ts, lazyLoc).
 */
export function nodeIdentity(node: object): string | Record<string, unknown> {
  const id = nodeHashes.get(node);
  if (id !== undefined) return id;
  const data: Record<string, unknown> = {};
  for (const k of Object.keys(node)) if (!NOT_DATA.has(k)) data[k] = (node as Record<string, unknown>)[k];
  return data;
}
