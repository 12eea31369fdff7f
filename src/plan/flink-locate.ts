/**
 * Where in the project a problem Flink found in a compiled job is (pure). Flink positions a
 * rejection in the statement it was given ("From line 3, column 12"); the compiled INSERT is
 * `INSERT INTO <sink>` on its first line and the model's rendered SQL after it, so a position on
 * a later line is a position in the rendered SQL, and through the template (source()/ref() calls
 * change lengths) a position in the model's `sql:` in its YAML file.
 */
import type { Diagnostic } from '../core/diagnostics.js';
import type { FlinkJobSpec } from '../compile/types.js';
import type { ProjectNode } from '../project/types.js';
import type { ResolvedProject } from '../resolve/types.js';
import type { Blocker, DesiredResource, SourceLocation } from './types.js';

const TAG = /\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g;

/**
 * A 1-based position in the rendered SQL as a position in the template it was rendered from.
 * Lines map one to one when rendering kept them (source()/ref() and var() calls on one line);
 * a column after a call moves by the difference between the call and what it rendered, and a
 * column inside a rendered call points at the call. Otherwise the position is kept as it is.
 */
export function renderedToTemplate(template: string, rendered: string, line: number, column: number): { line: number; column: number } {
  const tl = template.split('\n');
  const rl = rendered.split('\n');
  if (tl.length !== rl.length || line < 1 || line > tl.length) return { line, column };
  const t = tl[line - 1]!;
  const r = rl[line - 1]!;
  const pieces: { tag: boolean; text: string; at: number }[] = [];
  let last = 0;
  for (const m of t.matchAll(TAG)) {
    pieces.push({ tag: false, text: t.slice(last, m.index), at: last });
    pieces.push({ tag: true, text: m[0], at: m.index! });
    last = m.index! + m[0].length;
  }
  pieces.push({ tag: false, text: t.slice(last), at: last });
  if (pieces.length === 1) return { line, column };
  const c = column - 1;
  let rpos = 0;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (!p.tag) {
      if (r.slice(rpos, rpos + p.text.length) !== p.text) return { line, column };
      if (c >= rpos && c < rpos + p.text.length) return { line, column: p.at + (c - rpos) + 1 };
      rpos += p.text.length;
      continue;
    }
    const next = pieces[i + 1]!;
    const end = next.text ? r.indexOf(next.text, rpos) : i + 2 === pieces.length ? r.length : -1;
    if (end < 0) return { line, column };
    if (c >= rpos && c < end) return { line, column: p.at + 1 };
    rpos = end;
  }
  return { line, column: Math.max(1, column - (r.length - t.length)) };
}

/** The position of a compiled INSERT's line and column in the rendered SQL it was compiled from. */
export function insertToRendered(insert: string, rendered: string, line: number, column: number): { line: number; column: number } | undefined {
  if (line < 2) return undefined;
  const nl = insert.indexOf('\n');
  if (nl < 0) return undefined;
  const query = insert.slice(nl + 1).replace(/\s+$/, '');
  const offset = query ? rendered.indexOf(query) : -1;
  if (offset < 0) return undefined;
  const before = rendered.slice(0, offset);
  const startLine = before.split('\n').length;
  const startColumn = offset - (before.lastIndexOf('\n') + 1);
  return { line: startLine + line - 2, column: line === 2 ? column + startColumn : column };
}

/**
 * Flink names the operator of a problem it cannot place ("... produced by node
 * Join(joinType=[LeftOuterJoin], ...)", "Temporal Table Join requires ..."): the construct of
 * the query that made it.
 */
