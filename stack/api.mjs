// Programmatic API of the local stack: up(), down(), status(). Used by the CLI
// (stack/cli.mjs) and by the integration tests' global setup.
import fs from 'node:fs';
import path from 'node:path';
import { stackConfig, serviceNames, paths } from './config.mjs';
import { installAll } from './lib/install.mjs';
import { services, stages } from './lib/services.mjs';
import { readPid, isAlive, stopService, logFile, groupRssMiB, tail, sleep } from './lib/proc.mjs';
import { waitFor, tcpOpen } from './lib/probe.mjs';

export { stackConfig, serviceNames };

async function probeOk(name) {
  try {
    return !!(await services[name].probe());
  } catch {
    return false;
  }
}

/**
 * State of every service: running (ours, probe passes), starting (ours, probe fails),
 * stopped, or foreign (port taken by a process this tool did not start).
 */
export async function status() {
  const out = [];
  for (const name of serviceNames) {
    const svc = services[name];
    const info = readPid(name);
    const alive = isAlive(info);
    let state;
    if (alive) state = (await probeOk(name)) ? 'running' : 'starting';
    else if (svc.port && (await tcpOpen(stackConfig.host, svc.port))) state = 'foreign';
    else state = 'stopped';
    out.push({
      name,
      state,
      pid: alive ? info.pid : null,
      port: svc.port,
      rssMiB: alive ? groupRssMiB(info.pid) : null,
      log: logFile(name),
      describe: svc.describe,
    });
  }
  return out;
}

/** True when every service was started by this tool and answers its probe. */
export async function isUp() {
  return (await status()).every((s) => s.state === 'running');
}

async function startOne(name, log, attempted = []) {
  const svc = services[name];
  const info = readPid(name);
  if (isAlive(info)) {
    if (await probeOk(name)) {
      log(`${name}: already running (pid ${info.pid})`);
      return { name, started: false, ms: 0 };
    }
    log(`${name}: process ${info.pid} is up, waiting for it to become ready`);
  } else {
    for (const p of [svc.port, ...(svc.extraPorts ?? [])].filter(Boolean)) {
      if (await tcpOpen(stackConfig.host, p)) {
        throw new Error(`${name}: port ${p} on ${stackConfig.host} is already in use by a process this tool did not start; ` +
          'stop it or choose other ports (see stack/config.mjs for the STREAMT_*_PORT variables)');
      }
    }
    log(`${name}: starting (${svc.describe})`);
  }
  const t0 = Date.now();
  if (!isAlive(info)) attempted.push(name);
  const started = isAlive(info) ? info : await svc.start();
  await waitFor(name, () => svc.probe(), {
    timeoutMs: svc.timeoutMs,
    alive: () => isAlive(started),
    logFile: logFile(name),
    describe: () => `--- last lines of ${logFile(name)} ---\n${tail(logFile(name), 25)}`,
  });
  if (svc.afterReady && started !== info) await svc.afterReady();
  if (svc.healthy) {
    await waitFor(`${name} (health check)`, () => svc.healthy(), { timeoutMs: 30_000, logFile: logFile(name) });
  }
  const ms = Date.now() - t0;
  log(`${name}: ready in ${(ms / 1000).toFixed(1)}s`);
  return { name, started: true, ms };
}

// ---------------------------------------------------------------------------------
// Serialising concurrent callers. Several test runs (or engineers) may share one
// working tree: `up` and `down` hold run/stack.lock, and test runs hold a lease
// (run/leases/<pid>) so that one run never stops a stack another run is using.
// ---------------------------------------------------------------------------------

const lockFile = () => path.join(paths.run, 'stack.lock');
const leaseDir = () => path.join(paths.run, 'leases');
const ownerFile = () => path.join(paths.run, 'owner.json');

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

