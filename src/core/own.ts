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
