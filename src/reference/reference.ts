/**
 * Reference documentation generated from the code itself, so it cannot drift: JSON Schemas of
 * the YAML files (for editors via yaml-language-server), a YAML reference, and a CLI reference.
 * A test compares the committed docs with what these functions produce.
 */
import type { Command, Option } from 'commander';
import { z } from '../core/zod.js';
import { EnvironmentFileSchema, ProjectFileSchema, ResourceFileSchema } from '../project/schema.js';

type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  additionalProperties?: boolean | JsonSchema;
  pattern?: string;
  $schema?: string;
  $id?: string;
  title?: string;
};

const BASE = 'https://streamt.dev/schema';

function toSchema(schema: z.ZodType, id: string, title: string): JsonSchema {
  const json = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as JsonSchema;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: `${BASE}/${id}`, title, ...json };
}

/** File name → JSON Schema. */
export function jsonSchemas(): Record<string, JsonSchema> {
  return {
    'stream_project.schema.json': toSchema(ProjectFileSchema, 'stream_project.schema.json', 'streamt project (stream_project.yml)'),
    'resources.schema.json': toSchema(ResourceFileSchema, 'resources.schema.json', 'streamt resources (sources/, models/, tests/, exposures/)'),
    'environment.schema.json': toSchema(EnvironmentFileSchema, 'environment.schema.json', 'streamt environment (environments/<name>.yml)'),
  };
}

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (s.const !== undefined) return `\`${String(s.const)}\``;
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return [...new Set(alts.map(typeOf))].join(' \\| ');
  if (s.type === 'array') return `list of ${s.items ? typeOf(s.items) : 'any'}`;
  if (s.type === 'object' || s.properties) {
    if (s.properties) return 'mapping';
    return typeof s.additionalProperties === 'object' ? `map of ${typeOf(s.additionalProperties)}` : 'map';
  }
  if (Array.isArray(s.type)) return s.type.join(' \\| ');
  return s.type ?? 'any';
}

function objectOf(s: JsonSchema): JsonSchema | undefined {
  if (s.properties) return s;
  if (s.type === 'array' && s.items) return objectOf(s.items);
  if (typeof s.additionalProperties === 'object') return objectOf(s.additionalProperties);
  for (const alt of s.anyOf ?? s.oneOf ?? []) {
    const o = objectOf(alt);
    if (o) return o;
  }
  return undefined;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function section(path: string, s: JsonSchema, out: string[], depth: number): void {
  const obj = objectOf(s);
  if (!obj?.properties) return;
  out.push(`${'#'.repeat(Math.min(depth, 6))} \`${path}\``, '');
  if (s.description) out.push(escapeCell(s.description), '');
  out.push('| Key | Type | Required | Description |', '|---|---|---|---|');
  const nested: [string, JsonSchema][] = [];
  for (const [key, value] of Object.entries(obj.properties)) {
    const required = obj.required?.includes(key) ? 'yes' : '';
    out.push(`| \`${key}\` | ${typeOf(value)} | ${required} | ${escapeCell(value.description ?? '')} |`);
    const inner = objectOf(value);
    if (inner?.properties) nested.push([`${path}.${key}${value.type === 'array' ? '[]' : ''}`, value]);
  }
  out.push('');
  for (const [p, v] of nested) section(p, v, out, depth + 1);
}

export function yamlReference(): string {
  const schemas = jsonSchemas();
  const out: string[] = [
    '# YAML reference',
    '',
    '<!-- Generated from src/project/schema.ts by `npm run docs:reference`; do not edit by hand. -->',
    '',
    'Every mapping is strict: a key not listed here is an error (`UNKNOWN_KEY`, with a "did you mean" hint).',
    'Free-form maps (`config`, `meta`, `vars`, `data_requirements`) accept any key.',
    'Any string value may use `${VAR}` or `${VAR:-default}`; `$${X}` writes a literal `${X}`.',
    '',
    'Editors: point yaml-language-server at the JSON Schemas in `docs/schema/`, for example in VS Code settings:',
    '',
    '```json',
    '"yaml.schemas": {',
    '  "./node_modules/streamt/docs/schema/stream_project.schema.json": "stream_project.yml",',
    '  "./node_modules/streamt/docs/schema/resources.schema.json": ["sources/**/*.yml", "models/**/*.yml", "tests/**/*.yml", "exposures/**/*.yml"],',
    '  "./node_modules/streamt/docs/schema/environment.schema.json": "environments/*.yml"',
    '}',
    '```',
    '',
    'or add `# yaml-language-server: $schema=<path to the schema>` as the first line of a file.',
    '',
  ];
  section('stream_project.yml', schemas['stream_project.schema.json']!, out, 2);
  section('environments/<name>.yml', schemas['environment.schema.json']!, out, 2);
  out.push(
    '## Assertions',
    '',
    'Each entry of a test\'s `assertions:` is a one-key mapping: `not_null`, `accepted_values` (alias `allowed_values`), `range`, `accepted_types`, `unique_key`, `foreign_key`, `max_lag`, `max_latency`, `throughput`, `distribution`, `schema` (continuous tests), `custom_sql`. Unknown assertions and unknown parameters are errors.',
    '',
  );
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}

function optionLine(o: Option): string {
  const choices = (o as Option & { argChoices?: string[] }).argChoices;
  const dflt = o.defaultValue !== undefined && o.defaultValue !== false ? ` (default: \`${String(o.defaultValue)}\`)` : '';
  return `| \`${o.flags}\` | ${escapeCell(o.description)}${choices ? ` One of ${choices.map((c) => `\`${c}\``).join(', ')}.` : ''}${dflt} |`;
}

function commandSection(cmd: Command, prefix: string, out: string[]): void {
  const name = `${prefix} ${cmd.name()}`.trim();
  const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)).join(' ');
  out.push(`## \`${name}${args ? ' ' + args : ''}\``, '', cmd.description(), '');
  const opts = cmd.options.filter((o) => !o.hidden);
  if (opts.length) out.push('| Option | Description |', '|---|---|', ...opts.map(optionLine), '');
  for (const sub of cmd.commands) commandSection(sub, name, out);
}

