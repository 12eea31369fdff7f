/**
 * The YAML fast path (js-yaml's events, no positions) against the full path (the `yaml` Document
 * with a LineCounter, which every diagnostic came from before): for every input, the same
 * diagnostics at the same positions, the same value, and the same located positions.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fastYamlValue, interpolate, locate, locateInString, outlineLocate, parseYaml, parseYamlDocument, toValue, type PathSegment } from '../../src/project/yaml.js';

const root = join(import.meta.dirname, '..', '..');

/** Both paths on one text: diagnostics, value and (when readable) the located paths must agree. */
function expectSameAsFullPath(text: string, paths: PathSegment[][] = []): ReturnType<typeof parseYaml> {
  const fast = parseYaml('f.yml', text);
  const full = parseYamlDocument('f.yml', text);
  expect(fast.diagnostics).toEqual(full.diagnostics);
  expect(!!fast.yaml).toBe(!!full.yaml);
  if (fast.yaml && full.yaml) {
    expect(toValue(fast.yaml)).toEqual(toValue(full.yaml));
    for (const p of paths) {
      expect(locate(fast.yaml, p)).toEqual(locate(full.yaml, p));
      expect(locate(fast.yaml, p, 'key')).toEqual(locate(full.yaml, p, 'key'));
    }
  }
  return fast;
}

// What strict mode rejects or reads specially, and the scalars where YAML 1.1 and 1.2 differ.
const CASES: Record<string, string> = {
  'duplicate key': 'project:\n  name: a\n  name: b\n',
  'duplicate key, nested in a list': 'models:\n  - name: a\n    sql: x\n    sql: y\n',
  'duplicate key, flow mapping': 'a: {b: 1, b: 2}\n',
  'standard tag': 'a: !!str 123\nb: !!int "7"\n',
  'custom tag': 'a: !custom x\n',
  'binary tag': 'a: !!binary aGVsbG8=\n',
  'verbatim tag': 'a: !<tag:yaml.org,2002:str> 1\n',
  'merge key': 'base: &b\n  x: 1\nchild:\n  <<: *b\n  y: 2\n',
  'merge key without anchor': 'child:\n  <<: {x: 1}\n  y: 2\n',
  'anchor and alias': 'a: &x [1, 2]\nb: *x\n',
  'alias without anchor': 'a: *missing\n',
  'YAML 1.1 booleans': 'a: yes\nb: no\nc: on\nd: off\ne: y\nf: n\ng: Yes\nh: OFF\n',
  'YAML 1.2 booleans and nulls': 'a: true\nb: False\nc: TRUE\nd: ~\ne: null\nf: Null\ng: NULL\nh:\n',
  'YAML 1.1 numbers': 'a: 0777\nb: 0o17\nc: 0x1F\nd: 1_000\ne: 1:20\nf: 0b101\ng: +12\nh: .5\ni: 1.\nj: 6.8523015e+5\nk: .inf\nl: -.Inf\nm: .NaN\nn: 1e3\no: -0\np: 12345678901234567890\n',
  'YAML 1.1 timestamps and others': 'a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\nc: =\nd: <\n',
  'tab indentation': 'project:\n\tname: a\n',
  'bad indentation': 'project:\n  name: a\n    version: 1\n',
  'unclosed quote': 'a: "abc\nb: 1\n',
  'unclosed flow sequence': 'project:\n  name: demo\n  version: [1, 2\n',
  'value with colon space': 'a: b: c\n',
  'two documents': 'a: 1\n---\nb: 2\n',
  'document markers': '---\na: 1\n...\n',
  'directive 1.1': '%YAML 1.1\n---\na: yes\n',
  'empty file': '',
  'comments only': '# nothing\n',
  'scalar document': 'just text\n',
  'list document': '- 1\n- 2\n',
  'block scalars': 'a: |\n  SELECT *\n  FROM t\n\nb: >\n  folded\n  text\n\n  para\nc: |-\n  strip\nd: |+\n  keep\n\ne: |2\n    indented\n',
  'quoted scalars': 'a: "x\\ty\\u00e9\\n"\nb: \'it\'\'s\'\nc: "multi\n  line"\nd: \'multi\n\n  line\'\n',
  'plain multi-line': 'a: one\n  two\n  three\n',
  'flow collections': 'a: [1, "b", {c: d}]\nb: {x: [y, z], "q": null}\n',
  'numeric keys': '1: a\n2.5: b\ntrue: c\nnull: d\n',
  'long key': `${'k'.repeat(1100)}: 1\n`,
  'comments everywhere': 'a: 1 # one\n# line\nb: # empty\n  - x # item\n',
  'interpolation': 'topic: ${TOPIC:-t}\npartitions: ${P:-3}\nescaped: $${X}\n',
  'crlf': 'a: 1\r\nb:\r\n  - x\r\n',
  'bom': '\ufeffa: 1\n',
  'nul byte': 'a: "\u0000"\n',
  'key without space': 'a:1\n',
  'sql with stars and bangs': 'models:\n  - name: m\n    sql: |\n      SELECT * FROM t WHERE a != 1 AND b << 2 AND c = \'&x\'\n',
};

