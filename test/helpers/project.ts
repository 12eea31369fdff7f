/** Builds projects in memory (pure loader) or on disk (CLI tests), from a map of file → text. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Diagnostic } from '../../src/core/diagnostics.js';
import { loadProject, type LoadOptions, type ProjectFiles } from '../../src/project/load.js';

export const RUNTIME = `runtime:
  kafka:
    bootstrap_servers: localhost:9092
  flink:
    default: local
    clusters:
      local:
        rest_url: http://localhost:8082
        sql_gateway_url: http://localhost:8084
  connect:
    default: local
    clusters:
      local:
        rest_url: http://localhost:8083
`;

export const PROJECT = `project:
  name: demo
${RUNTIME}`;

export const SOURCES = `sources:
  - name: orders_raw
    topic: orders.raw.v1
    columns:
      - name: order_id
        type: STRING
      - name: customer_id
        type: STRING
      - name: amount
        type: DOUBLE
      - name: status
        type: STRING
      - name: ts
        type: TIMESTAMP(3)
    event_time:
      column: ts
  - name: customers
    topic: crm.customers.v1
    columns:
      - name: customer_id
        type: STRING
      - name: email
        type: STRING
`;

export function memoryFiles(files: Record<string, string>, root = '/virtual/project'): ProjectFiles {
  const out: ProjectFiles = { root, resourceFiles: [], dotenv: {} };
  for (const [path, text] of Object.entries(files).sort(([a], [b]) => a.localeCompare(b))) {
    if (path === 'stream_project.yml' || path === 'stream_project.yaml') out.projectFile = { path, text };
    else if (path.startsWith('environments/')) (out.environmentFiles ??= []).push({ path, text });
    else if (path === '.env' || path.startsWith('.env.')) out.dotenv[path] = text;
    else if (path === 'schemas.lock.yml') out.schemaLock = { path, text };
    else out.resourceFiles.push({ path, text });
  }
  return out;
}

export function load(files: Record<string, string>, opts: Partial<LoadOptions> = {}) {
  return loadProject(memoryFiles(files), { processEnv: {}, ...opts });
}

export function codes(diagnostics: readonly Diagnostic[], severity?: Diagnostic['severity']): string[] {
  return diagnostics.filter((d) => !severity || d.severity === severity).map((d) => d.code);
}

export function find(diagnostics: readonly Diagnostic[], code: string): Diagnostic {
  const d = diagnostics.find((x) => x.code === code);
  if (!d) throw new Error(`no ${code} in ${JSON.stringify(diagnostics.map((x) => `${x.code}: ${x.message}`), null, 2)}`);
  return d;
}

export function writeProject(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'streamt-test-'));
  for (const [path, text] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  return root;
}

/** A source with an internal and a sensitive column (classification tests). */
export const CLASSIFIED_CARDS = `sources:
  - name: cards
    topic: cards.v1
    columns:
      - name: card_id
        type: STRING
        classification: internal
      - name: card_number
        type: STRING
        classification: sensitive
`;
