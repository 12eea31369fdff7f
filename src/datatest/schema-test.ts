/**
 * Schema tests, at compile time: the columns and types a test declares (and the model declares)
 * against the model's inferred output schema and, when a registry is configured, against the
 * registered subject. Pure: the registered schema is passed in.
 */
import type { Column, TestNode } from '../project/types.js';
import type { ResolvedProject } from '../resolve/types.js';
import { acceptedTypes } from './assertions.js';
import { summarize } from './evaluate.js';
import type { RegistrySchema } from '../adapters/schema-registry/client.js';
import { MAX_EXAMPLES, type AssertionResult, type FailureExample, type TestResult } from './types.js';
import { typeFamily, type TypeFamily } from './values.js';

/** Registry subject of a test's target, when its values are registered. */
export function subjectOf(resolved: ResolvedProject, target: string): string | undefined {
  const source = resolved.project.sources.find((s) => s.name === target);
  const table = resolved.tables.get(source ? source.id : `model.${target}`);
  if (!table) return undefined;
  if (source) return table.format === 'json' && !source.schema?.subject ? undefined : source.schema?.subject ?? `${table.topic}-value`;
  return `${table.topic}-value`;
}

/** Columns of the test's target: the model's output (declared, else inferred) or the source's. */
export function targetColumns(resolved: ResolvedProject, target: string): Column[] | undefined {
  const m = resolved.models.get(target);
  if (m) return m.columns.length ? m.columns : undefined;
  const s = resolved.project.sources.find((x) => x.name === target);
  return s?.columns.length ? s.columns : undefined;
}

/** Columns an assertion reads. */
export function assertionColumns(type: string, config: Record<string, unknown>): string[] {
  if (type === 'not_null') return (config.columns as string[]) ?? [];
  if (type === 'accepted_types') return Object.keys(acceptedTypes(config));
  if (type === 'unique_key') return Array.isArray(config.key) ? (config.key as string[]) : [String(config.key)];
  if (['accepted_values', 'range', 'distribution', 'foreign_key'].includes(type) || (type === 'max_lag' && config.column)) return [String(config.column)];
  return [];
}

/** Family of a Flink SQL type (the model's columns). */
export function flinkFamily(type: string | undefined): TypeFamily | 'other' | undefined {
  if (!type) return undefined;
  const t = type.trim().toUpperCase();
  if (/^(STRING|VARCHAR|CHAR)\b/.test(t)) return 'string';
  if (/^(INT|INTEGER|SMALLINT|TINYINT)\b/.test(t)) return 'int';
  if (/^BIGINT\b/.test(t)) return 'bigint';
  if (/^(DOUBLE|FLOAT|REAL|DECIMAL|NUMERIC|DEC)\b/.test(t)) return 'double';
  if (/^BOOLEAN\b/.test(t)) return 'boolean';
  if (/^TIMESTAMP/.test(t)) return 'timestamp';
  if (/^DATE\b/.test(t)) return 'date';
  if (/^TIME\b/.test(t)) return 'time';
  return 'other';
}

/** Avro field type → family (nullable unions unwrapped). */
export function avroFamily(type: unknown): TypeFamily | 'other' {
  if (Array.isArray(type)) {
    const nonNull = type.filter((t) => t !== 'null');
    return nonNull.length === 1 ? avroFamily(nonNull[0]) : 'other';
  }
  if (type && typeof type === 'object') {
    const o = type as { type?: unknown; logicalType?: string };
    if (o.logicalType?.startsWith('timestamp')) return 'timestamp';
    if (o.logicalType === 'date') return 'date';
    if (o.logicalType?.startsWith('time')) return 'time';
    if (o.logicalType === 'decimal') return 'double';
    return avroFamily(o.type);
  }
  switch (type) {
    case 'string':
    case 'enum':
      return 'string';
    case 'int':
      return 'int';
    case 'long':
      return 'bigint';
    case 'float':
    case 'double':
      return 'double';
    case 'boolean':
      return 'boolean';
    default:
      return 'other';
  }
}

/** Can a column of family `actual` be declared as `declared`? (Integers widen to bigint and double.) */
export function compatible(declared: TypeFamily, actual: TypeFamily | 'other'): boolean {
  if (declared === actual) return true;
  if (declared === 'bigint' && actual === 'int') return true;
  if (declared === 'double' && (actual === 'int' || actual === 'bigint')) return true;
  return false;
}

class Problems {
  count = 0;
  examples: FailureExample[] = [];
  add(column: string, reason: string): void {
    this.count++;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push({ column, reason });
  }
}

/**
 * `registered` is the subject's latest schema (undefined: no registry configured, or not fetched;
 * null: the subject does not exist). `records` is the check of a sample of real records against
 * the declared schema (./record-schema.ts), when they were read.
 */
