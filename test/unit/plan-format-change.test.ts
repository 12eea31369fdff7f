/**
 * A change of a live topic's value format (JSON → Avro by the default with a registry, or an
 * edited output_format) is a breaking change: plan blocks it naming the topic, the formats and
 * its readers, unless the model gets a new version or the plan allows it with --allow-state-reset
 * (docs/plan-apply.md#format-changes).
 */
import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { compileProject } from '../../src/compile/index.js';
import { desiredResources } from '../../src/plan/desired.js';
import { plan } from '../../src/plan/plan.js';
import { renderPlan } from '../../src/plan/render.js';
import { jobValueFormat } from '../../src/plan/format-change.js';
import type { FlinkJobSpec } from '../../src/compile/types.js';
import type { DesiredResource, Observed, OwnershipRecord, PlanOptions } from '../../src/plan/types.js';
import { RUNTIME, SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const PROJECT = `project:
  name: demo
${RUNTIME}  schema_registry:
    url: http://localhost:8081/apis/ccompat/v7
`;

const models = (o: { format?: string; version?: number } = {}) => `models:
  - name: orders_clean
${o.format ? `    output_format: ${o.format}\n` : ''}${o.version ? `    version: ${o.version}\n` : ''}    sql: SELECT order_id, customer_id, CAST(amount AS BIGINT) AS amount, status FROM {{ source("orders_raw") }}
  - name: by_status
    output_format: json
    sql: SELECT status, COUNT(*) AS n FROM {{ ref("orders_clean") }} GROUP BY status
  - name: orders_export
    from:
      - ref: orders_clean
    sink:
      connector: file-sink
      config:
        file: /tmp/orders.txt
`;
const EXPOSURES = `exposures:
  - name: billing
    type: application
    consumes: [{ref: orders_clean}]
  - name: dashboard
    type: dashboard
    depends_on: [{ref: by_status}]
`;

function desired(files: Record<string, string>): DesiredResource[] {
  const { resolved, diagnostics } = resolveFiles(files);
  if (!resolved) throw new Error(JSON.stringify(diagnostics));
  const result = compileProject(resolved, { compiledAt: '2026-01-01T00:00:00Z' });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(JSON.stringify(errors));
  return desiredResources(result.manifest, result.artifacts);
}
const project = (m: string) => desired({ 'stream_project.yml': PROJECT, 'sources/s.yml': SOURCES, 'models/m.yml': m, 'exposures/e.yml': EXPOSURES });

const opts = (o: Partial<PlanOptions> = {}): PlanOptions => ({ prune: false, allowStateReset: false, select: [], exclude: [], ...o });
const base = { project: 'demo', environment: null, streamtVersion: '0', createdAt: '2026-01-01T00:00:00Z', resolve: (s: string) => s, includeOrphans: false };

/** The live state after applying `applied`: every resource recorded and running as declared. */
function appliedState(applied: DesiredResource[]): { record: OwnershipRecord; observed: Map<string, Observed> } {
  const record: OwnershipRecord = { project: 'demo', entries: new Map() };
  const observed = new Map<string, Observed>();
  for (const r of applied) {
    record.entries.set(r.addr, { project: 'demo', addr: r.addr, kind: r.kind, name: r.name, owner: r.owner, hash: r.hash, spec: r.spec, applied_at: '2026-01-01T00:00:00Z', streamt_version: '0', ...(r.stateful !== undefined ? { stateful: r.stateful } : {}) });
    if (r.kind === 'flink_job') observed.set(r.addr, { kind: 'flink_job', name: r.name, active: [{ jid: `j-${r.name}`, state: 'RUNNING', startTime: 1 }] });
    if (r.kind === 'subject') {
      const spec = r.spec as { subject: string; schema: string; schema_type: string };
      observed.set(r.addr, { kind: 'subject', subject: spec.subject, exists: true, latest: { version: 1, id: 1, schema: spec.schema, schemaType: spec.schema_type }, compatibility: null });
    }
  }
  return { record, observed };
}

describe('a format change of a live topic', () => {
  const before = project(models({ format: 'json' }));
  const after = project(models());
  const live = appliedState(before);
  // The registry's own answer to a new version of another type: incompatible.
  const observedAfter = new Map(live.observed);
  const subj = observedAfter.get('sr.subject.orders_clean-value') as any;
  observedAfter.set('sr.subject.orders_clean-value', { ...subj, compatible: { isCompatible: false, messages: ['schema type differs'] } });

  it('knows the deployed format from the recorded job (its value_format, else its sink DDL)', () => {
    const job = before.find((r) => r.addr === 'flink.job.orders_clean')!.spec as FlinkJobSpec;
    expect(jobValueFormat(job)).toBe('json');
    const { value_format: _v, ...older } = job;
    expect(jobValueFormat(older as FlinkJobSpec)).toBe('json');
    expect(jobValueFormat(after.find((r) => r.addr === 'flink.job.orders_clean')!.spec as FlinkJobSpec)).toBe('avro-confluent');
  });

  it('is blocked, naming the topic, JSON → Avro, its readers and how to keep JSON', () => {
    const p = plan({ ...base, desired: after, observed: observedAfter, record: live.record, options: opts() });
    const job = p.changes.find((c) => c.addr === 'flink.job.orders_clean')!;
    expect(job.blocked?.code).toBe('PLAN_FORMAT_CHANGE');
    expect(job.blocked!.message).toContain('topic "orders_clean" change format: JSON → Avro (avro-confluent)');
    expect(job.blocked!.message).toContain('read by connector orders_export, exposure billing, model by_status (and downstream: exposure dashboard)');
    expect(job.blocked!.hint).toContain('output_format: json');
    expect(job.blocked!.hint).toContain('version: N+1');
    expect(job.blocked!.hint).toContain('--allow-state-reset');
    expect(job.fields[0]).toEqual({ field: 'value_format', before: 'json', after: 'avro-confluent' });
    // The subject, registered as a JSON Schema, says the same (and not "incompatible schema").
    const subject = p.changes.find((c) => c.addr === 'sr.subject.orders_clean-value')!;
    expect(subject.blocked?.code).toBe('PLAN_FORMAT_CHANGE');
    expect(subject.fields[0]).toEqual({ field: 'schema_type', before: 'JSON', after: 'AVRO' });
    // Its readers follow the format: their jobs change too (the downstream one reads Avro now).
    const reader = p.changes.find((c) => c.addr === 'flink.job.by_status')!;
    expect(reader.action).toBe('update');
    expect(reader.blocked).toBeUndefined();
    expect(p.summary.blocked).toBe(2);
    const text = renderPlan(p, new Chalk({ level: 0 }));
    expect(text).toContain('PLAN_FORMAT_CHANGE');
    expect(text).toContain('apply refuses this plan');
  });

  it('is allowed with --allow-state-reset: the job is upgraded and the subject replaced', () => {
    const p = plan({ ...base, desired: after, observed: observedAfter, record: live.record, options: opts({ allowStateReset: true }) });
    expect(p.summary.blocked).toBe(0);
    const job = p.changes.find((c) => c.addr === 'flink.job.orders_clean')!;
    expect(job.action).toBe('update');
    expect(job.reasons.join('\n')).toContain('--allow-state-reset: topic "orders_clean" switches from JSON to Avro (avro-confluent) in place');
    const subject = p.changes.find((c) => c.addr === 'sr.subject.orders_clean-value')!;
    expect(subject.action).toBe('replace');
    expect(subject.fields.map((f) => f.field)).toEqual(['schema_type', 'schema']);
  });

  it('is not a change with a new version: a new topic and job, nothing recorded to mix', () => {
    const versioned = project(models({ version: 2 }));
    const p = plan({ ...base, desired: versioned, observed: live.observed, record: live.record, options: opts() });
    expect(p.changes.filter((c) => c.blocked?.code === 'PLAN_FORMAT_CHANGE')).toEqual([]);
    // A stateful reader that moves to the new version is its own change, judged as always.
    expect(p.changes.filter((c) => c.blocked).map((c) => [c.addr, c.blocked!.code])).toEqual([['flink.job.by_status', 'PLAN_STATE_INCOMPATIBLE']]);
    const job = p.changes.find((c) => c.addr === 'flink.job.orders_clean_v2')!;
    expect(job.action).toBe('create');
    expect((job.desired as FlinkJobSpec).output_topic).toBe('orders_clean.v2');
    expect((job.desired as FlinkJobSpec).value_format).toBe('avro-confluent');
  });

  it('nor when the model keeps its format, or for the reverse change unless allowed', () => {
    const same = plan({ ...base, desired: before, observed: live.observed, record: live.record, options: opts() });
    // (Topics and the connector are not observed here: only jobs and subjects are compared.)
    expect(same.changes.filter((c) => (c.kind === 'flink_job' || c.kind === 'subject') && c.action !== 'no-op')).toEqual([]);
    // Avro back to JSON breaks the readers the same way; the hint keeps Avro.
    const avro = appliedState(after);
    const back = plan({ ...base, desired: before, observed: avro.observed, record: avro.record, options: opts() });
    const job = back.changes.find((c) => c.addr === 'flink.job.orders_clean')!;
    expect(job.blocked?.code).toBe('PLAN_FORMAT_CHANGE');
    expect(job.blocked!.message).toContain('Avro (avro-confluent) → JSON');
    expect(job.blocked!.hint).toContain('output_format: avro');
  });
});
