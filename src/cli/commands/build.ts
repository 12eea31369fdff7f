/**
 * `streamt build` (dbt build): apply, then run the data tests in DAG order. A test that fails
 * (error severity) skips the tests of everything downstream of the node it tests, as dbt build
 * skips the dependents of a failed test; a failed apply skips every test. Results go to
 * generated/run_results.json like `streamt test`.
 */
import { hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { buildRunResults } from '../../datatest/run-results.js';
import { runTests } from '../../datatest/runner.js';
import type { TestResult } from '../../datatest/types.js';
import type { NodeId, TestNode } from '../../project/types.js';
import { select } from '../../select/selector.js';
import { summaryLine } from '../../ui/diagnostics.js';
import { Output } from '../../ui/output.js';
import { plural } from '../../ui/plural.js';
import { packageVersion } from '../main.js';
import { runFrontEnd } from '../pipeline.js';
import { reporter } from '../report.js';
import { selectContext } from '../selection.js';
import { applyCommand, type ApplyCommandOptions } from './apply.js';
import { renderResult, writeRunResults } from './test.js';

export interface BuildOptions extends ApplyCommandOptions {
  from?: 'latest' | 'earliest';
}

interface ApplyDoc {
  ok: boolean;
  applied: number;
  failed: number;
  skipped: number;
  outcomes: { addr: string; status: 'applied' | 'failed' | 'skipped' }[];
  diagnostics: Diagnostic[];
}

const skippedResult = (t: TestNode, because: string): TestResult & { skipped_because: string } => ({
  test: t.name,
  type: t.type,
  target: t.target,
  severity: t.severity === 'warn' ? 'warn' : 'error',
  status: 'skipped',
  failures: 0,
  checked: 0,
  message: `skipped: ${because}`,
  assertions: [],
  actions: [],
  skipped_because: because,
});

export async function buildCommand(opts: BuildOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): Promise<number> {
  const started = now().getTime();
  const json = opts.format === 'json';
  const front = runFrontEnd(opts, env, { live: true });
  if (front.project) out.addSecrets(front.project.secrets);
  const report = reporter(out, 'streamt-build', { json, root: front.root, verbose: opts.verbose });
  const c = out.errColor;
  if (!front.resolved || !front.project || hasErrors(front.diagnostics)) {
    report.diagnostics(front.diagnostics);
    return report.finish(false, {}, `${c.red('✗')} Not built: the project has ${summaryLine(front.diagnostics, c)}; run streamt validate for details`);
  }
  const resolved = front.resolved;

  // 1. Apply, through the one apply path (same plan, safety and confirmation).
  let applyDoc: ApplyDoc | undefined;
  let applyCode: number;
  if (json) {
    let captured = '';
    const sink = new Output({ write: (s: string) => (captured += s) }, { write: () => true }, { color: false });
    applyCode = await applyCommand(undefined, { ...opts, format: 'json' }, sink, env, now);
    applyDoc = JSON.parse(captured) as ApplyDoc;
    report.all.push(...(applyDoc.diagnostics ?? []).map((d) => ({ ...d, file: d.file ?? undefined, line: d.line ?? undefined, column: d.column ?? undefined, hint: d.hint ?? undefined, node: d.node ?? undefined }) as Diagnostic));
  } else {
    applyCode = await applyCommand(undefined, { ...opts, format: 'text' }, out, env, now);
  }
  const applyFailed = applyCode !== 0;

  // 2. Tests, in DAG order of what they test.
  const { context } = selectContext(resolved, opts);
  let tests: TestNode[] = resolved.project.tests.filter((t) => resolved.nodes.has(t.id));
  if (opts.select?.length || opts.exclude?.length) {
    const sel = select(resolved, opts.select ?? [], opts.exclude ?? [], context);
    const kept = select(resolved, [], opts.exclude ?? [], context).ids;
    tests = tests.filter((t) => kept.has(t.id) && (sel.ids.has(t.id) || [`model.${t.target}`, `source.${t.target}`].some((id) => sel.ids.has(id as NodeId))));
  }
  const order = new Map(resolved.dag.topologicalOrder().map((id, i) => [id, i]));
  tests.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0) || (a.name < b.name ? -1 : 1));
  const targetOf = (t: TestNode): NodeId => (resolved.nodes.has(`model.${t.target}` as NodeId) ? `model.${t.target}` : `source.${t.target}`) as NodeId;

  const results: (TestResult & { skipped_because?: string | null })[] = [];
  const blocked = new Map<NodeId, string>();
  for (const t of tests) {
    const target = targetOf(t);
    if (applyFailed) {
      results.push(skippedResult(t, 'apply failed'));
      continue;
    }
    const why = blocked.get(target);
    if (why) {
      results.push(skippedResult(t, why));
      if (!json) out.out(renderResult(results.at(-1)!, out));
      continue;
    }
    if (!json) out.err(c.dim(`  running ${t.type} test ${t.name} on ${t.target}…`));
    const [r] = await runTests(resolved, [t], { env, sinceMs: 3_600_000, sampleFrom: opts.from ?? 'latest' });
    results.push({ ...r!, skipped_because: null });
    if (!json) out.out(renderResult(r!, out));
    if (r!.severity === 'error' && (r!.status === 'fail' || r!.status === 'error')) {
      for (const d of resolved.dag.descendants(target)) if (d !== target && !blocked.has(d)) blocked.set(d, `test ${t.name} on ${t.target} failed`);
    }
  }

  const runResults = buildRunResults(results, tests, {
    version: packageVersion(),
    generatedAt: now().toISOString(),
    project: resolved.project.name,
    ...(resolved.project.environment ? { environment: resolved.project.environment.name } : {}),
    select: opts.select ?? [],
    exclude: opts.exclude ?? [],
    types: [],
    elapsedMs: now().getTime() - started,
  });
  const writeProblems: Diagnostic[] = [];
  const written = results.length ? writeRunResults(front.root, runResults, out, writeProblems) : undefined;
  report.diagnostics(writeProblems);
  const failedTests = results.filter((r) => r.severity === 'error' && (r.status === 'fail' || r.status === 'error')).length;
  const s = runResults.summary;
  const ok = !applyFailed && !failedTests;
  const summary = { tests: s.total, pass: s.pass, fail: s.fail, warn: s.warn, skipped: s.skipped, error: s.error };
  if (json) {
    const byTest = new Map(results.map((r) => [r.test, r.skipped_because ?? null]));
    return report.finish(ok, {
      ...(applyDoc ? { apply: { ok: applyDoc.ok, applied: applyDoc.applied ?? 0, failed: applyDoc.failed ?? 0, skipped: applyDoc.skipped ?? 0, outcomes: applyDoc.outcomes ?? [] } } : {}),
      tests: runResults.results.map((r) => ({ ...r, skipped_because: byTest.get(r.test) ?? null })),
      summary,
    });
  }
  const parts = [`${s.pass} passed`, `${s.fail} failed`, `${s.warn} warned`, `${s.skipped} skipped`, plural(s.error, 'error')];
  return report.finish(
    ok,
    {},
    `${ok ? c.green('✓') : c.red('✗')} Build ${ok ? 'complete' : 'failed'}: ${applyFailed ? 'apply failed, ' : ''}${plural(s.total, 'test')}: ${parts.join(', ')}${written ? ` → ${written}` : ''}`,
  );
}
