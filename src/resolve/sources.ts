/**
 * What a source declaration must say for the jobs that read it to run: a changelog source (upsert
 * or CDC) names its key; a source a Flink job reads has typed columns. Reported at the source,
 * once, whatever reads it.
 */
import { error, type Diagnostic } from '../core/diagnostics.js';
import type { SourceNode } from '../project/types.js';
import type { PathSegment } from '../project/yaml.js';

/** Checks of the declaration itself. */
export function checkSourceDeclaration(s: SourceNode): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = (path: PathSegment[], which: 'key' | 'value' = 'value') => ({ ...s.at(path, which), node: s.id });
  const c = s.changelog;
  if (c.kind !== 'append' && !s.key.length) {
    const what = c.kind === 'upsert' ? 'an upsert topic (the latest value per key)' : `a ${c.format} CDC stream`;
    out.push(
      error('SOURCE_KEY_REQUIRED', `Source "${s.name}" is ${what} but declares no key`, {
        ...at(['changelog']),
        hint: c.kind === 'upsert' ? 'add key: <the column(s) the message key holds>' : 'add key: <the primary key column(s) of the captured table>',
      }),
    );
  }
  const typed = s.columns.length > 0;
  s.key.forEach((k, i) => {
    if (typed && !s.columns.some((col) => col.name === k)) {
      out.push(
        error('KEY_COLUMN_NOT_FOUND', `Key column "${k}" of source "${s.name}" is not one of its columns`, {
          ...at(Array.isArray(s.key) && s.key.length > 1 ? ['key', i] : ['key']),
          hint: `columns: ${s.columns.map((col) => col.name).join(', ')}`,
        }),
      );
    }
  });
  if (s.keyFormat && c.kind !== 'upsert') {
    out.push(
      error('KEY_FORMAT_IGNORED', `key_format of source "${s.name}" only applies to an upsert source, whose rows are keyed by the message key`, {
        ...at(['key_format'], 'key'),
        hint: 'remove key_format, or declare changelog: upsert',
      }),
    );
  }
  if (c.kind === 'cdc' && s.schema?.format) {
    const registry = c.format === 'debezium-avro';
    const declared = s.schema.format;
    if ((registry && declared !== 'avro') || (!registry && declared !== 'json')) {
      out.push(
        error('SOURCE_FORMAT_CONFLICT', `Source "${s.name}" declares changelog ${c.format} but schema.format ${declared}`, {
          ...at(['schema', 'format']),
          hint: registry ? 'Debezium Avro records are Avro: set schema.format: avro, or remove it' : `${c.format} records are JSON: set schema.format: json, remove it, or use changelog: debezium-avro for Avro`,
        }),
      );
    }
  }
  if (c.kind === 'cdc' && c.schemaInclude && c.format !== 'debezium-json') {
    out.push(error('SOURCE_FORMAT_CONFLICT', `schema_include of source "${s.name}" only applies to debezium-json`, { ...at(['changelog', 'schema_include'], 'key'), hint: 'remove schema_include' }));
  }
  return out;
}

/** Checks that matter once a Flink job reads the source: `readers` are the models that read it. */
export function checkSourceReadByFlink(s: SourceNode, readers: string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  // A schema that gave no columns (a registry subject not locked, an unmappable definition) is
  // reported by source-schemas.ts, with its own fix.
  if (s.schema && !s.derivedSchema) {
    const cols = s.columns.filter((c) => !c.proctime);
    if (!cols.length || cols.some((c) => c.type === undefined)) return out;
  }
  const who = `${readers.length === 1 ? 'model' : 'models'} ${readers.map((r) => `"${r}"`).join(', ')}`;
  if (!s.columns.length) {
    out.push(
      error('SOURCE_COLUMNS_UNTYPED', `Source "${s.name}" declares no columns, and ${who} read it with Flink, which needs its schema`, {
        ...s.loc,
        node: s.id,
        hint: 'declare columns: with a name and a Flink SQL type each (e.g. {name: order_id, type: STRING}); streamt does not read schemas from the registry at compile time',
      }),
    );
    return out;
  }
  const untyped = s.columns.map((c, i) => ({ c, i })).filter(({ c }) => !c.proctime && c.type === undefined);
  if (untyped.length) {
    const first = untyped[0]!;
    // A column that only came from pii_tags has no entry under columns: to point at.
    const declared = writtenColumn(s, first.i);
    out.push(
      error('SOURCE_COLUMNS_UNTYPED', `Source "${s.name}" has column${untyped.length > 1 ? 's' : ''} without a type (${untyped.map((u) => u.c.name).join(', ')}), and ${who} read it with Flink, which needs every column's type`, {
        ...(declared ? s.at(['columns', first.i]) : s.at(['pii_tags'], 'key')),
        node: s.id,
        hint: 'give every column a Flink SQL type (type: STRING, BIGINT, TIMESTAMP_LTZ(3), ...); a column listed only to classify it (pii_tags) must be declared under columns: with its type',
      }),
    );
  }
  return out;
}

/** Whether the i-th column is written under columns: (pii_tags columns are appended after them). */
function writtenColumn(s: SourceNode, i: number): boolean {
  const item = s.at(['columns', i]);
  const list = s.at(['columns']);
  return item.line !== list.line || item.column !== list.column;
}
