/** Kafka Connect REST: list with status in one call, validate, create-or-update, restart, delete. */
import type { ObservedConnector } from './connector-handler.js';
import { HttpClient } from '../http.js';

export interface ConnectCluster {
  rest_url: string;
  username?: string | undefined;
  password?: string | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const enc = encodeURIComponent;

export class ConnectAdapter {
  readonly http: HttpClient;

  constructor(readonly clusterName: string, cluster: ConnectCluster, o: { timeLimitMs?: number } = {}) {
    this.http = new HttpClient({ service: 'Kafka Connect', baseUrl: cluster.rest_url, username: cluster.username, password: cluster.password, ...(o.timeLimitMs ? { timeLimitMs: o.timeLimitMs } : {}) });
  }

  /** Every connector with config and status in one call (`?expand=info&expand=status`). */
  async observe(names: readonly string[]): Promise<Map<string, ObservedConnector>> {
    const r = await this.http.get<Record<string, { info?: { config?: Record<string, string> }; status?: { connector?: { state: string }; tasks?: { id: number; state: string; trace?: string }[] } }>>('/connectors?expand=info&expand=status', { retryOn: [409] });
    const out = new Map<string, ObservedConnector>();
    for (const name of names) {
      const c = r.body?.[name];
      if (!c) {
        out.set(name, { kind: 'connector', name, exists: false });
        continue;
      }
      const o: ObservedConnector = { kind: 'connector', name, exists: true, config: { ...(c.info?.config ?? {}) } };
      delete o.config!.name;
      if (c.status?.connector) o.state = c.status.connector.state;
      if (c.status?.tasks) o.tasks = c.status.tasks.map((t) => ({ id: t.id, state: t.state, ...(t.trace ? { trace: t.trace.split('\n')[0]! } : {}) }));
      out.set(name, o);
    }
    return out;
  }

  async list(): Promise<string[]> {
    const r = await this.http.get<string[]>('/connectors', { retryOn: [409] });
    return r.body ?? [];
  }

  /** Per-field errors from the plugin's validator (empty when valid). */
  async validate(connectorClass: string, config: Record<string, string>): Promise<string[]> {
    const plugin = connectorClass.split('.').pop()!;
    const r = await this.http.call<{ configs?: { value: { name: string; errors: string[] } }[] }>('PUT', `/connector-plugins/${enc(plugin)}/config/validate`, { body: config, accept: [400, 404, 500], retryOn: [409] });
    if (r.status === 404) return [`connector plugin ${connectorClass} is not installed on this Connect cluster`];
    if (r.status !== 200) return [];
    const errors: string[] = [];
    for (const c of r.body.configs ?? []) for (const e of c.value.errors ?? []) errors.push(`${c.value.name}: ${e}`);
    return errors;
  }

  async put(name: string, config: Record<string, string>): Promise<void> {
    await this.http.call('PUT', `/connectors/${enc(name)}/config`, { body: config, retryOn: [409], timeLimitMs: 30_000 });
  }

  async restart(name: string): Promise<void> {
    await this.http.call('POST', `/connectors/${enc(name)}/restart?includeTasks=true&onlyFailed=true`, { retryOn: [409], accept: [404], idempotent: true });
  }

  async delete(name: string): Promise<void> {
    await this.http.call('DELETE', `/connectors/${enc(name)}`, { retryOn: [409], accept: [404], timeLimitMs: 60_000 });
  }

  async status(name: string): Promise<{ state: string; tasks: { id: number; state: string; trace?: string }[] } | undefined> {
    const r = await this.http.get<any>(`/connectors/${enc(name)}/status`, { accept: [404], retryOn: [409] });
    if (r.status === 404) return undefined;
    return { state: r.body.connector?.state ?? 'UNKNOWN', tasks: (r.body.tasks ?? []).map((t: any) => ({ id: t.id, state: t.state, ...(t.trace ? { trace: String(t.trace).split('\n')[0] } : {}) })) };
  }

  /** Waits until the connector runs with at least one task, or fails with the task's error. */
  async waitRunning(name: string, timeoutMs = 60_000): Promise<{ ok: true } | { ok: false; message: string }> {
    const deadline = Date.now() + timeoutMs;
    let last = 'absent';
    while (Date.now() < deadline) {
      const s = await this.status(name);
      if (s) {
        last = `${s.state}, tasks ${s.tasks.map((t) => t.state).join(',') || 'none'}`;
        const failed = [{ id: -1, state: s.state, trace: undefined as string | undefined }, ...s.tasks].find((t) => t.state === 'FAILED');
        if (failed) return { ok: false, message: `connector ${name} FAILED${failed.trace ? `: ${failed.trace}` : ''}` };
        if (s.state === 'RUNNING' && s.tasks.length && s.tasks.every((t) => t.state === 'RUNNING')) return { ok: true };
      }
      await sleep(500);
    }
    return { ok: false, message: `connector ${name} is not running after ${timeoutMs / 1000}s (${last})` };
  }
}
