#!/usr/bin/env node
// Regenerates docs/cli.md, docs/yaml-reference.md and docs/schema/*.json from the built code.
// Run `npm run docs:reference` after changing the DSL schema or the CLI.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../dist/cli/main.js';
import { cliReference, jsonSchemas, yamlReference } from '../dist/reference/reference.js';
import { outputJsonSchemas } from '../dist/ui/contract.js';

const root = join(import.meta.dirname, '..');
mkdirSync(join(root, 'docs', 'schema'), { recursive: true });
for (const [name, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(join(root, 'docs', 'schema', name), JSON.stringify(schema, null, 2) + '\n');
}
mkdirSync(join(root, 'docs', 'schema', 'output'), { recursive: true });
for (const [name, schema] of Object.entries(outputJsonSchemas())) {
  writeFileSync(join(root, 'docs', 'schema', 'output', name), JSON.stringify(schema, null, 2) + '\n');
}
writeFileSync(join(root, 'docs', 'yaml-reference.md'), yamlReference());
const io = { stdout: process.stdout, stderr: process.stderr, env: {} };
writeFileSync(join(root, 'docs', 'cli.md'), cliReference(buildProgram(io, () => {})));
console.log('docs/cli.md, docs/yaml-reference.md, docs/schema/ and docs/schema/output/ regenerated');
