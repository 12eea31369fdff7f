/**
 * What test assertions mean, shared by the compiler (continuous tests are compiled to Flink jobs)
 * and the data-test runner (sample tests are evaluated in process): type families, buckets and
 * accepted types.
 */

export type TypeFamily = 'string' | 'int' | 'bigint' | 'double' | 'boolean' | 'timestamp' | 'date' | 'time';

/** The family of a type written in accepted_types (`int`, `BIGINT`, `DECIMAL(10, 2)`, `timestamp`, ...). */
export function typeFamily(type: string): TypeFamily | undefined {
  const t = type.trim().toLowerCase().replace(/\s*\(.*$/, '');
  if (['string', 'str', 'text', 'varchar', 'char'].includes(t)) return 'string';
  if (['int', 'integer', 'smallint', 'tinyint'].includes(t)) return 'int';
  if (['bigint', 'long'].includes(t)) return 'bigint';
  if (['double', 'float', 'real', 'number', 'numeric', 'decimal', 'dec'].includes(t)) return 'double';
  if (['boolean', 'bool'].includes(t)) return 'boolean';
  if (['timestamp', 'datetime', 'timestamp_ltz'].includes(t)) return 'timestamp';
  if (t === 'date') return 'date';
  if (t === 'time') return 'time';
  return undefined;
}

/** The Flink type TRY_CAST is given for a family. */
export const FLINK_TYPE: Record<TypeFamily, string> = {
  string: 'STRING',
  int: 'INT',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP(3)',
  date: 'DATE',
  time: 'TIME(3)',
};

export interface Bucket {
  min?: number;
  max?: number;
  value?: string | number | boolean;
  min_ratio?: number;
  max_ratio?: number;
}

export function bucketName(b: Bucket): string {
  if (b.value !== undefined) return `=${JSON.stringify(b.value)}`;
  return `[${b.min ?? '-∞'}, ${b.max ?? '+∞'})`;
}

/** `{types: {c: t}}` or `{c: t}`. */
export function acceptedTypes(c: Record<string, unknown>): Record<string, string> {
  if (c.types && typeof c.types === 'object') return c.types as Record<string, string>;
  return c as Record<string, string>;
}
