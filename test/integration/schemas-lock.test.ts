/**
 * Schemas are the contract (issue 12), on the real Apicurio registry: the concepts' first example
 * (a source named only by its registry subject, `columns:` that only classify) validates and
 * compiles from schemas.lock.yml written by `streamt schemas pull`; a producer's compatible v2 is
 * reported by plan without touching the subject; a v3 that drops a field a model reads makes plan
 * fail naming the model and the column.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { deleteSubjectAfterTest, registry } from './helpers.js';
import { letters, runtimeYaml, TestProject } from './plan-helpers.js';

const record = (fields: string[]) => JSON.stringify({ type: 'record', name: 'CardPayment', namespace: 'payments', fields: fields.map((f) => JSON.parse(f)) });
const F = {
  payment_id: '{"name": "payment_id", "type": "string"}',
  card_number: '{"name": "card_number", "type": "string"}',
  amount_cents: '{"name": "amount_cents", "type": "long"}',
  status: '{"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["AUTHORIZED", "CAPTURED", "DECLINED"]}}',
  at: '{"name": "event_time", "type": {"type": "long", "logicalType": "timestamp-millis"}}',
  merchant: '{"name": "merchant", "type": ["null", {"type": "record", "name": "Merchant", "fields": [{"name": "id", "type": "string"}, {"name": "country", "type": ["null", "string"], "default": null}]}], "default": null}',
  channel: '{"name": "channel", "type": ["null", "string"], "default": null}',
};

describe('schemas.lock.yml on the real registry', () => {
  it('pull writes the lock; validate/compile read it offline; plan reports a compatible v2 and fails on a v3 that drops a field a model reads', async () => {
    const sfx = letters();
    const topic = `payments.raw.${sfx}`;
    const subject = `${topic}-value`;
    deleteSubjectAfterTest(subject);
    // The concepts' first example, as written (names made unique).
    const p = new TestProject(`it_${sfx}`, {
      'stream_project.yml': `project:\n  name: it_${sfx}\n${runtimeYaml()}`,
      'sources/raw.yml': `sources:
  - name: card_payments_raw
    topic: ${topic}
    schema:
      registry: schema_registry
      subject: ${subject}
    columns:
      - name: card_number
        classification: highly_sensitive
`,
      'models/m.yml': `models:
  - name: payments_clean_${sfx}
    materialized: flink
    sql: SELECT payment_id, amount_cents, status, merchant.country AS merchant_country FROM {{ source("card_payments_raw") }}
`,
    });
    expect((await registry('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'NONE' })).status).toBe(200);

    // No lock: a clear error that names the command.
    const noLock = await p.cli(['validate']);
    expect(noLock.code).toBe(1);
    expect(noLock.stderr).toContain('SCHEMA_LOCK_MISSING');
    expect(noLock.stderr).toContain('streamt schemas pull');
    // Not registered yet: pull says so and writes nothing.
    const absent = await p.cli(['schemas', 'pull']);
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain(`subject "${subject}" (read by source "card_payments_raw") is not in the registry`);

    // The producer registers v1; pull locks it.
    const v1 = record([F.payment_id, F.card_number, F.amount_cents, F.status, F.at, F.merchant]);
    expect((await registry('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: v1 })).status).toBe(200);
    const pulled = await p.cli(['schemas', 'pull', '--format', 'json']);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(JSON.parse(pulled.stdout)).toMatchObject({ lock_file: 'schemas.lock.yml', written: true, schemas: [{ subject, version: 1, schema_type: 'AVRO' }], changes: [{ subject, after: 1 }] });
    const lockText = readFileSync(join(p.dir, 'schemas.lock.yml'), 'utf8');
    expect(lockText).toContain(`subject: ${subject}`);
    expect(JSON.parse((await p.cli(['schemas', 'pull', '--format', 'json'])).stdout).written).toBe(false);

    // validate and compile read the lock and never the registry (its URL points nowhere here).
    const offline = { env: { STREAMT_TEST_UNUSED: '1' } };
    p.write({ 'stream_project.yml': `project:\n  name: it_${sfx}\n${runtimeYaml().replace(/url: http:\/\/[^\n]*apis\/ccompat\/v7/, 'url: http://127.0.0.1:9/apis/ccompat/v7')}` });
    const valid = await p.cli(['validate', '--format', 'json'], offline);
    expect(valid.code, valid.stdout + valid.stderr).toBe(0);
    const compiled = await p.cli(['compile', '--output', join(p.dir, 'generated')], offline);
    expect(compiled.code, compiled.stderr).toBe(0);
    const sql = readFileSync(join(p.dir, 'generated', 'flink', `payments_clean_${sfx}.sql`), 'utf8');
    expect(sql).toContain('`payment_id` STRING NOT NULL');
    expect(sql).toContain('`status` STRING NOT NULL');
    expect(sql).toContain('`event_time` TIMESTAMP(3) NOT NULL');
    expect(sql).toContain('`merchant` ROW<`id` STRING, `country` STRING>'); // a nullable record's fields are nullable in Flink's table
    expect(sql).toContain("'avro-confluent.schema'");
    const manifest = JSON.parse(readFileSync(join(p.dir, 'generated', 'manifest.json'), 'utf8'));
    const src = manifest.sources.find((s: any) => s.name === 'card_payments_raw');
    expect(src.columns.find((c: any) => c.name === 'card_number')).toMatchObject({ type: 'STRING NOT NULL', classification: 'highly_sensitive' });
    p.write({ 'stream_project.yml': `project:\n  name: it_${sfx}\n${runtimeYaml()}` });

    // The producer registers a compatible v2: plan says so, re-checks the models, changes nothing.
    const v2 = record([F.payment_id, F.card_number, F.amount_cents, F.status, F.at, F.merchant, F.channel]);
    expect((await registry('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: v2 })).status).toBe(200);
    const plan2 = await p.cli(['plan']);
    expect(plan2.code, plan2.stderr).toBe(0);
    expect(plan2.stderr).toContain('PLAN_SCHEMA_NEWER_VERSION');
    expect(plan2.stderr).toContain(`has version 2 in the registry; schemas.lock.yml has version 1`);
    expect(readFileSync(join(p.dir, 'schemas.lock.yml'), 'utf8')).toBe(lockText);
    expect((await registry('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`)).body.version).toBe(2);
    // pull moves the lock forward.
    const forward = await p.cli(['schemas', 'pull']);
    expect(forward.code, forward.stderr).toBe(0);
    expect(forward.stdout).toContain(`~ ${subject} version 1 → 2`);

    // v3 drops status and retypes merchant: plan fails naming the model and the columns.
    const v3 = record([F.payment_id, F.card_number, F.amount_cents, F.at, '{"name": "merchant", "type": ["null", "string"], "default": null}', F.channel]);
    expect((await registry('POST', `/subjects/${encodeURIComponent(subject)}/versions`, { schema: v3 })).status).toBe(200);
    const plan3 = await p.cli(['plan']);
    expect(plan3.code).toBe(1);
    expect(plan3.stderr).toContain('PLAN_SCHEMA_BREAKS_MODEL');
    expect(plan3.stderr).toContain(`version 3 of "${subject}" breaks model "payments_clean_${sfx}"`);
    expect(plan3.stderr).toMatch(/Column 'status' not found in any table/);
    expect(plan3.stderr).toMatch(/Table 'merchant' not found/);
    expect((await registry('GET', `/subjects/${encodeURIComponent(subject)}/versions/latest`)).body.version).toBe(3);
  });
});
