/**
 * Masks compiled into the Flink job that writes the data (standalone, or a mask for every reader),
 * per-role masks at read on the Gateway, and what cannot be enforced where: errors, not warnings.
 */
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/index.js';
import { RUNTIME } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const GATEWAY = (extra = '') => `  conduktor:\n    gateway:\n      admin_url: http://localhost:8888\n${extra}`;
const SOURCES = `sources:
  - name: pay
    topic: pay.v1
    columns:
      - {name: id, type: STRING}
      - {name: card_number, type: STRING}
      - {name: amount, type: BIGINT}
`;
function compile(policies: string, o: { gateway?: string; key?: string } = {}) {
  const files = {
    'stream_project.yml': `project:\n  name: demo\n${RUNTIME}${o.gateway ?? ''}`,
    'sources/s.yml': SOURCES,
    'models/m.yml': `models:\n  - name: m\n    materialized: flink\n${o.key ? `    key: ${o.key}\n` : ''}    sql: SELECT id, card_number, amount FROM {{ source("pay") }}\n    security:\n      policies:\n${policies}`,
  };
  const { resolved, diagnostics } = resolveFiles(files);
  if (!resolved) throw new Error(JSON.stringify(diagnostics));
  const result = compileProject(resolved, { compiledAt: '2025-01-01T00:00:00.000Z' });
  const job = result.artifacts.flinkJobs.find((j) => j.owner === 'model.m')?.spec;
  return { result, job, codes: [...resolved.diagnostics, ...result.diagnostics].map((d) => `${d.severity} ${d.code}`), rules: result.artifacts.gatewayRules.map((r) => r.spec.name) };
}

describe('masking compiled into Flink SQL', () => {
  it('partial, hash, redact and null become the outer projection of the job, with their types', () => {
    const { job, codes } = compile(
      '        - mask: {column: card_number, method: partial, keep_last: 2}\n        - mask: {column: id, method: hash}\n        - mask: {column: amount, method: "null"}\n',
    );
    expect(codes.filter((c) => c.startsWith('error') || c.includes('MASK'))).toEqual([]);
    const insert = job!.statements.find((s) => s.startsWith('INSERT INTO'))!;
    expect(insert).toContain('SHA256(`id`) AS `id`');
    expect(insert).toContain("CASE WHEN CHAR_LENGTH(`card_number`) > 2 THEN CONCAT(REPEAT('*', CHAR_LENGTH(`card_number`) - 2), SUBSTRING(`card_number` FROM CHAR_LENGTH(`card_number`) - 1)) ELSE REPEAT('*', CHAR_LENGTH(`card_number`)) END AS `card_number`");
    expect(insert).toContain('CAST(NULL AS BIGINT) AS `amount`');
    expect(insert).toMatch(/FROM \(\nSELECT id, card_number, amount FROM `pay`\n\) AS `streamt_masked`$/);
    // redact and hash write text: the sink table says so.
    const redacted = compile('        - mask: {column: amount, method: redact}\n').job!;
    expect(redacted.statements.find((s) => s.startsWith('INSERT INTO'))).toContain("CASE WHEN `amount` IS NULL THEN CAST(NULL AS STRING) ELSE '[REDACTED]' END AS `amount`");
    expect(redacted.statements.find((s) => s.includes('m__output'))).toContain('`amount` STRING');
  });

  it('what the job cannot enforce is an error: tokenize, encrypt without a Gateway, an unknown column, a non-hash key mask', () => {
    expect(compile('        - mask: {column: card_number, method: tokenize}\n').codes).toContain('error MASK_METHOD_UNSUPPORTED');
    expect(compile('        - encrypt: {column: card_number, key: "kms://prod/payments"}\n').codes).toContain('error ENCRYPT_NEEDS_GATEWAY');
    expect(compile('        - mask: {column: nope, method: hash}\n').codes).toContain('error MASK_COLUMN_NOT_FOUND');
    expect(compile('        - mask: {column: id, method: partial}\n', { key: 'id' }).codes).toContain('error MASK_KEY_COLUMN');
    expect(compile('        - mask: {column: id, method: hash}\n', { key: 'id' }).codes.filter((c) => c.startsWith('error'))).toEqual([]);
    const roles = compile('        - mask: {column: card_number, method: redact, for_roles: [support]}\n');
    expect(roles.codes).toContain('warning MASK_ROLES_IGNORED');
    expect(roles.job!.statements.find((s) => s.startsWith('INSERT INTO'))).toContain("'[REDACTED]' END AS `card_number`");
    expect(roles.codes.join()).not.toContain('MASK_NOT_ENFORCED');
  });

  it('with a Gateway: a mask for every reader stays in the job, a per-role mask is applied at read; encrypt writes through the proxy with the KMS config', () => {
    const both = compile('        - mask: {column: card_number, method: partial}\n        - mask: {column: id, method: redact, for_roles: [support]}\n', { gateway: GATEWAY() });
    const insert = both.job!.statements.find((s) => s.startsWith('INSERT INTO'))!;
    expect(insert).toContain('AS `card_number`');
    expect(insert).not.toContain('AS `id`');
    expect(both.rules).toEqual(['streamt.demo.m.mask.support']);
    expect(compile('        - encrypt: {column: card_number, key: "vault-kms://vault:8200/transit/keys/pay"}\n', { gateway: GATEWAY() }).codes).toContain('error ENCRYPT_NEEDS_GATEWAY');
    const enc = compile('        - encrypt: {column: card_number, key: "vault-kms://vault:8200/transit/keys/pay"}\n', {
      gateway: GATEWAY('      proxy_bootstrap: gateway:6969\n      kms:\n        vault:\n          uri: http://vault:8200\n          token: ${VAULT_TOKEN:-dev}\n'),
    });
    expect(enc.codes.filter((c) => c.startsWith('error'))).toEqual([]);
    expect(enc.job!.statements.find((s) => s.includes('m__output'))).toContain("'properties.bootstrap.servers' = 'gateway:6969'");
    const rule = enc.result.artifacts.gatewayRules.find((r) => r.spec.name === 'streamt.demo.m.encrypt')!.spec.resource as unknown as { spec: { config: Record<string, unknown> } };
    expect(rule.spec.config.kmsConfig).toMatchObject({ vault: { uri: 'http://vault:8200' } });
  });
});
