/**
 * Compiled Flink jobs keep their state by default: checkpoints retained on cancellation, a
 * bounded restart strategy, a stated delivery guarantee; each overridable per model and project.
 */
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/compile/index.js';
import { SOURCES } from '../helpers/project.js';
import { resolveFiles } from '../helpers/resolve.js';

const runtime = (cluster = '') => `runtime:
  kafka:
    bootstrap_servers: localhost:9092
  flink:
    default: local
    clusters:
      local:
        rest_url: http://localhost:8082
        sql_gateway_url: http://localhost:8084
${cluster}`;

function job(modelYaml: string, o: { defaults?: string; cluster?: string } = {}) {
  const files = {
    'stream_project.yml': `project:\n  name: demo\n${runtime(o.cluster)}${o.defaults ?? ''}`,
    'sources/s.yml': SOURCES,
    'models/m.yml': modelYaml,
  };
  const { resolved, diagnostics } = resolveFiles(files);
  if (!resolved) throw new Error(JSON.stringify(diagnostics, null, 2));
  const result = compileProject(resolved, { compiledAt: '2025-01-01T00:00:00.000Z' });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(JSON.stringify(errors, null, 2));
  const spec = result.artifacts.flinkJobs.find((j) => j.addr === 'flink.job.m')!.spec;
  const settings = new Map<string, string | null>();
  for (const s of spec.statements) {
    const set = s.match(/^SET '([^']+)' = '([^']*)'$/);
    const reset = s.match(/^RESET '([^']+)'$/);
    if (set) settings.set(set[1]!, set[2]!);
    else if (reset) settings.set(reset[1]!, null);
  }
  const table = (name: string) => spec.statements.find((s) => s.startsWith(`CREATE TEMPORARY TABLE \`${name}\``))!;
  return { spec, settings, table };
}

const plain = 'models:\n  - name: m\n    sql: SELECT order_id, amount FROM {{ source("orders_raw") }}\n';
const withFlink = (flink: string) => `models:\n  - name: m\n    sql: SELECT order_id, amount FROM {{ source("orders_raw") }}\n    advanced:\n      flink:\n${flink}`;

describe('Flink job defaults that keep state', () => {
  it('checkpoints every 60 s, keeps the checkpoint when cancelled, restarts at most 10 times', () => {
    const { settings, spec } = job(plain);
    expect(settings.get('execution.checkpointing.interval')).toBe('60000 ms');
    expect(settings.get('execution.checkpointing.externalized-checkpoint-retention')).toBe('RETAIN_ON_CANCELLATION');
    expect(settings.get('restart-strategy.type')).toBe('exponential-delay');
    expect(settings.get('restart-strategy.exponential-delay.attempts-before-reset-backoff')).toBe('10');
    expect(settings.get('restart-strategy.fixed-delay.attempts')).toBeNull();
    // Without cluster directories the cluster's own configuration decides.
    expect(settings.get('execution.checkpointing.dir')).toBeNull();
    // Flink ignores a job's own savepoint directory for REST stops: never emitted (see below).
    expect(settings.has('execution.checkpointing.savepoint-dir')).toBe(false);
    expect(spec.checkpoint_interval_ms).toBe(60000);
  });

  it('states an at-least-once sink and reads its inputs committed', () => {
    const { table } = job(plain);
    expect(table('m__output')).toContain("'sink.delivery-guarantee' = 'at-least-once'");
    expect(table('m__output')).not.toContain('transactional-id-prefix');
    expect(table('orders_raw')).toContain("'properties.isolation.level' = 'read_committed'");
  });

  it('writes exactly-once in transactions named after the pipeline when asked', () => {
    const { table } = job(withFlink('        delivery: exactly_once\n'));
    const sink = table('m__output');
    expect(sink).toContain("'sink.delivery-guarantee' = 'exactly-once'");
    expect(sink).toContain("'sink.transactional-id-prefix' = 'streamt.demo.m'");
    // Below the broker's default transaction.max.timeout.ms, or the first transaction fails.
    expect(sink).toContain("'properties.transaction.timeout.ms' = '900000'");
  });

  it('takes the model setting over the project default over the built-in default', () => {
    const defaults = 'defaults:\n  models:\n    flink:\n      checkpoint_interval_ms: 30000\n      restart_strategy: fixed-delay\n      restart_attempts: 3\n      delivery: exactly_once\n';
    const project = job(plain, { defaults });
    expect(project.settings.get('execution.checkpointing.interval')).toBe('30000 ms');
    expect(project.settings.get('restart-strategy.type')).toBe('fixed-delay');
    expect(project.settings.get('restart-strategy.fixed-delay.attempts')).toBe('3');
    expect(project.settings.get('restart-strategy.exponential-delay.attempts-before-reset-backoff')).toBeNull();
    expect(project.table('m__output')).toContain("'sink.delivery-guarantee' = 'exactly-once'");
    const model = job(withFlink('        checkpoint_interval_ms: 5000\n        restart_strategy: none\n        delivery: at_least_once\n'), { defaults });
    expect(model.settings.get('execution.checkpointing.interval')).toBe('5000 ms');
    expect(model.settings.get('restart-strategy.type')).toBe('none');
    expect(model.table('m__output')).toContain("'sink.delivery-guarantee' = 'at-least-once'");
  });

  it('sets the state backend when one is declared, else leaves it to the cluster', () => {
    expect(job(plain).settings.get('state.backend.type')).toBeNull();
    const rocks = job(withFlink('        state_backend: rocksdb\n'));
    expect(rocks.settings.get('state.backend.type')).toBe('rocksdb');
    expect(rocks.spec.state_backend).toBe('rocksdb');
    // The pre-1.13 names of the heap backend.
    expect(job(withFlink('        state_backend: memory\n')).settings.get('state.backend.type')).toBe('hashmap');
    const project = job(plain, { defaults: 'defaults:\n  models:\n    flink:\n      state_backend: filesystem\n' });
    expect(project.settings.get('state.backend.type')).toBe('hashmap');
    expect(project.spec.state_backend).toBe('filesystem');
  });

  it("sets the cluster's checkpoint directory on its jobs; the savepoint directory goes with each stop, not in the job", () => {
    const cluster = '        checkpoint_dir: file:///data/flink/checkpoints\n        savepoint_dir: s3://bucket/savepoints\n';
    const { settings, spec } = job(plain, { cluster });
    expect(settings.get('execution.checkpointing.dir')).toBe('file:///data/flink/checkpoints');
    // Flink 1.20 ignores this key for savepoints triggered through REST (it uses the cluster's):
    // FlinkAdapter.stopWithSavepoint sends savepoint_dir as the request's targetDirectory.
    expect(settings.has('execution.checkpointing.savepoint-dir')).toBe(false);
    expect(spec.statements.join('\n')).not.toContain('s3://bucket/savepoints');
  });
});
