/**
 * The docs site in a real browser: Debian's chromium driven by playwright-core, pages opened
 * from file:// as a user would. Checks that the graph draws every node, that search, filters,
 * click-to-focus and hash routing work, that a filter or a focus lays out and fits only what it
 * shows, that hostile descriptions stay text, and that no page requests anything outside the
 * site. Screenshots go to test-artifacts/docs/; frame times at 1,000 models are printed (and
 * saved as test-artifacts/docs/frame-times.json), never asserted.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsGenerateCommand } from '../../src/cli/commands/docs.js';
import { runFrontEnd } from '../../src/cli/pipeline.js';
import { layoutDag } from '../../src/docs/layout.js';
import { columnLineage, type ColumnLineageNode } from '../../src/lineage/columns.js';
import type { NodeId } from '../../src/project/types.js';
import { Output } from '../../src/ui/output.js';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.js';

const REPO = join(import.meta.dirname, '..', '..');
const ARTIFACTS = join(REPO, 'test-artifacts', 'docs');
const work = mkdtempSync(join(tmpdir(), 'streamt-docs-browser-'));

interface GraphNode {
  id: string;
  name: string;
  kind: string;
  owner?: string;
  description?: string;
  tags: string[];
}
interface GraphData {
  nodes: GraphNode[];
  edges: [number, number][];
}

/** Copies a project, adds optional run results, generates its site; returns the site folder. */
async function buildSite(project: string, runResults?: string): Promise<string> {
  const root = join(work, project.replace(/\W+/g, '_'));
  cpSync(project, root, { recursive: true, filter: (src) => src !== join(project, 'generated') && src !== join(project, '.streamt') });
  if (runResults) {
    mkdirSync(join(root, 'generated'), { recursive: true });
    cpSync(runResults, join(root, 'generated', 'run_results.json'));
  }
  const err: string[] = [];
  const out = new Output({ write: () => true }, { write: (s: string) => err.push(s) }, { color: false });
  const code = docsGenerateCommand({ projectDir: root }, out, {}, () => new Date('2026-01-01T00:00:00Z'));
  if (code !== 0) throw new Error(`docs generate failed for ${project}:\n${err.join('')}`);
  return join(root, 'site');
}

function graphData(site: string): GraphData {
  const html = readFileSync(join(site, 'lineage.html'), 'utf8');
  return JSON.parse(/<script type="application\/json" id="streamt-graph">([\s\S]*?)<\/script>/.exec(html)![1]!) as GraphData;
}

function reach(data: GraphData, start: number, direction: 'up' | 'down'): Set<number> {
  const out = new Set<number>();
  const stack = [start];
  while (stack.length) {
    const i = stack.pop()!;
    for (const [a, b] of data.edges) {
      const next = direction === 'down' ? (a === i ? b : -1) : b === i ? a : -1;
      if (next >= 0 && !out.has(next)) {
        out.add(next);
        stack.push(next);
      }
    }
  }
  return out;
}

let context: BrowserContext;
const requests: string[] = [];
const problems: string[] = [];

async function open(url: string): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`${url}: page error ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${url}: console error ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`${url}: dialog ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(url);
  return page;
}

async function openGraph(site: string, hash = ''): Promise<Page> {
  const page = await open(pathToFileURL(join(site, 'lineage.html')).href + hash);
  await page.waitForSelector('svg#graph[data-ready="true"]');
  return page;
}

const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
// Browser-side expressions as strings: the project compiles without the DOM library.
const waitForHash = (page: Page, hash: string) => page.waitForFunction(`location.hash === ${JSON.stringify(hash)}`);
const xssOf = (page: Page) => page.evaluate('window.__xss');
const inFocus = (page: Page) => page.$$eval('g.node.in-focus', (els) => els.map((e) => e.getAttribute('data-id')!).sort());

/** Where each drawn (not filtered-out) node sits in layout coordinates, from its transform. */
const drawnPositions = (page: Page): Promise<Record<string, [number, number]>> =>
  page.evaluate(`(() => {
    const out = {};
    for (const g of document.querySelectorAll('g.node:not(.filtered-out)')) {
      const m = /translate\\(([-\\d.e]+),([-\\d.e]+)\\)/.exec(g.getAttribute('transform'));
      out[g.getAttribute('data-id')] = [Number(m[1]), Number(m[2])];
    }
    return out;
  })()`);

/** The layout of these nodes alone (with the edges between them), as the engine computes it. */
function expectedLayout(data: GraphData, ids: readonly string[]): { positions: Record<string, [number, number]>; width: number; height: number } {
  const keep = new Set(ids);
  const edges = data.edges.map(([a, b]) => ({ from: data.nodes[a]!.id, to: data.nodes[b]!.id })).filter((e) => keep.has(e.from) && keep.has(e.to));
  const layout = layoutDag(ids, edges);
  return { positions: Object.fromEntries([...layout.nodes].map(([id, p]) => [id, [p.x, p.y]])), width: layout.width, height: layout.height };
}

/**
 * The shown nodes are laid out on their own (exactly the engine's layout of them and their
 * edges: hidden nodes take no place), every other node is hidden, and their bounding box is
 * fitted into the part of the graph the panel leaves visible.
 */
