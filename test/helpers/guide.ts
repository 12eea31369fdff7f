/**
 * docs/getting-started.md as steps, so the guide and its tests cannot drift: `bash` blocks are
 * commands (one a line, `# comments` dropped), `yaml` blocks starting with `# file: <path>` are
 * files to write, and `yaml` blocks starting with `# in <path>` are excerpts whose lines must
 * appear, in order, in that file of the project. `<!-- live ... -->` marks where the commands
 * start needing live systems.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export type GuideStep =
  | { kind: 'command'; line: string; argv: string[]; env: Record<string, string>; stdoutTo?: string; live: boolean; section: string }
  | { kind: 'file'; path: string; content: string; live: boolean; section: string }
  | { kind: 'excerpt'; path: string; lines: string[]; live: boolean; section: string };

/** Splits a shell line into words (single and double quotes; no expansion). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) words.push(cur);
      cur = '';
      has = false;
    } else cur += ch;
  }
  if (quote) throw new Error(`unbalanced quote in: ${line}`);
  if (has || cur) words.push(cur);
  return words;
}

const stripComment = (line: string) => line.replace(/\s+#(?![^'"]*['"][^'"]*$).*$/, '').trimEnd();

export function guideSteps(markdown: string): GuideStep[] {
  const steps: GuideStep[] = [];
  let live = false;
  let section = '';
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('<!-- live')) live = true;
    if (l.startsWith('## ')) section = l.slice(3);
    const fence = /^```(\w+)\s*$/.exec(l);
    if (!fence) continue;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    if (fence[1] === 'bash') {
      for (const raw of body) {
        const line = stripComment(raw).trim();
        if (!line || line.startsWith('#')) continue;
        let words = shellWords(line);
        let stdoutTo: string | undefined;
        const redirect = words.indexOf('>');
        if (redirect >= 0) {
          stdoutTo = words[redirect + 1];
          words = words.slice(0, redirect);
        }
        const env: Record<string, string> = {};
        while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
          const [k, ...v] = words.shift()!.split('=');
          env[k!] = v.join('=');
        }
        steps.push({ kind: 'command', line, argv: words, env, ...(stdoutTo ? { stdoutTo } : {}), live, section });
      }
    } else if (fence[1] === 'yaml') {
      const head = body[0] ?? '';
      const file = /^# file: (\S+)$/.exec(head);
      const excerpt = /^# in (\S+)$/.exec(head);
      if (file) steps.push({ kind: 'file', path: file[1]!, content: body.slice(1).join('\n') + '\n', live, section });
      else if (excerpt) steps.push({ kind: 'excerpt', path: excerpt[1]!, lines: body.slice(1).map(stripComment).filter((x) => x.trim()), live, section });
      else throw new Error(`docs/getting-started.md: a yaml block in "${section}" starts with neither "# file: <path>" nor "# in <path>"`);
    }
  }
  return steps;
}

export function readGuide(repo: string): GuideStep[] {
  return guideSteps(readFileSync(join(repo, 'docs', 'getting-started.md'), 'utf8'));
}

/** Whether `lines` appear in `text`, in order (comments after values ignored). */
export function missingExcerptLine(text: string, lines: readonly string[]): string | undefined {
  const have = text.split('\n').map(stripComment);
  let at = 0;
  for (const want of lines) {
    const found = have.indexOf(want, at);
    if (found < 0) return want;
    at = found + 1;
  }
  return undefined;
}
