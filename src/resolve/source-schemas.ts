/**
 * Columns come from the schema (issue 12): a source's inline `definition`, or the locked version
 * of its registry subject (schemas.lock.yml), is mapped to Flink columns (src/schemas/); its
 * `columns:` entries then annotate them (description, classification, tags, a compatible type
 * override). A source without a schema keeps its declared columns. Pure: the project (and its
 * lock) in, a project whose sources carry their derived columns out.
 */
import { error, warning, type Diagnostic } from '../core/diagnostics.js';
import { didYouMean } from '../core/suggest.js';
import type { Column, DerivedSchemaInfo, Project, SourceNode } from '../project/types.js';
import { declaredType, deriveColumns, detectFormat, formatOfRegistryType, type DerivedColumns, type SchemaColumn, type SchemaFormat } from '../schemas/index.js';
import { avroColumns, avroReaderSchema } from '../schemas/avro.js';
import { LOCK_FILE, lockedEntry, lockedReferences, PULL_COMMAND } from '../schemas/lock.js';
import { isNumericType, rowFields, splitNullability, typeArguments, typeRoot } from '../sql/types.js';

/** The registry subject a source reads its schema from, when it has no inline definition. */
export function sourceSubject(s: SourceNode): { subject: string; explicit: boolean; version?: number } | undefined {
  const spec = s.schema;
  if (!spec || spec.definition !== undefined) return undefined;
  const r: { subject: string; explicit: boolean; version?: number } = { subject: spec.subject ?? `${s.topic ?? s.name}-value`, explicit: spec.subject !== undefined || typeof spec.version === 'number' };
  if (typeof spec.version === 'number') r.version = spec.version;
  return r;
}

/** Every declared column has a type: the columns are a schema by themselves (as before schemas). */
function declaresTypedColumns(s: SourceNode): boolean {
  const cols = s.columns.filter((c) => !c.proctime);
  return cols.length > 0 && cols.every((c) => c.type !== undefined);
}

export function withSchemaColumns(project: Project, diagnostics: Diagnostic[]): Project {
  let changed = false;
  const sources = project.sources.map((s) => {
    const next = sourceWithSchema(project, s, diagnostics);
    if (next !== s) changed = true;
    return next;
  });
  return changed ? { ...project, sources } : project;
}

