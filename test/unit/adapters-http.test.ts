import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { backoffMs, displayUrl, HttpClient, joinUrl, ServiceError } from '../../src/adapters/http.js';
import { answerLost } from '../../src/adapters/flink/client.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(handler: (n: number, url: string, auth?: string) => [number, unknown]): Promise<string> {
  let n = 0;
  server = createServer((req, res) => {
    const [status, body] = handler(n++, req.url ?? '', req.headers.authorization);
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : JSON.stringify(body));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const noSleep = async () => {};

describe('HttpClient', () => {
  it('keeps the base path and sends basic auth', async () => {
    const seen: string[] = [];
    const url = await serve((_, u, auth) => {
      seen.push(`${u} ${auth}`);
      return [200, { ok: true }];
    });
    const c = new HttpClient({ service: 'Schema Registry', baseUrl: `${url}/apis/ccompat/v7/`, username: 'u', password: 'p', sleep: noSleep });
    expect((await c.get('/subjects')).body).toEqual({ ok: true });
    expect(seen).toEqual([`/apis/ccompat/v7/subjects Basic ${Buffer.from('u:p').toString('base64')}`]);
  });

  it('retries transient statuses and retryable ones the caller names', async () => {
    const url = await serve((n) => (n === 0 ? [503, {}] : n === 1 ? [409, { message: 'rebalance' }] : [200, 'done']));
    const c = new HttpClient({ service: 'Kafka Connect', baseUrl: url, sleep: noSleep });
    expect((await c.call('PUT', '/connectors/x/config', { body: {}, retryOn: [409] })).body).toBe('done');
  });

  it('does not resend a POST whose answer may be lost (the work may be done), unless it is idempotent', async () => {
    let calls = 0;
    const url = await serve(() => {
      calls++;
      return [503, { errors: ['busy'] }];
    });
    const c = new HttpClient({ service: 'Flink SQL Gateway', baseUrl: url, timeLimitMs: 2_000, sleep: noSleep });
    await expect(c.call('POST', '/v1/sessions/s/statements', { body: { statement: 'INSERT INTO x SELECT 1' } })).rejects.toThrow(/HTTP 503/);
    expect(calls).toBe(1);
    calls = 0;
    await expect(c.call('POST', '/v1/sessions', { body: {}, idempotent: true })).rejects.toThrow(/HTTP 503/);
    expect(calls).toBeGreaterThan(1);
  });

  it('retries a POST that was refused before anything was sent, and one answered 429', async () => {
    const url = await serve((n) => (n === 0 ? [429, {}] : [200, { jobId: 'j1' }]));
    const c = new HttpClient({ service: 'Flink SQL Gateway', baseUrl: url, sleep: noSleep });
    expect((await c.call('POST', '/v1/sessions/s/statements', { body: {} })).body).toEqual({ jobId: 'j1' });
    const refused = new HttpClient({ service: 'Flink REST', baseUrl: 'http://127.0.0.1:9/', timeLimitMs: 300, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))) });
    const e = (await refused.call('POST', '/jobs/j/stop', { body: {} }).catch((x: unknown) => x)) as ServiceError;
    expect(e.message).toMatch(/after \d+ attempts/);
  });

  it('tells a submission that may have reached the service (answer lost) from one that cannot have', async () => {
    // The request arrives, then the connection dies before the answer: sent once, maybe done.
    let calls = 0;
    server = createServer((req) => {
      calls++;
      req.resume();
      req.on('end', () => req.socket.destroy());
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const c = new HttpClient({ service: 'Flink SQL Gateway', baseUrl: url, sleep: noSleep });
    const reset = (await c.call('POST', '/v1/sessions/s/statements', { body: { statement: 'INSERT INTO x SELECT 1' } }).catch((x: unknown) => x)) as ServiceError;
    expect(calls).toBe(1);
    expect(reset.notSent).toBe(false);
    expect(answerLost(reset)).toBe(true);
    // Refused: nothing was sent.
    const refused = new HttpClient({ service: 'Flink SQL Gateway', baseUrl: 'http://127.0.0.1:9/', timeLimitMs: 300, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))) });
    const e = (await refused.call('POST', '/v1/sessions/s/statements', { body: {} }).catch((x: unknown) => x)) as ServiceError;
    expect(e.notSent).toBe(true);
    expect(answerLost(e)).toBe(false);
    // A proxy's 502-504 may hide a submission that went through; Flink's own error does not.
    expect(answerLost(new ServiceError('Flink SQL Gateway', url, 'bad gateway', 502))).toBe(true);
    expect(answerLost(new ServiceError('Flink SQL Gateway', url, 'Flink rejected', 500))).toBe(false);
  });

  it("fails at once on a client error, with the service's message", async () => {
    const url = await serve(() => [400, { error_code: 400, message: 'Connector config is invalid' }]);
    const c = new HttpClient({ service: 'Kafka Connect', baseUrl: url, sleep: noSleep });
    await expect(c.get('/x')).rejects.toThrow(/Kafka Connect GET .*\/x failed: HTTP 400: Connector config is invalid/);
  });

  it('returns accepted statuses as values', async () => {
    const url = await serve(() => [404, { error_code: 40401 }]);
    const c = new HttpClient({ service: 'Schema Registry', baseUrl: url, sleep: noSleep });
    expect((await c.get('/subjects/x/versions/latest', { accept: [404] })).status).toBe(404);
  });

  it('names the service and URL when it is down, without credentials, after the time limit', async () => {
    const c = new HttpClient({ service: 'Flink REST', baseUrl: 'http://admin:s3cret@127.0.0.1:9/', timeLimitMs: 300, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))) });
    const e = await c.get('/jobs/overview').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ServiceError);
    const se = e as ServiceError;
    expect(se.unreachable).toBe(true);
    expect(se.message).toMatch(/^Flink REST at http:\/\/127\.0\.0\.1:9 is not reachable \(connection refused, after \d+ attempts? in 0s\)/);
    expect(se.message).not.toContain('s3cret');
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, () => 0)).toBe(100);
    expect(backoffMs(3, () => 1)).toBe(1600);
    expect(backoffMs(20, () => 1)).toBe(5000);
    expect(displayUrl('https://u:p@h:1/a?token=x')).toBe('https://h:1/a');
    expect(joinUrl('http://h/a/', '/b')).toBe('http://h/a/b');
  });
});
