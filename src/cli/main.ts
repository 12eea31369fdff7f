/**
 * The composition root: the only place that touches process.argv, exit codes and the real
 * stdout/stderr. Commands are loaded lazily so `--version` and `--help` stay fast.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Output } from '../ui/output.js';
import { ExitCode } from './exit-codes.js';
import type { GlobalOptions } from './pipeline.js';
import { projectDirFor } from './project-dir.js';

/** streamt's own package.json: the nearest one above this module (src/cli, dist/cli or the bundle's dist/bundle/cli). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
  /** Working directory (default: process.cwd()); the project is looked for from here upwards. */
  cwd?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

type Format = 'text' | 'json';
const formatOption = (help = 'output format (json goes to stdout; see docs/schema/output/)') => new Option('--format <format>', help).choices(['text', 'json']).default('text');
/** --select, --exclude and --state, for every command that works on nodes. */
function selection(cmd: Command, what = 'nodes to include'): Command {
  return cmd
    .option('-s, --select <selector>', `${what} (repeatable): name, +name, name+, tag:x, path:models/x, type:model, state:modified`, collect)
    .option('-x, --exclude <selector>', 'nodes to leave out (repeatable; same syntax)', collect)
    .option('--state <dir>', 'folder with the manifest.json of an earlier compile, for state:modified and state:new');
}
interface Sel {
  select?: string[];
  exclude?: string[];
  state?: string;
}

