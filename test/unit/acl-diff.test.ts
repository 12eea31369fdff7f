// The acl kind's pure parts: what a plan grants and revokes, per binding, and what it never touches.
import { describe, expect, it } from 'vitest';
import { aclKey, aclText, bindingsOfFields, diffAcl, observedAcls } from '../../src/adapters/kafka/acl-diff.js';
import { aclHandler } from '../../src/adapters/kafka/acl-handler.js';
import type { AclBinding, AclSpec } from '../../src/compile/types.js';

const b = (principal: string, operation: AclBinding['operation'], resource_type: AclBinding['resource_type'], resource_name: string, o: Partial<AclBinding> = {}): AclBinding => ({ principal, host: '*', operation, permission: 'ALLOW', resource_type, resource_name, pattern_type: 'LITERAL', ...o });
const readOrders = b('User:app', 'READ', 'TOPIC', 'orders');
const readGroup = b('User:app', 'READ', 'GROUP', 'app-v1');
const readRefunds = b('User:app', 'READ', 'TOPIC', 'refunds');
const spec = (name: string, ...bindings: AclBinding[]): AclSpec => ({ name, bindings });

function observe(targets: { addr: string; spec?: AclSpec; recorded?: AclSpec }[], live: AclBinding[]) {
  return observedAcls(targets.map((t) => ({ ...t, name: t.addr.slice('kafka.acl.'.length) })), live);
}

describe('ACL bindings as plans show them', () => {
  it('one injective line per binding', () => {
    expect(aclText(readOrders)).toBe('ALLOW User:app READ topic orders');
    expect(aclText(b('User:flink', 'WRITE', 'TRANSACTIONAL_ID', 'streamt.p.m-', { pattern_type: 'PREFIXED' }))).toBe('ALLOW User:flink WRITE transactional-id-prefix streamt.p.m-');
    expect(aclText(b('User:CN=app, O=Acme', 'READ', 'GROUP', 'a group', { permission: 'DENY', host: '10.0.0.1' }))).toBe('DENY "User:CN=app, O=Acme" READ group "a group" host 10.0.0.1');
  });
});

describe('diff of one node\'s ACLs', () => {
  it('creates every binding when none exists', () => {
    const d = spec('exposure.a', readGroup, readOrders);
    const p = diffAcl(d, observe([{ addr: 'kafka.acl.exposure.a', spec: d }], []).get('kafka.acl.exposure.a')!, undefined);
    expect(p.action).toBe('create');
    expect(p.fields).toEqual([{ field: 'acl', after: 'ALLOW User:app READ group app-v1' }, { field: 'acl', after: 'ALLOW User:app READ topic orders' }]);
  });

  it('grants only what is missing, and records a match it did not apply', () => {
    const d = spec('exposure.a', readGroup, readOrders);
    const o = observe([{ addr: 'kafka.acl.exposure.a', spec: d, recorded: spec('exposure.a', readOrders) }], [readOrders]).get('kafka.acl.exposure.a')!;
    expect(diffAcl(d, o, spec('exposure.a', readOrders))).toMatchObject({ action: 'update', fields: [{ field: 'acl', after: 'ALLOW User:app READ group app-v1' }] });
    const all = observe([{ addr: 'kafka.acl.exposure.a', spec: d }], [readOrders, readGroup]).get('kafka.acl.exposure.a')!;
    expect(diffAcl(d, all, undefined).action).toBe('no-op');
    expect(aclHandler.exists(all)).toBe(true);
  });

  it('revokes a recorded binding no longer declared, never a binding it did not record', () => {
    const d = spec('exposure.a', readOrders);
    const recorded = spec('exposure.a', readOrders, readRefunds);
    // readGroup is live and names the same principal, but this project never declared it.
    const o = observe([{ addr: 'kafka.acl.exposure.a', spec: d, recorded }], [readOrders, readRefunds, readGroup]).get('kafka.acl.exposure.a')!;
    const p = diffAcl(d, o, recorded);
    expect(p.action).toBe('update');
    expect(p.fields).toEqual([{ field: 'acl', before: 'ALLOW User:app READ topic refunds', after: undefined }]);
  });

  it('keeps a recorded binding another resource of the project declares', () => {
    const a = spec('exposure.a', readGroup);
    const other = spec('exposure.b', readOrders);
    const recorded = spec('exposure.a', readGroup, readOrders);
    const m = observe([{ addr: 'kafka.acl.exposure.a', spec: a, recorded }, { addr: 'kafka.acl.exposure.b', spec: other }], [readGroup, readOrders]);
    expect(m.get('kafka.acl.exposure.a')!.keep).toEqual([aclKey(readOrders)]);
    expect(diffAcl(a, m.get('kafka.acl.exposure.a')!, recorded).action).toBe('no-op');
    // An orphan too: its delete revokes only what no declared resource wants.
    const orphan = observe([{ addr: 'kafka.acl.exposure.c', recorded: spec('exposure.c', readOrders, readRefunds) }, { addr: 'kafka.acl.exposure.b', spec: other }], [readOrders, readRefunds]).get('kafka.acl.exposure.c')!;
    const del = aclHandler.orphanDelete!(orphan, { project: 'p', addr: 'kafka.acl.exposure.c', kind: 'acl', name: 'exposure.c', owner: 'exposure.c', hash: 'sha256:x', spec: spec('exposure.c', readOrders, readRefunds), applied_at: '', streamt_version: '' });
    expect(del.fields).toEqual([{ field: 'acl', before: 'ALLOW User:app READ topic refunds', after: undefined }]);
  });

  it('apply finds the planned bindings again in the declared and recorded specs', () => {
    const got = bindingsOfFields([{ field: 'acl', after: aclText(readGroup) }, { field: 'acl', before: aclText(readRefunds), after: undefined }], [spec('a', readGroup), spec('a', readRefunds)]);
    expect(got).toEqual({ grant: [readGroup], revoke: [readRefunds] });
    expect(() => bindingsOfFields([{ field: 'acl', after: 'ALLOW User:x READ topic y' }], [spec('a', readGroup)])).toThrow(/streamt bug/);
  });
});
