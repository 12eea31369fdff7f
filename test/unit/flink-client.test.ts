/**
 * FlinkAdapter against a tiny HTTP server speaking the few Flink REST calls involved: what it
 * sends, not what Flink does (that is test/integration/flink-state.test.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FlinkAdapter } from '../../src/adapters/flink/client.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A JobManager whose job j1 stops with a savepoint at once; records every request body. */
async function jobManager(): Promise<{ url: string; posts: { url: string; body: unknown }[] }> {
  const posts: { url: string; body: unknown }[] = [];
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const url = req.url ?? '';
      let out: unknown = {};
      if (req.method === 'POST' && url === '/jobs/j1/stop') {
        const body = JSON.parse(text);
        posts.push({ url, body });
        out = { 'request-id': 'r1' };
      } else if (url === '/jobs/j1/savepoints/r1') {
        const dir = (posts.at(-1)?.body as { targetDirectory?: string })?.targetDirectory ?? 'file:/cluster/savepoints';
        out = { status: { id: 'COMPLETED' }, operation: { location: `${dir}/savepoint-j1` } };
      } else if (url === '/jobs/j1') out = { state: 'FINISHED' };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, posts };
}

describe('FlinkAdapter.stopWithSavepoint', () => {
  it("sends the cluster's savepoint_dir as the stop request's targetDirectory", async () => {
    const jm = await jobManager();
    const flink = new FlinkAdapter('local', { rest_url: jm.url, savepoint_dir: 'file:///data/savepoints' });
    expect(await flink.stopWithSavepoint('j1')).toBe('file:///data/savepoints/savepoint-j1');
    expect(jm.posts).toEqual([{ url: '/jobs/j1/stop', body: { drain: false, targetDirectory: 'file:///data/savepoints' } }]);
  });

  it("leaves the directory to the cluster's configuration when savepoint_dir is not set", async () => {
    const jm = await jobManager();
    const flink = new FlinkAdapter('local', { rest_url: jm.url });
    expect(await flink.stopWithSavepoint('j1')).toBe('file:/cluster/savepoints/savepoint-j1');
    expect(jm.posts).toEqual([{ url: '/jobs/j1/stop', body: { drain: false } }]);
  });
});

/** A JobManager whose job j2 goes through `states`, one per GET /jobs/j2, then stays in the last. */
async function jobInStates(states: string[], rootException = 'java.lang.RuntimeException: boom'): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    const url = req.url ?? '';
    let out: unknown = {};
    if (url === '/jobs/j2') {
      const state = states[Math.min(n++, states.length - 1)]!;
      out = { state, vertices: [{ status: state === 'RUNNING' ? 'RUNNING' : 'SCHEDULED' }] };
    } else if (url === '/jobs/j2/exceptions') out = { 'root-exception': rootException };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('FlinkAdapter.waitRunning', () => {
  it('waits through a restart: a RESTARTING job that runs again is running', async () => {
    const flink = new FlinkAdapter('local', { rest_url: await jobInStates(['INITIALIZING', 'RESTARTING', 'RESTARTING', 'RUNNING']) });
    await expect(flink.waitRunning('j2')).resolves.toBeUndefined();
  });

  it('a FAILED job is an error with its root cause', async () => {
    const flink = new FlinkAdapter('local', { rest_url: await jobInStates(['RUNNING_NOT_YET', 'FAILED'], 'x\nCaused by: org.apache.kafka.common.errors.TimeoutException: metadata') });
    await expect(flink.waitRunning('j2')).rejects.toThrow('Flink job j2 FAILED: org.apache.kafka.common.errors.TimeoutException: metadata');
  });

  it('a job still restarting at the deadline is an error naming the cause of its restarts', async () => {
    const flink = new FlinkAdapter('local', { rest_url: await jobInStates(['RESTARTING']) });
    await expect(flink.waitRunning('j2', 1_500)).rejects.toThrow(/state RESTARTING\); it restarted after: java.lang.RuntimeException: boom/);
  });
});
