/**
 * Runs planned changes in dependency order with bounded parallelism. A failure skips every change
 * that depends on it (transitively); independent changes go on. Pure scheduling: the work is
 * the `run` function, so the ordering and skip logic are unit-tested without live systems.
 */
export interface Task {
  addr: string;
  dependsOn: readonly string[];
}

export type OutcomeStatus = 'applied' | 'failed' | 'skipped';

export interface Outcome {
  addr: string;
  status: OutcomeStatus;
  error?: string;
  /** For skipped: the failed change it depended on. */
  because?: string;
  ms: number;
}

export interface ExecuteEvents {
  start?: (addr: string) => void;
  done?: (o: Outcome) => void;
}

export async function execute<T extends Task>(tasks: readonly T[], run: (t: T) => Promise<void>, o: { parallelism: number; events?: ExecuteEvents; now?: () => number } = { parallelism: 4 }): Promise<Outcome[]> {
  const now = o.now ?? (() => Date.now());
  const inPlan = new Set(tasks.map((t) => t.addr));
  const deps = new Map(tasks.map((t) => [t.addr, t.dependsOn.filter((d) => inPlan.has(d) && d !== t.addr)]));
  const outcomes = new Map<string, Outcome>();
  const pending = [...tasks];
  const running = new Map<string, Promise<void>>();
  const limit = Math.max(1, o.parallelism);

  const failedDep = (t: T): string | undefined => {
    for (const d of deps.get(t.addr) ?? []) {
      const out = outcomes.get(d);
      if (out && out.status !== 'applied') return out.status === 'failed' ? d : (out.because ?? d);
    }
    return undefined;
  };

  while (pending.length || running.size) {
    let progressed = false;
    for (let i = 0; i < pending.length; i++) {
      const t = pending[i]!;
      const bad = failedDep(t);
      if (bad) {
        const out: Outcome = { addr: t.addr, status: 'skipped', because: bad, ms: 0 };
        outcomes.set(t.addr, out);
        o.events?.done?.(out);
        pending.splice(i--, 1);
        progressed = true;
        continue;
      }
      const ready = (deps.get(t.addr) ?? []).every((d) => outcomes.get(d)?.status === 'applied');
      if (!ready || running.size >= limit) continue;
      pending.splice(i--, 1);
      progressed = true;
      const started = now();
      o.events?.start?.(t.addr);
      const p = run(t).then(
        () => {
          const out: Outcome = { addr: t.addr, status: 'applied', ms: now() - started };
          outcomes.set(t.addr, out);
          o.events?.done?.(out);
        },
        (e: unknown) => {
          const out: Outcome = { addr: t.addr, status: 'failed', error: (e as Error)?.message ?? String(e), ms: now() - started };
          outcomes.set(t.addr, out);
          o.events?.done?.(out);
        },
      );
      running.set(t.addr, p.finally(() => running.delete(t.addr)));
    }
    if (running.size) await Promise.race(running.values());
    else if (!progressed && pending.length) {
      // A dependency cycle among the remaining changes: never expected from a DAG; fail them.
      for (const t of pending.splice(0)) {
        const out: Outcome = { addr: t.addr, status: 'failed', error: 'dependency cycle between planned changes', ms: 0 };
        outcomes.set(t.addr, out);
        o.events?.done?.(out);
      }
    }
  }
  return tasks.map((t) => outcomes.get(t.addr)!);
}
