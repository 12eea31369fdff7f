/**
 * streamt test: runs schema, sample and continuous data tests, reports each (with its failing
 * records and the outcome of its on_failure actions), writes generated/run_results.json, and
 * exits 1 when an error-severity test fails or cannot be evaluated.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { countBySeverity, hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { parseDuration } from '../../datatest/duration.js';
import { buildRunResults, runFailed } from '../../datatest/run-results.js';
import { runTests } from '../../datatest/runner.js';
import { LEASE_TTL_MS } from '../../apply/lease.js';
import { liveSystems, underApplyLease } from '../../apply/workflow.js';
import type { TestResult, TestStatus } from '../../datatest/types.js';
import type { NodeId, TestNode } from '../../project/types.js';
import { select } from '../../select/selector.js';
import { document } from '../../ui/contract.js';
import { diagnosticToJson, renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import { plural } from '../../ui/plural.js';
import { leaseHolderOf, preflight } from '../live.js';
import { selectContext, type SelectionOptions } from '../selection.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { packageVersion } from '../main.js';
import { runFrontEnd, sourceLinesFrom, type GlobalOptions } from '../pipeline.js';

export interface TestCommandOptions extends GlobalOptions, SelectionOptions {
  type?: string[];
  since?: string;
  from?: 'latest' | 'earliest';
  format?: 'text' | 'json';
  verbose?: boolean;
}

const TYPES = ['schema', 'sample', 'continuous'] as const;

export async function testCommand(opts: TestCommandOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): Promise<number> {
  const started = now().getTime();
  const front = runFrontEnd(opts, env, { live: true });
  if (front.project) out.addSecrets(front.project.secrets);
  const json = opts.format === 'json';
  const diagnostics: Diagnostic[] = [...front.diagnostics];
  const c = out.errColor;
  const fail = (message?: string, extra: Record<string, unknown> = {}): number => {
    if (json) {
      const { errors, warnings } = countBySeverity(diagnostics);
      out.json(document('streamt-test', { ok: false, errors, warnings, ...extra, results: [], diagnostics: diagnostics.map(diagnosticToJson) }));
    } else {
      const shown = opts.verbose ? diagnostics : diagnostics.filter((d) => d.severity !== 'info');
      if (shown.length) out.err(renderDiagnostics(shown, c, sourceLinesFrom(front.root)) + '\n');
      if (message) out.err(`${c.red('✗')} ${message}`);
    }
    return ExitCode.FAILURE;
  };
  if (!front.resolved || hasErrors(diagnostics)) return fail(`Not tested: the project has ${summaryLine(diagnostics, c)}; run streamt validate for details`);
  const resolved = front.resolved;

  const types = opts.type?.length ? opts.type : [...TYPES];
  const badType = types.filter((t) => !(TYPES as readonly string[]).includes(t));
  if (badType.length) {
    diagnostics.push({ code: 'INVALID_OPTION', severity: 'error', message: `--type ${badType.join(', ')} is not a test type`, hint: 'use schema, sample or continuous' });
    return fail();
  }
  const sinceMs = parseDuration(opts.since ?? '1h');
  if (sinceMs === undefined || sinceMs <= 0) {
    diagnostics.push({ code: 'INVALID_OPTION', severity: 'error', message: `--since ${JSON.stringify(opts.since)} is not a duration`, hint: 'e.g. --since 10m, --since 2h, --since 30s' });
    return fail();
  }

  // dbt semantics: selecting a model selects its tests; excluding a test leaves it out.
  let tests: TestNode[] = resolved.project.tests.filter((t) => resolved.nodes.has(t.id));
  const { context, diagnostics: stateDiagnostics } = selectContext(resolved, opts);
  diagnostics.push(...stateDiagnostics);
  if (hasErrors(stateDiagnostics)) return fail();
  if (opts.select?.length || opts.exclude?.length) {
    const sel = select(resolved, opts.select ?? [], opts.exclude ?? [], context);
    diagnostics.push(...sel.diagnostics);
    if (hasErrors(sel.diagnostics)) return fail();
    const kept = select(resolved, [], opts.exclude ?? [], context).ids;
    const targetId = (t: TestNode): NodeId[] => [`model.${t.target}`, `source.${t.target}`];
    tests = tests.filter((t) => kept.has(t.id) && (sel.ids.has(t.id) || targetId(t).some((id) => sel.ids.has(id))));
  }
  tests = tests.filter((t) => types.includes(t.type)).sort((a, b) => (a.name < b.name ? -1 : 1));

  if (tests.length) {
    // Kafka always; the Flink cluster when a continuous test is selected.
    const probe = await preflight(resolved.project, tests.filter((t) => t.type === 'continuous').map(() => ({ kind: 'flink_job', spec: { cluster: null } })));
    diagnostics.push(...probe.diagnostics);
    if (probe.failed) {
      return fail(`Not tested: ${probe.unreachable.length === 1 ? 'a live system is' : `${probe.unreachable.length} live systems are`} not reachable`, { unreachable: probe.unreachable });
    }
  }
  if (!json && diagnostics.some((d) => d.severity !== 'info')) out.err(renderDiagnostics(diagnostics.filter((d) => d.severity !== 'info'), c, sourceLinesFrom(front.root)) + '\n');
  if (!tests.length && !json) out.err('No tests selected.');

  // pause_model changes a live job: it waits for a running apply (a killed one's lease expires
  // within LEASE_TTL_MS) rather than racing it.
  let leaseLive: ReturnType<typeof liveSystems> | undefined;
  const underLease = <T>(change: () => Promise<T>): Promise<T> =>
    underApplyLease((leaseLive ??= liveSystems(resolved.project)), resolved.project, { holder: leaseHolderOf('streamt test', env), streamtVersion: packageVersion(), timeoutMs: LEASE_TTL_MS }, change);
  const results = await runTests(resolved, tests, {
    env,
    sinceMs,
    sampleFrom: opts.from ?? 'latest',
    onTest: json ? undefined : (t) => out.err(c.dim(`  running ${t.type} test ${t.name} on ${t.target}…`)),
    underLease,
  }).finally(() => leaseLive?.close());
  const runResults = buildRunResults(results, tests, {
    version: packageVersion(),
    generatedAt: now().toISOString(),
    project: resolved.project.name,
    ...(resolved.project.environment ? { environment: resolved.project.environment.name } : {}),
    select: opts.select ?? [],
    exclude: opts.exclude ?? [],
    types: opts.type ?? [],
    elapsedMs: now().getTime() - started,
  });
  const written = writeRunResults(front.root, runResults, out, diagnostics);

  const failed = runFailed(results);
  if (json) {
    out.json(document('streamt-test', { ok: !failed, run_results: written ?? null, ...runResults, diagnostics: diagnostics.map(diagnosticToJson) }));
    return failed ? ExitCode.FAILURE : ExitCode.OK;
  }
  for (const r of results) out.out(renderResult(r, out));
  const s = runResults.summary;
  const parts = [`${s.pass} passed`, `${s.fail} failed`, `${s.warn} warned`, `${s.skipped} skipped`, plural(s.error, 'error')];
  out.err(`${failed ? c.red('✗') : c.green('✓')} ${plural(s.total, 'test')}: ${parts.join(', ')}${written ? ` → ${written}` : ''}`);
  return failed ? ExitCode.FAILURE : ExitCode.OK;
}

/** Writes generated/run_results.json atomically (secrets masked); a warning when it cannot. */
export function writeRunResults(root: string, runResults: unknown, out: Output, diagnostics: Diagnostic[]): string | undefined {
  const file = join(resolve(root), 'generated', 'run_results.json');
  try {
    mkdirSync(join(resolve(root), 'generated'), { recursive: true });
    writeFileSync(file + '.tmp', out.redact(JSON.stringify(runResults, null, 2) + '\n'));
    renameSync(file + '.tmp', file);
    return file;
  } catch (e) {
    diagnostics.push({ code: 'OUTPUT_WRITE_FAILED', severity: 'warning', message: `Could not write ${file}: ${(e as Error).message}` });
    return undefined;
  }
}

