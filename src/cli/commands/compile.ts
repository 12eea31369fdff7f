import { resolve } from 'node:path';
import { hasErrors, countBySeverity, type Diagnostic } from '../../core/diagnostics.js';
import { compileProject } from '../../compile/compile.js';
import { checkOutputDir, OutputRefused, writeOutputAtomically } from '../../compile/write.js';
import { contentHash } from '../../compile/hash.js';
import { document } from '../../ui/contract.js';
import { diagnosticToJson, renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import { plural } from '../../ui/plural.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { packageVersion } from '../main.js';
import { buildTime, runFrontEnd, sourceLinesFrom, type GlobalOptions } from '../pipeline.js';
import { selectNodes, type SelectionOptions } from '../selection.js';

export interface CompileCommandOptions extends GlobalOptions, SelectionOptions {
  output?: string;
  dryRun?: boolean;
  format?: 'text' | 'json';
  verbose?: boolean;
}

export function compileCommand(opts: CompileCommandOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): number {
  const front = runFrontEnd(opts, env);
  if (front.project) out.addSecrets(front.project.secrets);
  const json = opts.format === 'json';
  const outDir = resolve(front.root, opts.output ?? 'generated');
  const diagnostics: Diagnostic[] = [...front.diagnostics];
  const finish = (ok: boolean, extra: Record<string, unknown> = {}): number => {
    if (json) {
      const { errors, warnings } = countBySeverity(diagnostics);
      out.json(document('streamt-compile', { ok, output: outDir, dry_run: !!opts.dryRun, ...extra, errors, warnings, diagnostics: diagnostics.map(diagnosticToJson) }));
    } else {
      const shown = opts.verbose ? diagnostics : diagnostics.filter((d) => d.severity !== 'info');
      if (shown.length) out.err(renderDiagnostics(shown, out.errColor, sourceLinesFrom(front.root)) + '\n');
    }
    return ok ? ExitCode.OK : ExitCode.FAILURE;
  };
  const c = out.errColor;

  if (!front.resolved || hasErrors(diagnostics)) {
    const code = finish(false);
    if (!json) out.err(`${c.red('✗')} Not compiled: the project has ${summaryLine(diagnostics, c)}; run streamt validate for details`);
    return code;
  }
  const resolved = front.resolved;
  let selection: Set<import('../../project/types.js').NodeId> | undefined;
  const sel = selectNodes(resolved, opts);
  diagnostics.push(...sel.diagnostics);
  if (hasErrors(sel.diagnostics)) return finish(false);
  selection = sel.ids;
  const compileOpts: Parameters<typeof compileProject>[1] = { compiledAt: buildTime(env, now).toISOString(), streamtVersion: packageVersion() };
  if (selection) {
    compileOpts.selection = selection;
    compileOpts.selectors = { select: opts.select ?? [], exclude: opts.exclude ?? [] };
  }
  const result = compileProject(resolved, compileOpts);
  diagnostics.push(...result.diagnostics);
  if (hasErrors(result.diagnostics)) {
    const code = finish(false);
    if (!json) out.err(`${c.red('✗')} Compile failed: ${summaryLine(diagnostics, c)}; ${opts.dryRun ? 'nothing would be written' : `${outDir} is unchanged`}`);
    return code;
  }
  // Sizes only for --format json and --dry-run, hashes only for --format json.
  const listing = () => [...result.files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, content]) => ({ path, bytes: Buffer.byteLength(content), ...(json ? { hash: contentHash(content) } : {}) }));
  const a = result.artifacts;
  const counts = { topics: a.topics.length, flink_jobs: a.flinkJobs.length, connectors: a.connectors.length, schemas: a.schemas.length, gateway_rules: a.gatewayRules.length };
  try {
    checkOutputDir(outDir, front.root);
  } catch (e) {
    if (!(e instanceof OutputRefused)) throw e;
    diagnostics.push({ code: 'OUTPUT_REFUSED', severity: 'error', message: e.message, hint: 'pass --output <dir> with a new or previously generated folder' });
    return finish(false);
  }
  if (!opts.dryRun) {
    try {
      writeOutputAtomically(outDir, result.files, ['run_results.json']);
    } catch (e) {
      diagnostics.push({ code: 'OUTPUT_WRITE_FAILED', severity: 'error', message: `Could not write ${outDir}: ${(e as Error).message}`, hint: 'the previous output is unchanged' });
      return finish(false);
    }
  }
  if (json) return finish(true, { artifacts: counts, files: listing() });
  finish(true);
  if (opts.dryRun) {
    const files = listing();
    out.err(`Would write ${files.length} files to ${outDir}:`);
    for (const f of files) out.err(`  ${f.path} ${c.dim(`(${f.bytes} bytes)`)}`);
  }
  const n = (count: number, one: string, many: string) => plural(count, one, many);
  const summary = [
    n(counts.topics, 'topic', 'topics'),
    n(counts.flink_jobs, 'Flink job', 'Flink jobs'),
    n(counts.connectors, 'connector', 'connectors'),
    n(counts.schemas, 'schema', 'schemas'),
    n(counts.gateway_rules, 'gateway rule', 'gateway rules'),
  ].join(', ');
  const warn = countBySeverity(diagnostics).warnings ? ` with ${summaryLine(diagnostics, c)}` : '';
  out.err(`${c.green('✓')} ${opts.dryRun ? 'Dry run: compiled' : 'Compiled'} project "${resolved.project.name}"${warn}: ${summary}${opts.dryRun ? '' : ` → ${outDir}`}`);
  return ExitCode.OK;
}
