/**
 * Token-level analysis used only when a query does not parse: table names after FROM/JOIN/TABLE and
 * keyword-based features. Comments and string literals are already gone at the token level, so words
 * inside them never count. The result always comes with a SQL_PARSE_ERROR, never on its own.
 */
import type { StatefulFeature } from './relation.js';
import type { Token } from './tokenizer.js';

const AGGREGATES = new Set(['COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'COLLECT', 'LISTAGG', 'STDDEV_POP', 'STDDEV_SAMP', 'VAR_POP', 'VAR_SAMP', 'FIRST_VALUE', 'LAST_VALUE']);
const NOT_TABLES = new Set(['SELECT', 'LATERAL', 'UNNEST', 'TABLE', 'WITH']);

export interface TokenAnalysis {
  tables: string[];
  hasFrom: boolean;
  features: StatefulFeature[];
  mlFunctions: string[];
}

export function analyzeTokens(tokens: Token[]): TokenAnalysis {
  const tables: string[] = [];
  const cteNames = new Set<string>();
  const features = new Set<StatefulFeature>();
  const ml = new Set<string>();
  let hasFrom = false;
  const word = (i: number) => (tokens[i]?.kind === 'word' ? tokens[i]!.upper : '');
  const text = (i: number) => tokens[i]?.text ?? '';
  const tableAt = (i: number): string | undefined => {
    const t = tokens[i];
    if (!t || (t.kind !== 'word' && t.kind !== 'quoted') || (t.kind === 'word' && NOT_TABLES.has(t.upper))) return undefined;
    const parts = [t.text];
    let k = i + 1;
    while (text(k) === '.' && (tokens[k + 1]?.kind === 'word' || tokens[k + 1]?.kind === 'quoted')) {
      parts.push(tokens[k + 1]!.text);
      k += 2;
    }
    return parts.join('.');
  };
  for (let i = 0; i < tokens.length; i++) {
    const w = word(i);
    if (!w) continue;
    if ((w === 'WITH' || text(i - 1) === ',') && text(i + 1) !== '(' && word(i + 1) === 'AS') cteNames.add(text(i));
    if (w === 'FROM' || w === 'JOIN' || (w === 'TABLE' && text(i + 1) !== '(')) {
      if (w === 'FROM') hasFrom = true;
      const name = tableAt(i + 1);
      if (name !== undefined && !tables.includes(name)) tables.push(name);
    }
    if (w === 'GROUP' && word(i + 1) === 'BY') features.add('group_by');
    if (w === 'ORDER' && word(i + 1) === 'BY' && !tokens.slice(Math.max(0, i - 8), i).some((t) => t.upper === 'OVER' || t.upper === 'MATCH_RECOGNIZE')) features.add('order_by');
    if (w === 'JOIN') features.add('regular_join');
    if (w === 'SYSTEM_TIME') features.add('temporal_join');
    if (w === 'OVER') features.add('over');
    if (w === 'DISTINCT' && word(i - 1) === 'SELECT') features.add('distinct');
    if (w === 'MATCH_RECOGNIZE') features.add('match_recognize');
    if (['TUMBLE', 'HOP', 'CUMULATE', 'SESSION'].includes(w) && text(i + 1) === '(') features.add(text(i - 2) === 'TABLE' || text(i - 1) === '(' ? 'window_tvf' : 'group_window');
    if (AGGREGATES.has(w) && text(i + 1) === '(') features.add('aggregate');
    if ((w === 'ML_PREDICT' || w === 'ML_EVALUATE') && text(i + 1) === '(') ml.add(w);
  }
  return { tables: tables.filter((t) => !cteNames.has(t)), hasFrom, features: [...features].sort(), mlFunctions: [...ml].sort() };
}