const LABEL: Record<TestStatus, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skipped: 'SKIP', error: 'ERROR' };

export function renderResult(r: TestResult, out: Output): string {
  const c = out.color;
  const paint: Record<TestStatus, (s: string) => string> = { pass: c.green, fail: c.red, warn: c.yellow, skipped: c.dim, error: c.red };
  const lines = [`${paint[r.status](LABEL[r.status].padEnd(5))} ${r.test} ${c.dim(`(${r.type} on ${r.target})`)}: ${r.message}`];
  for (const a of r.assertions) {
    if (a.status === 'pass') continue;
    lines.push(`        ${paint[a.status === 'fail' ? 'fail' : a.status === 'error' ? 'error' : 'skipped'](a.status)} ${a.assertion}: ${a.message}`);
    for (const e of a.examples) {
      if (e.offset === undefined && e.key == null && a.message.includes(e.reason)) continue; // already said
      const where = e.offset !== undefined ? `p${e.partition ?? '?'}@${e.offset}${e.key != null ? ` key ${e.key}` : ''}: ` : e.key != null ? `key ${e.key}: ` : '';
      lines.push(c.dim(`          ${where}${e.reason}`));
    }
  }
  if (r.job) lines.push(c.dim(`        job ${r.job.name}: ${r.job.state}`));
  for (const a of r.actions) lines.push(`        ${a.status === 'failed' ? c.red('✗') : a.status === 'done' ? c.green('✓') : c.dim('–')} ${a.action}: ${a.message}`);
  return lines.join('\n');
}
