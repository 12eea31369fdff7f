/**
 * A schema's columns as Flink sees them. Pure data: `src/schemas/` maps Avro, JSON Schema and
 * Protobuf definitions to Flink SQL types, following what Flink's own formats read.
 */
export type SchemaFormat = 'avro' | 'json' | 'protobuf';

/** One top-level column derived from a schema. */
export interface SchemaColumn {
  name: string;
  /** Flink SQL type in Flink's summary form (`ROW<\`a\` INT NOT NULL>`), without the column's own NOT NULL. */
  type: string;
  /** False when the schema guarantees a value (a non-optional Avro field, a required JSON property). */
  nullable: boolean;
  /** The schema's documentation of the field (Avro `doc`, JSON Schema `description`). */
  doc?: string;
  /** Avro: the field is or contains an enum (Flink reads it only with the writer's schema). */
  hasEnum?: boolean;
}

/** A schema that names other schemas (registry references): name as written in the schema → schema text. */
export type SchemaReferences = Readonly<Record<string, string>>;

export interface SchemaInput {
  format: SchemaFormat;
  text: string;
  references?: SchemaReferences;
  /** Protobuf: the message to read (default: the first message of the file, as the registry does). */
  message?: string;
}

export interface DerivedColumns {
  columns: SchemaColumn[];
  /** Why the schema could not be mapped (each names the field's path). Empty on success. */
  errors: string[];
  /** Flink format options the schema needs to be read as mapped (e.g. ISO-8601 timestamps in JSON). */
  formatOptions: Record<string, string>;
}

/** The column's type as a declaration: `T` or `T NOT NULL`. */
export function declaredType(c: Pick<SchemaColumn, 'type' | 'nullable'>): string {
  return c.nullable ? c.type : `${c.type} NOT NULL`;
}

/** A field name quoted as Flink prints it inside ROW<...>. */
export function rowFieldName(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function rowType(fields: { name: string; type: string; nullable: boolean }[]): string {
  return `ROW<${fields.map((f) => `${rowFieldName(f.name)} ${declaredType(f)}`).join(', ')}>`;
}

/** Thrown inside a mapper for a field it cannot map; collected into DerivedColumns.errors. */
export class SchemaMappingError extends Error {}
