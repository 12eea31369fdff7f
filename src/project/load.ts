/**
 * Loading a project is a pure function of its files and environment: parse every YAML file with
 * positions, pick the environment, interpolate variables, validate shapes entry by entry (so one
 * bad model does not hide the others), and normalize. All problems come back as diagnostics.
 */
import { parseEnv } from 'node:util';
import { z } from '../core/zod.js';
import { error, hasErrors, warning, type Diagnostic } from '../core/diagnostics.js';
import type { Memo } from '../core/memo.js';
import { own, setOwn } from '../core/own.js';
import { didYouMean } from '../core/suggest.js';
import { normalizeExposure, normalizeModel, normalizeSource, normalizeTest, type EntryContext } from './normalize.js';
import {
  EnvironmentFileSchema,
  ProjectFileSchema,
  ResourceFileSchema,
  ResourceSections,
  SECTION_NAMES,
  type Defaults,
  type Rules,
  type Runtime,
  type SectionName,
} from './schema.js';
import type { EnvironmentInfo, ExposureNode, Locator, ModelNode, Project, SourceNode, TestNode } from './types.js';
import { fromCachedNode, nodeForm, nodeKey, toCachedNode } from './memo.js';
import { interpolate, locate, locateInString, parseYaml, toValue, type Loc, type PathSegment, type YamlFile } from './yaml.js';
import { zodIssuesToDiagnostics } from './zod-diagnostics.js';
import { parseLock } from '../schemas/lock.js';

export interface SourceFile {
  /** Relative to the project root, forward slashes. */
  path: string;
  /** Undefined when the file could not be read as text (see `problem`). */
  text?: string;
  problem?: Diagnostic;
}

export interface ProjectFiles {
  root: string;
  projectFile?: SourceFile;
  resourceFiles: SourceFile[];
  /** environments/<name>.yml files, when an environments/ folder exists. */
  environmentFiles?: SourceFile[];
  /** `.env` and `.env.<name>` contents by file name. */
  dotenv: Record<string, string>;
  /** schemas.lock.yml, when present. */
  schemaLock?: SourceFile;
}

export interface LoadOptions {
  /** --env */
  env?: string;
  /** STREAMT_ENV */
  envFromVariable?: string;
  /** The process environment; wins over .env files. */
  processEnv: Readonly<Record<string, string | undefined>>;
  /**
   * The command reaches no live system (validate, compile, lineage, ls, docs): connection
   * settings and secrets that are not set stay placeholders instead of being errors.
   */
  offline?: boolean;
  /** YAML values of an earlier run to reuse, and where this run's go (incremental validate, core/memo.ts). */
  yamlValues?: Memo;
  /** Normalized nodes of an earlier run to reuse, and where this run's go (project/memo.ts). */
  nodes?: Memo;
}

export interface LoadResult {
  project?: Project;
  diagnostics: Diagnostic[];
}

const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export function environmentNameOf(path: string): string {
  return path.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
}

interface ProjectPeek {
  /** `project.default_environment`, read before interpolation (it names the .env.<env> to read). */
  defaultEnvironment?: string;
  defaultAt?: Loc;
  hasRuntime: boolean;
}

function peekProject(yaml: YamlFile | undefined): ProjectPeek {
  if (!yaml) return { hasRuntime: false };
  // The fast path's value when there is one (interpolation has not run yet: both are as written).
  const value = yaml.fastValue?.value as { project?: { default_environment?: unknown } | null; runtime?: unknown } | null | undefined;
  const d = yaml.fastValue ? (value && typeof value === 'object' && value.project && typeof value.project === 'object' ? value.project.default_environment : undefined) : yaml.doc.getIn(['project', 'default_environment']);
  const peek: ProjectPeek = { hasRuntime: yaml.fastValue ? !!value && typeof value === 'object' && !Array.isArray(value) && 'runtime' in value : yaml.doc.hasIn(['runtime']) };
  if (typeof d === 'string' && d) {
    peek.defaultEnvironment = d;
    peek.defaultAt = locate(yaml, ['project', 'default_environment']);
  }
  return peek;
}

