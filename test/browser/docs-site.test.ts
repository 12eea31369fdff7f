/**
 * The docs site in a real browser: Debian's chromium driven by playwright-core, pages opened
 * from file:// as a user would. Checks that the graph draws every node, that search, filters,
 * click-to-focus and hash routing work, that hostile descriptions stay text, and that no page
 * requests anything outside the site. Screenshots go to test-artifacts/docs/.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsGenerateCommand } from '../../src/cli/commands/docs.js';
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
  cpSync(project, root, { recursive: true, filter: (src) => src !== join(project, 'generated') });
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

let paymentsSite: string;
let hostileSite: string;
let bigSite: string;

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  paymentsSite = await buildSite(join(REPO, 'examples/payments'), join(REPO, 'test/fixtures/docs/payments-run_results.json'));
  hostileSite = await buildSite(join(REPO, 'test/fixtures/docs/hostile'), join(REPO, 'test/fixtures/docs/hostile-run_results.json'));
  const { generateProject } = (await import(pathToFileURL(join(REPO, 'bench/generate.mjs')).href)) as { generateProject: (n: number, dir: string) => void };
  const big = join(work, 'generated-500');
  generateProject(500, big);
  bigSite = await buildSite(big);
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
    expect(await inFocus(page)).toEqual(['exposure.finance_dashboard', 'exposure.payments_api', 'model.customer_totals', 'model.payments_clean', 'source.card_payments_raw']);
    expect(await page.$$eval('g.node.in-focus.selected', (els) => els.length)).toBe(1);
    // Dimmed: everything outside the focus.
    const dimmed = await page.evaluate(`getComputedStyle(document.querySelector('g.node[data-id="model.high_risk_payments"]')).opacity`);
    expect(Number(dimmed)).toBeLessThan(0.5);
    expect(await page.locator('#panel').isVisible()).toBe(true);
    expect(await page.locator('#panel').textContent()).toContain('finance_dashboard');
    await shot(page, 'payments-focus');

    // The panel's chips navigate too.
    await page.locator('#panel button.node-chip', { hasText: 'payments_clean' }).first().click();
    await waitForHash(page, '#model.payments_clean');

    const box = (await page.locator('svg#graph').boundingBox())!;
    await page.mouse.click(box.x + 5, box.y + 5);
    await waitForHash(page, '');
    expect(await inFocus(page)).toEqual([]);
    expect(await page.locator('#panel').isVisible()).toBe(false);
    await page.close();
  });

  it('opens focused on the node named in the URL hash', async () => {
    const page = await openGraph(paymentsSite, '#source.customers');
    expect(await page.locator('#panel-title').textContent()).toBe('customers');
    expect(await inFocus(page)).toEqual(['exposure.crm_sync', 'exposure.fraud_scoring_service', 'model.high_risk_payments', 'model.payments_enriched', 'source.customers']);
    await page.close();
  });

  it('filters by owner, tag, materialization and classification', async () => {
    const data = graphData(paymentsSite);
    const page = await openGraph(paymentsSite);
    const visible = () => page.$$eval('g.node:not(.filtered-out)', (els) => els.map((e) => e.getAttribute('data-id')!).sort());
    await page.selectOption('#filter-owner', 'team-fraud');
    expect(await visible()).toEqual(data.nodes.filter((n) => n.owner === 'team-fraud').map((n) => n.id).sort());
    await page.selectOption('#filter-owner', '');
    await page.selectOption('#filter-tag', 'finance');
    expect(await visible()).toEqual(['model.customer_totals', 'model.payments_to_postgres']);
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
    await shot(page, 'payments-filter-highly-sensitive');
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
    await shot(page, 'p500-lineage-fit');

    await page.fill('#search', 'm_123');
    expect(await page.$$eval('g.node.match', (els) => els.map((e) => e.getAttribute('data-id')))).toEqual(['model.m_123']);
    await page.press('#search', 'Enter');
    await waitForHash(page, '#model.m_123');
    const i = data.nodes.findIndex((n) => n.id === 'model.m_123');
    const family = [i, ...reach(data, i, 'up'), ...reach(data, i, 'down')].map((j) => data.nodes[j]!.id).sort();
    expect(await inFocus(page)).toEqual(family);
    // Focusing zooms in far enough to read the labels.
    expect(await page.locator('g.node[data-id="model.m_123"] text.label').isVisible()).toBe(true);
    await page.fill('#search', '');
    await shot(page, 'p500-focus-m_123');

    // Zoom out with the buttons: labels disappear below the readable scale, nodes stay.
    for (let k = 0; k < 6; k++) await page.click('#zoom-out');
    expect(await page.locator('g.node[data-id="model.m_123"] text.label').isVisible()).toBe(false);
    await page.click('#zoom-fit');
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

describe('network', () => {
  it('no page requested anything outside its site', () => {
    const sites = [paymentsSite, hostileSite, bigSite].map((s) => pathToFileURL(s).href + '/');
    const outside = requests.filter((u) => !sites.some((s) => u.startsWith(s)));
    expect(requests.length).toBeGreaterThan(0);
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });
});
