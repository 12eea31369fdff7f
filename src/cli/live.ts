/**
 * What every command that reaches live systems does first: probe every configured system at
 * once (src/adapters/probe.ts) and turn each unreachable one into a diagnostic that names the
 * `runtime` key to fix. A stopped stack is reported whole, in about a second.
 */
import { error, warning, type Diagnostic } from '../core/diagnostics.js';
import { ServiceError } from '../adapters/http.js';
import { probeSystems, requiredSystems, type ProbeNeeds, type SystemCheck } from '../adapters/probe.js';
import type { CompileResult } from '../compile/types.js';
import type { Project } from '../project/types.js';
import type { LeaseHolder } from '../apply/lease.js';
import { hostname, userInfo } from 'node:os';

/** Where the runtime is declared: the environment file when one is active. */
export function runtimeFile(project: Project): string {
  return project.environment ? `stream_project.yml or ${project.environment.file}` : 'stream_project.yml';
}

const KEY_OF: Record<string, string> = {
  Kafka: 'runtime.kafka.bootstrap_servers',
  'Schema Registry': 'runtime.schema_registry.url',
  'Flink REST': 'runtime.flink.clusters.<name>.rest_url',
  'Flink SQL Gateway': 'runtime.flink.clusters.<name>.sql_gateway_url',
  'Kafka Connect': 'runtime.connect.clusters.<name>.rest_url',
  'Conduktor Gateway': 'runtime.conduktor.gateway.admin_url',
};

export function unreachableDiagnostic(c: SystemCheck, project: Project, needed = true): Diagnostic {
  const make = needed ? error : warning;
  return make('SERVICE_UNREACHABLE', `${c.system} at ${c.url} is ${c.problems.join('; ')}${needed ? '' : '; nothing this command plans needs it, so it goes on'}`, {
    hint: `start it, or fix ${c.name} (in ${runtimeFile(project)})`,
  });
}

/** What the compiled project needs of the live systems (for `debug`'s deeper checks). */
export function needsOf(result: CompileResult | undefined): ProbeNeeds {
  if (!result) return {};
  return {
    connectorClasses: result.artifacts.connectors.map((c) => ({ cluster: c.spec.cluster, connectorClass: c.spec.connector_class })),
    flinkJobs: result.artifacts.flinkJobs.map((j) => ({ cluster: j.spec.cluster })),
  };
}

/**
 * Probes every configured system at once; one SERVICE_UNREACHABLE per system that did not
 * answer: an error when the command needs it (Kafka, and the systems of `desired`: the declared
 * resources), else a warning. `failed`: stop now.
 */
export async function preflight(project: Project, desired: readonly { kind: string; spec: unknown }[] = []): Promise<{ diagnostics: Diagnostic[]; unreachable: string[]; failed: boolean }> {
  const checks = await probeSystems(project.runtime, { timeoutMs: 3_000 });
  const needed = requiredSystems(project.runtime, desired);
  const down = checks.filter((c) => !c.reachable);
  const diagnostics = down.map((c) => unreachableDiagnostic(c, project, needed.has(c.name)));
  return { diagnostics, unreachable: down.map((c) => c.name), failed: diagnostics.some((d) => d.severity === 'error') };
}

/** A live system failure as a diagnostic: the message names the service and URL; no stack. */
export function serviceDiagnostic(e: unknown, project?: Project): Diagnostic | undefined {
  if (!(e instanceof ServiceError)) return undefined;
  const where = project ? ` (in ${runtimeFile(project)})` : '';
  return {
    code: e.unreachable ? 'SERVICE_UNREACHABLE' : 'SERVICE_ERROR',
    severity: 'error',
    message: e.message,
    hint: e.unreachable ? `start it, or fix ${KEY_OF[e.service] ?? 'its URL under runtime'}${where}` : `see the ${e.service} logs for details`,
  };
}

/** Who takes the lease: user@host, pid and command line. */
export function leaseHolderOf(command: string | undefined, env: Readonly<Record<string, string | undefined>>): LeaseHolder {
  let user = env.USER ?? env.USERNAME ?? 'unknown';
  try {
    user = userInfo().username || user;
  } catch {
    /* no passwd entry (some containers) */
  }
  return { user, host: hostname(), pid: process.pid, command: command ?? 'streamt apply' };
}
