/**
 * Renders model SQL templates with nunjucks, in a sandbox: the template sees only the functions
 * streamt gives it (source, ref, var, env_var), no loaders, and no property lookups that could
 * reach JavaScript internals (`constructor`, `__proto__`, computed keys). The same template is
 * rendered at resolve time, to record dependencies, and at compile time, to emit table names.
 */
import { createRequire } from 'node:module';
import type nunjucksTypes from 'nunjucks';
import { error, type Diagnostic } from '../core/diagnostics.js';
import { hasOwn, own } from '../core/own.js';
import { didYouMean } from '../core/suggest.js';

export interface TemplateCall {
  fn: 'source' | 'ref';
  name: string;
  /** `ref("m", version=2)` (or dbt's `v=2`): the version pinned. */
  version?: number;
  /** 1-based position of the call in the template text. */
  line: number;
  column: number;
}

export interface RenderContext {
  vars: Readonly<Record<string, unknown>>;
  env: Readonly<Record<string, string | undefined>>;
  /** Text a `source("x")` call renders to. */
  source: (name: string) => string;
  /** Text a `ref("x")` (or `ref("x", version=N)`) call renders to. */
  ref: (name: string, version?: number) => string;
}

export interface RenderResult {
  /** Undefined when the template could not be rendered. */
  text?: string;
  calls: TemplateCall[];
  /** Positions are 1-based, relative to the template text. */
  diagnostics: Diagnostic[];
}

const FUNCTIONS = ['source', 'ref', 'var', 'env_var'];
const FORBIDDEN_KEYS = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);
const FORBIDDEN_NODES = new Set(['Include', 'Import', 'FromImport', 'Extends', 'CallExtension', 'CallExtensionAsync']);

type NjNode = { typename: string; lineno: number; colno: number; [k: string]: unknown };

// nunjucks (a CommonJS package) is loaded the first time a template needs the engine: templates
// that only call source()/ref() never do, and loading it is a noticeable part of start-up.
const requireCjs = createRequire(import.meta.url);
let engine: { nunjucks: typeof nunjucksTypes; environment: nunjucksTypes.Environment } | undefined;
function nunjucksEngine(): { nunjucks: typeof nunjucksTypes; environment: nunjucksTypes.Environment } {
  if (!engine) {
    const nunjucks = requireCjs('nunjucks') as typeof nunjucksTypes;
    engine = { nunjucks, environment: new nunjucks.Environment([], { autoescape: false, throwOnUndefined: false, trimBlocks: false }) };
  }
  return engine;
}

function isNode(v: unknown): v is NjNode {
  return !!v && typeof v === 'object' && typeof (v as NjNode).typename === 'string';
}

function walk(node: NjNode, visit: (n: NjNode) => void): void {
  visit(node);
  for (const [key, value] of Object.entries(node)) {
    if (key === 'parent') continue;
    if (isNode(value)) walk(value, visit);
    else if (Array.isArray(value)) for (const v of value) if (isNode(v)) walk(v, visit);
  }
}

/** Symbols a template defines itself ({% set %}, {% for %}, macros) are allowed as calls too. */
function localNames(root: NjNode): Set<string> {
  const names = new Set<string>();
  walk(root, (n) => {
    if (n.typename === 'Set' && Array.isArray(n.targets)) for (const t of n.targets as NjNode[]) names.add(String(t.value));
    if (n.typename === 'For' && isNode(n.name)) {
      const name = n.name as NjNode;
      if (name.typename === 'Symbol') names.add(String(name.value));
      if (Array.isArray(name.children)) for (const c of name.children as NjNode[]) names.add(String(c.value));
    }
    if (n.typename === 'Macro' && isNode(n.name)) names.add(String((n.name as NjNode).value));
  });
  return names;
}

/**
 * The version a `ref()` call pins: a keyword `version=N` or dbt's `v=N`, or a second positional
 * number. Undefined when none; NaN when one is written but is not a literal positive integer.
 */
function refVersion(call: NjNode): number | undefined {
  const children = ((call.args as NjNode | undefined)?.children as NjNode[] | undefined) ?? [];
  let written: NjNode | undefined;
  for (const c of children.slice(1)) {
    if (c.typename === 'KeywordArgs') {
      for (const pair of (c.children as NjNode[]) ?? []) {
        const key = String((pair.key as NjNode | undefined)?.value ?? '');
        if (key === 'version' || key === 'v') written = pair.value as NjNode;
      }
    } else if (c.typename === 'Literal' && typeof c.value === 'number') written = c;
  }
  if (!written) return undefined;
  const v = written.typename === 'Literal' ? Number(written.value) : NaN;
  return Number.isInteger(v) && v > 0 ? v : NaN;
}

