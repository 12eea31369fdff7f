// Programmatic API of the local stack: up(), down(), status(). Used by the CLI
// (stack/cli.mjs) and by the integration tests' global setup.
import fs from 'node:fs';
import { stackConfig, serviceNames, paths } from './config.mjs';
import { installAll } from './lib/install.mjs';
import { services, stages } from './lib/services.mjs';
import { readPid, isAlive, stopService, logFile, groupRssMiB, tail } from './lib/proc.mjs';
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

async function startOne(name, log) {
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

/**
 * Install what is missing, then start every service that is not running, in stages,
 * each gated by its readiness probe. A running stack is left untouched.
 * Returns { startedAny, installMs, startMs, services: [...] }.
 */
export async function up({ log = console.error } = {}) {
  fs.mkdirSync(paths.run, { recursive: true });
  const t0 = Date.now();
  await installAll(log);
  const installMs = Date.now() - t0;
  const results = [];
  const t1 = Date.now();
  for (const stage of stages) {
    const settled = await Promise.allSettled(stage.map((n) => startOne(n, log)));
    const failed = settled.filter((s) => s.status === 'rejected');
    settled.forEach((s) => s.status === 'fulfilled' && results.push(s.value));
    if (failed.length) {
      throw new Error(`stack up failed:\n${failed.map((f) => f.reason?.message ?? f.reason).join('\n\n')}\n` +
        'Processes started so far keep running; `npm run stack -- down` stops them.');
    }
  }
  const startMs = Date.now() - t1;
  return { startedAny: results.some((r) => r.started), installMs, startMs, services: results };
}

/** Stop every service this tool started (by recorded pid, reverse order). */
export async function down({ log = console.error } = {}) {
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
  return results;
}
