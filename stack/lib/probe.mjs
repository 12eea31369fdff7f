// Readiness probes: HTTP, TCP and Kafka metadata. Never fixed sleeps: each probe is
// polled until it passes or its deadline expires.
import net from 'node:net';
import { sleep } from './proc.mjs';

/** GET a URL; resolve { status, body } or throw on network error / timeout. */
export async function httpGet(url, { headers, timeoutMs = 3000 } = {}) {
  const ctrl = new AbortController();
  const t = setTimeout(() => ctrl.abort(), timeoutMs);
  try {
    const res = await fetch(url, { headers, signal: ctrl.signal });
    const body = await res.text();
    return { status: res.status, body };
  } finally {
    clearTimeout(t);
  }
}

export async function httpJson(url, opts) {
  const { status, body } = await httpGet(url, opts);
  if (status < 200 || status >= 300) throw new Error(`GET ${url} -> ${status}: ${body.slice(0, 200)}`);
  return JSON.parse(body);
}

/** Is something listening on host:port? */
export function tcpOpen(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Kafka readiness: a real metadata round trip (describeCluster) through kafkajs (with SASL when given). */
export async function kafkaReady(brokers, sasl) {
  const { default: kafkajs } = await import('kafkajs');
  const kafka = new kafkajs.Kafka({
    clientId: 'streamt-stack-probe',
    brokers,
    ...(sasl ? { sasl } : {}),
    logLevel: kafkajs.logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null && cluster.controller !== -1;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Poll `check` (async, returns truthy when ready, may throw) until it passes.
 * `alive` (optional) returns false when the process died: fail fast then.
 */
export async function waitFor(name, check, { timeoutMs, intervalMs = 500, alive, logFile, describe } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
      lastError = null;
    } catch (e) {
      lastError = e;
    }
    if (alive && !alive()) {
      throw new Error(
        `${name} exited before it became ready. Log: ${logFile}` + (describe ? `\n${describe()}` : ''),
      );
    }
    await sleep(intervalMs);
  }
  throw new Error(
    `${name} was not ready after ${Math.round(timeoutMs / 1000)}s` +
      (lastError ? ` (last probe error: ${lastError.message})` : '') +
      `. Log: ${logFile}` +
      (describe ? `\n${describe()}` : ''),
  );
}
