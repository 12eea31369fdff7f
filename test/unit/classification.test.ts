/**
 * Classification follows the data: a model column inherits the highest classification of the
 * columns it derives from, a declared classification replaces it, a mask applied to the data lowers
 * it to the method's ceiling; the security rules are checked on the propagated classification.
 */
import { describe, expect, it } from 'vitest';
import { codes, find, RUNTIME } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const GATEWAY = `  conduktor:\n    gateway:\n      admin_url: http://localhost:8888\n`;
const SOURCES = `sources:
  - name: pay
    topic: pay.v1
    columns:
      - {name: id, type: STRING, classification: internal}
      - {name: card_number, type: STRING, classification: highly_sensitive}
      - {name: email, type: STRING, classification: sensitive}
      - {name: amount, type: BIGINT, classification: confidential}
      - {name: note, type: STRING}
`;
const resolve = (models: string, rules = '', gateway = false) =>
  resolveFiles({ 'stream_project.yml': `project:\n  name: demo\n${RUNTIME}${gateway ? GATEWAY : ''}${rules ? `rules:\n  security:\n${rules}` : ''}`, 'sources/s.yml': SOURCES, 'models/m.yml': `models:\n${models}` });
const classes = (r: ReturnType<typeof resolve>, model: string) =>
  Object.fromEntries(Object.entries(r.resolved!.models.get(model)!.columnClasses!).map(([k, v]) => [k, v.classification ?? null]));
const ruleErrors = (r: ReturnType<typeof resolve>) => codes(r.diagnostics, 'error').filter((c) => c.startsWith('RULE_'));

describe('classification propagation', () => {
  it('inherits the highest classification of the inputs, through expressions, aggregates and models', () => {
    const r = resolve(`  - name: a
    sql: SELECT id, UPPER(card_number) AS c, CONCAT(id, email) AS ie, CAST(amount AS DOUBLE) AS amt, note, 'x' AS lit FROM {{ source("pay") }}
  - name: b
    sql: SELECT id, COUNT(*) AS n, MAX(c) AS top FROM {{ ref("a") }} GROUP BY id
`);
    expect(classes(r, 'a')).toEqual({ id: 'internal', c: 'highly_sensitive', ie: 'sensitive', amt: 'confidential', note: null, lit: 'public' });
    expect(classes(r, 'b')).toEqual({ id: 'internal', n: 'public', top: 'highly_sensitive' });
    expect(r.resolved!.models.get('a')!.columnClasses!.c!.reason).toBe('inherited from source.pay.card_number');
  });

  it('a declared classification replaces what is inherited; a mask in the data lowers it to its ceiling', () => {
    const r = resolve(`  - name: a
    sql: SELECT id, card_number AS p, card_number AS h, card_number AS r, card_number AS z, card_number AS t, email, note FROM {{ source("pay") }}
    security:
      classification: {email: internal, note: public}
      policies:
        - mask: {column: p, method: partial}
        - mask: {column: h, method: hash}
        - mask: {column: r, method: redact}
        - mask: {column: z, method: "null"}
        - mask: {column: note, method: hash}
  - name: b
    sql: SELECT p, h, email FROM {{ ref("a") }}
`);
    expect(classes(r, 'a')).toMatchObject({ p: 'internal', h: 'confidential', r: 'public', z: 'public', t: 'highly_sensitive', email: 'internal', note: 'public' });
    // Downstream inherits the lowered classification: the topic never held the clear value.
    expect(classes(r, 'b')).toEqual({ p: 'internal', h: 'confidential', email: 'internal' });
  });

  it('a per-role mask at read on the Gateway leaves the topic, and what reads it, with the clear value', () => {
    const models = `  - name: a
    materialized: flink
    sql: SELECT id, card_number FROM {{ source("pay") }}
    security:
      policies:
        - mask: {column: card_number, method: redact, for_roles: [support]}
  - name: b
    sql: SELECT card_number FROM {{ ref("a") }}
`;
    const withGateway = resolve(models, '', true);
    expect(classes(withGateway, 'a').card_number).toBe('highly_sensitive');
    expect(withGateway.resolved!.models.get('a')!.columnClasses!.card_number!.maskedAtReadFor).toEqual(['support']);
    expect(classes(withGateway, 'b').card_number).toBe('highly_sensitive');
    // Standalone, the mask is in the job for every reader.
    expect(classes(resolve(models), 'b').card_number).toBe('public');
  });

  it('fails closed where the lineage is unknown: the highest classification of the inputs', () => {
    const r = resolve(`  - name: a
    sql: SELECT id, x FROM {{ source("pay") }} CROSS JOIN LATERAL TABLE(my_udf(note)) AS t (x)
`);
    expect(classes(r, 'a').x).toBe('highly_sensitive');
  });
});

