/**
 * The Flink REST calls tests need: find a job by its pipeline name, and stop it with a savepoint
 * (POST /jobs/:id/stop, then poll the savepoint trigger). undici, basic auth when configured.
 */
import { request } from 'undici';

export interface FlinkRest {
  url: string;
  username?: string;
  password?: string;
}

export interface FlinkJobInfo {
  id: string;
  name: string;
  state: string;
  startTime: number;
}

async function call(rest: FlinkRest, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 10_000): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (rest.username) headers.authorization = `Basic ${Buffer.from(`${rest.username}:${rest.password ?? ''}`).toString('base64')}`;
  const res = await request(rest.url.replace(/\/+$/, '') + path, { method, headers, body: body === undefined ? null : JSON.stringify(body), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* keep text */
  }
  return { status: res.statusCode, body: parsed };
}

/** Jobs with this name, newest first. */
export async function jobsNamed(rest: FlinkRest, name: string): Promise<FlinkJobInfo[]> {
  const r = await call(rest, 'GET', '/jobs/overview');
  if (r.status !== 200) throw new Error(`Flink REST /jobs/overview answered ${r.status}`);
  const jobs = ((r.body?.jobs ?? []) as { jid: string; name: string; state: string; 'start-time': number }[])
    .filter((j) => j.name === name)
    .map((j) => ({ id: j.jid, name: j.name, state: j.state, startTime: j['start-time'] }));
  return jobs.sort((a, b) => b.startTime - a.startTime);
}

/** The job that matters for a name: a running one if any, else the newest. */
export async function currentJob(rest: FlinkRest, name: string): Promise<FlinkJobInfo | undefined> {
  const jobs = await jobsNamed(rest, name);
  return jobs.find((j) => j.state === 'RUNNING' || j.state === 'RESTARTING' || j.state === 'CREATED') ?? jobs[0];
}

/** Stops a job with a savepoint; resolves with the savepoint's location. */
export async function stopWithSavepoint(rest: FlinkRest, jobId: string, opts: { targetDirectory?: string; timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<string> {
  const body: Record<string, unknown> = { drain: false };
  if (opts.targetDirectory) body.targetDirectory = opts.targetDirectory;
  const r = await call(rest, 'POST', `/jobs/${jobId}/stop`, body);
  if (r.status !== 202 && r.status !== 200) throw new Error(`stop-with-savepoint of job ${jobId} answered ${r.status}: ${JSON.stringify(r.body?.errors ?? r.body).slice(0, 500)}`);
  const trigger = r.body?.['request-id'] as string;
  const sleep = opts.sleep ?? ((ms: number) => new Promise((res) => setTimeout(res, ms)));
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  while (Date.now() < deadline) {
    const s = await call(rest, 'GET', `/jobs/${jobId}/savepoints/${trigger}`);
    if (s.status === 200 && s.body?.status?.id === 'COMPLETED') {
      const op = s.body.operation ?? {};
      if (op['failure-cause']) throw new Error(`savepoint of job ${jobId} failed: ${String(op['failure-cause']['stack-trace'] ?? op['failure-cause']['class']).split('\n')[0]}`);
      // The savepoint is taken before the job finishes: wait until it has stopped.
      while (Date.now() < deadline) {
        const j = await call(rest, 'GET', `/jobs/${jobId}`);
        if (j.status === 200 && ['FINISHED', 'CANCELED', 'FAILED'].includes(j.body?.state)) return String(op.location);
        await sleep(300);
      }
      throw new Error(`job ${jobId} took its savepoint (${String(op.location)}) but did not stop in time`);
    }
    await sleep(500);
  }
  throw new Error(`the savepoint of job ${jobId} did not complete in time`);
}