function sourceWithSchema(project: Project, s: SourceNode, diagnostics: Diagnostic[]): SourceNode {
  const spec = s.schema;
  if (!spec) return s;
  let derived: DerivedColumns;
  let info: DerivedSchemaInfo;
  const at = (path: (string | number)[]) => ({ ...s.at(path), node: s.id });
  if (spec.definition !== undefined) {
    const format = spec.format ?? detectFormat(spec.definition);
    if (!format) return s; // compile reports SCHEMA_FORMAT_UNKNOWN
    derived = deriveColumns({ format, text: spec.definition, ...(spec.message ? { message: spec.message } : {}) });
    info = { format, origin: 'definition', formatOptions: derived.formatOptions };
  } else {
    const wanted = sourceSubject(s)!;
    const entry = lockedEntry(project.schemaLock, wanted.subject, wanted.version);
    if (!entry) {
      if (declaresTypedColumns(s)) {
        // Columns declared with their types stand by themselves, as before schemas were read.
        if (wanted.explicit) {
          diagnostics.push(
            warning('SCHEMA_NOT_LOCKED', `Source "${s.name}" names registry subject "${wanted.subject}", which is not in ${LOCK_FILE}: its declared columns are used unchecked`, {
              ...at(s.schema ? ['schema'] : ['schema_ref']),
              hint: `run "${PULL_COMMAND}" to lock the subject's schema; its columns then come from it and the declared ones are checked against it`,
            }),
          );
        }
        return s;
      }
      const what = wanted.version !== undefined ? `version ${wanted.version} of registry subject "${wanted.subject}"` : `registry subject "${wanted.subject}"`;
      diagnostics.push(
        error('SCHEMA_LOCK_MISSING', `Source "${s.name}" reads its columns from ${what}, which is not in ${project.schemaLock ? LOCK_FILE : `${LOCK_FILE} (the project has none)`}`, {
          ...at(s.schema ? ['schema'] : ['schema_ref']),
          hint: `run "${PULL_COMMAND}" (it reads the registry once and writes ${LOCK_FILE}; commit it), or give the schema inline as schema.definition`,
        }),
      );
      return s;
    }
    const { references, missing } = lockedReferences(project.schemaLock!, entry);
    if (missing.length) {
      diagnostics.push(
        error('SCHEMA_LOCK_MISSING', `${LOCK_FILE} lacks ${missing.map((m) => `version ${m.version} of "${m.subject}"`).join(', ')}, referenced by subject "${entry.subject}" (source "${s.name}")`, {
          ...at(['schema']),
          hint: `run "${PULL_COMMAND}"`,
        }),
      );
      return s;
    }
    const format = formatOfRegistryType(entry.schemaType);
    if (spec.format && spec.format !== format) {
      diagnostics.push(
        error('SCHEMA_FORMAT_MISMATCH', `Source "${s.name}" declares schema.format ${spec.format}, but subject "${entry.subject}" version ${entry.version} is ${entry.schemaType}`, {
          ...at(['schema', 'format']),
          hint: `remove schema.format (the registry says ${format}), or point schema.subject at the right subject`,
        }),
      );
      return s;
    }
    derived = deriveColumns({ format, text: entry.schema, references, ...(spec.message ? { message: spec.message } : {}) });
    info = { format, origin: 'lock', formatOptions: derived.formatOptions, subject: entry.subject, version: entry.version, id: entry.id };
  }
  const where = info.origin === 'lock' ? `subject "${info.subject}" version ${info.version}` : 'its schema definition';
  if (!derived.columns.length) {
    diagnostics.push(
      error('SCHEMA_UNMAPPABLE', `The schema of source "${s.name}" (${where}) gives no columns: ${derived.errors.join('; ') || 'it has no fields'}`, {
        ...at(info.origin === 'definition' ? ['schema', 'definition'] : ['schema']),
        hint: 'fix the schema, or remove it and declare columns: with types',
      }),
    );
    return s;
  }
  for (const e of derived.errors) {
    diagnostics.push(
      warning('SCHEMA_FIELD_SKIPPED', `Source "${s.name}": a field of ${where} is left out of its columns: ${e}`, {
        ...at(info.origin === 'definition' ? ['schema', 'definition'] : ['schema']),
        hint: 'a model cannot read this field; change its type in the schema if it must',
      }),
    );
  }
  let columns = annotate(s, derived.columns, info.format, diagnostics);
  // ISO-8601 timestamps are asked for by date-time fields; a column declared TIMESTAMP instead reads the SQL form.
  if (info.formatOptions['json.timestamp-format.standard'] && !columns.some((c) => /TIMESTAMP_LTZ/i.test(c.type ?? ''))) {
    info = { ...info, formatOptions: Object.fromEntries(Object.entries(info.formatOptions).filter(([k]) => k !== 'json.timestamp-format.standard')) };
  }
  if (info.format === 'avro') {
    const text = spec.definition ?? lockedEntry(project.schemaLock, info.subject!, info.version)!.schema;
    const hasRefs = info.origin === 'lock' && lockedEntry(project.schemaLock, info.subject!, info.version)!.references.length > 0;
    const avro = avroReadable(s, columns, derived, text, hasRefs, where, at(info.origin === 'definition' ? ['schema', 'definition'] : ['schema']), diagnostics);
    columns = avro.columns;
    if (avro.writerSchema) info = { ...info, formatOptions: { ...info.formatOptions, 'avro-confluent.schema': avro.writerSchema } };
  }
  const schema = { ...spec, format: info.format };
  return { ...s, columns, schema, derivedSchema: info };
}

