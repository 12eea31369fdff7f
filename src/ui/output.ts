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

  /** Values that must never be printed (resolved secrets). Longest first, so overlaps mask fully. */
  addSecrets(values: readonly string[]): void {
    this.secrets = [...new Set([...this.secrets, ...values.filter((v) => v.length >= 3)])].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('****');
    return out;
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