function pickEnvironment(files: ProjectFiles, opts: LoadOptions, peek: ProjectPeek, diagnostics: Diagnostic[]): SourceFile | undefined | null {
  const requested = opts.env ?? opts.envFromVariable ?? (files.environmentFiles ? peek.defaultEnvironment : undefined);
  const source = opts.env !== undefined ? '--env' : opts.envFromVariable ? 'STREAMT_ENV' : 'project.default_environment';
  if (!files.environmentFiles) {
    if (opts.env !== undefined) {
      diagnostics.push(
        error('ENV_NOT_CONFIGURED', `--env ${opts.env} was given but this project has no environments/ folder`, {
          file: files.projectFile?.path,
          hint: 'remove --env, or create environments/<name>.yml with a runtime: block',
        }),
      );
      return null;
    }
    if (opts.envFromVariable) {
      diagnostics.push(
        warning('ENV_IGNORED', `STREAMT_ENV=${opts.envFromVariable} is ignored: this project has no environments/ folder`, {
          hint: 'unset STREAMT_ENV, or create environments/<name>.yml',
        }),
      );
    }
    return undefined;
  }
  const available = files.environmentFiles.map((f) => environmentNameOf(f.path)).sort();
  if (!available.length) {
    diagnostics.push(
      error('ENV_DIR_EMPTY', 'The environments/ folder has no environment files', {
        file: 'environments',
        hint: 'add environments/dev.yml with a runtime: block, or remove the empty folder',
      }),
    );
    return null;
  }
  // Without a choice, a project whose own runtime: is complete runs against it (the environments
  // only override it); a project that keeps every connection in its environments must choose.
  if (!requested && peek.hasRuntime) return undefined;
  if (!requested) {
    diagnostics.push(
      error('ENV_REQUIRED', `This project has several environments; choose one with --env or STREAMT_ENV (available: ${available.join(', ')})`, {
        file: files.projectFile?.path,
        hint: `e.g. streamt validate --env ${available[0]}, or set project.default_environment: ${available[0]} in stream_project.yml`,
      }),
    );
    return null;
  }
  if (!ENV_NAME.test(requested)) {
    diagnostics.push(
      error('ENV_INVALID_NAME', `Invalid environment name "${requested}" (from ${source})`, {
        hint: 'environment names contain only letters, digits, "-" and "_"',
      }),
    );
    return null;
  }
  const matches = files.environmentFiles.filter((f) => environmentNameOf(f.path) === requested);
  if (!matches.length) {
    diagnostics.push(
      error('ENV_NOT_FOUND', `Environment "${requested}" (from ${source}) not found; available: ${available.join(', ')}`, {
        ...(source === 'project.default_environment' && peek.defaultAt ? peek.defaultAt : {}),
        hint: didYouMean(requested, available) ?? `create environments/${requested}.yml`,
      }),
    );
    return null;
  }
  if (matches.length > 1) {
    diagnostics.push(
      error('ENV_AMBIGUOUS', `Environment "${requested}" is defined twice: ${matches.map((m) => m.path).join(' and ')}`, {
        file: matches[1]!.path,
        hint: 'keep one of the two files',
      }),
    );
    return null;
  }
  return matches[0];
}

function readText(file: SourceFile, diagnostics: Diagnostic[], memo?: Memo): YamlFile | undefined {
  if (file.problem) {
    diagnostics.push(file.problem);
    return undefined;
  }
  const parsed = parseYaml(file.path, file.text ?? '', memo);
  diagnostics.push(...parsed.diagnostics);
  return parsed.yaml;
}

function locatorFor(yaml: YamlFile, base: readonly PathSegment[]): Locator {
  return (path = [], which = 'value') => locate(yaml, [...base, ...path], which);
}

