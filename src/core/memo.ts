/**
 * Values remembered between runs (incremental validate): a pure phase gets the values of an
 * earlier run and fills those it used this run, by key; the CLI's cache reads and writes them
 * (src/cli/validate-cache.ts). Values are JSON text, remembered only when JSON gives them back
 * exactly (`jsonExact`), so a remembered value is the value the phase would compute.
 */
import { hash } from 'node:crypto';

export interface Memo {
  /** Values of an earlier run, by key. Never modified. */
  previous: ReadonlyMap<string, string>;
  /** Filled by this run: every value it used, by key (what the next run may reuse). */
  next: Map<string, string>;
}

/** True when `JSON.parse(JSON.stringify(v))` is a value equal to `v` in every respect a phase can see. */
export function jsonExact(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!(i in v) || !jsonExact(v[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return false;
  let enumerable = 0;
  for (const k in v) {
    // An inherited enumerable property (a polluted Object.prototype) is one JSON would not write.
    if (!Object.hasOwn(v, k) || !jsonExact((v as Record<string, unknown>)[k])) return false;
    enumerable++;
  }
  // Every own key is an enumerable string one (no symbol, nothing JSON would skip); one array
  // per object instead of three (validate checks every value it remembers).
  return Reflect.ownKeys(v).length === enumerable;
}

/** Each value's key (null: JSON would not give it back), by object (jsonKeyOf). */
const valueKeys = new WeakMap<object, string | null>();

/**
 * The sha256 of a value's JSON, computed once per object, or undefined when JSON would not give
 * the value back exactly. Only for values nobody changes once made (resolve's tables and the
 * views the analyser reads): a table read by many models is keyed once, not once per reader.
 */
export function jsonKeyOf(v: object): string | undefined {
  let key = valueKeys.get(v);
  if (key === undefined) {
    key = jsonExact(v) ? hash('sha256', JSON.stringify(v), 'base64') : null;
    valueKeys.set(v, key);
  }
  return key ?? undefined;
}
