import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { applyPlan, compileForLive, leaseLog, liveSystems, makePlan, staleChanges, verifySavedPlan } from '../../apply/workflow.js';
import { ApplyLease, LEASE_TTL_MS, LeaseHeldError, describeHolder, holderJson } from '../../apply/lease.js';
import { leasePrefix } from '../../adapters/kafka/record.js';
import { formatDuration, parseDuration } from '../../datatest/duration.js';
import { blockDeployMaxAge, readDeployBlockers } from '../../datatest/index.js';
import type { Outcome } from '../../apply/execute.js';
import { actionable, isDestructive } from '../../plan/plan.js';
import { renderPlan } from '../../plan/render.js';
import type { OwnershipRecord, Plan } from '../../plan/types.js';
import { document, type OutputFormat } from '../../ui/contract.js';
import { diagnosticToJson, renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import { plural } from '../../ui/plural.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { packageVersion } from '../main.js';
import { runFrontEnd, type GlobalOptions } from '../pipeline.js';
import { confirmApply } from '../confirm.js';
import { leaseHolderOf, preflight } from '../live.js';
import { selectContext } from '../selection.js';
import { reportDiagnostics, serviceDiagnostic } from './plan.js';

export interface ApplyCommandOptions extends GlobalOptions {
  select?: string[];
  exclude?: string[];
  prune?: boolean;
  allowStateReset?: boolean;
  confirm?: boolean;
  /** Apply a fresh plan without asking `yes` (Terraform's -auto-approve). */
  autoApprove?: boolean;
  /** `streamt destroy`: plan the deletion of everything the project owns (nothing declared, --prune). */
  destroy?: boolean;
  state?: string;
  force?: boolean;
  parallelism?: string | number;
  format?: 'text' | 'json';
  verbose?: boolean;
  /** How long to wait for another apply's lease: `0` (refuse at once, the default), `30s`, `5m`. */
  lockTimeout?: string;
  /** The command line, as the lease names its holder (`streamt apply --prune`). */
  command?: string;
  /** Asks the user a question on a terminal (injected in tests); undefined when there is none. */
  ask?: ((question: string) => Promise<string>) | undefined;
}

function loadPlanFile(path: string): { plan?: Plan; diagnostic?: Diagnostic } {
  try {
    const p = JSON.parse(readFileSync(path, 'utf8')) as Plan;
    if (p?.format !== 'streamt-plan' || p.format_version !== 1 || !Array.isArray(p.changes)) {
      return { diagnostic: { code: 'APPLY_PLAN_INVALID', severity: 'error', message: `${path} is not a streamt plan (format streamt-plan, version 1)`, hint: 'create one with streamt plan --out plan.json' } };
    }
    const problems = verifySavedPlan(p);
    if (problems.length) return { diagnostic: { code: 'APPLY_PLAN_TAMPERED', severity: 'error', message: `${path} does not match its own hashes, so it is not applied: ${problems.join('; ')}`, hint: 'run streamt plan --out again and apply the plan it writes, unedited' } };
    return { plan: p };
  } catch (e) {
    return { diagnostic: { code: 'APPLY_PLAN_INVALID', severity: 'error', message: `Cannot read the plan ${path}: ${(e as Error).message}`, hint: 'create one with streamt plan --out plan.json' } };
  }
}

export function terminalAsk(): ((q: string) => Promise<string>) | undefined {
  if (!process.stdin.isTTY) return undefined;
  return async (q) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(q);
    } finally {
      rl.close();
    }
  };
}

function scopeOf(project: string, environment: string | null): string {
  return `project ${project}${environment ? ` (environment ${environment})` : ''}`;
}

/** APPLY_LOCKED: the holder by name, and how to wait for it or break it. */
export function lockedDiagnostic(e: LeaseHeldError, project: string, environment: string | null): Diagnostic {
  const h = e.holder;
  const waited = e.waitedMs >= 1000 ? `; waited ${formatDuration(Math.round(e.waitedMs / 1000) * 1000)}` : '';
  return {
    code: 'APPLY_LOCKED',
    severity: 'error',
    message: `Another apply of ${scopeOf(project, environment)} holds the apply lease: ${describeHolder(h)}, renewed at ${h.value.renewed_at}, expires at ${h.value.expires_at} unless renewed${waited}; nothing was applied`,
    hint: `wait for it to finish, or wait for it with --lock-timeout 10m; a killed apply's lease expires by itself ${LEASE_TTL_MS / 1000} s after its last renewal; if you are sure that apply is not running, break its lease: streamt unlock ${h.claim}${environment ? ` --env ${environment}` : ''}`,
  };
}

