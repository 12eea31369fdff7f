/**
 * Pure diff of a declared Flink job against the live job with its pipeline.name and the spec
 * recorded when it was applied. A changed job is upgraded: stop with a savepoint, resubmit from
 * it. When the change breaks state compatibility (see `stateCompatibility`) the plan says so and
 * needs an explicit choice (`--allow-state-reset`): cancel and start without state.
 */
import { own, setOwn } from '../../core/own.js';
import { formatChangeAllowed, formatChangeBlocker, jobValueFormat } from '../../plan/format-change.js';
import type { FlinkJobSpec } from '../../compile/types.js';
import type { FieldChange, Proposal } from '../../plan/types.js';
import type { FlinkPlannerFacts, ObservedFlinkJob } from './job-handler.js';
import { judgeStatePlans, stateSignature, tableColumns } from './explain.js';
import { facetChanges, queryStateShape, statefulParts } from './shape.js';

export interface ScriptParts {
  settings: Record<string, string | null>;
  tables: Record<string, { columns: string; options: string }>;
  query: string;
}

const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Splits a compiled script into settings (SET/RESET), table definitions and the INSERT. */
export function scriptParts(statements: readonly string[]): ScriptParts {
  const parts: ScriptParts = { settings: {}, tables: {}, query: '' };
  for (const raw of statements) {
    const s = raw.trim();
    let m: RegExpMatchArray | null;
    if ((m = s.match(/^SET\s+'((?:[^']|'')*)'\s*=\s*'((?:[^']|'')*)'$/i))) setOwn(parts.settings, m[1]!, m[2]!.replace(/''/g, "'"));
    else if ((m = s.match(/^RESET\s+'((?:[^']|'')*)'$/i))) setOwn(parts.settings, m[1]!, null);
    else if ((m = s.match(/^CREATE\s+(?:TEMPORARY\s+)?(?:TABLE|VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?(`(?:[^`]|``)+`|\S+)\s*([\s\S]*)$/i))) {
      const body = m[2]!;
      const w = body.search(/\)\s*WITH\s*\(/i);
      setOwn(parts.tables, m[1]!.replace(/`/g, ''), w >= 0 ? { columns: norm(body.slice(0, w + 1)), options: norm(body.slice(w + 1)) } : { columns: norm(body), options: '' });
    } else parts.query = parts.query ? `${parts.query}; ${norm(s)}` : norm(s);
  }
  return parts;
}

/**
 * The text of a query with every string and number literal replaced by `?`: the topology Flink
 * derives operator ids from. Not a state-compatibility rule on its own (a 5 to 60 minute window
 * has the same text shape); `stateCompatibility` uses `queryStateShape` (shape.ts).
 */
export function queryShape(query: string): string {
  return norm(query)
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/(?<![\w.`])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w`])/g, '?')
    .toUpperCase();
}

export type StateVerdict = { compatible: true } | { compatible: false; why: string[] };

/** What the sink keeps per key: another sink kind or key reads the state for other semantics, whoever judges. */
function sinkChanges(before: FlinkJobSpec, after: FlinkJobSpec): string[] {
  const why: string[] = [];
  if (before.sink_connector !== after.sink_connector) why.push(`the sink changes from ${before.sink_connector} to ${after.sink_connector}`);
  if (before.primary_key.join(',') !== after.primary_key.join(',')) why.push('the primary key changes');
  return why;
}

/** A `'key' = 'value'` option of a table's WITH clause, or undefined. */
function tableOption(options: string, key: string): string | undefined {
  const m = options.match(new RegExp(`'${key.replace(/[.]/g, '\\.')}'\\s*=\\s*'((?:[^']|'')*)'`));
  return m ? m[1]!.replace(/''/g, "'") : undefined;
}

/** The table an `INSERT INTO` writes (unquoted), or undefined. */
function insertTarget(query: string): string | undefined {
  const m = query.match(/INSERT\s+INTO\s+(`(?:[^`]|``)+`|[^\s(]+)/i);
  return m ? m[1]!.replace(/`/g, '') : undefined;
}

/**
 * What a job's Kafka sources read that a savepoint cannot carry over: Flink's Kafka source
 * restores its assigned partitions, with their offsets, from the savepoint and keeps reading
 * them even when the table now names another topic or cluster (by design in the connector,
 * FLINK-34089): the upgraded job would read the old topic beside the new one. So a source that
 * moves to another topic, topic pattern or cluster breaks every job's state, stateful or not.
 * Judged on the compiled scripts, because Flink's plans name tables, not topics.
 */
