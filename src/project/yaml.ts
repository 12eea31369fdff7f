/**
 * YAML with positions, paid for only when needed. Every later diagnostic points into the user's
 * file, so a file can give its `yaml` Document and a LineCounter and resolve paths like
 * ['models', 2, 'sql'] to line:column. Building that Document is most of the cost of reading a
 * large project, and positions are only ever needed to print a diagnostic: a file that the fast
 * path reads (js-yaml's event parser, Core schema, no anchors, aliases, tags, directives or merge
 * keys) gets its Document the first time something asks for it. Anything else, and anything the
 * fast path refuses, goes through the `yaml` Document as before, which reports the diagnostics
 * (test/unit/yaml-fast.test.ts: the same values, and the same diagnostics at the same positions).
 */
import { CORE_SCHEMA, EVENT_ID, SCALAR_STYLE, YAMLException, constructFromEvents, getScalarValue, parseEvents } from 'js-yaml';
import type { Document, LineCounter, Node, Scalar } from 'yaml';
import { yamlLib } from './yaml-lib.js';
import { createHash } from 'node:crypto';
import { error, type Diagnostic } from '../core/diagnostics.js';
import { jsonExact, type Memo } from '../core/memo.js';
import { own } from '../core/own.js';

export type PathSegment = string | number;

export interface YamlFile {
  /** Path relative to the project root, with forward slashes. */
  readonly file: string;
  readonly text: string;
  /** The `yaml` Document (positions, comments): parsed on first access when the fast path read the file. */
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  /** The plain value read by the fast path, while the Document has not been changed (interpolation). */
  fastValue?: { value: unknown };
  /**
   * Positions remembered between runs (incremental validate): `locate` and `locateInString` are
   * a function of the file's text and their arguments, so with a memo and the sha256 of the text
   * a position located in an earlier run is read back without building the Document. Only for a
   * file without `${` (interpolation changes the Document of the others).
   */
  places?: { memo: Memo; text: string };
}

export interface Loc {
  file: string;
  line: number;
  column: number;
}

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, strict: true } as const;

