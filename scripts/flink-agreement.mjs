#!/usr/bin/env node
// Flink is the judge of Flink SQL (issue 11): compiles every project of examples/ and
// test/golden/cases/, and every query of the SQL corpus, puts each job through Flink 1.20's own
// planner (tools/flink-planner, offline, on the jars the stack downloads) and compares with
// streamt's verdict: accepted, changelog mode, upsert key, output columns. Prints the agreement
// figure and every disagreement. Run after `npm run build`.
//   --json   one JSON report on stdout (used by test/integration/flink-agreement.test.ts)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { paths } from '../stack/config.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const asJson = process.argv.includes('--json');
const dist = (p) => import(new URL(`dist/${p}`, `file://${root}`).href);
const [{ readProjectFiles }, { loadProject }, { resolveProject }, { compileProject }, analyzer] = await Promise.all(
  ['project/files.js', 'project/load.js', 'resolve/resolve.js', 'compile/compile.js', 'sql/index.js'].map(dist),
).catch((e) => {
  console.error(`Cannot load dist/: run \`npm run build\` first (${e.message})`);
  process.exit(2);
});

// ---- the judge: compiled once per source version, cached under .cache/ ----
const flinkLib = join(paths.dist, 'flink-1.20.3', 'lib');
if (!existsSync(flinkLib)) {
  console.error(`No Flink jars at ${flinkLib}: run \`npm run stack -- up\` (or its install step) first`);
  process.exit(2);
}
const classpath = `${flinkLib}/*`;
const source = join(root, 'tools/flink-planner/src/PlannerJudge.java');
const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
const classes = join(root, '.cache', 'flink-planner', hash);
if (!existsSync(join(classes, 'PlannerJudge.class'))) {
  mkdirSync(classes, { recursive: true });
  const c = spawnSync('javac', ['-cp', classpath, '-d', classes, source], { encoding: 'utf8' });
  if (c.status !== 0) {
    console.error(`javac failed (is a JDK installed? stack/lib/install.mjs checks for one):\n${c.stderr || c.error}`);
    process.exit(2);
  }
}

// ---- cases: { id, statements, query?, streamt: { accepted, error?, changelog, upsertKey, columns } } ----
const cases = [];
const dirs = (d) => readdirSync(join(root, d)).filter((n) => statSync(join(root, d, n)).isDirectory()).map((n) => join(d, n));
for (const dir of [...dirs('examples'), ...dirs('test/golden/cases')]) {
  const loaded = loadProject(readProjectFiles(join(root, dir)), { processEnv: {} });
  if (!loaded.project) continue;
  const resolved = resolveProject(loaded.project);
  const result = compileProject(resolved, { compiledAt: '1970-01-01T00:00:00.000Z' });
  const errors = [...resolved.diagnostics, ...result.diagnostics].filter((d) => d.severity === 'error');
  const models = new Map(result.manifest.models.map((m) => [m.name, m]));
  for (const job of result.artifacts.flinkJobs) {
    const model = models.get(job.owner.replace(/^model\./, ''));
    const updating = job.spec.sink_connector === 'upsert-kafka';
    cases.push({
      id: `${dir}:${job.addr}`,
      statements: job.spec.statements,
      streamt: {
        accepted: errors.length === 0,
        changelog: updating ? 'updating' : 'append',
        upsertKey: updating ? job.spec.primary_key : null,
        // Only a model's own job writes its columns; envelope and test jobs have their own shape.
        columns: model && job.addr === `flink.job.${model.name}` ? model.columns.map((c) => col(c.name, c.type, c.nullable)) : null,
      },
    });
  }
}

const inputs = parse(readFileSync(join(root, 'test/sql-corpus/inputs.yaml'), 'utf8'));
// An input without typed columns (a shape the analyser tests use) cannot be a Flink table.
const ddl = Object.entries(inputs).filter(([, t]) => t.columns?.length).map(([name, t]) => createInput(name, t));
for (const file of readdirSync(join(root, 'test/sql-corpus')).filter((f) => f.endsWith('.yaml') && f !== 'inputs.yaml')) {
  for (const entry of parse(readFileSync(join(root, 'test/sql-corpus', file), 'utf8'))) {
    const a = analyzer.analyzeSql(entry.sql, inputs);
    const errors = a.diagnostics.filter((d) => d.severity === 'error');
    cases.push({
      id: `test/sql-corpus/${file}:${entry.name}`,
      statements: ddl,
      query: entry.sql,
      streamt: {
        accepted: a.parsed && errors.length === 0,
        error: errors.map((d) => d.message).join('; ') || undefined,
        changelog: a.changelog,
        upsertKey: null, // a bare query has no sink whose key Flink would check
        columns: a.columns ? a.columns.map((c) => col(c.name, c.type, c.nullable)) : null,
      },
    });
  }
}

