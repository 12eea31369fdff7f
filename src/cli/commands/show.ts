/**
 * `streamt show <node>` (dbt show): the last N records of a source's or a model's topic, decoded
 * with its schema (JSON as is; Avro in the Confluent wire format through the registry).
 */
import { error, hasErrors } from '../../core/diagnostics.js';
import { compileProject } from '../../compile/compile.js';
import { closest } from '../../core/suggest.js';
import { decodeRecords } from '../../datatest/decode.js';
import { readTopic } from '../../adapters/kafka/sample.js';
import { LiveSystems } from '../../adapters/live.js';
import { summaryLine } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { plural } from '../../ui/plural.js';
import { preflight } from '../live.js';
import { runFrontEnd, type GlobalOptions } from '../pipeline.js';
import { reporter } from '../report.js';

export interface ShowOptions extends GlobalOptions {
  limit?: string;
  timeout?: string;
  format?: 'text' | 'json';
}

export async function showCommand(name: string, opts: ShowOptions, out: Output, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  const json = opts.format === 'json';
  const front = runFrontEnd(opts, env, { live: true });
  if (front.project) out.addSecrets(front.project.secrets);
  const report = reporter(out, 'streamt-show', { json, root: front.root });
  const c = out.errColor;
  if (!front.resolved || !front.project || hasErrors(front.diagnostics)) {
    report.diagnostics(front.diagnostics);
    return report.finish(false, {}, `${c.red('✗')} Nothing shown: the project has ${summaryLine(front.diagnostics, c)}`);
  }
  const limit = Number(opts.limit ?? 10);
  if (!Number.isInteger(limit) || limit < 1) {
    report.diagnostics([error('INVALID_OPTION', `--limit must be a positive whole number, got ${JSON.stringify(opts.limit)}`)]);
    return report.finish(false);
  }
  const compiled = compileProject(front.resolved, { compiledAt: '1970-01-01T00:00:00.000Z' });
  const m = compiled.manifest;
  const entry = [...m.sources, ...m.models].find((n) => n.name === name || n.id === name);
  if (!entry) {
    const near = closest(name, [...m.sources, ...m.models].map((n) => n.name));
    report.diagnostics([error('NODE_NOT_FOUND', `No source or model named "${name}"`, { hint: near.length ? `did you mean ${near.map((n) => `"${n}"`).join(' or ')}?` : 'run "streamt ls --select type:source type:model"' })]);
    return report.finish(false);
  }
  const materialized = (entry as { materialized?: string }).materialized;
  if (!entry.topic || materialized === 'virtual_topic') {
    report.diagnostics([error('SHOW_NO_TOPIC', `${entry.id} ${materialized === 'virtual_topic' ? 'is a Gateway virtual topic' : 'writes no Kafka topic'} (materialized: ${materialized ?? 'none'}): there are no records to show`, { hint: 'show the model it reads, or a model that writes a topic' })]);
    return report.finish(false);
  }
  const probe = await preflight(front.project);
  report.diagnostics(probe.diagnostics);
  if (probe.failed) return report.finish(false);
  const runtime = front.project.runtime;
  const live = new LiveSystems(runtime, front.project.name);
  const read = await readTopic(live.kafka(), entry.topic, { from: 'latest', max: limit, timeoutMs: Math.max(1, Number(opts.timeout ?? 15)) * 1000 }).finally(() => live.close());
  if (!read.exists) {
    report.diagnostics([error('SHOW_NO_TOPIC', `The topic ${entry.topic} of ${entry.id} does not exist`, { hint: entry.id.startsWith('model.') ? 'run streamt apply to create it' : 'the producer has not created it yet' })]);
    return report.finish(false);
  }
  const decoded = await decodeRecords(read.records, runtime.schema_registry ? live.registry() : undefined);
  const records = decoded.records.map((r) => ({ partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value }));
  const notes = decoded.undecodable.examples.map((e) => `p${e.partition}@${e.offset}: ${e.reason}`);
  if (decoded.undecodable.count) report.diagnostics([{ code: 'SHOW_UNDECODABLE', severity: 'warning', message: `${plural(decoded.undecodable.count, 'record')} could not be decoded: ${notes.join('; ')}` }]);
  if (json) return report.finish(true, { node: entry.id, topic: entry.topic, records, undecodable: decoded.undecodable.count });
  const k = out.color;
  for (const r of records) out.out(`${k.dim(`${new Date(r.timestamp).toISOString()} p${r.partition}@${r.offset}`)}${r.key !== null ? ` ${k.cyan(`key=${r.key}`)}` : ''} ${JSON.stringify(r.value)}`);
  return report.finish(true, {}, `${plural(records.length, 'record')} of ${entry.topic} (${entry.id}), newest last${read.timedOut ? '; the read timed out, so some may be missing' : ''}`);
}
