/**
 * Connection secrets never reach a compiled file. A value that came from an environment variable
 * becomes `${env:NAME}`; a value under a key that looks secret (password, token, ...) but was
 * written literally becomes `${secret:<where>}`. `apply` resolves both in memory from
 * `CompileResult.secrets`, so the files on disk stay safe to commit and share.
 */
import { looksSecret } from '../project/yaml.js';

export class SecretVault {
  /** placeholder → value; kept in memory only. */
  readonly values = new Map<string, string>();
  private readonly byValue = new Map<string, string>();
  private readonly ordered: string[];
  /**
   * How many times a call's result differed from what it is with an empty vault (a value found
   * and replaced). validate's compile memo (compile.ts) remembers a model's part only when its
   * compile left this unchanged: then the part is what an empty vault gives.
   */
  changes = 0;

  constructor(secrets: readonly string[], env: Readonly<Record<string, string | undefined>>) {
    const names = Object.keys(env).sort();
    // Values read with env_var() in SQL are not recorded by the loader: any variable whose name
    // looks secret counts too.
    const fromEnv = names.filter((n) => looksSecret(n)).map((n) => env[n] ?? '');
    for (const value of [...secrets, ...fromEnv]) {
      if (value.length < 3 || this.byValue.has(value)) continue;
      const name = names.find((n) => env[n] === value);
      const placeholder = name ? `\${env:${name}}` : `\${secret:value-${this.byValue.size + 1}}`;
      this.byValue.set(value, placeholder);
      this.values.set(placeholder, value);
    }
    // Longest first, so a secret containing another is replaced whole.
    this.ordered = [...this.byValue.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }

  /** True when no secret value is known: scrubbing changes nothing. */
  get empty(): boolean {
    return this.ordered.length === 0;
  }

  /** Replaces every known secret value inside a string by its placeholder. */
  scrub(text: string): string {
    const out = this.replace(text);
    if (out !== text) this.changes++;
    return out;
  }

  private replace(text: string): string {
    let out = text;
    for (const value of this.ordered) if (out.includes(value)) out = out.split(value).join(this.byValue.get(value)!);
    return out;
  }

  /**
   * The value to write for `key` in a config map: a placeholder when the key looks secret
   * (whatever the value), otherwise the value with embedded secrets scrubbed.
   */
  configValue(where: string, key: string, value: string): string {
    if (looksSecret(key) && value !== '' && !/^\$\{(env|secret|file):[^}]*\}$/.test(value)) {
      // An empty vault gives the `${secret:...}` placeholder: only the `${env:...}` one is a change.
      const scrubbed = this.replace(value);
      if (scrubbed !== value && /^\$\{env:[^}]*\}$/.test(scrubbed)) {
        this.changes++;
        return scrubbed;
      }
      const placeholder = `\${secret:${where}/${key}}`;
      this.values.set(placeholder, value);
      return placeholder;
    }
    return this.scrub(value);
  }

  /** Deep copy with every string scrubbed and secret-looking keys replaced by placeholders. */
  scrubValue<T>(value: T, where: string): T {
    const walk = (v: unknown, key: string): unknown => {
      if (typeof v === 'string') return key ? this.configValue(where, key, v) : this.scrub(v);
      if (Array.isArray(v)) return v.map((x) => walk(x, ''));
      if (v && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) out[k] = walk(x, k);
        return out;
      }
      return v;
    };
    return walk(value, '') as T;
  }

  /** Deep copy with every known secret value inside strings replaced (keys are not judged). */
  scrubStrings<T>(value: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.scrub(v);
      if (Array.isArray(v)) return v.map(walk);
      if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    };
    return walk(value) as T;
  }

  /** Replaces secrets in their raw, JSON-escaped and SQL-escaped forms. */
  scrubText(text: string): string {
    let out = this.scrub(text);
    for (const value of this.ordered) {
      const placeholder = this.byValue.get(value)!;
      for (const form of [JSON.stringify(value).slice(1, -1), value.replace(/'/g, "''")]) if (out.includes(form)) out = out.split(form).join(placeholder);
    }
    return out;
  }

  /** True when text still contains a secret value (raw or as escaped in JSON/SQL). */
  leaks(text: string): boolean {
    return this.ordered.some((v) => text.includes(v) || text.includes(JSON.stringify(v).slice(1, -1)) || text.includes(v.replace(/'/g, "''")));
  }
}
