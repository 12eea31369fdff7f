/** The few Schema Registry calls tests need (Confluent API, basic auth), over undici. */
import { request } from 'undici';
import type { Runtime } from '../project/schema.js';

export interface RegistrySchema {
  schema: string;
  schemaType: 'AVRO' | 'JSON' | 'PROTOBUF';
  id?: number;
  version?: number;
}

export class RegistryClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly byId = new Map<number, Promise<RegistrySchema>>();

  constructor(config: NonNullable<Runtime['schema_registry']>, private readonly timeoutMs = 10_000) {
    this.base = config.url.replace(/\/+$/, '');
    this.headers = { accept: 'application/vnd.schemaregistry.v1+json, application/json' };
    if (config.username) this.headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
  }

  private async get(path: string): Promise<{ status: number; body: unknown }> {
    const res = await request(this.base + path, { method: 'GET', headers: this.headers, headersTimeout: this.timeoutMs, bodyTimeout: this.timeoutMs });
    const text = await res.body.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.statusCode, body };
  }

  /** The schema registered under an id (the id in a record's Confluent wire-format header). Cached. */
  schemaById(id: number): Promise<RegistrySchema> {
    let p = this.byId.get(id);
    if (!p) {
      p = this.get(`/schemas/ids/${id}`).then(({ status, body }) => {
        if (status !== 200) throw new Error(`schema id ${id}: registry answered ${status}`);
        const b = body as { schema: string; schemaType?: string };
        return { schema: b.schema, schemaType: (b.schemaType ?? 'AVRO') as RegistrySchema['schemaType'], id };
      });
      this.byId.set(id, p);
      p.catch(() => this.byId.delete(id));
    }
    return p;
  }

  /** The latest version of a subject, or undefined when the subject does not exist. */
  async latest(subject: string): Promise<RegistrySchema | undefined> {
    const { status, body } = await this.get(`/subjects/${encodeURIComponent(subject)}/versions/latest`);
    if (status === 404) return undefined;
    if (status !== 200) throw new Error(`subject ${subject}: registry answered ${status}`);
    const b = body as { schema: string; schemaType?: string; id?: number; version?: number };
    const out: RegistrySchema = { schema: b.schema, schemaType: (b.schemaType ?? 'AVRO') as RegistrySchema['schemaType'] };
    if (b.id !== undefined) out.id = b.id;
    if (b.version !== undefined) out.version = b.version;
    return out;
  }
}