async function expectLaidOutAndFitted(page: Page, data: GraphData, ids: readonly string[]): Promise<void> {
  const expected = expectedLayout(data, ids);
  expect(await drawnPositions(page)).toEqual(expected.positions);
  expect(await page.locator('svg#graph').getAttribute('data-layout')).toBe(`${ids.length} ${expected.width} ${expected.height}`);
  expect(await page.locator('g.node:not(.filtered-out)').count()).toBe(ids.length);
  const svg = (await page.locator('svg#graph').boundingBox())!;
  const panel = (await page.locator('#panel').isVisible()) ? (await page.locator('#panel').boundingBox())! : undefined;
  const area = { x: svg.x, y: svg.y, width: (panel ? panel.x : svg.x + svg.width) - svg.x, height: svg.height };
  const boxes = await page.$$eval('g.node:not(.filtered-out) > rect:first-of-type', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return [r.left, r.top, r.right, r.bottom];
    }),
  );
  const union = boxes.reduce((u, b) => [Math.min(u[0]!, b[0]!), Math.min(u[1]!, b[1]!), Math.max(u[2]!, b[2]!), Math.max(u[3]!, b[3]!)], [Infinity, Infinity, -Infinity, -Infinity]);
  // Inside the visible area...
  expect(union[0]).toBeGreaterThanOrEqual(area.x - 1);
  expect(union[1]).toBeGreaterThanOrEqual(area.y - 1);
  expect(union[2]).toBeLessThanOrEqual(area.x + area.width + 1);
  expect(union[3]).toBeLessThanOrEqual(area.y + area.height + 1);
  // ...and filling it (40 px margins) in width or in height, unless already at the largest zoom.
  const scale = (await page.evaluate(`document.getElementById('graph').streamtStats().scale`)) as number;
  const fillsWidth = Math.abs(union[2]! - union[0]! - (area.width - 80)) <= 3;
  const fillsHeight = Math.abs(union[3]! - union[1]! - (area.height - 80)) <= 3;
  expect(fillsWidth || fillsHeight || scale === 1.2, `bounding box ${JSON.stringify(union)} in ${JSON.stringify(area)} at scale ${scale}`).toBe(true);
}

const familyOf = (data: GraphData, id: string): string[] => {
  const i = data.nodes.findIndex((n) => n.id === id);
  return [i, ...reach(data, i, 'up'), ...reach(data, i, 'down')].map((j) => data.nodes[j]!.id).sort();
};

let paymentsSite: string;
let hostileSite: string;
let bigSite: string;
let site1000: string;

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  paymentsSite = await buildSite(join(REPO, 'examples/payments'), join(REPO, 'test/fixtures/docs/payments-run_results.json'));
  hostileSite = await buildSite(join(REPO, 'test/fixtures/docs/hostile'), join(REPO, 'test/fixtures/docs/hostile-run_results.json'));
  const { generateProject } = (await import(pathToFileURL(join(REPO, 'bench/generate.mjs')).href)) as { generateProject: (n: number, dir: string) => void };
  const big = join(work, 'generated-500');
  generateProject(500, big);
  bigSite = await buildSite(big);
  const huge = join(work, 'generated-1000');
  generateProject(1000, huge);
  site1000 = await buildSite(huge);
  context = await chromium.launchPersistentContext(join(work, 'chromium-profile'), {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
  });
  context.on('request', (r) => requests.push(r.url()));
});

