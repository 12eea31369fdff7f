// Process helpers: run commands, start detached services with pid files, stop them
// by their recorded pid (process group), never by name.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { paths } from '../config.mjs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Run a command to completion; reject with its tail of output on failure. */
export function run(cmd, args, opts = {}) {
  const { env, cwd, logFile, quiet = true, uid, gid, input } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      uid,
      gid,
    });
    let out = '';
    // A fresh STREAMT_STACK_HOME whose downloads are shared (dist/ a link) has no logs/ yet.
    if (logFile) fs.mkdirSync(path.dirname(logFile), { recursive: true });
    const sink = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
    const onData = (d) => {
      out += d.toString();
      if (out.length > 200_000) out = out.slice(-100_000);
      sink?.write(d);
      if (!quiet) process.stderr.write(d);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => {
      sink?.end();
      reject(new Error(`cannot run ${cmd}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      sink?.end();
      if (code === 0) resolve(out);
      else {
        const where = logFile ? ` (full output in ${logFile})` : '';
        reject(new Error(`${cmd} ${args.join(' ')} failed (${signal ?? code})${where}:\n${out.slice(-3000)}`));
      }
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

export function pidFile(service) {
  return path.join(paths.run, `${service}.pid`);
}

export function logFile(service) {
  return path.join(paths.logs, `${service}.log`);
}

/** Read the recorded pid info of a service, or null. */
export function readPid(service) {
  try {
    return JSON.parse(fs.readFileSync(pidFile(service), 'utf8'));
  } catch {
    return null;
  }
}

function cmdlineOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return null;
  }
}

/** True when the process is alive (and, on Linux, still the one we recorded). */
export function isAlive(info) {
  if (!info?.pid) return false;
  try {
    process.kill(info.pid, 0);
  } catch {
    return false;
  }
  // Guard against pid reuse: the command line must still contain our marker.
  const cmdline = cmdlineOf(info.pid);
  if (cmdline !== null && info.marker && !cmdline.includes(info.marker)) return false;
  // A zombie is not alive.
  try {
    const stat = fs.readFileSync(`/proc/${info.pid}/stat`, 'utf8');
    if (/\) Z /.test(stat)) return false;
  } catch {
    /* not Linux, or gone */
  }
  return true;
}

/**
 * Start a long-running service detached in its own process group, stdout and stderr
 * appended to logs/<service>.log, and record its pid in run/<service>.pid.
 * `marker` is a string that must appear in the process command line (pid-reuse guard).
 */
export function startDetached(service, cmd, args, { env, cwd, marker, uid, gid, stopSignal = 'SIGTERM' } = {}) {
  fs.mkdirSync(paths.logs, { recursive: true });
  fs.mkdirSync(paths.run, { recursive: true });
  const log = logFile(service);
  const fd = fs.openSync(log, 'a');
  fs.writeSync(fd, `\n===== ${new Date().toISOString()} streamt stack: starting ${service}: ${cmd} ${args.join(' ')}\n`);
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', fd, fd],
    uid,
    gid,
  });
  fs.closeSync(fd);
  if (!child.pid) throw new Error(`could not start ${service} (${cmd}); see ${log}`);
  child.unref();
  const info = { service, pid: child.pid, marker: marker ?? cmd, stopSignal, startedAt: new Date().toISOString() };
  fs.writeFileSync(pidFile(service), JSON.stringify(info, null, 2));
  return info;
}

function groupAlive(pid) {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stop a service by its recorded pid: signal its process group, wait, then SIGKILL. */
export async function stopService(service, { timeoutMs = 30_000 } = {}) {
  const info = readPid(service);
  if (!info) return 'not-running';
  if (!isAlive(info)) {
    // The main process is gone; make sure nothing of its group is left, then forget it.
    if (groupAlive(info.pid)) {
      try {
        process.kill(-info.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    fs.rmSync(pidFile(service), { force: true });
    return 'stale';
  }
  const signal = info.stopSignal || 'SIGTERM';
  try {
    process.kill(-info.pid, signal);
  } catch {
    try {
      process.kill(info.pid, signal);
    } catch {
      /* already gone */
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (isAlive(info) || groupAlive(info.pid))) await sleep(200);
  let result = 'stopped';
  if (isAlive(info) || groupAlive(info.pid)) {
    try {
      process.kill(-info.pid, 'SIGKILL');
    } catch {
      try {
        process.kill(info.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    const killDeadline = Date.now() + 10_000;
    while (Date.now() < killDeadline && (isAlive(info) || groupAlive(info.pid))) await sleep(100);
    result = 'killed';
  }
  fs.rmSync(pidFile(service), { force: true });
  return result;
}

/** Resident memory of a process group in MiB (Linux only), or null. */
export function groupRssMiB(pid) {
  try {
    let total = 0;
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat;
      try {
        stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pgrp = Number(fields[2]);
      if (pgrp !== pid) continue;
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      const m = status.match(/VmRSS:\s+(\d+) kB/);
      if (m) total += Number(m[1]);
    }
    return Math.round(total / 1024);
  } catch {
    return null;
  }
}

/** Last n lines of a file, for error messages. */
export function tail(file, n = 30) {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}
