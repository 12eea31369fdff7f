/**
 * Scopes and names: tables and CTEs in FROM, column and field references, `*`, column aliases and
 * the output names Calcite derives (`EXPR$n`, `id0` for a duplicate), with "did you mean" hints.
 */
import { own } from '../core/own.js';
import type { Expr, Pos, SelectItem } from './ast.js';
import type { AnalysisContext } from './context.js';
import { colTyped, inputRelation, noteColumn, UNKNOWN, type Col, type Relation, type Scope, type ScopeEntry, type Typed } from './relation.js';
import { rowFields, splitNullability, typeRoot } from './types.js';

/** A table of FROM: a CTE in scope, else an input (recorded as read). */
export function tableRelation(cx: AnalysisContext, name: string, pos: Pos): Relation {
  for (let i = cx.ctes.length - 1; i >= 0; i--) {
    const cte = cx.ctes[i]!.get(name);
    if (cte) return { ...cte, cols: cte.cols.map((c) => ({ ...c })) };
  }
  cx.tableRefs.push({ name, pos });
  const input = own(cx.inputs, name);
  if (!input) {
    if (cx.options.checkTables !== false) {
      cx.error('SQL_UNKNOWN_TABLE', `Object '${name}' not found`, pos, nearest(name, Object.keys(cx.inputs)) ?? 'Read other nodes with {{ ref("model") }} or {{ source("source") }}.');
    }
    return { cols: [], complete: false, changelog: 'append' };
  }
  return inputRelation(input, name);
}

/** `t (a, b)`, `WITH t (a, b) AS`: renames the columns in order (and the upsert key with them). */
export function renameColumns(cx: AnalysisContext, rel: Relation, names: string[], pos: Pos): Relation {
  if (rel.complete && names.length !== rel.cols.length) {
    cx.error('SQL_COLUMN_COUNT_MISMATCH', `${names.length} column aliases given for ${rel.cols.length} columns`, pos);
  }
  const renames = new Map<string, string>();
  const cols = rel.cols.map((c, i) => {
    const name = names[i];
    if (name === undefined) return c;
    renames.set(c.name, name);
    return { ...c, name, unnamed: false };
  });
  const copy: Relation = { ...rel, cols };
  if (rel.upsertKey) copy.upsertKey = rel.upsertKey.map((k) => renames.get(k) ?? k);
  return copy;
}

/**
 * Resolves a column reference (`c`, `t.c`, `t.c.field`, `c.field`) through the scope and its parents,
 * as Calcite does: a qualifier is a table alias first, else a ROW column whose fields follow. Errors
 * say what Flink says, where Flink says it (a qualified name's error is on the name after the qualifier).
 */
