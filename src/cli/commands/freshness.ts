/**
 * `streamt freshness` (dbt source freshness): for every source that declares `freshness:`, the
 * age of the newest record of its topic against the thresholds: older than
 * `warn_after_seconds` warns, older than `max_lag_seconds` (`max_lag_minutes`) is an error, as
 * dbt's warn_after and error_after. A topic without records, or missing, is an error. Exit 1 when
 * a source is in error.
 */
import { hasErrors } from '../../core/diagnostics.js';
import { compileProject } from '../../compile/compile.js';
import { readTopic } from '../../adapters/kafka/sample.js';
import { LiveSystems } from '../../adapters/live.js';
import type { SourceNode } from '../../project/types.js';
import { summaryLine } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { plural } from '../../ui/plural.js';
import { preflight } from '../live.js';
import { runFrontEnd, type GlobalOptions } from '../pipeline.js';
import { reporter } from '../report.js';
import { selectNodes, type SelectionOptions } from '../selection.js';

export interface FreshnessOptions extends GlobalOptions, SelectionOptions {
  format?: 'text' | 'json';
}

export interface FreshnessResult {
  source: string;
  topic: string;
  status: 'pass' | 'warn' | 'error' | 'runtime error';
  latest_record_at: string | null;
  age_seconds: number | null;
  warn_after_seconds: number | null;
  error_after_seconds: number | null;
  message: string;
}

/** The verdict for one source (pure): dbt's rule, error_after first. */
export function judgeFreshness(s: { warnAfterSeconds?: number | undefined; maxLagSeconds?: number | undefined }, latestMs: number | undefined, nowMs: number): Pick<FreshnessResult, 'status' | 'age_seconds' | 'message'> {
  if (latestMs === undefined) return { status: 'error', age_seconds: null, message: 'the topic has no records' };
  const age = Math.max(0, Math.round((nowMs - latestMs) / 1000));
  if (s.maxLagSeconds !== undefined && age > s.maxLagSeconds) return { status: 'error', age_seconds: age, message: `newest record is ${age}s old, more than max_lag_seconds ${s.maxLagSeconds}` };
  if (s.warnAfterSeconds !== undefined && age > s.warnAfterSeconds) return { status: 'warn', age_seconds: age, message: `newest record is ${age}s old, more than warn_after_seconds ${s.warnAfterSeconds}` };
  return { status: 'pass', age_seconds: age, message: `newest record is ${age}s old` };
}

export async function freshnessCommand(opts: FreshnessOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): Promise<number> {
  const json = opts.format === 'json';
  const front = runFrontEnd(opts, env, { live: true });
  if (front.project) out.addSecrets(front.project.secrets);
  const report = reporter(out, 'streamt-freshness', { json, root: front.root });
  const c = out.errColor;
  if (!front.resolved || !front.project || hasErrors(front.diagnostics)) {
    report.diagnostics(front.diagnostics);
    return report.finish(false, {}, `${c.red('✗')} No freshness check: the project has ${summaryLine(front.diagnostics, c)}`);
  }
  const sel = selectNodes(front.resolved, opts);
  if (sel.diagnostics.length) report.diagnostics(sel.diagnostics);
  if (hasErrors(sel.diagnostics)) return report.finish(false);
  const sources = front.project.sources.filter((s): s is SourceNode & { freshness: NonNullable<SourceNode['freshness']> } => !!s.freshness && (!sel.ids || sel.ids.has(s.id)));
  if (!sources.length) return report.finish(true, { sources: [] }, 'No source declares freshness: (add freshness: {warn_after_seconds: 300, max_lag_seconds: 900} to a source)');
  const probe = await preflight(front.project);
  report.diagnostics(probe.diagnostics);
  if (probe.failed) return report.finish(false);
  const topics = new Map(compileProject(front.resolved, { compiledAt: '1970-01-01T00:00:00.000Z' }).manifest.sources.map((s) => [s.id, s.topic]));
  const live = new LiveSystems(front.project.runtime, front.project.name);
  const results: FreshnessResult[] = await Promise.all(
    sources.map(async (s) => {
      const topic = topics.get(s.id) ?? s.name;
      const thresholds = { warn_after_seconds: s.freshness.warnAfterSeconds ?? null, error_after_seconds: s.freshness.maxLagSeconds ?? null };
      try {
        // The newest record of each partition; the newest of those is the topic's latest.
        const read = await readTopic(live.kafka(), topic, { from: 'latest', max: 1, timeoutMs: 15_000 });
        if (!read.exists) return { source: s.name, topic, status: 'runtime error' as const, latest_record_at: null, age_seconds: null, ...thresholds, message: `the topic ${topic} does not exist` };
        const latest = read.records.length ? Math.max(...read.records.map((r) => r.timestamp)) : undefined;
        return { source: s.name, topic, latest_record_at: latest !== undefined ? new Date(latest).toISOString() : null, ...thresholds, ...judgeFreshness(s.freshness, latest, now().getTime()) };
      } catch (e) {
        return { source: s.name, topic, status: 'runtime error' as const, latest_record_at: null, age_seconds: null, ...thresholds, message: (e as Error).message };
      }
    }),
  ).finally(() => live.close());
  results.sort((a, b) => (a.source < b.source ? -1 : 1));
  const failed = results.filter((r) => r.status === 'error' || r.status === 'runtime error').length;
  const warned = results.filter((r) => r.status === 'warn').length;
  if (json) return report.finish(!failed, { sources: results });
  const k = out.color;
  const paint = { pass: k.green, warn: k.yellow, error: k.red, 'runtime error': k.red };
  for (const r of results) out.out(`${paint[r.status](r.status.toUpperCase().padEnd(5))} ${r.source} ${k.dim(`(${r.topic})`)}: ${r.message}`);
  return report.finish(!failed, {}, `${failed ? c.red('✗') : c.green('✓')} ${plural(results.length, 'source')}: ${results.length - failed - warned} fresh, ${warned} warned, ${failed} in error`);
}
