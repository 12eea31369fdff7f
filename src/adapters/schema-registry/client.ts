/** Confluent Schema Registry API (base URL may have a path, e.g. Apicurio's /apis/ccompat/v7). */
import type { SchemaSpecArtifact } from '../../compile/types.js';
import type { ObservedSubject } from './subject-handler.js';
import { HttpClient } from '../http.js';
import { sameSchema } from './diff.js';
import type { LockedSchema } from '../../schemas/lock.js';

const CT = 'application/vnd.schemaregistry.v1+json';
/** The registry leaves schemaType out for Avro. */
const schemaTypeOf = (t: string | undefined): RegistrySchema['schemaType'] => {
  const u = (t ?? 'AVRO').toUpperCase();
  return u === 'JSON' ? 'JSON' : u === 'PROTOBUF' ? 'PROTOBUF' : 'AVRO';
};
const enc = encodeURIComponent;

/** A registered schema as records and tests need it. */
export interface RegistrySchema {
  schema: string;
  schemaType: 'AVRO' | 'JSON' | 'PROTOBUF';
  id?: number;
  version?: number;
}

export class SchemaRegistryAdapter {
  readonly http: HttpClient;
  private readonly byId = new Map<number, Promise<RegistrySchema>>();

  constructor(cfg: { url: string; username?: string | undefined; password?: string | undefined }, o: { timeLimitMs?: number } = {}) {
    this.http = new HttpClient({ service: 'Schema Registry', baseUrl: cfg.url, username: cfg.username, password: cfg.password, headers: { accept: CT, 'content-type': CT }, ...(o.timeLimitMs ? { timeLimitMs: o.timeLimitMs } : {}) });
  }

  /** Latest version, subject compatibility, and for a changed schema the registry's compatibility verdict. */
  async observe(subject: string, desired?: SchemaSpecArtifact): Promise<ObservedSubject> {
    const latest = await this.http.get<{ version: number; id: number; schema: string; schemaType?: string }>(`/subjects/${enc(subject)}/versions/latest`, { accept: [404] });
    if (latest.status === 404) return { kind: 'subject', subject, exists: false };
    const o: ObservedSubject = {
      kind: 'subject',
      subject,
      exists: true,
      latest: { version: latest.body.version, id: latest.body.id, schema: latest.body.schema, schemaType: latest.body.schemaType ?? 'AVRO' },
    };
    const cfg = await this.http.get<{ compatibilityLevel?: string; compatibility?: string }>(`/config/${enc(subject)}`, { accept: [404] });
    o.compatibility = cfg.status === 404 ? null : (cfg.body.compatibilityLevel ?? cfg.body.compatibility ?? null);
    // A schema of another type is a format change (planned as such), not an evolution to judge.
    if (desired && !sameSchema(desired, o.latest!) && o.latest!.schemaType === desired.schema_type) {
      const r = await this.http.call<{ is_compatible: boolean; messages?: string[] }>('POST', `/compatibility/subjects/${enc(subject)}/versions/latest?verbose=true`, {
        body: { schema: desired.schema, schemaType: desired.schema_type },
        accept: [404, 409, 422],
        idempotent: true, // a check: it changes nothing
      });
      if (r.status === 200) o.compatible = { isCompatible: r.body.is_compatible, messages: r.body.messages ?? [] };
      else if (r.status === 409 || r.status === 422) o.compatible = { isCompatible: false, messages: [String((r.body as any)?.message ?? 'rejected by the registry')] };
    }
    return o;
  }

  /** One version of a subject (`latest` or a number), with its references; undefined when absent. */
  async version(subject: string, version: number | 'latest'): Promise<LockedSchema | undefined> {
    const r = await this.http.get<{ subject?: string; version: number; id: number; schema: string; schemaType?: string; references?: { name: string; subject: string; version: number }[] }>(`/subjects/${enc(subject)}/versions/${version}`, { accept: [404, 422] });
    if (r.status !== 200) return undefined;
    return {
      subject,
      version: r.body.version,
      id: r.body.id,
      schemaType: schemaTypeOf(r.body.schemaType),
      schema: r.body.schema,
      references: (r.body.references ?? []).map((x) => ({ name: x.name, subject: x.subject, version: x.version })),
    };
  }

  /** The schema registered under an id (the id in a record's Confluent wire-format header). Cached. */
  schemaById(id: number): Promise<RegistrySchema> {
    let p = this.byId.get(id);
    if (!p) {
      p = this.http.get<{ schema: string; schemaType?: string }>(`/schemas/ids/${id}`, { accept: [404] }).then((r) => {
        if (r.status === 404) throw new Error(`schema id ${id} is not in the registry`);
        return { schema: r.body.schema, schemaType: schemaTypeOf(r.body.schemaType), id };
      });
      this.byId.set(id, p);
      p.catch(() => this.byId.delete(id));
    }
    return p;
  }

  async setCompatibility(subject: string, level: string): Promise<void> {
    await this.http.call('PUT', `/config/${enc(subject)}`, { body: { compatibility: level } });
  }

  async register(spec: SchemaSpecArtifact): Promise<number> {
    const body: Record<string, unknown> = { schema: spec.schema };
    if (spec.schema_type !== 'AVRO') body.schemaType = spec.schema_type;
    const r = await this.http.call<{ id: number }>('POST', `/subjects/${enc(spec.subject)}/versions`, { body, idempotent: true }); // the same schema gets the same id
    return r.body.id;
  }

  async delete(subject: string): Promise<void> {
    await this.http.call('DELETE', `/subjects/${enc(subject)}`, { accept: [404] });
    await this.http.call('DELETE', `/subjects/${enc(subject)}?permanent=true`, { accept: [404] });
  }

  async list(): Promise<string[]> {
    return (await this.http.get<string[]>('/subjects')).body ?? [];
  }
}