export function resolveColumn(cx: AnalysisContext, expr: Expr & { kind: 'column' }, scope: Scope): Typed {
  const parts = expr.parts;
  const at = (i: number): Pos => expr.pos.parts?.[i] ?? expr.pos;
  for (let level: Scope | undefined = scope; level; level = level.parent) {
    const entries = level.entries;
    if (parts.length >= 2) {
      const entry = entries.find((e) => e.alias === parts[0]);
      if (entry || (level.matchRecognize && entries.length === 1)) {
        const target = entry ?? entries[0]!;
        const col = target.rel.cols.find((c) => c.name === parts[1]);
        if (!col && !target.rel.complete) return unknownInput(cx);
        const typed = col ? fieldPath(colTyped(col), parts.slice(2)) : undefined;
        if (typed) {
          cx.resolutions.push(level);
          noteColumn(cx.lineage, col!, parts.slice(2));
          return typed;
        }
        cx.error(
          'SQL_UNKNOWN_COLUMN',
          `Column '${parts.slice(1).join('.')}' not found in table '${parts[0]}'`,
          at(1),
          col ? fieldHint(col.type, parts[2]!) : (nearest(parts[1]!, target.rel.cols.map((c) => c.name)) ?? available(target.rel.cols)),
        );
        return UNKNOWN;
      }
    }
    const found = entries.filter((e) => e.rel.cols.some((c) => c.name === parts[0]));
    // A USING column is one column, not one per side.
    const unmerged = found.filter((e) => !e.usingMerged?.has(parts[0]!));
    const matches = unmerged.length ? unmerged : found;
    if (matches.length > 1) {
      cx.error('SQL_AMBIGUOUS_COLUMN', `Column '${parts[0]}' is ambiguous: it exists in ${matches.map((m) => `'${m.alias ?? '(subquery)'}'`).join(' and ')}`, expr.pos, `Qualify it, e.g. ${matches[0]!.alias ?? 't'}.${parts[0]}.`);
      return UNKNOWN;
    }
    if (matches.length === 1 && matches[0]!.rel.cols.filter((c) => c.name === parts[0]).length > 1) {
      cx.error('SQL_AMBIGUOUS_COLUMN', `Column '${parts[0]}' is ambiguous: '${matches[0]!.alias ?? '(subquery)'}' has two columns of that name`, expr.pos, "Rename the input's column first (e.g. window_start AS first_window_start).");
      return UNKNOWN;
    }
    if (matches.length === 1) {
      const entry = matches[0]!;
      const col = entry.rel.cols.find((c) => c.name === parts[0])!;
      cx.resolutions.push(level);
      noteColumn(cx.lineage, col, parts.slice(1));
      if (parts.length === 1) return colTyped(col);
      if (col.type !== undefined && typeRoot(col.type) !== 'ROW') {
        // `status.x` with a plain `status`: Calcite takes `status` for a table.
        cx.error('SQL_UNKNOWN_COLUMN', `Table '${parts[0]}' not found`, expr.pos, `'${parts[0]}' is a ${col.type} column, not a table or a ROW.`);
        return UNKNOWN;
      }
      const typed = fieldPath(colTyped(col), parts.slice(1));
      if (typed) return typed;
      cx.error('SQL_UNKNOWN_COLUMN', `Column '${parts.join('.')}' not found in table '${entry.alias ?? '(subquery)'}'`, expr.pos, fieldHint(col.type, parts[1]!));
      return UNKNOWN;
    }
    if (entries.some((e) => !e.rel.complete)) return unknownInput(cx);
  }
  const candidates = scope.entries.flatMap((e) => e.rel.cols.map((c) => c.name));
  if (parts.length >= 2) {
    cx.error('SQL_UNKNOWN_COLUMN', `Table '${parts[0]}' not found`, expr.pos, nearest(parts[0]!, scope.entries.map((e) => e.alias ?? '')) ?? `No table or alias named '${parts[0]}' in this query.`);
  } else {
    cx.error('SQL_UNKNOWN_COLUMN', `Column '${parts[0]}' not found in any table`, expr.pos, nearest(parts[0]!, candidates) ?? (candidates.length ? `Available columns: ${candidates.join(', ')}.` : undefined));
  }
  return UNKNOWN;
}

/** A reference into an input of unknown schema: its type, and where its value comes from, are unknown. */
function unknownInput(cx: AnalysisContext): Typed {
  if (cx.lineage) cx.lineage.partial = true;
  return UNKNOWN;
}

/** The type at a field path into a ROW value; undefined when a field is missing (unknown types stay unknown). */
function fieldPath(base: Typed, path: string[]): Typed | undefined {
  let current = base;
  for (const name of path) {
    if (current.type === undefined) return UNKNOWN;
    if (typeRoot(current.type) !== 'ROW') return undefined;
    const field = rowFields(current.type).find((f) => f.name === name);
    if (!field) return undefined;
    const t = splitNullability(field.type);
    current = { type: t.type, nullable: t.nullable || current.nullable };
  }
  return current;
}

function fieldHint(type: string | undefined, name: string): string | undefined {
  if (type === undefined || typeRoot(type) !== 'ROW') return undefined;
  const fields = rowFields(type).map((f) => f.name);
  return nearest(name, fields) ?? `Its fields: ${fields.join(', ')}.`;
}

function available(cols: Col[]): string | undefined {
  return cols.length ? `Available columns: ${cols.map((c) => c.name).join(', ')}.` : undefined;
}

/** A field path into a ROW value (`(expr).field`). */
export function fieldOf(cx: AnalysisContext, base: Typed, path: string[], pos: Pos): Typed {
  let current = base;
  for (const name of path) {
    if (current.type === undefined) return UNKNOWN;
    if (typeRoot(current.type) !== 'ROW') {
      cx.error('SQL_UNKNOWN_COLUMN', `Cannot read field '${name}' of a ${current.type}`, pos);
      return UNKNOWN;
    }
    const fields = rowFields(current.type);
    const field = fields.find((f) => f.name === name);
    if (!field) {
      cx.error('SQL_UNKNOWN_COLUMN', `Unknown field '${name}' in ${current.type}`, pos, nearest(name, fields.map((f) => f.name)));
      return UNKNOWN;
    }
    const t = splitNullability(field.type);
    current = { type: t.type, nullable: t.nullable || current.nullable };
  }
  return current;
}