async function withLock(fn, { timeoutMs = 20 * 60_000, log = () => {} } = {}) {
  fs.mkdirSync(paths.run, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      const fd = fs.openSync(lockFile(), 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(lockFile(), 'utf8').trim() || 0);
      if (!holder || !pidAlive(holder)) {
        fs.rmSync(lockFile(), { force: true }); // stale lock of a dead process
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lockFile()} (held by pid ${holder})`);
      if (!announced) log(`waiting for another stack operation (pid ${holder}) to finish`);
      announced = true;
      await sleep(500);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile(), { force: true });
  }
}

function liveLeases() {
  try {
    return fs.readdirSync(leaseDir()).map(Number).filter((pid) => {
      if (pidAlive(pid)) return true;
      fs.rmSync(path.join(leaseDir(), String(pid)), { force: true });
      return false;
    });
  } catch {
    return [];
  }
}

function readOwner() {
  try {
    return JSON.parse(fs.readFileSync(ownerFile(), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Install what is missing, then start every service that is not running, in stages,
 * each gated by its readiness probe. A running stack is left untouched.
 * `owner` records who started it: 'manual' (the CLI; never stopped automatically) or
 * 'test' (a test run; stopped when the last test run using it ends).
 * Returns { startedAny, installMs, startMs, services: [...] }.
 */
export function up({ log = console.error, owner = 'manual', only } = {}) {
  return withLock(() => upUnlocked({ log, owner, only }), { log });
}

async function upUnlocked({ log, owner, only }) {
  fs.mkdirSync(paths.run, { recursive: true });
  const t0 = Date.now();
  await installAll(log);
  const installMs = Date.now() - t0;
  const results = [];
  const attempted = [];
  const t1 = Date.now();
  // `only`: start just these services (e.g. a private Kafka on other ports beside a shared stack).
  const wanted = only ? new Set(only) : undefined;
  for (const stage of stages) {
    const names = wanted ? stage.filter((n) => wanted.has(n)) : stage;
    if (!names.length) continue;
    const settled = await Promise.allSettled(names.map((n) => startOne(n, log, attempted)));
    const failed = settled.filter((s) => s.status === 'rejected');
    settled.forEach((s) => s.status === 'fulfilled' && results.push(s.value));
    if (failed.length) {
      // Let a test run that fails to start the stack clean up what it started.
      if (attempted.length && owner === 'test' && readOwner()?.kind !== 'manual') {
        fs.writeFileSync(ownerFile(), JSON.stringify({ kind: owner, pid: process.pid, at: new Date().toISOString() }));
      }
      throw new Error(`stack up failed:\n${failed.map((f) => f.reason?.message ?? f.reason).join('\n\n')}\n` +
        'Processes started so far keep running; `npm run stack -- down` stops them.');
    }
  }
  const startMs = Date.now() - t1;
  const startedAny = results.some((r) => r.started);
  // A hand-run `up` claims the stack even when it was already running, so tests leave it up.
  // A test run that only restarts some services of a hand-started stack (a TaskManager a crash
  // test killed) does not take it over: its end would stop a stack others are using. It claims
  // the stack only when it started every service, or the stack was not started by hand.
  const claim = owner === 'manual' || (startedAny && (readOwner()?.kind !== 'manual' || results.every((r) => r.started)));
  if (claim) fs.writeFileSync(ownerFile(), JSON.stringify({ kind: owner, pid: process.pid, at: new Date().toISOString() }));
  return { startedAny, installMs, startMs, services: results };
}

/**
 * Fault injection for tests: SIGKILL one service's process group, as a crash would (no shutdown
 * hook runs, nothing is flushed). Its pid file stays; `start(name)` or `up()` starts it again.
 * Returns 'killed', or 'not-running' when the service had no live process.
 */
export function kill(name, { log = () => {} } = {}) {
  if (!serviceNames.includes(name)) throw new Error(`unknown service ${name}; one of ${serviceNames.join(', ')}`);
  return withLock(async () => {
    const info = readPid(name);
    if (!isAlive(info)) return 'not-running';
    const group = () => {
      try {
        process.kill(-info.pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      process.kill(-info.pid, 'SIGKILL');
    } catch {
      process.kill(info.pid, 'SIGKILL');
    }
    const deadline = Date.now() + 30_000;
    while ((isAlive(info) || group()) && Date.now() < deadline) await sleep(100);
    if (isAlive(info)) throw new Error(`${name} (pid ${info.pid}) is still alive after SIGKILL`);
    log(`${name}: killed (pid ${info.pid})`);
    return 'killed';
  }, { log });
}

/**
 * Start one service that is not running and wait until its probe passes (a running one is left
 * alone). Unlike `up()`, it never changes who owns the stack: a stack started by hand stays
 * "manual", one started by a test run stays the test run's.
 */
export function start(name, { log = () => {} } = {}) {
  if (!serviceNames.includes(name)) throw new Error(`unknown service ${name}; one of ${serviceNames.join(', ')}`);
  return withLock(() => startOne(name, log), { log });
}

/** Stop every service this tool started (by recorded pid, reverse order). */
export function down({ log = console.error } = {}) {
  return withLock(() => downUnlocked({ log }), { log });
}

async function downUnlocked({ log }) {
  const results = [];
  for (const stage of [...stages].reverse()) {
    const settled = await Promise.all(
      stage.map(async (name) => {
        const r = await stopService(name);
        if (r !== 'not-running') log(`${name}: ${r}`);
        return { name, result: r };
      }),
    );
    results.push(...settled);
  }
  fs.rmSync(ownerFile(), { force: true });
  return results;
}

/**
 * For test runs: bring the stack up (or reuse it) and hold a lease on it. `release()`
 * drops the lease and stops the stack when a test run started it, no other live test
 * run holds a lease, and STREAMT_KEEP_STACK is not 1. A stack started by hand
 * (`npm run stack -- up`) is never stopped by tests.
 */
export async function acquireForTests({ log = console.error } = {}) {
  fs.mkdirSync(leaseDir(), { recursive: true });
  const lease = path.join(leaseDir(), String(process.pid));
  fs.writeFileSync(lease, new Date().toISOString());
  let result;
  try {
    result = await up({ log, owner: 'test' });
  } catch (e) {
    fs.rmSync(lease, { force: true });
    const outcome = await stopIfUnused({ log }).catch((err) => `not stopped: ${err.message}`);
    log(`stack after the failed start: ${outcome}`);
    throw e;
  }
  return {
    result,
    release: async () => {
      fs.rmSync(lease, { force: true });
      await stopIfUnused({ log });
    },
  };
}

/** Stop the stack if a test run started it and no live test run holds a lease. */
export async function stopIfUnused({ log = console.error } = {}) {
  if (process.env.STREAMT_KEEP_STACK === '1') return 'kept (STREAMT_KEEP_STACK=1)';
  return withLock(async () => {
    const owner = readOwner();
    if (!owner) return 'not started by a test run';
    if (owner.kind !== 'test') return 'started by hand; left running';
    const others = liveLeases().filter((p) => p !== process.pid);
    if (others.length) return `still used by test run(s) ${others.join(', ')}`;
    await downUnlocked({ log });
    return 'stopped';
  }, { log });
}
