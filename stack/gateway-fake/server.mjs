#!/usr/bin/env node
// CONTRACT FAKE of the Conduktor Gateway admin API v2. NOT Conduktor Gateway.
//
// Conduktor Gateway is proprietary and only shipped as a Docker image, which cannot
// be obtained on the machines this project is built on. This small, dependency-free
// server implements the documented HTTP contract that streamt's Gateway client uses,
// so that client can be exercised end to end over real HTTP. It does not proxy Kafka,
// does not run interceptors, and does not validate plugin configs beyond their JSON
// shape. See stack/gateway-fake/README.md for exactly what is implemented.
//
// Usage: node stack/gateway-fake/server.mjs [--host 127.0.0.1] [--port 8888]
// Users: GATEWAY_ADMIN_API_USERS, as in the real Gateway, e.g.
//   '[{username: admin, password: conduktor, admin: true}]' (JSON also accepted).
import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const API = '/gateway/v2';
const PASSTHROUGH = 'passthrough';

/** Known plugin classes, for GET /gateway/v2/plugin (names from Conduktor's docs). */
const PLUGINS = [
  'io.conduktor.gateway.interceptor.VirtualSqlTopicPlugin',
  'io.conduktor.gateway.interceptor.FieldLevelDataMaskingPlugin',
  'io.conduktor.gateway.interceptor.EncryptPlugin',
  'io.conduktor.gateway.interceptor.EncryptSchemaBasedPlugin',
  'io.conduktor.gateway.interceptor.DecryptPlugin',
  'io.conduktor.gateway.interceptor.safeguard.ReadOnlyTopicPolicyPlugin',
  'io.conduktor.gateway.interceptor.safeguard.CreateTopicPolicyPlugin',
  'io.conduktor.gateway.interceptor.safeguard.AlterTopicConfigPolicyPlugin',
  'io.conduktor.gateway.interceptor.safeguard.ProducePolicyPlugin',
];

