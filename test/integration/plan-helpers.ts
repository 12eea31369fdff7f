// Helpers for the plan/apply/status integration tests: throw-away projects with unique names,
// the CLI run in-process, and clean-up through the CLI itself (apply --prune of an empty project).
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { run } from '../../src/cli/main.js';
import { cancelFlinkJob, deleteTopics, endpoints, http, onCleanup, readToEnd, registry, stackConfig } from './helpers.js';

/** A suffix of letters only (a trailing number would read as a selector depth, e.g. `name+2`). */
export function letters(n = 6): string {
  const a = 'abcdefghijklmnopqrstuvwxyz';
  return [...randomBytes(n)].map((b) => a[b % 26]).join('');
}

export const runtimeYaml = (o: { connectUrl?: string; checkpointDir?: string; savepointDir?: string } = {}) => `runtime:
  kafka:
    bootstrap_servers: ${stackConfig.kafka.bootstrapServers}
  schema_registry:
    url: ${stackConfig.registry.url}
  flink:
    default: local
    clusters:
      local:
        rest_url: ${stackConfig.flink.restUrl}
        sql_gateway_url: ${stackConfig.flink.sqlGatewayUrl}
${o.checkpointDir ? `        checkpoint_dir: ${o.checkpointDir}\n` : ''}${o.savepointDir ? `        savepoint_dir: ${o.savepointDir}\n` : ''}  connect:
    default: local
    clusters:
      local:
        rest_url: ${o.connectUrl ?? stackConfig.connect.url}
`;

/**
 * With the registry of runtimeYaml, models write Avro by default (docs/schemas.md "Which format a
 * model writes"). The tests built on these helpers read model records as JSON and are about other
 * things (plans, upgrades, state, connectors, masking), so their projects declare JSON explicitly
 * with these lines; the default itself is contracts-default-format.test.ts's subject.
 * `JSON_MODELS` goes under an existing `defaults:`, `JSON_DEFAULTS` is a whole `defaults:` block.
 */
export const JSON_MODELS = '  models:\n    output_format: json\n';
export const JSON_DEFAULTS = `defaults:\n${JSON_MODELS}`;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], o: { env?: Record<string, string>; onStderr?: (text: string) => void } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: { write: (s: string) => ((stdout += s), true) } as never,
    stderr: { write: (s: string) => ((stderr += s), o.onStderr?.(s), true) } as never,
    env: { ...process.env, NO_COLOR: '1', ...o.env },
  });
  return { code, stdout, stderr };
}

export class TestProject {
  readonly dir: string;
  constructor(readonly name: string, files: Record<string, string>) {
    this.dir = mkdtempSync(join(tmpdir(), 'streamt-it-'));
    this.write(files);
  }

  write(files: Record<string, string>): void {
    for (const [path, text] of Object.entries(files)) {
      const p = join(this.dir, path);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
    }
  }

  remove(path: string): void {
    rmSync(join(this.dir, path), { force: true, recursive: true });
  }

  cli(args: string[], o: Parameters<typeof cli>[1] = {}): Promise<CliResult> {
    return cli([...args, '-p', this.dir], o);
  }

