/**
 * Flink's planner as the judge of a job (pure; the SQL Gateway calls are in client.ts).
 *
 * 1. `planningScript`: what of a compiled script is sent to the SQL Gateway to plan it without
 *    running anything. `SET 'table.…'` lines (the only options the planner reads) become
 *    properties of a fresh session; every other SET/RESET configures the job's runtime (its name,
 *    checkpoints, restarts, parallelism), not its plan, and is left out. CREATE TEMPORARY TABLE
 *    and VIEW go through `configure-session`, which only accepts catalog and configuration
 *    statements (it refuses a query or an INSERT), so they only declare tables in the session's
 *    memory. The INSERT (or statement set) becomes `EXPLAIN CHANGELOG_MODE …`, which plans and
 *    submits nothing.
 * 2. `flinkRejection`: Flink's own message and position ("From line 2, column 16") out of the
 *    SQL Gateway's error text.
 * 3. `stateSignature` / `judgeStatePlans`: the stateful operators of Flink's optimized physical
 *    plan (aggregates with their grouping keys and aggregate calls, windows with their sizes,
 *    joins with their keys, conditions and time bounds, ranks with their range, deduplication,
 *    OVER frames, …) and everything that feeds them, compared between the recorded job and the
 *    new one: equal means the savepoint holds state built for the same semantics.
 */
import { own, setOwn } from '../../core/own.js';

export interface PlanningScript {
  /** Session properties: the script's `SET 'table.…'` values. */
  properties: Record<string, string>;
  /** Statements run through configure-session (CREATE TEMPORARY TABLE/VIEW), with their index in the script. */
  declarations: { index: number; sql: string }[];
  /** The EXPLAIN statement and the index of the statement it explains. */
  explain: { index: number; sql: string };
  /** Characters added in front of the explained statement's first line (its columns on line 1 shift by this). */
  prefix: number;
}

/** How the INSERT is explained: the changelog mode of each operator is part of what is compared. */
export const EXPLAIN_PREFIX = 'EXPLAIN CHANGELOG_MODE ';

const SET = /^SET\s+'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'$/i;

/**
 * The planning-only form of a compiled script, or the reason it cannot be planned safely (a
 * statement streamt would not send for planning: it is never executed).
 */
export function planningScript(statements: readonly string[]): PlanningScript | { refused: string; index: number } {
  const properties: Record<string, string> = {};
  const declarations: PlanningScript['declarations'] = [];
  let explain: PlanningScript['explain'] | undefined;
  let prefix = 0;
  for (const [index, raw] of statements.entries()) {
    const s = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = s.match(SET))) {
      const key = m[1]!.replace(/''/g, "'");
      if (key.startsWith('table.')) properties[key] = m[2]!.replace(/''/g, "'");
    } else if (/^RESET\b/i.test(s)) {
      // A fresh session already has the cluster's values.
    } else if (/^CREATE\s+TEMPORARY\s+(TABLE|VIEW)\b/i.test(s)) declarations.push({ index, sql: raw });
    else if (/^INSERT\s+INTO\b/i.test(s) && !explain) {
      explain = { index, sql: EXPLAIN_PREFIX + raw.replace(/^\s+/, '') };
      prefix = EXPLAIN_PREFIX.length - (raw.length - raw.replace(/^\s+/, '').length);
    } else if (/^EXECUTE\s+STATEMENT\s+SET\b/i.test(s) && !explain) {
      const body = raw.replace(/^\s*EXECUTE\s+/i, '');
      explain = { index, sql: EXPLAIN_PREFIX + body };
      prefix = EXPLAIN_PREFIX.length - (raw.length - body.length);
    } else return { refused: `streamt sends only SET, RESET, CREATE TEMPORARY TABLE/VIEW and one INSERT (or statement set) to Flink for planning; statement ${index + 1} is "${s.replace(/\s+/g, ' ').slice(0, 60)}"`, index };
  }
  if (!explain) return { refused: 'the script has no INSERT statement to plan', index: statements.length - 1 };
  return { properties, declarations, explain, prefix };
}

// ---------------------------------------------------------------------------------------------
// Rejections
// ---------------------------------------------------------------------------------------------

