/**
 * Where everything printed goes. Data goes to stdout, diagnostics and logs to stderr; colours
 * only on a TTY without NO_COLOR; and every resolved secret value is masked before it leaves.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export interface Stream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export class Output {
  readonly color: ChalkInstance;
  readonly errColor: ChalkInstance;
  private secrets: string[] = [];

  constructor(
    private readonly stdout: Stream,
    private readonly stderr: Stream,
    opts: { color?: boolean; env?: Readonly<Record<string, string | undefined>> } = {},
  ) {
    const env = opts.env ?? {};
    const allowed = opts.color !== false && env.NO_COLOR === undefined && env.TERM !== 'dumb';
    const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
    this.color = new Chalk({ level: forced || (allowed && stdout.isTTY) ? 1 : 0 });
    this.errColor = new Chalk({ level: forced || (allowed && stderr.isTTY) ? 1 : 0 });
  }

  /**
   * Values that must never be printed (resolved secrets). Longest first, so overlaps mask fully.
   * Values shorter than MIN_SECRET_LENGTH are not masked: as whole tokens they would hide
   * ordinary words and numbers of every message, and a one- or two-character value protects
   * nothing anyway.
   */
  addSecrets(values: readonly string[]): void {
    this.secrets = [...new Set([...this.secrets, ...values.filter((v) => v.length >= MIN_SECRET_LENGTH)])].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    return maskSecrets(text, this.secrets);
  }

  /** Data: stdout. */
  out(text: string): void {
    this.stdout.write(this.redact(text.endsWith('\n') ? text : text + '\n'));
  }

  /** Diagnostics, progress, logs: stderr. */
  err(text: string): void {
    this.stderr.write(this.redact(text.endsWith('\n') ? text : text + '\n'));
  }

  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }
}

export const MIN_SECRET_LENGTH = 3;
const WORD = /[A-Za-z0-9_]/;

/**
 * Replaces every occurrence of a secret that stands as a whole token with `****`: one not glued
 * to letters, digits or "_" on a side where the secret itself starts or ends with one. A secret
 * `pay` is masked in `password=pay` and `pay@host`, never in `payments.yml`. Longest secrets
 * first (so one that contains another is masked whole).
 */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (!s) continue;
    const startsWord = WORD.test(s[0]!);
    const endsWord = WORD.test(s[s.length - 1]!);
    let res = '';
    let from = 0;
    for (let i = out.indexOf(s); i >= 0; i = out.indexOf(s, i + 1)) {
      if (i < from) continue;
      const before = i > 0 ? out[i - 1]! : '';
      const after = out[i + s.length] ?? '';
      if ((startsWord && before && WORD.test(before)) || (endsWord && after && WORD.test(after))) continue;
      res += out.slice(from, i) + '****';
      from = i + s.length;
    }
    out = res + out.slice(from);
  }
  return out;
}
