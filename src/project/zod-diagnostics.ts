/**
 * Turns zod issues into located diagnostics: UNKNOWN_KEY with "did you mean", MISSING_KEY,
 * INVALID_TYPE and INVALID_VALUE. Values are never echoed for keys that look secret.
 */
import { z } from '../core/zod.js';
import { error, type Diagnostic } from '../core/diagnostics.js';
import { didYouMean } from '../core/suggest.js';
import { locate, looksSecret, type PathSegment, type YamlFile } from './yaml.js';

type AnySchema = z.ZodType;

/** The object keys allowed at `path` in `schema`, unwrapping optionals, arrays, records and unions. */
export function keysAt(schema: AnySchema, path: readonly PathSegment[]): string[] {
  let current: AnySchema[] = [schema];
  for (const seg of path) {
    const next: AnySchema[] = [];
    for (const s of current.flatMap(unwrap)) {
      if (s instanceof z.ZodObject) {
        const child = (s.shape as Record<string, AnySchema>)[String(seg)];
        if (child) next.push(child);
      } else if (s instanceof z.ZodArray && typeof seg === 'number') {
        next.push(s.element as AnySchema);
      } else if (s instanceof z.ZodRecord) {
        next.push(s.valueType as AnySchema);
      }
    }
    current = next;
  }
  const keys = new Set<string>();
  for (const s of current.flatMap(unwrap)) if (s instanceof z.ZodObject) for (const k of Object.keys(s.shape)) keys.add(k);
  return [...keys];
}

function unwrap(s: AnySchema): AnySchema[] {
  if (s instanceof z.ZodOptional || s instanceof z.ZodNullable || s instanceof z.ZodDefault) return unwrap(s.unwrap() as AnySchema);
  if (s instanceof z.ZodUnion) return (s.options as AnySchema[]).flatMap(unwrap);
  if (s instanceof z.ZodPipe) return unwrap(s.in as AnySchema);
  return [s];
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return v.length > 40 ? 'a string' : `"${v}"`;
  return `${typeof v} ${String(v)}`;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function where(what: string | undefined, path: readonly PathSegment[]): string {
  const p = path.filter((s) => typeof s === 'string').join('.');
  if (what && p) return `${p} of ${what}`;
  return p || what || 'value';
}

/**
 * @param basePath  where `value` sits in the YAML document (e.g. ['models', 3])
 * @param what      a human name for the value, e.g. 'model "orders"'
 */
export function zodIssuesToDiagnostics(
  issues: readonly z.core.$ZodIssue[],
  yaml: YamlFile,
  basePath: readonly PathSegment[],
  schema: AnySchema,
  value: unknown,
  what?: string,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    const path = issue.path as PathSegment[];
    const full = [...basePath, ...path];
    const key = [...path].reverse().find((s) => typeof s === 'string');
    const secret = typeof key === 'string' && looksSecret(key);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = keysAt(schema, path);
        for (const k of issue.keys) {
          const loc = locate(yaml, [...full, k], 'key');
          const suggestion = didYouMean(k, allowed);
          out.push(
            error('UNKNOWN_KEY', `Unknown key "${k}" in ${where(what, path)}`, {
              ...loc,
              hint: suggestion ?? `allowed keys: ${allowed.sort().join(', ')}`,
            }),
          );
        }
        break;
      }
      case 'invalid_type': {
        const received = valueAt(value, path);
        if (received === undefined) {
          const loc = locate(yaml, full.slice(0, -1));
          out.push(
            error('MISSING_KEY', `Missing required key "${String(path[path.length - 1])}" in ${where(what, path.slice(0, -1))}`, {
              ...loc,
              hint: `add "${String(path[path.length - 1])}:"`,
            }),
          );
        } else {
          const loc = locate(yaml, full);
          out.push(
            error('INVALID_TYPE', `${where(what, path)}: expected ${issue.expected}, got ${secret ? typeof received : describeValue(received)}`, {
              ...loc,
              hint: issue.expected === 'string' ? 'quote the value to make it a string' : `write a ${issue.expected}`,
            }),
          );
        }
        break;
      }
      case 'invalid_value': {
        const received = valueAt(value, path);
        const options = issue.values.map((v) => String(v));
        const loc = locate(yaml, full);
        const suggestion = typeof received === 'string' ? didYouMean(received, options) : undefined;
        out.push(
          error('INVALID_VALUE', `${where(what, path)}: ${secret ? 'value' : describeValue(received)} is not one of ${options.join(', ')}`, {
            ...loc,
            hint: suggestion ?? `use one of: ${options.join(', ')}`,
          }),
        );
        break;
      }
      case 'invalid_union': {
        const received = valueAt(value, path);
        const loc = locate(yaml, full);
        // A union of objects failing on keys: report the closest branch's unknown keys instead.
        const nested = issue.errors
          .map((branch) => branch)
          .filter((branch) => branch.every((i) => i.code === 'unrecognized_keys'));
        if (received && typeof received === 'object' && !Array.isArray(received) && nested.length) {
          const best = nested.sort((a, b) => a.length - b.length)[0]!;
          out.push(
            ...zodIssuesToDiagnostics(
              best.map((i) => ({ ...i, path: [...path, ...i.path] })) as z.core.$ZodIssue[],
              yaml,
              basePath,
              schema,
              value,
              what,
            ),
          );
          break;
        }
        out.push(
          error('INVALID_TYPE', `${where(what, path)}: ${issue.message === 'Invalid input' ? 'unexpected shape' : issue.message}`, {
            ...loc,
            hint: `got ${secret ? typeof received : describeValue(received)}; see docs/yaml-reference.md`,
          }),
        );
        break;
      }
      default: {
        const loc = locate(yaml, full);
        out.push(error('INVALID_VALUE', `${where(what, path)}: ${issue.message}`, { ...loc }));
      }
    }
  }
  return out;
}