export interface FlinkRejection {
  /** Flink's own message (the innermost cause, without the exception class and stack). */
  message: string;
  /** Position in the statement Flink rejected, when Flink gives one (1-based). */
  line?: number;
  column?: number;
}

/** Flink's message and position out of the SQL Gateway's error list (`errors` of a 500 answer). */
export function flinkRejection(errors: unknown): FlinkRejection {
  const text = Array.isArray(errors) ? errors.map(String).join('\n') : typeof errors === 'string' ? errors : JSON.stringify(errors ?? '');
  // Each "Caused by: <class>: <message>" block runs until the first stack line.
  const blocks: string[] = [];
  const re = /(?:^|\n)Caused by: ([^\n]*(?:\n(?!\s+at |\s*\.\.\. \d+ more|Caused by: )[^\n]*)*)/g;
  for (const m of text.matchAll(re)) blocks.push(m[1]!);
  let message = blocks.length ? blocks[blocks.length - 1]! : (text.split('\n').find((l) => l.trim() && !/^<Exception on server side|^Internal server error/.test(l)) ?? text);
  message = message.replace(/^(?:[\w$]+\.)+[\w$]*(?:Exception|Error): /, '');
  // Long tails are Flink's diagnostics for developers: the physical plan, the parser's token list.
  message = message.split(/\n\s*\n| The physical plan is:|\nWas expecting/)[0]!.replace(/\s+/g, ' ').trim();
  if (message.length > 600) message = `${message.slice(0, 599)}…`;
  const r: FlinkRejection = { message };
  const pos = text.match(/From line (\d+), column (\d+)/) ?? text.match(/at line (\d+), column (\d+)/);
  if (pos) {
    r.line = Number(pos[1]);
    r.column = Number(pos[2]);
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Plans
// ---------------------------------------------------------------------------------------------

export interface PlanNode {
  name: string;
  /** Attributes in Flink's order, e.g. ['groupBy', 'cust'], ['select', 'cust, SUM(x) AS s']. */
  attrs: [string, string][];
  children: PlanNode[];
}

/** A section of EXPLAIN's output, e.g. "Optimized Physical Plan". */
export function explainSection(text: string, title: string): string | undefined {
  const head = `== ${title} ==`;
  const i = text.indexOf(head);
  if (i < 0) return undefined;
  const rest = text.slice(i + head.length);
  const j = rest.search(/\n== [^=\n]+ ==/);
  return (j < 0 ? rest : rest.slice(0, j)).replace(/^\n+|\s+$/g, '');
}

/** Parses one node's text `Name(k=[v], k2=[v2])` (values may nest brackets and quotes). */
export function parseNode(text: string): { name: string; attrs: [string, string][] } {
  const open = text.indexOf('(');
  if (open < 0 || !text.endsWith(')')) return { name: text.trim(), attrs: [] };
  const name = text.slice(0, open).trim();
  const body = text.slice(open + 1, -1);
  const attrs: [string, string][] = [];
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=[', i);
    if (eq < 0) {
      attrs.push(['', body.slice(i).trim()]);
      break;
    }
    const key = body.slice(i, eq).trim();
    let depth = 0;
    let j = eq + 1;
    let quote = false;
    for (; j < body.length; j++) {
      const ch = body[j]!;
      if (quote) {
        if (ch === "'") quote = false;
        continue;
      }
      if (ch === "'") quote = true;
      else if (ch === '[' || ch === '(') depth++;
      else if (ch === ']' || ch === ')') {
        depth--;
        if (depth === 0) break;
      }
    }
    attrs.push([key, body.slice(eq + 2, j)]);
    i = j + 1;
    while (body[i] === ',' || body[i] === ' ') i++;
  }
  return { name, attrs };
}

/**
 * The operator tree of a plan section (`Sink(...)`, `+- Calc(...)`, `:  +- ...`). A statement
 * set has one tree per INSERT: they become the children of a `StatementSet` node.
 */
export function parsePlanTree(section: string): PlanNode | undefined {
  const stack: { depth: number; node: PlanNode }[] = [];
  const roots: PlanNode[] = [];
  let root: PlanNode | undefined;
  let last: PlanNode | undefined;
  let lastText = '';
  const flush = () => {
    if (last) Object.assign(last, parseNode(lastText));
  };
  for (const line of section.split('\n')) {
    if (!line.trim()) continue;
    const m = line.match(/^((?:[ :|] {2}|[+:]- )*)(\S.*)$/);
    if (!m) continue;
    const prefix = m[1]!;
    const isChild = /[+:]- $/.test(prefix);
    if (!isChild && root && last && !/^[A-Z]\w*\(/.test(m[2]!)) {
      // A continuation of the previous node's text (a value with a line break).
      lastText += '\n' + line.trim();
      continue;
    }
    flush();
    const depth = prefix.length / 3;
    const node: PlanNode = { name: '', attrs: [], children: [] };
    lastText = m[2]!;
    last = node;
    while (stack.length && stack[stack.length - 1]!.depth >= depth) stack.pop();
    if (stack.length) stack[stack.length - 1]!.node.children.push(node);
    else {
      roots.push(node);
      root = node;
    }
    stack.push({ depth, node });
  }
  flush();
  return roots.length > 1 ? { name: 'StatementSet', attrs: [], children: roots } : roots[0];
}

/**
 * Operators that keep state between records (Flink 1.20's streaming physical nodes). A Sink
 * keeps state only with `upsertMaterialize=[true]` (SinkUpsertMaterializer).
 */
export const STATEFUL_OPERATORS = new Set([
  'GroupAggregate',
  'GlobalGroupAggregate',
  'IncrementalGroupAggregate',
  'GroupTableAggregate',
  'PythonGroupAggregate',
  'WindowAggregate',
  'GlobalWindowAggregate',
  'GroupWindowAggregate',
  'GroupWindowTableAggregate',
  'PythonGroupWindowAggregate',
  'WindowTableFunction',
  'Join',
  'IntervalJoin',
  'TemporalJoin',
  'WindowJoin',
  'MultiJoin',
  'Rank',
  'WindowRank',
  'Deduplicate',
  'WindowDeduplicate',
  'Limit',
  'SortLimit',
  'Sort',
  'TemporalSort',
  'OverAggregate',
  'PythonOverAggregate',
  'Match',
  'ChangelogNormalize',
]);

export function isStateful(n: PlanNode): boolean {
  if (STATEFUL_OPERATORS.has(n.name)) return true;
  return n.name === 'Sink' && n.attrs.some(([k, v]) => k === 'upsertMaterialize' && v === 'true');
}

/**
 * Literals of Flink's expression text (`10`, `5000:INTERVAL SECOND`, `_UTF-16LE'x'`,
 * `'x':VARCHAR(3)`, `1.5E0:DOUBLE`, `null:BIGINT`, `true`), never parts of names such as `$f3`,
 * `EXPR$1` or `w0$o0`.
 */
const LITERAL = /(?:_UTF-16LE)?'(?:[^']|'')*'(?::[A-Z][A-Z0-9_]*(?:\([^)]*\))?(?: [A-Z][A-Z0-9_]*(?:\([^)]*\))?)*)?|(?<![\w$.])-?\d+(?:\.\d+)?(?:E-?\d+)?(?::[A-Z][A-Z0-9_]*(?:\([^)]*\))?(?: [A-Z][A-Z0-9_]*(?:\([^)]*\))?)*)?(?![\w$])|(?<![\w$])(?:null|true|false)(?::[A-Z][A-Z0-9_]*(?:\([^)]*\))?)?(?![\w$])/g;

export function maskLiterals(s: string): string {
  return s.replace(LITERAL, '?');
}

/** Column types of the tables a script declares: table → column → type. */
export type TableColumns = Record<string, Record<string, string>>;

/** Splits a CREATE TABLE column list at top-level commas into `name type` entries. */
export function tableColumns(statements: readonly string[]): TableColumns {
  const out: TableColumns = {};
  for (const raw of statements) {
    const m = raw.trim().match(/^CREATE\s+TEMPORARY\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(`(?:[^`]|``)+`|[\w.]+)\s*\(/i);
    if (!m) continue;
    const name = m[1]!.replace(/^`|`$/g, '').replace(/``/g, '`');
    const start = raw.indexOf('(', raw.indexOf(m[1]!) + m[1]!.length);
    let depth = 0;
    let end = start;
    let quote = '';
    for (let i = start; i < raw.length; i++) {
      const ch = raw[i]!;
      if (quote) {
        if (ch === quote) quote = '';
        continue;
      }
      if (ch === "'" || ch === '`') quote = ch;
      else if (ch === '(' || ch === '<') depth++;
      else if (ch === ')' || ch === '>') {
        depth--;
        if (depth === 0) {
          end = i;
          break;
        }
      }
    }
    const cols: Record<string, string> = {};
    for (const part of splitTop(raw.slice(start + 1, end))) {
      const p = part.trim();
      const c = p.match(/^(`(?:[^`]|``)+`|\w+)\s+([\s\S]+)$/);
      if (!c || /^(WATERMARK|PRIMARY|CONSTRAINT)\b/i.test(p)) continue;
      setOwn(cols, c[1]!.replace(/^`|`$/g, '').replace(/``/g, '`'), c[2]!.replace(/\s+/g, ' ').trim());
    }
    setOwn(out, name, cols);
  }
  return out;
}

function splitTop(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = '';
      continue;
    }
    if (ch === "'" || ch === '`') quote = ch;
    else if (ch === '(' || ch === '<') depth++;
    else if (ch === ')' || ch === '>') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(s.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(s.slice(from));
  return parts.filter((p) => p.trim());
}

/** The table a TableSourceScan or Sink node reads or writes (its last name part). */
function tableOf(n: PlanNode): string | undefined {
  const t = n.attrs.find(([k]) => k === 'table')?.[1];
  if (!t) return undefined;
  if (n.name === 'Sink') return t.split('.').pop();
  const parts = t.replace(/^\[|\]$/g, '').split(', ');
  return parts[2];
}

/** A node's attributes as they matter for state: filter constants masked, field types added. */
function canonicalAttrs(n: PlanNode, tables: TableColumns, used?: (field: string) => boolean): [string, string][] {
  const table = tableOf(n);
  return n.attrs.map(([k, v]): [string, string] => {
    // A filter constant decides which rows reach the state, not what the state means (as in
    // streamt's own rule: `WHERE v > 0` → `WHERE v > 10` keeps the state).
    if (k === 'where' && (n.name === 'Calc' || n.name === 'PythonCalc')) return [k, maskLiterals(v)];
    // The watermark delay decides when results are emitted, not what the state holds.
    if (k === 'watermark' || (k === 'table' && n.name === 'TableSourceScan')) return [k, maskLiterals(v)];
    const cols = k === 'fields' && table ? own(tables, table) : undefined;
    if (cols) {
      // A source's state is its read offsets: only the columns a later operator reads (and
      // their types) reach state. A column added to a source and not read changes nothing.
      const fields = v.split(', ').filter((f) => n.name !== 'TableSourceScan' || !used || used(f));
      return [k, fields.map((f) => `${f}:${own(cols, f) ?? '?'}`).join(', ')];
    }
    return [k, v];
  });
}

type Used = (field: string) => boolean;

function nodeText(n: PlanNode, tables: TableColumns, used?: Used): string {
  return `${n.name}(${canonicalAttrs(n, tables, used).map(([k, v]) => (k ? `${k}=[${v}]` : v)).join(', ')})`;
}

function subtreeText(n: PlanNode, tables: TableColumns, used?: Used): string {
  return `${nodeText(n, tables, used)}${n.children.length ? `{${n.children.map((c) => subtreeText(c, tables, used)).join(' ; ')}}` : ''}`;
}

/** Whether a field name is read by any operator other than the table scans (a whole-word match in their text). */
function usedFields(root: PlanNode): Used {
  const texts: string[] = [];
  const visit = (n: PlanNode) => {
    if (n.name !== 'TableSourceScan') texts.push(n.attrs.map(([, v]) => v).join(' '));
    n.children.forEach(visit);
  };
  visit(root);
  const all = texts.join('\n');
  const cache = new Map<string, boolean>();
  return (f) => {
    let hit = cache.get(f);
    if (hit === undefined) {
      const esc = f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      hit = new RegExp(`(?<![\\w$])${esc}(?![\\w$])`).test(all);
      cache.set(f, hit);
    }
    return hit;
  };
}

export interface StateOperator {
  name: string;
  /** The operator's own attributes as compared (filter constants masked, field types added). */
  text: string;
  attrs: [string, string][];
}

export interface StateSignature {
  /** The plan has operators that keep state. */
  stateful: boolean;
  /** The stateful operators, outermost first (pre-order from the sink). */
  operators: StateOperator[];
  /**
   * What the state of the job means: every outermost stateful operator with everything that
   * feeds it. Operators after the last state (projections and filters towards the sink) are
   * not part of it: they only change how results are written.
   */
  signature: string;
  /** The operators of the signature, one text each in pre-order (to name the first difference). */
  nodes: string[];
}

/** The state signature of a job from its EXPLAIN output; undefined when the output cannot be read. */
export function stateSignature(explainText: string, tables: TableColumns = {}): StateSignature | undefined {
  const section = explainSection(explainText, 'Optimized Physical Plan');
  if (!section) return undefined;
  const root = parsePlanTree(section);
  if (!root) return undefined;
  const operators: StateOperator[] = [];
  const tops: string[] = [];
  const nodes: string[] = [];
  const used = usedFields(root);
  const visit = (n: PlanNode, under: boolean) => {
    const s = isStateful(n);
    if (s) operators.push({ name: n.name, text: nodeText(n, tables, used), attrs: canonicalAttrs(n, tables, used) });
    if (s && !under) tops.push(subtreeText(n, tables, used));
    if (s || under) nodes.push(nodeText(n, tables, used));
    for (const c of n.children) visit(c, under || s);
  };
  visit(root, false);
  return { stateful: operators.length > 0, operators, signature: tops.join(' || '), nodes };
}

export type FlinkStateVerdict = { compatible: true; stateful: boolean } | { compatible: false; stateful: true; why: string[] };

const short = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Whether the savepoint of the job planned as `before` holds state with the same meaning for the
 * job planned as `after`: Flink's stateful operators and all they read must be the same.
 */
export function judgeStatePlans(before: StateSignature, after: StateSignature): FlinkStateVerdict {
  if (!before.stateful && !after.stateful) return { compatible: true, stateful: false };
  if (before.signature === after.signature) return { compatible: true, stateful: true };
  const why: string[] = [];
  const a = before.operators;
  const b = after.operators;
  if (a.map((o) => o.name).join() !== b.map((o) => o.name).join()) {
    why.push(`Flink plans other stateful operators: ${a.map((o) => o.name).join(', ') || 'none'} → ${b.map((o) => o.name).join(', ') || 'none'}`);
  } else {
    for (let i = 0; i < a.length; i++) {
      if (a[i]!.text === b[i]!.text) continue;
      const keys = [...new Set([...a[i]!.attrs.map(([k]) => k), ...b[i]!.attrs.map(([k]) => k)])];
      const changed = keys
        .filter((k) => k !== 'changelogMode' || keys.length === 1)
        .map((k) => [k, a[i]!.attrs.find(([x]) => x === k)?.[1], b[i]!.attrs.find(([x]) => x === k)?.[1]] as const)
        .filter(([, x, y]) => x !== y)
        .map(([k, x, y]) => `${k}=[${short(x ?? '(none)')}] → ${k}=[${short(y ?? '(none)')}]`);
      if (changed.length) why.push(`Flink's ${a[i]!.name} changes: ${changed.join('; ')}`);
    }
    if (!why.length) {
      const i = before.nodes.findIndex((x, k) => x !== after.nodes[k]);
      const x = before.nodes[i];
      const y = after.nodes[i];
      why.push(`what Flink's stateful operators read changes: ${x && y ? `${short(x, 200)} → ${short(y, 200)}` : 'the operators before them differ'}`);
    }
  }
  return { compatible: false, stateful: true, why };
}