class ParsedYaml implements YamlFile {
  fastValue?: { value: unknown };
  places?: { memo: Memo; text: string };
  #doc?: Document.Parsed;
  #lines?: LineCounter;
  /** The fast path's map of node positions, built the first time a diagnostic is located; null: not representable. */
  #outline?: Outline | null;
  #lineStarts?: number[];
  constructor(
    readonly file: string,
    readonly text: string,
    parsed: { value: unknown } | { doc: Document.Parsed; lines: LineCounter },
  ) {
    if ('doc' in parsed) {
      this.#doc = parsed.doc;
      this.#lines = parsed.lines;
    } else this.fastValue = parsed;
  }
  get doc(): Document.Parsed {
    if (!this.#doc) this.#build();
    return this.#doc!;
  }
  get lines(): LineCounter {
    if (!this.#lines) this.#build();
    return this.#lines!;
  }
  /** Whether positions can come from the outline (the Document is not built yet and the fast path read the file). */
  get outline(): Outline | undefined {
    if (this.#doc) return undefined;
    if (this.#outline === undefined) this.#outline = outlineOf(this.text);
    return this.#outline ?? undefined;
  }
  /** `yaml`'s LineCounter.linePos without the Document: line and column (both 1-based) of an offset. */
  linePos(offset: number): { line: number; col: number } {
    if (this.#lines) return this.#lines.linePos(offset);
    const starts = (this.#lineStarts ??= lineStartsOf(this.text));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: offset - starts[lo]! + 1 };
  }
  #build(): void {
    const lines = new (yamlLib().LineCounter)();
    this.#doc = yamlLib().parseDocument(this.text, { lineCounter: lines, ...PARSE_OPTIONS });
    this.#lines = lines;
  }
}

/**
 * The value of a plain YAML file without building a Document, or undefined when the file uses
 * anything where the two parsers could differ or that the full path reports: several documents
 * or none, directives, anchors and aliases, tags, merge keys (`<<`), or any error (duplicate
 * keys, bad indentation...). Scalars resolve with the YAML 1.2 Core schema, as `yaml` does.
 */
const NULL_KEY = /^(?:|~|null|Null|NULL)$/;

export function fastYamlValue(text: string): { value: unknown } | undefined {
  if (text.includes('<<')) return undefined;
  try {
    const events = parseEvents(text, {});
    let documents = 0;
    // Which mappings expect a key next: keys are where the two parsers differ (a null key is ""
    // for `yaml`, "null" for js-yaml; only `yaml` limits an implicit key to 1024 characters).
    const expectsKey: (boolean | undefined)[] = [];
    for (const e of events) {
      if (e.type === EVENT_ID.POP) {
        expectsKey.pop();
        continue;
      }
      if (e.type === EVENT_ID.DOCUMENT) {
        documents++;
        if (e.directives.length) return undefined;
        expectsKey.push(undefined);
        continue;
      }
      if (e.type === EVENT_ID.ALIAS || e.anchorStart !== -1 || e.tagStart !== -1) return undefined;
      const top = expectsKey.length - 1;
      const isKey = expectsKey[top] === true;
      if (expectsKey[top] !== undefined) expectsKey[top] = !isKey;
      if (e.type === EVENT_ID.SCALAR) {
        if (isKey && (e.valueEnd - e.valueStart > 1000 || (e.style === SCALAR_STYLE.PLAIN && NULL_KEY.test(text.slice(e.valueStart, e.valueEnd))))) return undefined;
      } else {
        if (isKey) return undefined; // a collection as a key
        expectsKey.push(e.type === EVENT_ID.MAPPING ? true : undefined);
      }
    }
    if (documents !== 1) return undefined;
    const docs = constructFromEvents(events, { source: text, schema: CORE_SCHEMA, maxAliases: 0 });
    return docs.length === 1 ? { value: docs[0] } : undefined;
  } catch {
    return undefined;
  }
}

export function parseYaml(file: string, text: string, memo?: Memo): { yaml?: YamlFile; diagnostics: Diagnostic[] } {
  const hash = memo ? createHash('sha256').update(text).digest('base64') : undefined;
  const fast = memo ? rememberedFastValue(text, hash!, memo) : fastYamlValue(text);
  if (fast) {
    const yaml = new ParsedYaml(file, text, fast);
    if (memo && !text.includes('${')) yaml.places = { memo, text: hash! };
    return { yaml, diagnostics: [] };
  }
  return parseYamlDocument(file, text);
}

/** A position remembered for this file's text (YamlFile.places), or computed and remembered. */
function remembered(yaml: YamlFile, args: unknown[], compute: () => Loc): Loc {
  const places = yaml.places;
  if (!places) return compute();
  const key = `loc:${places.text}:${JSON.stringify(args)}`;
  const known = places.memo.next.get(key) ?? places.memo.previous.get(key);
  const at = known === undefined ? undefined : /^(\d+):(\d+)$/.exec(known);
  if (at) {
    places.memo.next.set(key, known!);
    return { file: yaml.file, line: Number(at[1]), column: Number(at[2]) };
  }
  const loc = compute();
  places.memo.next.set(key, `${loc.line}:${loc.column}`);
  return loc;
}

/**
 * The fast path's value of a file remembered from an earlier run (incremental validate), by the
 * sha256 of the file's text (`key`); '' remembers that the fast path declined it. A value JSON would not
 * give back exactly is not remembered.
 */
function rememberedFastValue(text: string, key: string, memo: Memo): { value: unknown } | undefined {
  const known = memo.next.get(key) ?? memo.previous.get(key);
  if (known !== undefined) {
    try {
      const value = known === '' ? undefined : { value: JSON.parse(known) as unknown };
      memo.next.set(key, known);
      return value;
    } catch {
      // Not trusted: read again below.
    }
  }
  const fast = fastYamlValue(text);
  if (!fast) memo.next.set(key, '');
  else if (jsonExact(fast.value)) memo.next.set(key, JSON.stringify(fast.value));
  return fast;
}

/**
 * Deeper than this, a file is refused before `yaml` reads it. `yaml` composes recursively: a
 * file nested about 1,000 levels deep overflowed the stack at a depth that depended on how much
 * stack the caller had used and on whether V8 had optimized the parser yet, so the same file gave
 * one or two diagnostics at different columns, and once a fatal V8 error (a RegExp compiled with
 * the stack exhausted) instead of a diagnostic. js-yaml's parser counts the depth and stops at a
 * limit; project files never come near this one.
 */
export const MAX_YAML_DEPTH = 128;

function tooDeep(file: string, text: string): Diagnostic | undefined {
  try {
    parseEvents(text, { maxDepth: MAX_YAML_DEPTH + 1 }); // js-yaml refuses a depth equal to maxDepth
  } catch (e) {
    // Any other error: `yaml` reports it below, as before.
    if (e instanceof YAMLException && e.reason.startsWith('nesting exceeded maxDepth') && e.mark) {
      return error('YAML_SYNTAX', `nested deeper than ${MAX_YAML_DEPTH} levels`, {
        file,
        line: e.mark.line + 1,
        column: e.mark.column + 1,
        hint: 'flatten the structure: no project file needs that many nested lists or mappings',
      });
    }
  }
  return undefined;
}

/** The full path: the `yaml` Document with positions; its errors become diagnostics. */
export function parseYamlDocument(file: string, text: string): { yaml?: YamlFile; diagnostics: Diagnostic[] } {
  const deep = tooDeep(file, text);
  if (deep) return { diagnostics: [deep] };
  const lines = new (yamlLib().LineCounter)();
  const doc = yamlLib().parseDocument(text, { lineCounter: lines, ...PARSE_OPTIONS });
  const diagnostics: Diagnostic[] = [];
  for (const e of doc.errors) {
    const pos = lines.linePos(e.pos[0]);
    const duplicate = e.code === 'DUPLICATE_KEY';
    diagnostics.push(
      error(duplicate ? 'DUPLICATE_KEY' : 'YAML_SYNTAX', firstLine(e.message), {
        file,
        line: pos.line,
        column: pos.col,
        hint: duplicate ? 'each key may appear once per mapping; remove or rename one of them' : yamlHint(e.code),
      }),
    );
  }
  if (diagnostics.length) return { diagnostics };
  return { yaml: new ParsedYaml(file, text, { doc, lines }), diagnostics };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string): string {
  switch (code) {
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation: nested keys must be indented more than their parent, with spaces, not tabs';
    case 'TAB_AS_INDENT':
      return 'YAML indentation must use spaces, not tabs';
    case 'MULTILINE_IMPLICIT_KEY':
    case 'UNEXPECTED_TOKEN':
      return 'a value containing ": " or starting with a special character must be quoted';
    default:
      return 'fix the YAML syntax; a YAML linter or your editor\'s YAML mode shows the structure';
  }
}

/**
 * Positions without the `yaml` Document. Locating a diagnostic used to build its file's Document,
 * which loads the `yaml` package (about 50 modules) and parses the file a second time: most of a
 * small project's validate when a single note (AMBIGUOUS_MATERIALIZATION) is located. A file the
 * fast path read is plain YAML (no anchors, aliases, tags or merge keys), so js-yaml's events give
 * every node's offset; the outline holds just those offsets and the keys, and gives the same
 * offsets as the Document's `range[0]` (test/unit/yaml-fast.test.ts compares them on every path of
 * every fixture). Where it cannot match exactly (a key that is not a plain word or a quoted string,
 * an empty value, a block scalar whose indicator it cannot find), a lookup that reaches it gives
 * up and the Document is built as before.
 */
interface OutlineNode {
  /** Offset of the node as `yaml` gives it in `range[0]` (the quote or block indicator included); -1: unknown. */
  start: number;
  kind: 'map' | 'seq' | 'scalar';
  /** The `yaml` Scalar type, for locateInString. */
  type?: Scalar.Type;
  /** undefined: a key the outline cannot read exactly as `yaml` does. */
  keys?: (string | undefined)[];
  keyNodes?: OutlineNode[];
  items?: OutlineNode[];
}
type Outline = OutlineNode;

/** A plain key that the YAML 1.2 Core schema leaves as the same string. */
const PLAIN_WORD_KEY = /^[A-Za-z_]/; // Core schema: a plain scalar starting so is a string, but for the words below
const CORE_NON_STRINGS = /^(?:true|True|TRUE|false|False|FALSE|null|Null|NULL|\.inf|\.Inf|\.INF|\.nan|\.NaN|\.NAN)$/;

function outlineOf(text: string): Outline | null {
  try {
    const events = parseEvents(text, {});
    const stack: OutlineNode[] = [];
    /** For each open map: the key waiting for its value (undefined: a key comes next). */
    const pendingKey: (string | undefined)[] = [];
    let root: OutlineNode | undefined;
    let previousEnd = 0;
    const add = (node: OutlineNode, keyText?: string | null): boolean => {
      const parent = stack[stack.length - 1];
      if (!parent) {
        root = node;
        return true;
      }
      if (parent.kind === 'seq') {
        parent.items!.push(node);
        return true;
      }
      const top = pendingKey.length - 1;
      if (pendingKey[top] === undefined) {
        if (keyText === undefined) return false;
        pendingKey[top] = keyText ?? '';
        parent.keys!.push(keyText ?? undefined);
        parent.keyNodes!.push(node);
      } else {
        parent.items!.push(node);
        pendingKey[top] = undefined;
      }
      return true;
    };
    for (const e of events) {
      if (e.type === EVENT_ID.DOCUMENT) continue;
      if (e.type === EVENT_ID.POP) {
        const closed = stack.pop();
        if (closed?.kind === 'map') pendingKey.pop();
        continue;
      }
      if (e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE) {
        const node: OutlineNode = e.type === EVENT_ID.MAPPING ? { start: e.start, kind: 'map', keys: [], keyNodes: [], items: [] } : { start: e.start, kind: 'seq', items: [] };
        if (!add(node)) return null; // a collection as a key
        stack.push(node);
        if (node.kind === 'map') pendingKey.push(undefined);
        previousEnd = e.start + 1;
        continue;
      }
      if (e.type !== EVENT_ID.SCALAR) return null;
      let start = e.valueStart; // -1 for an empty value: `yaml` places it after the indicator
      const parent = stack[stack.length - 1];
      const isKey = parent?.kind === 'map' && pendingKey[pendingKey.length - 1] === undefined;
      let type: Scalar.Type = 'PLAIN';
      switch (e.style) {
        case SCALAR_STYLE.SINGLE_QUOTED:
        case SCALAR_STYLE.DOUBLE_QUOTED:
          start = e.valueStart - 1;
          type = e.style === SCALAR_STYLE.SINGLE_QUOTED ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE';
          if (text[start] !== (type === 'QUOTE_SINGLE' ? "'" : '"')) start = -1;
          break;
        case SCALAR_STYLE.LITERAL_BLOCK:
        case SCALAR_STYLE.FOLDED_BLOCK: {
          type = e.style === SCALAR_STYLE.LITERAL_BLOCK ? 'BLOCK_LITERAL' : 'BLOCK_FOLDED';
          // The indicator is on the header line, which ends where the content starts.
          const headerEnd = text.lastIndexOf('\n', e.valueStart - 1);
          const headerStart = Math.max(previousEnd, text.lastIndexOf('\n', headerEnd - 1) + 1);
          const indicator = type === 'BLOCK_LITERAL' ? '|' : '>';
          const at = text.indexOf(indicator, headerStart);
          start = headerEnd < 0 || at < 0 || at >= headerEnd ? -1 : at;
          break;
        }
      }
      let keyText: string | null | undefined;
      if (isKey) {
        const raw = e.valueStart < 0 ? '' : getScalarValue(text, e);
        keyText = start < 0 || (type === 'PLAIN' && (!PLAIN_WORD_KEY.test(raw) || CORE_NON_STRINGS.test(raw))) ? null : raw;
      }
      if (!add({ start, kind: 'scalar', type }, keyText)) return null;
      if (e.valueEnd >= 0) previousEnd = e.valueEnd;
    }
    return root ?? null;
  } catch {
    return null;
  }
}

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The outline node at `path`, or the deepest existing ancestor, as nodeAt does on the Document. */
function outlineAt(outline: Outline, path: readonly PathSegment[], which: 'key' | 'value'): OutlineNode | undefined {
  let node = outline;
  let keyNode: OutlineNode | undefined;
  for (const seg of path) {
    keyNode = undefined;
    if (node.kind === 'map') {
      const i = node.keys!.indexOf(String(seg));
      if (i === -1) return node.keys!.includes(undefined) ? undefined : node;
      keyNode = node.keyNodes![i]!;
      node = node.items![i] ?? keyNode;
    } else if (node.kind === 'seq' && typeof seg === 'number') {
      const item = node.items![seg];
      if (item === undefined) return node;
      node = item;
    } else {
      return node;
    }
  }
  const found = which === 'key' && keyNode ? keyNode : node;
  return found.start < 0 ? undefined : found;
}

/** Exposed for the parity test: the outline's position of `path`, or undefined when the file has no outline. */
export function outlineLocate(yaml: YamlFile, path: readonly PathSegment[], which: 'key' | 'value' = 'value'): Loc | undefined {
  if (!(yaml instanceof ParsedYaml)) return undefined;
  const outline = yaml.outline;
  if (!outline) return undefined;
  const node = outlineAt(outline, path, which);
  if (!node) return undefined;
  const p = yaml.linePos(node.start);
  return { file: yaml.file, line: p.line, column: p.col };
}

/** The node at `path`, or the deepest existing ancestor. */
function nodeAt(yaml: YamlFile, path: readonly PathSegment[], which: 'key' | 'value'): Node | undefined {
  let node: unknown = yaml.doc.contents;
  let keyNode: Node | undefined;
  for (const seg of path) {
    keyNode = undefined;
    if (yamlLib().isMap(node)) {
      const pair = node.items.find((p) => yamlLib().isPair(p) && yamlLib().isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) return node as Node;
      keyNode = pair.key as Node;
      node = pair.value ?? pair.key;
    } else if (yamlLib().isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return node as Node;
      node = item;
    } else {
      return node as Node;
    }
  }
  if (which === 'key' && keyNode) return keyNode;
  return node as Node;
}

export function locate(yaml: YamlFile, path: readonly PathSegment[], which: 'key' | 'value' = 'value'): Loc {
  return yaml.places ? remembered(yaml, [path, which], () => locateInDocument(yaml, path, which)) : locateInDocument(yaml, path, which);
}

function locateInDocument(yaml: YamlFile, path: readonly PathSegment[], which: 'key' | 'value'): Loc {
  const fast = outlineLocate(yaml, path, which);
  if (fast) return fast;
  const node = nodeAt(yaml, path, which);
  const offset = node?.range?.[0] ?? 0;
  const p = yaml.lines.linePos(offset);
  return { file: yaml.file, line: p.line, column: p.col };
}

/**
 * Position of an offset inside the string value at `path`. Exact for block scalars (`sql: |`),
 * which is how SQL is written; for flow scalars it points into the quoted text.
 */
export function locateInString(yaml: YamlFile, path: readonly PathSegment[], valueLine: number, valueColumn: number): Loc {
  return yaml.places ? remembered(yaml, [path, valueLine, valueColumn], () => locateInStringOf(yaml, path, valueLine, valueColumn)) : locateInStringOf(yaml, path, valueLine, valueColumn);
}

function locateInStringOf(yaml: YamlFile, path: readonly PathSegment[], valueLine: number, valueColumn: number): Loc {
  let scalar: { start: number; type: Scalar.Type | undefined } | undefined;
  let linePos: (offset: number) => { line: number; col: number };
  const outline = yaml instanceof ParsedYaml ? yaml.outline : undefined;
  const outlined = outline && outlineAt(outline, path, 'value');
  if (outlined) {
    if (outlined.kind === 'scalar') scalar = { start: outlined.start, type: outlined.type };
    linePos = (offset) => (yaml as ParsedYaml).linePos(offset);
  } else {
    const node = nodeAt(yaml, path, 'value');
    if (node && yamlLib().isScalar(node) && node.range) scalar = { start: node.range[0], type: node.type };
    linePos = (offset) => yaml.lines.linePos(offset);
  }
  if (!scalar) return locate(yaml, path);
  const start = linePos(scalar.start);
  if (scalar.type === 'BLOCK_LITERAL' || scalar.type === 'BLOCK_FOLDED') {
    // Content starts on the line after the `|` indicator, at the block's indentation. Only the
    // lines up to the first non-blank one are scanned: this runs for every located SQL call.
    let lineStartOffset = yaml.text.indexOf('\n', scalar.start) + 1;
    let blank = 0;
    let indent = 0;
    while (lineStartOffset > 0 && lineStartOffset < yaml.text.length) {
      const end = yaml.text.indexOf('\n', lineStartOffset);
      const lineText = yaml.text.slice(lineStartOffset, end === -1 ? undefined : end);
      if (lineText.trim().length) {
        indent = lineText.length - lineText.trimStart().length;
        break;
      }
      blank++;
      if (end === -1) break;
      lineStartOffset = end + 1;
    }
    return { file: yaml.file, line: start.line + 1 + blank + (valueLine - 1), column: indent + valueColumn };
  }
  const quoted = scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE' ? 1 : 0;
  if (valueLine === 1) return { file: yaml.file, line: start.line, column: start.col + quoted + valueColumn - 1 };
  return { file: yaml.file, line: start.line + valueLine - 1, column: valueColumn };
}

/** The document as plain data; alias bombs and similar are reported, not thrown. */
export function toValue(yaml: YamlFile): { value?: unknown; diagnostic?: Diagnostic } {
  if (yaml.fastValue) return { value: yaml.fastValue.value };
  try {
    return { value: yaml.doc.toJS({ maxAliasCount: 1000 }) as unknown };
  } catch (e) {
    return {
      diagnostic: error('YAML_SYNTAX', `${yaml.file} cannot be read: ${(e as Error).message}`, {
        file: yaml.file,
        line: 1,
        column: 1,
        hint: 'YAML aliases (*name) may not expand into huge documents; write the values out',
      }),
    };
  }
}

export interface Interpolation {
  variable: string;
  secret: boolean;
  loc: Loc;
}

export interface InterpolationResult {
  missing: { variable: string; loc: Loc }[];
  /** Offline: variables left as `${env:NAME}` placeholders (connection settings and secrets). */
  placeholders: { variable: string; loc: Loc }[];
  used: Interpolation[];
  /** Resolved values that must never be printed. */
  secrets: string[];
}

const VAR_PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}/g;
const SECRET_NAME = /pass(word)?|secret|token|credential|api[_-]?key|private[_-]?key|sasl_password|auth/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string scalar of the document, in place.
 * `$${X}` escapes a literal `${X}`. A scalar that was only a variable is re-typed, so
 * `partitions: ${PARTITIONS:-3}` becomes the number 3, as a user expects.
 */
export interface InterpolateOptions {
  /**
   * Offline commands (validate, compile, lineage, ls, docs) never need a connection value or a
   * secret: a missing variable in a connection setting (`runtime:`, every key of an environment
   * file) or whose name or key looks secret stays a `${env:NAME}` placeholder, as compiled files
   * write it anyway. Commands that reach live systems report it as missing.
   */
  offline?: boolean;
  /** The whole file holds connection settings (an environment file). */
  connectionFile?: boolean;
}

export function interpolate(yaml: YamlFile, env: Readonly<Record<string, string | undefined>>, opts: InterpolateOptions = {}): InterpolationResult {
  const result: InterpolationResult = { missing: [], placeholders: [], used: [], secrets: [] };
  // Most files have no variable: they keep their fast value and never build a Document.
  if (!yaml.text.includes('${')) return result;
  yaml.fastValue = undefined;
  let inRuntime = !!opts.connectionFile;
  const visit = (node: unknown, keyName: string, depth = 0): void => {
    if (yamlLib().isMap(node)) {
      for (const pair of node.items) {
        const key = yamlLib().isScalar(pair.key) ? String(pair.key.value) : keyName;
        if (depth === 0 && !opts.connectionFile) inRuntime = key === 'runtime';
        visit(pair.value, key, depth + 1);
      }
    } else if (yamlLib().isSeq(node)) {
      for (const item of node.items) visit(item, keyName, depth + 1);
    } else if (yamlLib().isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      const original = node.value;
      const loc = (): Loc => {
        const p = yaml.lines.linePos(node.range?.[0] ?? 0);
        return { file: yaml.file, line: p.line, column: p.col };
      };
      let onlyVariable = false;
      const replaced = original.replace(VAR_PATTERN, (match, name: string | undefined, fallback: string | undefined) => {
        if (match === '$${') return '${';
        onlyVariable = match === original.trim();
        const value = own(env, name!);
        const secret = looksSecret(name!) || looksSecret(keyName);
        if (value === undefined || value === '') {
          if (fallback !== undefined) return fallback;
          if (opts.offline && (inRuntime || secret)) {
            result.placeholders.push({ variable: name!, loc: loc() });
            return `\${env:${name}}`;
          }
          result.missing.push({ variable: name!, loc: loc() });
          return '';
        }
        result.used.push({ variable: name!, secret, loc: loc() });
        if (secret && value.length >= 3) result.secrets.push(value);
        return value;
      });
      if (onlyVariable && node.type === 'PLAIN') {
        node.value = retype(replaced);
      } else {
        node.value = replaced;
      }
    }
  };
  visit(yaml.doc.contents, '');
  return result;
}

function retype(value: string): unknown {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (/^-?\d+\.\d+$/.test(value)) return Number(value);
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}
