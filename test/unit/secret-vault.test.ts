/**
 * SecretVault.changes counts the calls whose result differs from what an empty vault gives:
 * validate's compile memo remembers a model's part only when its compile left it unchanged
 * (src/compile/compile.ts, docs/development.md).
 */
import { describe, expect, it } from 'vitest';
import { SecretVault } from '../../src/compile/secrets.js';

const env = { SSH_AUTH_SOCK: '/tmp/ssh-abc/agent.1', GITHUB_TOKEN: 'ghs_token_value', HOME: '/root' };

describe('SecretVault.changes', () => {
  it('counts a scrub that replaced a value, not one that found none', () => {
    const vault = new SecretVault([], env);
    const empty = new SecretVault([], { HOME: '/root' });
    expect(empty.empty).toBe(true);
    expect(vault.scrub('orders')).toBe(empty.scrub('orders'));
    expect(vault.changes).toBe(0);
    expect(vault.scrub('group-ghs_token_value')).toBe('group-${env:GITHUB_TOKEN}');
    expect(vault.changes).toBe(1);
  });

  it("counts configValue only where it differs from an empty vault's result", () => {
    const vault = new SecretVault(['literal-password'], env);
    const empty = new SecretVault([], {});
    // A secret-looking key with a literal value: the same `${secret:...}` placeholder either way.
    expect(vault.configValue('c', 'password', 'literal-password')).toBe(empty.configValue('c', 'password', 'literal-password'));
    expect(vault.changes).toBe(0);
    // A secret-looking key whose value is a variable's: `${env:...}`, which an empty vault does not give.
    expect(vault.configValue('c', 'password', 'ghs_token_value')).toBe('${env:GITHUB_TOKEN}');
    expect(empty.configValue('c', 'password', 'ghs_token_value')).toBe('${secret:c/password}');
    expect(vault.changes).toBe(1);
    // Another key: its value scrubbed.
    expect(vault.configValue('c', 'consumer.override.group.id', 'g-/tmp/ssh-abc/agent.1')).toBe('g-${env:SSH_AUTH_SOCK}');
    expect(vault.configValue('c', 'consumer.override.group.id', 'plain')).toBe('plain');
    expect(vault.changes).toBe(2);
  });
});
