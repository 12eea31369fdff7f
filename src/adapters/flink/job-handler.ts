/**
 * The `flink_job` kind: one Flink SQL job per model, found by its `pipeline.name`
 * (`streamt.<project>.<model>`). Changes are carried out as steps (stop with a savepoint,
 * cancel, submit, submit from a savepoint).
 */
import type { FlinkJobSpec } from '../../compile/types.js';
import type { ObservedBase } from '../../plan/types.js';
import type { LiveContext, ObserveTarget, ResourceHandler } from '../handler.js';
import { mapBounded } from '../../core/bounded.js';
import { ServiceError } from '../http.js';
import type { FlinkAdapter, FlinkExplanation } from './client.js';
import { diffFlinkJob } from './diff.js';

/** How many jobs are planned by Flink at once (the SQL Gateway plans on a small shared machine). */
export const EXPLAIN_CONCURRENCY = 2;

/** What Flink's planner said of a new or changed job at plan time (observeMany with `validate`). */
export interface FlinkPlannerFacts {
  /** Flink's planner could not be asked: no SQL Gateway configured, or it is unreachable. */
  unavailable?: string;
  /** EXPLAIN of the declared statements. */
  desired?: FlinkExplanation;
  /** EXPLAIN of the statements recorded when the job was last applied (a changed job). */
  recorded?: FlinkExplanation;
}

export interface LiveJob {
  jid: string;
  state: string;
  startTime: number;
}

export interface ObservedFlinkJob extends ObservedBase {
  kind: 'flink_job';
  name: string;
  /** Jobs with this pipeline.name that are not in a terminal state, newest first. */
  active: LiveJob[];
  /** The newest terminated job with this name (FAILED, CANCELED, FINISHED), if any. */
  lastTerminated?: LiveJob;
  /**
   * What that job can be restored from: its latest completed savepoint (stopped by an upgrade,
   * by `streamt test`'s pause_model or by hand) or retained checkpoint, whichever is newer.
   */
  lastSavepoint?: string;
  /** Whether lastSavepoint is a savepoint or a retained checkpoint. */
  restoreKind?: 'savepoint' | 'checkpoint';
  /** Plan only: Flink's planner on the declared (and recorded) statements of a new or changed job. */
  planner?: FlinkPlannerFacts;
}

const specOf = (t: { spec?: FlinkJobSpec; recorded?: { spec: unknown } }) => t.spec ?? (t.recorded?.spec as FlinkJobSpec | undefined);

