import { describe, expect, it } from 'vitest';
import { lineageView, renderAsciiTree, renderMermaid } from '../../src/lineage/lineage.js';
import { select } from '../../src/select/selector.js';
import { PROJECT, SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const resolved = resolveFiles({
  'stream_project.yml': PROJECT,
  'sources/s.yml': SOURCES,
  'models/staging/clean.yml': 'models:\n  - name: orders_clean\n    tags: [core]\n    owner: team-a\n    sql: SELECT order_id, customer_id, amount FROM {{ source("orders_raw") }}\n',
  'models/marts/agg.yml':
    'models:\n  - name: customer_totals\n    tags: [core, finance]\n    sql: SELECT customer_id, SUM(amount) AS total FROM {{ ref("orders_clean") }} GROUP BY customer_id\n  - name: orders_export\n    tags: [finance]\n    from: orders_clean\n    sink: {connector: jdbc-sink}\n',
  'tests/t.yml': 'tests:\n  - name: clean_ok\n    model: orders_clean\n    type: sample\n    assertions: []\n',
  'exposures/e.yml': 'exposures:\n  - name: dash\n    type: dashboard\n    depends_on: [customer_totals]\n  - name: shop\n    type: application\n    role: producer\n    produces: [{source: orders_raw}]\n',
}).resolved!;

const sel = (include: string[], exclude: string[] = []) => [...select(resolved, include, exclude).ids].sort();

describe('selectors', () => {
  it('selects by name, with graph operators', () => {
    expect(sel(['orders_clean'])).toEqual(['model.orders_clean']);
    expect(sel(['+orders_clean'])).toEqual(['exposure.shop', 'model.orders_clean', 'source.orders_raw']);
    expect(sel(['orders_clean+'])).toEqual(['exposure.dash', 'model.customer_totals', 'model.orders_clean', 'model.orders_export', 'test.clean_ok']);
    expect(sel(['orders_clean+1'])).toEqual(['model.customer_totals', 'model.orders_clean', 'model.orders_export', 'test.clean_ok']);
    expect(sel(['1+customer_totals'])).toEqual(['model.customer_totals', 'model.orders_clean']);
    expect(sel(['+customer_totals+'])).toContain('exposure.dash');
  });

  it('reads digits as a depth only next to "+"', () => {
    const r = resolveFiles({
      'stream_project.yml': PROJECT,
      'sources/s.yml': SOURCES,
      'models/m.yml': 'models:\n  - name: orders_2019\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n  - name: next_2\n    sql: SELECT order_id FROM {{ ref("orders_2019") }}\n',
    }).resolved!;
    expect([...select(r, ['orders_2019']).ids]).toEqual(['model.orders_2019']);
    expect([...select(r, ['orders_2019+1']).ids].sort()).toEqual(['model.next_2', 'model.orders_2019']);
    expect([...select(r, ['1+next_2']).ids].sort()).toEqual(['model.next_2', 'model.orders_2019']);
  });

  it('selects by tag, path, type, materialization, owner and glob', () => {
    expect(sel(['tag:finance'])).toEqual(['model.customer_totals', 'model.orders_export']);
    expect(sel(['path:models/marts'])).toEqual(['model.customer_totals', 'model.orders_export']);
    expect(sel(['type:exposure'])).toEqual(['exposure.dash', 'exposure.shop']);
    expect(sel(['materialized:sink'])).toEqual(['model.orders_export']);
    expect(sel(['owner:team-a'])).toEqual(['model.orders_clean']);
    expect(sel(['orders_*'])).toEqual(['model.orders_clean', 'model.orders_export', 'source.orders_raw']);
  });

  it('space is union, comma is intersection, --exclude removes', () => {
    expect(sel(['tag:core tag:finance'])).toEqual(['model.customer_totals', 'model.orders_clean', 'model.orders_export']);
    expect(sel(['tag:core,tag:finance'])).toEqual(['model.customer_totals']);
    expect(sel(['tag:core'], ['customer_totals'])).toEqual(['model.orders_clean']);
    expect(sel([], ['type:test type:exposure type:source'])).toEqual(['model.customer_totals', 'model.orders_clean', 'model.orders_export']);
  });

  it('reports unknown methods and selections that match nothing', () => {
    expect(select(resolved, ['colour:red']).diagnostics.map((d) => d.code)).toEqual(['INVALID_SELECTOR']);
    expect(select(resolved, ['nothing_here']).diagnostics.map((d) => d.code)).toEqual(['SELECTOR_NO_MATCH']);
  });
});

describe('lineage', () => {
  it('json view lists nodes in topological order with upstream and downstream, tests left out', () => {
    const view = lineageView(resolved);
    expect(view.nodes.map((n) => n.name)).toEqual(['shop', 'customers', 'orders_raw', 'orders_clean', 'customer_totals', 'orders_export', 'dash']);
    expect(view.nodes.find((n) => n.name === 'orders_clean')).toMatchObject({ type: 'model', materialized: 'flink', upstream: ['orders_raw'], downstream: ['customer_totals', 'orders_export'] });
    expect(view.edges).toContainEqual({ from: 'shop', to: 'orders_raw' });
    expect(lineageView(resolved, { includeTests: true }).nodes.map((n) => n.name)).toContain('clean_ok');
  });

  it('focuses on a node upstream or downstream', () => {
    expect(lineageView(resolved, { focus: 'model.customer_totals', upstream: true }).nodes.map((n) => n.name)).toEqual(['shop', 'orders_raw', 'orders_clean', 'customer_totals']);
    expect(lineageView(resolved, { focus: 'model.customer_totals', downstream: true }).nodes.map((n) => n.name)).toEqual(['customer_totals', 'dash']);
  });

  it('renders an ASCII tree', () => {
    expect(renderAsciiTree(lineageView(resolved))).toBe(
      [
        'shop (exposure)',
        '└── orders_raw (source)',
        '    └── orders_clean (model:flink)',
        '        ├── customer_totals (model:flink)',
        '        │   └── dash (exposure)',
        '        └── orders_export (model:sink)',
        'customers (source)',
      ].join('\n'),
    );
  });

  it('renders Mermaid with escaped labels', () => {
    const m = renderMermaid(lineageView(resolved));
    expect(m.split('\n')[0]).toBe('flowchart LR');
    expect(m).toContain('n2_orders_raw[("orders_raw<br/>source")]:::source');
    expect(m).toContain('n2_orders_raw --> n3_orders_clean');
  });
});
