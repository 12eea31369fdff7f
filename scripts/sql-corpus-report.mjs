#!/usr/bin/env node
// The SQL corpus (test/sql-corpus) against Flink's stored verdicts (test/sql-corpus/flink/*.json),
// without starting Flink: a quick loop while working on the analyser. Run after `npm run build`.
// scripts/flink-agreement.mjs asks Flink itself (and --capture refreshes the stored verdicts).
//   --verbose   also list the queries that agree
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
let analyzer;
let corpus;
try {
  analyzer = await import(new URL('dist/sql/index.js', `file://${root}`).href);
  corpus = await import(new URL('dist/sql/corpus.js', `file://${root}`).href);
} catch (e) {
  console.error(`Cannot load dist/sql: run \`npm run build\` first (${e instanceof Error ? e.message : e})`);
  process.exit(2);
}
const dir = `${root}test/sql-corpus/`;
const inputs = parse(readFileSync(`${dir}inputs.yaml`, 'utf8'));
const verbose = process.argv.includes('--verbose');
let total = 0;
let agree = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'inputs.yaml').sort()) {
  const verdictFile = `${dir}flink/${file.replace(/\.yaml$/, '.json')}`;
  const verdicts = existsSync(verdictFile) ? JSON.parse(readFileSync(verdictFile, 'utf8')) : {};
  for (const entry of parse(readFileSync(`${dir}${file}`, 'utf8'))) {
    total++;
    const verdict = verdicts[entry.name];
    const diffs = verdict ? corpus.compareWithFlink(analyzer.analyzeSql(entry.sql, inputs), verdict) : ['no stored verdict: run node scripts/flink-agreement.mjs --capture'];
    if (diffs.length === 0) {
      agree++;
      if (verbose) console.log(`✓ ${file}:${entry.name}`);
    } else console.log(`✗ ${file}:${entry.name}\n    ${diffs.join('\n    ')}`);
  }
}
console.log(`SQL corpus: ${agree}/${total} queries agree with Flink's stored verdicts (${((100 * agree) / total).toFixed(1)}%)`);
process.exit(agree === total ? 0 : 1);
