/**
 * User-named keys of plain records. A table, column, model or variable name may be a member of
 * `Object.prototype` (`constructor`, `toString`, `__proto__`, ...): `record[name]` then reads the
 * prototype's member, and `record[name] = v` with `__proto__` replaces the record's prototype
 * instead of adding a key. Read such keys with `own` and write them with `setOwn`. The records
 * stay plain objects (Object.prototype as prototype): the memo of incremental validate remembers
 * only those (core/memo.ts, jsonExact).
 */

/** The record's own value at `key`, never an inherited member. */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Whether the record has its own `key` (what `key in record` means for a user-named key). */
export function hasOwn(record: object | undefined, key: string): boolean {
  return record !== undefined && Object.hasOwn(record, key);
}

/** Sets the record's own `key`, as JSON.parse would: `__proto__` is a key like any other. */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  else record[key] = value;
}

/**
 * A fresh registry of Avro named types for avsc (`Type.forSchema(schema, { registry })`). avsc
 * looks names up by `registry[name]` and makes a plain `{}` when given none, so a record named
 * `constructor` or `toString` is a "duplicate type name" and a reference to an undeclared `valueOf`
 * resolves to Object.prototype's member; a registry without a prototype has no such names.
 */
export function namedTypes(): Record<string, never> {
  return Object.create(null) as Record<string, never>;
}
