/**
 * The `yaml` package, loaded the first time it is needed: a project whose files the YAML fast
 * path reads (src/project/yaml.ts) and that has no diagnostic to locate never needs it, and
 * loading its modules is a noticeable part of start-up.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

let lib: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  return (lib ??= createRequire(import.meta.url)('yaml') as typeof Yaml);
}