/** The words the user typed after `streamt` (how the apply lease names its holder). */
function argvOf(cmd: Command): string[] {
  let root = cmd;
  while (root.parent) root = root.parent;
  return ((root as Command & { rawArgs?: string[] }).rawArgs ?? []).slice();
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('streamt');
  let output: Output | undefined;
  const out = (cmd: Command): Output => {
    const g = cmd.optsWithGlobals() as { color?: boolean };
    output ??= new Output(io.stdout, io.stderr, { color: g.color !== false, env: io.env });
    return output;
  };
  const globals = (cmd: Command): GlobalOptions => {
    const g = cmd.optsWithGlobals() as Omit<GlobalOptions, 'projectDir'> & { projectDir?: string };
    return { ...g, projectDir: projectDirFor(g.projectDir, io.env, io.cwd ?? process.cwd()) };
  };

  program
    .description('dbt for streaming: declarative Kafka, Flink and Kafka Connect pipelines')
    .version(packageVersion(), '-V, --version', 'print the streamt version')
    .option('-p, --project-dir <dir>', 'project folder (default: $STREAMT_PROJECT_DIR, else the nearest folder at or above the current one with a stream_project.yml)')
    .option('-e, --env <name>', 'environment from environments/<name>.yml (default: $STREAMT_ENV)')
    .option('--vars <yaml>', 'variables for {{ var() }} as a YAML or JSON mapping, over vars: of the project and environment')
    .option('--no-color', 'disable colours (also: NO_COLOR=1)')
    .option('--debug', 'print stack traces of internal errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  program
    .command('validate')
    .description('check the project: YAML, references, SQL, DAG, governance rules and everything compile checks (nothing is written)')
    .option('--strict', 'treat warnings as failures')
    .option('-v, --verbose', 'also show notes (info diagnostics)')
    .option('--flink', "also put every Flink job through Flink's planner (EXPLAIN on the SQL Gateway of runtime.flink; nothing is submitted)")
    .option('--no-cache', 'ignore and do not write the incremental cache (.streamt/cache/): analyse everything again')
    .addOption(formatOption())
    .action(async (opts: { strict?: boolean; verbose?: boolean; flink?: boolean; cache: boolean; format: Format }, cmd: Command) => {
      const { validateCommand } = await import('./commands/validate.js');
      setExit(await validateCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  selection(
    program
      .command('lineage')
      .description('show how data flows from sources through models to exposures')
      .option('-m, --model <name>', 'focus on one node')
      .option('--upstream', 'with --model: only what it depends on')
      .option('--downstream', 'with --model: only what depends on it')
      .option('--column <node.column>', 'column-level lineage of one column: the input columns it derives from and the columns derived from it')
      .option('--tests', 'include tests'),
    'nodes to show',
  )
    .addOption(new Option('--format <format>', 'output format (json: see docs/schema/output/lineage.schema.json)').choices(['ascii', 'json', 'mermaid']).default('ascii'))
    .action(async (opts: Sel & { model?: string; upstream?: boolean; downstream?: boolean; column?: string; tests?: boolean; format: 'ascii' | 'json' | 'mermaid' }, cmd: Command) => {
      const { lineageCommand } = await import('./commands/lineage.js');
      setExit(lineageCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  selection(program.command('ls').description('list nodes, with dbt-style selection'))
    .addOption(formatOption())
    .action(async (opts: Sel & { format: Format }, cmd: Command) => {
      const { lsCommand } = await import('./commands/ls.js');
      setExit(lsCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  selection(
    program
      .command('compile')
      .description('compile the project into Flink SQL, topics, connectors, subjects, gateway rules and manifest.json (SOURCE_DATE_EPOCH fixes compiled_at)')
      .option('-o, --output <dir>', 'output folder; a relative path is resolved against the project folder', 'generated')
      .option('--dry-run', 'compile and list the files that would be written, without writing'),
    'nodes to compile artifacts for',
  )
    .option('-v, --verbose', 'also show notes (info diagnostics)')
    .addOption(formatOption())
    .action(async (opts: Sel & { output: string; dryRun?: boolean; verbose?: boolean; format: Format }, cmd: Command) => {
      const { compileCommand } = await import('./commands/compile.js');
      setExit(compileCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  selection(program.command('plan').description('compare the project with the live systems and show what apply would change'), 'nodes to plan (orphans are only looked for without --select/--exclude)')
    .option('--prune', 'delete resources this project owns but no longer declares (orphans)')
    .option('--allow-state-reset', 'allow Flink changes that cannot restore state from a savepoint (the job restarts without state), and changes of a live topic\'s value format')
    .option('--out <file>', 'save the plan as JSON, for streamt apply <file>')
    .option('--detailed-exitcode', 'exit 0 when there are no changes, 2 when there are, 1 on errors')
    .option('-v, --verbose', 'also show notes (info diagnostics)')
    .addOption(formatOption())
    .action(async (opts: Sel & { prune?: boolean; allowStateReset?: boolean; out?: string; detailedExitcode?: boolean; verbose?: boolean; format: Format }, cmd: Command) => {
      const { planCommand } = await import('./commands/plan.js');
      setExit(await planCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  const applyLike = (c: Command) =>
    c
      .option('--auto-approve', 'apply without asking "yes" (needed without a terminal, e.g. in CI)')
      .option('--confirm', 'confirm applying to a protected environment without a prompt (CI); also approves like --auto-approve')
      .option('--force', 'apply deletes and replaces in an environment with safety.allow_destructive: false')
      .option('--parallelism <n>', 'independent changes applied at the same time', '4')
      .option('--lock-timeout <duration>', 'wait this long for another apply of the project and environment to release its lease (e.g. 30s, 10m); 0 refuses at once', '0')
      .option('-v, --verbose', 'also show notes (info diagnostics)')
      .addOption(formatOption());
  const ask = async () => (io.stderr.isTTY ? (await import('./commands/apply.js')).terminalAsk() : undefined);
  const command = (cmd: Command) => ['streamt', ...argvOf(cmd)].join(' ');

  applyLike(
    selection(program.command('apply [plan-file]').description('apply a plan: a saved plan.json exactly (refused if the live state moved), or a fresh plan after you type yes'), 'nodes to apply')
      .option('--prune', 'delete orphans (resources this project owns but no longer declares)')
      .option('--allow-state-reset', 'allow Flink changes that cannot restore state from a savepoint, and changes of a live topic\'s value format'),
  ).action(async (planFile: string | undefined, opts: Sel & { prune?: boolean; allowStateReset?: boolean; autoApprove?: boolean; confirm?: boolean; force?: boolean; parallelism: string; lockTimeout: string; verbose?: boolean; format: Format }, cmd: Command) => {
    const { applyCommand } = await import('./commands/apply.js');
    setExit(await applyCommand(planFile, { ...globals(cmd), ...opts, command: command(cmd), ask: await ask() }, out(cmd), io.env));
  });

  applyLike(program.command('destroy').description('delete everything the project owns on the live systems, through the same plan and safety as apply --prune')).action(
    async (opts: { autoApprove?: boolean; confirm?: boolean; force?: boolean; parallelism: string; lockTimeout: string; verbose?: boolean; format: Format }, cmd: Command) => {
      const { applyCommand } = await import('./commands/apply.js');
      setExit(await applyCommand(undefined, { ...globals(cmd), ...opts, destroy: true, command: command(cmd), ask: await ask() }, out(cmd), io.env));
    },
  );

  applyLike(selection(program.command('build').description('apply, then run the data tests in DAG order; a failed test skips the tests downstream of what it tests (dbt build)'), 'nodes to apply and test'))
    .addOption(new Option('--from <where>', 'sample tests: read the newest or the oldest records').choices(['latest', 'earliest']).default('latest'))
    .action(async (opts: Sel & { autoApprove?: boolean; confirm?: boolean; force?: boolean; parallelism: string; lockTimeout: string; verbose?: boolean; from: 'latest' | 'earliest'; format: Format }, cmd: Command) => {
      const { buildCommand } = await import('./commands/build.js');
      setExit(await buildCommand({ ...globals(cmd), ...opts, command: command(cmd), ask: await ask() }, out(cmd), io.env));
    });

  program
    .command('unlock <claim>')
    .description("break the apply lease of a killed apply (like terraform force-unlock): the claim id is the one apply's APPLY_LOCKED names")
    .addOption(formatOption())
    .action(async (claim: string, opts: { format: 'text' | 'json' }, cmd: Command) => {
      const { unlockCommand } = await import('./commands/unlock.js');
      setExit(await unlockCommand(claim, { ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  selection(program.command('status').description('live state of every resource: topics and config drift, Flink jobs and checkpoints, connectors and tasks, subjects, gateway rules, consumer lag'), 'nodes to show')
    .addOption(formatOption())
    .action(async (opts: Sel & { format: Format }, cmd: Command) => {
      const { statusCommand } = await import('./commands/status.js');
      setExit(await statusCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  selection(program.command('test').description('run data tests (schema, sample, continuous), apply their on_failure actions and write generated/run_results.json'), 'tests, or the models and sources whose tests to run')
    .option('-t, --type <type>', 'only tests of this type: schema, sample or continuous (repeatable)', collect)
    .option('--since <duration>', 'continuous tests: report violations of this window, e.g. 10m, 2h', '1h')
    .addOption(new Option('--from <where>', 'sample tests: read the newest or the oldest records').choices(['latest', 'earliest']).default('latest'))
    .option('-v, --verbose', 'also show notes (info diagnostics)')
    .addOption(formatOption())
    .action(async (opts: Sel & { type?: string[]; since: string; from: 'latest' | 'earliest'; verbose?: boolean; format: Format }, cmd: Command) => {
      const { testCommand } = await import('./commands/test.js');
      setExit(await testCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  program
    .command('show <node>')
    .description("the last records of a source's or a model's topic, decoded with its schema (JSON, or Avro through the registry)")
    .option('-n, --limit <n>', 'how many records', '10')
    .option('--timeout <seconds>', 'stop reading after this long', '15')
    .addOption(formatOption())
    .action(async (node: string, opts: { limit: string; timeout: string; format: Format }, cmd: Command) => {
      const { showCommand } = await import('./commands/show.js');
      setExit(await showCommand(node, { ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  selection(program.command('freshness').description("check the declared freshness: of sources against their topics' newest records (dbt source freshness)"), 'sources to check')
    .addOption(formatOption())
    .action(async (opts: Sel & { format: Format }, cmd: Command) => {
      const { freshnessCommand } = await import('./commands/freshness.js');
      setExit(await freshnessCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  program
    .command('debug')
    .description('check the project and every configured system at once: reachability, authentication, versions and what streamt needs there')
    .option('--timeout <seconds>', 'time limit of each check', '5')
    .addOption(formatOption())
    .action(async (opts: { timeout: string; format: Format }, cmd: Command) => {
      const { debugCommand } = await import('./commands/debug.js');
      setExit(await debugCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  program
    .command('clean')
    .description("remove what streamt generated in the project: generated/, site/ and validate's cache .streamt/ (only folders streamt wrote)")
    .option('--target <dir>', 'a folder to remove instead of generated/, site/ and .streamt/ (repeatable)', collect)
    .addOption(formatOption())
    .action(async (opts: { target?: string[]; format: Format }, cmd: Command) => {
      const { cleanCommand } = await import('./commands/clean.js');
      setExit(cleanCommand({ ...globals(cmd), ...opts }, out(cmd)));
    });

  program
    .command('init [dir]')
    .description('create a new project that validates out of the box (refused inside an existing project)')
    .option('--name <name>', 'project name (default: the folder name)')
    .addOption(formatOption())
    .action(async (dir: string | undefined, opts: { name?: string; format: Format }, cmd: Command) => {
      const { initCommand } = await import('./commands/init.js');
      setExit(initCommand(dir, opts, out(cmd), io.cwd ?? process.cwd()));
    });

  const docs = program.command('docs').description('documentation site with interactive lineage');
  selection(
    docs
      .command('generate')
      .description('write a self-contained static site: lineage graph, a page per node, governance views')
      .option('-o, --output <dir>', 'output folder; a relative path is resolved against the project folder', 'site'),
    'nodes to document',
  )
    .option('-v, --verbose', 'also show notes (info diagnostics)')
    .addOption(formatOption())
    .action(async (opts: Sel & { output: string; verbose?: boolean; format: Format }, cmd: Command) => {
      const { docsGenerateCommand } = await import('./commands/docs.js');
      setExit(docsGenerateCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });
  selection(
    docs
      .command('serve')
      .description('generate the site, then serve it over HTTP until Ctrl-C')
      .option('-o, --output <dir>', 'output folder; a relative path is resolved against the project folder', 'site')
      .option('--port <port>', 'port to listen on', '8580')
      .option('--host <host>', 'address to listen on', '127.0.0.1'),
    'nodes to document',
  )
    .option('-v, --verbose', 'also show notes (info diagnostics)')
    .action(async (opts: Sel & { output: string; port: string; host: string; verbose?: boolean }, cmd: Command) => {
      const { docsServeCommand } = await import('./commands/docs.js');
      setExit(await docsServeCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  const schemas = program.command('schemas').description('registry schemas the project reads (schemas.lock.yml)');
  schemas
    .command('pull')
    .description('fetch every registry subject the sources read into schemas.lock.yml (commit it; validate and compile then never call the registry)')
    .addOption(new Option('--format <format>', 'output format (json goes to stdout)').choices(['text', 'json']).default('text'))
    .action(async (opts: { format: 'text' | 'json' }, cmd: Command) => {
      const { schemasPullCommand } = await import('./commands/schemas.js');
      setExit(await schemasPullCommand({ ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  const envs = program.command('envs').description('list and inspect environments (environments/<name>.yml)');
  envs
    .command('list')
    .description('list environments')
    .addOption(formatOption())
    .action(async (opts: { format: Format }, cmd: Command) => {
      const { envsListCommand } = await import('./commands/envs.js');
      setExit(envsListCommand({ ...globals(cmd), ...opts }, out(cmd)));
    });
  envs
    .command('show <name>')
    .description('show one environment, secrets masked')
    .addOption(formatOption())
    .action(async (name: string, opts: { format: Format }, cmd: Command) => {
      const { envsShowCommand } = await import('./commands/envs.js');
      setExit(envsShowCommand(name, { ...globals(cmd), ...opts }, out(cmd), io.env));
    });

  program
    .command('completion')
    .description('print a shell completion script for bash, zsh or fish: source <(streamt completion bash)')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionScript } = await import('./commands/completion.js');
      io.stdout.write(completionScript(program, shell));
      setExit(ExitCode.OK);
    });

  return program;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  let code: number = ExitCode.OK;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are successes; usage errors were already printed by commander.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return ExitCode.OK;
      if (e.code === 'commander.executeSubCommandAsync') return ExitCode.OK;
      return ExitCode.FAILURE;
    }
    const err = e as Error;
    io.stderr.write(`streamt: internal error: ${err?.message ?? String(e)}\n`);
    io.stderr.write('This is a bug in streamt. ');
    if (debug) io.stderr.write(`\n${err?.stack ?? ''}\n`);
    else io.stderr.write('Re-run with --debug to see the stack trace, and include it when you report the issue.\n');
    return ExitCode.INTERNAL;
  }
}

export async function main(): Promise<void> {
  const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
  process.exitCode = code;
}