/** Schema columns, in schema order, annotated by the declared ones; proctime columns appended. */
function annotate(s: SourceNode, fromSchema: SchemaColumn[], format: SchemaFormat, diagnostics: Diagnostic[]): Column[] {
  const declared = new Map<string, { c: Column; index: number }>();
  s.columns.forEach((c, index) => declared.set(c.name, { c, index }));
  const locate = (index: number, key: string) => {
    // Declared columns come first in s.columns, in YAML order; pii_tags-only entries after them.
    const written = s.at(['columns', index, key]);
    return written.line > 0 ? written : s.at(['pii_tags']);
  };
  const out: Column[] = fromSchema.map((sc) => {
    const col: Column = { name: sc.name, type: plannerType(declaredType(sc)), nullable: sc.nullable };
    if (sc.doc !== undefined) col.description = sc.doc;
    const d = declared.get(sc.name);
    if (!d) return col;
    const c = d.c;
    if (c.description !== undefined) col.description = c.description;
    if (c.classification !== undefined) col.classification = c.classification;
    if (c.tags) col.tags = c.tags;
    if (c.type !== undefined) {
      const override = splitNullability(c.type);
      if (format === 'json' && typeRoot(sc.type) === 'TIMESTAMP_LTZ' && typeRoot(override.type) === 'TIMESTAMP') {
        // A JSON Schema date-time carries its UTC offset (RFC 3339): read into a TIMESTAMP, a
        // producer following the schema would fail the job on its first record.
        diagnostics.push(
          error('JSON_DATE_TIME_NOT_LTZ', `Column "${c.name}" of source "${s.name}" is declared ${c.type}, but its JSON Schema says "format": "date-time": an instant with a UTC offset (2026-01-01T10:00:00Z), which Flink reads only into TIMESTAMP_LTZ`, {
            ...locate(d.index, 'type'),
            node: s.id,
            hint: 'remove type: (the schema gives TIMESTAMP_LTZ(3), read as ISO-8601), or declare TIMESTAMP_LTZ(3)',
          }),
        );
      } else if (!compatibleOverride(sc.type, override.type, format)) {
        diagnostics.push(
          error('SCHEMA_TYPE_INCOMPATIBLE', `Column "${c.name}" of source "${s.name}" is declared ${c.type}, but the schema gives ${declaredType(sc)}, which the ${format === 'avro' ? 'avro-confluent' : format} format cannot read as ${override.type}`, {
            ...locate(d.index, 'type'),
            node: s.id,
            hint: `remove type: (the schema's ${sc.type} is used), or declare a type the schema's values convert to`,
          }),
        );
      } else {
        col.type = plannerType(sc.nullable ? override.type : `${override.type} NOT NULL`);
      }
    }
    return col;
  });
  const known = new Set(fromSchema.map((c) => c.name));
  for (const { c, index } of declared.values()) {
    if (known.has(c.name)) continue;
    if (c.proctime) {
      out.push(c);
      continue;
    }
    diagnostics.push(
      error('SCHEMA_COLUMN_NOT_FOUND', `Column "${c.name}" of source "${s.name}" is not a field of its schema`, {
        ...locate(index, 'name'),
        node: s.id,
        hint: didYouMean(c.name, known) ?? `fields of the schema: ${[...known].join(', ')}`,
      }),
    );
  }
  return out;
}

function normalized(t: string): string {
  const u = t.trim().toUpperCase().replace(/\s+/g, ' ').replace(/\s*([(),<>])\s*/g, '$1');
  if (u === 'VARCHAR(2147483647)') return 'STRING';
  if (u === 'VARBINARY(2147483647)') return 'BYTES';
  if (u === 'INTEGER') return 'INT';
  return u;
}

const CHARACTER = /^(STRING|VARCHAR|CHAR)\b/;
const TEMPORAL = /^(TIMESTAMP|TIMESTAMP_LTZ|DATE|TIME)\b/;
/** Avro's schema resolution promotions (int → long → float → double), as reader types. */
const AVRO_PROMOTIONS: Record<string, string[]> = { INT: ['BIGINT', 'FLOAT', 'DOUBLE'], BIGINT: ['FLOAT', 'DOUBLE'], FLOAT: ['DOUBLE'] };

/** Whether the format reads the schema's values into the declared type. */
export function compatibleOverride(schemaType: string, declared: string, format: SchemaFormat): boolean {
  const from = normalized(schemaType);
  const to = normalized(declared);
  if (from === to) return true;
  const rootFrom = typeRoot(from);
  const rootTo = typeRoot(to);
  if (CHARACTER.test(from) && CHARACTER.test(to)) return true;
  if (format === 'json') {
    // The json format converts any JSON number to any numeric type, and parses strings into dates and times.
    if (isNumericType(from) && isNumericType(to)) return true;
    if ((CHARACTER.test(from) || TEMPORAL.test(from)) && TEMPORAL.test(to)) return true;
    return false;
  }
  if (format === 'avro') {
    if (AVRO_PROMOTIONS[rootFrom]?.includes(rootTo)) return true;
    if ((rootFrom === 'STRING' && rootTo === 'BYTES') || (rootFrom === 'BYTES' && rootTo === 'STRING')) return true;
    // A logical type read as its underlying number (e.g. timestamp-micros, which Flink cannot declare).
    if ((rootFrom === 'TIMESTAMP' && rootTo === 'BIGINT') || (rootFrom === 'DATE' && rootTo === 'INT')) return true;
    if (rootFrom === 'TIME') return rootTo === (from === 'TIME(6)' ? 'BIGINT' : 'INT');
    return false;
  }
  return false;
}

