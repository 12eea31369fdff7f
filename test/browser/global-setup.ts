/** Browser tests need Debian's chromium: install it once, before any test file runs. */
import { ensureChromium } from './chromium.js';

export default function setup(): void {
  ensureChromium((m) => process.stderr.write(`[browser] ${m}\n`));
}