export function parseUsers(raw) {
  if (!raw) return [{ username: 'admin', password: 'conduktor', admin: true }];
  try {
    return JSON.parse(raw);
  } catch {
    // YAML flow style, as in Gateway's docs: [{username: admin, password: conduktor, admin: true}]
    const json = raw.replace(/([{,]\s*)([A-Za-z_][\w-]*)\s*:/g, '$1"$2":').replace(/:\s*([^",{}[\]\s][^,}]*?)\s*(?=[,}])/g,
      (_, v) => (v === 'true' || v === 'false' || /^-?\d+$/.test(v) ? `: ${v}` : `: ${JSON.stringify(v)}`));
    return JSON.parse(json);
  }
}

class HttpError extends Error {
  constructor(status, title, msg) {
    super(title);
    this.status = status;
    this.title = title;
    this.msg = msg;
  }
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const nonEmpty = (v) => typeof v === 'string' && v.length > 0;
const clean = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null));

export function createGatewayFake({ users = parseUsers(process.env.GATEWAY_ADMIN_API_USERS) } = {}) {
  const state = {
    virtualClusters: new Map(),
    groups: new Map(),
    interceptors: new Map(), // key: name|vCluster|group|username
    aliasTopics: new Map(), // key: vCluster|name
  };

  const vClusterExists = (v) => v === undefined || v === PASSTHROUGH || state.virtualClusters.has(v);

  function authenticate(req) {
    const h = req.headers.authorization ?? '';
    const m = /^Basic\s+(.+)$/i.exec(h);
    if (!m) return null;
    const [user, ...rest] = Buffer.from(m[1], 'base64').toString('utf8').split(':');
    const pass = rest.join(':');
    return users.find((u) => u.username === user && String(u.password) === pass) ?? null;
  }

  function upsert(map, key, resource, dryMode) {
    const prev = map.get(key);
    const upsertResult = prev === undefined ? 'CREATED' : isDeepStrictEqual(prev, resource) ? 'NOT_CHANGED' : 'UPDATED';
    if (!dryMode) map.set(key, resource);
    return { status: 200, body: { resource, upsertResult } };
  }

  function checkEnvelope(body, kind) {
    if (!isObj(body)) throw new HttpError(400, 'Invalid request body', 'expected a JSON object');
    if (body.kind !== undefined && body.kind !== kind) throw new HttpError(400, 'Invalid kind', `expected kind ${kind}, got ${body.kind}`);
    if (body.apiVersion !== undefined && body.apiVersion !== 'gateway/v2') {
      throw new HttpError(400, 'Invalid apiVersion', `expected gateway/v2, got ${body.apiVersion}`);
    }
    if (!isObj(body.metadata) || !nonEmpty(body.metadata.name)) throw new HttpError(400, 'Invalid metadata', 'metadata.name is required');
    if (!/^[a-zA-Z0-9_.\-]+$/.test(body.metadata.name)) throw new HttpError(400, 'Invalid metadata', `invalid name ${body.metadata.name}`);
    if (body.spec !== undefined && !isObj(body.spec)) throw new HttpError(400, 'Invalid spec', 'spec must be an object');
  }

  // ---- Interceptor ---------------------------------------------------------------
  const scopeOf = (s = {}) => clean({ vCluster: s.vCluster, group: s.group, username: s.username });
  const interceptorKey = (name, s = {}) => [name, s.vCluster ?? '', s.group ?? '', s.username ?? ''].join('|');

  function normalizeInterceptor(body) {
    checkEnvelope(body, 'Interceptor');
    const spec = body.spec ?? {};
    if (!nonEmpty(spec.pluginClass)) throw new HttpError(400, 'Invalid spec', 'spec.pluginClass is required');
    if (!Number.isInteger(spec.priority)) throw new HttpError(400, 'Invalid spec', 'spec.priority must be an integer');
    if (spec.config !== undefined && !isObj(spec.config)) throw new HttpError(400, 'Invalid spec', 'spec.config must be an object');
    if (body.metadata.scope !== undefined && !isObj(body.metadata.scope)) throw new HttpError(400, 'Invalid metadata', 'metadata.scope must be an object');
    const scope = scopeOf(body.metadata.scope);
    if (!vClusterExists(scope.vCluster)) throw new HttpError(404, `Virtual cluster ${scope.vCluster} not found`);
    if (scope.group !== undefined && !state.groups.has(scope.group)) throw new HttpError(404, `Group ${scope.group} not found`);
    const metadata = { name: body.metadata.name };
    if (Object.keys(scope).length) metadata.scope = scope;
    return {
      kind: 'Interceptor',
      apiVersion: 'gateway/v2',
      metadata,
      spec: clean({ comment: spec.comment, pluginClass: spec.pluginClass, priority: spec.priority, config: spec.config ?? {} }),
    };
  }

  function listInterceptors(q) {
    const global = q.get('global');
    return [...state.interceptors.values()].filter((r) => {
      const s = r.metadata.scope ?? {};
      if (q.get('name') && r.metadata.name !== q.get('name')) return false;
      if (q.get('vcluster') && (s.vCluster ?? PASSTHROUGH) !== q.get('vcluster')) return false;
      if (q.get('group') && s.group !== q.get('group')) return false;
      if (q.get('username') && s.username !== q.get('username')) return false;
      if (global === 'true' && Object.keys(s).length) return false;
      if (global === 'false' && !Object.keys(s).length) return false;
      return true;
    });
  }

  function resolveInterceptors(body) {
    const b = isObj(body) ? body : {};
    const vCluster = b.vCluster ?? PASSTHROUGH;
    const groups = Array.isArray(b.groups) ? b.groups : [];
    // Most specific scope wins for a given name: username > group > vCluster > global.
    const rank = (s) => (s.username ? 3 : s.group ? 2 : s.vCluster ? 1 : 0);
    const byName = new Map();
    for (const r of state.interceptors.values()) {
      const s = r.metadata.scope ?? {};
      if (s.vCluster && s.vCluster !== vCluster) continue;
      if (!s.vCluster && (s.group || s.username) && vCluster !== PASSTHROUGH) continue;
      if (s.group && !groups.includes(s.group)) continue;
      if (s.username && s.username !== b.username) continue;
      const prev = byName.get(r.metadata.name);
      if (!prev || rank(s) > rank(prev.metadata.scope ?? {})) byName.set(r.metadata.name, r);
    }
    return [...byName.values()].sort((a, c) => a.spec.priority - c.spec.priority);
  }

  // ---- AliasTopic ----------------------------------------------------------------
  function normalizeAlias(body) {
    checkEnvelope(body, 'AliasTopic');
    const spec = body.spec ?? {};
    if (!nonEmpty(spec.physicalName)) throw new HttpError(400, 'Invalid spec', 'spec.physicalName is required');
    const vCluster = body.metadata.vCluster ?? PASSTHROUGH;
    if (!vClusterExists(vCluster)) throw new HttpError(404, `Virtual cluster ${vCluster} not found`);
    return {
      kind: 'AliasTopic',
      apiVersion: 'gateway/v2',
      metadata: { name: body.metadata.name, vCluster },
      spec: { physicalName: spec.physicalName, physicalCluster: spec.physicalCluster ?? 'main' },
    };
  }

  function withoutDefaults(r) {
    const out = structuredClone(r);
    if (out.metadata.vCluster === PASSTHROUGH) delete out.metadata.vCluster;
    if (out.spec.physicalCluster === 'main') delete out.spec.physicalCluster;
    return out;
  }

  // ---- simple named kinds --------------------------------------------------------
  function normalizeNamed(body, kind) {
    checkEnvelope(body, kind);
    if (kind === 'VirtualCluster' && body.metadata.name === PASSTHROUGH) {
      throw new HttpError(400, 'Invalid metadata', `${PASSTHROUGH} is a reserved virtual cluster name`);
    }
    return { kind, apiVersion: 'gateway/v2', metadata: { name: body.metadata.name }, spec: body.spec ?? {} };
  }

  async function readBody(req) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const text = Buffer.concat(chunks).toString('utf8').trim();
    if (!text) return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new HttpError(400, 'Invalid JSON body');
    }
  }

  const methodNotAllowed = () => {
    throw new HttpError(405, 'Method not allowed');
  };

  async function route(req, url) {
    const p = url.pathname.replace(/\/+$/, '') || '/';
    const q = url.searchParams;
    const m = req.method;

    if (p === '/health' || p === '/health/ready' || p === '/health/live') {
      return { status: 200, body: { status: 'UP', checks: [] } };
    }
    if (p === '/fake-info') {
      return { status: 200, body: { fake: true, product: 'streamt Conduktor Gateway admin API v2 contract fake' } };
    }
    if (!p.startsWith(API)) throw new HttpError(404, `No route for ${m} ${p}`);

    const user = authenticate(req);
    if (!user) throw new HttpError(401, 'Unauthorized', 'valid HTTP Basic credentials are required');
    const write = m !== 'GET';
    const isResolve = p === `${API}/interceptor/resolve`;
    if (write && !isResolve && !user.admin) throw new HttpError(403, 'Forbidden', `user ${user.username} is not an admin`);
    const dryMode = q.get('dryMode') === 'true';
    const rest = p.slice(API.length + 1).split('/').map(decodeURIComponent);
    const [kind, name, extra] = rest;
    if (extra !== undefined) throw new HttpError(404, `No route for ${m} ${p}`);

    switch (kind) {
      case 'interceptor': {
        if (name === 'resolve') {
          if (m !== 'POST') methodNotAllowed();
          return { status: 200, body: resolveInterceptors(await readBody(req)) };
        }
        if (name !== undefined) {
          if (m !== 'DELETE') methodNotAllowed();
          const body = (await readBody(req)) ?? {};
          if (!isObj(body)) throw new HttpError(400, 'Invalid request body');
          const key = interceptorKey(name, scopeOf(body));
          if (!state.interceptors.has(key)) throw new HttpError(404, `Interceptor ${name} not found`);
          state.interceptors.delete(key);
          return { status: 204 };
        }
        if (m === 'GET') return { status: 200, body: listInterceptors(q) };
        if (m === 'PUT') {
          const r = normalizeInterceptor(await readBody(req));
          return upsert(state.interceptors, interceptorKey(r.metadata.name, r.metadata.scope), r, dryMode);
        }
        return methodNotAllowed();
      }
      case 'alias-topic': {
        if (name !== undefined) throw new HttpError(404, `No route for ${m} ${p}`);
        if (m === 'GET') {
          const show = q.get('showDefaults') === 'true';
          return {
            status: 200,
            body: [...state.aliasTopics.values()]
              .filter((r) => !q.get('name') || r.metadata.name === q.get('name'))
              .filter((r) => !q.get('vcluster') || r.metadata.vCluster === q.get('vcluster'))
              .map((r) => (show ? r : withoutDefaults(r))),
          };
        }
        if (m === 'PUT') {
          const r = normalizeAlias(await readBody(req));
          const res = upsert(state.aliasTopics, `${r.metadata.vCluster}|${r.metadata.name}`, r, dryMode);
          return { status: res.status, body: { ...res.body, resource: withoutDefaults(r) } };
        }
        if (m === 'DELETE') {
          const body = await readBody(req);
          if (!isObj(body) || !nonEmpty(body.name)) throw new HttpError(400, 'Invalid request body', 'name is required');
          const key = `${body.vCluster ?? PASSTHROUGH}|${body.name}`;
          if (!state.aliasTopics.has(key)) throw new HttpError(404, `Alias topic ${body.name} not found`);
          state.aliasTopics.delete(key);
          return { status: 204 };
        }
        return methodNotAllowed();
      }
      case 'virtual-cluster':
      case 'group': {
        const map = kind === 'group' ? state.groups : state.virtualClusters;
        const kindName = kind === 'group' ? 'GatewayGroup' : 'VirtualCluster';
        if (name !== undefined) {
          if (m === 'GET') {
            if (kind === 'virtual-cluster' && name === PASSTHROUGH) {
              return { status: 200, body: { kind: kindName, apiVersion: 'gateway/v2', metadata: { name }, spec: { type: 'Standard' } } };
            }
            const r = map.get(name);
            if (!r) throw new HttpError(404, `${kindName} ${name} not found`);
            return { status: 200, body: r };
          }
          if (m === 'DELETE') {
            if (!map.has(name)) throw new HttpError(404, `${kindName} ${name} not found`);
            map.delete(name);
            return { status: 204 };
          }
          return methodNotAllowed();
        }
        if (m === 'GET') return { status: 200, body: [...map.values()] };
        if (m === 'PUT') {
          const r = normalizeNamed(await readBody(req), kindName);
          return upsert(map, r.metadata.name, r, dryMode);
        }
        return methodNotAllowed();
      }
      case 'plugin': {
        if (m !== 'GET' || name !== undefined) methodNotAllowed();
        return {
          status: 200,
          body: PLUGINS.map((plugin) => ({ plugin, pluginId: plugin.split('.').pop(), readme: '(contract fake: no readme)' })),
        };
      }
      default:
        throw new HttpError(404, `No route for ${m} ${p}`);
    }
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let status;
    let body;
    const headers = { 'content-type': 'application/json', 'x-streamt-fake': 'conduktor-gateway-v2-contract-fake' };
    try {
      ({ status, body } = await route(req, url));
    } catch (e) {
      if (e instanceof HttpError) {
        status = e.status;
        body = clean({ title: e.title, msg: e.msg });
        if (status === 401) headers['www-authenticate'] = 'Basic realm="Conduktor Gateway (fake)"';
      } else {
        status = 500;
        body = { title: 'Internal error', msg: String(e?.message ?? e) };
      }
      req.resume();
    }
    if (status === 204 || body === undefined) {
      res.writeHead(status, { 'x-streamt-fake': headers['x-streamt-fake'] });
      res.end();
      return;
    }
    res.writeHead(status, headers);
    res.end(JSON.stringify(body));
  });
  return { server, state };
}

// Run as a program.
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const opt = (flag, def) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : def;
  };
  const host = opt('--host', process.env.GATEWAY_HTTP_HOST || '127.0.0.1');
  const port = Number(opt('--port', process.env.GATEWAY_HTTP_PORT || 8888));
  const { server } = createGatewayFake();
  server.listen(port, host, () => {
    console.log(`Conduktor Gateway admin API v2 CONTRACT FAKE listening on http://${host}:${port} (not a real Gateway)`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
