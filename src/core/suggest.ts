/** "Did you mean" suggestions: the closest candidates by edit distance, like compilers and git do. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (!a.length) return b.length;
  if (!b.length) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Up to `max` candidates close enough to `input` to be a plausible typo, nearest first. */
export function closest(input: string, candidates: Iterable<string>, max = 3): string[] {
  const lower = input.toLowerCase();
  const scored: { c: string; d: number }[] = [];
  for (const c of candidates) {
    const d = levenshtein(lower, c.toLowerCase());
    const limit = Math.max(2, Math.floor(Math.max(input.length, c.length) * 0.4));
    if (d <= limit || c.toLowerCase().includes(lower) || lower.includes(c.toLowerCase())) scored.push({ c, d });
  }
  scored.sort((x, y) => x.d - y.d || x.c.localeCompare(y.c));
  // Only the nearest candidates: "flnk" suggests "flink", not also "sink".
  const best = scored[0]?.d ?? 0;
  return [...new Set(scored.filter((s) => s.d === best).map((s) => s.c))].slice(0, max);
}

export function didYouMean(input: string, candidates: Iterable<string>): string | undefined {
  const found = closest(input, candidates);
  if (!found.length) return undefined;
  return `did you mean ${found.map((f) => `"${f}"`).join(' or ')}?`;
}