describe('security rules on the propagated classification', () => {
  it('sensitive_columns_require_masking catches a derived column (UPPER(card_number) AS c)', () => {
    const rules = '    sensitive_columns_require_masking: true\n';
    const derived = resolve(`  - name: m\n    sql: SELECT id, UPPER(card_number) AS c FROM {{ source("pay") }}\n`, rules);
    expect(ruleErrors(derived)).toEqual(['RULE_SENSITIVE_REQUIRES_MASKING']);
    expect(find(derived.diagnostics, 'RULE_SENSITIVE_REQUIRES_MASKING')!.message).toBe('Model "m" exposes highly_sensitive column "c" (inherited from source.pay.card_number) without masking');
    const masked = resolve(`  - name: m\n    sql: SELECT id, UPPER(card_number) AS c FROM {{ source("pay") }}\n    security:\n      policies:\n        - mask: {column: c, method: hash}\n  - name: n\n    sql: SELECT c FROM {{ ref("m") }}\n`, rules);
    expect(ruleErrors(masked)).toEqual([]);
  });

  it('allowed_classifications per access level: a highly sensitive derived column in a public model is caught', () => {
    const rules = '    allowed_classifications:\n      public: [public, internal]\n';
    const leak = resolve(`  - name: m\n    access: public\n    sql: SELECT id, UPPER(card_number) AS c FROM {{ source("pay") }}\n`, rules);
    expect(ruleErrors(leak)).toEqual(['RULE_ALLOWED_CLASSIFICATIONS']);
    expect(find(leak.diagnostics, 'RULE_ALLOWED_CLASSIFICATIONS')!.message).toContain('Column "c" of public model "m" is highly_sensitive');
    const partial = resolve(`  - name: m\n    access: public\n    sql: SELECT id, UPPER(card_number) AS c FROM {{ source("pay") }}\n    security:\n      policies:\n        - mask: {column: c, method: partial}\n`, rules);
    expect(ruleErrors(partial)).toEqual([]);
    // Private models are not constrained by a rule for public ones.
    expect(ruleErrors(resolve(`  - name: m\n    sql: SELECT id, UPPER(card_number) AS c FROM {{ source("pay") }}\n`, rules))).toEqual([]);
    // A list applies to every model; an unclassified column fails closed.
    const list = resolve(`  - name: m\n    sql: SELECT id, note FROM {{ source("pay") }}\n`, '    allowed_classifications: [public, internal]\n');
    expect(ruleErrors(list)).toEqual(['RULE_ALLOWED_CLASSIFICATIONS']);
  });

  it('pii_column_patterns: personal-looking columns must be sensitive, through lineage', () => {
    const rules = "    pii_column_patterns: ['.*email.*', 'card_.*']\n";
    const r = resolve(`  - name: m\n    sql: SELECT id, email AS contact_email, note AS card_holder FROM {{ source("pay") }}\n`, rules);
    // contact_email inherits sensitive from email; card_holder derives from an unclassified note.
    expect(ruleErrors(r)).toEqual(['RULE_PII_COLUMN_PATTERN']);
    expect(find(r.diagnostics, 'RULE_PII_COLUMN_PATTERN')!.message).toContain('Column "card_holder" of model "m"');
    const bad = resolve('  - name: m\n    sql: SELECT id FROM {{ source("pay") }}\n', "    pii_column_patterns: ['(']\n");
    expect(codes(bad.diagnostics, 'error')).toContain('INVALID_RULE');
  });

  it('require_classification checks model columns after propagation', () => {
    const r = resolve(`  - name: m\n    sql: SELECT id, UPPER(card_number) AS c, note FROM {{ source("pay") }}\n`, '    require_classification: true\n');
    // Only the source's unclassified column and what derives from it.
    expect(r.diagnostics.filter((d) => d.code === 'RULE_REQUIRE_CLASSIFICATION').map((d) => d.message)).toEqual([
      'Column "note" of source "pay" has no classification',
      'Column "note" of model "m" has no classification: no classified input',
    ]);
  });
});
