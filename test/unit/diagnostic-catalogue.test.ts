/**
 * Diagnostic codes not covered elsewhere, each with an invalid case (the code appears, located)
 * and a valid twin (it does not).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT, SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

type Files = Record<string, string>;
const base: Files = { 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES };
const models = (text: string): Files => ({ ...base, 'models/m.yml': `models:\n${text}` });
const tests = (text: string): Files => ({ ...base, 'models/m.yml': 'models:\n  - name: m\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n', 'tests/t.yml': `tests:\n${text}` });
const GATEWAY = PROJECT + '  conduktor:\n    gateway:\n      admin_url: http://localhost:8888\n';
const CONFLUENT = PROJECT.replace('        rest_url: http://localhost:8082', '        type: confluent\n        rest_url: http://localhost:8082');

const cases: { code: string; invalid: Files; valid: Files; env?: string }[] = [
  {
    code: 'INVALID_ASSERTION',
    invalid: tests('  - name: t\n    model: m\n    type: sample\n    assertions:\n      - {not_null: {columns: [order_id]}, range: {column: order_id}}\n'),
    valid: tests('  - name: t\n    model: m\n    type: sample\n    assertions:\n      - not_null: {columns: [order_id]}\n'),
  },
  {
    code: 'UNKNOWN_ACTION',
    invalid: tests('  - name: t\n    model: m\n    type: sample\n    assertions: []\n    on_failure:\n      actions:\n        - page_oncall: {}\n'),
    valid: tests('  - name: t\n    model: m\n    type: sample\n    assertions: []\n    on_failure:\n      actions:\n        - block_deploy: true\n'),
  },
  {
    code: 'INVALID_ACTION',
    invalid: tests('  - name: t\n    model: m\n    type: sample\n    assertions: []\n    on_failure:\n      - {alert: {}, dlq: {}}\n'),
    valid: tests('  - name: t\n    model: m\n    type: sample\n    assertions: []\n    on_failure:\n      - alert: {webhook: "http://x"}\n'),
  },
  {
    code: 'INVALID_RULE',
    invalid: { ...models('  - name: m\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'), 'stream_project.yml': PROJECT + 'rules:\n  topics:\n    naming_pattern: "[unclosed"\n' },
    valid: { ...models('  - name: m\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'), 'stream_project.yml': PROJECT + 'rules:\n  topics:\n    naming_pattern: "[a-z_]+"\n' },
  },
  {
    code: 'UNKNOWN_CLUSTER',
    invalid: models('  - name: m\n    flink_cluster: prod\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'),
    valid: models('  - name: m\n    flink_cluster: local\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'),
  },
  {
    code: 'VIRTUAL_TOPIC_STATEFUL',
    invalid: { ...models('  - name: m\n    materialized: virtual_topic\n    sql: SELECT customer_id, COUNT(*) AS n FROM {{ source("orders_raw") }} GROUP BY customer_id\n'), 'stream_project.yml': GATEWAY },
    valid: { ...models('  - name: m\n    materialized: virtual_topic\n    sql: SELECT order_id FROM {{ source("orders_raw") }} WHERE amount > 1\n'), 'stream_project.yml': GATEWAY },
  },
  {
    code: 'SINK_NO_INPUT',
    invalid: models('  - name: m\n    materialized: sink\n    sink: {connector: jdbc-sink}\n'),
    valid: models('  - name: m\n    materialized: sink\n    from: orders_raw\n    sink: {connector: jdbc-sink}\n'),
  },
  {
    code: 'ML_PREDICT_OPAQUE_OUTPUT',
    invalid: { ...models("  - name: m\n    sql: SELECT order_id, ML_PREDICT('FraudModel', amount) AS s FROM {{ source(\"orders_raw\") }}\n"), 'stream_project.yml': CONFLUENT },
    valid: {
      ...models("  - name: m\n    sql: SELECT order_id, ML_PREDICT('FraudModel', amount) AS s FROM {{ source(\"orders_raw\") }}\n    ml_outputs:\n      FraudModel:\n        score: DOUBLE\n"),
      'stream_project.yml': CONFLUENT,
    },
  },
  {
    code: 'SECURITY_POLICIES_NOT_ENFORCED',
    invalid: models('  - name: m\n    materialized: virtual_topic\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n    security:\n      policies:\n        - mask: {column: order_id, method: hash}\n'),
    valid: { ...models('  - name: m\n    materialized: virtual_topic\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n    security:\n      policies:\n        - mask: {column: order_id, method: hash}\n'), 'stream_project.yml': GATEWAY },
  },
  {
    code: 'SLA_NOT_ENFORCED',
    invalid: { ...base, 'exposures/e.yml': 'exposures:\n  - name: e\n    type: application\n    sla: {availability: "99.9%"}\n' },
    valid: { ...base, 'exposures/e.yml': 'exposures:\n  - name: e\n    type: application\n' },
  },
  {
    code: 'AMBIGUOUS_MATERIALIZATION',
    invalid: models('  - name: m\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'),
    valid: models('  - name: m\n    materialized: flink\n    sql: SELECT order_id FROM {{ source("orders_raw") }}\n'),
  },
  {
    code: 'TEMPLATE_ERROR',
    invalid: models('  - name: m\n    sql: SELECT order_id FROM {{ source("orders_raw") }} WHERE x = {{ var("k", 1) | nosuchfilter }}\n'),
    valid: { ...models('  - name: m\n    sql: SELECT order_id FROM {{ source("orders_raw") }} WHERE amount > {{ var("k") | int }}\n'), 'stream_project.yml': PROJECT + 'vars:\n  k: "3"\n' },
  },
];

function diagnosticsOf(files: Files, env?: string) {
  return resolveFiles(files, env ? { env } : {}).diagnostics;
}

describe('diagnostic catalogue', () => {
  for (const c of cases) {
    it(`${c.code}: reported for the invalid case, at a position, and not for the valid one`, () => {
      const bad = diagnosticsOf(c.invalid, c.env).filter((d) => d.code === c.code);
      expect(bad.length, JSON.stringify(diagnosticsOf(c.invalid, c.env), null, 1)).toBeGreaterThan(0);
      expect(bad[0]!.file).toBeTruthy();
      expect(bad[0]!.line).toBeGreaterThan(0);
      const good = diagnosticsOf(c.valid, c.env);
      expect(good.filter((d) => d.code === c.code), JSON.stringify(good, null, 1)).toEqual([]);
    });
  }
});

describe('docs/diagnostics.md', () => {
  it('documents every code the source can emit', () => {
    const root = join(import.meta.dirname, '..', '..');
    const doc = readFileSync(join(root, 'docs', 'diagnostics.md'), 'utf8');
    const codes = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) {
          for (const m of readFileSync(p, 'utf8').matchAll(/\b(?:error|warning|info)\(\s*'([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1]!);
          for (const m of readFileSync(p, 'utf8').matchAll(/\bnodeError\(\s*ctx,\s*[^,]+,\s*'([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1]!);
          for (const m of readFileSync(p, 'utf8').matchAll(/'((?:DUPLICATE|SOURCE|MODEL|EXPOSURE|NO|FLINK|RULE)_[A-Z_]+|SQL_(?!TSI_)[A-Z_]+)'/g)) codes.add(m[1]!);
        }
      }
    };
    walk(join(root, 'src'));
    const missing = [...codes].filter((c) => !doc.includes(`\`${c}\``)).sort();
    expect(missing).toEqual([]);
  });
});
