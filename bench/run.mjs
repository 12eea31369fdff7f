#!/usr/bin/env node
// Whole-process benchmark of `validate` and `compile`, side by side with the Python reference
// when it is installed. `npm run build` first; prints markdown tables; never asserts.
//
//   node bench/run.mjs                              # 10, 100, 1,000 and 10,000 models, validate and compile
//   node bench/run.mjs --sizes 10,100 --runs 7      # chosen sizes, more runs
//   node bench/run.mjs --commands validate
//   node bench/run.mjs --baseline /tmp/streamt-before   # also another build of streamt (bin/ + dist/)
//   node bench/run.mjs --instructions               # also instruction counts (10 and 100 models)
//   STREAMT_REFERENCE=/path/to/venv/bin/streamt node bench/run.mjs   # the Python reference
//
// Each figure is the median of alternating runs (the contenders take turns, the order rotating
// each round), each a fresh process measured whole: CPU time (user + sys, what the machine's other
// work inflates least), peak RSS and wall time, with the 1-minute load average read before each
// run printed next to it. Without the Python reference, ratios are against the reference figures
// of issue 15 (bench/reference-python.json): give --baseline a build of main from before that work
// and Python / ours is estimated as the ratio × baseline CPU / ours CPU (bench/README.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateProject } from './generate.mjs';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const flag = (name) => args.includes(`--${name}`);
const sizes = String(opt('sizes', '10,100,1000,10000')).split(',').map(Number);
// validate: cold (no cache: .streamt/ removed before each run, so ours also writes its cache);
// validate-warm: ours with the cache of its previous run, after one model of the middle models
// file was edited (its filter changed, its columns not), from the second edit after a cold run
// on; the other contenders have no cache and validate the edited project whole;
// validate-first-edit: the same edit, but each measured run is the second validate after a cold
// one (.streamt/ removed, one validate not measured, the edit, the measured validate): what an
// editor's first save after opening the project costs, which a first run does not prepare for
// as well as a later one does (docs/compile.md, Incremental validate).
const commands = String(opt('commands', 'validate,validate-first-edit,validate-warm,compile')).split(',');
const runsFor = (n) => Number(opt('runs', n >= 10000 ? 3 : 5));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const load = () => {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
};

// ---- contenders -----------------------------------------------------------------------------
const contenders = [{ name: 'ours', argv: (cmd) => [process.execPath, join(root, 'bin', 'streamt.js'), ...cmd] }];
const baseline = opt('baseline');
if (baseline) contenders.push({ name: 'baseline', argv: (cmd) => [process.execPath, join(resolve(baseline), 'bin', 'streamt.js'), ...cmd] });
const referenceBin = opt('reference', process.env.STREAMT_REFERENCE ?? (existsSync(join(root, 'bench', '.venv', 'bin', 'streamt')) ? join(root, 'bench', '.venv', 'bin', 'streamt') : undefined));
if (referenceBin) contenders.push({ name: 'python', argv: (cmd) => [referenceBin, ...cmd], python: true });
const referenceFigures = JSON.parse(readFileSync(join(import.meta.dirname, 'reference-python.json'), 'utf8'));

// ---- measuring one process ------------------------------------------------------------------
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const scratch = mkdtempSync(join(tmpdir(), 'streamt-bench-'));