export function loadProject(files: ProjectFiles, opts: LoadOptions): LoadResult {
  const diagnostics: Diagnostic[] = [];
  if (!files.projectFile) {
    diagnostics.push(
      error('PROJECT_NOT_FOUND', `No stream_project.yml found in ${files.root}`, {
        hint: 'run "streamt init" to create a project, or pass --project-dir <folder>',
      }),
    );
    return { diagnostics };
  }

  const projectYaml = readText(files.projectFile, diagnostics, opts.yamlValues);
  const envFile = pickEnvironment(files, opts, peekProject(projectYaml), diagnostics);
  if (envFile === null) return { diagnostics };
  const envName = envFile ? environmentNameOf(envFile.path) : undefined;

  // Real environment variables win over .env files; .env.<env> wins over .env.
  const dotenv: Record<string, string> = {};
  for (const name of ['.env', ...(envName ? [`.env.${envName}`] : [])]) {
    const content = files.dotenv[name];
    if (content !== undefined) Object.assign(dotenv, parseEnv(content));
  }
  const env: Record<string, string | undefined> = { ...dotenv };
  for (const [k, v] of Object.entries(opts.processEnv)) if (v !== undefined) env[k] = v;

  const envYaml = envFile ? readText(envFile, diagnostics, opts.yamlValues) : undefined;
  const resourceYamls = files.resourceFiles.map((f) => readText(f, diagnostics, opts.yamlValues)).filter((y): y is YamlFile => !!y);
  if (!projectYaml || (envFile && !envYaml)) return { diagnostics };

  // Interpolate everywhere, then report every missing variable at once.
  const secrets: string[] = [];
  for (const y of [projectYaml, ...(envYaml ? [envYaml] : []), ...resourceYamls]) {
    const r = interpolate(y, env, { offline: !!opts.offline, connectionFile: y === envYaml });
    secrets.push(...r.secrets);
    for (const m of r.missing) {
      diagnostics.push(
        error('ENV_VAR_MISSING', `Environment variable ${m.variable} is not set`, {
          ...m.loc,
          hint: `export ${m.variable}=..., add it to .env${envName ? ` or .env.${envName}` : ''}, or write \${${m.variable}:-default}`,
        }),
      );
    }
  }

  // Project file: top level strictly, sections entry by entry.
  const projectRead = toValue(projectYaml);
  if (projectRead.diagnostic) {
    diagnostics.push(projectRead.diagnostic);
    return { diagnostics };
  }
  const projectValue = projectRead.value;
  refuseProtoKeys(projectYaml, projectValue, diagnostics);
  if (projectValue === null || projectValue === undefined || typeof projectValue !== 'object' || Array.isArray(projectValue)) {
    diagnostics.push(
      error('INVALID_TYPE', 'stream_project.yml must be a mapping with at least a "project:" section', {
        file: projectYaml.file,
        line: 1,
        column: 1,
        hint: 'start with:\nproject:\n  name: my-project',
      }),
    );
    return { diagnostics };
  }
  const topSchema = ProjectFileSchema.extend({
    sources: z.array(z.unknown()).optional(),
    models: z.array(z.unknown()).optional(),
    tests: z.array(z.unknown()).optional(),
    exposures: z.array(z.unknown()).optional(),
  });
  const top = topSchema.safeParse(projectValue);
  if (!top.success) {
    diagnostics.push(...zodIssuesToDiagnostics(top.error.issues, projectYaml, [], ProjectFileSchema, projectValue, 'stream_project.yml'));
  }
  const topData = (top.success ? top.data : {}) as Partial<z.infer<typeof topSchema>>;

  let runtime: Runtime = topData.runtime ?? {};
  let runtimeAt = locatorFor(projectYaml, ['runtime']);
  let vars: Record<string, unknown> = { ...(topData.vars ?? {}) };
  let environment: EnvironmentInfo | undefined;
  if (envYaml && envName) {
    const read = toValue(envYaml);
    const value = read.value ?? {};
    refuseProtoKeys(envYaml, value, diagnostics);
    // The environment's runtime: is merged over the project's, key by key, before it is checked:
    // an environment only says what differs (dbt targets work the same way).
    const projectRuntime = top.success ? (projectValue as Record<string, unknown>).runtime : undefined;
    const envRuntime = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>).runtime : undefined;
    const merged = value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as Record<string, unknown>), runtime: mergeRuntime(projectRuntime, envRuntime) } : value;
    const parsed = EnvironmentFileSchema.safeParse(merged);
    if (read.diagnostic) {
      diagnostics.push(read.diagnostic);
    } else if (!parsed.success) {
      diagnostics.push(...zodIssuesToDiagnostics(parsed.error.issues, envYaml, [], EnvironmentFileSchema, merged, envYaml.file));
    } else {
      const e = parsed.data;
      if (e.environment?.name !== undefined && e.environment.name !== envName) {
        diagnostics.push(
          error('ENV_NAME_MISMATCH', `Environment name mismatch: the file is ${envYaml.file} but environment.name is "${e.environment.name}"`, {
            ...locate(envYaml, ['environment', 'name']),
            hint: `rename the file or set environment.name: ${envName}`,
          }),
        );
      }
      runtime = e.runtime ?? {};
      // A setting is located where it was written: the environment file when it sets it.
      const inProject = locatorFor(projectYaml, ['runtime']);
      const inEnv = locatorFor(envYaml, ['runtime']);
      runtimeAt = (path = [], which = 'value') => (envYaml.doc.hasIn(['runtime', ...path]) || !projectYaml.doc.hasIn(['runtime', ...path]) ? inEnv(path, which) : inProject(path, which));
      vars = { ...vars, ...(e.vars ?? {}) };
      const isProtected = e.environment?.protected ?? false;
      environment = {
        name: envName,
        protected: isProtected,
        confirmApply: e.safety?.confirm_apply ?? isProtected,
        allowDestructive: e.safety?.allow_destructive ?? true,
        file: envYaml.file,
      };
      if (e.environment?.description) environment.description = e.environment.description;
    }
  }

  const project: Project = {
    name: topData.project?.name ?? 'unnamed',
    root: files.root,
    projectFile: projectYaml.file,
    runtime,
    runtimeAt,
    defaults: (topData.defaults ?? {}) as Defaults,
    rules: (topData.rules ?? {}) as Rules,
    rulesAt: locatorFor(projectYaml, ['rules']),
    vars,
    sources: [],
    models: [],
    tests: [],
    exposures: [],
    secrets: [...new Set(secrets)],
    env,
  };
  if (topData.project?.version !== undefined) project.version = String(topData.project.version);
  if (topData.project?.description !== undefined) project.description = topData.project.description;
  if (environment) project.environment = environment;
  if (files.schemaLock) {
    if (files.schemaLock.problem) diagnostics.push(files.schemaLock.problem);
    else {
      const parsed = parseLock(files.schemaLock.text ?? '', files.schemaLock.path);
      diagnostics.push(...parsed.diagnostics);
      if (parsed.lock) project.schemaLock = parsed.lock;
    }
  }

  collectSections(projectYaml, projectValue as Record<string, unknown>, project, diagnostics, opts.nodes);
  for (const y of resourceYamls) {
    const read = toValue(y);
    if (read.diagnostic) {
      diagnostics.push(read.diagnostic);
      continue;
    }
    const value = read.value;
    if (value === null || value === undefined) {
      diagnostics.push(warning('EMPTY_FILE', `${y.file} is empty`, { file: y.file, line: 1, column: 1, hint: 'add sources:, models:, tests: or exposures:, or delete the file' }));
      continue;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      diagnostics.push(
        error('INVALID_TYPE', `${y.file} must be a mapping with sources:, models:, tests: or exposures:`, {
          file: y.file,
          line: 1,
          column: 1,
          hint: 'start the file with e.g. "models:" followed by a list',
        }),
      );
      continue;
    }
    refuseProtoKeys(y, value, diagnostics);
    const keysOnly = resourceKeysSchema().safeParse(value);
    if (!keysOnly.success) diagnostics.push(...zodIssuesToDiagnostics(keysOnly.error.issues, y, [], ResourceFileSchema, value, y.file));
    collectSections(y, value as Record<string, unknown>, project, diagnostics, opts.nodes);
  }
  // Every value is read: what the nodes keep of it they hold themselves, and positions come from
  // the text (the Document, built on demand). A 10,000-model project keeps tens of MB less.
  for (const y of [projectYaml, ...(envYaml ? [envYaml] : []), ...resourceYamls]) y.fastValue = undefined;
  return { project, diagnostics };
}

