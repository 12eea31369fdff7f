/**
 * `streamt docs generate`, the pure part: resolved project + compile result + test results →
 * the files of a static site (relative path → content). The CLI reads the inputs and writes the
 * files; nothing here touches the file system or the clock.
 */
import type { CompileResult } from '../compile/types.js';
import type { ResolvedProject } from '../resolve/types.js';
import { escapeHtml, jsonForScript } from './escape.js';
import { layoutScript } from './layout.js';
import { buildDocsModel, type DocsModel } from './model.js';
import { renderIndexPage, renderLineagePage, renderNodePage } from './render.js';
import type { RunResults } from './run-results.js';

export { buildDocsModel } from './model.js';
export type { DocsModel, DocsNode } from './model.js';
export { parseRunResults } from './run-results.js';
export type { RunResults, TestResult } from './run-results.js';
export { escapeHtml, jsonForScript } from './escape.js';

/** Marks a folder as a generated site, so `docs generate` only ever replaces its own output. */
export const SITE_MARKER = 'streamt-docs.json';

export interface DocsSiteInput {
  resolved: ResolvedProject;
  compiled?: CompileResult;
  runResults?: RunResults;
  /** The browser app and stylesheet shipped in templates/docs. */
  assets: { appJs: string; styleCss: string };
  /** The one timestamp in the output (index footer and marker). */
  generatedAt?: string;
  streamtVersion?: string;
  /** Resolved secret values: masked wherever they would appear. */
  secrets?: readonly string[];
}

export interface DocsSite {
  files: Map<string, string>;
  model: DocsModel;
}

export function generateDocsSite(input: DocsSiteInput): DocsSite {
  const modelInput: Parameters<typeof buildDocsModel>[0] = { resolved: input.resolved };
  if (input.compiled) modelInput.compiled = input.compiled;
  if (input.runResults) modelInput.runResults = input.runResults;
  const model = buildDocsModel(modelInput);
  const opts: { generatedAt?: string; streamtVersion?: string } = {};
  if (input.generatedAt) opts.generatedAt = input.generatedAt;
  if (input.streamtVersion) opts.streamtVersion = input.streamtVersion;

  const files = new Map<string, string>();
  files.set('index.html', renderIndexPage(model, opts));
  files.set('lineage.html', renderLineagePage(model));
  for (const d of model.nodes) files.set(d.page, renderNodePage(model, d, opts));
  files.set('assets/layout.js', layoutScript());
  files.set('assets/app.js', input.assets.appJs);
  files.set('assets/style.css', input.assets.styleCss);
  const marker: Record<string, unknown> = { generator: 'streamt docs', project: model.project.name, nodes: model.nodes.length };
  if (opts.streamtVersion) marker.streamt_version = opts.streamtVersion;
  if (opts.generatedAt) marker.generated_at = opts.generatedAt;
  files.set(SITE_MARKER, JSON.stringify(marker, null, 2) + '\n');

  const secrets = (input.secrets ?? []).filter((s) => s.length >= 3);
  if (secrets.length) for (const [path, content] of files) files.set(path, redact(content, secrets));
  return { files, model };
}

/** Masks secrets as they would appear raw, HTML-escaped or JSON-escaped. */
export function redact(content: string, secrets: readonly string[]): string {
  const forms = new Set<string>();
  for (const s of secrets) {
    forms.add(s);
    forms.add(escapeHtml(s));
    forms.add(JSON.stringify(s).slice(1, -1));
    forms.add(jsonForScript(s).slice(1, -1));
  }
  let out = content;
  for (const f of [...forms].sort((a, b) => b.length - a.length)) if (f.length >= 3) out = out.split(f).join('****');
  return out;
}
