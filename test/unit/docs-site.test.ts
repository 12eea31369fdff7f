import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDocsSite, parseRunResults, redact } from '../../src/docs/index.js';
import { compileDir, REPO } from '../golden/helpers.js';

const assets = {
  appJs: readFileSync(join(REPO, 'templates/docs/app.js'), 'utf8'),
  styleCss: readFileSync(join(REPO, 'templates/docs/style.css'), 'utf8'),
};
const fixture = (name: string) => readFileSync(join(REPO, 'test/fixtures/docs', name), 'utf8');

function site(dir: string, runResultsFile?: string, generatedAt = '2026-01-01T00:00:00.000Z') {
  const { resolved, result } = compileDir(join(REPO, dir));
  const input: Parameters<typeof generateDocsSite>[0] = { resolved, compiled: result, assets, generatedAt, streamtVersion: '0.0.0-test' };
  if (runResultsFile) input.runResults = parseRunResults(fixture(runResultsFile)).results!;
  return generateDocsSite(input);
}

/** The graph data, read back the way the browser reads it. */
function graphData(html: string): { nodes: Record<string, unknown>[]; edges: [number, number][] } {
  const m = /<script type="application\/json" id="streamt-graph">([\s\S]*?)<\/script>/.exec(html);
  return JSON.parse(m![1]!);
}

