/**
 * Flink logical type helpers over normalised type strings (`INT`, `DECIMAL(10, 2)`, `TIMESTAMP(3)`).
 * Promotion and decimal precision follow Flink's LogicalTypeMerging.
 */
const MAX_DECIMAL_PRECISION = 38;
const MINIMUM_ADJUSTED_SCALE = 6;

const INTEGER_RANK: Record<string, number> = { TINYINT: 1, SMALLINT: 2, INT: 3, BIGINT: 4 };
const INTEGER_AS_DECIMAL: Record<string, [number, number]> = { TINYINT: [3, 0], SMALLINT: [5, 0], INT: [10, 0], BIGINT: [19, 0] };

/** Splits a trailing `NOT NULL` / `NULL` off a declared type. */
export function splitNullability(type: string): { type: string; nullable: boolean } {
  const trimmed = type.trim();
  const notNull = /\s+NOT\s+NULL$/i.exec(trimmed);
  if (notNull) return { type: trimmed.slice(0, notNull.index), nullable: false };
  const isNull = /\s+NULL$/i.exec(trimmed);
  if (isNull) return { type: trimmed.slice(0, isNull.index), nullable: true };
  return { type: trimmed, nullable: true };
}

/** The type's root name: `DECIMAL(10, 2)` → `DECIMAL`, `ROW<a INT>` → `ROW`. */
export function typeRoot(type: string): string {
  const m = /^[A-Za-z_]+/.exec(type.trim());
  return m ? m[0].toUpperCase() : type.toUpperCase();
}

export function isIntegerType(type: string): boolean {
  return typeRoot(type) in INTEGER_RANK;
}
export function isApproximateType(type: string): boolean {
  const root = typeRoot(type);
  return root === 'FLOAT' || root === 'DOUBLE';
}
export function isDecimalType(type: string): boolean {
  return typeRoot(type) === 'DECIMAL';
}
export function isNumericType(type: string): boolean {
  return isIntegerType(type) || isApproximateType(type) || isDecimalType(type);
}
export function isCharacterType(type: string): boolean {
  const root = typeRoot(type);
  return root === 'STRING' || root === 'VARCHAR' || root === 'CHAR';
}
export function isTimestampType(type: string): boolean {
  const root = typeRoot(type);
  return root === 'TIMESTAMP' || root === 'TIMESTAMP_LTZ';
}
export function isIntervalType(type: string): boolean {
  return typeRoot(type) === 'INTERVAL';
}

/** Precision and scale of an exact numeric type, integers seen as decimals as Flink does. */
export function decimalPrecisionScale(type: string): [number, number] {
  const root = typeRoot(type);
  const asInteger = INTEGER_AS_DECIMAL[root];
  if (asInteger) return asInteger;
  const m = /^DECIMAL\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/i.exec(type.trim());
  if (m) return [Number(m[1]), Number(m[2] ?? 0)];
  return [10, 0];
}

export function decimalType(precision: number, scale: number): string {
  return `DECIMAL(${precision}, ${scale})`;
}

/** Flink's scale sacrifice when a derived precision exceeds 38. */
function adjustPrecisionScale(precision: number, scale: number): string {
  if (precision <= MAX_DECIMAL_PRECISION) return decimalType(precision, scale);
  const digitPart = precision - scale;
  const minScalePart = Math.min(scale, MINIMUM_ADJUSTED_SCALE);
  const adjustedScale = Math.max(MAX_DECIMAL_PRECISION - digitPart, minScalePart);
  return decimalType(MAX_DECIMAL_PRECISION, adjustedScale);
}