/** The version argument as the template engine passes it at render time. */
function versionArg(args: unknown[]): number | undefined {
  for (const a of args) {
    if (typeof a === 'number') return a;
    if (a && typeof a === 'object') {
      const kw = a as Record<string, unknown>;
      const v = kw.version ?? kw.v;
      if (v !== undefined) return Number(v);
    }
  }
  return undefined;
}

function literalArgs(call: NjNode): unknown[] {
  const args = (call.args as NjNode | undefined)?.children as NjNode[] | undefined;
  return (args ?? []).map((a) => (a.typename === 'Literal' ? a.value : undefined));
}

const SIMPLE_CALL = /^\s*(source|ref)\s*\(\s*(["'])([^"'\\]+)\2\s*\)\s*$/;

/**
 * Most model SQL only uses {{ source("x") }} and {{ ref("x") }}. Rendering those needs no template
 * engine, and skipping nunjucks' compile step keeps validate fast on large projects. Anything
 * else (control flow, var(), filters, comments) goes through nunjucks.
 */
function renderSimple(template: string, ctx: RenderContext): RenderResult | undefined {
  if (template.includes('{%') || template.includes('{#')) return undefined;
  const calls: TemplateCall[] = [];
  let text = '';
  let last = 0;
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  const advance = (to: number) => {
    for (let i = scanned; i < to; i++) {
      if (template.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    scanned = to;
  };
  for (let open = template.indexOf('{{'); open !== -1; open = template.indexOf('{{', last)) {
    const close = template.indexOf('}}', open + 2);
    if (close === -1) return undefined;
    const m = SIMPLE_CALL.exec(template.slice(open + 2, close));
    if (!m) return undefined;
    advance(open);
    const inner = template.slice(open + 2, close);
    const offset = open + 2 + inner.indexOf(m[1]!);
    const fn = m[1] as 'source' | 'ref';
    calls.push({ fn, name: m[3]!, line, column: offset - lineStart + 1 });
    text += template.slice(last, open) + (fn === 'source' ? ctx.source(m[3]!) : ctx.ref(m[3]!));
    last = close + 2;
  }
  if (template.indexOf('}}', last) !== -1 && template.lastIndexOf('{{') < last) {
    // A stray "}}" renders as text in nunjucks too; keep parity by deferring to it.
    return undefined;
  }
  return { text: text + template.slice(last), calls, diagnostics: [] };
}

export function renderTemplate(template: string, ctx: RenderContext): RenderResult {
  return renderSimple(template, ctx) ?? renderWithEngine(template, ctx);
}

/** The nunjucks path; exported so tests can check the fast path gives the same result. */
export function renderWithEngine(template: string, ctx: RenderContext): RenderResult {
  const calls: TemplateCall[] = [];
  const diagnostics: Diagnostic[] = [];
  let root: NjNode;
  try {
    root = (nunjucksEngine().nunjucks as unknown as { parser: { parse(src: string): unknown } }).parser.parse(template) as NjNode;
  } catch (e) {
    const err = e as { message: string; lineno?: number; colno?: number };
    diagnostics.push(
      error('JINJA_SYNTAX_ERROR', `Template syntax error: ${err.message.replace(/^.*\n\s*/s, '')}`, {
        line: Math.max(1, err.lineno ?? 1),
        column: Math.max(1, err.colno ?? 1),
        hint: 'templates use {{ source("name") }}, {{ ref("name") }}, {{ var("name", default) }} and {{ env_var("NAME", default) }}',
      }),
    );
    return { calls, diagnostics };
  }

  const locals = localNames(root);
  walk(root, (n) => {
    const pos = { line: n.lineno + 1, column: n.colno + 1 };
    if (FORBIDDEN_NODES.has(n.typename)) {
      diagnostics.push(
        error('TEMPLATE_FORBIDDEN', `{% ${n.typename.toLowerCase()} %} is not allowed in model SQL`, {
          ...pos,
          hint: 'model templates cannot read other files; use vars: for shared values',
        }),
      );
    }
    if (n.typename === 'LookupVal') {
      const key = n.val as NjNode;
      if (key.typename !== 'Literal' || typeof key.value !== 'string' && typeof key.value !== 'number' || FORBIDDEN_KEYS.has(String(key.value))) {
        diagnostics.push(
          error('TEMPLATE_FORBIDDEN', 'This property lookup is not allowed in templates', {
            line: key.lineno + 1,
            column: key.colno + 1,
            hint: 'use plain names, e.g. {{ var("settings").region }}',
          }),
        );
      }
    }
    if (n.typename === 'FunCall') {
      const callee = n.name as NjNode;
      if (callee.typename !== 'Symbol') return;
      const fn = String(callee.value);
      const at = { line: callee.lineno + 1, column: callee.colno + 1 };
      if (!FUNCTIONS.includes(fn) && !locals.has(fn) && !['range', 'cycler', 'joiner'].includes(fn)) {
        diagnostics.push(
          error('TEMPLATE_UNKNOWN_FUNCTION', `Unknown template function "${fn}"`, {
            ...at,
            hint: didYouMean(fn, FUNCTIONS) ?? `available functions: ${FUNCTIONS.join(', ')}`,
          }),
        );
        return;
      }
      if (fn === 'source' || fn === 'ref') {
        const [name] = literalArgs(n);
        if (typeof name !== 'string' || !name) {
          diagnostics.push(
            error('TEMPLATE_INVALID_REF', `${fn}() takes one quoted name, e.g. ${fn}("orders")`, {
              ...at,
              hint: 'dependencies must be static so streamt can build the DAG before running anything',
            }),
          );
          return;
        }
        const version = fn === 'ref' ? refVersion(n) : undefined;
        if (version !== undefined && Number.isNaN(version)) {
          diagnostics.push(
            error('TEMPLATE_INVALID_REF', 'ref() takes a literal version number, e.g. ref("orders", version=2)', {
              ...at,
              hint: 'versions must be static so streamt can build the DAG before running anything',
            }),
          );
          return;
        }
        calls.push({ fn, name, ...at, ...(version !== undefined ? { version } : {}) });
      }
      if (fn === 'var') {
        const [name] = literalArgs(n);
        const argCount = ((n.args as NjNode).children as NjNode[]).length;
        if (typeof name === 'string' && argCount < 2 && !hasOwn(ctx.vars, name)) {
          diagnostics.push(
            error('VAR_NOT_FOUND', `Variable "${name}" is not defined in vars:`, {
              ...at,
              hint: didYouMean(name, Object.keys(ctx.vars)) ?? `add it under vars: in stream_project.yml, or give a default: var("${name}", ...)`,
            }),
          );
        }
      }
      if (fn === 'env_var') {
        const [name] = literalArgs(n);
        const argCount = ((n.args as NjNode).children as NjNode[]).length;
        if (typeof name === 'string' && argCount < 2 && (own(ctx.env, name) === undefined || own(ctx.env, name) === '')) {
          diagnostics.push(
            error('ENV_VAR_MISSING', `Environment variable ${name} is not set`, {
              ...at,
              hint: `export ${name}=..., add it to .env, or give a default: env_var("${name}", ...)`,
            }),
          );
        }
      }
    }
  });
  if (diagnostics.length) return { calls, diagnostics };

  const context = {
    source: (name: unknown) => ctx.source(String(name)),
    ref: (name: unknown, ...rest: unknown[]) => ctx.ref(String(name), versionArg(rest)),
    var: (name: unknown, fallback?: unknown) => {
      const key = String(name);
      return hasOwn(ctx.vars, key) ? ctx.vars[key] : fallback;
    },
    env_var: (name: unknown, fallback?: unknown) => {
      const v = own(ctx.env, String(name));
      return v === undefined || v === '' ? fallback : v;
    },
  };
  try {
    const text = nunjucksEngine().environment.renderString(template, context);
    return { text, calls, diagnostics };
  } catch (e) {
    const err = e as { message: string };
    const m = /\[Line (\d+), Column (\d+)\]/.exec(err.message);
    diagnostics.push(
      error('TEMPLATE_ERROR', `Template error: ${err.message.replace(/^.*\n\s*/s, '').replace(/^Error: /, '')}`, {
        line: m ? Number(m[1]) + 1 : 1,
        column: m ? Number(m[2]) : 1,
        hint: 'check the template expressions in this SQL',
      }),
    );
    return { calls, diagnostics };
  }
}
