// Masking compiled into the Flink jobs that write the data (standalone, no Gateway): a masked
// card_number (partial) never reaches the model's topic or anything downstream; hash, redact and
// null are checked in the same records, and Flink plans every masked job (it runs them).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTopics, eventually, produce } from './helpers.js';
import { join } from 'node:path';
import { cleanupProject, cli, JSON_MODELS, letters, readAll, runtimeYaml, TestProject } from './plan-helpers.js';

const CARD = '4111111111111111';
const EMAIL = 'jane@example.com';

describe('masking in Flink SQL (standalone)', () => {
  it('the model topic and its downstream topic never hold the clear values', async () => {
    const sfx = letters();
    const name = `it_mask_${sfx}`;
    const raw = `it.mask.raw.${sfx}`;
    const masked = `masked_${sfx}`;
    const downstream = `downstream_${sfx}`;
    const project = new TestProject(name, {
      'stream_project.yml': `project:\n  name: ${name}\n${runtimeYaml()}defaults:\n${JSON_MODELS}  topic:\n    partitions: 1\n    replication_factor: 1\nrules:\n  security:\n    sensitive_columns_require_masking: true\n`,
      'sources/raw.yml': `sources:
  - name: raw
    topic: ${raw}
    columns:
      - { name: payment_id, type: STRING, classification: internal }
      - { name: card_number, type: STRING, classification: highly_sensitive }
      - { name: email, type: STRING, classification: sensitive }
      - { name: cvv, type: STRING, classification: highly_sensitive }
      - { name: amount_cents, type: BIGINT, classification: confidential }
`,
      'models/models.yml': `models:
  - name: ${masked}
    materialized: flink
    sql: |
      SELECT payment_id, card_number, email, UPPER(cvv) AS cvv, amount_cents, CAST(amount_cents AS STRING) AS amount_text
      FROM {{ source("raw") }}
    security:
      policies:
        - mask: { column: card_number, method: partial }
        - mask: { column: email, method: hash }
        - mask: { column: cvv, method: "null" }
        - mask: { column: amount_text, method: redact }
  - name: ${downstream}
    materialized: flink
    sql: |
      SELECT payment_id, CONCAT('card ', card_number) AS card_label, email FROM {{ ref("${masked}") }}
`,
    });
    await createTopics([{ topic: raw }]);
    cleanupProject(project);

    // The rule is satisfied by the masks; nothing is masked at read, so nothing needs a Gateway.
    const validate = await project.cli(['validate', '--strict']);
    expect(validate.code, validate.stderr).toBe(0);
    const r = await project.cli(['apply', '--auto-approve']);
    expect(r.code, r.stderr).toBe(0);

    await produce(raw, [
      { key: 'p1', value: JSON.stringify({ payment_id: 'p1', card_number: CARD, email: EMAIL, cvv: '123', amount_cents: 1250 }) },
      { key: 'p2', value: JSON.stringify({ payment_id: 'p2', card_number: '42', email: null, cvv: null, amount_cents: 10 }) },
    ]);
    const values = async (topic: string) => (await readAll(topic)).filter((x) => x.value).map((x) => JSON.parse(x.value!));
    const out = await eventually('masked records', async () => {
      const v = await values(masked);
      return v.length >= 2 ? v : false;
    });
    const p1 = out.find((x) => x.payment_id === 'p1');
    expect(p1).toEqual({
      payment_id: 'p1',
      card_number: '************1111',
      email: createHash('sha256').update(EMAIL).digest('hex'),
      cvv: null,
      amount_cents: 1250,
      amount_text: '[REDACTED]',
    });
    // A value no longer than what partial keeps is all stars; NULL stays NULL.
    expect(out.find((x) => x.payment_id === 'p2')).toEqual({ payment_id: 'p2', card_number: '**', email: null, cvv: null, amount_cents: 10, amount_text: '[REDACTED]' });

    const down = await eventually('downstream records', async () => {
      const v = await values(downstream);
      return v.length >= 2 ? v : false;
    });
    expect(down.find((x) => x.payment_id === 'p1')).toMatchObject({ card_label: 'card ************1111' });
    for (const topic of [masked, downstream]) {
      const text = JSON.stringify(await readAll(topic));
      expect(text).not.toContain(CARD);
      expect(text).not.toContain(EMAIL);
      expect(text).not.toContain('"123"');
    }
  });

  it("Flink's planner accepts every masked job of the golden lineage case (all four methods, over joins, windows, unions, OVER, UNNEST)", async () => {
    const dir = join(import.meta.dirname, '../golden/cases/lineage');
    const r = await cli(['validate', '--flink', '--format', 'json', '-p', dir]);
    const doc = JSON.parse(r.stdout);
    expect(doc.diagnostics.filter((d: any) => d.severity === 'error'), r.stdout).toEqual([]);
    expect(doc.flink).toEqual({ jobs: 6, accepted: 6 });
  });
});