  async planJson(args: string[] = []): Promise<any> {
    const r = await this.cli(['plan', '--format', 'json', ...args]);
    // Exit 1 with a plan on stdout: the plan has blocked changes.
    if (r.code === 1 && r.stdout.includes('"streamt-plan"')) return JSON.parse(r.stdout);
    if (r.code !== 0 && r.code !== 2) throw new Error(`plan failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    return JSON.parse(r.stdout);
  }

  async apply(args: string[] = []): Promise<CliResult> {
    const r = await this.cli(['apply', '--auto-approve', ...args]);
    if (r.code !== 0) throw new Error(`apply failed (${r.code}):\n${r.stderr}`);
    return r;
  }
}

/** Non-no-op changes of a JSON plan as `addr action` strings. */
export function changesOf(plan: any): string[] {
  return plan.changes.filter((c: any) => c.action !== 'no-op').map((c: any) => `${c.addr} ${c.action}`).sort();
}

/**
 * After the test: delete everything the project owns by applying it with its models removed and
 * --prune (this also exercises prune), then make sure no job with its prefix is left running.
 */
export function cleanupProject(p: TestProject, extraTopics: string[] = [], subjects: string[] = []): void {
  onCleanup(`clean up project ${p.name}`, async () => {
    p.remove('models');
    p.remove('exposures');
    p.remove('tests');
    const r = await p.cli(['apply', '--auto-approve', '--prune', '--parallelism', '8']);
    const jobs = await http('GET', `${endpoints.flinkRest}/jobs/overview`);
    for (const j of jobs.body?.jobs ?? []) {
      if (String(j.name).startsWith(`streamt.${p.name}.`) && !['CANCELED', 'FAILED', 'FINISHED'].includes(j.state)) await cancelFlinkJob(j.jid);
    }
    await deleteTopics(extraTopics);
    for (const s of subjects) {
      await registry('DELETE', `/subjects/${encodeURIComponent(s)}`);
      await registry('DELETE', `/subjects/${encodeURIComponent(s)}?permanent=true`);
    }
    rmSync(p.dir, { recursive: true, force: true });
    if (r.code !== 0) throw new Error(`clean-up apply --prune failed:\n${r.stderr}`);
  });
}

/** A small project: a JSON source, a stateless filter, a stateful aggregation, a file sink. */
export interface MiniNames {
  project: string;
  source: string;
  clean: string;
  totals: string;
  sink: string;
  file: string;
}

export function miniProject(o: { sfx?: string; connectUrl?: string; env?: string } = {}): { project: TestProject; sfx: string; names: MiniNames } {
  const sfx = o.sfx ?? letters();
  const names: MiniNames = {
    project: `it_${sfx}`,
    source: `it.events.${sfx}`,
    clean: `clean_${sfx}`,
    totals: `totals_${sfx}`,
    sink: `export_${sfx}`,
    file: join(tmpdir(), `streamt-it-${sfx}.txt`),
  };
  const project = new TestProject(names.project, {
    'stream_project.yml': `project:
  name: ${names.project}
${runtimeYaml(o.connectUrl ? { connectUrl: o.connectUrl } : {})}
defaults:
${JSON_MODELS}  topic:
    partitions: 1
    replication_factor: 1
`,
    'sources/events.yml': `sources:
  - name: events
    topic: ${names.source}
    columns:
      - { name: k, type: STRING }
      - { name: v, type: BIGINT }
`,
    'models/models.yml': modelsYaml(names, {}),
  });
  return { project, sfx, names };
}

export function modelsYaml(names: MiniNames, o: { where?: string; groupBy?: string; retention?: string; sinkFile?: string; withTotals?: boolean; withSink?: boolean }): string {
  const parts = [`models:
  - name: ${names.clean}
    key: k
    topic:
      config:
        retention.ms: "${o.retention ?? '86400000'}"
    sql: |
      SELECT k, v FROM {{ source("events") }} WHERE v ${o.where ?? '> 0'}
`];
  if (o.withTotals !== false) {
    parts.push(`  - name: ${names.totals}
    key: k
    sql: |
      SELECT k, COUNT(*) AS n, SUM(v) AS total FROM {{ ref("${names.clean}") }} GROUP BY ${o.groupBy ?? 'k'}
`);
  }
  if (o.withSink !== false) {
    parts.push(`  - name: ${names.sink}
    from:
      - ref: ${names.clean}
    sink:
      connector: file-sink
      config:
        file: ${o.sinkFile ?? names.file}
        tasks.max: "1"
`);
  }
  return parts.join('');
}

/** Every record of a topic up to its current end offsets (read_committed, see readToEnd). */
export async function readAll(topic: string): Promise<{ key: string | null; value: string | null }[]> {
  return readToEnd(topic);
}

/** Latest JSON value per key (upsert semantics). */
export async function latestByKey(topic: string): Promise<Map<string, any>> {
  const m = new Map<string, any>();
  for (const r of await readAll(topic)) if (r.key !== null) m.set(r.key, r.value === null ? null : JSON.parse(r.value));
  return m;
}

/**
 * examples/payments copied with unique names: the project, every model, the source topics and the
 * PostgreSQL table get a suffix, so the test never collides with the demo or another run.
 */
export function paymentsCopy(sfx: string): { project: TestProject; names: { project: string; raw: string; customers: string; subject: string; subjects: string[]; model: (m: string) => string } } {
  const root = join(import.meta.dirname, '..', '..', 'examples', 'payments');
  const models = ['payments_clean', 'customer_spend_5m', 'customer_totals', 'payments_enriched', 'high_risk_payments', 'payments_to_postgres'];
  const files: Record<string, string> = {};
  const walk = (dir: string, rel = '') => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) {
        // Not validate's cache, which a validate of the example may be renaming into place.
        if (e.name !== '.streamt') walk(join(dir, e.name), `${rel}${e.name}/`);
      }
      else files[`${rel}${e.name}`] = readFileSync(join(dir, e.name), 'utf8');
    }
  };
  walk(root);
  for (const [path, text] of Object.entries(files)) {
    let t = text;
    for (const m of models) t = t.replace(new RegExp(`\\b${m}\\b`, 'g'), `${m}_${sfx}`);
    t = t.replace(/payments\.raw\.v1/g, `payments.raw.v1.${sfx}`).replace(/crm\.customers\.v1/g, `crm.customers.v1.${sfx}`).replace(/^  name: payments$/m, `  name: payments_${sfx}`);
    files[path] = t;
  }
  // subjects: every subject the sources register (their inline schemas), for the clean-up.
  const names = { project: `payments_${sfx}`, raw: `payments.raw.v1.${sfx}`, customers: `crm.customers.v1.${sfx}`, subject: `payments.raw.v1.${sfx}-value`, subjects: [`payments.raw.v1.${sfx}-value`, `crm.customers.v1.${sfx}-value`], model: (m: string) => `${m}_${sfx}` };
  return { project: new TestProject(names.project, files), names };
}
