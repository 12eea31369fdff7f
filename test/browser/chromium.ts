/**
 * Debian's chromium for the browser tests: installed with apt-get when missing (as root, or
 * through passwordless sudo), never downloaded by playwright. Idempotent: a present binary is
 * used as is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.STREAMT_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet, isolated headless run that makes no request of its own. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function ensureChromium(log: (m: string) => void = () => {}): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const asRoot = process.getuid?.() === 0;
  const run = (args: string[]) => {
    const [cmd, ...rest] = asRoot ? args : ['sudo', '-n', ...args];
    execFileSync(cmd!, rest, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  log(`${CHROMIUM} is missing: installing Debian's chromium package (apt-get update, apt-get install -y chromium)`);
  try {
    run(['apt-get', 'update']);
    run(['apt-get', 'install', '-y', 'chromium']);
  } catch (e) {
    throw new Error(`Cannot install chromium (${(e as Error).message}). Install it with: sudo apt-get update && sudo apt-get install -y chromium, or set STREAMT_CHROMIUM to a Chromium binary.`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`apt-get installed chromium but ${CHROMIUM} does not exist; set STREAMT_CHROMIUM`);
  return CHROMIUM;
}
