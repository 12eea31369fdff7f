// Runs one `streamt validate` in this process and reports wall time and peak memory as JSON.
import { run } from '../dist/cli/main.js';

const dir = process.argv[2];
const devnull = { write: () => true, isTTY: false };
const start = performance.now();
const code = await run(['validate', '-p', dir, '--format', 'json'], { stdout: devnull, stderr: devnull, env: {} });
const ms = performance.now() - start;
process.stdout.write(JSON.stringify({ code, ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
