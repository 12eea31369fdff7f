/**
 * `streamt docs generate` and `streamt docs serve`: the I/O around src/docs. Generate reads the
 * project, compiles it in memory, reads `generated/run_results.json` when present and replaces
 * the site folder atomically. Serve generates, then serves the folder with node:http until
 * interrupted.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countBySeverity, hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { compileProject } from '../../compile/compile.js';
import type { CompileResult } from '../../compile/types.js';
import { writeOutputAtomically } from '../../compile/write.js';
import { generateDocsSite, parseRunResults, SITE_MARKER, type RunResults } from '../../docs/index.js';
import { restrictResolved } from '../../select/restrict.js';
import { renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import { plural } from '../../ui/plural.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { packageVersion } from '../main.js';
import { buildTime, runFrontEnd, type GlobalOptions } from '../pipeline.js';
import { reporter } from '../report.js';
import { selectNodes, type SelectionOptions } from '../selection.js';

export interface DocsGenerateOptions extends GlobalOptions, SelectionOptions {
  output?: string;
  verbose?: boolean;
  format?: 'text' | 'json';
}

export interface DocsServeOptions extends DocsGenerateOptions {
  port?: string | number;
  host?: string;
}

export function docsTemplatesDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'templates', 'docs');
}

/** Refuses to replace anything but an absent or empty folder or a previously generated site. */
function refusal(outDir: string, projectRoot: string): string | undefined {
  const rel = relative(outDir, projectRoot);
  if (outDir === projectRoot || (rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep))) return `refusing to write into ${outDir}: it contains the project`;
  if (outDir === dirname(outDir)) return 'refusing to replace the file system root';
  if (!existsSync(outDir)) return undefined;
  if (!statSync(outDir).isDirectory()) return `refusing to replace ${outDir}: it is not a folder`;
  const entries = readdirSync(outDir);
  if (entries.length && !entries.includes(SITE_MARKER))
    return `refusing to replace ${outDir}: it is not empty and holds no ${SITE_MARKER} (choose another --output, or empty it)`;
  return undefined;
}

interface Generated {
  code: number;
  outDir: string;
}

/** Generates the site; prints diagnostics and a summary line to stderr (or one JSON document). */
function generate(opts: DocsGenerateOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date): Generated {
  const front = runFrontEnd(opts, env);
  if (front.project) out.addSecrets(front.project.secrets);
  const outDir = resolve(front.root, opts.output ?? 'site');
  const report = reporter(out, 'streamt-docs', { json: opts.format === 'json', root: front.root, verbose: opts.verbose });
  const c = out.errColor;
  if (!front.resolved || hasErrors(front.diagnostics)) {
    report.diagnostics(front.diagnostics);
    return { code: report.finish(false, {}, `${c.red('✗')} No docs generated: the project has ${summaryLine(front.diagnostics, c)}; run streamt validate for details`), outDir };
  }
  const diagnostics: Diagnostic[] = [...front.diagnostics];
  const sel = selectNodes(front.resolved, opts);
  diagnostics.push(...sel.diagnostics);
  if (hasErrors(sel.diagnostics)) {
    report.diagnostics(diagnostics);
    return { code: report.finish(false), outDir };
  }
  const resolved = front.resolved;

  // Docs are still useful when compilation fails: the pages then lack deployments and compiled SQL.
  const compiled = compileProject(resolved, { streamtVersion: packageVersion() });
  let compileResult: CompileResult | undefined = compiled;
  if (hasErrors(compiled.diagnostics)) {
    compileResult = undefined;
    diagnostics.push(...compiled.diagnostics.map((d) => ({ ...d, severity: 'warning' as const })));
  }

  let runResults: RunResults | undefined;
  const runResultsFile = join(front.root, 'generated', 'run_results.json');
  if (existsSync(runResultsFile)) {
    const parsed = parseRunResults(readFileSync(runResultsFile, 'utf8'), relative(front.root, runResultsFile).split(sep).join('/'));
    diagnostics.push(...parsed.diagnostics);
    runResults = parsed.results;
  }

  const templates = docsTemplatesDir();
  const site = generateDocsSite({
    resolved: sel.ids ? restrictResolved(resolved, sel.ids) : resolved,
    ...(compileResult ? { compiled: compileResult } : {}),
    ...(runResults ? { runResults } : {}),
    assets: { appJs: readFileSync(join(templates, 'app.js'), 'utf8'), styleCss: readFileSync(join(templates, 'style.css'), 'utf8') },
    generatedAt: buildTime(env, now).toISOString(),
    streamtVersion: packageVersion(),
    secrets: resolved.project.secrets,
  });

  const refused = refusal(outDir, resolve(front.root));
  if (refused) {
    diagnostics.push({ code: 'OUTPUT_REFUSED', severity: 'error', message: refused, hint: 'pass --output <dir> with a new or previously generated folder' });
    report.diagnostics(diagnostics);
    return { code: report.finish(false), outDir };
  }
  try {
    writeOutputAtomically(outDir, site.files);
  } catch (e) {
    diagnostics.push({ code: 'OUTPUT_WRITE_FAILED', severity: 'error', message: `Could not write ${outDir}: ${(e as Error).message}`, hint: 'the previous site is unchanged' });
    report.diagnostics(diagnostics);
    return { code: report.finish(false), outDir };
  }
  report.diagnostics(diagnostics);
  const nodes = site.model.nodes;
  const count = (k: string) => nodes.filter((n) => n.kind === k).length;
  const warn = countBySeverity(diagnostics).warnings ? ` with ${summaryLine(diagnostics, c)}` : '';
  const tests = runResults ? `, results of ${plural(runResults.byTest.size, 'test run')}` : '';
  const summary = [plural(count('source'), 'source'), plural(count('model'), 'model'), plural(count('test'), 'test'), plural(count('exposure'), 'exposure')].join(', ');
  const code = report.finish(
    true,
    { output: outDir, nodes: { sources: count('source'), models: count('model'), tests: count('test'), exposures: count('exposure') }, files: site.files.size },
    `${c.green('✓')} Docs for "${resolved.project.name}"${warn}: ${summary}${tests} → ${outDir}`,
  );
  return { code, outDir };
}

