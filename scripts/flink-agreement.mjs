#!/usr/bin/env node
// Flink is the judge of Flink SQL (issue 11): compiles every project of examples/ and
// test/golden/cases/ and the `streamt init` template, and takes every query of the SQL corpus (test/sql-corpus), puts each job through
// Flink 1.20's own planner (tools/flink-planner, offline, on the jars the stack downloads, one JVM)
// and compares with streamt's verdict: accepted (or refused at the same place), changelog mode,
// upsert key, output columns with types, nullability and time attributes, join kind. Prints the
// agreement figure and every disagreement. Run after `npm run build`.
//   --json      one JSON report on stdout (used by test/integration/flink-agreement.test.ts)
//   --no-cache  ask Flink about every job again (answers are otherwise kept per job text in .cache/)
//   --flink-names  write Flink's reserved keywords and function names to src/sql/flink-names.ts
//   --capture   write Flink's verdicts on the corpus to test/sql-corpus/flink/<file>.json: the corpus
//               expectations. Review the diff like a golden file; no test ever writes them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { paths } from '../stack/config.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const asJson = process.argv.includes('--json');
const capture = process.argv.includes('--capture');
const dist = (p) => import(new URL(`dist/${p}`, `file://${root}`).href);
const [{ readProjectFiles }, { loadProject }, { resolveProject }, { compileProject }, analyzer, corpus] = await Promise.all(
  ['project/files.js', 'project/load.js', 'resolve/resolve.js', 'compile/compile.js', 'sql/index.js', 'sql/corpus.js'].map(dist),
).catch((e) => {
  console.error(`Cannot load dist/: run \`npm run build\` first (${e.message})`);
  process.exit(2);
});

// ---- cases: { id, statements, query?, corpus?: { file, name }, streamt } ----
const cases = [];
const dirs = (d) => readdirSync(join(root, d)).filter((n) => statSync(join(root, d, n)).isDirectory()).map((n) => join(d, n));
if (!capture) {
  for (const dir of [...dirs('examples'), ...dirs('test/golden/cases'), 'templates/project']) {
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
        job: {
          accepted: errors.length === 0,
          changelog: updating ? 'updating' : 'append',
          upsertKey: updating ? job.spec.primary_key : null,
          // Only a model's own job writes its columns; envelope and test jobs have their own shape.
          columns: model && job.addr === `flink.job.${model.name}` ? model.columns.map((c) => corpus.streamtColumn({ ...c, type: c.type })) : null,
        },
      });
    }
  }
}

const corpusDir = join(root, 'test/sql-corpus');
const inputs = parse(readFileSync(join(corpusDir, 'inputs.yaml'), 'utf8'));
// An input without typed columns (a shape the analyser tests use) cannot be a Flink table.
const ddl = Object.entries(inputs).filter(([, t]) => t.columns?.length).map(([name, t]) => createInput(name, t));
const corpusFiles = readdirSync(corpusDir).filter((f) => f.endsWith('.yaml') && f !== 'inputs.yaml').sort();
const stored = {};
for (const file of corpusFiles) {
  const verdictFile = join(corpusDir, 'flink', file.replace(/\.yaml$/, '.json'));
  stored[file] = existsSync(verdictFile) ? JSON.parse(readFileSync(verdictFile, 'utf8')) : {};
  for (const entry of parse(readFileSync(join(corpusDir, file), 'utf8'))) {
    cases.push({ id: `test/sql-corpus/${file}:${entry.name}`, statements: ddl, query: entry.sql, corpus: { file, name: entry.name }, streamt: analyzer.analyzeSql(entry.sql, inputs) });
  }
}

// ---- Flink's reserved keywords and function names, which the analyser uses to agree with Flink ----
const namesFile = join(root, 'src/sql/flink-names.ts');
const flinkNames = runJudge([], true);
const listing = (kind) => flinkNames.filter((l) => l.startsWith(`${kind} `)).map((l) => l.slice(kind.length + 1));
const namesSource = renderNames(listing('reserved'), listing('function'), listing('signature'), listing('typed'));
if (process.argv.includes('--flink-names')) {
  writeFileSync(namesFile, namesSource);
  console.log(`Wrote ${listing('reserved').length} reserved words and ${listing('function').length} function names and ${listing('signature').length + listing('typed').length} operand signatures to src/sql/flink-names.ts`);
  process.exit(0);
}
const namesCurrent = existsSync(namesFile) && readFileSync(namesFile, 'utf8') === namesSource;

