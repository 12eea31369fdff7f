/** FROM items: tables and CTEs, derived tables (LATERAL too), window TVFs, table functions and UNNEST, joins. */
import type { Expr, FromItem } from './ast.js';
import { releaseRank } from './changelog.js';
import type { AnalysisContext } from './context.js';
import { ML_FUNCTIONS } from './functions.js';
import { join } from './joins.js';
import { matchRecognize } from './match-recognize.js';
import { renameColumns, tableRelation } from './names.js';
import { analyzeQuery } from './query.js';
import { aliased, changelogOf, collectedLineage, newCollector, type Col, type Changelog, type Relation, type Scope, type ScopeEntry } from './relation.js';
import { rowFields, splitNullability, typeArguments, typeRoot } from './types.js';
import { isFlinkFunction, typeExpr, unknownFunction } from './typing.js';
import { windowTvf } from './windows.js';

export function analyzeFrom(cx: AnalysisContext, item: FromItem, parent: Scope | undefined, where: Expr[]): { entries: ScopeEntry[]; changelog: Changelog; complete: boolean; keys: Expr[][] } {
  const entries = fromItem(cx, item, parent, where, []);
  return { entries, changelog: changelogOf(entries), complete: entries.every((e) => e.rel.complete), keys: cx.joinKeys.get(item) ?? [] };
}

/** Relations introduced by a FROM item; `left` are the relations to its left (for LATERAL and joins). */
export function fromItem(cx: AnalysisContext, item: FromItem, parent: Scope | undefined, where: Expr[], left: ScopeEntry[]): ScopeEntry[] {
  switch (item.kind) {
    case 'table': {
      if (item.asOf && !cx.joinRightSides.has(item)) {
        cx.error('SQL_UNSUPPORTED', 'FOR SYSTEM_TIME AS OF is only valid on the right side of a JOIN', item.pos);
      }
      let rel = tableRelation(cx, item.name, item.pos);
      if (item.match) {
        rel = matchRecognize(cx, item.match, rel, item.alias ?? item.name, parent);
        if (item.columnAliases) rel = renameColumns(cx, rel, item.columnAliases, item.pos);
        return [aliased(item.alias, rel)];
      }
      if (item.columnAliases) rel = renameColumns(cx, rel, item.columnAliases, item.pos);
      return [aliased(item.alias ?? item.parts[item.parts.length - 1], rel)];
    }
    case 'derived': {
      let rel = analyzeQuery(cx, item.query, item.lateral ? { entries: left, ...(parent ? { parent } : {}) } : parent);
      if (item.match) rel = matchRecognize(cx, item.match, releaseRank(cx, rel), undefined, parent);
      if (item.columnAliases) rel = renameColumns(cx, rel, item.columnAliases, item.pos);
      return [aliased(item.alias, rel)];
    }
    case 'window_tvf':
      return [aliased(item.alias, windowTvf(cx, item, parent))];
    case 'table_function': {
      const scope: Scope = parent ? { entries: left, parent } : { entries: left };
      const start = cx.resolutions.length;
      const rel = tableFunction(cx, item, scope);
      // Reading no column of the relations to its left, it is a constant table: Flink joins it.
      if (cx.resolutions.slice(start).includes(scope)) rel.correlated = true;
      return [aliased(item.alias, rel)];
    }
    case 'join':
      return join(cx, item, parent, where, left);
  }
}

/** UNNEST(array | map | array of rows) and LATERAL TABLE(f(x)): one row in, many rows out, no state. */
function tableFunction(cx: AnalysisContext, item: FromItem & { kind: 'table_function' }, scope: Scope): Relation {
  const call = item.call;
  const names = item.columnAliases;
  if (call.kind === 'call' && ML_FUNCTIONS.has(call.name)) cx.mlFunctions.add(call.name);
  if (item.unnest) {
    const args = call.kind === 'call' ? call.args : [call];
    const cols: Col[] = [];
    for (const arg of args) {
      const collector = newCollector();
      const outer = cx.lineage;
      cx.lineage = collector;
      const typed = typeExpr(cx, arg, scope);
      cx.lineage = outer;
      const first = cols.length;
      const element = typed.type ? typeArguments(typed.type)[0] : undefined;
      const elementType = element ? splitNullability(element) : undefined;
      if (typed.type && typeRoot(typed.type) === 'MAP') {
        const [k, v] = typeArguments(typed.type).map((t) => splitNullability(t));
        cols.push({ name: `EXPR$${cols.length}`, type: k?.type, nullable: true }, { name: `EXPR$${cols.length + 1}`, type: v?.type, nullable: true });
      } else if (elementType && typeRoot(elementType.type) === 'ROW') {
        for (const f of rowFields(elementType.type)) cols.push({ name: f.name, ...splitNullability(f.type) });
      } else cols.push({ name: `EXPR$${cols.length}`, type: elementType?.type, nullable: elementType?.nullable ?? true });
      // The elements (or fields of the elements) derive from the unnested value.
      for (const c of cols.slice(first)) c.lineage = collectedLineage(collector, 'expression');
    }
    if (item.ordinality) {
      cx.error('SQL_UNSUPPORTED', 'Cannot add expression of different type to set: Flink 1.20 cannot plan UNNEST ... WITH ORDINALITY', item.pos, 'Drop WITH ORDINALITY (Flink 1.20 does not number the elements).');
    }
    // One unnamed element column takes the table alias as its name (`UNNEST(tags) AS t` has a column t).
    if (!names && item.alias && cols.length === 1 && cols[0]!.name === 'EXPR$0') cols[0]!.name = item.alias;
    const rel: Relation = { cols, complete: true, changelog: 'append' };
    return names ? renameColumns(cx, rel, names, item.pos) : rel;
  }
  // ML_PREDICT('model', ...) of a model whose outputs the project declares (ml_outputs).
  const ml = call.kind === 'call' ? cx.mlOutputs(call) : undefined;
  if (ml && call.kind === 'call') {
    for (const arg of call.args.slice(1)) typeExpr(cx, arg, scope);
    const rel: Relation = { cols: ml.map((c) => ({ name: c.name, ...splitNullability(c.type) })), complete: true, changelog: 'append' };
    return names ? renameColumns(cx, rel, names, item.pos) : rel;
  }
  // A table function: its arguments resolve, its output types are unknown (Flink 1.20 has no built-in
  // table function but UNNEST, and a streamt project registers none).
  const collector = newCollector();
  if (call.kind === 'call') {
    const outer = cx.lineage;
    cx.lineage = collector;
    const args = call.args.map((arg) => typeExpr(cx, arg, scope));
    cx.lineage = outer;
    if (!ML_FUNCTIONS.has(call.name) && !isFlinkFunction(call.name)) unknownFunction(cx, call, args);
  }
  // Its output is computed from its arguments (which columns of which argument is unknown).
  collector.partial = true;
  const cols: Col[] = (names ?? []).map((name) => ({ name, type: undefined, nullable: true, lineage: collectedLineage(collector, 'expression') }));
  return { cols, complete: false, changelog: 'append' };
}