describe('the site for examples/payments', () => {
  const { files, model } = site('examples/payments', 'payments-run_results.json');

  it('has an overview, a lineage page and a page per node', () => {
    expect(files.has('index.html')).toBe(true);
    expect(files.has('lineage.html')).toBe(true);
    for (const n of model.nodes) expect(files.has(n.page), n.page).toBe(true);
    expect(model.nodes.map((n) => n.kind).sort()).toEqual([...Array(4).fill('exposure'), ...Array(6).fill('model'), ...Array(2).fill('source'), ...Array(3).fill('test')].sort());
  });

  it('puts sources, models, exposures and tests in the graph, with every edge', () => {
    const data = graphData(files.get('lineage.html')!);
    expect(data.nodes.map((n) => n.id)).toEqual(model.nodes.map((n) => n.id));
    expect(data.nodes.filter((n) => n.kind === 'source').map((n) => n.name)).toEqual(['card_payments_raw', 'customers']);
    expect(data.edges).toHaveLength(model.edges.length);
    const names = data.nodes.map((n) => n.name);
    const edge = (a: string, b: string) => data.edges.some(([x, y]) => names[x] === a && names[y] === b);
    expect(edge('card_payments_raw', 'payments_clean')).toBe(true);
    expect(edge('payments_api', 'card_payments_raw')).toBe(true);
    expect(edge('high_risk_payments', 'fraud_scoring_service')).toBe(true);
  });

  it('makes no reference to anything outside the site', () => {
    for (const [path, content] of files) {
      if (!path.endsWith('.html')) continue;
      for (const m of content.matchAll(/<(script|link|img|iframe)\b[^>]*\b(src|href)="([^"]*)"/g)) expect(m[3], `${path}: ${m[0]}`).not.toMatch(/^[a-z]+:|^\/\//i);
      expect(content).not.toMatch(/@import|url\(/);
    }
    expect(files.get('assets/style.css')).not.toMatch(/@import|url\(\s*['"]?(https?:)?\/\//);
    for (const script of ['assets/app.js', 'assets/layout.js']) expect(files.get(script), script).not.toMatch(/fetch\(|XMLHttpRequest|import\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('carries each column\'s input columns in the graph data, and links each column to its path in the graph', () => {
    const data = graphData(files.get('lineage.html')!);
    const index = (id: string) => data.nodes.findIndex((n) => n.id === id);
    const columns = (id: string) => data.nodes[index(id)]!.columns as [string, [number, string][]?][];
    // A source's columns have no inputs; a model column lists the (node index, column) it derives from.
    expect(columns('source.customers').find((c) => c[0] === 'risk_band')).toEqual(['risk_band']);
    expect(columns('model.payments_enriched').find((c) => c[0] === 'risk_band')).toEqual(['risk_band', [[index('source.customers'), 'risk_band']]]);
    expect(columns('model.customer_spend_5m').find((c) => c[0] === 'total_amount_cents')).toEqual(['total_amount_cents', [[index('model.payments_clean'), 'amount_cents']]]);
    expect(data.nodes[index('exposure.finance_dashboard')]!.columns).toBeUndefined();
    const page = files.get(model.byId.get('model.payments_enriched')!.page)!;
    expect(page).toContain('<a class="column-path-link" href="../../lineage.html#model.payments_enriched/risk_band"');
    expect(files.get(model.byId.get('source.customers')!.page)!).toContain('href="../../lineage.html#source.customers/risk_band"');
  });

  it('ships the layout engine to the lineage page only, before the app that uses it', () => {
    expect(files.get('assets/layout.js')).toContain('var streamtLayout = (function layoutEngine()');
    expect([...files.get('lineage.html')!.matchAll(/<script src="([^"]+)">/g)].map((m) => m[1])).toEqual(['assets/layout.js', 'assets/app.js']);
    expect(files.get('index.html')).not.toContain('layout.js');
    // Positions are the browser's to compute (for the whole graph or what a filter leaves): none embedded.
    const data = graphData(files.get('lineage.html')!);
    expect(data.nodes.every((n) => !('x' in n) && !('y' in n))).toBe(true);
  });

  it('shows what a model deploys, its SQL and its compiled Flink SQL', () => {
    const page = files.get(model.byId.get('model.payments_clean')!.page)!;
    expect(page).toContain('kafka.topic.payments_clean');
    expect(page).toContain('flink.job.payments_clean');
    expect(page).toContain('Compiled Flink SQL');
    expect(page).toContain('<span class="sql-keyword">INSERT</span>');
    expect(page).toContain('<span class="sql-template">{{ source(&quot;card_payments_raw&quot;) }}</span>');
    const sink = files.get(model.byId.get('model.payments_to_postgres')!.page)!;
    expect(sink).toContain('connect.connector.');
    expect(sink).toContain('io.debezium.connector.jdbc.JdbcSinkConnector');
  });

  it('lists the exposures a change would reach, transitively', () => {
    expect(model.byId.get('model.payments_clean')!.impacted).toEqual(['exposure.finance_dashboard', 'exposure.fraud_scoring_service']);
    expect(model.byId.get('source.customers')!.impacted).toEqual(['exposure.fraud_scoring_service']);
    expect(model.byId.get('model.customer_spend_5m')!.impacted).toEqual([]);
    const page = files.get(model.byId.get('model.payments_clean')!.page)!;
    expect(page).toMatch(/reaches 2 exposures \(owners: team-finance, team-fraud\)/);
    expect(page).toContain('max_end_to_end_latency_ms: 800');
  });

  it('shows which exposures depend on highly sensitive data, and whether the column still reaches them', () => {
    const highly = model.governance.classifications.find((c) => c.level === 'highly_sensitive')!;
    expect(highly.holders).toEqual([{ id: 'source.card_payments_raw', columns: ['card_number'] }]);
    // payments_clean keeps only the last four digits: the exposures depend on the source, not the column.
    expect(highly.exposures).toEqual([
      { id: 'exposure.finance_dashboard', via: ['source.card_payments_raw'], carried: false },
      { id: 'exposure.fraud_scoring_service', via: ['source.card_payments_raw'], carried: false },
    ]);
    const confidential = model.governance.classifications.find((c) => c.level === 'confidential')!;
    expect(confidential.exposures.find((x) => x.id === 'exposure.fraud_scoring_service')!.carried).toBe(true);
    expect(model.governance.exposuresByPurpose).toEqual([
      { purpose: '(no purpose declared)', exposures: ['exposure.crm_sync', 'exposure.finance_dashboard', 'exposure.payments_api'] },
      { purpose: 'fraud_detection', exposures: ['exposure.fraud_scoring_service'] },
    ]);
    expect(files.get('index.html')).toContain('Exposures by purpose');
  });

  it('shows the last test results from run_results.json', () => {
    expect(model.byId.get('test.payments_clean_quality')!.test!.result).toEqual({ test: 'payments_clean_quality', status: 'pass', failures: 0, message: '500 records sampled' });
    expect(model.byId.get('test.payments_raw_schema')!.test!.result!.status).toBe('warn');
    expect(model.tests.counts).toEqual({ pass: 1, fail: 1, warn: 1 });
    const spend = files.get(model.byId.get('model.customer_spend_5m')!.page)!;
    expect(spend).toContain('<span class="badge status status-fail">fail</span>');
    expect(spend).toContain('total_amount_cents below 0 in 2 windows');
    expect(graphData(files.get('lineage.html')!).nodes.find((n) => n.name === 'customer_spend_watch')!.status).toBe('fail');
    const attention = /<section id="test-results">([\s\S]*?)<\/section>/.exec(files.get('index.html')!)![1]!;
    expect(attention).toContain('customer_spend_watch');
    expect(attention).toContain('payments_raw_schema');
    expect(attention).not.toContain('payments_clean_quality');
  });

  it('says when there are no test results', () => {
    const { files: plain, model: m } = site('examples/payments');
    expect(m.tests.hasResults).toBe(false);
    expect(plain.get(m.byId.get('model.payments_clean')!.page)).toContain('No run_results.json');
  });

  it('is deterministic: only the generated-at line changes with the clock', () => {
    const again = site('examples/payments', 'payments-run_results.json', '2030-12-31T23:59:59.000Z').files;
    expect([...again.keys()]).toEqual([...files.keys()]);
    for (const [path, content] of files) {
      const strip = (s: string) => s.replace(/2026-01-01T00:00:00\.000Z|2030-12-31T23:59:59\.000Z/g, 'T');
      expect(strip(again.get(path)!), path).toBe(strip(content));
    }
    expect(files.get('index.html')).toContain('Generated by streamt 0.0.0-test at 2026-01-01T00:00:00.000Z');
  });
});

describe('user-written text is escaped', () => {
  const { files, model } = site('test/fixtures/docs/hostile', 'hostile-run_results.json');
  const html = [...files].filter(([p]) => p.endsWith('.html'));

  it('never emits user markup as HTML', () => {
    for (const [path, content] of html) {
      // Our own elements only: the app script, and the JSON data on the lineage page.
      const scripts = [...content.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.every((s) => /^<script src="(\.\.\/)*assets\/(app|layout)\.js">$/.test(s) || s === '<script type="application/json" id="streamt-graph">'), path).toBe(true);
      // Event-handler text can only matter inside a tag, and no user tag survives.
      expect(content, path).not.toMatch(/<img|<svg(?! id="graph")|<i>|<b>|onerror="/);
      expect(content, path).not.toMatch(/href="javascript:/i);
    }
  });

  it('shows the hostile text as text', () => {
    const source = files.get(model.byId.get('source.raw_events')!.page)!;
    expect(source).toContain('&lt;/script&gt;&lt;script&gt;window.__xss = &#39;source&#39;&lt;/script&gt;&lt;img src=x onerror=&quot;');
    expect(source).toContain('team-&lt;i&gt;evil&lt;/i&gt;');
    const exposure = files.get(model.byId.get('exposure.evil_app')!.page)!;
    expect(exposure).toContain('<span>javascript:window.__xss = &#39;url&#39;</span>');
    const test = files.get(model.byId.get('test.cleaned_ids')!.page)!;
    expect(test).toContain('&lt;script&gt;window.__xss = &#39;result&#39;&lt;/script&gt; 3 null ids');
  });

  it('keeps the embedded graph data inside its script element, intact', () => {
    const lineage = files.get('lineage.html')!;
    expect(lineage.match(/<\/script>/g)).toHaveLength(3);
    const data = graphData(lineage);
    expect(data.nodes.find((n) => n.name === 'raw_events')!.description).toBe(
      `</script><script>window.__xss = 'source'</script><img src=x onerror="window.__xss = 'img'">`,
    );
    expect(data.nodes.find((n) => n.name === 'cleaned')!.description).toContain('\u2028 line separator & ampersand <!-- comment');
    expect(data.nodes.find((n) => n.name === 'raw_events')!.tags).toEqual(['<svg onload=alert(1)>']);
  });
});

describe('run_results.json', () => {
  it('reads test, status, failures and message, and skips malformed entries with a warning', () => {
    const { results, diagnostics } = parseRunResults(fixture('payments-run_results.json'));
    expect([...results!.byTest.keys()]).toEqual(['payments_clean_quality', 'customer_spend_watch', 'payments_raw_schema', 'no_such_test']);
    expect(results!.generatedAt).toBe('2026-01-02T03:04:05Z');
    expect(diagnostics.map((d) => [d.code, d.severity])).toEqual([['DOCS_RUN_RESULTS_INVALID', 'warning']]);
  });

  it('warns about a file that is not JSON or has no results', () => {
    expect(parseRunResults('{').diagnostics[0]!.code).toBe('DOCS_RUN_RESULTS_INVALID');
    expect(parseRunResults('{"tests": []}').results).toBeUndefined();
    expect(parseRunResults('{"results": [{"test": "t", "status": "exploded"}]}').results!.byTest.size).toBe(0);
  });
});

describe('secrets', () => {
  it('are masked raw, HTML-escaped and JSON-escaped', () => {
    expect(redact(`a s3<cr"et b s3&lt;cr&quot;et c s3\\u003ccr\\"et`, ['s3<cr"et'])).toBe('a **** b **** c ****');
  });
});