/** Result type of `a op b` for numeric operands; undefined when the operands are not both numeric. */
export function numericArithmeticType(op: '+' | '-' | '*' | '/' | '%', a: string, b: string): string | undefined {
  if (!isNumericType(a) || !isNumericType(b)) return undefined;
  if (isApproximateType(a) && isApproximateType(b)) return typeRoot(a); // Flink keeps the left operand's: FLOAT * DOUBLE is FLOAT
  if (isApproximateType(a) || isApproximateType(b)) {
    return typeRoot(a) === 'DOUBLE' || typeRoot(b) === 'DOUBLE' || isDecimalType(a) || isDecimalType(b) ? 'DOUBLE' : 'FLOAT';
  }
  if (isIntegerType(a) && isIntegerType(b)) {
    // Integer arithmetic stays integer in Flink, including division (7 / 2 = 3).
    return INTEGER_RANK[typeRoot(a)]! >= INTEGER_RANK[typeRoot(b)]! ? typeRoot(a) : typeRoot(b);
  }
  const [p1, s1] = decimalPrecisionScale(a);
  const [p2, s2] = decimalPrecisionScale(b);
  switch (op) {
    case '+':
    case '-': {
      const scale = Math.max(s1, s2);
      return adjustPrecisionScale(Math.max(p1 - s1, p2 - s2) + scale + 1, scale);
    }
    case '*':
      return adjustPrecisionScale(p1 + p2 + 1, s1 + s2);
    case '/': {
      const scale = Math.max(6, s1 + p2 + 1);
      return adjustPrecisionScale(p1 - s1 + s2 + scale, scale);
    }
    case '%': {
      const scale = Math.max(s1, s2);
      return adjustPrecisionScale(Math.min(p1 - s1, p2 - s2) + scale, scale);
    }
  }
}

/** SUM keeps the argument type, except DECIMAL(p, s) → DECIMAL(38, s) (LogicalTypeMerging.findSumAggType). */
export function sumAggregateType(arg: string): string {
  if (isDecimalType(arg)) return decimalType(MAX_DECIMAL_PRECISION, decimalPrecisionScale(arg)[1]);
  return arg;
}

/** AVG keeps the argument type (AVG of INT is INT), except DECIMAL(p, s) → DECIMAL(38, max(6, s)) (findAvgAggType). */
export function avgAggregateType(arg: string): string {
  if (isDecimalType(arg)) {
    const [, s] = decimalPrecisionScale(arg);
    const scale = Math.max(6, s + 20 + 1);
    return adjustPrecisionScale(38 - s + 0 + scale, scale);
  }
  return arg;
}

/** ROUND(x, d) on a DECIMAL (findRoundDecimalType); other types keep theirs. */
export function roundType(arg: string, digits: number): string {
  if (!isDecimalType(arg)) return arg;
  const [p, s] = decimalPrecisionScale(arg);
  if (digits >= s) return decimalType(p, s);
  if (digits < 0) return decimalType(Math.min(MAX_DECIMAL_PRECISION, 1 + p - s), 0);
  return decimalType(1 + p - s + digits, digits);
}