// ---- the judge: one JVM for the whole batch ----
const answers = runJudge(cases);

if (capture) {
  let changed = 0;
  for (const file of corpusFiles) {
    const verdicts = {};
    for (const c of cases.filter((x) => x.corpus?.file === file)) verdicts[c.corpus.name] = corpus.verdictOf(answers.get(c.id));
    const before = JSON.stringify(stored[file]);
    if (before !== JSON.stringify(verdicts)) changed++;
    mkdirSync(join(corpusDir, 'flink'), { recursive: true });
    writeFileSync(join(corpusDir, 'flink', file.replace(/\.yaml$/, '.json')), `${JSON.stringify(verdicts, null, 2)}\n`);
  }
  console.log(`Captured Flink's verdicts on ${cases.length} corpus queries (${changed} file(s) changed): review \`git diff test/sql-corpus/flink\`.`);
  process.exit(0);
}

const report = [];
for (const c of cases) {
  const answer = answers.get(c.id);
  const diffs = [];
  let stale = false;
  if (!answer) diffs.push('no verdict from Flink');
  else if (c.corpus) {
    const live = corpus.verdictOf(answer);
    diffs.push(...corpus.compareWithFlink(c.streamt, live));
    // The stored expectation is what Flink says today, or the corpus needs a --capture.
    stale = JSON.stringify(stored[c.corpus.file][c.corpus.name]) !== JSON.stringify(live);
  } else diffs.push(...compareJob(c.job, answer));
  report.push({ id: c.id, agree: diffs.length === 0, differences: diffs, stale, flink_error: answer?.error ?? null });
}
report.push({ id: 'src/sql/flink-names.ts', agree: namesCurrent, differences: namesCurrent ? [] : ["the analyser's reserved words and function names are not Flink's: run --flink-names"], stale: false, flink_error: null });
const agree = report.filter((r) => r.agree).length;
const staleIds = report.filter((r) => r.stale).map((r) => r.id);
if (asJson) {
  console.log(JSON.stringify({ total: report.length, agree, corpus: cases.filter((c) => c.corpus).length, stale: staleIds, cases: report }, null, 2));
} else {
  for (const r of report.filter((x) => !x.agree)) console.log(`✗ ${r.id}\n    ${r.differences.join('\n    ')}`);
  if (staleIds.length) console.log(`Stored Flink verdicts differ from Flink's answer today (run --capture and review): ${staleIds.join(', ')}`);
  console.log(`Flink agreement: ${agree}/${report.length} jobs and queries (${((100 * agree) / report.length).toFixed(1)}%), of which ${cases.filter((c) => c.corpus).length} corpus queries`);
}
// No process.exit here: it would cut a large --json report written to a pipe short (stdout is asynchronous on pipes).
process.exitCode = 0;

/** A compiled job: accepted, changelog of the sink input, upsert key of the sink, the model's columns. */
function compareJob(s, f) {
  const diffs = [];
  if (f.accepted !== s.accepted) return [f.accepted ? 'streamt refuses, Flink accepts' : `streamt accepts, Flink refuses: ${corpus.flinkReason(f.error).message}`];
  if (!f.accepted) return [];
  const fc = corpus.isUpdating(f.changelog_mode) ? 'updating' : 'append';
  if (fc !== s.changelog) diffs.push(`changelog: streamt ${s.changelog}, Flink ${fc} [${f.changelog_mode}]`);
  if (s.upsertKey && f.upsert_materialize) diffs.push(`upsert key: the sink key [${s.upsertKey.join(', ')}] is not an upsert key of the query, Flink adds upsert materialization (its keys: ${JSON.stringify(f.upsert_keys ?? [])})`);
  if (s.columns && f.columns) {
    const fcols = f.columns.map((x) => corpus.flinkColumn(x.name, x.type));
    const mine = s.columns.map((x) => x.replace(/ \*(ROWTIME|PROCTIME)\*$/, ''));
    if (JSON.stringify(fcols) !== JSON.stringify(mine)) diffs.push(`columns: streamt ${JSON.stringify(mine)}, Flink ${JSON.stringify(fcols)}`);
  }
  return diffs;
}

