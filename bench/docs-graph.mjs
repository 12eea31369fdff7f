#!/usr/bin/env node
// Lineage graph in the browser: node bench/docs-graph.mjs [models] [site...]   (npm run build first)
// Generates a synthetic project (bench/generate.mjs, 1,000 models by default), writes its docs
// site with the built CLI, opens lineage.html from file:// in headless Chromium (Debian's, as the
// browser tests) and measures, for each interaction, 12 steps of:
//   frame   wall time from the event to the second animation frame after it (the frame showing it
//           has been rendered; two frames at 60 Hz, 33 ms, is the floor);
//   main    renderer main-thread CPU time per step (script, style, layout, paint), from a trace;
//   raster  raster CPU time per step (worker threads), from the same trace.
// CPU times come from the trace's thread times, so they hold on a loaded machine where wall
// times do not. Extra arguments are other site folders to measure the same way (an older build,
// for a comparison), each against the same project.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { generateProject } from './generate.mjs';

const root = join(import.meta.dirname, '..');
const models = Number(process.argv[2] ?? 1000);
const work = mkdtempSync(join(tmpdir(), 'streamt-bench-graph-'));
const project = join(work, `p${models}`);
generateProject(models, project);
execFileSync(process.execPath, [join(root, 'bin', 'streamt.js'), 'docs', 'generate', '-p', project, '-o', join(work, 'site')], { stdio: 'ignore' });
const sites = [join(work, 'site'), ...process.argv.slice(3)];

const browser = await chromium.launch({
  executablePath: process.env.STREAMT_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const STEPS = 12;
const wheel = (deltaY) => `svg.dispatchEvent(new WheelEvent('wheel', { deltaY: ${deltaY}, clientX: cx, clientY: cy, bubbles: true, cancelable: true }));`;
const scenarios = [
  { name: 'zoom, whole graph on screen', zoomIns: 0, action: wheel('i < 6 ? -120 : 120') },
  { name: 'zoom, labels shown', zoomIns: 6, action: wheel('i % 2 ? -60 : 60') },
  {
    name: 'pan (one drag, 40 px a step)',
    zoomIns: 6,
    action: `if (i === 0) svg.dispatchEvent(new PointerEvent('pointerdown', { button: 0, clientX: cx, clientY: cy, bubbles: true }));
      window.dispatchEvent(new PointerEvent('pointermove', { clientX: cx - 40 * (i + 1), clientY: cy - 15 * (i + 1) }));`,
  },
];

async function run(site, scenario) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await page.goto(pathToFileURL(join(site, 'lineage.html')).href);
  await page.waitForSelector('svg#graph[data-ready="true"]');
  for (let i = 0; i < scenario.zoomIns; i++) await page.click('#zoom-in');
  await page.waitForTimeout(500);
  const tracePath = join(work, 'trace.json');
  await browser.startTracing(page, { path: tracePath, categories: ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'cc'] });
  const frames = await page.evaluate(`(async () => {
    const svg = document.getElementById('graph');
    const r = svg.getBoundingClientRect();
    const cx = r.left + r.width / 2, cy = r.top + r.height / 2;
    const frame = () => new Promise((res) => requestAnimationFrame(() => res()));
    const out = [];
    await frame();
    for (let i = 0; i < ${STEPS}; i++) {
      const t0 = performance.now();
      ${scenario.action}
      await frame();
      await frame();
      out.push(performance.now() - t0);
    }
    window.dispatchEvent(new PointerEvent('pointerup', {}));
    return out;
  })()`);
  await browser.stopTracing();
  await page.close();
  const trace = JSON.parse(readFileSync(tracePath, 'utf8'));
  const events = trace.traceEvents ?? trace;
  const threads = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
  let main = 0;
  let raster = 0;
  for (const e of events) {
    if (e.ph !== 'X' || !e.tdur) continue;
    const thread = threads.get(`${e.pid}:${e.tid}`) ?? '';
    if (thread === 'CrRendererMain' && e.name === 'RunTask') main += e.tdur / 1000;
    if (e.name === 'RasterizerTaskImpl::RunOnWorkerThread') raster += e.tdur / 1000;
  }
  return { frame: median(frames), max: Math.max(...frames), main: main / STEPS, raster: raster / STEPS };
}

console.log(`${models} models; load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
console.log('| site | interaction | frame median (ms) | frame max (ms) | main CPU/step (ms) | raster CPU/step (ms) | load (1 min) |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const scenario of scenarios) {
  for (const site of sites) {
    const r = await run(site, scenario);
    const label = site === sites[0] ? 'this build' : site;
    console.log(`| ${label} | ${scenario.name} | ${r.frame.toFixed(0)} | ${r.max.toFixed(0)} | ${r.main.toFixed(1)} | ${r.raster.toFixed(1)} | ${loadavg()[0].toFixed(1)} |`);
  }
}
await browser.close();
rmSync(work, { recursive: true, force: true });