function precisionOf(type: string, fallback: number): number {
  const m = /\(\s*(\d+)/.exec(type);
  return m ? Number(m[1]) : fallback;
}

/**
 * The common type of CASE branches, COALESCE, IF, UNION columns (LogicalTypeMerging.findCommonType,
 * simplified): NULL is ignored, numerics promote, character strings widen to STRING or the longest
 * VARCHAR, timestamps take the larger precision. Undefined when the types have nothing in common.
 */
export function commonType(types: readonly string[]): string | undefined {
  const candidates = types.filter((t) => typeRoot(t) !== 'NULL');
  if (candidates.length === 0) return types.length > 0 ? 'NULL' : undefined;
  let result = candidates[0]!;
  for (const t of candidates.slice(1)) {
    if (t === result) continue;
    if (isNumericType(result) && isNumericType(t)) {
      if (isApproximateType(result) || isApproximateType(t)) {
        result = typeRoot(result) === 'DOUBLE' || typeRoot(t) === 'DOUBLE' || isDecimalType(result) || isDecimalType(t) ? 'DOUBLE' : 'FLOAT';
      } else if (isIntegerType(result) && isIntegerType(t)) {
        result = INTEGER_RANK[typeRoot(result)]! >= INTEGER_RANK[typeRoot(t)]! ? typeRoot(result) : typeRoot(t);
      } else {
        const [p1, s1] = decimalPrecisionScale(result);
        const [p2, s2] = decimalPrecisionScale(t);
        const scale = Math.max(s1, s2);
        result = decimalType(Math.min(MAX_DECIMAL_PRECISION, Math.max(p1 - s1, p2 - s2) + scale), scale);
      }
    } else if (isCharacterType(result) && isCharacterType(t)) {
      const r = typeRoot(result);
      const o = typeRoot(t);
      if (r === 'STRING' || o === 'STRING') result = 'STRING';
      else result = `VARCHAR(${Math.max(precisionOf(result, 1), precisionOf(t, 1))})`;
    } else if (isTimestampType(result) && isTimestampType(t)) {
      const root = typeRoot(result) === 'TIMESTAMP_LTZ' || typeRoot(t) === 'TIMESTAMP_LTZ' ? 'TIMESTAMP_LTZ' : 'TIMESTAMP';
      result = `${root}(${Math.max(precisionOf(result, 6), precisionOf(t, 6))})`;
    } else if (typeRoot(result) === typeRoot(t)) {
      continue; // same root with different parameters (e.g. ROW shapes): keep the first
    } else return undefined;
  }
  return result;
}

/** Element type of `ARRAY<T>` / `MULTISET<T>`, or key and value of `MAP<K, V>`. */
export function typeArguments(type: string): string[] {
  const open = type.indexOf('<');
  const close = type.lastIndexOf('>');
  if (open < 0 || close < open) return [];
  return splitTopLevel(type.slice(open + 1, close));
}

/** Fields of `ROW<a INT, b STRING>` as name/type pairs (backticks removed from names). */
export function rowFields(type: string): { name: string; type: string }[] {
  if (typeRoot(type) !== 'ROW') return [];
  return typeArguments(type).map((field) => {
    const m = /^(`(?:[^`]|``)*`|\S+)\s+([\s\S]*)$/.exec(field.trim());
    if (!m) return { name: field.trim(), type: 'STRING' };
    const name = m[1]!.startsWith('`') ? m[1]!.slice(1, -1).replace(/``/g, '`') : m[1]!;
    return { name, type: m[2]!.replace(/\s+COMMENT\s+'(?:[^']|'')*'$/i, '').trim() };
  });
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  let inQuote: string | undefined;
  for (const ch of text) {
    if (inQuote) {
      if (ch === inQuote) inQuote = undefined;
    } else if (ch === '`' || ch === "'") inQuote = ch;
    else if (ch === '<' || ch === '(') depth++;
    else if (ch === '>' || ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}

export type TypeFamily = 'numeric' | 'character' | 'binary' | 'boolean' | 'date' | 'time' | 'timestamp' | 'interval' | 'array' | 'map' | 'multiset' | 'row' | 'null' | 'symbol' | 'other';

/** The family of a type, as Calcite's operand checks group types. */
export function typeFamily(type: string): TypeFamily {
  if (isNumericType(type)) return 'numeric';
  if (isCharacterType(type)) return 'character';
  const root = typeRoot(type);
  switch (root) {
    case 'BYTES':
    case 'BINARY':
    case 'VARBINARY':
      return 'binary';
    case 'BOOLEAN':
      return 'boolean';
    case 'DATE':
      return 'date';
    case 'TIME':
      return 'time';
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 'timestamp';
    case 'INTERVAL':
      return 'interval';
    case 'ARRAY':
      return 'array';
    case 'MAP':
      return 'map';
    case 'MULTISET':
      return 'multiset';
    case 'ROW':
      return 'row';
    case 'NULL':
      return 'null';
    case 'SYMBOL':
      return 'symbol';
    default:
      return 'other';
  }
}

/**
 * Whether two values can be compared (=, <, IN, BETWEEN...) in Flink: the same family, or a character
 * string against a number, a boolean or a date-time (Flink casts the string), or a date against a
 * timestamp; never a number against a date-time or a boolean.
 */
export function comparableTypes(a: string, b: string): boolean {
  const fa = typeFamily(a);
  const fb = typeFamily(b);
  if (fa === 'null' || fb === 'null' || fa === 'other' || fb === 'other') return true;
  if (fa === fb) return true;
  const pair = new Set([fa, fb]);
  if (pair.has('character') && (pair.has('numeric') || pair.has('boolean') || pair.has('date') || pair.has('time') || pair.has('timestamp'))) return true;
  return false;
}

/** How Calcite names a type in its messages (INTEGER, VARCHAR, TIMESTAMP...). */
export function calciteTypeName(type: string): string {
  const root = typeRoot(type);
  switch (root) {
    case 'INT':
      return 'INTEGER';
    case 'STRING':
      return 'VARCHAR';
    case 'BYTES':
      return 'VARBINARY';
    case 'TIMESTAMP_LTZ':
      return 'TIMESTAMP_WITH_LOCAL_TIME_ZONE';
    default:
      return root;
  }
}
