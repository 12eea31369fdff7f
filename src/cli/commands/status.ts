import { hasErrors } from '../../core/diagnostics.js';
import { compileForLive, liveSystems } from '../../apply/workflow.js';
import { handlerFor } from '../../adapters/registry.js';
import { plan as makePlanValue } from '../../plan/plan.js';
import { summaryLine } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { packageVersion } from '../main.js';
import { preflight, serviceDiagnostic } from '../live.js';
import { runFrontEnd, type GlobalOptions } from '../pipeline.js';
import { reporter } from '../report.js';
import { selectContext, type SelectionOptions } from '../selection.js';

export interface StatusCommandOptions extends GlobalOptions, SelectionOptions {
  format?: 'text' | 'json';
}

interface ResourceStatus {
  addr: string;
  kind: string;
  name: string;
  state: string;
  healthy: boolean;
  drift: string[];
  details: Record<string, unknown>;
  /** The text output's one-line detail (not in the JSON). */
  detail: string;
}

export async function statusCommand(opts: StatusCommandOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): Promise<number> {
  const front = runFrontEnd(opts, env, { live: true });
  if (front.project) out.addSecrets(front.project.secrets);
  const c = out.errColor;
  const json = opts.format === 'json';
  const report = reporter(out, 'streamt-status', { json, root: front.root });
  if (!front.resolved || !front.project || hasErrors(front.diagnostics)) {
    report.diagnostics(front.diagnostics);
    return report.finish(false, {}, `${c.red('✗')} No status: the project has ${summaryLine(front.diagnostics, c)}`);
  }
  const { context, diagnostics: stateDiagnostics } = selectContext(front.resolved, opts);
  const { compiled, diagnostics } = hasErrors(stateDiagnostics) ? { compiled: undefined, diagnostics: stateDiagnostics } : compileForLive(front.resolved, { ...opts, context }, now(), packageVersion());
  if (!compiled) {
    report.diagnostics(diagnostics);
    return report.finish(false, {}, `${c.red('✗')} No status: the project does not compile`);
  }
  const probe = await preflight(front.project, compiled.desired);
  report.diagnostics(probe.diagnostics);
  if (probe.failed) {
    return report.finish(false, { unreachable: probe.unreachable }, `${c.red('✗')} No status: ${probe.unreachable.length === 1 ? 'a live system is' : `${probe.unreachable.length} live systems are`} not reachable`);
  }
  const project = front.project;
  const live = liveSystems(project);
  try {
    const record = await live.readRecord();
    const observed = await live.observe(compiled.desired, record, { orphans: false, resolve: compiled.resolve, validate: false });
    const p = makePlanValue({ project: project.name, environment: project.environment?.name ?? null, streamtVersion: packageVersion(), createdAt: now().toISOString(), desired: compiled.desired, observed, record, options: { prune: false, allowStateReset: false, select: [], exclude: [] }, resolve: compiled.resolve, includeOrphans: false });
    const resources: ResourceStatus[] = [];
    for (const ch of p.changes) {
      // Each kind's handler says what its state is and whether it is healthy.
      const h = handlerFor(ch.kind);
      const o = observed.get(ch.addr) ?? h.absent(ch.name);
      const drift = ch.action === 'no-op' || ch.recordOnly ? [] : ch.fields.map((f) => f.field);
      const s = await h.status(o, drift, compiled.desired.find((x) => x.addr === ch.addr), live);
      resources.push({ addr: ch.addr, kind: ch.kind, name: ch.name, drift, ...s, detail: h.statusDetail?.(s) ?? '' });
    }
    // Consumer-group lag of the groups declared on exposures.
    const groups: { exposure: string; group: string; exists: boolean; state?: string; topics: { topic: string; lag: number }[] }[] = [];
    const selectedIds = new Set(compiled.result.manifest.dag.nodes.map((n) => n.id));
    for (const e of compiled.result.manifest.exposures) {
      const group = (e as { consumer_group?: string | null }).consumer_group;
      if (!group || !selectedIds.has(e.id)) continue;
      if (compiled.selected && !compiled.desired.some((d) => compiled.result.manifest.dag.nodes.find((n) => n.id === e.id)?.upstream.includes(d.owner))) continue;
      const lag = await live.kafka().groupLag(group);
      groups.push({ exposure: e.name, group, ...lag });
    }
    const healthy = resources.every((r) => r.healthy);
    if (json) return report.finish(healthy, { project: project.name, environment: project.environment?.name ?? null, healthy, resources: resources.map(({ detail: _detail, ...r }) => r), consumer_groups: groups });
    else {
      const k = out.color;
      out.out(`Status of project ${k.bold(project.name)}${project.environment ? ` (environment ${project.environment.name})` : ''}`);
      out.out('');
      for (const r of resources) {
        const mark = r.healthy ? k.green('✓') : k.red('✗');
        const detail = r.detail;
        out.out(`  ${mark} ${r.addr.padEnd(44)} ${r.state}${detail ? k.dim(`  ${detail}`) : ''}${r.drift.length ? k.yellow(`  drift: ${r.drift.join(', ')}`) : ''}`);
      }
      if (groups.length) {
        out.out('');
        out.out('Consumer groups of exposures:');
        for (const g of groups) out.out(`  ${g.exposure} (${g.group}): ${g.exists ? `${g.state}, lag ${g.topics.map((t) => `${t.topic}=${t.lag}`).join(', ') || '0'}` : 'no committed offsets yet'}`);
      }
    }
    return healthy ? ExitCode.OK : ExitCode.FAILURE;
  } catch (e) {
    const d = serviceDiagnostic(e, project);
    if (!d) throw e;
    report.diagnostics([d]);
    return report.finish(false);
  } finally {
    await live.close();
  }
}
