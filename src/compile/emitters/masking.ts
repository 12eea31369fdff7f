/**
 * Masking compiled into a Flink job: the model's query becomes a subquery, and the outer SELECT
 * replaces each masked column by its masked value, so the topic never holds the clear value.
 *
 * | method | Flink SQL | type |
 * |---|---|---|
 * | hash | SHA256 of the value as a string: 64 lowercase hex characters | STRING |
 * | partial | `*` for every character but the last N (default 4); a value of N characters or fewer is all `*` | STRING |
 * | redact | the constant `[REDACTED]` | STRING |
 * | null | a NULL of the column's type | the column's |
 *
 * NULL stays NULL with every method. `tokenize` needs a token vault that Flink SQL does not have.
 */
import { warning, type Diagnostic } from '../../core/diagnostics.js';
import type { Policy } from '../../project/types.js';
import { maskPlacement } from '../../resolve/columns.js';
import type { ResolvedModel } from '../../resolve/types.js';
import type { CompileContext } from '../context.js';
import { quoteIdent, quoteLiteral } from '../quote.js';
import { nodeError } from './common.js';

type Mask = Extract<Policy, { kind: 'mask' }>;

export const REDACTED = '[REDACTED]';
export const DEFAULT_KEEP_LAST = 4;

/** The masks a Flink job applies to the data it writes. */
export function jobMasks(ctx: CompileContext, m: ResolvedModel): Mask[] {
  return m.node.policies.filter((p): p is Mask => p.kind === 'mask' && maskPlacement(m, p, ctx.resolved.gateway) === 'flink_sql');
}

export function maskExpression(mask: Mask, column: string, type: string): string {
  const c = quoteIdent(column);
  const text = /^(VAR)?CHAR|^STRING/i.test(type) ? c : `CAST(${c} AS STRING)`;
  switch (mask.method) {
    case 'hash':
      return `SHA256(${text})`;
    case 'partial': {
      const n = mask.keepLast ?? DEFAULT_KEEP_LAST;
      if (n === 0) return `REPEAT('*', CHAR_LENGTH(${text}))`;
      return `CASE WHEN CHAR_LENGTH(${text}) > ${n} THEN CONCAT(REPEAT('*', CHAR_LENGTH(${text}) - ${n}), SUBSTRING(${text} FROM CHAR_LENGTH(${text}) - ${n - 1})) ELSE REPEAT('*', CHAR_LENGTH(${text})) END`;
    }
    case 'redact':
      return `CASE WHEN ${c} IS NULL THEN CAST(NULL AS STRING) ELSE ${quoteLiteral(REDACTED)} END`;
    case 'null':
      return `CAST(NULL AS ${type})`;
    case 'tokenize':
      throw new Error('tokenize is not compiled into Flink SQL');
  }
}

/**
 * The query with its masked columns replaced, or the query itself when nothing is masked in the
 * job. `columns` are the query's output columns with their types before masking.
 */
export function maskedQuery(ctx: CompileContext, m: ResolvedModel, query: string, columns: { name: string; type: string }[], diagnostics: Diagnostic[]): string | undefined {
  const masks = jobMasks(ctx, m);
  if (!masks.length) return query;
  const node = m.node;
  const byColumn = new Map<string, Mask>();
  let failed = false;
  for (const p of masks) {
    if (p.method === 'tokenize') {
      diagnostics.push(nodeError(ctx, node.id, 'MASK_METHOD_UNSUPPORTED', `Model "${node.name}" masks column "${p.column}" with method tokenize, which its Flink job cannot enforce: Flink SQL has no token vault`, 'use hash (a stable pseudonym), partial, redact or null; or serve the model through a Gateway and tokenize at read for some roles', p.path));
      failed = true;
      continue;
    }
    if (!columns.some((c) => c.name === p.column)) {
      diagnostics.push(nodeError(ctx, node.id, 'MASK_COLUMN_NOT_FOUND', `Model "${node.name}" masks column "${p.column}", which is not one of its output columns`, `output columns: ${columns.map((c) => c.name).join(', ')}`, p.path));
      failed = true;
      continue;
    }
    if (node.key.includes(p.column) && p.method !== 'hash') {
      diagnostics.push(nodeError(ctx, node.id, 'MASK_KEY_COLUMN', `Model "${node.name}" masks its key column "${p.column}" with ${p.method}: rows with different keys would share one masked key`, 'mask the key with hash (one pseudonym per key), or key the model by another column', p.path));
      failed = true;
      continue;
    }
    if (byColumn.has(p.column)) {
      diagnostics.push(nodeError(ctx, node.id, 'MASK_DUPLICATE', `Model "${node.name}" masks column "${p.column}" twice`, 'keep one mask policy per column', p.path));
      failed = true;
      continue;
    }
    byColumn.set(p.column, p);
  }
  if (failed) return undefined;
  const items = columns.map((c) => {
    const mask = byColumn.get(c.name);
    return mask ? `${maskExpression(mask, c.name, c.type)} AS ${quoteIdent(c.name)}` : quoteIdent(c.name);
  });
  return `SELECT ${items.join(',\n       ')}\nFROM (\n${query}\n) AS ${quoteIdent('streamt_masked')}`;
}

/**
 * What each mask and encrypt policy of a Flink-written model becomes, and what cannot be enforced:
 * a per-role mask without a Gateway is applied for every reader (warning); `encrypt` needs the
 * Gateway, which encrypts on produce, so the job must write through its proxy.
 */
export function policyPlacementDiagnostics(ctx: CompileContext, m: ResolvedModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (m.materialized !== 'flink' && m.materialized !== 'topic') return out;
  const node = m.node;
  const gateway = ctx.project.runtime.conduktor?.gateway;
  for (const p of node.policies) {
    if (p.kind === 'mask' && p.forRoles.length && !gateway) {
      out.push(
        warning('MASK_ROLES_IGNORED', `for_roles of the mask on "${p.column}" is ignored by model "${node.name}": without a Gateway the Flink job masks the column for every reader`, {
          ...node.at(p.path),
          node: node.id,
          hint: 'configure runtime.conduktor.gateway to mask at read for these roles only',
        }),
      );
    }
    if (p.kind === 'encrypt' && !gateway) {
      out.push(nodeError(ctx, node.id, 'ENCRYPT_NEEDS_GATEWAY', `Model "${node.name}" encrypts column "${p.column}", which needs a Conduktor Gateway: streamt compiles encryption to the Gateway's EncryptPlugin and a KMS, and a Flink job cannot encrypt`, 'configure runtime.conduktor.gateway (with proxy_bootstrap and kms), or mask the column (hash, partial, redact, null)', p.path));
    } else if (p.kind === 'encrypt' && !gateway?.proxy_bootstrap) {
      out.push(nodeError(ctx, node.id, 'ENCRYPT_NEEDS_GATEWAY', `Model "${node.name}" encrypts column "${p.column}", but the Gateway encrypts on produce and its Flink job would write to Kafka directly`, 'set runtime.conduktor.gateway.proxy_bootstrap: the job then writes through the Gateway, which encrypts', p.path));
    }
  }
  return out;
}

/** A model whose job must write through the Gateway's proxy (it encrypts on produce). */
export function writesThroughGateway(ctx: CompileContext, m: ResolvedModel): string | undefined {
  const proxy = ctx.project.runtime.conduktor?.gateway?.proxy_bootstrap;
  return proxy && m.node.policies.some((p) => p.kind === 'encrypt') ? proxy : undefined;
}
