/**
 * `streamt unlock <claim>`: breaks the apply lease of the project and environment (Terraform's
 * `force-unlock`). For an apply that was killed and whose lease has not expired yet; an apply
 * that still runs notices at its next renewal and stops before its next change.
 */
import { hasErrors, type Diagnostic } from '../../core/diagnostics.js';
import { breakLease, describeHolder, holderJson, liveClaims } from '../../apply/lease.js';
import { leaseLog, liveSystems } from '../../apply/workflow.js';
import { leasePrefix } from '../../adapters/kafka/record.js';
import { document } from '../../ui/contract.js';
import { diagnosticToJson, renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { preflight } from '../live.js';
import { runFrontEnd, type GlobalOptions } from '../pipeline.js';
import { reportDiagnostics, serviceDiagnostic } from './plan.js';

export interface UnlockCommandOptions extends GlobalOptions {
  format?: 'text' | 'json';
}

export async function unlockCommand(claim: string, opts: UnlockCommandOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): Promise<number> {
  const front = runFrontEnd(opts, env, { live: true });
  if (front.project) out.addSecrets(front.project.secrets);
  const c = out.errColor;
  const json = opts.format === 'json';
  const fail = (d: Diagnostic, extra: Record<string, unknown> = {}): number => {
    if (json) out.json(document('streamt-unlock', { ok: false, ...extra, diagnostics: [diagnosticToJson(d)] }));
    else out.err(renderDiagnostics([d], c));
    return ExitCode.FAILURE;
  };
  if (!front.project || hasErrors(front.diagnostics)) {
    if (json) out.json(document('streamt-unlock', { ok: false, diagnostics: front.diagnostics.map(diagnosticToJson) }));
    else {
      reportDiagnostics(out, front.root, front.diagnostics);
      out.err(`${c.red('✗')} Not unlocked: the project has ${summaryLine(front.diagnostics, c)}`);
    }
    return ExitCode.FAILURE;
  }
  const project = front.project;
  const environment = project.environment?.name ?? null;
  const scope = `project ${project.name}${environment ? ` (environment ${environment})` : ''}`;
  const probe = await preflight(project);
  if (probe.failed) {
    if (json) out.json(document('streamt-unlock', { ok: false, unreachable: probe.unreachable, diagnostics: probe.diagnostics.map(diagnosticToJson) }));
    else reportDiagnostics(out, front.root, probe.diagnostics);
    return ExitCode.FAILURE;
  }
  const live = liveSystems(project);
  try {
    const at = now().getTime();
    const r = await breakLease(leaseLog(live), leasePrefix(project.name, environment), claim, at);
    if (!r.released) {
      const holders = liveClaims(r.state, at);
      return fail(
        {
          code: 'UNLOCK_NOT_HELD',
          severity: 'error',
          message: `No live claim ${claim} on the apply lease of ${scope}: it was released, it expired, or it belongs to another project or environment; ${holders.length ? `the lease is held by ${describeHolder(holders[0]!)}` : 'nobody holds the lease now'}`,
          hint: environment ? 'the claim id is the one streamt apply named (APPLY_LOCKED); check --env' : 'the claim id is the one streamt apply named (APPLY_LOCKED); pass --env when the project has environments',
        },
        { holders: holders.map(holderJson) },
      );
    }
    if (json) out.json(document('streamt-unlock', { ok: true, released: holderJson(r.released), diagnostics: [] }));
    else {
      out.err(`${c.green('✓')} Released the apply lease of ${scope}: ${describeHolder(r.released)}.`);
      out.err('If that apply is still running, it stops before its next change; run streamt plan to see where it stopped.');
    }
    return ExitCode.OK;
  } catch (e) {
    const d = serviceDiagnostic(e, project);
    if (!d) throw e;
    return fail(d);
  } finally {
    await live.close();
  }
}