/** A resource file's top-level keys, its sections not yet looked into: built once, not per file. */
let resourceKeys: z.ZodType | undefined;
function resourceKeysSchema(): z.ZodType {
  return (resourceKeys ??= ResourceFileSchema.extend({
    sources: z.array(z.unknown()).optional(),
    models: z.array(z.unknown()).optional(),
    tests: z.array(z.unknown()).optional(),
    exposures: z.array(z.unknown()).optional(),
  }));
}

function collectSections(yaml: YamlFile, value: Record<string, unknown>, project: Project, diagnostics: Diagnostic[], memo: Memo | undefined): void {
  for (const section of SECTION_NAMES) {
    const list = value[section];
    if (!Array.isArray(list)) continue;
    list.forEach((entry, index) => {
      const path: PathSegment[] = [section, index];
      const ctx: EntryContext = {
        yaml,
        at: locatorFor(yaml, path),
        atString: (p, line, column) => locateInString(yaml, [...path, ...p], line, column),
        diagnostics,
        path,
      };
      // Remembered (incremental validate): the node this entry gave last time, without a diagnostic.
      const key = memo ? nodeKey(section, yaml.file, entry, yaml.places && { text: yaml.places.text, index }) : undefined;
      const known = key !== undefined ? (memo!.next.get(key) ?? memo!.previous.get(key)) : undefined;
      if (known !== undefined) {
        memo!.next.set(key!, known);
        const node = fromCachedNode<SourceNode | ModelNode | TestNode | ExposureNode>(known, ctx);
        nodeForm(node, known);
        pushNode(section, node, project);
        return;
      }
      const schema = ResourceSections[section] as z.ZodType;
      const parsed = schema.safeParse(entry);
      if (!parsed.success) {
        const what = describeEntry(section, entry, index);
        diagnostics.push(...zodIssuesToDiagnostics(parsed.error.issues, yaml, path, schema, entry, what));
        return;
      }
      const before = diagnostics.length;
      const node = addNode(section, parsed.data, ctx, project);
      if (key !== undefined && diagnostics.length === before) {
        const cached = toCachedNode(node);
        if (cached !== undefined) {
          memo!.next.set(key, cached);
          nodeForm(node, cached);
        }
      }
    });
  }
}

