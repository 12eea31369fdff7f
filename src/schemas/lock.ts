/**
 * The schema lock (`schemas.lock.yml`, committed with the project): the registry schemas the
 * project reads, as `streamt schemas pull` fetched them. validate and compile read it and never
 * call the registry; plan compares it with the registry. Pure: text in, text out.
 */
import { yamlLib } from '../project/yaml-lib.js';
import { z } from '../core/zod.js';
import { error, type Diagnostic } from '../core/diagnostics.js';
import { setOwn } from '../core/own.js';

export const LOCK_FILE = 'schemas.lock.yml';
export const PULL_COMMAND = 'streamt schemas pull';

export interface LockedReference {
  /** The name the schema uses for it (an Avro full name, a Protobuf import, a JSON Schema $ref). */
  name: string;
  subject: string;
  version: number;
}

export interface LockedSchema {
  subject: string;
  version: number;
  id: number;
  schemaType: 'AVRO' | 'JSON' | 'PROTOBUF';
  schema: string;
  references: LockedReference[];
}

export interface SchemaLock {
  /** Every (subject, version) the project needs, references included; sorted. */
  schemas: LockedSchema[];
}

const LockFileSchema = z.strictObject({
  lock_version: z.literal(1),
  schemas: z.array(
    z.strictObject({
      subject: z.string().min(1),
      version: z.number().int().positive(),
      id: z.number().int().nonnegative(),
      schema_type: z.enum(['AVRO', 'JSON', 'PROTOBUF']),
      references: z.array(z.strictObject({ name: z.string(), subject: z.string(), version: z.number().int().positive() })).optional(),
      schema: z.string(),
    }),
  ),
});

export function parseLock(text: string, file = LOCK_FILE): { lock?: SchemaLock; diagnostics: Diagnostic[] } {
  let raw: unknown;
  try {
    raw = yamlLib().parse(text);
  } catch (e) {
    return { diagnostics: [error('SCHEMA_LOCK_INVALID', `${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`, { file, line: 1, column: 1, hint: `regenerate it with "${PULL_COMMAND}"` })] };
  }
  const r = LockFileSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    return { diagnostics: [error('SCHEMA_LOCK_INVALID', `${file} is not a schema lock: ${issue.path.join('.') || '(top)'}: ${issue.message}`, { file, line: 1, column: 1, hint: `regenerate it with "${PULL_COMMAND}"; never edit it by hand` })] };
  }
  return { lock: { schemas: r.data.schemas.map((s) => ({ subject: s.subject, version: s.version, id: s.id, schemaType: s.schema_type, schema: s.schema, references: s.references ?? [] })) }, diagnostics: [] };
}

/** Deterministic text: entries sorted by subject then version, JSON schemas pretty-printed. */
export function renderLock(lock: SchemaLock): string {
  const schemas = sortLocked(lock.schemas).map((s) => {
    const o: Record<string, unknown> = { subject: s.subject, version: s.version, id: s.id, schema_type: s.schemaType };
    if (s.references.length) o.references = s.references.map((r) => ({ name: r.name, subject: r.subject, version: r.version }));
    o.schema = readableSchema(s.schema, s.schemaType);
    return o;
  });
  const header = [
    `# Written by \`${PULL_COMMAND}\`: the Schema Registry schemas this project reads. Commit it.`,
    '# validate and compile read it and never call the registry; plan reports newer versions;',
    `# \`${PULL_COMMAND}\` moves it forward. Do not edit it by hand.`,
  ].join('\n');
  return `${header}\n${yamlLib().stringify({ lock_version: 1, schemas }, { lineWidth: 0, blockQuote: 'literal' })}`;
}

export function sortLocked(list: readonly LockedSchema[]): LockedSchema[] {
  return [...list].sort((a, b) => (a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : a.version - b.version));
}

/** JSON-based schemas are stored pretty-printed (reviewable diffs); the mapping reads them the same. */
function readableSchema(text: string, type: string): string {
  if (type === 'PROTOBUF') return text.endsWith('\n') ? text : `${text}\n`;
  try {
    return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  } catch {
    return text;
  }
}

/** The locked entry a source uses: its pinned version, else the newest version in the lock. */
export function lockedEntry(lock: SchemaLock | undefined, subject: string, version?: number): LockedSchema | undefined {
  const entries = (lock?.schemas ?? []).filter((s) => s.subject === subject);
  if (version !== undefined) return entries.find((s) => s.version === version);
  return entries.sort((a, b) => b.version - a.version)[0];
}

/** Name → schema text of every reference of an entry (transitively), from the lock. */
export function lockedReferences(lock: SchemaLock, entry: LockedSchema): { references: Record<string, string>; missing: LockedReference[] } {
  const references: Record<string, string> = {};
  const missing: LockedReference[] = [];
  const visit = (e: LockedSchema, seen: Set<string>) => {
    for (const r of e.references) {
      const key = `${r.subject}@${r.version}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const target = lock.schemas.find((s) => s.subject === r.subject && s.version === r.version);
      if (!target) {
        missing.push(r);
        continue;
      }
      setOwn(references, r.name, target.schema);
      visit(target, seen);
    }
  };
  visit(entry, new Set());
  return { references, missing };
}