const HIGH_PRECISION_TIMESTAMP = /\bTIMESTAMP\(([4-9])\)/i;
const TIME_TYPE = /\bTIME\(\d\)/i;

/**
 * What Flink 1.20's avro-confluent format really reads (seen on the stack and judged by its
 * planner, test/golden/cases/schemas): with the default (legacy) timestamp mapping it cannot
 * declare TIMESTAMP(p > 3) at all; its table-derived reader schema cannot read an enum ("Found X,
 * expecting string"), so the writer's schema is given as 'avro-confluent.schema' when the table is
 * exactly its fields; that option requires the table to equal Flink's conversion of the schema,
 * which a TIME column never does (the planner makes every TIME a TIME(0)).
 */
function avroReadable(s: SourceNode, columns: Column[], derived: DerivedColumns, text: string, hasRefs: boolean, where: string, loc: ReturnType<SourceNode['at']>, diagnostics: Diagnostic[]): { columns: Column[]; writerSchema?: string } {
  const skip = (c: Column, why: string, hint: string) => diagnostics.push(warning('SCHEMA_FIELD_SKIPPED', `Source "${s.name}": field "${c.name}" of ${where} is left out of its columns: ${why}`, { ...loc, node: s.id, hint }));
  let kept = columns.filter((c) => {
    if (c.proctime || !HIGH_PRECISION_TIMESTAMP.test(c.type ?? '')) return true;
    skip(c, `Flink 1.20's avro-confluent format cannot read ${c.type} (timestamp-micros and finer)`, `declare it with type: BIGINT to read the raw value`);
    return false;
  });
  const physical = kept.filter((c) => !c.proctime);
  // The reader schema Flink is given must convert (AvroSchemaConverter) to exactly the table.
  const reader = hasRefs ? undefined : avroReaderSchema(text, physical.map((c) => c.name));
  if (reader !== undefined) {
    const check = avroColumns(reader);
    const same = !check.errors.length && check.columns.length === physical.length && check.columns.every((c, i) => c.name === physical[i]!.name && declaredType(c) === physical[i]!.type);
    if (same) return { columns: kept, writerSchema: reader };
  }
  const enums = new Set(derived.columns.filter((c) => c.hasEnum).map((c) => c.name));
  kept = kept.filter((c) => {
    if (!enums.has(c.name)) return true;
    skip(c, `it is (or contains) an Avro enum, which Flink reads only with a schema that keeps it, and this table cannot be given one (${hasRefs ? 'the schema has references' : 'a type override, a TIME field, or a record used both nullable and not'})`, 'make the enum a string in the schema, or remove what keeps the table from matching the schema');
    return false;
  });
  return { columns: kept };
}

/**
 * A type as Flink's planner declares it from DDL (seen in test/golden/cases/schemas, judged by
 * scripts/flink-agreement.mjs): every TIME(p) is TIME(0), and the fields of a nullable ROW are
 * nullable.
 */
export function plannerType(type: string, forceNullable = false): string {
  const { type: base, nullable: own } = splitNullability(type);
  const nullable = own || forceNullable;
  const root = typeRoot(base);
  let t = base;
  if (root === 'TIME') t = 'TIME(0)';
  else if (root === 'ROW') t = `ROW<${rowFields(base).map((f) => `\`${f.name.replace(/`/g, '``')}\` ${plannerType(f.type, nullable)}`).join(', ')}>`;
  else if (root === 'ARRAY' || root === 'MULTISET') t = `${root}<${plannerType(typeArguments(base)[0] ?? 'STRING')}>`;
  else if (root === 'MAP') {
    const [k, v] = typeArguments(base);
    t = `MAP<${plannerType(k ?? 'STRING')}, ${plannerType(v ?? 'STRING')}>`;
  }
  return nullable ? t : `${t} NOT NULL`;
}