export const flinkJobHandler: ResourceHandler<FlinkJobSpec, ObservedFlinkJob> = {
  kind: 'flink_job',
  addrPrefix: 'flink.job.',
  order: 3,
  waitsForUpstream: true,
  deletesAfterConsumers: false,
  hasSteps: true,

  desired: (artifacts, manifest) => {
    const stateful = new Map(manifest.models.map((m) => [m.id, (m.stateful_features ?? []).length > 0]));
    return artifacts.flinkJobs.map((a) => ({ kind: 'flink_job', addr: a.addr, owner: a.owner, hash: a.hash, name: a.spec.name, spec: a.spec, stateful: stateful.get(a.owner) ?? false }));
  },
  topicsOf: (spec) => [...spec.input_topics, spec.output_topic],
  absent: (name) => ({ kind: 'flink_job', name, active: [] }),
  exists: (o) => o.active.length > 0,

  async observeMany(targets, live, opts) {
    const out = new Map<string, ObservedFlinkJob>();
    const prefix = opts.ownPrefix;
    const jobs = targets.map((t) => ({ addr: t.addr, name: t.name, cluster: specOf(t)?.cluster ?? null }));
    const byCluster = new Map<FlinkAdapter, typeof jobs>();
    for (const j of jobs) {
      const a = live.flink(j.cluster);
      byCluster.set(a, [...(byCluster.get(a) ?? []), j]);
    }
    // Jobs named with the project's prefix can run on any cluster: look at every one.
    if (opts.orphans) for (const n of live.flinkClusterNames()) if (!byCluster.has(live.flink(n))) byCluster.set(live.flink(n), []);
    await Promise.all(
      [...byCluster].map(async ([flink, mine]) => {
        const m = await flink.observe(mine.map((j) => j.name), opts.orphans ? prefix : '\u0000');
        for (const [name, obs] of m) {
          const j = mine.find((x) => x.name === name);
          out.set(j?.addr ?? `flink.job.${name.startsWith(prefix) ? name.slice(prefix.length) : name}`, obs);
        }
      }),
    );
    if (opts.validate) await askPlanner(targets, out, live, opts.resolve);
    return out;
  },

  diff: (d, o, entry, ctx) =>
    diffFlinkJob({ spec: d.spec, hash: d.hash, stateful: !!d.stateful, readers: d.readers ?? [], impacts: d.impacts }, o, entry?.kind === 'flink_job' ? { hash: entry.hash, spec: entry.spec as FlinkJobSpec, ...(entry.savepoint ? { savepoint: entry.savepoint } : {}), ...(entry.stateful !== undefined ? { stateful: entry.stateful } : {}) } : undefined, { allowStateReset: ctx.allowStateReset }),
  changeFacts: (d, o, entry, p) => {
    const facts: ReturnType<NonNullable<ResourceHandler['changeFacts']>> = { stateful: !!d.stateful };
    const jobs = o.active.map((j) => j.jid);
    if (jobs.length && p.action !== 'no-op') facts.live = { jobIds: jobs };
    const sp = o.lastSavepoint ?? entry?.savepoint;
    if (p.steps?.includes('submit-from-savepoint') && !jobs.length && sp) facts.live = { savepoint: sp };
    return facts;
  },
  fingerprintFacts: (o) => ({ jobs: o.active.map((j) => j.jid).sort(), savepoint: o.lastSavepoint ?? null }),
  ownedByName: (o, project) => o.name.startsWith(`streamt.${project}.`),
  orphanDelete: (o) => {
    const jobs = o.active.map((j) => j.jid);
    return { steps: jobs.length ? ['cancel'] : [], ...(jobs.length ? { live: { jobIds: jobs } } : {}) };
  },

  async status(o, drift, d, live) {
    const j = o.active[0];
    const details: Record<string, unknown> = { job_id: j?.jid ?? null, running_jobs: o.active.length };
    if (j) details.last_checkpoint = await live.flink(d?.spec.cluster ?? null).lastCheckpoint(j.jid);
    return { state: j ? j.state : o.lastTerminated ? o.lastTerminated.state : 'not running', healthy: !!j && j.state === 'RUNNING' && !drift.length, details };
  },
  statusDetail: (s) => {
    const cp = s.details.last_checkpoint as { id: number; at: number } | null | undefined;
    return `${s.details.job_id ? `job ${s.details.job_id}` : ''}${cp ? `, last checkpoint #${cp.id} at ${new Date(cp.at).toISOString()}` : s.details.job_id ? ', no checkpoint yet' : ''}`;
  },

  async apply(change, live, ctx) {
    const spec = change.desired as FlinkJobSpec | undefined;
    const flink = live.flink(spec?.cluster ?? null);
    const jobs = change.live?.jobIds ?? [];
    let savepoint: string | undefined = change.live?.savepoint;
    for (const step of change.steps ?? []) {
      ctx.guard?.();
      if (step === 'stop-with-savepoint') {
        const [first, ...rest] = jobs;
        if (first) {
          ctx.progress?.(`stopping ${change.name} (${first}) with a savepoint`);
          savepoint = await flink.stopWithSavepoint(first);
          // Remember the savepoint until the new job runs: a re-run resumes from it.
          if (ctx.previous && ctx.record) await ctx.record({ ...ctx.previous, savepoint });
        }
        for (const j of rest) await flink.cancel(j);
      } else if (step === 'cancel') {
        for (const j of jobs) {
          ctx.progress?.(`cancelling ${change.name} (${j})`);
          await flink.cancel(j);
        }
      } else if (step === 'submit' || step === 'submit-from-savepoint') {
        const statements = spec!.statements.map(ctx.resolve);
        ctx.progress?.(`submitting ${change.name}${savepoint ? ` from ${savepoint}` : ''}`);
        // submit() looks the job up by its pipeline.name right before sending the INSERT, and
        // confirms a submission whose answer was lost by looking it up, never by sending it again.
        const jid = await flink.submit(spec!, statements, step === 'submit-from-savepoint' ? savepoint : undefined, ctx.progress ? { progress: ctx.progress } : {});
        await flink.waitRunning(jid);
      }
    }
    return change.action === 'delete' ? 'deleted' : 'kept';
  },
};

/**
 * Flink decides in plan: every new or changed job's statements, and the recorded statements of a
 * changed one (to compare their state), go through Flink's planner, at most EXPLAIN_CONCURRENCY
 * at a time. Nothing is submitted or created (FlinkAdapter.explain). A SQL Gateway that is not
 * configured or not reachable is a fact of the plan (`unavailable`), asked once per cluster.
 */
async function askPlanner(targets: readonly ObserveTarget<FlinkJobSpec>[], out: Map<string, ObservedFlinkJob>, live: LiveContext, resolve: (s: string) => string): Promise<void> {
  const work: { facts: FlinkPlannerFacts; which: 'desired' | 'recorded'; spec: FlinkJobSpec }[] = [];
  for (const t of targets) {
    const o = out.get(t.addr);
    if (!t.spec || t.readOnly || !o) continue;
    const recorded = t.recorded?.kind === 'flink_job' ? t.recorded : undefined;
    // Unchanged and running: nothing will be submitted, nothing to ask.
    if (recorded && recorded.hash === t.hash && o.active.length) continue;
    const facts: FlinkPlannerFacts = {};
    o.planner = facts;
    work.push({ facts, which: 'desired', spec: t.spec });
    if (recorded && recorded.hash !== t.hash) work.push({ facts, which: 'recorded', spec: recorded.spec as FlinkJobSpec });
  }
  const down = new Map<FlinkAdapter, string>();
  await mapBounded(work, EXPLAIN_CONCURRENCY, async (w) => {
    let flink: FlinkAdapter;
    try {
      flink = live.flink(w.spec.cluster ?? null);
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      w.facts.unavailable = e.message;
      return;
    }
    const known = down.get(flink);
    if (known) {
      w.facts.unavailable = known;
      return;
    }
    try {
      w.facts[w.which] = await flink.explain(w.spec.statements.map(resolve), { sessionName: `streamt-plan ${w.spec.name}` });
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      down.set(flink, e.message);
      w.facts.unavailable = e.message;
    }
  });
}