// ---- one JVM for the whole batch ----
const input = cases.map((c) => JSON.stringify({ id: c.id, statements: c.statements, query: c.query ?? null })).join('\n') + '\n';
const run = spawnSync('java', ['-cp', `${classes}:${classpath}`, 'PlannerJudge'], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
if (run.status !== 0) {
  console.error(`The Flink planner judge failed (exit ${run.status}):\n${run.stderr.slice(-4000)}`);
  process.exit(2);
}
const verdicts = new Map(run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((v) => [v.id, v]));

const report = [];
for (const c of cases) {
  const f = verdicts.get(c.id);
  const s = c.streamt;
  const diffs = [];
  if (!f) diffs.push('no verdict from Flink');
  else if (f.accepted !== s.accepted) diffs.push(f.accepted ? `streamt refuses, Flink accepts${s.error ? ` (streamt: ${s.error})` : ''}` : `streamt accepts, Flink refuses: ${short(f.error)}`);
  else if (f.accepted) {
    const fc = /UB|UA|D/.test(f.changelog_mode ?? '') ? 'updating' : 'append';
    if (fc !== s.changelog) diffs.push(`changelog: streamt ${s.changelog}, Flink ${fc} [${f.changelog_mode}]`);
    if (s.upsertKey && f.upsert_materialize) diffs.push(`upsert key: Flink's upsert key of the query is not the sink key [${s.upsertKey.join(', ')}] (it adds upsert materialization)`);
    if (s.columns && f.columns) {
      const fcols = f.columns.map((x) => flinkCol(x.name, x.type));
      if (JSON.stringify(fcols) !== JSON.stringify(s.columns)) diffs.push(`columns: streamt ${JSON.stringify(s.columns)}, Flink ${JSON.stringify(fcols)}`);
    }
  }
  report.push({ id: c.id, agree: diffs.length === 0, differences: diffs, flink_error: f?.error ?? null });
}
const agree = report.filter((r) => r.agree).length;
if (asJson) {
  console.log(JSON.stringify({ total: report.length, agree, cases: report }, null, 2));
} else {
  for (const r of report.filter((x) => !x.agree)) console.log(`✗ ${r.id}\n    ${r.differences.join('\n    ')}`);
  console.log(`Flink agreement: ${agree}/${report.length} jobs (${((100 * agree) / report.length).toFixed(1)}%)`);
}
process.exit(0);

function short(message) {
  // Flink nests causes; the last one or two say why.
  const parts = String(message ?? '').split(' | ');
  return parts.slice(-2).join(' | ').replace(/\s+/g, ' ').slice(0, 400);
}
function col(name, type, nullable) {
  return `${name}: ${normType(type)}${nullable === false ? '!' : ''}`;
}
function flinkCol(name, type) {
  const notNull = / NOT NULL$/.test(type);
  return `${name}: ${normType(type.replace(/ NOT NULL$/, ''))}${notNull ? '!' : ''}`;
}
function normType(t) {
  return String(t).replace(/VARCHAR\(2147483647\)/g, 'STRING').replace(/VARBINARY\(2147483647\)/g, 'BYTES').replace(/TIMESTAMP\((\d+)\) WITH LOCAL TIME ZONE/g, 'TIMESTAMP_LTZ($1)').replace(/`/g, '').replace(/\s+/g, ' ').trim();
}
function createInput(name, t) {
  const cols = t.columns.map((c) => (t.timeAttribute?.kind === 'proctime' && c.name === t.timeAttribute.column ? `\`${c.name}\` AS PROCTIME()` : `\`${c.name}\` ${c.type}`));
  if (t.timeAttribute?.kind === 'rowtime') cols.push(`WATERMARK FOR \`${t.timeAttribute.column}\` AS \`${t.timeAttribute.column}\` - INTERVAL '5' SECOND`);
  if (t.primaryKey?.length) cols.push(`PRIMARY KEY (${t.primaryKey.map((k) => `\`${k}\``).join(', ')}) NOT ENFORCED`);
  // Kafka tables as the compiled jobs declare them; a keyed input is an upsert topic (a changelog).
  const withs = t.primaryKey?.length
    ? `'connector' = 'upsert-kafka', 'topic' = '${name}', 'properties.bootstrap.servers' = 'localhost:9092', 'key.format' = 'json', 'value.format' = 'json'`
    : `'connector' = 'kafka', 'topic' = '${name}', 'properties.bootstrap.servers' = 'localhost:9092', 'properties.group.id' = 'judge', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json'`;
  return `CREATE TEMPORARY TABLE \`${name}\` (\n  ${cols.join(',\n  ')}\n) WITH (${withs})`;
}
