/**
 * The one HTTP client of the adapters (undici). Transient failures (connection refused or reset,
 * timeouts, 429, 502-504 and statuses an adapter declares retryable, e.g. Connect's 409 during a
 * rebalance) are retried with exponential backoff and jitter until an overall time limit. A
 * failure becomes a `ServiceError` naming the service and the URL: credentials are never part of
 * the message and no stack trace reaches the user.
 */
import { request, type Dispatcher } from 'undici';

export type ServiceName = 'Kafka' | 'Schema Registry' | 'Flink REST' | 'Flink SQL Gateway' | 'Kafka Connect' | 'Conduktor Gateway';

/** A live system refused a request or could not be reached. */
export class ServiceError extends Error {
  constructor(
    readonly service: ServiceName,
    readonly url: string,
    message: string,
    readonly status?: number,
    readonly body?: unknown,
    readonly unreachable = false,
    /** No attempt can have been acted on (each was refused, or answered 429). */
    readonly notSent = false,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface HttpOptions {
  service: ServiceName;
  /** Base URL; may carry a path (`http://host:8081/apis/ccompat/v7`). */
  baseUrl: string;
  username?: string | undefined;
  password?: string | undefined;
  /** Overall time limit for one call including retries (ms). */
  timeLimitMs?: number;
  /** Time limit of a single attempt (ms). */
  attemptTimeoutMs?: number;
  headers?: Record<string, string>;
  /** Injected for tests. */
  dispatcher?: Dispatcher;
  sleep?: (ms: number) => Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  /** Statuses returned as values instead of thrown (e.g. 404 for "absent"). */
  accept?: number[];
  /** Extra statuses to retry (e.g. 409 for Connect). */
  retryOn?: number[];
  timeLimitMs?: number;
  headers?: Record<string, string>;
  /**
   * Whether sending the request twice has the effect of sending it once. GET, PUT, DELETE, HEAD
   * and OPTIONS are; POST is not unless the caller says so. A call that is not idempotent is
   * retried only when the request cannot have reached the service (connection refused, 429):
   * after a reset, a timeout or a 502-504 the answer may be lost while the work was done (a
   * submitted Flink job, a triggered savepoint), so the caller must look before sending again.
   */
  idempotent?: boolean;
}

const IDEMPOTENT_METHODS = new Set(['GET', 'PUT', 'DELETE', 'HEAD', 'OPTIONS']);

export interface HttpResponse<T = unknown> {
  status: number;
  body: T;
}

const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED']);
const TRANSIENT_STATUS = new Set([429, 502, 503, 504]);

/** `http://user:pw@host/x?token=..` → `http://host/x` (what error messages may show). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//');
  }
}

export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + (path.startsWith('/') ? path : `/${path}`);
}

export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(200 * 2 ** attempt, 5_000);
  return Math.round(base / 2 + random() * (base / 2));
}

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A short text for an error response body: the service's own message when it has one. */
export function describeBody(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  if (typeof body === 'string') return body.slice(0, 500);
  const b = body as Record<string, unknown>;
  for (const k of ['message', 'error_message', 'detail', 'title']) if (typeof b[k] === 'string') return (b[k] as string).slice(0, 500);
  if (Array.isArray(b.errors) && b.errors.length) return b.errors.map((x) => (typeof x === 'string' ? x.split('\n')[0] : JSON.stringify(x))).join('; ').slice(0, 800);
  return JSON.stringify(body).slice(0, 500);
}

export class HttpClient {
  private readonly auth: string | undefined;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(readonly opts: HttpOptions) {
    this.auth = opts.username !== undefined ? `Basic ${Buffer.from(`${opts.username}:${opts.password ?? ''}`).toString('base64')}` : undefined;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get service(): ServiceName {
    return this.opts.service;
  }

  get baseUrl(): string {
    return displayUrl(this.opts.baseUrl);
  }

  async call<T = unknown>(method: Dispatcher.HttpMethod, path: string, o: CallOptions = {}): Promise<HttpResponse<T>> {
    const url = joinUrl(this.opts.baseUrl, path);
    const shown = displayUrl(url);
    const limit = o.timeLimitMs ?? this.opts.timeLimitMs ?? 20_000;
    const deadline = Date.now() + limit;
    const headers: Record<string, string> = { accept: 'application/json', ...this.opts.headers, ...o.headers };
    if (this.auth) headers.authorization = this.auth;
    let payload: string | undefined;
    if (o.body !== undefined) {
      payload = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    let lastProblem = '';
    const idempotent = o.idempotent ?? IDEMPOTENT_METHODS.has(method.toUpperCase());
    let mayHaveActed = false;
    for (let attempt = 0; ; attempt++) {
      let status: number | undefined;
      let body: unknown;
      let transient = false;
      let unreachable = false;
      try {
        const res = await request(url, {
          method,
          headers,
          body: payload ?? null,
          headersTimeout: this.opts.attemptTimeoutMs ?? 15_000,
          bodyTimeout: this.opts.attemptTimeoutMs ?? 15_000,
          ...(this.opts.dispatcher ? { dispatcher: this.opts.dispatcher } : {}),
        });
        status = res.statusCode;
        const text = await res.body.text();
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
      } catch (e) {
        const code = errorCode(e) ?? 'network error';
        // Refused: nothing was sent. Anything else may have been received and acted on.
        transient = idempotent ? TRANSIENT_CODES.has(code) || code === 'network error' : code === 'ECONNREFUSED';
        unreachable = true;
        lastProblem = code === 'ECONNREFUSED' ? 'connection refused' : code;
        if (code !== 'ECONNREFUSED') mayHaveActed = true;
      }
      if (status !== undefined) {
        if ((status >= 200 && status < 300) || o.accept?.includes(status)) return { status, body: body as T };
        if (status !== 429) mayHaveActed = true;
        transient = idempotent ? TRANSIENT_STATUS.has(status) || !!o.retryOn?.includes(status) : status === 429;
        lastProblem = `HTTP ${status}${describeBody(body) ? `: ${describeBody(body)}` : ''}`;
        if (!transient) throw new ServiceError(this.opts.service, shown, `${this.opts.service} ${method} ${shown} failed: ${lastProblem}`, status, body);
      }
      const wait = backoffMs(attempt);
      if (!transient || Date.now() + wait > deadline) {
        const after = `after ${attempt + 1} attempt${attempt ? 's' : ''} in ${Math.round(limit / 1000)}s`;
        const msg = unreachable
          ? `${this.opts.service} at ${displayUrl(this.opts.baseUrl)} is not reachable (${lastProblem}, ${after}); is it running, and is the URL right?`
          : `${this.opts.service} ${method} ${shown} failed: ${lastProblem} (${after})`;
        throw new ServiceError(this.opts.service, shown, msg, status, body, unreachable, !mayHaveActed);
      }
      await this.sleep(wait);
    }
  }

  get<T = unknown>(path: string, o?: CallOptions): Promise<HttpResponse<T>> {
    return this.call<T>('GET', path, o);
  }
}
