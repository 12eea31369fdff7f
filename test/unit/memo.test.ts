/**
 * Incremental validate's memos (core/memo.ts, resolve/memo.ts, project/yaml.ts): a remembered
 * value is exactly what the phase computes, and a value JSON would not give back is not remembered.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonExact, type Memo } from '../../src/core/memo.js';
import { readProjectFiles } from '../../src/project/files.js';
import { loadProject } from '../../src/project/load.js';
import { toCachedNode } from '../../src/project/memo.js';
import { parseYaml } from '../../src/project/yaml.js';
import { resolveProject } from '../../src/resolve/resolve.js';

const REPO = join(import.meta.dirname, '..', '..');
const memo = (previous: ReadonlyMap<string, string> = new Map()): Memo => ({ previous, next: new Map() });

describe('jsonExact', () => {
  it('accepts what JSON gives back unchanged, refuses the rest', () => {
    expect(jsonExact({ a: [1, 'x', true, null, { b: 2.5 }] })).toBe(true);
    const hidden = Object.defineProperty({ a: 1 }, 'b', { value: 2, enumerable: false });
    const symbol = { a: 1, [Symbol('s')]: 2 };
    for (const v of [{ a: undefined }, [1, , 2], NaN, Infinity, -0, new Date(0), new Map(), Object.create(null), { f: () => 1 }, 1n, undefined, hidden, symbol, { nested: [hidden] }].entries()) {
      expect(jsonExact(v[1]), `case ${v[0]}`).toBe(false);
    }
  });
});

describe('jsonExact and a polluted Object.prototype', () => {
  it('refuses an object that inherits an enumerable property', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 1;
    try {
      expect(jsonExact({ a: 1 })).toBe(false);
    } finally {
      delete proto.polluted;
    }
    expect(jsonExact({ a: 1 })).toBe(true);
  });
});

describe('remembered analyses and YAML values are the computed ones', () => {
  for (const dir of ['examples/payments', 'test/golden/cases/schemas', 'test/golden/cases/virtual', 'test/golden/cases/changelog']) {
    it(dir, () => {
      const files = readProjectFiles(join(REPO, dir));
      const run = (analyses?: Memo, yamlValues?: Memo) => {
        const loaded = loadProject(files, { processEnv: {}, offline: true, ...(yamlValues ? { yamlValues } : {}) });
        return { loaded, resolved: resolveProject(loaded.project!, analyses ? { analyses } : {}) };
      };
      const plain = run();
      const first = { analyses: memo(), yamlValues: memo() };
      run(first.analyses, first.yamlValues);
      expect(first.analyses.next.size).toBeGreaterThan(0);
      expect(first.yamlValues.next.size).toBeGreaterThan(0);
      const second = { analyses: memo(first.analyses.next), yamlValues: memo(first.yamlValues.next) };
      const warm = run(second.analyses, second.yamlValues);
      // Every value came from the memo, and nothing new was computed.
      expect([...second.analyses.next.keys()].sort()).toEqual([...first.analyses.next.keys()].sort());
      expect(warm.loaded.diagnostics).toEqual(plain.loaded.diagnostics);
      expect(warm.resolved.diagnostics).toEqual(plain.resolved.diagnostics);
      for (const [name, m] of plain.resolved.models) {
        const w = warm.resolved.models.get(name)!;
        // Including the query tree, parsed again when read.
        expect(w.analysis, name).toEqual(m.analysis);
        expect(w.analysis?.query, name).toEqual(m.analysis?.query);
        expect(w.columns).toEqual(m.columns);
        expect(w.columnLineage).toEqual(m.columnLineage);
        expect(w.materialized).toEqual(m.materialized);
      }
    });
  }

  it('remembered classifications are the computed ones, and the lineage computed again is the computed one', () => {
    for (const dir of ['examples/payments', 'test/golden/cases/schemas', 'test/golden/cases/virtual', 'test/golden/cases/changelog']) {
      const files = readProjectFiles(join(REPO, dir));
      const project = loadProject(files, { processEnv: {}, offline: true }).project!;
      const analyses = memo();
      const first = memo();
      const plain = resolveProject(project, { analyses, lineage: first });
      expect(first.next.size, dir).toBeGreaterThan(0);
      // The lineage itself is not written: only the classes, and a newline when there is one.
      for (const value of first.next.values()) expect(value.indexOf('\n') === -1 || value.endsWith('\n'), dir).toBe(true);
      const second = memo(first.next);
      const warm = resolveProject(project, { analyses: memo(analyses.next), lineage: second });
      expect([...second.next.keys()].sort(), dir).toEqual([...first.next.keys()].sort());
      expect(warm.diagnostics).toEqual(plain.diagnostics);
      let sinks = 0;
      for (const [name, m] of plain.models) {
        const w = warm.models.get(name)!;
        expect(w.columnClasses, `${dir} ${name}`).toEqual(m.columnClasses);
        expect('columnLineage' in w, `${dir} ${name}`).toBe('columnLineage' in m);
        expect(w.columnLineage, `${dir} ${name}`).toEqual(m.columnLineage);
        if (m.renderedSql === undefined && m.columnLineage) sinks++;
      }
      if (dir === 'examples/payments') expect(sinks).toBeGreaterThan(0);
    }
  });

  it('a remembered classification with anything after its newline is not trusted', () => {
    const files = readProjectFiles(join(REPO, 'examples/payments'));
    const project = loadProject(files, { processEnv: {}, offline: true }).project!;
    const first = memo();
    const plain = resolveProject(project, { lineage: first });
    const damaged = new Map([...first.next].map(([k, v]) => [k, `${v.endsWith('\n') ? v : `${v}\n`}[]`]));
    const second = memo(damaged);
    const warm = resolveProject(project, { lineage: second });
    // Computed again, so remembered again as computed.
    expect(new Map(second.next)).toEqual(first.next);
    for (const [name, m] of plain.models) expect(warm.models.get(name)!.columnLineage, name).toEqual(m.columnLineage);
  });

  it('a YAML value JSON cannot give back (.inf) is read again, not remembered', () => {
    const m = memo();
    const text = 'a: .inf\nb: 1\n';
    const first = parseYaml('f.yml', text, m);
    expect(first.yaml?.fastValue?.value).toEqual({ a: Infinity, b: 1 });
    expect(m.next.size).toBe(0);
    const plain = 'a: 1\n';
    parseYaml('g.yml', plain, m);
    expect(m.next.size).toBe(1);
    expect(parseYaml('g.yml', plain, memo(m.next)).yaml?.fastValue?.value).toEqual({ a: 1 });
  });
});

describe('a normalized node is remembered only when JSON gives it back exactly', () => {
  const node = () => ({ name: 'm', at: () => 0, tags: ['a'], meta: { k: 1 }, loc: { file: 'f', line: 1, column: 1 }, sql: 'SELECT 1' });

  it('its data, in order, with a 0 where its locators were', () => {
    expect(toCachedNode(node())).toBe('{"name":"m","at":0,"tags":["a"],"meta":{"k":1},"loc":0,"sql":"SELECT 1"}');
  });

  it('not a node JSON would change', () => {
    const shared = { k: 1 };
    const hidden = node();
    Object.defineProperty(hidden.meta, 'secret', { value: 1, enumerable: false });
    const symbol = node();
    (symbol.meta as Record<symbol, unknown>)[Symbol('s')] = 1;
    const cases: Record<string, object> = {
      'an undefined property': { ...node(), owner: undefined },
      'an undefined nested property': { ...node(), meta: { k: undefined } },
      'an object reached twice': { ...node(), meta: shared, other: shared },
      'a Date': { ...node(), meta: { when: new Date(0) } },
      '-0': { ...node(), meta: { n: -0 } },
      'a hole in an array': { ...node(), tags: ['a', , 'b'] },
      'a non-enumerable property': hidden,
      'a symbol key': symbol,
      'a class instance': { ...node(), meta: new (class C {})() },
    };
    for (const [what, n] of Object.entries(cases)) expect(toCachedNode(n), what).toBeUndefined();
  });
});