const CONSTRUCTS: [RegExp, RegExp][] = [
  [/joinType=\[LeftOuterJoin\]/, /\bLEFT\s+(?:OUTER\s+)?JOIN\b/i],
  [/joinType=\[RightOuterJoin\]/, /\bRIGHT\s+(?:OUTER\s+)?JOIN\b/i],
  [/joinType=\[FullOuterJoin\]/, /\bFULL\s+(?:OUTER\s+)?JOIN\b/i],
  [/Temporal Table Join|\bnode TemporalJoin\(/, /\bFOR\s+SYSTEM_TIME\s+AS\s+OF\b/i],
  [/\bnode (?:Interval|Window)?Join\(/, /\bJOIN\b/i],
  [/\bnode \w*Aggregate\(/, /\bGROUP\s+BY\b|\bOVER\b/i],
  [/\bnode (?:Window)?(?:Rank|Deduplicate)\(/, /\b(?:ROW_NUMBER|RANK|DENSE_RANK)\s*\(/i],
  [/\bnode Match\(|MATCH_RECOGNIZE/, /\bMATCH_RECOGNIZE\b/i],
];

/** The 1-based position in the rendered SQL of the construct Flink's message names, if any. */
export function constructPosition(message: string, rendered: string): { line: number; column: number } | undefined {
  for (const [inMessage, inSql] of CONSTRUCTS) {
    if (!inMessage.test(message)) continue;
    // Comments and string literals keep their length but cannot match.
    const blanked = rendered.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'/g, (m) => m.replace(/[^\n]/g, ' '));
    const m = inSql.exec(blanked);
    if (!m) continue;
    const before = rendered.slice(0, m.index);
    return { line: before.split('\n').length, column: m.index - (before.lastIndexOf('\n') + 1) + 1 };
  }
  return undefined;
}

function nodeLocation(n: ProjectNode | undefined, path: string[] = []): SourceLocation | undefined {
  if (!n) return undefined;
  const at = path.length ? n.at(path) : n.loc;
  return at && at.file ? { file: at.file, line: at.line, column: at.column } : undefined;
}

/**
 * The project position of a rejection in statement `at.statement` of a job owned by `owner`:
 * in the model's SQL when Flink positions it there, else the model's `sql:` (a problem of the
 * whole query, e.g. an updating result for an append-only sink), else the owner's declaration.
 */
export function flinkLocation(resolved: ResolvedProject, owner: string, statements: readonly string[], at: { statement: number; line?: number; column?: number }, message = ''): SourceLocation | undefined {
  const node = resolved.nodes.get(owner as ProjectNode['id']);
  const model = owner.startsWith('model.') ? resolved.models.get(owner.slice('model.'.length)) : undefined;
  const statement = statements[at.statement] ?? '';
  if (!model || model.renderedSql === undefined || model.node.sql === undefined) return nodeLocation(node);
  const sqlStart = nodeLocation(model.node, ['sql']);
  const isInsert = /^\s*INSERT\s+INTO\b/i.test(statement);
  let r = isInsert && at.line !== undefined && at.column !== undefined ? insertToRendered(statement, model.renderedSql, at.line, at.column) : undefined;
  if (!r && isInsert && at.line === undefined) r = constructPosition(message, model.renderedSql);
  if (!r) return sqlStart;
  const t = renderedToTemplate(model.node.sql, model.renderedSql, r.line, r.column);
  const loc = model.node.atString(['sql'], t.line, t.column);
  return loc && loc.file ? { file: loc.file, line: loc.line, column: loc.column } : sqlStart;
}

/** For plan(): the project position of a Flink job's blocker that carries Flink's position. */
export function flinkBlockerLocator(resolved: ResolvedProject): (d: DesiredResource, b: Blocker) => SourceLocation | undefined {
  return (d, b) => {
    if (!b.flink) return undefined;
    const spec = d.spec as Partial<FlinkJobSpec> | undefined;
    if (!Array.isArray(spec?.statements)) return undefined;
    return flinkLocation(resolved, d.owner, spec.statements, b.flink, b.message);
  };
}

/** A blocked change's location as a compiler-style diagnostic (plan prints these on stderr). */
export function blockerDiagnostic(b: Blocker, node: string | null): Diagnostic {
  return {
    code: b.code,
    severity: 'error',
    message: b.message,
    ...(b.location ? b.location : {}),
    ...(b.hint ? { hint: b.hint } : {}),
    ...(node ? { node } : {}),
  };
}