export async function applyCommand(planFile: string | undefined, opts: ApplyCommandOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): Promise<number> {
  const front = runFrontEnd(opts, env, { live: true });
  if (front.project) out.addSecrets(front.project.secrets);
  const c = out.errColor;
  const json = opts.format === 'json';
  const format: OutputFormat = opts.destroy ? 'streamt-destroy' : 'streamt-apply';
  const failMany = (ds: Diagnostic[], extra: Record<string, unknown> = {}, last?: string): number => {
    if (json) out.json(document(format, { ok: false, ...extra, diagnostics: ds.map(diagnosticToJson) }));
    else {
      if (ds.length) reportDiagnostics(out, front.root, ds, opts.verbose);
      if (last) out.err(last);
    }
    return ExitCode.FAILURE;
  };
  const fail = (d: Diagnostic, extra: Record<string, unknown> = {}): number => failMany([d], extra);
  if (!front.resolved || !front.project || hasErrors(front.diagnostics)) {
    return failMany(front.diagnostics, {}, `${c.red('✗')} Not applied: the project has ${summaryLine(front.diagnostics, c)}; run streamt validate for details`);
  }
  const project = front.project;
  const environment = project.environment?.name ?? null;
  const lockTimeoutMs = parseDuration(opts.lockTimeout ?? '0');
  if (lockTimeoutMs === undefined) {
    return fail({ code: 'INVALID_OPTION', severity: 'error', message: `--lock-timeout ${opts.lockTimeout} is not a duration`, hint: 'e.g. --lock-timeout 0 (refuse at once, the default), 30s, 5m' });
  }
  let saved: Plan | undefined;
  if (planFile) {
    const loaded = loadPlanFile(planFile);
    if (!loaded.plan) return fail(loaded.diagnostic!);
    saved = loaded.plan;
    if (saved.project !== project.name || (saved.environment ?? null) !== (project.environment?.name ?? null)) {
      return fail({ code: 'APPLY_PLAN_INVALID', severity: 'error', message: `${planFile} was made for project ${saved.project}${saved.environment ? ` (environment ${saved.environment})` : ''}, not ${project.name}${project.environment ? ` (environment ${project.environment.name})` : ''}`, hint: 'apply it from the project and environment it was planned for' });
    }
    if (opts.destroy || opts.select?.length || opts.exclude?.length || opts.prune || opts.allowStateReset) {
      return fail({ code: 'APPLY_PLAN_INVALID', severity: 'error', message: 'a saved plan is applied exactly as planned: --select, --exclude, --prune and --allow-state-reset belong to streamt plan', hint: 'plan again with the options you need' });
    }
  }
  // A saved plan still needs the compile: connection secrets are resolved in memory, never saved.
  const state = selectContext(front.resolved, saved || opts.destroy ? {} : opts);
  if (hasErrors(state.diagnostics)) return failMany(state.diagnostics);
  const made = compileForLive(front.resolved, saved || opts.destroy ? {} : { ...opts, context: state.context }, now(), packageVersion());
  const { diagnostics } = made;
  // destroy: nothing is declared any more, so everything the project owns is an orphan to prune.
  const compiled = made.compiled && opts.destroy ? { ...made.compiled, desired: [], selected: false } : made.compiled;
  if (!compiled) {
    return failMany([...front.diagnostics, ...diagnostics], {}, `${c.red('✗')} Not applied: the project does not compile`);
  }
  // Tests with block_deploy that failed in the last `streamt test` run stop every deploy.
  const blockers = readDeployBlockers(front.root, { project: project.name, environment: project.environment?.name ?? null, now: now(), maxAgeMs: blockDeployMaxAge(env), note: (m) => out.err(`${c.yellow('!')} ${m}`) });
  if (blockers.length) {
    return fail({
      code: 'APPLY_BLOCKED_BY_TESTS',
      severity: 'error',
      message: `The last streamt test run has ${plural(blockers.length, 'failed test')} with block_deploy: ${blockers.map((b) => `${b.test}${b.target ? ` on ${b.target}` : ''} (${b.status}${b.message ? `: ${b.message}` : ''})`).join('; ')}; nothing was applied`,
      hint: 'fix the data or the tests and run streamt test again (results in generated/run_results.json)',
    });
  }
  const probe = await preflight(project, compiled.desired);
  // Unreachable systems this apply does not need are warnings (kept for the JSON document).
  const notes = probe.diagnostics.filter((d) => d.severity !== 'error');
  if (!json && notes.length) reportDiagnostics(out, front.root, notes);
  if (probe.failed) {
    return failMany(probe.diagnostics, { unreachable: probe.unreachable }, `${c.red('✗')} Not applied: ${probe.unreachable.length === 1 ? 'a live system is' : `${probe.unreachable.length} live systems are`} not reachable`);
  }
  const live = liveSystems(project);
  let lease: ApplyLease | undefined;
  // Ctrl-C or a CI cancellation (SIGINT, SIGTERM) while the lease is held: finish the changes in
  // progress, start no new one, release the lease. A second signal stops at once (the lease then
  // expires by itself).
  let interrupted: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      out.err(`${c.red('✗')} ${sig} again: stopping at once; the apply lease expires by itself within ${LEASE_TTL_MS / 1000} s`);
      process.exit(130);
    }
    interrupted = sig;
    out.err(`${c.yellow('!')} ${sig}: finishing the changes in progress and starting no new one, then releasing the apply lease (${sig} again stops at once)`);
  };
  try {
    // One apply at a time per project and environment; the plan is made (or a saved plan checked)
    // under the lease, so an apply that waited sees what the other one did.
    try {
      lease = await ApplyLease.acquire(leaseLog(live), {
        prefix: leasePrefix(project.name, environment),
        project: project.name,
        environment,
        holder: leaseHolderOf(opts.command, env),
        streamtVersion: packageVersion(),
        timeoutMs: lockTimeoutMs,
        onWait: (h) => {
          if (!json) out.err(`${c.yellow('…')} Waiting up to ${formatDuration(lockTimeoutMs)} (--lock-timeout) for the apply lease of ${scopeOf(project.name, environment)}, held by ${describeHolder(h)}`);
        },
      });
    } catch (e) {
      if (e instanceof LeaseHeldError) return fail(lockedDiagnostic(e, project.name, environment), { lease: holderJson(e.holder) });
      throw e;
    }
    if (!json) out.err(c.dim(`Apply lease taken (claim ${lease.claim}); it is renewed while this apply runs.`));
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
    let plan: Plan;
    let record: OwnershipRecord;
    if (saved) {
      const check = await staleChanges(live, saved, compiled.resolve, compiled.secrets);
      if (check.stale.length) {
        return fail(
          { code: 'APPLY_PLAN_STALE', severity: 'error', message: `The plan is stale: the live state of ${check.stale.map((s) => s.addr).join(', ')} changed since ${saved.created_at}; nothing was applied`, hint: 'run streamt plan again and review the new plan' },
          { stale: check.stale },
        );
      }
      plan = saved;
      record = check.record;
    } else {
      const fresh = await makePlan(live, project, compiled, { prune: !!opts.prune || !!opts.destroy, allowStateReset: !!opts.allowStateReset, select: opts.select ?? [], exclude: opts.exclude ?? [] }, now(), packageVersion());
      plan = fresh.plan;
      record = fresh.record;
    }
    const changes = actionable(plan);
    if (!json) out.err(renderPlan(plan, c));
    if (interrupted) return fail({ code: 'APPLY_INTERRUPTED', severity: 'error', message: `Interrupted (${interrupted}) before any change; nothing was applied` });
    if (plan.summary.blocked) {
      return fail({ code: 'APPLY_PLAN_BLOCKED', severity: 'error', message: `${plural(plan.summary.blocked, 'planned change')} cannot be applied (${plan.changes.filter((x) => x.blocked).map((x) => `${x.addr}: ${x.blocked!.code}`).join(', ')}); nothing was applied`, hint: 'resolve them (see the plan), or plan with the option the hint names' });
    }
    if (!changes.length) {
      if (json) out.json(document(format, { ok: true, applied: 0, failed: 0, skipped: 0, outcomes: [], diagnostics: notes.map(diagnosticToJson) }));
      else out.err(`${c.green('✓')} Nothing to ${opts.destroy ? 'destroy' : 'apply'}.`);
      return ExitCode.OK;
    }
    const envInfo = project.environment;
    if (envInfo && !envInfo.allowDestructive && changes.some(isDestructive) && !opts.force) {
      return fail({ code: 'APPLY_DESTRUCTIVE_BLOCKED', severity: 'error', message: `Environment ${envInfo.name} does not allow destructive changes (safety.allow_destructive: false) and the plan deletes or replaces ${changes.filter(isDestructive).map((x) => x.addr).join(', ')}`, hint: 'review the plan, then pass --force to apply it anyway' });
    }
    const refused = await confirmApply({ changes: changes.length, environment: envInfo, savedPlan: !!saved, autoApprove: opts.autoApprove, confirm: opts.confirm, ask: opts.ask, verb: opts.destroy ? 'destroy' : 'apply' });
    if (refused) return fail(refused);
    const parallelism = Math.max(1, Number(opts.parallelism ?? 4) || 4);
    const total = changes.length;
    let done = 0;
    const tty = !!out.errColor.level;
    if (!json) out.err(`Applying ${plural(total, 'change')} (up to ${parallelism} at a time)…`);
    const verb: Record<string, string> = { create: 'created', update: 'updated', replace: 'replaced', delete: 'deleted' };
    const actionOf = new Map(changes.map((x) => [x.addr, x]));
    const held = lease;
    const outcomes: Outcome[] = await applyPlan(live, plan, record, compiled.resolve, {
      parallelism,
      // A change in progress finishes all its steps when interrupted (a Flink upgrade is not
      // left stopped); without the lease, nothing more is done, not even the next step.
      guard: (at) => {
        if (interrupted && at === 'change') throw new Error(`not started: the apply was interrupted (${interrupted})`);
        held.check();
      },
      streamtVersion: packageVersion(),
      now,
      progress: (addr, msg) => {
        if (!json) out.err(`  ${c.dim('…')} ${addr}: ${msg}`);
      },
      events: {
        start: (addr) => {
          if (!json && tty) out.err(`  ${c.dim('…')} ${addr}`);
        },
        done: (o) => {
          done++;
          if (json) return;
          const n = c.dim(`[${done}/${total}]`);
          const ch = actionOf.get(o.addr)!;
          if (o.status === 'applied') out.err(`  ${c.green('✓')} ${n} ${o.addr} ${ch.recordOnly ? 'recorded' : verb[ch.action]} ${c.dim(`(${(o.ms / 1000).toFixed(1)}s)`)}`);
          else if (o.status === 'failed') out.err(`  ${c.red('✗')} ${n} ${o.addr} failed: ${o.error}`);
          else out.err(`  ${c.yellow('-')} ${n} ${o.addr} skipped: it depends on ${o.because}, which failed`);
        },
      },
    });
    const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
    const summary = { applied: count('applied'), failed: count('failed'), skipped: count('skipped') };
    // Lost after the last change finished: everything was done under the lease.
    const lost: Diagnostic | undefined = held.lost && summary.failed
      ? { code: 'APPLY_LEASE_LOST', severity: 'error', message: `This apply lost its lease (claim ${held.claim}) while applying: ${held.lost}; it stopped before its next change (${summary.applied} applied, ${summary.failed} failed, ${summary.skipped} skipped)`, hint: 'run streamt plan to see where it stopped, then streamt apply again' }
      : undefined;
    if (json) out.json(document(format, { ok: summary.failed === 0 && !lost, ...summary, outcomes, diagnostics: [...notes, ...(lost ? [lost] : [])].map(diagnosticToJson) }));
    else {
      if (lost) out.err(renderDiagnostics([lost], c));
      const line = `${summary.applied} applied, ${summary.failed} failed, ${summary.skipped} skipped`;
      if (summary.failed) out.err(`${c.red('✗')} Apply finished with failures: ${line}. Fix the cause and run streamt apply again: it continues from where this run stopped.`);
      else out.err(`${c.green('✓')} Apply complete: ${line}.`);
    }
    return summary.failed || lost ? ExitCode.FAILURE : ExitCode.OK;
  } catch (e) {
    const d = serviceDiagnostic(e, project);
    if (!d) throw e;
    return fail(d);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    const l = lease;
    if (l) {
      await l.release().catch((e: Error) => {
        out.err(`${c.yellow('!')} Could not release the apply lease (claim ${l.claim}): ${e.message}; it expires by itself within ${LEASE_TTL_MS / 1000} s`);
      });
    }
    await live.close();
  }
}
