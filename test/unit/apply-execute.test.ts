import { describe, expect, it } from 'vitest';
import { execute } from '../../src/apply/execute.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('execute', () => {
  it('runs in dependency order', async () => {
    const order: string[] = [];
    const tasks = [
      { addr: 'job', dependsOn: ['topic', 'subject'] },
      { addr: 'topic', dependsOn: ['subject'] },
      { addr: 'subject', dependsOn: [] },
      { addr: 'connector', dependsOn: ['job', 'not-in-plan'] },
    ];
    const out = await execute(tasks, async (t) => void order.push(t.addr), { parallelism: 4 });
    expect(order).toEqual(['subject', 'topic', 'job', 'connector']);
    expect(out.map((o) => o.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
  });

  it('never runs more than the parallelism at once, and runs independent work together', async () => {
    let now = 0;
    let max = 0;
    const tasks = Array.from({ length: 6 }, (_, i) => ({ addr: `t${i}`, dependsOn: [] }));
    await execute(tasks, async () => {
      now++;
      max = Math.max(max, now);
      await sleep(5);
      now--;
    }, { parallelism: 2 });
    expect(max).toBe(2);
  });

  it('a failure skips its dependents (transitively) and lets independent work finish', async () => {
    const ran: string[] = [];
    const tasks = [
      { addr: 'a', dependsOn: [] },
      { addr: 'b', dependsOn: ['a'] },
      { addr: 'c', dependsOn: ['b'] },
      { addr: 'd', dependsOn: [] },
    ];
    const out = await execute(tasks, async (t) => {
      ran.push(t.addr);
      if (t.addr === 'a') throw new Error('Kafka Connect at http://x is not reachable');
    }, { parallelism: 1 });
    expect(ran.sort()).toEqual(['a', 'd']);
    expect(out).toMatchObject([
      { addr: 'a', status: 'failed', error: 'Kafka Connect at http://x is not reachable' },
      { addr: 'b', status: 'skipped', because: 'a' },
      { addr: 'c', status: 'skipped', because: 'a' },
      { addr: 'd', status: 'applied' },
    ]);
  });

  it('reports events for progress', async () => {
    const seen: string[] = [];
    await execute([{ addr: 'x', dependsOn: [] }], async () => {}, { parallelism: 1, events: { start: (a) => seen.push(`start ${a}`), done: (o) => seen.push(`${o.status} ${o.addr}`) } });
    expect(seen).toEqual(['start x', 'applied x']);
  });
});
