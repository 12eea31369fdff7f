// The stack tool itself: every service is running under a recorded pid, and `up`
// on a running stack is a no-op.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { status, up } from '../../stack/api.mjs';
import { serviceNames } from '../../stack/config.mjs';

describe('local stack tool', () => {
  it('reports every service running, with a pid, a log file and its memory', async () => {
    const rows = await status();
    expect(rows.map((r) => r.name)).toEqual([...serviceNames]);
    for (const r of rows) {
      expect(r.state, `${r.name} (log: ${r.log})`).toBe('running');
      expect(r.pid).toBeGreaterThan(0);
      expect(fs.existsSync(r.log)).toBe(true);
      expect(r.rssMiB).toBeGreaterThan(0);
    }
  });

  it('treats `up` on a running stack as a no-op', async () => {
    const before = (await status()).map((r) => r.pid);
    const r = await up({ log: () => {}, owner: 'test' });
    expect(r.startedAny).toBe(false);
    expect(r.services.every((s) => !s.started)).toBe(true);
    expect((await status()).map((s) => s.pid)).toEqual(before);
  });
});
