import { describe, expect, it } from 'vitest';
import { renderTemplate, renderWithEngine, type RenderContext } from '../../src/template/render.js';

const ctx: RenderContext = {
  vars: { region: 'eu', limits: { max: 10 } },
  env: { TEAM: 'payments' },
  source: (n) => `\`src_${n}\``,
  ref: (n) => `\`ref_${n}\``,
};

describe('SQL templates', () => {
  it('renders source() and ref() with either quote style and records the calls with positions', () => {
    const r = renderTemplate(`SELECT *\nFROM {{ source("orders") }} o\nJOIN {{ ref('customers') }} c ON o.id = c.id`, ctx);
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toBe('SELECT *\nFROM `src_orders` o\nJOIN `ref_customers` c ON o.id = c.id');
    expect(r.calls).toEqual([
      { fn: 'source', name: 'orders', line: 2, column: 9 },
      { fn: 'ref', name: 'customers', line: 3, column: 9 },
    ]);
  });

  it('renders var() and env_var() with defaults', () => {
    const r = renderTemplate(`{{ var("region") }} {{ var("missing", "dflt") }} {{ var("limits").max }} {{ env_var("TEAM") }} {{ env_var("NOPE", "x") }}`, ctx);
    expect(r.text).toBe('eu dflt 10 payments x');
  });

  it('reports undefined vars and env vars without defaults', () => {
    const r = renderTemplate(`{{ var("regoin") }} {{ env_var("NOPE") }}`, ctx);
    expect(r.diagnostics.map((d) => [d.code, d.hint])).toEqual([
      ['VAR_NOT_FOUND', 'did you mean "region"?'],
      ['ENV_VAR_MISSING', 'export NOPE=..., add it to .env, or give a default: env_var("NOPE", ...)'],
    ]);
  });

  it('reports syntax errors with their line', () => {
    const r = renderTemplate('SELECT 1\nFROM {{ ref("a" }}', ctx);
    expect(r.text).toBeUndefined();
    expect(r.diagnostics[0]).toMatchObject({ code: 'JINJA_SYNTAX_ERROR', line: 2 });
  });

  it('rejects unknown functions with a suggestion', () => {
    const r = renderTemplate('{{ reff("a") }}', ctx);
    expect(r.diagnostics[0]).toMatchObject({ code: 'TEMPLATE_UNKNOWN_FUNCTION', hint: 'did you mean "ref"?', line: 1, column: 4 });
  });

  it('requires static names in ref() and source()', () => {
    const r = renderTemplate('{{ ref(var("x")) }}', ctx);
    expect(r.diagnostics.map((d) => d.code)).toContain('TEMPLATE_INVALID_REF');
  });

  it('allows control flow and locally defined names', () => {
    const r = renderTemplate('{% set cols = ["a", "b"] %}{% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}', ctx);
    expect(r.diagnostics).toEqual([]);
    expect(r.text).toBe('a, b');
  });

  it('is sandboxed: no constructor, prototype or computed lookups, no includes', () => {
    for (const evil of [
      '{{ range.constructor("return process")() }}',
      '{{ "".constructor.constructor("return process.pid")() }}',
      '{{ ref["constr" + "uctor"] }}',
      '{{ var.__proto__ }}',
      '{% include "/etc/passwd" %}',
      '{% import "x.njk" as x %}',
    ]) {
      const r = renderTemplate(evil, ctx);
      expect(r.text, evil).toBeUndefined();
      expect(r.diagnostics.map((d) => d.code), evil).toContain('TEMPLATE_FORBIDDEN');
    }
  });

  it('renders plain source()/ref() templates exactly as nunjucks does, positions included', () => {
    for (const t of [
      'SELECT * FROM {{ source("a") }}',
      "SELECT x\n  FROM {{ref('b')}} JOIN {{  source( \"c\" )  }} ON 1 = 1\n-- {{ ref(\"d\") }}",
      'SELECT 1 FROM t',
      '\n\n   {{ ref("e") }}\n',
    ]) {
      expect(renderTemplate(t, ctx), t).toEqual(renderWithEngine(t, ctx));
    }
  });
});
