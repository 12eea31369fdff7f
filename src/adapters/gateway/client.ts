/** Conduktor Gateway admin API v2: interceptors and alias topics (list, upsert, delete). */
import type { GatewaySpec } from '../../compile/types.js';
import type { ObservedGatewayRule } from './rule-handler.js';
import { HttpClient } from '../http.js';

type Resource = { kind?: string; metadata: { name: string; scope?: Record<string, string>; vCluster?: string }; spec: Record<string, unknown> };

export class GatewayAdapter {
  readonly http: HttpClient;

  constructor(cfg: { url: string; username?: string | undefined; password?: string | undefined }, o: { timeLimitMs?: number } = {}) {
    this.http = new HttpClient({ service: 'Conduktor Gateway', baseUrl: cfg.url, username: cfg.username, password: cfg.password, ...(o.timeLimitMs ? { timeLimitMs: o.timeLimitMs } : {}) });
  }

  private async all(): Promise<{ interceptors: Resource[]; aliases: Resource[] }> {
    const [i, a] = await Promise.all([this.http.get<Resource[]>('/gateway/v2/interceptor'), this.http.get<Resource[]>('/gateway/v2/alias-topic')]);
    return { interceptors: i.body ?? [], aliases: a.body ?? [] };
  }

  /** `names` by kind, plus every interceptor whose name starts with `prefix` (owned by name). */
  async observe(wanted: { name: string; kind: GatewaySpec['kind'] }[], prefix: string): Promise<Map<string, ObservedGatewayRule>> {
    const { interceptors, aliases } = await this.all();
    const out = new Map<string, ObservedGatewayRule>();
    const list = [...wanted];
    for (const i of interceptors) if (i.metadata.name.startsWith(prefix) && !list.some((w) => w.name === i.metadata.name)) list.push({ name: i.metadata.name, kind: 'Interceptor' });
    for (const w of list) {
      const found = (w.kind === 'Interceptor' ? interceptors : aliases).find((r) => r.metadata.name === w.name);
      out.set(w.name, found ? { kind: 'gateway_rule', name: w.name, ruleKind: w.kind, exists: true, resource: found as unknown as Record<string, unknown> } : { kind: 'gateway_rule', name: w.name, ruleKind: w.kind, exists: false });
    }
    return out;
  }

  async put(spec: GatewaySpec): Promise<void> {
    await this.http.call('PUT', spec.kind === 'Interceptor' ? '/gateway/v2/interceptor' : '/gateway/v2/alias-topic', { body: spec.resource });
  }

  async delete(name: string, kind: GatewaySpec['kind'], metadata: Record<string, unknown> = {}): Promise<void> {
    if (kind === 'Interceptor') await this.http.call('DELETE', `/gateway/v2/interceptor/${encodeURIComponent(name)}`, { body: (metadata.scope as object | undefined) ?? {}, accept: [404] });
    else await this.http.call('DELETE', '/gateway/v2/alias-topic', { body: { name, ...(metadata.vCluster ? { vCluster: metadata.vCluster } : {}) }, accept: [404] });
  }
}
