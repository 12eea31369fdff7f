/**
 * HTML pages of the docs site, rendered from the view model. Every user-written value passes
 * through `escapeHtml` (or the SQL highlighter, which escapes too); links to user URLs only for
 * http(s)/mailto. The graph data is embedded as escaped JSON in a non-executable script element.
 */
import { escapeHtml as h, jsonForScript, safeUrl } from './escape.js';
import { highlightSql } from './highlight.js';
import { NO_OWNER, type DocsColumn, type DocsModel, type DocsNode } from './model.js';
import type { NodeId } from '../project/types.js';

export interface RenderOptions {
  generatedAt?: string;
  streamtVersion?: string;
}

/** Content Security Policy of every page: nothing but the site's own script and style, no network. */
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

function shell(model: DocsModel, title: string, depth: number, body: string, active: 'index' | 'lineage' | 'node', extraHead = '', scripts: string[] = []): string {
  const root = '../'.repeat(depth);
  const nav = (href: string, label: string, key: string) => `<a href="${root}${href}"${active === key ? ' aria-current="page"' : ''}>${label}</a>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<title>${h(title)} · ${h(model.project.name)} · streamt docs</title>
<link rel="stylesheet" href="${root}assets/style.css">
${extraHead}</head>
<body class="page-${active}">
<header class="topbar">
<a class="brand" href="${root}index.html">${h(model.project.name)}</a>
<nav>${nav('index.html', 'Overview', 'index')}${nav('lineage.html', 'Lineage', 'lineage')}</nav>
</header>
${body}
${[...scripts, 'assets/app.js'].map((src) => `<script src="${root}${src}"></script>`).join('\n')}
</body>
</html>
`;
}

const KIND_LABEL: Record<DocsNode['kind'], string> = { source: 'source', model: 'model', test: 'test', exposure: 'exposure' };

function badge(text: string, cls: string): string {
  return `<span class="badge ${cls}">${h(text)}</span>`;
}

function nodeBadges(d: DocsNode): string {
  let out = badge(KIND_LABEL[d.kind], `kind-${d.kind}`);
  if (d.materialized) out += ' ' + badge(d.materialized, 'mat');
  if (d.exposureType) out += ' ' + badge(d.exposureType, 'mat');
  if (d.classification) out += ' ' + badge(d.classification, `cls cls-${d.classification}`);
  if (d.test?.result) out += ' ' + badge(d.test.result.status, `status status-${d.test.result.status}`);
  return out;
}

function link(model: DocsModel, id: NodeId, root: string): string {
  const d = model.byId.get(id);
  if (!d) return h(id);
  return `<a class="node-link kind-${d.kind}" href="${root}${h(d.page)}">${h(d.name)}</a>`;
}

/** A model column's classification: the level, whether the data is masked, and why (as a tooltip and a note). */
function columnClassification(c: DocsColumn): string {
  const parts: string[] = [];
  if (c.classification) parts.push(badge(c.classification, `cls cls-${c.classification}`));
  if (c.masked) parts.push(badge(`masked: ${c.masked}`, 'masked'));
  if (c.maskedAtReadFor?.length) parts.push(badge(`masked at read for ${c.maskedAtReadFor.join(', ')}`, 'masked-at-read'));
  if (c.classificationReason) parts.push(`<div class="muted cls-reason">${h(c.classificationReason)}</div>`);
  return parts.join(' ');
}

/** The column's name, its anchor, and a link to its path highlighted in the lineage graph. */
function columnName(d: DocsNode, c: DocsColumn, root: string): string {
  const href = `${root}lineage.html#${encodeURIComponent(d.id)}/${encodeURIComponent(c.name)}`;
  return `<span id="col-${h(c.name)}">${h(c.name)}</span> <a class="column-path-link" href="${h(href)}" title="Highlight this column's lineage path in the graph">show in graph</a>`;
}

/** The input columns a model column derives from, each linked to its node's page and column. */
function derivesFrom(model: DocsModel, c: DocsColumn, root: string): string {
  if (!c.derivesFrom) return '<span class="muted">unknown</span>';
  const inputs = c.derivesFrom.map((i) => {
    const d = model.byId.get(i.id);
    const target = d ? `<a class="column-link kind-${d.kind}" href="${root}${h(d.page)}#col-${h(i.column.split('.')[0]!)}">${h(d.name)}.${h(i.column)}</a>` : h(`${i.id}.${i.column}`);
    return target;
  });
  const how = c.transform ? ` <span class="muted transform">(${h(c.transform)})</span>` : '';
  const partial = c.lineagePartial ? ' <span class="muted">(incomplete: an input schema is unknown)</span>' : '';
  return (inputs.length ? inputs.join('<br>') : '<span class="muted">no input column</span>') + how + partial;
}

