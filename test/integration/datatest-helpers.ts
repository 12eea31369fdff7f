// Shared by the datatest integration tests: an in-memory project pointing at the local stack.
import { load } from '../helpers/project.js';
import { resolveProject } from '../../src/resolve/resolve.js';
import type { ResolvedProject } from '../../src/resolve/types.js';
import { stackConfig } from './helpers.js';

/**
 * The registry is off unless asked for. With it, models would write Avro by default (docs/schemas.md
 * "Which format a model writes"); the tests that ask for it read Avro sources, not models, so
 * no output_format is set here. A test that turns the registry on and reads a model's records as
 * JSON must declare output_format: json itself.
 */
export function stackRuntime(registry = false): string {
  return `runtime:
  kafka:
    bootstrap_servers: ${stackConfig.kafka.bootstrapServers}
${registry ? `  schema_registry:\n    url: ${stackConfig.registry.url}\n` : ''}  flink:
    default: local
    clusters:
      local:
        rest_url: ${stackConfig.flink.restUrl}
        sql_gateway_url: ${stackConfig.flink.sqlGatewayUrl}
`;
}

export function resolveStackProject(name: string, files: Record<string, string>, registry = false): ResolvedProject {
  const loaded = load({ 'stream_project.yml': `project:\n  name: ${name}\n${stackRuntime(registry)}`, ...files });
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!loaded.project || errors.length) throw new Error(`project does not load: ${JSON.stringify(errors)}`);
  const resolved = resolveProject(loaded.project);
  const rerrors = resolved.diagnostics.filter((d) => d.severity === 'error');
  if (rerrors.length) throw new Error(`project does not resolve: ${JSON.stringify(rerrors)}`);
  return resolved;
}
