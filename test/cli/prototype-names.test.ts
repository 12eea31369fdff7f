/**
 * Names that are members of Object.prototype (`constructor`, `toString`, `__proto__`, `valueOf`)
 * are names like any other: a column so named inherits its classification and meets the
 * governance rules, and a table so named that does not exist is an unknown table. They used to
 * read the prototype's member (an internal error, a column "declared" with no classification, so
 * a renamed PII column escaped the masking rule).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLASSIFIED_CARDS, RUNTIME, writeProject } from '../helpers/project.js';
import { cli, STACK_TRACE } from './helpers.js';

const SPECIAL = ['constructor', 'toString', '__proto__', 'valueOf'];
const NAMES = [...SPECIAL, 'plain_name'];


// Every output column copies the sensitive card number, under a prototype member's name or an ordinary one.
const MODEL = `models:
  - name: renamed
    sql: |
      SELECT card_id,
        ${NAMES.map((n) => `card_number AS \`${n}\``).join(',\n        ')}
      FROM {{ source("cards") }}
`;

const project = (rules = '') => writeProject({ 'stream_project.yml': `project:\n  name: proto\n${RUNTIME}${rules}`, 'sources/cards.yml': CLASSIFIED_CARDS, 'models/renamed.yml': MODEL });

interface Diag {
  code: string;
  severity: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

function validateJson(dir: string): { code: number; diagnostics: Diag[]; stderr: string } {
  const r = cli(['validate', '-p', dir, '--format', 'json']);
  return { code: r.code, diagnostics: (JSON.parse(r.stdout) as { diagnostics: Diag[] }).diagnostics, stderr: r.stderr };
}

/** The rule's diagnostics (message and position), by column. */
function ruleMessages(diagnostics: Diag[], code: string): Record<string, Omit<Diag, 'code'>> {
  const out: Record<string, Omit<Diag, 'code'>> = {};
  for (const d of diagnostics.filter((x) => x.code === code)) {
    const name = /[Cc]olumn "([^"]+)"/.exec(d.message)![1]!;
    Object.defineProperty(out, name, { value: { severity: d.severity, message: d.message, file: d.file, line: d.line, column: d.column }, enumerable: true });
  }
  return out;
}

/** What the rule says of the ordinary name, said of every name. */
function asForPlainName(diagnostics: Diag[], code: string): Record<string, Omit<Diag, 'code'>> {
  const plain = ruleMessages(diagnostics, code).plain_name;
  expect(plain, `${code} for plain_name`).toBeDefined();
  expect(plain!.message).toContain('sensitive');
  expect(plain!.message).toContain('inherited from source.cards.card_number');
  const out: Record<string, Omit<Diag, 'code'>> = {};
  for (const name of NAMES) Object.defineProperty(out, name, { value: { ...plain!, message: plain!.message.replaceAll('"plain_name"', `"${name}"`) }, enumerable: true });
  return out;
}

describe('names that are members of Object.prototype', () => {
  it('output columns so named inherit the classification of what they copy, in the manifest', () => {
    const dir = project();
    const v = validateJson(dir);
    expect(v.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(v.code).toBe(0);
    const out = join(mkdtempSync(join(tmpdir(), 'streamt-proto-')), 'generated');
    const c = cli(['compile', '-p', dir, '-o', out]);
    expect(c.stderr).not.toMatch(/internal error/);
    expect(c.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { models: { name: string; columns: { name: string; classification: string | null; classification_reason: string }[] }[] };
    const columns = manifest.models.find((m) => m.name === 'renamed')!.columns;
    expect(columns.map((col) => col.name)).toEqual(['card_id', ...NAMES]);
    for (const name of NAMES) {
      const col = columns.find((x) => x.name === name)!;
      expect({ name, classification: col.classification, reason: col.classification_reason }).toEqual({ name, classification: 'sensitive', reason: 'inherited from source.cards.card_number' });
    }
    expect(columns[0]).toMatchObject({ name: 'card_id', classification: 'internal' });
  });

  it('the masking rule catches a sensitive column renamed to any of them, as it catches an ordinary name', () => {
    const dir = project('rules:\n  security:\n    sensitive_columns_require_masking: true\n');
    const v = validateJson(dir);
    expect(v.code).toBe(1);
    expect(ruleMessages(v.diagnostics, 'RULE_SENSITIVE_REQUIRES_MASKING')).toEqual(asForPlainName(v.diagnostics, 'RULE_SENSITIVE_REQUIRES_MASKING'));
    // Incremental validate (its cache, written by the run above) says the same.
    const again = validateJson(dir);
    expect(again.diagnostics).toEqual(v.diagnostics);
    expect(again.code).toBe(1);
  });

  it('allowed_classifications refuses them as it refuses an ordinary name', () => {
    const v = validateJson(project('rules:\n  security:\n    allowed_classifications: [public, internal]\n'));
    expect(v.code).toBe(1);
    expect(ruleMessages(v.diagnostics, 'RULE_ALLOWED_CLASSIFICATIONS')).toEqual(asForPlainName(v.diagnostics, 'RULE_ALLOWED_CLASSIFICATIONS'));
  });

  for (const table of ['toString', 'constructor', '__proto__']) {
    it(`FROM ${table} (no such table) is SQL_UNKNOWN_TABLE at its position, not an internal error`, () => {
      const dir = writeProject({
        'stream_project.yml': `project:\n  name: proto\n${RUNTIME}`,
        'sources/cards.yml': CLASSIFIED_CARDS,
        'models/m.yml': `models:\n  - name: m\n    sql: |\n      SELECT card_id\n      FROM ${table}\n`,
      });
      const r = cli(['validate', '-p', dir]);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(r.stderr + r.stdout).not.toMatch(STACK_TRACE);
      expect(r.code).toBe(1);
      const v = validateJson(dir);
      const unknown = v.diagnostics.filter((d) => d.code === 'SQL_UNKNOWN_TABLE');
      expect(unknown).toHaveLength(1);
      expect(unknown[0]).toMatchObject({ severity: 'error', file: 'models/m.yml', line: 5, column: 12, message: `Object '${table}' not found` });
    });
  }
});