function table(headers: string[], rows: string[][], cls = ''): string {
  if (!rows.length) return '';
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${headers.map((x) => `<th>${x}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function keyValues(rows: [string, string][]): string {
  if (!rows.length) return '';
  return `<dl class="facts">${rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${h(v)}</dd>`).join('')}</dl>`;
}

function section(title: string, content: string, id?: string): string {
  if (!content) return '';
  return `<section${id ? ` id="${id}"` : ''}><h2>${h(title)}</h2>${content}</section>`;
}

function code(sql: string, label: string): string {
  return `<pre class="code" aria-label="${h(label)}"><code>${highlightSql(sql)}</code></pre>`;
}

function testResultCell(d: DocsNode): string {
  const r = d.test?.result;
  if (!r) return '<span class="muted">not run</span>';
  let text = badge(r.status, `status status-${r.status}`);
  if (r.failures !== undefined) text += ` <span class="muted">${h(String(r.failures))} failure${r.failures === 1 ? '' : 's'}</span>`;
  if (r.message) text += `<div class="message">${h(r.message)}</div>`;
  return text;
}

function exposureRow(model: DocsModel, id: NodeId, root: string): string[] {
  const e = model.byId.get(id)!;
  const sla = e.sections.find((s) => s.title === 'SLA')?.rows.map(([k, v]) => `${k}: ${v}`).join('; ') ?? '';
  return [link(model, id, root), h(e.exposureType ?? ''), h(e.owner ?? ''), h(e.access?.purpose ?? ''), h(e.access?.roles.join(', ') ?? ''), h(sla)];
}
const EXPOSURE_HEADERS = ['Exposure', 'Type', 'Owner', 'Purpose', 'Roles', 'SLA'];

export function renderNodePage(model: DocsModel, d: DocsNode, opts: RenderOptions = {}): string {
  const depth = d.page.split('/').length - 1;
  const root = '../'.repeat(depth);
  const parts: string[] = [];
  parts.push(`<main class="node-page">`);
  parts.push(`<p class="crumbs">${nodeBadges(d)} <a class="lineage-link" href="${root}lineage.html#${encodeURIComponent(d.id)}">Show in lineage</a></p>`);
  parts.push(`<h1>${h(d.name)}</h1>`);
  parts.push(d.description ? `<p class="description">${h(d.description)}</p>` : `<p class="description muted">No description.</p>`);

  const facts: [string, string][] = [];
  facts.push(['owner', d.owner ?? NO_OWNER]);
  if (d.tags.length) facts.push(['tags', d.tags.join(', ')]);
  facts.push(['declared in', d.file]);
  if (d.materialized) facts.push(['materialization', d.materialized]);
  if (d.materializationReason) facts.push(['why', d.materializationReason]);
  if (d.upstreamClassification && d.upstreamClassification !== d.classification) facts.push(['upstream data up to', d.upstreamClassification]);
  facts.push(...d.facts);
  if (d.access) {
    facts.push(['allowed roles', d.access.roles.join(', ') || '(none)']);
    if (d.access.purpose) facts.push(['purpose', d.access.purpose]);
  }
  parts.push(keyValues(facts));
  if (d.links.length) {
    parts.push(
      `<ul class="links">${d.links
        .map((l) => {
          const url = safeUrl(l.url);
          return `<li>${h(l.label)}: ${url ? `<a href="${h(url)}" rel="noreferrer noopener">${h(l.url)}</a>` : `<span>${h(l.url)}</span>`}</li>`;
        })
        .join('')}</ul>`,
    );
  }

  if (d.test) {
    const t = d.test;
    parts.push(
      section(
        'Test',
        `<dl class="facts"><dt>on</dt><dd>${t.targetId ? link(model, t.targetId, root) : h(t.target)}</dd></dl>` +
          `<ul class="assertions">${t.assertions.map((a) => `<li><code>${h(a)}</code></li>`).join('')}</ul>` +
          `<p>Last result: ${testResultCell(d)}</p>`,
      ),
    );
  }

  parts.push(
    section(
      'Deploys to',
      d.deploys
        .map(
          (x) =>
            `<div class="deploy"><h3>${badge(x.kind, 'deploy-kind')} ${h(x.name)}</h3><p class="muted addr">${h(x.addr)}</p>${keyValues(x.facts)}${
              x.file ? `<details><summary>${h(x.file.path)}</summary><pre class="code"><code>${h(x.file.content)}</code></pre></details>` : ''
            }</div>`,
        )
        .join(''),
      'deploys',
    ),
  );

  parts.push(
    section(
      'Columns',
      d.kind === 'model'
        ? table(
            ['Column', 'Type', 'Classification', 'Derives from', 'Description'],
            d.columns.map((c) => [
              columnName(d, c, root),
              c.type ? `<code>${h(c.type)}</code>` : '',
              columnClassification(c),
              derivesFrom(model, c, root),
              h(c.description ?? ''),
            ]),
            'columns-lineage',
          )
        : table(
            ['Column', 'Type', 'Classification', 'Description'],
            d.columns.map((c) => [d.kind === 'source' ? columnName(d, c, root) : `<span id="col-${h(c.name)}">${h(c.name)}</span>`, c.type ? `<code>${h(c.type)}</code>` : '', c.classification ? badge(c.classification, `cls cls-${c.classification}`) : '', h(c.description ?? '')]),
          ),
      'columns',
    ),
  );

  if (d.sql !== undefined) parts.push(section('SQL', code(d.sql, 'model SQL'), 'sql'));
  if (d.compiledSql !== undefined) parts.push(section('Compiled Flink SQL', code(d.compiledSql, 'compiled Flink SQL'), 'compiled-sql'));

  for (const s of d.sections) parts.push(section(s.title, keyValues(s.rows)));

  if (d.tests.length) {
    parts.push(
      section(
        'Tests',
        table(
          ['Test', 'Type', 'Severity', 'Assertions', 'Last result'],
          d.tests.map((t) => {
            const td = model.byId.get(t)!;
            return [link(model, t, root), h(td.test?.type ?? ''), h(td.test?.severity ?? ''), h(td.test?.assertions.join('; ') ?? ''), testResultCell(td)];
          }),
        ) + (model.tests.hasResults ? '' : '<p class="muted">No run_results.json: run <code>streamt test</code> to see results here.</p>'),
        'tests',
      ),
    );
  }

  const directExposures = d.downstream.filter((x) => x.startsWith('exposure.'));
  if (d.kind !== 'exposure' && directExposures.length)
    parts.push(section('Exposures', table(EXPOSURE_HEADERS, directExposures.map((x) => exposureRow(model, x, root))), 'exposures'));

  const list = (ids: NodeId[]) => (ids.length ? `<ul class="node-list">${ids.map((x) => `<li>${link(model, x, root)}</li>`).join('')}</ul>` : '<p class="muted">None.</p>');
  parts.push(`<div class="two-cols">${section('Upstream', list(d.upstream))}${section('Downstream', list(d.downstream))}</div>`);

  if (d.kind !== 'test') {
    const impactedOwners = [...new Set([...d.impacted].map((x) => model.byId.get(x)!.owner ?? NO_OWNER))].sort();
    parts.push(
      section(
        'Impact of a change',
        d.impacted.length
          ? `<p>A change to <strong>${h(d.name)}</strong> reaches ${d.impacted.length} exposure${d.impacted.length === 1 ? '' : 's'} (owners: ${h(impactedOwners.join(', '))}).</p>` +
              table(EXPOSURE_HEADERS, d.impacted.map((x) => exposureRow(model, x, root)))
          : '<p class="muted">No exposure depends on this node.</p>',
        'impact',
      ),
    );
  }
  parts.push(`</main>`);
  return shell(model, d.name, depth, parts.join('\n'), 'node');
}

export function renderIndexPage(model: DocsModel, opts: RenderOptions = {}): string {
  const nodes = model.nodes;
  const count = (kind: DocsNode['kind']) => nodes.filter((d) => d.kind === kind).length;
  const parts: string[] = ['<main class="index-page">'];
  parts.push(`<h1>${h(model.project.name)}${model.project.version ? ` <span class="muted">${h(model.project.version)}</span>` : ''}</h1>`);
  if (model.project.description) parts.push(`<p class="description">${h(model.project.description)}</p>`);
  if (model.project.environment) parts.push(`<p class="muted">Environment: ${h(model.project.environment)}</p>`);

  const cards: [string, string][] = [
    ['sources', String(count('source'))],
    ['models', String(count('model'))],
    ['tests', String(count('test'))],
    ['exposures', String(count('exposure'))],
  ];
  const mats = new Map<string, number>();
  for (const d of nodes) if (d.materialized) mats.set(d.materialized, (mats.get(d.materialized) ?? 0) + 1);
  for (const [m, n] of [...mats].sort()) cards.push([`${m} models`, String(n)]);
  if (model.tests.hasResults) for (const [s, n] of Object.entries(model.tests.counts).sort()) cards.push([`tests ${s}`, String(n)]);
  parts.push(`<div class="cards">${cards.map(([k, v]) => `<div class="card"><div class="card-value">${h(v)}</div><div class="card-label">${h(k)}</div></div>`).join('')}</div>`);
  parts.push(`<p><a class="button" href="lineage.html">Open the lineage graph</a></p>`);
  if (!model.compiled) parts.push('<p class="warning">The project did not compile: deployments and compiled SQL are missing from these pages.</p>');
  if (model.tests.hasResults && model.tests.generatedAt) parts.push(`<p class="muted">Test results from ${h(model.tests.generatedAt)}.</p>`);

  if (model.tests.hasResults) {
    const attention = nodes.filter((d) => d.test?.result && ['fail', 'error', 'warn'].includes(d.test.result.status));
    parts.push(
      section(
        'Tests needing attention',
        attention.length
          ? table(
              ['Test', 'On', 'Result'],
              attention.map((d) => [link(model, d.id, ''), d.test!.targetId ? link(model, d.test!.targetId, '') : h(d.test!.target), testResultCell(d)]),
            )
          : '<p class="muted">Every test that ran passed.</p>',
        'test-results',
      ),
    );
  }

  // Governance: who holds classified data and which exposures it reaches.
  const clsRows = model.governance.classifications
    .filter((c) => c.holders.length)
    .map((c) => [
      badge(c.level, `cls cls-${c.level}`),
      c.holders.map((x) => `${link(model, x.id, '')} <span class="muted">(${h(x.columns.join(', '))})</span>`).join('<br>'),
      c.exposures.length
        ? c.exposures.map((e) => `${link(model, e.id, '')} <span class="muted">${e.carried ? 'column still in consumed data' : 'upstream only'}</span>`).join('<br>')
        : '<span class="muted">none</span>',
    ]);
  parts.push(
    section(
      'Data classification',
      clsRows.length
        ? `<p class="muted">Nodes holding classified columns, and the exposures that depend on them, transitively. "Column still in consumed data" means a column of that name reaches what the exposure reads.</p>` +
            table(['Classification', 'Held by', 'Exposures depending on it'], clsRows, 'governance')
        : '<p class="muted">No column is classified.</p>',
      'classification',
    ),
  );
  parts.push(
    section(
      'Exposures by purpose',
      model.governance.exposuresByPurpose.length
        ? table(['Purpose', 'Exposures'], model.governance.exposuresByPurpose.map((g) => [h(g.purpose), g.exposures.map((x) => link(model, x, '')).join(', ')]))
        : '<p class="muted">No exposures.</p>',
      'purposes',
    ),
  );
  parts.push(
    section(
      'Exposures by owner',
      model.governance.exposuresByOwner.length
        ? table(['Owner', 'Exposures'], model.governance.exposuresByOwner.map((g) => [h(g.owner), g.exposures.map((x) => link(model, x, '')).join(', ')]))
        : '',
    ),
  );
  parts.push(
    section(
      'Owners',
      table(
        ['Owner', 'Sources', 'Models', 'Exposures'],
        model.governance.owners.map((g) => {
          const of = (k: DocsNode['kind']) => String(g.nodes.filter((x) => x.startsWith(`${k}.`)).length);
          return [h(g.owner), of('source'), of('model'), of('exposure')];
        }),
      ),
      'owners',
    ),
  );

  const allRows = nodes.map((d) => [
    link(model, d.id, ''),
    h(d.kind),
    h(d.materialized ?? d.exposureType ?? d.test?.type ?? ''),
    h(d.owner ?? ''),
    h(d.tags.join(', ')),
    d.classification ? badge(d.classification, `cls cls-${d.classification}`) : '',
    d.kind === 'test' ? testResultCell(d) : h(d.description ?? ''),
  ]);
  parts.push(
    section(
      'All nodes',
      `<input type="search" class="table-filter" data-filter-for="all-nodes" placeholder="Filter nodes" aria-label="Filter nodes">` +
        table(['Name', 'Kind', 'Materialization / type', 'Owner', 'Tags', 'Classification', 'Description / result'], allRows, 'all-nodes').replace('<table class="all-nodes">', '<table class="all-nodes" id="all-nodes">'),
      'nodes',
    ),
  );
  const stamp = [opts.streamtVersion ? `streamt ${h(opts.streamtVersion)}` : 'streamt', opts.generatedAt ? `at ${h(opts.generatedAt)}` : ''].filter(Boolean).join(' ');
  parts.push(`<footer class="muted">Generated by ${stamp}.</footer>`);
  parts.push('</main>');
  return shell(model, 'Overview', 0, parts.join('\n'), 'index');
}

/**
 * What the graph script needs, compact: edges are index pairs; positions are computed in the
 * browser by assets/layout.js, for the whole graph and for what a filter or a focus leaves.
 */
export function graphData(model: DocsModel): unknown {
  const index = new Map(model.nodes.map((d, i) => [d.id, i]));
  return {
    project: model.project.name,
    nodes: model.nodes.map((d) => {
      const n: Record<string, unknown> = { id: d.id, name: d.name, kind: d.kind, page: d.page, tags: d.tags };
      if (d.description) n.description = d.description;
      if (d.owner) n.owner = d.owner;
      if (d.materialized) n.materialized = d.materialized;
      if (d.exposureType) n.type = d.exposureType;
      if (d.classification) n.classification = d.classification;
      if (d.upstreamClassification) n.upstreamClassification = d.upstreamClassification;
      if (d.test?.result) n.status = d.test.result.status;
      if (d.impacted.length) n.impacted = d.impacted.map((x) => index.get(x));
      // Column-level lineage, for highlighting a column's path: [name] or [name, [[input node, input column], ...]].
      if (d.columns.length && (d.kind === 'source' || d.kind === 'model')) {
        n.columns = d.columns.map((c) => {
          const inputs = (c.derivesFrom ?? []).filter((i) => index.has(i.id)).map((i) => [index.get(i.id), i.column]);
          return inputs.length ? [c.name, inputs] : [c.name];
        });
      }
      return n;
    }),
    edges: model.edges.map((e) => [index.get(e.from), index.get(e.to)]),
  };
}

export function renderLineagePage(model: DocsModel): string {
  const body = `<main class="lineage">
<div class="toolbar" role="toolbar" aria-label="Graph controls">
<input type="search" id="search" placeholder="Search nodes (name, description, owner)" aria-label="Search nodes" autocomplete="off">
<select id="filter-kind" aria-label="Kind"><option value="">All kinds</option></select>
<select id="filter-tag" aria-label="Tag"><option value="">All tags</option></select>
<select id="filter-owner" aria-label="Owner"><option value="">All owners</option></select>
<select id="filter-materialized" aria-label="Materialization"><option value="">All materializations</option></select>
<select id="filter-classification" aria-label="Classification"><option value="">All classifications</option></select>
<span class="spacer"></span>
<span id="status" class="muted" aria-live="polite"></span>
<button type="button" id="zoom-in" title="Zoom in" aria-label="Zoom in">+</button>
<button type="button" id="zoom-out" title="Zoom out" aria-label="Zoom out">−</button>
<button type="button" id="zoom-fit" title="Fit the graph" aria-label="Fit the graph">Fit</button>
</div>
<div class="graph-area">
<svg id="graph" role="img" aria-label="Lineage graph" xmlns="http://www.w3.org/2000/svg"></svg>
<aside id="panel" class="panel" hidden></aside>
<div class="legend"><span class="kind-source">source</span><span class="kind-model">model</span><span class="kind-test">test</span><span class="kind-exposure">exposure</span></div>
</div>
<noscript><p>The lineage graph needs JavaScript. Every node also has its own page: see the <a href="index.html">overview</a>.</p></noscript>
</main>`;
  const data = `<script type="application/json" id="streamt-graph">${jsonForScript(graphData(model))}</script>\n`;
  return shell(model, 'Lineage', 0, body, 'lineage', data, ['assets/layout.js']);
}
