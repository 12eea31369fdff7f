/**
 * The CI contract: every `--format json` document streamt prints, one zod schema each. Every
 * document carries `format` (`streamt-<command>`), `format_version`, `ok` and `diagnostics`, on
 * success and on every error path. docs/schema/output/*.schema.json are generated from these
 * schemas (`npm run docs:reference`), and test/cli/json-contract.test.ts validates real outputs
 * against them. A breaking change to a document bumps its format_version.
 */
import { z } from '../core/zod.js';

export const FORMAT_VERSION = 1;

export const DiagnosticJsonSchema = z
  .object({
    code: z.string().describe('Diagnostic code, listed in docs/diagnostics.md'),
    severity: z.enum(['error', 'warning', 'info']),
    message: z.string(),
    file: z.string().nullable().describe('File relative to the project folder'),
    line: z.number().int().nullable(),
    column: z.number().int().nullable(),
    hint: z.string().nullable(),
    node: z.string().nullable().describe('Node id the diagnostic is about, e.g. model.orders'),
  })
  .describe('A diagnostic');

const base = <F extends string>(format: F) => ({
  format: z.literal(format).describe('Which document this is'),
  format_version: z.literal(FORMAT_VERSION).describe('Bumped on a breaking change of this document'),
  ok: z.boolean().describe('Whether the command succeeded (its exit code is 0, or 2 for plan --detailed-exitcode)'),
  diagnostics: z.array(DiagnosticJsonSchema),
});

const count = z.number().int().min(0);
const loose = z.record(z.string(), z.unknown());

const NodeSummary = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['source', 'model', 'test', 'exposure']),
  materialized: z.string().nullable(),
  file: z.string(),
  tags: z.array(z.string()),
  owner: z.string().nullable(),
});

const Outcome = z.object({ addr: z.string(), status: z.enum(['applied', 'failed', 'skipped']) }).loose();

const ApplyFields = {
  applied: count.optional(),
  failed: count.optional(),
  skipped: count.optional(),
  outcomes: z.array(Outcome).optional(),
  stale: z.array(z.object({ addr: z.string() }).loose()).optional(),
  lease: loose.optional().describe('APPLY_LOCKED: who holds the apply lease'),
  plan: z
    .object({ changes: z.array(z.object({ addr: z.string(), kind: z.string(), action: z.string() }).loose()), summary: loose })
    .loose()
    .optional()
    .describe('The plan that was (or would have been) applied'),
};

const TestResultJson = z.object({ test: z.string(), status: z.enum(['pass', 'fail', 'warn', 'skipped', 'error']) }).loose();

interface ColumnLineageJson {
  node: string;
  column: string;
  transform: string | null;
  classification: string | null;
  masked: string | null;
  partial: boolean;
  repeated?: boolean;
  children: ColumnLineageJson[];
}
const ColumnLineageNodeJson: z.ZodType<ColumnLineageJson> = z.lazy(() =>
  z.object({
    node: z.string().describe('Node id'),
    column: z.string(),
    transform: z.string().nullable().describe('direct, expression, aggregate or window'),
    classification: z.string().nullable(),
    masked: z.string().nullable(),
    partial: z.boolean().describe('The lineage of this column is incomplete (an input schema is unknown)'),
    repeated: z.boolean().optional().describe('Already shown in this tree: not expanded again'),
    children: z.array(ColumnLineageNodeJson),
  }),
);

