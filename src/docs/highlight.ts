/**
 * A small SQL highlighter for the docs pages: it splits text into comments, strings, quoted
 * identifiers, template tags, numbers, keywords and functions, and escapes every piece. It
 * never fails: whatever it does not recognise is plain (escaped) text.
 */
import { escapeHtml } from './escape.js';

export type SqlTokenKind = 'comment' | 'string' | 'ident' | 'template' | 'number' | 'keyword' | 'function' | 'text';

export interface SqlToken {
  kind: SqlTokenKind;
  text: string;
}

const KEYWORDS = new Set(
  `select from where group by having order limit offset as and or not in is null like between case when then else end
  join inner left right full outer cross on using union all distinct intersect except with insert into values create table
  view temporary if exists primary key enforced watermark for system_time of interval second seconds minute minutes hour hours day days
  month year partitioned comment set over partition rows range preceding following unbounded current row window tumble hop cumulate
  session descriptor lateral unnest match_recognize measures pattern define within true false cast try_cast asc desc statement begin
  execute connector format varchar string bigint int integer smallint tinyint boolean double float decimal timestamp timestamp_ltz
  date time array map row multiset bytes proctime`
    .split(/\s+/)
    .filter(Boolean),
);

/** Tokenizes SQL (Flink dialect, optionally with `{{ }}` / `{% %}` template tags). */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  const push = (kind: SqlTokenKind, text: string) => {
    const last = tokens[tokens.length - 1];
    if (last && last.kind === kind && kind === 'text') last.text += text;
    else tokens.push({ kind, text });
  };
  let i = 0;
  const n = sql.length;
  // Until the closing delimiter, or the end of the text when it is missing.
  const until = (close: string, from: number) => {
    const at = sql.indexOf(close, from);
    return at < 0 ? n : at + close.length;
  };
  while (i < n) {
    const c = sql[i]!;
    const two = sql.slice(i, i + 2);
    let end: number;
    if (two === '--') {
      end = sql.indexOf('\n', i);
      if (end < 0) end = n;
      push('comment', sql.slice(i, end));
    } else if (two === '/*') {
      end = until('*/', i + 2);
      push('comment', sql.slice(i, end));
    } else if (two === '{{' || two === '{%' || two === '{#') {
      end = until(two === '{{' ? '}}' : two === '{%' ? '%}' : '#}', i + 2);
      push('template', sql.slice(i, end));
    } else if (c === "'" || c === '"' || c === '`') {
      // A doubled quote is an escaped quote inside the literal.
      end = i + 1;
      while (end < n) {
        if (sql[end] === c) {
          if (sql[end + 1] === c) end += 2;
          else {
            end++;
            break;
          }
        } else end++;
      }
      push(c === "'" ? 'string' : 'ident', sql.slice(i, end));
    } else if (/[0-9]/.test(c)) {
      end = i + 1;
      while (end < n && /[0-9.eE]/.test(sql[end]!)) end++;
      push('number', sql.slice(i, end));
    } else if (/[A-Za-z_]/.test(c)) {
      end = i + 1;
      while (end < n && /[A-Za-z0-9_$]/.test(sql[end]!)) end++;
      const word = sql.slice(i, end);
      let after = end;
      while (after < n && (sql[after] === ' ' || sql[after] === '\t')) after++;
      if (KEYWORDS.has(word.toLowerCase())) push('keyword', word);
      else if (sql[after] === '(') push('function', word);
      else push('text', word);
    } else {
      end = i + 1;
      push('text', c);
    }
    i = end;
  }
  return tokens;
}

/** HTML for a `<pre><code>`: every token escaped, highlighted ones in a `<span class="sql-…">`. */
export function highlightSql(sql: string): string {
  return tokenizeSql(sql)
    .map((t) => (t.kind === 'text' ? escapeHtml(t.text) : `<span class="sql-${t.kind}">${escapeHtml(t.text)}</span>`))
    .join('');
}