export function sourceMoves(before: FlinkJobSpec, after: FlinkJobSpec): string[] {
  const a = scriptParts(before.statements);
  const b = scriptParts(after.statements);
  const sinks = new Set([insertTarget(a.query), insertTarget(b.query)]);
  const why: string[] = [];
  for (const name of Object.keys(b.tables).sort()) {
    const was = own(a.tables, name);
    const now = own(b.tables, name)!;
    if (!was || sinks.has(name)) continue;
    for (const [key, what] of [
      ['topic', 'topic'],
      ['topic-pattern', 'topic pattern'],
      ['properties.bootstrap.servers', 'cluster'],
    ] as const) {
      const x = tableOption(was.options, key);
      const y = tableOption(now.options, key);
      if (x !== y) {
        why.push(
          `table ${name} reads ${what} ${y ?? '(none)'} instead of ${x ?? '(none)'}: restored from a savepoint, Flink's Kafka source would keep reading the partitions of ${x ?? 'the old one'} it recorded there`,
        );
      }
    }
  }
  return why;
}

/**
 * Whether a savepoint of `before` can be restored by `after`: streamt's own rule on the parsed
 * SQL, conservative, used when Flink's planner cannot judge (see `judgeState`). It must never be
 * more permissive than Flink's judgement (test/unit/flink-state-agreement.test.ts).
 */
export function stateCompatibility(before: FlinkJobSpec, after: FlinkJobSpec): StateVerdict {
  const a = scriptParts(before.statements);
  const b = scriptParts(after.statements);
  const why: string[] = sinkChanges(before, after);
  const names = new Set([...Object.keys(a.tables), ...Object.keys(b.tables)]);
  for (const n of [...names].sort()) {
    if (!own(a.tables, n) || !own(b.tables, n)) why.push(`table ${n} is ${own(a.tables, n) ? 'no longer read' : 'new'}`);
    else if (own(a.tables, n)!.columns !== own(b.tables, n)!.columns) why.push(`the columns of table ${n} change`);
  }
  if (norm(a.query) !== norm(b.query)) {
    const x = queryStateShape(a.query, { projectionsFree: before.sink_connector === 'kafka' });
    const y = queryStateShape(b.query, { projectionsFree: after.sink_connector === 'kafka' });
    if (!x || !y) why.push('the query changes and cannot be analysed, so the change is taken as state-breaking');
    else if (x.shape !== y.shape) {
      const facets = facetChanges(x.facets, y.facets);
      why.push(...(facets.length ? facets.map((f) => `${f} (state built for other semantics)`) : ['the query changes beyond constants (its operators, and so the ids of their state, change)']));
    }
  }
  return why.length ? { compatible: false, why } : { compatible: true };
}

export interface StateJudgement {
  verdict: StateVerdict;
  judge: 'flink-planner' | 'streamt-rule';
  /** Whether the job keeps state (Flink's plan has stateful operators, or streamt's analysis says so). */
  stateful: boolean;
  /** Why streamt's rule judged instead of Flink's planner. */
  fallback?: string;
}

/**
 * State compatibility, judged by Flink where it can be: the stateful operators of Flink's plans
 * of the recorded and the new statements (explain.ts) must be the same, and the sink must keep
 * its kind and key. Otherwise (no SQL Gateway, Flink rejects the recorded statements, a plan
 * that cannot be read, or nobody asked) streamt's rule on the parsed SQL (`stateCompatibility`).
 */