export function evaluateSchemaTest(resolved: ResolvedProject, test: TestNode, registered?: RegistrySchema | null, records?: AssertionResult): TestResult {
  const columns = targetColumns(resolved, test.target);
  const byName = new Map((columns ?? []).map((c) => [c.name, c]));
  const results: AssertionResult[] = test.assertions.map((a, index) => {
    const cols = assertionColumns(a.type, a.config);
    const base = { assertion: a.type, index, checked: cols.length };
    if (!cols.length) return { ...base, status: 'skipped', failures: 0, examples: [], message: `${a.type} names no column; it is checked on records (sample or continuous tests)` };
    if (!columns) return { ...base, status: 'skipped', failures: 0, examples: [], message: `the columns of "${test.target}" are unknown (declare columns:)` };
    const p = new Problems();
    for (const col of cols) if (!byName.has(col)) p.add(col, `"${test.target}" has no column ${col}`);
    if (a.type === 'accepted_types') {
      for (const [col, t] of Object.entries(acceptedTypes(a.config))) {
        const declared = typeFamily(t);
        const actual = flinkFamily(byName.get(col)?.type);
        if (!declared) p.add(col, `unknown type ${JSON.stringify(t)}`);
        else if (actual && byName.has(col) && !compatible(declared, actual)) p.add(col, `${col} is ${byName.get(col)!.type}, declared ${t}`);
      }
    }
    return { ...base, status: p.count ? 'fail' : 'pass', failures: p.count, examples: p.examples, message: p.count ? p.examples.map((e) => e.reason).join('; ') : `${cols.join(', ')} present${a.type === 'accepted_types' ? ' with compatible types' : ''}` };
  });

  // The model's declared columns against what its SQL produces.
  const m = resolved.models.get(test.target);
  const inferred = m?.analysis?.columns;
  if (m && m.node.columns.length && inferred) {
    const p = new Problems();
    const out = new Map(inferred.map((c) => [c.name, c]));
    for (const c of m.node.columns) {
      const o = out.get(c.name);
      if (!o) p.add(c.name, `declared column ${c.name} is not produced by the SQL`);
      else if (c.type && o.type) {
        const d = flinkFamily(c.type);
        const a = flinkFamily(o.type);
        if (d && a && d !== 'other' && a !== 'other' && !compatible(d, a)) p.add(c.name, `${c.name} is declared ${c.type}, the SQL produces ${o.type}`);
      }
    }
    results.push({ assertion: 'columns', index: results.length, checked: m.node.columns.length, status: p.count ? 'fail' : 'pass', failures: p.count, examples: p.examples, message: p.count ? p.examples.map((e) => e.reason).join('; ') : `the ${m.node.columns.length} declared columns match the SQL's output` });
  }

  // The registered subject.
  if (registered !== undefined) {
    const subject = subjectOf(resolved, test.target) ?? '?';
    if (registered === null) {
      results.push({ assertion: 'registry', index: results.length, checked: 0, status: 'skipped', failures: 0, examples: [], message: `subject ${subject} is not registered yet` });
    } else if (registered.schemaType !== 'AVRO') {
      results.push({ assertion: 'registry', index: results.length, checked: 0, status: 'skipped', failures: 0, examples: [], message: `subject ${subject} is ${registered.schemaType}; only Avro subjects are compared` });
    } else {
      const fields = avroFields(registered.schema);
      const p = new Problems();
      const wanted = new Set<string>([...(columns ?? []).map((c) => c.name), ...test.assertions.flatMap((a) => assertionColumns(a.type, a.config))]);
      for (const col of wanted) {
        const f = fields.get(col);
        if (f === undefined) {
          p.add(col, `${col} is not a field of ${subject}`);
          continue;
        }
        const declared = flinkFamily(byName.get(col)?.type);
        const actual = avroFamily(f);
        if (declared && declared !== 'other' && actual !== 'other' && !compatible(declared, actual) && !compatible(actual as TypeFamily, declared)) p.add(col, `${col} is ${JSON.stringify(f)} in ${subject}, ${byName.get(col)!.type} in the project`);
      }
      for (const a of test.assertions.filter((x) => x.type === 'accepted_types')) {
        for (const [col, t] of Object.entries(acceptedTypes(a.config))) {
          const f = fields.get(col);
          const declared = typeFamily(t);
          if (f !== undefined && declared && avroFamily(f) !== 'other' && !compatible(declared, avroFamily(f) as TypeFamily)) p.add(col, `${col} is ${JSON.stringify(f)} in ${subject}, accepted_types says ${t}`);
        }
      }
      results.push({ assertion: 'registry', index: results.length, checked: wanted.size, status: p.count ? 'fail' : 'pass', failures: p.count, examples: p.examples, message: p.count ? p.examples.map((e) => e.reason).join('; ') : `columns match ${subject} (version ${registered.version ?? '?'})` });
    }
  }
  if (records) results.push({ ...records, index: results.length });
  return summarize(test, results, results.reduce((n, r) => n + r.checked, 0), 'columns');
}

function avroFields(schema: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  try {
    const s = JSON.parse(schema) as { type?: string; fields?: { name: string; type: unknown }[] };
    for (const f of s.fields ?? []) out.set(f.name, f.type);
  } catch {
    /* not JSON: no fields */
  }
  return out;
}
