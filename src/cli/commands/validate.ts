import { countBySeverity, hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { compileDiagnostics, compileProject } from '../../compile/compile.js';
import { document } from '../../ui/contract.js';
import type { CompileResult } from '../../compile/types.js';
import type { CompileMemo } from '../../compile/memo.js';
import { diagnosticToJson, renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import { plural } from '../../ui/plural.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { resolve as resolvePath } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { readProjectFiles } from '../../project/files.js';
import type { Project } from '../../project/types.js';
import type { AnalysisMemo } from '../../resolve/memo.js';
import type { Memo } from '../../core/memo.js';
import { packageVersion } from '../main.js';
import { appendMemos, buildStamp, fresh, readCachedResult, readMemos, runKey, SpillLog, writeCachedResult, writeMemoLog, type Memos, type ProjectSummary } from '../validate-cache.js';
import type { ProjectFiles } from '../../project/load.js';
import { runFrontEnd, sourceLinesFrom, type GlobalOptions, type PipelineResult } from '../pipeline.js';

export interface ValidateOptions extends GlobalOptions {
  strict?: boolean;
  verbose?: boolean;
  format?: 'text' | 'json';
  /** Also put every compiled Flink job through Flink's planner (the SQL Gateway of runtime.flink). */
  flink?: boolean;
  /** `--no-cache`: false. */
  cache?: boolean;
}

/**
 * Every diagnostic `compile` would report on this input, without writing anything: load, resolve
 * and, when those are clean, the compiler's emitters in memory (compileDiagnostics: no file,
 * hash or manifest is built). A green `validate` therefore means `compile` succeeds;
 * test/cli/validate-compile.test.ts keeps the two
 * in step on every fixture, golden and example project.
 */
export function validateDiagnostics(front: PipelineResult, compiled?: CompileMemo): Diagnostic[] {
  if (!front.resolved || hasErrors(front.diagnostics)) return front.diagnostics;
  return [...front.diagnostics, ...compileDiagnostics(front.resolved, compiled)];
}

function validateInMemory(front: PipelineResult): { diagnostics: Diagnostic[]; compiled?: CompileResult } {
  if (!front.resolved || hasErrors(front.diagnostics)) return { diagnostics: front.diagnostics };
  // compiledAt is fixed: nothing of the output is kept, and validate must not depend on the clock.
  const compiled = compileProject(front.resolved, { compiledAt: '1970-01-01T00:00:00.000Z', renderFiles: false });
  return { diagnostics: [...front.diagnostics, ...compiled.diagnostics], compiled };
}

/**
 * `validate`, and with `--flink` Flink's planner on every compiled job (src/plan/flink-check.ts):
 * the same check plan runs before it creates anything, on demand. It talks to the SQL Gateway,
 * so the project is loaded as for plan (connection settings and secrets resolved).
 */
export function validateCommand(opts: ValidateOptions, out: Output, env: Readonly<Record<string, string | undefined>>): number | Promise<number> {
  if (opts.flink) return validateWithFlink(opts, out, env);
  return validateIncrementally(opts, out, env);
}

/**
 * validate with the cache of `.streamt/cache/` (validate-cache.ts): the same diagnostics as a run
 * without it, computed again only where an input changed. `--no-cache` takes the same path
 * (the same call depth: a YAML file nested deeper than the stack reports what the stack allows)
 * without reading or writing the cache.
 */
function validateIncrementally(opts: ValidateOptions, out: Output, env: Readonly<Record<string, string | undefined>>): number {
  youngGenerationStaysSmall();
  const root = resolvePath(opts.projectDir);
  const files = readProjectFiles(root);
  if (opts.cache === false) {
    const front = runFrontEnd(opts, env, { files });
    return report(opts, out, { ...front, diagnostics: validateDiagnostics(front) });
  }
  const stamp = buildStamp(packageVersion());
  const keyOptions: { env?: string; vars?: string; offline: boolean } = { offline: true };
  if (opts.env !== undefined) keyOptions.env = opts.env;
  if (opts.vars !== undefined) keyOptions.vars = opts.vars;
  const key = runKey(stamp, files, keyOptions, env);
  // Nothing changed: the last run's diagnostics, from the small file alone.
  const last = readCachedResult(root, stamp);
  if (last?.key === key && last.summary) return report(opts, out, { diagnostics: last.diagnostics, root }, undefined, last.summary);
  const memos = readMemos(root, stamp);
  // No log this run can append to (a first run, another build's, a damaged one): the values go
  // to a new log as they are computed (SpillLog), none held in memory until the end.
  if (!memos.log.appendable) return validateSpilling(opts, out, env, root, stamp, key, files, memos);
  const analyses: AnalysisMemo = { previous: memos.analyses, next: new Map() };
  const yamlValues: Memo = { previous: memos.yamlValues, next: new Map() };
  const nodes: Memo = { previous: memos.nodes, next: new Map() };
  const lineage: Memo = { previous: memos.lineage, next: new Map() };
  const front = runFrontEnd(opts, env, { files, analyses, yamlValues, nodes, lineage });
  const p = front.project;
  // A resolved secret could appear in a diagnostic or an analysis: such a project is not cached,
  // nor one that did not load (its secrets are not known).
  const cached = p !== undefined && !p.secrets.length;
  // The values are written before the in-memory compile, and the analyses and nodes (complete
  // once load and resolve are done: nothing after them reads or adds one) are not kept through
  // it: less live heap while the compile allocates, a lower peak RSS.
  // The models' compile parts are found during the compile: appended after it.
  const logged = cached && writeMemoLog(root, stamp, { analyses: analyses.next, yamlValues: yamlValues.next, nodes: nodes.next, compiled: new Map(), lineage: lineage.next }, memos);
  const yamlLogged = yamlValues.next.size;
  analyses.next.clear();
  nodes.next.clear();
  lineage.next.clear();
  memos.analyses.clear();
  memos.nodes.clear();
  memos.lineage.clear();
  const compiled: CompileMemo = { previous: memos.compiled, next: new Map() };
  const diagnostics = validateDiagnostics(front, compiled);
  if (cached) {
    writeCachedResult(root, stamp, { key, diagnostics, summary: summaryOf(p) });
    // Positions located after the log was written (a lazily located node's place) and the
    // compile's parts: appended (all of the parts when the log was rewritten without them).
    if (logged) {
      const late = yamlValues.next.size > yamlLogged ? fresh([...yamlValues.next].slice(yamlLogged), memos.yamlValues) : [];
      const parts = logged === 'rewritten' ? [...compiled.next] : fresh(compiled.next, memos.compiled);
      appendMemos(root, stamp, { analyses: [], yamlValues: late, nodes: [], compiled: parts, lineage: [] });
    }
  }
  return report(opts, out, { ...front, diagnostics });
}

/**
 * validateIncrementally when the log is written whole: the values this run remembers are
 * written to a new log as they are computed (SpillLog), the ones of the old log it reuses too,
 * and the new log replaces the old one once the run is done (removed when the project is not
 * cached).
 */
function validateSpilling(opts: ValidateOptions, out: Output, env: Readonly<Record<string, string | undefined>>, root: string, stamp: string, key: string, files: ProjectFiles, memos: Memos): number {
  const log = new SpillLog(root, stamp);
  let committed = false;
  try {
    const analyses: AnalysisMemo = { previous: memos.analyses, next: log.map('analyses') };
    const yamlValues: Memo = { previous: memos.yamlValues, next: log.map('yamlValues') };
    const nodes: Memo = { previous: memos.nodes, next: log.map('nodes') };
    // The models' lineage and compile parts are not remembered by a first run: keying and writing
    // them costs it about 0.35 s of CPU and 20 MB at 10,000 models, and only a later run gains
    // from them (the first run after an edit remembers them; docs/development.md).
    const front = runFrontEnd(opts, env, { files, analyses, yamlValues, nodes });
    const p = front.project;
    const cached = p !== undefined && !p.secrets.length;
    // What was read of an old log is not needed after load and resolve.
    memos.analyses.clear();
    memos.nodes.clear();
    if (!cached) log.discard();
    const diagnostics = validateDiagnostics(front);
    if (cached) {
      writeCachedResult(root, stamp, { key, diagnostics, summary: summaryOf(p) });
      committed = log.commit();
    }
    return report(opts, out, { ...front, diagnostics });
  } finally {
    if (!committed) log.discard();
  }
}

/**
 * V8's young generation (where every value is first allocated) stays at the size it has instead of
 * doubling as survivors grow (to 2 × 16 MB): at 10,000 models validate's peak RSS is ~50 MB lower
 * for the same CPU time. And a young collection is done by the main thread alone: its helper
 * threads cost more CPU than they save on a machine whose cores are busy (at 10,000 models about
 * 0.13 s less CPU time, the same wall time; figures in docs/development.md). Both flags are read
 * at each young collection, so they take effect here; the memory and time only, never a result,
 * depend on them.
 */
function youngGenerationStaysSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--no-parallel-scavenge');
}

function summaryOf(p: Project): ProjectSummary {
  const s: ProjectSummary = { name: p.name, sources: p.sources.length, models: p.models.length, tests: p.tests.length, exposures: p.exposures.length, rules: Object.keys(p.rules).length > 0 };
  if (p.environment) s.environment = p.environment.name;
  return s;
}

async function validateWithFlink(opts: ValidateOptions, out: Output, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const front = runFrontEnd(opts, env, { live: true });
  const v = validateInMemory(front);
  if (!v.compiled || hasErrors(v.diagnostics) || !front.resolved || !front.project) return report(opts, out, { ...front, diagnostics: v.diagnostics });
  const project = front.project;
  // The adapters (kafkajs, undici) load only for --flink: plain validate never talks to a system.
  const [{ LiveSystems, secretResolver }, { checkJobsWithFlink }] = await Promise.all([import('../../adapters/live.js'), import('../../plan/flink-check.js')]);
  const live = new LiveSystems(project.runtime, project.name);
  try {
    const check = await checkJobsWithFlink(front.resolved, v.compiled.artifacts.flinkJobs, (cluster) => live.flink(cluster), secretResolver(v.compiled.secrets));
    const jobs = v.compiled.artifacts.flinkJobs.length;
    const note = `Flink's planner accepted ${check.accepted} of ${jobs} job${jobs === 1 ? '' : 's'}`;
    return report(opts, out, { ...front, diagnostics: [...v.diagnostics, ...check.diagnostics] }, { note, accepted: check.accepted, jobs });
  } finally {
    await live.close();
  }
}

function report(opts: ValidateOptions, out: Output, result: PipelineResult, flink?: { note: string; accepted: number; jobs: number }, cached?: ProjectSummary): number {
  if (result.project) out.addSecrets(result.project.secrets);
  const { errors, warnings } = countBySeverity(result.diagnostics);
  const valid = !hasErrors(result.diagnostics) && !(opts.strict && warnings > 0);
  if (opts.format === 'json') {
    out.json(document('streamt-validate', { ok: valid, valid, errors, warnings, ...(flink ? { flink: { jobs: flink.jobs, accepted: flink.accepted } } : {}), diagnostics: result.diagnostics.map(diagnosticToJson) }));
    return valid ? ExitCode.OK : ExitCode.FAILURE;
  }
  // Notes (info) are for the curious: counted, shown with --verbose.
  const shown = opts.verbose ? result.diagnostics : result.diagnostics.filter((d) => d.severity !== 'info');
  const hidden = result.diagnostics.length - shown.length;
  if (shown.length) {
    out.err(renderDiagnostics(shown, out.errColor, sourceLinesFrom(result.root)));
    out.err('');
  }
  if (hidden) out.err(out.errColor.dim(`${hidden} note${hidden === 1 ? '' : 's'} hidden; --verbose shows them`));
  const c = out.errColor;
  if (valid) {
    const p = cached ?? summaryOf(result.project!);
    const env = p.environment !== undefined ? ` (${p.environment})` : '';
    const counts = [plural(p.sources, 'source'), plural(p.models, 'model'), plural(p.tests, 'test'), plural(p.exposures, 'exposure')].join(', ');
    const rules = `${p.rules ? '; governance rules passed' : ''}${flink ? `; ${flink.note}` : ''}`;
    const tail = warnings ? ` with ${summaryLine(result.diagnostics, c)}` : '';
    out.err(`${c.green('✓')} Project "${p.name}"${env} is valid${tail}: ${counts}${rules}`);
    return ExitCode.OK;
  }
  const why = opts.strict && !errors ? ' (--strict: warnings count as failures)' : '';
  out.err(`${c.red('✗')} Validation failed: ${summaryLine(result.diagnostics, c)}${why}`);
  return ExitCode.FAILURE;
}