/** Column lookup without diagnostics, for structural checks. */
export function lookupQuiet(parts: string[], entries: ScopeEntry[]): Col | undefined {
  if (parts.length >= 2) {
    const entry = entries.find((e) => e.alias === parts[0]);
    if (entry) return entry.rel.cols.find((c) => c.name === parts[1]);
  }
  const matches = entries.flatMap((e) => e.rel.cols.filter((c) => c.name === parts[0]));
  return matches.length === 1 ? matches[0] : undefined;
}

/**
 * `*` and `t.*`: the columns in scope, USING columns once and first, as Calcite expands them, with the
 * alias of the relation each comes from. A relation with two columns of one name (a window TVF over
 * an input that already has window_start) makes `*` ambiguous.
 */
export function expandStar(cx: AnalysisContext, item: SelectItem, scope: Scope): { cols: Col[]; owners: (string | undefined)[]; complete: boolean } {
  const star = item.expr as Expr & { kind: 'star' };
  const duplicates = (entries: ScopeEntry[]) => {
    for (const e of entries) {
      const seen = new Set<string>();
      for (const c of e.rel.cols) {
        if (seen.has(c.name)) {
          cx.error('SQL_AMBIGUOUS_COLUMN', `Column '${c.name}' is ambiguous: '${e.alias ?? '(subquery)'}' has two columns of that name`, item.pos, "Select the columns explicitly, renaming the input's first (e.g. window_start AS first_window_start).");
          return;
        }
        seen.add(c.name);
      }
    }
  };
  if (star.qualifier) {
    const qualifier = star.qualifier.join('.');
    const entry = scope.entries.find((e) => e.alias === qualifier);
    if (!entry) {
      cx.error('SQL_UNKNOWN_TABLE', `Table '${qualifier}' not found`, item.pos, nearest(qualifier, scope.entries.map((e) => e.alias ?? '')));
      return { cols: [], owners: [], complete: false };
    }
    duplicates([entry]);
    return { cols: entry.rel.cols.map((c) => ({ ...c })), owners: entry.rel.cols.map(() => entry.alias), complete: entry.rel.complete };
  }
  if (scope.entries.length === 0) {
    cx.error('SQL_NO_FROM', 'SELECT * needs a FROM clause (Flink: getFrom for SELECT *)', item.pos, 'Select from a table: SELECT * FROM {{ source("name") }}.');
    return { cols: [], owners: [], complete: false };
  }
  duplicates(scope.entries);
  const merged = [...new Set(scope.entries.flatMap((e) => [...(e.usingMerged ?? [])]))];
  const owners = new Map<string, ScopeEntry>();
  for (const name of merged) {
    const owner = scope.entries.find((e) => !e.usingMerged?.has(name) && e.rel.cols.some((c) => c.name === name));
    if (owner) owners.set(name, owner);
  }
  const first = [...owners].map(([name, owner]) => ({ col: { ...owner.rel.cols.find((c) => c.name === name)! }, owner: owner.alias }));
  const rest = scope.entries.flatMap((e) => e.rel.cols.filter((c) => owners.get(c.name) !== e && !e.usingMerged?.has(c.name)).map((c) => ({ col: { ...c }, owner: e.alias })));
  const all = [...first, ...rest];
  return { cols: all.map((x) => x.col), owners: all.map((x) => x.owner), complete: scope.entries.every((e) => e.rel.complete) };
}

export function hasMatchScope(scope: Scope): boolean {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.matchRecognize) return true;
  return false;
}

/** Flink's name for an unaliased select item: the column or field name, else none (EXPR$n). */
export function derivedName(expr: Expr): string | undefined {
  if (expr.kind === 'column') return expr.parts[expr.parts.length - 1];
  if (expr.kind === 'field') return expr.name;
  return undefined;
}

/** Calcite makes duplicate output names unique by appending a counter (id, id0, id1). */
export function uniquifyNames(cols: Col[]): void {
  const seen = new Set<string>();
  for (const col of cols) {
    if (!seen.has(col.name)) {
      seen.add(col.name);
      continue;
    }
    let i = 0;
    while (seen.has(`${col.name}${i}`)) i++;
    col.duplicateOf = col.name;
    col.name = `${col.name}${i}`;
    seen.add(col.name);
  }
}

/** A "did you mean" hint: a case-insensitive match first, else the closest name by edit distance. */
export function nearest(name: string, candidates: string[]): string | undefined {
  const pool = [...new Set(candidates.filter((c) => c))];
  const caseMatch = pool.find((c) => c.toLowerCase() === name.toLowerCase());
  if (caseMatch) return `Did you mean '${caseMatch}'? Flink SQL names are case-sensitive.`;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of pool) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && c < best)) {
      best = c;
      bestDistance = d;
    }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3))) return `Did you mean '${best}'?`;
  return undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return prev[b.length]!;
}
