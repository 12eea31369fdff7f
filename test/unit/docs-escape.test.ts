import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, safeUrl } from '../../src/docs/escape.js';
import { highlightSql, tokenizeSql } from '../../src/docs/highlight.js';

describe('escapeHtml', () => {
  it('turns markup into text', () => {
    expect(escapeHtml(`<img src=x onerror="alert('1')">&`)).toBe('&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;');
  });
});

describe('jsonForScript', () => {
  const hostile = {
    description: '</script><script>alert(1)</script>',
    comment: '<!-- <script>',
    amp: 'a & b',
    separators: 'line\u2028para\u2029end',
  };

  it('cannot end the script element or open a comment', () => {
    const text = jsonForScript(hostile);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(text.toLowerCase()).not.toContain('</script');
  });

  it('parses back to the same value', () => {
    expect(JSON.parse(jsonForScript(hostile))).toEqual(hostile);
  });

  it('is still valid JavaScript when evaluated as an expression', () => {
    expect(new Function(`return ${jsonForScript(hostile)};`)()).toEqual(hostile);
  });
});

describe('safeUrl', () => {
  it('keeps http(s) and mailto links', () => {
    expect(safeUrl('https://git.example.com/x')).toBe('https://git.example.com/x');
    expect(safeUrl('mailto:team@example.com')).toBe('mailto:team@example.com');
  });

  it('drops script and data URLs', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl(' JavaScript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,<script>alert(1)</script>')).toBeUndefined();
    expect(safeUrl(undefined)).toBeUndefined();
  });
});

describe('SQL highlighting', () => {
  it('classifies keywords, functions, strings, numbers, comments and template tags', () => {
    const tokens = tokenizeSql(`SELECT SUM(amount) AS total, 'x''y' FROM {{ ref("orders") }} -- note\nWHERE n > 10 /* block */`);
    const kinds = (kind: string) => tokens.filter((t) => t.kind === kind).map((t) => t.text);
    expect(kinds('keyword')).toEqual(['SELECT', 'AS', 'FROM', 'WHERE']);
    expect(kinds('function')).toEqual(['SUM']);
    expect(kinds('string')).toEqual([`'x''y'`]);
    expect(kinds('template')).toEqual(['{{ ref("orders") }}']);
    expect(kinds('comment')).toEqual(['-- note', '/* block */']);
    expect(kinds('number')).toEqual(['10']);
  });

  it('loses no character, even in unterminated strings and comments', () => {
    for (const sql of [`SELECT 'open`, 'SELECT /* open', 'x {{ open', 'SELECT `a``b` FROM t', '']) {
      expect(tokenizeSql(sql).map((t) => t.text).join('')).toBe(sql);
    }
  });

  it('escapes everything it outputs', () => {
    const html = highlightSql(`SELECT '</code></pre><script>alert(1)</script>' -- <img src=x onerror=alert(1)>\nFROM t WHERE a < b`);
    expect(html).not.toMatch(/<(?!\/?span)/);
    expect(html).toContain('&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;');
    expect(html).toContain('a &lt; b');
  });
});
