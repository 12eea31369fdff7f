/**
 * The front half of every command: read files (the only I/O), load, resolve. Commands then
 * decide what to do with the diagnostics.
 */
import { readFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { yamlLib } from '../project/yaml-lib.js';
import { error, hasErrors, type Diagnostic } from '../core/diagnostics.js';
import { readProjectFiles } from '../project/files.js';
import { loadProject, type ProjectFiles } from '../project/load.js';
import type { AnalysisMemo } from '../resolve/memo.js';
import type { Memo } from '../core/memo.js';
import type { Project } from '../project/types.js';
import { resolveProject } from '../resolve/resolve.js';
import type { ResolvedProject } from '../resolve/types.js';
import type { SourceLines } from '../ui/diagnostics.js';

export interface GlobalOptions {
  projectDir: string;
  env?: string;
  color?: boolean;
  debug?: boolean;
  /** `--vars`: YAML or JSON mapping merged over the project's (and environment's) vars:, as dbt's --vars. */
  vars?: string;
}

/** Parses `--vars` (a YAML or JSON mapping); a diagnostic when it is not one. */
export function parseVars(text: string | undefined): { vars?: Record<string, unknown>; diagnostic?: Diagnostic } {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = yamlLib().parse(text);
  } catch (e) {
    return { diagnostic: error('INVALID_VARS', `--vars is not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`, { hint: `e.g. --vars '{window_minutes: 5, env: prod}'` }) };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { diagnostic: error('INVALID_VARS', '--vars must be a mapping of names to values', { hint: `e.g. --vars '{window_minutes: 5}'` }) };
  }
  return { vars: value as Record<string, unknown> };
}

export interface PipelineResult {
  project?: Project;
  resolved?: ResolvedProject;
  diagnostics: Diagnostic[];
  root: string;
}

/**
 * `live`: the command talks to Kafka, Flink, Connect or the registry (plan, apply, status, test)
 * and needs every connection setting and secret. Every other command is offline: unset
 * connection settings and secrets stay `${env:NAME}` placeholders, so a PR check or a docs job
 * needs no production password.
 */
export function runFrontEnd(
  opts: GlobalOptions,
  processEnv: Readonly<Record<string, string | undefined>>,
  mode: { live?: boolean; files?: ProjectFiles; analyses?: AnalysisMemo; yamlValues?: Memo; nodes?: Memo; lineage?: Memo } = {},
): PipelineResult {
  const root = resolvePath(opts.projectDir);
  const cliVars = parseVars(opts.vars);
  if (cliVars.diagnostic) return { diagnostics: [cliVars.diagnostic], root };
  const files = mode.files ?? readProjectFiles(root);
  const loadOpts: Parameters<typeof loadProject>[1] = { processEnv, offline: !mode.live };
  if (opts.env !== undefined) loadOpts.env = opts.env;
  if (processEnv.STREAMT_ENV) loadOpts.envFromVariable = processEnv.STREAMT_ENV;
  if (mode.yamlValues) loadOpts.yamlValues = mode.yamlValues;
  if (mode.nodes) loadOpts.nodes = mode.nodes;
  const loaded = loadProject(files, loadOpts);
  if (!loaded.project || hasErrors(loaded.diagnostics)) {
    // Shape errors make resolution meaningless; report them first.
    const result: PipelineResult = { diagnostics: loaded.diagnostics, root };
    if (loaded.project) result.project = loaded.project;
    return result;
  }
  // --vars win over vars: of the project and the environment (dbt's precedence).
  if (cliVars.vars) loaded.project.vars = { ...loaded.project.vars, ...cliVars.vars };
  const resolveOpts: Parameters<typeof resolveProject>[1] = {};
  if (mode.analyses) resolveOpts.analyses = mode.analyses;
  if (mode.lineage) resolveOpts.lineage = mode.lineage;
  const resolved = resolveProject(loaded.project, resolveOpts);
  return { project: loaded.project, resolved, diagnostics: [...loaded.diagnostics, ...resolved.diagnostics], root };
}

/** Lines of project files for code frames, read lazily and cached. */
export function sourceLinesFrom(root: string): SourceLines {
  const cache = new Map<string, string[] | undefined>();
  return (file) => {
    if (!cache.has(file)) {
      try {
        const text = readFileSync(join(root, file), 'utf8');
        cache.set(file, text.length > 5_000_000 ? undefined : text.split(/\r?\n/));
      } catch {
        cache.set(file, undefined);
      }
    }
    return cache.get(file);
  };
}

/**
 * The time stamped into generated files: SOURCE_DATE_EPOCH (seconds, reproducible-builds.org)
 * when set, so the same input gives byte-identical output; else now.
 */
export function buildTime(env: Readonly<Record<string, string | undefined>>, now: () => Date): Date {
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && /^\d+$/.test(epoch.trim())) return new Date(Number(epoch.trim()) * 1000);
  return now();
}
