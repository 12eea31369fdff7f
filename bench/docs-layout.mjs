#!/usr/bin/env node
// Lineage graph layout benchmark: node bench/docs-layout.mjs [sizes]   (run `npm run build` first)
// For each size, a synthetic project (bench/generate.mjs) is resolved and its DAG laid out three
// ways, each timed (median of five runs, in Node: the browser runs the same code on the same V8):
//   lanes    the docs site's layout (src/docs/layout.ts): wrapped layers, edges routed in the
//            lanes between rows and columns;
//   straight the same boxes with each edge drawn straight from its source to its target (what the
//            site did before edges were routed): how many edges cross a box they do not connect;
//   dummies  Sugiyama with dummy nodes (as dagre does): a long edge gets a dummy box in each layer
//            it crosses, layers are not wrapped.
// Prints a markdown table: drawing size, the scale that fits it in a 1440x860 graph area (labels
// are readable from 0.4), edges crossing an unrelated box, bends per edge, mean edge length.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateProject } from './generate.mjs';

const { runFrontEnd } = await import('../dist/cli/pipeline.js');
const { layoutDag, assignLayers } = await import('../dist/docs/layout.js');

const W = 200;
const H = 30;
const sizes = (process.argv[2] ?? '100,360,1000').split(',').map(Number);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const timed = (f) => {
  const times = [];
  let out;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    out = f();
    times.push(performance.now() - t);
  }
  return { out, ms: median(times) };
};

/** Whether segment p–q passes through the inside of a W×H box at (x, y) (Liang–Barsky clipping). */
function crosses(p, q, box) {
  const [x0, y0, x1, y1] = [box.x + 0.5, box.y + 0.5, box.x + W - 0.5, box.y + H - 0.5];
  let t0 = 0;
  let t1 = 1;
  const dx = q[0] - p[0];
  const dy = q[1] - p[1];
  for (const [pp, qq] of [[-dx, p[0] - x0], [dx, x1 - p[0]], [-dy, p[1] - y0], [dy, y1 - p[1]]]) {
    if (pp === 0) {
      if (qq < 0) return false;
    } else {
      const r = qq / pp;
      if (pp < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
      if (t0 > t1) return false;
    }
  }
  return true;
}

function measure(name, ms, nodes, routes, width, height) {
  const boxes = [...nodes.entries()].filter(([id]) => !id.startsWith('dummy:'));
  let crossing = 0;
  let bends = 0;
  let length = 0;
  for (const r of routes) {
    bends += r.points.length - 2;
    let hit = false;
    for (let k = 1; k < r.points.length; k++) {
      const p = r.points[k - 1];
      const q = r.points[k];
      length += Math.hypot(q[0] - p[0], q[1] - p[1]);
      if (!hit) hit = boxes.some(([, b]) => crosses(p, q, b));
    }
    if (hit) crossing++;
  }
  const fit = Math.min(1.2, (1440 - 80) / width, (860 - 80) / height);
  return { name, ms, size: `${Math.round(width)}×${Math.round(height)}`, fit, crossing, bends: bends / routes.length, length: length / routes.length };
}

console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
console.log('| models | nodes | edges | layout | time (ms) | drawing (px) | fit scale | edges through a box | bends/edge | mean edge length (px) |');
console.log('|---:|---:|---:|---|---:|---|---:|---:|---:|---:|');
for (const n of sizes) {
  const dir = mkdtempSync(join(tmpdir(), `streamt-bench-docs-${n}-`));
  generateProject(n, dir);
  const front = runFrontEnd({ projectDir: dir }, {});
  rmSync(dir, { recursive: true, force: true });
  const dag = front.resolved.dag;
  const ids = dag.nodes();
  const edges = dag.edges();
  const rows = [];

  const lanes = timed(() => layoutDag(ids, edges));
  rows.push(measure('lanes (the site)', lanes.ms, lanes.out.nodes, lanes.out.routes, lanes.out.width, lanes.out.height));

  const straight = lanes.out.routes.map((r) => ({ points: [r.points[0], r.points[r.points.length - 1]] }));
  rows.push(measure('straight (before)', lanes.ms, lanes.out.nodes, straight, lanes.out.width, lanes.out.height));

  const dummies = timed(() => {
    const layer = assignLayers(ids, edges);
    const all = [...ids];
    const split = [];
    const chains = [];
    for (const e of edges) {
      const chain = [e.from];
      for (let l = layer.get(e.from) + 1; l < layer.get(e.to); l++) {
        const d = `dummy:${e.from}>${e.to}:${l}`;
        all.push(d);
        chain.push(d);
      }
      chain.push(e.to);
      for (let k = 1; k < chain.length; k++) split.push({ from: chain[k - 1], to: chain[k] });
      chains.push(chain);
    }
    const layout = layoutDag(all, split, { maxRows: Infinity });
    const routes = chains.map((chain) => ({
      points: chain.flatMap((id, k) => {
        const p = layout.nodes.get(id);
        const y = p.y + H / 2;
        if (k === 0) return [[p.x + W, y]];
        if (k === chain.length - 1) return [[p.x, y]];
        return [[p.x, y], [p.x + W, y]];
      }),
    }));
    return { layout, routes };
  });
  rows.push(measure('dummies, no wrap', dummies.ms, dummies.out.layout.nodes, dummies.out.routes, dummies.out.layout.width, dummies.out.layout.height));

  for (const r of rows) {
    console.log(
      `| ${n} | ${ids.length} | ${edges.length} | ${r.name} | ${r.ms.toFixed(1)} | ${r.size} | ${r.fit.toFixed(3)} | ${r.crossing} | ${r.bends.toFixed(2)} | ${r.length.toFixed(0)} |`,
    );
  }
}