function renderNames(reserved, functions, signatures, typed) {
  // Words in a template string, wrapped: compact, and no quoted upper-case literal looks like a diagnostic code.
  const list = (words) => {
    const lines = [];
    let line = '';
    for (const w of words) {
      if (line && line.length + w.length + 1 > 100) {
        lines.push(line);
        line = '';
      }
      line = line ? `${line} ${w}` : w;
    }
    if (line) lines.push(line);
    return `new Set(\n  \`${lines.join('\n   ')}\`.split(/\\s+/),\n)`;
  };
  return `/**
 * Names from Flink 1.20's own parser and function catalogue (tools/flink-planner/src/FlinkNames.java).
 * Written by \`node scripts/flink-agreement.mjs --flink-names\`; never edit by hand.
 */

/** Reserved keywords of Flink's SQL parser: an unquoted identifier cannot be one of them. */
export const FLINK_RESERVED_WORDS: ReadonlySet<string> = ${list(reserved)};

/** Functions Flink SQL can call (built-in; streamt projects register no user-defined functions). */
export const FLINK_FUNCTIONS: ReadonlySet<string> = ${list(functions)};

/**
 * Allowed operand signatures of Flink's plain Calcite-style functions (SqlOperator.getAllowedSignatures()),
 * one per line: \`NAME 'NAME(<FAMILY>, ...)'\`. Flink's validator checks these operand families with
 * implicit type coercion off.
 */
export const FLINK_SIGNATURES_TEXT = \`
${signatures.map((l) => l.replace(/[`\\$]/g, (c) => `\\${c}`)).join('\n')}
\`;

/**
 * Expected signatures of the built-in functions of Flink's new type inference stack (their input type
 * strategies), one per line: \`NAME NAME(name <FAMILY>, ...)\`. A call none of them takes is refused
 * with "Invalid input arguments.".
 */
export const FLINK_TYPED_SIGNATURES_TEXT = \`
${typed.map((l) => l.replace(/[`\\$]/g, (c) => `\\${c}`)).join('\n')}
\`;
`;
}