export function judgeState(before: FlinkJobSpec, after: FlinkJobSpec, planner: FlinkPlannerFacts | undefined, streamtStateful: boolean): StateJudgement {
  const moves = sourceMoves(before, after);
  const withMoves = (v: StateVerdict): StateVerdict => (moves.length ? { compatible: false, why: [...moves, ...(v.compatible ? [] : v.why)] } : v);
  const fallback = (why: string | undefined): StateJudgement => ({
    verdict: withMoves(streamtStateful ? stateCompatibility(before, after) : { compatible: true }),
    judge: 'streamt-rule',
    stateful: streamtStateful,
    ...(why ? { fallback: why } : {}),
  });
  if (!planner) return fallback(undefined);
  if (planner.unavailable) return fallback(`Flink's planner could not be asked (${planner.unavailable})`);
  const d = planner.desired;
  const r = planner.recorded;
  if (!d || !r) return fallback("Flink's planner was not asked about both versions");
  if (!d.accepted) return fallback(`Flink's planner rejects the new statements: ${d.rejection.message}`);
  if (!r.accepted) return fallback(`Flink's planner rejects the recorded statements: ${r.rejection.message}`);
  const x = stateSignature(r.plan, tableColumns(before.statements));
  const y = stateSignature(d.plan, tableColumns(after.statements));
  if (!x || !y) return fallback("Flink's EXPLAIN output could not be read");
  const v = judgeStatePlans(x, y);
  const why = [...moves, ...(v.stateful ? sinkChanges(before, after) : []), ...(v.compatible ? [] : v.why)];
  return { verdict: why.length ? { compatible: false, why } : { compatible: true }, judge: 'flink-planner', stateful: v.stateful };
}

function judgeNote(j: StateJudgement): string {
  return j.judge === 'flink-planner'
    ? "state compatibility judged by Flink's planner (its plans of the recorded and the new statements compared)"
    : `state compatibility judged by streamt's rule on the parsed SQL${j.fallback ? `: ${j.fallback}` : ''}`;
}

/** What a job keeps state for ("window TUMBLE(…)", "grouping keys …"), for what-would-be-lost messages. */
export function statefulOperators(spec: FlinkJobSpec): string[] {
  const s = queryStateShape(scriptParts(spec.statements).query, { projectionsFree: spec.sink_connector === 'kafka' });
  return s ? statefulParts(s.facets) : [];
}

/** Field-level differences between two scripts. */
export function scriptChanges(before: FlinkJobSpec, after: FlinkJobSpec): FieldChange[] {
  const a = scriptParts(before.statements);
  const b = scriptParts(after.statements);
  const out: FieldChange[] = [];
  for (const k of [...new Set([...Object.keys(a.settings), ...Object.keys(b.settings)])].sort()) {
    if (own(a.settings, k) !== own(b.settings, k)) out.push({ field: `set.${k}`, before: own(a.settings, k) ?? undefined, after: own(b.settings, k) ?? undefined });
  }
  for (const n of [...new Set([...Object.keys(a.tables), ...Object.keys(b.tables)])].sort()) {
    const x = own(a.tables, n);
    const y = own(b.tables, n);
    if (x?.columns !== y?.columns) out.push({ field: `table.${n}.columns`, before: x?.columns, after: y?.columns });
    if (x?.options !== y?.options) out.push({ field: `table.${n}.options`, before: x?.options, after: y?.options });
  }
  if (a.query !== b.query) out.push({ field: 'query', before: a.query, after: b.query });
  return out;
}

export interface FlinkDiffInput {
  spec: FlinkJobSpec;
  hash: string;
  stateful: boolean;
  /** Who reads the model's topic (`model x`, `exposure y`, `connector z`) and the exposures downstream: named by a format change. */
  readers?: readonly string[];
  impacts?: readonly string[];
}

/** The job as recorded when it was last applied. */
export interface PreviousJob {
  hash: string;
  spec: FlinkJobSpec;
  savepoint?: string;
  /** streamt's analysis said the model kept state (the record's `stateful`). */
  stateful?: boolean;
}

