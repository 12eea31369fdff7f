#!/usr/bin/env node
// Prints the share of the Flink SQL corpus (test/sql-corpus) that the analyser parses and classifies
// correctly. Run after `npm run build`: it imports the compiled analyser from dist/.
import { readFileSync } from 'node:fs';
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
const inputs = parse(readFileSync(`${root}test/sql-corpus/inputs.yaml`, 'utf8'));
const entries = parse(readFileSync(`${root}test/sql-corpus/flink-docs.yaml`, 'utf8'));
const verbose = process.argv.includes('--verbose');

let parsed = 0;
let correct = 0;
for (const entry of entries) {
  const result = corpus.checkCorpusEntry(entry, analyzer.analyzeSql, inputs);
  if (result.parsed) parsed++;
  if (result.mismatches.length === 0) correct++;
  else console.log(`✗ ${entry.name}${entry.doc ? ` (${entry.doc})` : ''}\n    ${result.mismatches.join('\n    ')}`);
  if (verbose && result.mismatches.length === 0) console.log(`✓ ${entry.name}`);
}
const pct = (n) => `${((100 * n) / entries.length).toFixed(1)}%`;
console.log(`SQL corpus: ${entries.length} queries`);
console.log(`  parsed:                 ${parsed}/${entries.length} (${pct(parsed)})`);
console.log(`  parsed and classified:  ${correct}/${entries.length} (${pct(correct)})`);
process.exit(correct === entries.length ? 0 : 1);
