import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { readdirSync } from 'node:fs';
import { cliReference, jsonSchemas, yamlReference } from '../../src/reference/reference.js';
import { outputJsonSchemas } from '../../src/ui/contract.js';

const docs = join(import.meta.dirname, '..', '..', 'docs');
const regenerate = 'run "npm run docs:reference" and commit the result';

describe('reference docs are generated from the code', () => {
  it('JSON Schemas match the zod schemas', () => {
    for (const [name, schema] of Object.entries(jsonSchemas())) {
      const committed = readFileSync(join(docs, 'schema', name), 'utf8');
      expect(committed, `${name}: ${regenerate}`).toBe(JSON.stringify(schema, null, 2) + '\n');
    }
  });

  it('JSON Schemas of the --format json documents match the contract', () => {
    const schemas = outputJsonSchemas();
    expect(readdirSync(join(docs, 'schema', 'output')).sort(), regenerate).toEqual(Object.keys(schemas).sort());
    for (const [name, schema] of Object.entries(schemas)) {
      expect(readFileSync(join(docs, 'schema', 'output', name), 'utf8'), `${name}: ${regenerate}`).toBe(JSON.stringify(schema, null, 2) + '\n');
    }
  });

  it('the YAML reference matches the zod schemas', () => {
    expect(readFileSync(join(docs, 'yaml-reference.md'), 'utf8'), regenerate).toBe(yamlReference());
  });

  it('the CLI reference matches the commander program', () => {
    const program = buildProgram({ stdout: process.stdout, stderr: process.stderr, env: {} }, () => {});
    expect(readFileSync(join(docs, 'cli.md'), 'utf8'), regenerate).toBe(cliReference(program));
  });

  it('the schemas reject unknown keys, as the loader does', () => {
    const schema = jsonSchemas()['stream_project.schema.json'] as { additionalProperties?: boolean };
    expect(schema.additionalProperties).toBe(false);
  });
});
