// CONTRACT TEST AGAINST A FAKE: Conduktor Gateway admin API v2.
// The server on stackConfig.gateway.url is stack/gateway-fake, NOT Conduktor Gateway
// (proprietary, Docker-only, not obtainable here). These tests pin the documented HTTP
// contract that streamt's Gateway client relies on; they prove nothing about the real
// Gateway's interceptor behaviour. Run them against a real Gateway with
// STREAMT_GATEWAY_PORT pointing at it (docker-compose.yml) to check the fake.
import { describe, expect, it } from 'vitest';
import { basicAuth, gatewayAdmin, http, onCleanup, stackConfig, uniqueIdentifier } from './helpers.js';

const G = stackConfig.gateway.url;

function interceptor(name: string, scope: Record<string, string> | undefined, priority = 100, config: object = { virtualTopic: 'vt', statement: 'SELECT * FROM orders' }) {
  return {
    kind: 'Interceptor',
    apiVersion: 'gateway/v2',
    metadata: { name, ...(scope ? { scope } : {}) },
    spec: { comment: 'it', pluginClass: 'io.conduktor.gateway.interceptor.VirtualSqlTopicPlugin', priority, config },
  };
}

describe('Conduktor Gateway admin API v2 (contract fake)', () => {
  it('is labelled as a fake and serves an unauthenticated health endpoint', async () => {
    const health = await http('GET', `${G}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-streamt-fake')).toBe('conduktor-gateway-v2-contract-fake');
    expect((await http('GET', `${G}/fake-info`)).body.fake).toBe(true);
  });

  it('requires HTTP Basic auth, and admin rights for writes', async () => {
    const none = await http('GET', `${G}/gateway/v2/interceptor`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect(none.body.title).toBeTruthy();
    const wrong = await http('GET', `${G}/gateway/v2/interceptor`, undefined, { authorization: basicAuth('admin', 'nope') });
    expect(wrong.status).toBe(401);

    const reader = { authorization: basicAuth(stackConfig.gateway.readOnlyUser, stackConfig.gateway.readOnlyPassword) };
    expect((await http('GET', `${G}/gateway/v2/interceptor`, undefined, reader)).status).toBe(200);
    const write = await http('PUT', `${G}/gateway/v2/interceptor`, interceptor(uniqueIdentifier('it_ro'), undefined), reader);
    expect(write.status).toBe(403);
  });

  it('upserts interceptors: CREATED, NOT_CHANGED, UPDATED; dry mode changes nothing', async () => {
    const name = uniqueIdentifier('it_icpt');
    onCleanup(`delete interceptor ${name}`, () => gatewayAdmin('DELETE', `/gateway/v2/interceptor/${name}`, {}));

    const dry = await gatewayAdmin('PUT', '/gateway/v2/interceptor?dryMode=true', interceptor(name, undefined));
    expect(dry.status).toBe(200);
    expect(dry.body.upsertResult).toBe('CREATED');
    expect((await gatewayAdmin('GET', `/gateway/v2/interceptor?name=${name}`)).body).toEqual([]);

    const created = await gatewayAdmin('PUT', '/gateway/v2/interceptor', interceptor(name, undefined));
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ resource: interceptor(name, undefined), upsertResult: 'CREATED' });
    const same = await gatewayAdmin('PUT', '/gateway/v2/interceptor', interceptor(name, undefined));
    expect(same.body.upsertResult).toBe('NOT_CHANGED');
    const dryUpdate = await gatewayAdmin('PUT', '/gateway/v2/interceptor?dryMode=true', interceptor(name, undefined, 5));
    expect(dryUpdate.body.upsertResult).toBe('UPDATED');
    expect((await gatewayAdmin('GET', `/gateway/v2/interceptor?name=${name}`)).body[0].spec.priority).toBe(100);
    const updated = await gatewayAdmin('PUT', '/gateway/v2/interceptor', interceptor(name, undefined, 5));
    expect(updated.body.upsertResult).toBe('UPDATED');

    const listed = await gatewayAdmin('GET', `/gateway/v2/interceptor?name=${name}&global=true`);
    expect(listed.body).toEqual([interceptor(name, undefined, 5)]);
  });

  it('scopes interceptors by virtual cluster, group and user, and resolves the effective set', async () => {
    const vc = uniqueIdentifier('it_vc');
    const group = uniqueIdentifier('it_grp');
    const name = uniqueIdentifier('it_scoped');
    // A scope naming an unknown virtual cluster or group is a 404.
    expect((await gatewayAdmin('PUT', '/gateway/v2/interceptor', interceptor(name, { vCluster: vc }))).status).toBe(404);
    expect((await gatewayAdmin('PUT', '/gateway/v2/interceptor', interceptor(name, { group }))).status).toBe(404);

    const vcr = await gatewayAdmin('PUT', '/gateway/v2/virtual-cluster', { kind: 'VirtualCluster', apiVersion: 'gateway/v2', metadata: { name: vc }, spec: { aclEnabled: false, superUsers: [], type: 'Standard' } });
    expect(vcr.body.upsertResult).toBe('CREATED');
    onCleanup(`delete vcluster ${vc}`, () => gatewayAdmin('DELETE', `/gateway/v2/virtual-cluster/${vc}`));
    const gr = await gatewayAdmin('PUT', '/gateway/v2/group', { kind: 'GatewayGroup', apiVersion: 'gateway/v2', metadata: { name: group }, spec: { members: [{ vCluster: vc, name: 'alice' }] } });
    expect(gr.body.upsertResult).toBe('CREATED');
    onCleanup(`delete group ${group}`, () => gatewayAdmin('DELETE', `/gateway/v2/group/${group}`));
    expect((await gatewayAdmin('PUT', '/gateway/v2/virtual-cluster', { metadata: { name: 'passthrough' }, spec: {} })).status).toBe(400);

    const globalOne = interceptor(name, undefined, 10);
    const vcOne = interceptor(name, { vCluster: vc }, 20);
    const userOne = interceptor(name, { vCluster: vc, username: 'alice' }, 30);
    for (const r of [globalOne, vcOne, userOne]) {
      expect((await gatewayAdmin('PUT', '/gateway/v2/interceptor', r)).body.upsertResult).toBe('CREATED');
    }
    onCleanup('delete scoped interceptors', async () => {
      for (const scope of [{}, { vCluster: vc }, { vCluster: vc, username: 'alice' }]) await gatewayAdmin('DELETE', `/gateway/v2/interceptor/${name}`, scope);
    });

    expect((await gatewayAdmin('GET', `/gateway/v2/interceptor?name=${name}`)).body).toHaveLength(3);
    expect((await gatewayAdmin('GET', `/gateway/v2/interceptor?name=${name}&vcluster=${vc}`)).body).toHaveLength(2);
    expect((await gatewayAdmin('GET', `/gateway/v2/interceptor?name=${name}&username=alice`)).body).toEqual([userOne]);

    // Only look at this test's interceptor name: other global interceptors may exist.
    const resolve = async (ctx: object) =>
      ((await gatewayAdmin('POST', '/gateway/v2/interceptor/resolve', ctx)).body as any[]).filter((r) => r.metadata.name === name);
    expect(await resolve({ vCluster: vc, username: 'alice' })).toEqual([userOne]);
    expect(await resolve({ vCluster: vc, username: 'bob' })).toEqual([vcOne]);
    expect(await resolve({})).toEqual([globalOne]);

    // Deletes are keyed by name + scope (JSON body); 204, then 404.
    const del = await gatewayAdmin('DELETE', `/gateway/v2/interceptor/${name}`, { vCluster: vc, username: 'alice' });
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect((await gatewayAdmin('DELETE', `/gateway/v2/interceptor/${name}`, { vCluster: vc, username: 'alice' })).status).toBe(404);
    expect((await gatewayAdmin('GET', `/gateway/v2/interceptor?name=${name}`)).body).toHaveLength(2);
  });

  it('manages alias topics: upsert, list with and without defaults, delete by body, 404s', async () => {
    const name = uniqueIdentifier('it_alias');
    const alias = { kind: 'AliasTopic', apiVersion: 'gateway/v2', metadata: { name }, spec: { physicalName: `${name}_v1` } };
    const created = await gatewayAdmin('PUT', '/gateway/v2/alias-topic', alias);
    expect(created.status).toBe(200);
    expect(created.body.upsertResult).toBe('CREATED');
    onCleanup(`delete alias ${name}`, () => gatewayAdmin('DELETE', '/gateway/v2/alias-topic', { name }));
    expect((await gatewayAdmin('PUT', '/gateway/v2/alias-topic', alias)).body.upsertResult).toBe('NOT_CHANGED');
    const swapped = { ...alias, spec: { physicalName: `${name}_v2` } };
    expect((await gatewayAdmin('PUT', '/gateway/v2/alias-topic', swapped)).body.upsertResult).toBe('UPDATED');

    expect((await gatewayAdmin('GET', `/gateway/v2/alias-topic?name=${name}`)).body).toEqual([swapped]);
    const withDefaults = await gatewayAdmin('GET', `/gateway/v2/alias-topic?name=${name}&showDefaults=true`);
    expect(withDefaults.body[0].metadata.vCluster).toBe('passthrough');

    expect((await gatewayAdmin('PUT', '/gateway/v2/alias-topic', { ...alias, metadata: { name, vCluster: 'nope' } })).status).toBe(404);
    expect((await gatewayAdmin('PUT', '/gateway/v2/alias-topic', { ...alias, spec: {} })).status).toBe(400);

    expect((await gatewayAdmin('DELETE', '/gateway/v2/alias-topic', { name })).status).toBe(204);
    const again = await gatewayAdmin('DELETE', '/gateway/v2/alias-topic', { name });
    expect(again.status).toBe(404);
    expect(again.body.title).toMatch(/not found/);
  });

  it('rejects malformed resources with 400 and unknown routes with 404', async () => {
    const bad = await gatewayAdmin('PUT', '/gateway/v2/interceptor', { kind: 'Interceptor', metadata: { name: 'x' }, spec: { priority: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.title).toBeTruthy();
    expect((await gatewayAdmin('PUT', '/gateway/v2/interceptor', '{not json')).status).toBe(400);
    expect((await gatewayAdmin('GET', '/gateway/v2/no-such-kind')).status).toBe(404);
    const plugins = await gatewayAdmin('GET', '/gateway/v2/plugin');
    expect(plugins.body.map((p: any) => p.plugin)).toContain('io.conduktor.gateway.interceptor.VirtualSqlTopicPlugin');
  });
});