export function diffFlinkJob(desired: FlinkDiffInput, observed: ObservedFlinkJob, previous: PreviousJob | undefined, opts: { allowStateReset: boolean }): Proposal {
  const p = diffJob(desired, observed, previous, opts);
  // The topic keeps its records: a job that writes it in another format than the recorded one
  // breaks its readers (src/plan/format-change.ts).
  const before = jobValueFormat(previous?.spec);
  const after = desired.spec.value_format;
  if (p.action !== 'no-op' && before && before !== after && previous?.spec.output_topic === desired.spec.output_topic) {
    p.fields = [{ field: 'value_format', before, after }, ...p.fields];
    if (opts.allowStateReset) p.reasons.push(formatChangeAllowed(desired.spec.output_topic, before, after));
    else if (!p.blocked) p.blocked = formatChangeBlocker(desired.spec.output_topic, before, after, desired.readers ?? [], desired.impacts ?? []);
  }
  const planner = observed.planner;
  if (p.action === 'no-op' || !planner) return p;
  const d = planner.desired;
  if (d && !d.accepted) {
    // Flink decides: a job its planner rejects is never submitted, and nothing else of the plan
    // is applied (apply refuses a blocked plan before changing anything).
    const r = d.rejection;
    p.blocked = {
      code: 'PLAN_FLINK_REJECTED',
      message: `Flink's planner rejects job ${desired.spec.name}: ${r.message}`,
      hint: "fix the model's SQL; streamt validate --flink runs the same check without planning",
      flink: { statement: d.statement, ...(r.line !== undefined ? { line: r.line } : {}), ...(r.column !== undefined ? { column: r.column } : {}) },
    };
  } else if (planner.unavailable && !p.blocked) {
    p.blocked = {
      code: 'PLAN_FLINK_UNCHECKED',
      message: `Flink's planner could not check job ${desired.spec.name}: ${planner.unavailable}`,
      hint: 'start the SQL Gateway (locally: npm run stack -- up) or fix sql_gateway_url in runtime.flink.clusters; jobs are submitted through it',
    };
  }
  return p;
}