function runJudge(all, names = false) {
  const flinkHome = join(paths.dist, 'flink-1.20.3');
  const lib = join(flinkHome, 'lib');
  if (!existsSync(lib)) {
    console.error(`No Flink jars at ${lib}: run \`npm run stack -- up\` (or its install step) first`);
    process.exit(2);
  }
  // The planner ships inside flink-table-planner-loader (behind its own class loader); the judge
  // reads planner metadata, so it takes the planner jar out and uses it instead of the loader.
  const cache = join(root, '.cache', 'flink-planner');
  const plannerJar = join(cache, 'flink-table-planner.jar');
  if (!existsSync(plannerJar)) {
    mkdirSync(cache, { recursive: true });
    const x = spawnSync('jar', ['xf', join(lib, 'flink-table-planner-loader-1.20.3.jar'), 'flink-table-planner.jar'], { cwd: cache, encoding: 'utf8' });
    if (x.status !== 0 || !existsSync(plannerJar)) {
      console.error(`Cannot extract the planner from flink-table-planner-loader (is a JDK installed?):\n${x.stderr || x.error}`);
      process.exit(2);
    }
  }
  const jars = readdirSync(lib).filter((f) => f.endsWith('.jar') && !f.startsWith('flink-table-planner-loader')).map((f) => join(lib, f));
  const classpath = [plannerJar, ...jars].join(':');
  const sourceDir = join(root, 'tools/flink-planner/src');
  const sources = readdirSync(sourceDir).filter((f) => f.endsWith('.java')).sort().map((f) => join(sourceDir, f));
  const hash = createHash('sha256').update(sources.map((f) => readFileSync(f, 'utf8')).join('\n')).update(classpath).digest('hex').slice(0, 12);
  const classes = join(cache, hash);
  if (!existsSync(join(classes, 'PlannerJudge.class'))) {
    mkdirSync(classes, { recursive: true });
    const c = spawnSync('javac', ['-cp', classpath, '-d', classes, ...sources], { encoding: 'utf8' });
    if (c.status !== 0) {
      console.error(`javac failed (is a JDK installed? stack/lib/install.mjs checks for one):\n${c.stderr || c.error}`);
      process.exit(2);
    }
  }
  if (names) {
    const r = spawnSync('java', ['-cp', `${classes}:${classpath}`, 'FlinkNames'], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(`FlinkNames failed:\n${r.stderr.slice(-4000)}`);
      process.exit(2);
    }
    return r.stdout.trim().split('\n');
  }
  // Flink's answer is a function of the job and the judge (source and jars): answers are kept per
  // job text under .cache/, so only new or changed jobs start the planner (--no-cache: all of them).
  const answersFile = join(cache, `answers-${hash}.json`);
  const known = !process.argv.includes('--no-cache') && existsSync(answersFile) ? JSON.parse(readFileSync(answersFile, 'utf8')) : {};
  const lines = all.map((c) => JSON.stringify({ id: c.id, statements: c.statements, query: c.query ?? null }));
  const keyOf = (c) => createHash('sha256').update(JSON.stringify([c.statements, c.query ?? null])).digest('hex');
  const missing = all.map((c, i) => [c, lines[i]]).filter(([c]) => !known[keyOf(c)]);
  if (missing.length > 0) {
    const run = spawnSync('java', ['-cp', `${classes}:${classpath}`, 'PlannerJudge'], { input: missing.map(([, l]) => l).join('\n') + '\n', encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (run.status !== 0) {
      console.error(`The Flink planner judge failed (exit ${run.status}):\n${run.stderr.slice(-4000)}`);
      process.exit(2);
    }
    const byId = new Map(run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((v) => [v.id, v]));
    for (const [c] of missing) {
      const answer = byId.get(c.id);
      if (answer) known[keyOf(c)] = { ...answer, id: undefined };
    }
    writeFileSync(answersFile, JSON.stringify(known));
  }
  return new Map(all.filter((c) => known[keyOf(c)]).map((c) => [c.id, { ...known[keyOf(c)], id: c.id }]));
}

function createInput(name, t) {
  const times = [...(t.timeAttributes ?? []), ...(t.timeAttribute ? [t.timeAttribute] : [])];
  const proctime = new Set(times.filter((x) => x.kind === 'proctime').map((x) => x.column));
  const cols = t.columns.map((c) => (proctime.has(c.name) ? `\`${c.name}\` AS PROCTIME()` : `\`${c.name}\` ${c.type}`));
  for (const x of times.filter((x) => x.kind === 'rowtime')) cols.push(`WATERMARK FOR \`${x.column}\` AS \`${x.column}\` - INTERVAL '5' SECOND`);
  if (t.primaryKey?.length) cols.push(`PRIMARY KEY (${t.primaryKey.map((k) => `\`${k}\``).join(', ')}) NOT ENFORCED`);
  // Kafka tables as the compiled jobs declare them; a keyed input is an upsert topic (a changelog),
  // or a CDC stream in its format (debezium-json, canal-json, maxwell-json).
  const withs = t.format
    ? `'connector' = 'kafka', 'topic' = '${name}', 'properties.bootstrap.servers' = 'localhost:9092', 'properties.group.id' = 'judge', 'scan.startup.mode' = 'earliest-offset', 'format' = '${t.format}'`
    : t.primaryKey?.length
    ? `'connector' = 'upsert-kafka', 'topic' = '${name}', 'properties.bootstrap.servers' = 'localhost:9092', 'key.format' = 'json', 'value.format' = 'json'`
    : `'connector' = 'kafka', 'topic' = '${name}', 'properties.bootstrap.servers' = 'localhost:9092', 'properties.group.id' = 'judge', 'scan.startup.mode' = 'earliest-offset', 'format' = 'json'`;
  return `CREATE TEMPORARY TABLE \`${name}\` (\n  ${cols.join(',\n  ')}\n) WITH (${withs})`;
}
