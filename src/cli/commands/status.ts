import { hasErrors } from '../../core/diagnostics.js';
import { compileForLive, liveSystems } from '../../apply/workflow.js';
import { absent, plan as makePlanValue } from '../../plan/plan.js';
import type { Observed, ResourceChange } from '../../plan/types.js';
import { diagnosticToJson, renderDiagnostics, summaryLine } from '../../ui/diagnostics.js';
import type { Output } from '../../ui/output.js';
import { ExitCode } from '../exit-codes.js';
import { packageVersion } from '../main.js';
import { runFrontEnd, type GlobalOptions } from '../pipeline.js';
import { reportDiagnostics, serviceDiagnostic } from './plan.js';

export interface StatusCommandOptions extends GlobalOptions {
  select?: string[];
  exclude?: string[];
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
}

function describe(c: ResourceChange, o: Observed, extra: Record<string, unknown>): ResourceStatus {
  const drift = c.action === 'no-op' || c.recordOnly ? [] : c.fields.map((f) => f.field);
  const base = { addr: c.addr, kind: c.kind, name: c.name, drift };
  switch (o.kind) {
    case 'topic':
      return { ...base, state: o.exists ? 'exists' : 'missing', healthy: o.exists && !drift.length, details: o.exists ? { partitions: o.partitions, replication_factor: o.replicationFactor, config: o.config } : {} };
    case 'flink_job': {
      const j = o.active[0];
      return { ...base, state: j ? j.state : o.lastTerminated ? o.lastTerminated.state : 'not running', healthy: !!j && j.state === 'RUNNING' && !drift.length, details: { job_id: j?.jid ?? null, running_jobs: o.active.length, ...extra } };
    }
    case 'connector': {
      const tasks = o.tasks ?? [];
      const ok = o.state === 'RUNNING' && tasks.length > 0 && tasks.every((t) => t.state === 'RUNNING');
      return { ...base, state: o.exists ? (o.state ?? 'UNKNOWN') : 'missing', healthy: ok && !drift.length, details: { tasks } };
    }
    case 'subject':
      return { ...base, state: o.exists ? `version ${o.latest?.version}` : 'missing', healthy: o.exists && !drift.length, details: o.exists ? { version: o.latest?.version, id: o.latest?.id, compatibility: o.compatibility ?? null } : {} };
    case 'gateway_rule':
      return { ...base, state: o.exists ? 'exists' : 'missing', healthy: o.exists && !drift.length, details: { kind: o.ruleKind } };
  }
}

export async function statusCommand(opts: StatusCommandOptions, out: Output, env: Readonly<Record<string, string | undefined>>, now: () => Date = () => new Date()): Promise<number> {
  const front = runFrontEnd(opts, env, { live: true });
  if (front.project) out.addSecrets(front.project.secrets);
  const c = out.errColor;
  if (!front.resolved || !front.project || hasErrors(front.diagnostics)) {
    reportDiagnostics(out, front.root, front.diagnostics);
    out.err(`${c.red('✗')} No status: the project has ${summaryLine(front.diagnostics, c)}`);
    return ExitCode.FAILURE;
  }
  const { compiled, diagnostics } = compileForLive(front.resolved, opts, now(), packageVersion());
  if (!compiled) {
    reportDiagnostics(out, front.root, diagnostics);
    return ExitCode.FAILURE;
  }
  const project = front.project;
  const live = liveSystems(project);
  try {
    const record = await live.readRecord();
    const observed = await live.observe(compiled.desired, record, { orphans: false, resolve: compiled.resolve, validate: false });
    const p = makePlanValue({ project: project.name, environment: project.environment?.name ?? null, streamtVersion: packageVersion(), createdAt: now().toISOString(), desired: compiled.desired, observed, record, options: { prune: false, allowStateReset: false, select: [], exclude: [] }, resolve: compiled.resolve, includeOrphans: false });
    const resources: ResourceStatus[] = [];
    for (const ch of p.changes) {
      const o = observed.get(ch.addr) ?? absent(ch.kind, ch.name);
      const extra: Record<string, unknown> = {};
      if (o.kind === 'flink_job' && o.active[0]) {
        const d = compiled.desired.find((x) => x.addr === ch.addr);
        const cluster = d?.kind === 'flink_job' ? d.spec.cluster : null;
        extra.last_checkpoint = await live.flink(cluster).lastCheckpoint(o.active[0].jid);
      }
      resources.push(describe(ch, o, extra));
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
    if (opts.format === 'json') out.json({ project: project.name, environment: project.environment?.name ?? null, healthy, resources, consumer_groups: groups });
    else {
      const k = out.color;
      out.out(`Status of project ${k.bold(project.name)}${project.environment ? ` (environment ${project.environment.name})` : ''}`);
      out.out('');
      for (const r of resources) {
        const mark = r.healthy ? k.green('✓') : k.red('✗');
        let detail = '';
        if (r.kind === 'flink_job') {
          const cp = r.details.last_checkpoint as { id: number; at: number } | null | undefined;
          detail = `${r.details.job_id ? `job ${r.details.job_id}` : ''}${cp ? `, last checkpoint #${cp.id} at ${new Date(cp.at).toISOString()}` : r.details.job_id ? ', no checkpoint yet' : ''}`;
        } else if (r.kind === 'connector') detail = ((r.details.tasks as { id: number; state: string }[]) ?? []).map((t) => `task ${t.id} ${t.state}`).join(', ');
        else if (r.kind === 'topic' && r.state === 'exists') detail = `${r.details.partitions} partitions, RF ${r.details.replication_factor}`;
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
    const d = serviceDiagnostic(e);
    if (!d) throw e;
    if (opts.format === 'json') out.json({ ok: false, diagnostics: [diagnosticToJson(d)] });
    else out.err(renderDiagnostics([d], c));
    return ExitCode.FAILURE;
  } finally {
    await live.close();
  }
}