/** Runs argv as a fresh process; CPU seconds (user + sys), peak RSS (MB), wall seconds, exit code. */
function measure(argv) {
  const load1 = load();
  const out = join(scratch, 'time.txt');
  let res;
  if (gnuTime) {
    res = spawnSync(gnuTime, ['-f', '%U %S %M %e %x', '-o', out, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const [user, sys, rssKb, wall, code] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    return { cpu: user + sys, rss: rssKb / 1024, wall, code, load: load1, stderr: res.stderr };
  }
  // Without GNU time: Python's getrusage of its child (RUSAGE_CHILDREN) does the same.
  const py = 'import resource,subprocess,sys,time,json;t=time.time();c=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL).returncode;r=resource.getrusage(resource.RUSAGE_CHILDREN);print(json.dumps([r.ru_utime+r.ru_stime,r.ru_maxrss/1024,time.time()-t,c]))';
  res = spawnSync('python3', ['-c', py, ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const [cpu, rss, wall, code] = JSON.parse(res.stdout.trim().split('\n').pop());
  return { cpu, rss, wall, code, load: load1, stderr: res.stderr };
}

/** Instructions of one run: perf stat when the CPU exposes the counter, else callgrind (slow). */
function instructions(argv) {
  const perf = spawnSync('perf', ['stat', '-x', ',', '-e', 'instructions:u', ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const line = (perf.stderr ?? '').split('\n').find((l) => l.includes('instructions'));
  const n = line ? Number(line.split(',')[0]) : NaN;
  if (Number.isFinite(n)) return { count: n, tool: 'perf' };
  const vg = spawnSync('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', '--callgrind-out-file=/dev/null', ...argv], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = /Collected : (\d+)/.exec(vg.stderr ?? '');
  return m ? { count: Number(m[1]), tool: 'callgrind' } : undefined;
}

function commandLine(command, dir, n, run) {
  if (command.startsWith('validate')) return ['validate', '-p', dir];
  return ['compile', '-p', dir, '-o', join(scratch, `out-${n}-${run}`)];
}

/** Edits one model of the middle models file: its filter's constant (its output columns stay). */
function editOneModel(dir, round) {
  const models = readdirSync(join(dir, 'models')).sort();
  const file = join(dir, 'models', models[Math.floor(models.length / 2)]);
  const text = readFileSync(file, 'utf8');
  const edited = text.replace(/WHERE amount > \d+/, `WHERE amount > ${1_000_000 + round}`);
  if (edited === text) throw new Error(`no model to edit in ${file}`);
  writeFileSync(file, edited);
}

// ---- the runs -------------------------------------------------------------------------------
const floor = [];
for (let i = 0; i < 5; i++) floor.push(measure([process.execPath, '-e', '0']));
console.log(`Node ${process.version}, ${gnuTime ? 'GNU time' : 'python3 getrusage'}; contenders: ${contenders.map((c) => c.name).join(', ')}`);
console.log(`node -e 0: ${median(floor.map((r) => r.cpu)).toFixed(3)} s CPU, ${median(floor.map((r) => r.rss)).toFixed(0)} MB (median of 5, load ${median(floor.map((r) => r.load)).toFixed(1)})\n`);

const results = {};
for (const n of sizes) {
  const dir = join(scratch, `p${n}`);
  generateProject(n, dir);
  for (const command of commands) {
    const samples = Object.fromEntries(contenders.map((c) => [c.name, []]));
    rmSync(join(dir, '.streamt'), { recursive: true, force: true });
    if (command === 'validate-warm') {
      // Ours writes its cache, then remembers what the first edit after it computes
      // (validate-first-edit): the measured runs are the later edits.
      measure(contenders[0].argv(commandLine(command, dir, n, 'prime')));
      editOneModel(dir, 999);
      measure(contenders[0].argv(commandLine(command, dir, n, 'prime-edit')));
    }
    for (let r = 0; r < runsFor(n); r++) {
      if (command === 'validate-warm') editOneModel(dir, r);
      // Alternate: each round starts with the next contender.
      for (let k = 0; k < contenders.length; k++) {
        const c = contenders[(r + k) % contenders.length];
        if (command === 'validate' || command === 'validate-first-edit') rmSync(join(dir, '.streamt'), { recursive: true, force: true });
        if (command === 'validate-first-edit') {
          // The cold run before the edit, not measured (the edit of this round follows it).
          if (!c.python) measure(c.argv(commandLine(command, dir, n, `${c.name}-${r}-cold`)));
          editOneModel(dir, 1000 + r * contenders.length + k);
        }
        const m = measure(c.argv(commandLine(command, dir, n, `${c.name}-${r}`)));
        if (m.code !== 0 && !c.python) throw new Error(`${c.name} ${command} failed on ${n} models (exit ${m.code}):\n${m.stderr}`);
        samples[c.name].push(m);
        rmSync(join(scratch, `out-${n}-${c.name}-${r}`), { recursive: true, force: true });
      }
    }
    const summary = {};
    for (const [name, list] of Object.entries(samples)) {
      summary[name] = { cpu: median(list.map((s) => s.cpu)), rss: Math.max(...list.map((s) => s.rss)), wall: median(list.map((s) => s.wall)), load: median(list.map((s) => s.load)), failed: list.filter((s) => s.code !== 0).length };
    }
    if (flag('instructions') && n <= 100) {
      for (const c of contenders) {
        const i = instructions(c.argv(commandLine(command, dir, n, `${c.name}-i`)));
        rmSync(join(scratch, `out-${n}-${c.name}-i`), { recursive: true, force: true });
        if (i) summary[c.name].instructions = i;
      }
    }
    (results[command] ??= {})[n] = summary;
  }
  rmSync(dir, { recursive: true, force: true });
}
rmSync(scratch, { recursive: true, force: true });

// ---- tables ---------------------------------------------------------------------------------
const fmt = (x, d = 2) => (x === undefined || Number.isNaN(x) ? '' : x.toFixed(d));
for (const command of commands) {
  const python = contenders.some((c) => c.python);
  const head = ['models', 'ours CPU (s)', 'ms/model', 'ours RSS (MB)', 'ours wall (s)'];
  if (baseline) head.push('baseline CPU (s)', 'baseline RSS (MB)', 'baseline / ours');
  head.push(python ? 'Python CPU (s)' : 'Python CPU (s, est.)', python ? 'Python RSS (MB)' : 'Python RSS (MB, issue 15)', 'Python / ours');
  if (flag('instructions')) head.push('ours instructions (M)');
  head.push('load (1 min)');
  console.log(`\n### ${command}\n`);
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map((h) => (h === 'models' ? '---:' : '---:')).join('|')}|`);
  for (const n of sizes) {
    const s = results[command][n];
    const o = s.ours;
    const row = [n.toLocaleString('en-US'), fmt(o.cpu), fmt((o.cpu * 1000) / n, 3), fmt(o.rss, 0), fmt(o.wall)];
    if (baseline) row.push(fmt(s.baseline.cpu), fmt(s.baseline.rss, 0), `${fmt(s.baseline.cpu / o.cpu)}×`);
    if (python) {
      const p = s.python;
      if (p.failed) row.push(`failed (${p.failed} runs)`, '', '');
      else row.push(fmt(p.cpu), fmt(p.rss, 0), `${fmt(p.cpu / o.cpu)}×`);
    } else {
      // Estimated from issue 15's ratio against main of that day, scaled by baseline / ours.
      const ref = referenceFigures[command]?.[n];
      const est = ref?.ratio && baseline ? ref.ratio * s.baseline.cpu : undefined;
      row.push(est ? `≈${fmt(est)}` : '', ref?.rss ? fmt(ref.rss, 0) : '', est ? `≈${fmt(est / o.cpu)}×` : ref?.ratio ? `${fmt(ref.ratio)}× then` : '');
    }
    if (flag('instructions')) row.push(o.instructions ? `${fmt(o.instructions.count / 1e6, 0)} (${o.instructions.tool})` : '');
    const loads = Object.values(s).map((x) => x.load);
    row.push(fmt(Math.min(...loads), 1) === fmt(Math.max(...loads), 1) ? fmt(loads[0], 1) : `${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)}`);
    console.log(`| ${row.join(' | ')} |`);
  }
}
const jsonOut = opt('json');
if (jsonOut) (await import('node:fs')).writeFileSync(jsonOut, JSON.stringify({ node: process.version, floor: median(floor.map((r) => r.cpu)), results }, null, 2));