function pushNode(section: SectionName, node: SourceNode | ModelNode | TestNode | ExposureNode, project: Project): void {
  switch (section) {
    case 'sources':
      project.sources.push(node as SourceNode);
      break;
    case 'models':
      project.models.push(node as ModelNode);
      break;
    case 'tests':
      project.tests.push(node as TestNode);
      break;
    case 'exposures':
      project.exposures.push(node as ExposureNode);
      break;
  }
}

function describeEntry(section: SectionName, entry: unknown, index: number): string {
  const kind = section.slice(0, -1);
  const name = entry && typeof entry === 'object' && 'name' in entry ? (entry as { name: unknown }).name : undefined;
  return typeof name === 'string' ? `${kind} "${name}"` : `${kind} #${index + 1}`;
}

function addNode(section: SectionName, data: unknown, ctx: EntryContext, project: Project): SourceNode | ModelNode | TestNode | ExposureNode {
  const node =
    section === 'sources'
      ? normalizeSource(data as Parameters<typeof normalizeSource>[0], ctx)
      : section === 'models'
        ? normalizeModel(data as Parameters<typeof normalizeModel>[0], ctx)
        : section === 'tests'
          ? normalizeTest(data as Parameters<typeof normalizeTest>[0], ctx)
          : normalizeExposure(data as Parameters<typeof normalizeExposure>[0], ctx);
  pushNode(section, node, project);
  return node;
}

export { hasErrors };

/**
 * `__proto__` as a mapping key is refused where it is written. Both YAML readers give it as an own
 * key, but zod drops it from records and open mappings without a word (its output is built by
 * assignment, which would replace the prototype): a `classification: {__proto__: sensitive}`
 * would classify nothing. Only files that contain the text are walked.
 */
function refuseProtoKeys(yaml: YamlFile, value: unknown, diagnostics: Diagnostic[]): void {
  if (!yaml.text.includes('__proto__')) return;
  const walk = (v: unknown, path: PathSegment[]): void => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '__proto__') {
          diagnostics.push(
            error('RESERVED_KEY', '"__proto__" cannot be a key: streamt would not see the entry', {
              ...locate(yaml, [...path, k], 'key'),
              hint: 'for a column named __proto__, declare it under columns: with its classification (or type) there',
            }),
          );
        }
        walk(x, [...path, k]);
      }
    }
  };
  walk(value, []);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge of two runtime blocks: mappings merge key by key, anything else is replaced. */
export function mergeRuntime(base: unknown, over: unknown): unknown {
  if (over === undefined || over === null) return base ?? undefined;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) setOwn(out, k, mergeRuntime(own(base, k), v));
  return out;
}
