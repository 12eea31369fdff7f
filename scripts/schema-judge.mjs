#!/usr/bin/env node
// Flink is the judge of the schema type mapping (issue 12): every case of test/schemas/cases/avro
// and test/schemas/cases/protobuf is converted by Flink 1.20's own converters (tools/schema-judge:
// AvroSchemaConverter.convertToDataType, PbToRowTypeUtil.generateRowType; offline, on the stack's
// Flink jars plus flink-protobuf from Maven Central) and by streamt (src/schemas/).
//   (no flag)  compare Flink's answers with test/schemas/expected/*.json and with streamt; exit 1 on a difference
//   --update   write Flink's answers to test/schemas/expected/*.json (then review the diff)
//   --json     one JSON report on stdout (used by test/integration/schema-judge.test.ts)
// Run after `npm run build`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { paths } from '../stack/config.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const update = process.argv.includes('--update');
const asJson = process.argv.includes('--json');
const dist = (p) => import(new URL(`dist/${p}`, `file://${root}`).href);
const [{ avroDataType }, { protobufDataType, protobufRoot }] = await Promise.all(['schemas/avro.js', 'schemas/protobuf.js'].map(dist)).catch((e) => {
  console.error(`Cannot load dist/: run \`npm run build\` first (${e.message})`);
  process.exit(2);
});
const { default: descriptor } = await import('protobufjs/ext/descriptor/index.js');

// ---- the judge's classpath: the stack's Flink lib/ plus flink-protobuf and protobuf-java ----
const flinkLib = join(paths.dist, 'flink-1.20.3', 'lib');
if (!existsSync(flinkLib)) {
  console.error(`No Flink jars at ${flinkLib}: run \`npm run stack -- up\` (or its install step) first`);
  process.exit(2);
}
const m2 = process.env.STREAMT_MAVEN_LOCAL ?? join(homedir(), '.m2', 'repository');
const extra = [
  ['org.apache.flink:flink-protobuf:1.20.0', 'org/apache/flink/flink-protobuf/1.20.0/flink-protobuf-1.20.0.jar'],
  ['com.google.protobuf:protobuf-java:3.21.7', 'com/google/protobuf/protobuf-java/3.21.7/protobuf-java-3.21.7.jar'],
];
for (const [artifact, path] of extra) {
  if (existsSync(join(m2, path))) continue;
  const r = spawnSync('mvn', ['-q', 'dependency:get', `-Dartifact=${artifact}`, '-Dtransitive=false'], { encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(join(m2, path))) {
    console.error(`Cannot fetch ${artifact} with Maven:\n${r.stdout}${r.stderr}`);
    process.exit(2);
  }
}
const classpath = [`${flinkLib}/*`, ...extra.map(([, p]) => join(m2, p))].join(':');
const source = join(root, 'tools/schema-judge/src/SchemaJudge.java');
const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
const classes = join(root, '.cache', 'schema-judge', hash);
if (!existsSync(join(classes, 'SchemaJudge.class'))) {
  mkdirSync(classes, { recursive: true });
  const c = spawnSync('javac', ['-cp', classpath, '-d', classes, source], { encoding: 'utf8' });
  if (c.status !== 0) {
    console.error(`javac failed:\n${c.stderr || c.error}`);
    process.exit(2);
  }
}

// ---- cases ----
const casesDir = join(root, 'test/schemas/cases');
const cases = [];
for (const format of ['avro', 'protobuf']) {
  for (const file of readdirSync(join(casesDir, format)).sort()) {
    const name = file.replace(/\.(avsc|proto)$/, '');
    const text = readFileSync(join(casesDir, format, file), 'utf8');
    if (format === 'avro') {
      cases.push({ format, name, judge: { id: `${format}/${name}`, format, schema: text }, streamt: avroDataType(text) });
    } else {
      const { root: pbRoot, messages } = protobufRoot(text);
      const set = descriptor.FileDescriptorSet.encode(pbRoot.toDescriptor('proto3')).finish();
      const message = messages[0].fullName.slice(1);
      cases.push({ format, name, judge: { id: `${format}/${name}`, format, descriptor_set: Buffer.from(set).toString('base64'), message }, streamt: protobufDataType(text) });
    }
  }
}

const run = spawnSync('java', ['-Xss16m', '-cp', `${classes}:${classpath}`, 'SchemaJudge'], { input: cases.map((c) => JSON.stringify(c.judge)).join('\n') + '\n', encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (run.status !== 0) {
  console.error(`The schema judge failed (exit ${run.status}):\n${run.stderr.slice(-4000)}`);
  process.exit(2);
}
const verdicts = new Map(run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).map((v) => [v.id, v]));

/** What Flink answered, as stored: its type, or that it has no usable column type (an error or RAW). */
const answer = (v) => (v?.type !== undefined && !/^RAW\(/.test(v.type) && !/ RAW\(/.test(v.type) ? { type: v.type } : { unmappable: v?.error ?? v?.type ?? 'no verdict' });

const expectedDir = join(root, 'test/schemas/expected');
const report = [];
for (const format of ['avro', 'protobuf']) {
  const file = join(expectedDir, `${format}.json`);
  const flink = Object.fromEntries(cases.filter((c) => c.format === format).map((c) => [c.name, answer(verdicts.get(c.judge.id))]));
  if (update) {
    mkdirSync(expectedDir, { recursive: true });
    writeFileSync(file, JSON.stringify(flink, null, 2) + '\n');
    continue;
  }
  const stored = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  for (const c of cases.filter((x) => x.format === format)) {
    const f = flink[c.name];
    const diffs = [];
    if (JSON.stringify(stored[c.name]) !== JSON.stringify(f)) diffs.push(`expected file differs from Flink's answer: stored ${JSON.stringify(stored[c.name])}, Flink ${JSON.stringify(f)}`);
    if (f.type !== undefined && c.streamt.type !== f.type) diffs.push(`streamt ${c.streamt.type ?? `refuses: ${c.streamt.error}`}, Flink ${f.type}`);
    if (f.unmappable !== undefined && c.streamt.error === undefined) diffs.push(`streamt maps it to ${c.streamt.type}, Flink has no column type (${f.unmappable})`);
    report.push({ id: `${format}/${c.name}`, agree: diffs.length === 0, differences: diffs });
  }
}
if (update) {
  console.log(`Wrote Flink's answers for ${cases.length} cases to test/schemas/expected/: review \`git diff test/schemas\``);
  process.exit(0);
}
if (asJson) console.log(JSON.stringify(report));
else {
  for (const r of report) console.log(`${r.agree ? 'agree   ' : 'DIFFER  '} ${r.id}${r.differences.map((d) => `\n         ${d}`).join('')}`);
  console.log(`\n${report.filter((r) => r.agree).length}/${report.length} cases agree with Flink`);
}
process.exit(report.every((r) => r.agree) ? 0 : 1);
