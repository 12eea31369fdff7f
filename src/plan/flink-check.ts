/**
 * `validate --flink`: every compiled Flink job put through Flink's planner on demand, exactly as
 * `plan` does for new and changed jobs (FlinkAdapter.explain: a throw-away SQL Gateway session,
 * the tables declared in it, EXPLAIN of the INSERT; nothing submitted, nothing created). A
 * rejection is a diagnostic at the model's SQL with Flink's own message.
 */
import { mapBounded } from '../core/bounded.js';
import { error, type Diagnostic } from '../core/diagnostics.js';
import type { FlinkJobArtifact } from '../compile/types.js';
import { ServiceError } from '../adapters/http.js';
import type { FlinkAdapter } from '../adapters/flink/client.js';
import { EXPLAIN_CONCURRENCY } from '../adapters/flink/job-handler.js';
import type { ResolvedProject } from '../resolve/types.js';
import { flinkLocation } from './flink-locate.js';

export interface FlinkCheck {
  diagnostics: Diagnostic[];
  /** Jobs Flink's planner accepted. */
  accepted: number;
  /** Jobs it was asked about. */
  checked: number;
}

export async function checkJobsWithFlink(resolved: ResolvedProject, jobs: readonly FlinkJobArtifact[], flinkFor: (cluster: string | null) => FlinkAdapter, resolve: (s: string) => string = (s) => s): Promise<FlinkCheck> {
  const diagnostics: Diagnostic[] = [];
  const down = new Map<string, string>();
  let accepted = 0;
  let checked = 0;
  const unavailable = (cluster: string, message: string) => {
    if (down.has(cluster)) return;
    down.set(cluster, message);
    diagnostics.push(
      error('FLINK_GATEWAY_UNAVAILABLE', `validate --flink cannot ask Flink's planner: ${message}`, {
        ...resolved.project.runtimeAt(['flink'], 'key'),
        hint: 'start the SQL Gateway (locally: npm run stack -- up) or set sql_gateway_url in runtime.flink.clusters; without --flink, validate does not need it',
      }),
    );
  };
  await mapBounded(jobs, EXPLAIN_CONCURRENCY, async (job) => {
    const key = job.spec.cluster ?? '(default)';
    if (down.has(key)) return;
    let flink: FlinkAdapter;
    try {
      flink = flinkFor(job.spec.cluster);
      const answer = await flink.explain(job.spec.statements.map(resolve), { sessionName: `streamt-validate ${job.spec.name}` });
      checked++;
      if (answer.accepted) {
        accepted++;
        return;
      }
      const r = answer.rejection;
      const at = flinkLocation(resolved, job.owner, job.spec.statements, { statement: answer.statement, ...(r.line !== undefined ? { line: r.line } : {}), ...(r.column !== undefined ? { column: r.column } : {}) }, r.message);
      diagnostics.push(
        error('FLINK_REJECTED', `Flink's planner rejects the job of ${job.owner.replace(/^(\w+)\./, '$1 ')} (${job.spec.name}): ${r.message}`, {
          ...(at ?? {}),
          node: job.owner,
          hint: "Flink would refuse it at apply; fix the model's SQL",
        }),
      );
    } catch (e) {
      if (!(e instanceof ServiceError)) throw e;
      unavailable(key, e.message);
    }
  });
  return { diagnostics, accepted, checked };
}