function diffJob(desired: FlinkDiffInput, observed0: ObservedFlinkJob, previous: PreviousJob | undefined, opts: { allowStateReset: boolean }): Proposal {
  const running = observed0.active;
  // A terminated job counts only when this project's record says it applied the job: without an
  // entry (deleted with --prune, or never applied from here), the job is new to this project,
  // and the state of an earlier job with the same name (whose topics may have been deleted and
  // created again since) is neither restored nor mourned.
  const forgotten = !previous && !running.length ? observed0.lastTerminated : undefined;
  const { lastTerminated: _t, lastSavepoint: _s, restoreKind: _k, ...unterminated } = observed0;
  const observed: ObservedFlinkJob = forgotten ? unterminated : observed0;
  // streamt's own view of whether the job keeps state: now, or when it was applied (dropping
  // an aggregation leaves state the new job cannot restore).
  const streamtStateful = desired.stateful || !!previous?.stateful;
  // No running job: restore from the newest terminated job's savepoint or retained checkpoint
  // (observe puts it in lastSavepoint), else from the savepoint of an interrupted upgrade.
  const savepoint = observed.lastSavepoint ?? previous?.savepoint;
  if (!running.length && savepoint && !opts.allowStateReset) {
    const judged = previous && previous.hash !== desired.hash ? judgeState(previous.spec, desired.spec, observed.planner, streamtStateful) : undefined;
    const verdict: StateVerdict = judged?.verdict ?? { compatible: true };
    const t = observed.lastTerminated;
    const why = !observed.lastSavepoint
      ? 'an earlier upgrade stopped the job with a savepoint and did not resubmit it'
      : observed.restoreKind === 'checkpoint'
        ? `the job is ${t?.state ?? 'not running'}${t ? ` (${t.jid})` : ''}; its last checkpoint was retained`
        : `the job was stopped with a savepoint (${t?.state})`;
    const p: Proposal = {
      action: 'create',
      reasons: [`${why}: resume from ${savepoint}`],
      fields: [{ field: 'execution.savepoint.path', after: savepoint }, ...(previous ? scriptChanges(previous.spec, desired.spec) : [])],
      steps: ['submit-from-savepoint'],
    };
    if (judged?.stateful) {
      p.reasons.push(judgeNote(judged));
      p.stateJudge = judged.judge;
    }
    if (!verdict.compatible) p.blocked = { code: 'PLAN_STATE_INCOMPATIBLE', message: `The change to Flink job ${desired.spec.name} cannot restore its state from ${savepoint} (${verdict.why.join('; ')})`, hint: 'plan again with --allow-state-reset to start the job without its state' };
    return p;
  }
  if (!running.length) {
    const t = observed.lastTerminated;
    const reasons = [previous || t ? `no running job named ${desired.spec.name}${t ? ` (the last one, ${t.jid}, is ${t.state})` : ''}: submit it` : 'job is not running'];
    if (forgotten) reasons.push(`the last job with this name (${forgotten.jid}, ${forgotten.state}) is not in this project's record (deleted with --prune, or applied from elsewhere): the new job starts without its state`);
    const p: Proposal = { action: 'create', reasons, fields: [{ field: 'pipeline.name', after: desired.spec.name }], steps: ['submit'] };
    // A stateful job this project applied and that has nothing to restore from would start
    // empty: that is a choice, never a default.
    if (desired.stateful && previous) {
      const lost = statefulOperators(previous?.spec ?? desired.spec);
      const what = lost.length ? lost.join('; ') : 'its stateful operators';
      if (opts.allowStateReset) reasons.push(`--allow-state-reset: it starts without the state of ${what}`);
      else {
        p.blocked = {
          code: 'PLAN_STATE_LOSS',
          message: `Flink job ${desired.spec.name} is not running${t ? ` (the last one, ${t.jid}, is ${t.state})` : ''} and has no savepoint or retained checkpoint to restore from: submitting it starts empty and loses the state of ${what}`,
          hint: 'plan again with --allow-state-reset to start it without state (its inputs are read again from the consumer group offsets), or restore it by hand from a savepoint',
        };
      }
    } else if (previous) reasons.push('Kafka offsets resume from the consumer group (committed at each checkpoint)');
    return p;
  }
  const warnings: string[] = [];
  if (running.length > 1) warnings.push(`${running.length} running jobs are named ${desired.spec.name}; all are stopped on the next upgrade`);
  if (previous && previous.hash === desired.hash) return { action: 'no-op', reasons: [], fields: [], ...(warnings.length ? { warnings } : {}) };
  const fields = previous ? scriptChanges(previous.spec, desired.spec) : [{ field: 'statements', before: '(not recorded)', after: `${desired.spec.statements.length} statements` }];
  if (previous && !fields.length) {
    // Same script, different hash (e.g. metadata only): nothing to do on the cluster.
    return { action: 'no-op', reasons: [], fields: [] };
  }
  const reasons = [previous ? `the job changed: ${fields.map((f) => f.field).join(', ')}` : 'a job with this pipeline.name runs, but this project has no record of what it runs'];
  const judged = previous ? judgeState(previous.spec, desired.spec, observed.planner, streamtStateful) : undefined;
  const verdict: StateVerdict = judged?.verdict ?? { compatible: true };
  const stateful = desired.stateful || !!judged?.stateful;
  const judgeFacts: Partial<Proposal> = judged?.stateful ? { stateJudge: judged.judge } : {};
  if (judged?.stateful) reasons.push(judgeNote(judged));
  if (!previous && desired.stateful) warnings.push('state compatibility cannot be checked without a record; Flink refuses the savepoint if it does not match');
  const notRunning = running.find((j) => j.state !== 'RUNNING');
  if (notRunning && verdict.compatible) {
    // A savepoint needs a running job: a restarting or failing one can only be cancelled.
    reasons.push(`the job is ${notRunning.state}, so no savepoint can be taken: cancel and resubmit`);
    const p: Proposal = { action: 'replace', reasons, fields, steps: ['cancel', 'submit'], ...(warnings.length ? { warnings } : {}), ...judgeFacts };
    if (stateful && !opts.allowStateReset) {
      p.blocked = {
        code: 'PLAN_STATE_INCOMPATIBLE',
        message: `Flink job ${desired.spec.name} is ${notRunning.state}: it cannot be stopped with a savepoint, and resubmitting it loses its state`,
        hint: 'plan again with --allow-state-reset to restart it without state, or wait until it runs again',
      };
    }
    return p;
  }
  if (verdict.compatible) {
    reasons.push('upgrade: stop with a savepoint, resubmit from it');
    return { action: 'update', reasons, fields, steps: ['stop-with-savepoint', 'submit-from-savepoint'], ...(warnings.length ? { warnings } : {}), ...judgeFacts };
  }
  reasons.push(`state-incompatible: ${verdict.why.join('; ')}`);
  if (opts.allowStateReset) {
    reasons.push('--allow-state-reset: the job is cancelled and starts without state');
    return { action: 'replace', reasons, fields, steps: ['cancel', 'submit'], ...judgeFacts };
  }
  return {
    action: 'replace',
    reasons,
    fields,
    steps: ['cancel', 'submit'],
    ...judgeFacts,
    blocked: {
      code: 'PLAN_STATE_INCOMPATIBLE',
      message: `The change to Flink job ${desired.spec.name} cannot restore its state from a savepoint (${verdict.why.join('; ')})`,
      hint: 'plan again with --allow-state-reset to start the job without its state, or make the change state-compatible',
    },
  };
}