describe('the YAML fast path gives what the full path gives', () => {
  for (const [name, text] of Object.entries(CASES)) {
    it(name, () => {
      expectSameAsFullPath(text, [[], ['a'], ['b'], ['project', 'name'], ['models', 0, 'sql'], ['child', 'y']]);
    });
  }

  it('declines what it does not read itself, so the full path reports it', () => {
    for (const name of ['duplicate key', 'standard tag', 'custom tag', 'merge key', 'anchor and alias', 'alias without anchor', 'tab indentation', 'unclosed quote', 'two documents', 'directive 1.1', 'empty file']) {
      expect(fastYamlValue(CASES[name]!), name).toBeUndefined();
    }
    // A collection as a key (yaml stringifies it, with a warning): the full path reads it.
    expect(fastYamlValue('? [a, b]\n: 1\n')).toBeUndefined();
    expect(fastYamlValue('a: 1\nb: [x]\n')).toEqual({ value: { a: 1, b: ['x'] } });
  });

  it('every YAML file of the fixtures, golden cases, examples and templates', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory() && e.name !== 'node_modules') walk(p);
        else if (/\.ya?ml$/.test(e.name)) files.push(p);
      }
    };
    for (const d of ['test', 'examples', 'templates']) walk(join(root, d));
    expect(files.length).toBeGreaterThan(30);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const fast = parseYaml(relative(root, f), text);
      const full = parseYamlDocument(relative(root, f), text);
      expect(fast.diagnostics, f).toEqual(full.diagnostics);
      if (fast.yaml && full.yaml) expect(toValue(fast.yaml), f).toEqual(toValue(full.yaml));
    }
  });

  it('a file read by the fast path still locates keys, values and positions inside SQL', () => {
    const text = 'models:\n  - name: a\n    sql: |\n      SELECT x\n      FROM {{ source("s") }}\n';
    const fast = parseYaml('m.yml', text).yaml!;
    const full = parseYamlDocument('m.yml', text).yaml!;
    expect(fast.fastValue).toBeDefined();
    expect(locate(fast, ['models', 0, 'name'])).toEqual({ file: 'm.yml', line: 2, column: 11 });
    expect(locateInString(fast, ['models', 0, 'sql'], 2, 6)).toEqual(locateInString(full, ['models', 0, 'sql'], 2, 6));
  });

  it('interpolation changes the value of a file that has variables, and leaves the others alone', () => {
    const withVars = parseYaml('a.yml', 'topic: ${TOPIC}\npartitions: ${P:-3}\nname: plain\n').yaml!;
    const r = interpolate(withVars, { TOPIC: 'orders' });
    expect(r.missing).toEqual([]);
    expect(toValue(withVars).value).toEqual({ topic: 'orders', partitions: 3, name: 'plain' });
    const plain = parseYaml('b.yml', 'topic: orders\n').yaml!;
    expect(interpolate(plain, {})).toEqual({ missing: [], placeholders: [], used: [], secrets: [] });
    expect(toValue(plain).value).toEqual({ topic: 'orders' });
  });

  it('a missing variable is located in a file read by the fast path', () => {
    const y = parseYaml('a.yml', 'name: x\ntopic: ${NOPE}\n').yaml!;
    expect(interpolate(y, {}).missing).toEqual([{ variable: 'NOPE', loc: { file: 'a.yml', line: 2, column: 8 } }]);
  });

  /** Every path of a value, and beside each mapping and sequence one child that does not exist. */
  function pathsOf(value: unknown, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
    out.push(prefix);
    if (Array.isArray(value)) {
      value.forEach((v, i) => pathsOf(v, [...prefix, i], out));
      out.push([...prefix, value.length], [...prefix, 'name']);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) pathsOf(v, [...prefix, k], out);
      out.push([...prefix, 'no_such_key'], [...prefix, 0]);
    } else {
      out.push([...prefix, 'deeper']);
    }
    return out;
  }

  it('positions come from js-yaml\'s events without the Document, the same as the Document gives, on every path of every file', () => {
    const texts: [string, string][] = Object.entries(CASES);
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory() && e.name !== 'node_modules') walk(p);
        else if (/\.ya?ml$/.test(e.name)) texts.push([relative(root, p), readFileSync(p, 'utf8')]);
      }
    };
    for (const d of ['test', 'examples', 'templates']) walk(join(root, d));
    let outlined = 0;
    let compared = 0;
    for (const [name, text] of texts) {
      const fast = parseYaml(name, text).yaml;
      const full = parseYamlDocument(name, text).yaml;
      if (!fast?.fastValue || !full) continue;
      for (const path of pathsOf(fast.fastValue.value)) {
        for (const which of ['value', 'key'] as const) {
          compared++;
          const fromOutline = outlineLocate(fast, path, which);
          if (!fromOutline) continue;
          outlined++;
          expect(fromOutline, `${name} ${JSON.stringify(path)} ${which}`).toEqual(locate(full, path, which));
        }
        for (const [line, column] of [[1, 1], [1, 3], [2, 2]] as const) {
          expect(locateInString(fast, path, line, column), `${name} ${JSON.stringify(path)} in string`).toEqual(locateInString(full, path, line, column));
        }
      }
      // The comparisons above never built the Document of the fast file.
      expect(fast.fastValue, name).toBeDefined();
    }
    // Nearly every lookup is answered without the Document (empty values and numeric keys are not).
    expect(compared).toBeGreaterThan(5000);
    expect(outlined / compared).toBeGreaterThan(0.95);
  });

  it('locating a note, a key or a position in SQL of a file read by the fast path never builds its Document', () => {
    const text = 'project:\n  name: p\nruntime:\n  kafka:\n    bootstrap_servers: localhost:9092\nmodels:\n  - name: "quoted"\n    sql: |\n      SELECT 1\n';
    const y = parseYaml('stream_project.yml', text).yaml!;
    expect(locate(y, ['runtime'], 'key')).toEqual({ file: 'stream_project.yml', line: 3, column: 1 });
    expect(locate(y, ['runtime'])).toEqual({ file: 'stream_project.yml', line: 4, column: 3 });
    expect(locate(y, ['models', 0, 'name'])).toEqual({ file: 'stream_project.yml', line: 7, column: 11 });
    expect(locateInString(y, ['models', 0, 'sql'], 1, 8)).toEqual({ file: 'stream_project.yml', line: 9, column: 14 });
    expect(y.fastValue).toBeDefined();
  });
});