afterAll(async () => {
  await context?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('examples/payments', () => {
  it('draws every source, model, test and exposure, and every edge', async () => {
    const data = graphData(paymentsSite);
    const page = await openGraph(paymentsSite);
    const drawn = await page.$$eval('g.node', (els) => els.map((e) => e.getAttribute('data-id')!));
    expect(drawn.sort()).toEqual(data.nodes.map((n) => n.id).sort());
    expect(new Set(data.nodes.map((n) => n.kind))).toEqual(new Set(['source', 'model', 'test', 'exposure']));
    expect(await page.locator('path.edge').count()).toBe(data.edges.length);
    // Every node is on screen after the initial fit.
    const box = (await page.locator('svg#graph').boundingBox())!;
    for (const id of drawn) {
      const b = (await page.locator(`g.node[data-id="${id}"]`).boundingBox())!;
      expect(b.x >= box.x - 1 && b.y >= box.y - 1 && b.x + b.width <= box.x + box.width + 1 && b.y + b.height <= box.y + box.height + 1, id).toBe(true);
    }
    expect(await page.locator('#status').textContent()).toBe(`${data.nodes.length} of ${data.nodes.length} nodes`);
    await shot(page, 'payments-lineage');
    await page.close();
  });

  it('searches by name, description and owner, and Enter focuses the best match', async () => {
    const data = graphData(paymentsSite);
    const page = await openGraph(paymentsSite);
    await page.fill('#search', 'fraud');
    const expected = data.nodes.filter((n) => [n.name, n.description ?? '', n.owner ?? ''].some((t) => t.toLowerCase().includes('fraud'))).map((n) => n.id);
    expect(await page.$$eval('g.node.match', (els) => els.map((e) => e.getAttribute('data-id')!).sort())).toEqual(expected.sort());
    expect(await page.locator('#status').textContent()).toContain(`${expected.length} matches`);
    await shot(page, 'payments-search');

    await page.fill('#search', 'payments_enriched');
    await page.press('#search', 'Enter');
    await waitForHash(page, '#model.payments_enriched');
    const i = data.nodes.findIndex((n) => n.id === 'model.payments_enriched');
    const family = [i, ...reach(data, i, 'up'), ...reach(data, i, 'down')].map((j) => data.nodes[j]!.id).sort();
    // The focus is drawn after the hash changes: wait for it rather than read it at once.
    await expect.poll(() => inFocus(page), { timeout: 20_000 }).toEqual(family);
    expect(family).toEqual(['exposure.crm_sync', 'exposure.fraud_scoring_service', 'exposure.payments_api', 'model.high_risk_payments', 'model.payments_clean', 'model.payments_enriched', 'source.card_payments_raw', 'source.customers']);
    expect(await page.locator('#panel-title').textContent()).toBe('payments_enriched');
    await page.close();
  });

  it('focuses a clicked node with its upstream and downstream, and clears on the background', async () => {
    const page = await openGraph(paymentsSite);
    await page.locator('g.node[data-id="model.customer_totals"]').click();
    await waitForHash(page, '#model.customer_totals');
    const family = ['exposure.finance_dashboard', 'exposure.payments_api', 'model.customer_totals', 'model.payments_clean', 'source.card_payments_raw'];
    await expect.poll(() => inFocus(page), { timeout: 20_000 }).toEqual(family);
    expect(await page.$$eval('g.node.in-focus.selected', (els) => els.length)).toBe(1);
    // The focus is laid out on its own and fitted beside the panel; the rest is not drawn.
    expect(await page.locator('#panel').isVisible()).toBe(true);
    await expectLaidOutAndFitted(page, graphData(paymentsSite), family);
    expect(await page.locator('g.node[data-id="model.high_risk_payments"]').isVisible()).toBe(false);
    expect(await page.locator('#panel').textContent()).toContain('finance_dashboard');
    expect(await page.locator('#status').textContent()).toBe(`5 of ${graphData(paymentsSite).nodes.length} nodes · around customer_totals`);
    await shot(page, 'payments-focus');

    // The panel's chips navigate too.
    await page.locator('#panel button.node-chip', { hasText: 'payments_clean' }).first().click();
    await waitForHash(page, '#model.payments_clean');

    const box = (await page.locator('svg#graph').boundingBox())!;
    await page.mouse.click(box.x + 5, box.y + 5);
    await waitForHash(page, '');
    expect(await inFocus(page)).toEqual([]);
    expect(await page.locator('#panel').isVisible()).toBe(false);
    // Clearing the focus restores the whole graph, laid out and fitted as at first.
    const data = graphData(paymentsSite);
    await expectLaidOutAndFitted(page, data, data.nodes.map((n) => n.id));
    await page.close();
  });

  it('opens focused on the node named in the URL hash', async () => {
    const page = await openGraph(paymentsSite, '#source.customers');
    expect(await page.locator('#panel-title').textContent()).toBe('customers');
    const family = ['exposure.crm_sync', 'exposure.fraud_scoring_service', 'model.high_risk_payments', 'model.payments_enriched', 'source.customers'];
    expect(await inFocus(page)).toEqual(family);
    await expectLaidOutAndFitted(page, graphData(paymentsSite), family);
    // Escape clears the focus too.
    await page.keyboard.press('Escape');
    await waitForHash(page, '');
    expect(await page.locator('g.node:not(.filtered-out)').count()).toBe(graphData(paymentsSite).nodes.length);
    await page.close();
  });

  it('filters by owner, tag, materialization and classification', async () => {
    const data = graphData(paymentsSite);
    const page = await openGraph(paymentsSite);
    const visible = () => page.$$eval('g.node:not(.filtered-out)', (els) => els.map((e) => e.getAttribute('data-id')!).sort());
    await page.selectOption('#filter-owner', 'team-fraud');
    expect(await visible()).toEqual(data.nodes.filter((n) => n.owner === 'team-fraud').map((n) => n.id).sort());
    await expectLaidOutAndFitted(page, data, data.nodes.filter((n) => n.owner === 'team-fraud').map((n) => n.id));
    await page.selectOption('#filter-owner', '');
    await page.selectOption('#filter-tag', 'finance');
    expect(await visible()).toEqual(['model.customer_totals', 'model.payments_to_postgres']);
    await expectLaidOutAndFitted(page, data, ['model.customer_totals', 'model.payments_to_postgres']);
    await shot(page, 'payments-filter-tag-finance');
    await page.selectOption('#filter-tag', '');
    await page.selectOption('#filter-materialized', 'sink');
    expect(await visible()).toEqual(['model.payments_to_postgres']);
    await page.selectOption('#filter-materialized', '');
    await page.selectOption('#filter-classification', 'holds:highly_sensitive');
    expect(await visible()).toEqual(['source.card_payments_raw']);
    await page.selectOption('#filter-classification', 'reaches:highly_sensitive');
    const reached = await visible();
    expect(reached).toContain('exposure.fraud_scoring_service');
    expect(reached).toContain('exposure.finance_dashboard');
    expect(reached).not.toContain('source.customers');
    await expectLaidOutAndFitted(page, data, reached);
    await shot(page, 'payments-filter-highly-sensitive');
    // No filter left: the whole graph again.
    await page.selectOption('#filter-classification', '');
    await expectLaidOutAndFitted(page, data, data.nodes.map((n) => n.id));
    await page.close();
  });

  it('shows node pages and the overview', async () => {
    const node = await open(pathToFileURL(join(paymentsSite, 'nodes/model/payments_clean.html')).href);
    expect(await node.locator('h1').textContent()).toBe('payments_clean');
    expect(await node.locator('#compiled-sql .sql-keyword', { hasText: 'INSERT' }).count()).toBeGreaterThan(0);
    expect(await node.locator('#impact').textContent()).toContain('fraud_scoring_service');
    await shot(node, 'payments-node-payments_clean', true);
    await node.close();

    const index = await open(pathToFileURL(join(paymentsSite, 'index.html')).href);
    await index.fill('input.table-filter', 'team-fraud');
    const rows = await index.$$eval('#all-nodes tbody tr:not([hidden])', (els) => els.length);
    expect(rows).toBe(graphData(paymentsSite).nodes.filter((n) => n.owner === 'team-fraud').length);
    await index.fill('input.table-filter', '');
    await shot(index, 'payments-index', true);
    await index.close();
  });
});

describe('column lineage and classification', () => {
  it('each model page shows its columns with their propagated classification and the columns they derive from', async () => {
    const node = await open(pathToFileURL(join(paymentsSite, 'nodes/model/payments_clean.html')).href);
    const row = (name: string) => node.locator('#columns table.columns-lineage tbody tr', { has: node.locator(`#col-${name}`) });
    // card_last4 derives from the highly sensitive card_number; the model declares it internal.
    await expect.poll(() => row('card_last4').locator('.badge.cls').textContent()).toBe('internal');
    expect(await row('card_last4').locator('.cls-reason').textContent()).toBe('declared');
    expect(await row('card_last4').locator('a.column-link').textContent()).toBe('card_payments_raw.card_number');
    expect(await row('card_last4').textContent()).toContain('(expression)');
    expect(await row('amount_cents').locator('.badge.cls').textContent()).toBe('confidential');
    expect(await row('amount_cents').locator('.cls-reason').textContent()).toBe('inherited from source.card_payments_raw.amount_cents');
    // The link goes to the source's page, at the column, which is highlighted.
    await row('card_last4').locator('a.column-link').click();
    await node.waitForURL(/nodes\/source\/card_payments_raw\.html#col-card_number$/);
    expect(await node.locator('#col-card_number:target').count()).toBe(1);
    await node.close();

    const spend = await open(pathToFileURL(join(paymentsSite, 'nodes/model/customer_spend_5m.html')).href);
    const total = spend.locator('#columns tbody tr', { has: spend.locator('#col-total_amount_cents') });
    expect(await total.locator('a.column-link').textContent()).toBe('payments_clean.amount_cents');
    expect(await total.textContent()).toContain('(aggregate)');
    const windowStart = spend.locator('#columns tbody tr', { has: spend.locator('#col-window_start') });
    expect(await windowStart.textContent()).toContain('(window)');
    await shot(spend, 'payments-node-customer_spend_5m-columns', true);
    await spend.close();
  });
});

/**
 * A column's path as `streamt lineage --column` computes it (src/lineage/columns.ts, not the
 * browser's code): the node of every column on it with those columns, the exposures reading a
 * node carrying the column or one derived from it (with what they read), and the graph edges
 * the derivations run along.
 */
function expectedPath(data: GraphData, node: NodeId, column: string): { columns: Record<string, string[]>; edges: string[] } {
  const resolved = runFrontEnd({ projectDir: join(REPO, 'examples/payments') }, {}).resolved!;
  const view = columnLineage(resolved, { node, column });
  const columns: Record<string, string[]> = { [node]: [column] };
  const edges = new Set<string>();
  const add = (id: string, col: string) => (columns[id] ??= []).includes(col) || columns[id]!.push(col);
  const walk = (list: ColumnLineageNode[], from: { node: string; column: string }, dir: 'up' | 'down') => {
    for (const c of list) {
      add(c.node, c.column);
      edges.add(dir === 'up' ? `${c.node}>${from.node}` : `${from.node}>${c.node}`);
      walk(c.children, c, dir);
    }
  };
  walk(view.upstream, { node, column }, 'up');
  walk(view.downstream, { node, column }, 'down');
  // Exposures read the column's node or a node derived from it (upstream nodes carry input columns, not this one).
  const down = new Set([node]);
  const collect = (list: ColumnLineageNode[]) => list.forEach((c) => (down.add(c.node), collect(c.children)));
  collect(view.downstream);
  for (const name of view.exposures) {
    const exposure = `exposure.${name}`;
    for (const [a, b] of data.edges) {
      const from = data.nodes[a]!.id;
      if (data.nodes[b]!.id !== exposure || !down.has(from as NodeId)) continue;
      for (const col of columns[from]!) add(exposure, `reads ${from.slice(from.indexOf('.') + 1)}.${col}`);
      edges.add(`${from}>${exposure}`);
    }
  }
  for (const id of Object.keys(columns)) columns[id]!.sort();
  return { columns, edges: [...edges].sort() };
}

const opacityOf = async (page: Page, id: string): Promise<number> =>
  Number(await page.evaluate(`getComputedStyle(document.querySelector('g.node[data-id=${JSON.stringify(id)}]')).opacity`));

/** The nodes and edges highlighted on the graph, with the columns each node lists. */
async function highlighted(page: Page): Promise<{ columns: Record<string, string[]>; edges: string[] }> {
  const nodes = await page.$$eval('#graph.column-mode g.node.on-path', (els) => els.map((e) => [e.getAttribute('data-id')!, e.getAttribute('data-path-columns')!] as const));
  const edges = await page.$$eval('#graph.column-mode path.edge.on-path:not(.filtered-out)', (els) => els.map((e) => e.getAttribute('data-edge')!));
  return { columns: Object.fromEntries(nodes.map(([id, cols]) => [id, cols.split(',').sort()])), edges: edges.sort() };
}

describe('a column\'s path in the graph', () => {
  it('highlights every node and edge on the path of a 3-level chain and of a join, lists the columns, carries it in the URL and clears', async () => {
    const data = graphData(paymentsSite);
    // From the model page's column table: "show in graph" on an aggregate of a 3-level chain.
    const spend = await open(pathToFileURL(join(paymentsSite, 'nodes/model/customer_spend_5m.html')).href);
    await spend.locator('#columns tbody tr', { has: spend.locator('#col-total_amount_cents') }).locator('a.column-path-link').click();
    await spend.waitForURL(/lineage\.html#model\.customer_spend_5m\/total_amount_cents$/);
    await spend.waitForSelector('svg#graph[data-ready="true"]');
    const chain = expectedPath(data, 'model.customer_spend_5m', 'total_amount_cents');
    expect(chain.columns).toMatchObject({
      'source.card_payments_raw': ['amount_cents'],
      'model.payments_clean': ['amount_cents'],
      'model.customer_spend_5m': ['total_amount_cents'],
    });
    expect(chain.edges).toEqual(expect.arrayContaining(['source.card_payments_raw>model.payments_clean', 'model.payments_clean>model.customer_spend_5m']));
    await expect.poll(() => highlighted(spend), { timeout: 20_000 }).toEqual(chain);
    // Off the path: drawn (in the focus) but dimmed, e.g. the exposure producing the source.
    expect(await spend.locator('g.node.on-path').count()).toBe(Object.keys(chain.columns).length);
    expect(await spend.locator('g.node[data-id="exposure.payments_api"]').isVisible()).toBe(true);
    expect(await opacityOf(spend, 'exposure.payments_api')).toBeLessThan(1);
    expect(await opacityOf(spend, 'model.payments_clean')).toBe(1);
    // The panel lists every node on the path with its columns; the node box shows them too.
    const pathList = spend.locator('#panel .column-path li');
    expect(await pathList.count()).toBe(Object.keys(chain.columns).length);
    expect(await spend.locator('#panel .column-path li[data-id="source.card_payments_raw"] .path-columns').textContent()).toBe(' amount_cents');
    expect(await spend.locator('g.node[data-id="model.payments_clean"] text.sub').textContent()).toBe('amount_cents');
    expect(await spend.locator('#status').textContent()).toContain(`column total_amount_cents: ${Object.keys(chain.columns).length} nodes on its path`);
    await shot(spend, 'payments-column-path-chain');
    await spend.close();

    // A shared link opens on a joined column: the customers side of the join, not the payments side.
    const page = await openGraph(paymentsSite, '#model.payments_enriched/risk_band');
    const joined = expectedPath(data, 'model.payments_enriched', 'risk_band');
    expect(joined.columns).toMatchObject({ 'source.customers': ['risk_band'], 'model.payments_enriched': ['risk_band'], 'model.high_risk_payments': ['risk_band'] });
    expect(joined.columns['model.payments_clean']).toBeUndefined();
    expect(Object.keys(joined.columns).some((id) => id.startsWith('exposure.'))).toBe(true);
    await expect.poll(() => highlighted(page), { timeout: 20_000 }).toEqual(joined);
    await shot(page, 'payments-column-path-join');

    // Choosing another column of the node in the panel: the other side of the join, in the URL.
    await page.locator('#panel button.column-chip[data-column="amount_cents"]').click();
    await waitForHash(page, '#model.payments_enriched/amount_cents');
    const other = expectedPath(data, 'model.payments_enriched', 'amount_cents');
    expect(other.columns).toMatchObject({ 'source.card_payments_raw': ['amount_cents'], 'model.payments_clean': ['amount_cents'] });
    expect(other.columns['source.customers']).toBeUndefined();
    await expect.poll(() => highlighted(page), { timeout: 20_000 }).toEqual(other);
    expect(await page.locator('#panel button.column-chip[aria-pressed="true"]').textContent()).toBe('amount_cents');

    // Clearing the column keeps the focus on the node; nothing is highlighted or dimmed any more.
    await page.locator('#panel button.clear-column').click();
    await waitForHash(page, '#model.payments_enriched');
    expect(await page.locator('#graph.column-mode').count()).toBe(0);
    expect(await page.locator('g.node.on-path, path.edge.on-path').count()).toBe(0);
    expect(await page.locator('g.node[data-id="model.payments_clean"] text.sub').textContent()).toBe('model · flink');
    expect(await page.locator('#panel-title').textContent()).toBe('payments_enriched');
    await page.close();
  });
});

describe('hostile descriptions', () => {
  it('shows markup as text and runs none of it', async () => {
    const pages = ['index.html', 'lineage.html', 'nodes/source/raw_events.html', 'nodes/model/cleaned.html', 'nodes/test/cleaned_ids.html', 'nodes/exposure/evil_app.html'];
    for (const p of pages) {
      const page = await open(pathToFileURL(join(hostileSite, p)).href);
      await page.waitForLoadState('load');
      expect(await xssOf(page), p).toBeUndefined();
      expect(await page.locator('img').count(), p).toBe(0);
      await page.close();
    }
    const source = await open(pathToFileURL(join(hostileSite, 'nodes/source/raw_events.html')).href);
    expect(await source.locator('p.description').textContent()).toBe(`</script><script>window.__xss = 'source'</script><img src=x onerror="window.__xss = 'img'">`);
    await shot(source, 'hostile-source', true);
    await source.close();

    // The graph panel renders the description from the embedded JSON: still text.
    const graph = await openGraph(hostileSite, '#source.raw_events');
    expect(await graph.locator('#panel p.description').textContent()).toContain(`<script>window.__xss = 'source'</script>`);
    await graph.locator('g.node[data-id="model.cleaned"]').click();
    await waitForHash(graph, '#model.cleaned');
    expect(await xssOf(graph)).toBeUndefined();
    await shot(graph, 'hostile-lineage');
    await graph.close();

    // A javascript: URL is not a link.
    const exposure = await open(pathToFileURL(join(hostileSite, 'nodes/exposure/evil_app.html')).href);
    expect(await exposure.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await exposure.locator('ul.links').textContent()).toContain("javascript:window.__xss = 'url'");
    await exposure.close();
  });
});

describe('a generated project with 500 models', () => {
  it('draws every node, and search and focus work', async () => {
    const data = graphData(bigSite);
    expect(data.nodes.filter((n) => n.kind === 'model')).toHaveLength(500);
    const page = await openGraph(bigSite);
    expect(await page.locator('g.node').count()).toBe(data.nodes.length);
    expect(await page.locator('path.edge').count()).toBe(data.edges.length);
    await expectLaidOutAndFitted(page, data, data.nodes.map((n) => n.id));
    await shot(page, 'p500-lineage-fit');

    await page.fill('#search', 'm_123');
    expect(await page.$$eval('g.node.match', (els) => els.map((e) => e.getAttribute('data-id')))).toEqual(['model.m_123']);
    await page.press('#search', 'Enter');
    await waitForHash(page, '#model.m_123');
    const family = familyOf(data, 'model.m_123');
    await expect.poll(() => inFocus(page), { timeout: 20_000 }).toEqual(family);
    // The focus alone is laid out and fitted: close enough to read the labels.
    await expectLaidOutAndFitted(page, data, family);
    expect(await page.locator('g.node[data-id="model.m_123"] text.label').isVisible()).toBe(true);
    await page.fill('#search', '');
    await shot(page, 'p500-focus-m_123');

    // Zoom out with the buttons: labels disappear below the readable scale, nodes stay.
    for (let k = 0; k < 8; k++) await page.click('#zoom-out');
    expect(await page.locator('g.node[data-id="model.m_123"] text.label').isVisible()).toBe(false);
    expect(await page.locator('g.node[data-id="model.m_123"] > rect').first().isVisible()).toBe(true);
    // Fit fits the focus again, not the whole project.
    await page.click('#zoom-fit');
    await expectLaidOutAndFitted(page, data, family);
    // Wheel zoom around the pointer, then drag to pan.
    const box = (await page.locator('svg#graph').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const before = await page.locator('#viewport').getAttribute('transform');
    await page.mouse.wheel(0, -800);
    await page.waitForFunction(`document.getElementById('viewport').getAttribute('transform') !== ${JSON.stringify(before)}`);
    const zoomed = await page.locator('#viewport').getAttribute('transform');
    await page.mouse.move(box.x + 200, box.y + 200);
    await page.mouse.down();
    await page.mouse.move(box.x + 320, box.y + 260, { steps: 5 });
    await page.mouse.up();
    expect(await page.locator('#viewport').getAttribute('transform')).not.toBe(zoomed);
    expect(await page.evaluate('location.hash')).toBe('#model.m_123');
    await shot(page, 'p500-zoomed');
    await page.close();
  });
});

/** Runs `action` (browser-side statements, `i` is the step) `steps` times; each time, the milliseconds until the frame after the next one. */
async function frameTimes(page: Page, action: string, steps = 12): Promise<number[]> {
  return (await page.evaluate(`(async () => {
    const svg = document.getElementById('graph');
    const r = svg.getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const frame = () => new Promise((res) => requestAnimationFrame(() => res()));
    const out = [];
    await frame();
    await frame();
    for (let i = 0; i < ${steps}; i++) {
      const t0 = performance.now();
      ${action}
      await frame();
      await frame();
      out.push(Math.round((performance.now() - t0) * 10) / 10);
    }
    return out;
  })()`)) as number[];
}
const wheelAt = (deltaY: string) => `svg.dispatchEvent(new WheelEvent('wheel', { deltaY: ${deltaY}, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const stats = (page: Page) => page.evaluate(`document.getElementById('graph').streamtStats()`) as Promise<{ layoutMs: number; shown: number; culled: number; scale: number; moving: boolean }>;

describe('a generated project with 1,000 models', () => {
  const timings: Record<string, unknown> = {};

  afterAll(() => {
    // The timing output: printed and saved, never asserted (the machine is shared and loaded).
    const report = { loadavg: loadavg().map((x) => Math.round(x * 100) / 100), ...timings };
    writeFileSync(join(ARTIFACTS, 'frame-times.json'), JSON.stringify(report, null, 2) + '\n');
    console.log(`[docs graph, 1,000 models] ${JSON.stringify(report)}`);
  });

  it('re-lays out a tag filter and a focus, fits them, and restores the whole graph', async () => {
    const data = graphData(site1000);
    expect(data.nodes.filter((n) => n.kind === 'model')).toHaveLength(1000);
    const started = Date.now();
    const page = await openGraph(site1000);
    timings.openToReadyMs = Date.now() - started;
    timings.fullLayoutMs = Math.round((await stats(page)).layoutMs);
    const all = data.nodes.map((n) => n.id);
    await expectLaidOutAndFitted(page, data, all);
    const full = await drawnPositions(page);
    await shot(page, 'p1000-lineage-fit');

    // A tag keeps a fifth of the models, scattered all over the full layout: laid out on their own.
    const tagged = data.nodes.filter((n) => n.tags.includes('layer_3')).map((n) => n.id);
    expect(tagged.length).toBe(200);
    await page.selectOption('#filter-tag', 'layer_3');
    await expectLaidOutAndFitted(page, data, tagged);
    timings.tagFilterLayoutMs = Math.round((await stats(page)).layoutMs);
    expect(await page.locator('#status').textContent()).toBe(`200 of ${data.nodes.length} nodes`);
    await shot(page, 'p1000-filter-tag-layer_3');
    // Fit after zooming away fits the filtered nodes, not the project.
    for (let k = 0; k < 3; k++) await page.click('#zoom-out');
    await page.click('#zoom-fit');
    await expectLaidOutAndFitted(page, data, tagged);

    // A focus inside the filter: the node, its upstream and downstream that the filter lets through.
    await page.locator('g.node[data-id="model.m_13"]').click();
    await waitForHash(page, '#model.m_13');
    const focusedTagged = familyOf(data, 'model.m_13').filter((id) => id === 'model.m_13' || tagged.includes(id));
    await expect.poll(async () => Object.keys(await drawnPositions(page)).sort(), { timeout: 20_000 }).toEqual(focusedTagged);
    await expectLaidOutAndFitted(page, data, focusedTagged);
    await shot(page, 'p1000-filter-and-focus-m_13');

    // Without the filter: the whole family of the node.
    await page.selectOption('#filter-tag', '');
    const family = familyOf(data, 'model.m_13');
    await expectLaidOutAndFitted(page, data, family);
    timings.focusLayoutMs = Math.round((await stats(page)).layoutMs);
    await shot(page, 'p1000-focus-m_13');

    // Clearing the focus restores the full layout, node for node.
    await page.keyboard.press('Escape');
    await waitForHash(page, '');
    await expectLaidOutAndFitted(page, data, all);
    expect(await drawnPositions(page)).toEqual(full);
    await page.close();
  });

  it('zooms and pans with one transform, drawing only what is on screen (frame times printed)', async () => {
    const page = await openGraph(site1000);
    const data = graphData(site1000);
    const viewport = () => page.locator('#viewport').getAttribute('transform');

    const before = await viewport();
    const atFit = await frameTimes(page, wheelAt('i < 6 ? -120 : 120'));
    expect(await viewport()).not.toBe(before);
    // Six steps in, six out: back where it started.
    const back = /scale\(([\d.e-]+)\)/.exec((await viewport())!)![1];
    expect(Number(back)).toBeCloseTo(Number(/scale\(([\d.e-]+)\)/.exec(before!)![1]), 6);
    expect((await stats(page)).culled).toBe(0);

    // Zoom in far enough to read labels: most of the project is off screen and not drawn.
    const box = (await page.locator('svg#graph').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let k = 0; k < 6; k++) await page.click('#zoom-in');
    // Culling catches up once the view settles.
    await expect.poll(async () => (await stats(page)).moving, { timeout: 20_000 }).toBe(false);
    const zoomedIn = await stats(page);
    expect(zoomedIn.scale).toBeGreaterThan(0.4);
    expect(zoomedIn.culled).toBeGreaterThan(data.nodes.length / 2);
    const drawn = await page.$$eval('g.node:not(.filtered-out):not(.culled)', (els) => els.length);
    expect(drawn).toBe(data.nodes.length - zoomedIn.culled);
    // What is drawn covers the screen: nodes on screen are drawn, with their labels.
    const onScreen = (await page.evaluate(`(() => {
      const r = document.getElementById('graph').getBoundingClientRect();
      const ids = [];
      for (const g of document.querySelectorAll('g.node:not(.filtered-out):not(.culled)')) {
        const b = g.getBoundingClientRect();
        if (b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom) ids.push(g.getAttribute('data-id'));
      }
      return ids;
    })()`)) as string[];
    expect(onScreen.length).toBeGreaterThan(10);
    const centre: string | null = onScreen[Math.floor(onScreen.length / 2)]!;
    expect(centre).not.toBeNull();
    // Labels are left out while the view moves, and back once it settles.
    await expect.poll(() => page.locator(`g.node[data-id="${centre}"] text.label`).isVisible(), { timeout: 20_000 }).toBe(true);
    // A wheel event hides labels at once (checked in the same task, before any timer can run).
    const during = (await page.evaluate(`(() => {
      const svg = document.getElementById('graph');
      const r = svg.getBoundingClientRect();
      svg.dispatchEvent(new WheelEvent('wheel', { deltaY: -10, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));
      return [svg.classList.contains('moving'), getComputedStyle(document.querySelector('g.node[data-id=${JSON.stringify(centre)}] text.label')).display];
    })()`)) as [boolean, string];
    expect(during).toEqual([true, 'none']);
    const zoomed = await frameTimes(page, wheelAt('i % 2 ? -60 : 60'));
    // The frame that brings the labels back after a gesture: measured from the end of the gesture.
    const settle = (await page.evaluate(`new Promise((resolve) => {
      const svg = document.getElementById('graph');
      const r = svg.getBoundingClientRect();
      svg.dispatchEvent(new WheelEvent('wheel', { deltaY: 10, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));
      const watch = new MutationObserver(() => {
        if (svg.classList.contains('moving')) return;
        watch.disconnect();
        const t0 = performance.now();
        requestAnimationFrame(() => requestAnimationFrame(() => resolve(Math.round((performance.now() - t0) * 10) / 10)));
      });
      watch.observe(svg, { attributes: true, attributeFilter: ['class'] });
    })`)) as number;
    expect((await stats(page)).moving).toBe(false);
    // One continuous drag, 40 px a step (a brisk drag at 60 frames a second is 10 to 40 px a frame).
    const culledBefore = await page.$$eval('g.node.culled', (els) => els.map((e) => e.getAttribute('data-id')).sort());
    const pan = await frameTimes(
      page,
      `if (i === 0) svg.dispatchEvent(new PointerEvent('pointerdown', { button: 0, clientX: cx, clientY: cy, bubbles: true }));
       window.dispatchEvent(new PointerEvent('pointermove', { clientX: cx - 40 * (i + 1), clientY: cy - 15 * (i + 1) }));`,
      24,
    );
    await page.evaluate(`window.dispatchEvent(new PointerEvent('pointerup', {}))`);
    await expect.poll(async () => (await stats(page)).moving, { timeout: 20_000 }).toBe(false);
    expect(await page.evaluate('location.hash')).toBe('');
    // A pan brings other nodes in: the culling follows the view.
    expect(await page.$$eval('g.node.culled', (els) => els.map((e) => e.getAttribute('data-id')).sort())).not.toEqual(culledBefore);
    await shot(page, 'p1000-zoomed-in');
    const labelsThreshold = await frameTimes(page, wheelAt('i % 2 ? 350 : -350'), 8);
    timings.frameMs = {
      method: 'time from the event to the second animation frame after it (the frame showing it has been rendered); 1440x900 headless Chromium, software rendering',
      zoomAtFit: { median: median(atFit), max: Math.max(...atFit), all: atFit },
      zoomLabelsShown: { median: median(zoomed), max: Math.max(...zoomed), all: zoomed },
      settleWithLabels: settle,
      zoomAcrossLabelScale: { median: median(labelsThreshold), max: Math.max(...labelsThreshold), all: labelsThreshold },
      pan: { median: median(pan), max: Math.max(...pan), all: pan },
    };
    timings.drawnWhenZoomedIn = `${drawn} of ${data.nodes.length} nodes`;
    await page.close();
  });
});

describe('network', () => {
  it('no page requested anything outside its site', () => {
    const sites = [paymentsSite, hostileSite, bigSite, site1000].map((s) => pathToFileURL(s).href + '/');
    const outside = requests.filter((u) => !sites.some((s) => u.startsWith(s)));
    expect(requests.length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });
});