export function docsGenerateCommand(opts: DocsGenerateOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): number {
  const result = generate(opts, out, env, now);
  if (result.code === ExitCode.OK && opts.format !== 'json') out.err(`Open ${join(result.outDir, 'index.html')}, or run streamt docs serve`);
  return result.code;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

/** A static file server for one folder: GET/HEAD only, no listing, nothing outside the folder. */
export function createSiteServer(root: string): Server {
  const base = resolve(root);
  return createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const file = resolve(base, '.' + path);
    if (path.includes('\0') || (file !== base && !file.startsWith(base + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
}

/**
 * Generates the site, then serves it until SIGINT/SIGTERM (or `stop` resolves, for tests).
 * `onListening` receives the URL once the server accepts connections.
 */
export async function docsServeCommand(
  opts: DocsServeOptions,
  out: Output,
  env: Readonly<Record<string, string | undefined>>,
  hooks: { stop?: Promise<unknown>; onListening?: (url: string) => void } = {},
): Promise<number> {
  const port = Number(opts.port ?? 8580);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    out.err(renderDiagnostics([{ code: 'INVALID_PORT', severity: 'error', message: `--port must be a number from 0 to 65535, got ${JSON.stringify(String(opts.port))}` }], out.errColor));
    return ExitCode.FAILURE;
  }
  const host = opts.host ?? '127.0.0.1';
  const generated = generate(opts, out, env, () => new Date());
  if (generated.code !== ExitCode.OK) return generated.code;

  const server = createSiteServer(generated.outDir);
  const listening = await new Promise<Error | undefined>((done) => {
    server.once('error', (e) => done(e));
    server.listen(port, host, () => done(undefined));
  });
  if (listening) {
    out.err(renderDiagnostics([{ code: 'SERVE_FAILED', severity: 'error', message: `Cannot serve on ${host}:${port}: ${listening.message}`, hint: 'choose another --port' }], out.errColor));
    return ExitCode.FAILURE;
  }
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/`;
  out.err(`Serving ${generated.outDir} at ${url} (Ctrl-C to stop)`);
  hooks.onListening?.(url);

  await new Promise<void>((done) => {
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
    const finish = () => {
      for (const s of signals) process.off(s, finish);
      done();
    };
    for (const s of signals) process.once(s, finish);
    void hooks.stop?.then(finish);
  });
  await new Promise<void>((done) => {
    server.close(() => done());
    server.closeAllConnections();
  });
  out.err('Stopped.');
  return ExitCode.OK;
}