export function cliReference(program: Command): string {
  const out: string[] = [
    '# CLI reference',
    '',
    '<!-- Generated from src/cli/main.ts by `npm run docs:reference`; do not edit by hand. -->',
    '',
    program.description(),
    '',
    '## Global options',
    '',
    '| Option | Description |',
    '|---|---|',
    ...program.options.map(optionLine),
    '',
    '## Exit codes',
    '',
    '| Code | Meaning |',
    '|---|---|',
    '| 0 | Success (for `plan --detailed-exitcode`: no changes) |',
    '| 1 | Invalid project, usage error, or a failure you can act on |',
    '| 2 | `plan --detailed-exitcode`: the plan has changes |',
    '| 70 | Internal error: a bug in streamt (re-run with `--debug` for the stack trace) |',
    '',
    'Data (`--format json`, lineage, lists) goes to stdout; diagnostics and progress go to stderr. Colours are off when the output is not a terminal, or with `NO_COLOR`; `FORCE_COLOR=1` forces them.',
    '',
    '## JSON output',
    '',
    'With `--format json` every command prints one JSON document on stdout, on success and on every error path: `format` (`streamt-<command>`), `format_version`, `ok`, the command\'s data, and `diagnostics` (code, severity, message, file, line, column, hint, node). Each document has a JSON Schema in `docs/schema/output/` (also in the package: `streamt/schema/output/<command>.schema.json`); a breaking change bumps its `format_version`.',
    '',
    '## Project folder',
    '',
    'Without `-p` and `$STREAMT_PROJECT_DIR`, every command uses the nearest folder at or above the current one that holds a `stream_project.yml`, as git and dbt find theirs.',
    '',
    '## Environment variables',
    '',
    '| Variable | Effect |',
    '|---|---|',
    '| `STREAMT_PROJECT_DIR` | Default for `--project-dir` |',
    '| `STREAMT_ENV` | Default for `--env` |',
    '| `NO_COLOR`, `FORCE_COLOR` | Colour control |',
    '| `SOURCE_DATE_EPOCH` | Seconds since 1970: the time `compile` and `docs generate` stamp (`compiled_at`, `generated_at`) instead of now, so the same input gives byte-identical output |',
    '',
  ];
  for (const cmd of program.commands) commandSection(cmd, 'streamt', out);
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}
