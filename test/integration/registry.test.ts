// Schema Registry, Confluent-compatible API (Apicurio Registry's ccompat v7).
import { describe, expect, it } from 'vitest';
import { deleteSubjectAfterTest, registry, uniqueSubject } from './helpers.js';

const v1 = { type: 'record', name: 'Order', namespace: 'it.streamt', fields: [{ name: 'id', type: 'long' }, { name: 'customer', type: 'string' }] };
const v2Compatible = { ...v1, fields: [...v1.fields, { name: 'amount', type: 'double', default: 0 }] };
const v2Breaking = { ...v1, fields: [...v1.fields, { name: 'amount', type: 'double' }] };
const body = (schema: object) => ({ schemaType: 'AVRO', schema: JSON.stringify(schema) });

describe('Schema Registry (Apicurio ccompat v7)', () => {
  it('registers an Avro schema, checks evolutions for compatibility, and deletes the subject', async () => {
    const subject = uniqueSubject('it-orders');
    deleteSubjectAfterTest(subject);

    const reg = await registry('POST', `/subjects/${subject}/versions`, body(v1));
    expect(reg.status).toBe(200);
    expect(typeof reg.body.id).toBe('number');
    // Registering the same schema again is idempotent: same id, still one version.
    const again = await registry('POST', `/subjects/${subject}/versions`, body(v1));
    expect(again.body.id).toBe(reg.body.id);
    expect((await registry('GET', `/subjects/${subject}/versions`)).body).toEqual([1]);

    // Lookup: is this exact schema registered under the subject?
    const lookup = await registry('POST', `/subjects/${subject}`, body(v1));
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ subject, version: 1, id: reg.body.id });
    // Compare schemas as parsed JSON: the registry may return them compacted.
    expect(JSON.parse(lookup.body.schema)).toEqual(v1);

    // Subject-level compatibility config.
    expect((await registry('PUT', `/config/${subject}`, { compatibility: 'BACKWARD' })).status).toBe(200);
    expect((await registry('GET', `/config/${subject}`)).body.compatibilityLevel).toBe('BACKWARD');

    // Compatibility checks of two evolutions against the latest version.
    const ok = await registry('POST', `/compatibility/subjects/${subject}/versions/latest`, body(v2Compatible));
    expect(ok.status).toBe(200);
    expect(ok.body.is_compatible).toBe(true);
    const bad = await registry('POST', `/compatibility/subjects/${subject}/versions/latest`, body(v2Breaking));
    expect(bad.status).toBe(200);
    expect(bad.body.is_compatible).toBe(false);

    // With BACKWARD configured, registering the breaking schema is refused (409)...
    const refused = await registry('POST', `/subjects/${subject}/versions`, body(v2Breaking));
    expect(refused.status).toBe(409);
    // ...and the compatible one becomes version 2.
    const reg2 = await registry('POST', `/subjects/${subject}/versions`, body(v2Compatible));
    expect(reg2.status).toBe(200);
    expect(reg2.body.id).not.toBe(reg.body.id);
    const latest = await registry('GET', `/subjects/${subject}/versions/latest`);
    expect(latest.body.version).toBe(2);
    expect(JSON.parse(latest.body.schema)).toEqual(v2Compatible);
    const byId = await registry('GET', `/schemas/ids/${reg2.body.id}`);
    expect(JSON.parse(byId.body.schema)).toEqual(v2Compatible);

    // Soft delete, then hard delete; afterwards the subject is gone (Confluent error 40401).
    const soft = await registry('DELETE', `/subjects/${subject}`);
    expect(soft.status).toBe(200);
    expect(soft.body).toEqual([1, 2]);
    const hard = await registry('DELETE', `/subjects/${subject}?permanent=true`);
    expect(hard.status).toBe(200);
    expect((await registry('GET', '/subjects')).body).not.toContain(subject);
    const gone = await registry('GET', `/subjects/${subject}/versions`);
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe(40401);
  });

  it('rejects an invalid Avro schema with a Confluent error code', async () => {
    const subject = uniqueSubject('it-invalid');
    deleteSubjectAfterTest(subject);
    const r = await registry('POST', `/subjects/${subject}/versions`, { schemaType: 'AVRO', schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}' });
    expect(r.status).toBe(422);
    expect(r.body.error_code).toBe(42201);
  });
});