export const OUTPUT_SCHEMAS = {
  'streamt-validate': z
    .object({ ...base('streamt-validate'), valid: z.boolean(), errors: count, warnings: count, flink: z.object({ jobs: count, accepted: count }).optional().describe("--flink: jobs put through Flink's planner, and how many it accepted") })
    .describe('streamt validate --format json'),
  'streamt-ls': z.object({ ...base('streamt-ls'), nodes: z.array(NodeSummary).optional() }).describe('streamt ls --format json'),
  'streamt-lineage': z
    .object({
      ...base('streamt-lineage'),
      nodes: z.array(z.object({ name: z.string(), type: z.string(), materialized: z.string().nullable(), version: z.number().int().optional().describe('One version of a versioned model'), deprecation_date: z.string().optional().describe('Date after which the model is deprecated'), upstream: z.array(z.string()), downstream: z.array(z.string()) })).optional(),
      edges: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
      column: z
        .object({ node: z.string(), column: z.string(), classification: z.string().nullable(), masked: z.string().nullable(), partial: z.boolean() })
        .optional()
        .describe('--column: the column shown'),
      upstream: z.array(ColumnLineageNodeJson).optional().describe('--column: the input columns it derives from, recursively'),
      downstream: z.array(ColumnLineageNodeJson).optional().describe('--column: the columns derived from it, recursively'),
      exposures: z.array(z.string()).optional().describe('--column: exposures reading the column or a column derived from it'),
    })
    .describe('streamt lineage --format json'),
  'streamt-compile': z
    .object({
      ...base('streamt-compile'),
      output: z.string().optional(),
      dry_run: z.boolean().optional(),
      errors: count.optional(),
      warnings: count.optional(),
      artifacts: z.object({ topics: count, flink_jobs: count, connectors: count, schemas: count, gateway_rules: count }).optional(),
      files: z.array(z.object({ path: z.string(), bytes: count, hash: z.string() })).optional(),
    })
    .describe('streamt compile --format json'),
  'streamt-plan': z
    .object({
      ...base('streamt-plan'),
      project: z.string().optional(),
      environment: z.string().nullable().optional(),
      changes: z.array(z.object({ addr: z.string(), kind: z.string(), action: z.enum(['create', 'update', 'replace', 'delete', 'no-op']) }).loose()).optional(),
      summary: loose.optional(),
      unreachable: z.array(z.string()).optional().describe('Systems that could not be reached (probed before planning)'),
    })
    .loose()
    .describe('streamt plan --format json: the plan itself (see docs/plan-apply.md), with ok and diagnostics'),
  'streamt-apply': z.object({ ...base('streamt-apply'), ...ApplyFields, unreachable: z.array(z.string()).optional() }).describe('streamt apply --format json'),
  'streamt-destroy': z.object({ ...base('streamt-destroy'), ...ApplyFields, unreachable: z.array(z.string()).optional() }).describe('streamt destroy --format json'),
  'streamt-status': z
    .object({
      ...base('streamt-status'),
      project: z.string().optional(),
      environment: z.string().nullable().optional(),
      healthy: z.boolean().optional(),
      resources: z.array(z.object({ addr: z.string(), kind: z.string(), name: z.string(), state: z.string(), healthy: z.boolean(), drift: z.array(z.string()) }).loose()).optional(),
      consumer_groups: z.array(loose).optional(),
      unreachable: z.array(z.string()).optional(),
    })
    .describe('streamt status --format json'),
  'streamt-test': z
    .object({ ...base('streamt-test'), run_results: z.string().nullable().optional(), results: z.array(TestResultJson), summary: loose.optional(), unreachable: z.array(z.string()).optional() })
    .loose()
    .describe('streamt test --format json: run_results.json fields, with ok and diagnostics'),
  'streamt-build': z
    .object({
      ...base('streamt-build'),
      apply: z.object({ ok: z.boolean(), applied: count, failed: count, skipped: count, outcomes: z.array(Outcome) }).optional(),
      tests: z.array(TestResultJson.extend({ skipped_because: z.string().nullable().optional() })).optional(),
      summary: z.object({ tests: count, pass: count, fail: count, warn: count, skipped: count, error: count }).optional(),
      unreachable: z.array(z.string()).optional(),
    })
    .describe('streamt build --format json'),
  'streamt-show': z
    .object({
      ...base('streamt-show'),
      node: z.string().optional(),
      topic: z.string().optional(),
      records: z.array(z.object({ partition: count, offset: z.string(), timestamp: z.number(), key: z.string().nullable(), value: z.unknown() })).optional(),
      undecodable: count.optional(),
    })
    .describe('streamt show --format json'),
  'streamt-freshness': z
    .object({
      ...base('streamt-freshness'),
      sources: z
        .array(
          z.object({
            source: z.string(),
            topic: z.string(),
            status: z.enum(['pass', 'warn', 'error', 'runtime error']),
            latest_record_at: z.string().nullable(),
            age_seconds: z.number().nullable(),
            warn_after_seconds: z.number().nullable(),
            error_after_seconds: z.number().nullable(),
            message: z.string(),
          }),
        )
        .optional(),
    })
    .describe('streamt freshness --format json'),
  'streamt-debug': z
    .object({
      ...base('streamt-debug'),
      project: z.string().optional(),
      environment: z.string().nullable().optional(),
      systems: z
        .array(
          z.object({
            system: z.string().describe('Kafka, Schema Registry, Flink REST, Flink SQL Gateway, Kafka Connect, Conduktor Gateway'),
            name: z.string().describe('The runtime key, e.g. runtime.flink.clusters.local.rest_url'),
            url: z.string(),
            ok: z.boolean(),
            version: z.string().nullable(),
            problems: z.array(z.string()),
            ms: z.number(),
          }),
        )
        .optional(),
    })
    .describe('streamt debug --format json'),
  'streamt-unlock': z
    .object({ ...base('streamt-unlock'), released: loose.optional().describe('The claim that was released'), holders: z.array(loose).optional().describe('UNLOCK_NOT_HELD: who holds the lease now'), unreachable: z.array(z.string()).optional() })
    .describe('streamt unlock --format json'),
  'streamt-schemas-pull': z
    .object({
      ...base('streamt-schemas-pull'),
      lock_file: z.string().optional(),
      written: z.boolean().optional().describe('False when the lock was already up to date'),
      schemas: z.array(z.object({ subject: z.string(), version: z.number().int(), id: z.number().int(), schema_type: z.enum(['AVRO', 'JSON', 'PROTOBUF']) })).optional(),
      changes: z.array(z.object({ subject: z.string(), before: z.number().int().optional(), after: z.number().int() })).optional().describe('Versions added or moved forward'),
    })
    .describe('streamt schemas pull --format json'),
  'streamt-clean': z.object({ ...base('streamt-clean'), removed: z.array(z.string()).optional() }).describe('streamt clean --format json'),
  'streamt-init': z.object({ ...base('streamt-init'), project: z.string().optional(), dir: z.string().optional(), files: z.array(z.string()).optional() }).describe('streamt init --format json'),
  'streamt-docs': z
    .object({ ...base('streamt-docs'), output: z.string().optional(), nodes: z.object({ sources: count, models: count, tests: count, exposures: count }).optional(), files: count.optional() })
    .describe('streamt docs generate --format json'),
  'streamt-envs': z
    .object({ ...base('streamt-envs'), mode: z.enum(['single', 'multi']).optional(), default: z.string().nullable().optional(), environments: z.array(z.object({ name: z.string(), file: z.string(), description: z.string().nullable(), protected: z.boolean(), valid: z.boolean() })).optional() })
    .describe('streamt envs list --format json'),
  'streamt-env': z
    .object({ ...base('streamt-env'), name: z.string().optional(), description: z.string().nullable().optional(), protected: z.boolean().optional(), file: z.string().optional(), runtime: loose.optional(), safety: loose.optional() })
    .describe('streamt envs show --format json'),
} as const;

export type OutputFormat = keyof typeof OUTPUT_SCHEMAS;

/** A document of the contract: format and version first, then the body. */
export function document(format: OutputFormat, body: { ok: boolean; diagnostics: unknown[] } & Record<string, unknown>): Record<string, unknown> {
  const { ok, diagnostics, ...rest } = body;
  return { format, format_version: FORMAT_VERSION, ok, ...rest, diagnostics };
}

/** File name → JSON Schema of each output document (docs/schema/output/). */
export function outputJsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [format, schema] of Object.entries(OUTPUT_SCHEMAS)) {
    const name = `${format.replace(/^streamt-/, '')}.schema.json`;
    out[name] = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `https://streamt.dev/schema/output/${name}`,
      title: `${format} (format_version ${FORMAT_VERSION})`,
      ...(z.toJSONSchema(schema, { unrepresentable: 'any', io: 'output' }) as Record<string, unknown>),
    };
  }
  return out;
}
