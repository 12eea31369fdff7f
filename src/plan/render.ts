/** Terraform-like text for a plan (pure: returns lines; colour through the given chalk). */
import type { ChalkInstance } from 'chalk';
import type { FieldChange, Plan, ResourceChange } from './types.js';

const SYMBOL: Record<ResourceChange['action'], string> = { create: '+', update: '~', replace: '-/+', delete: '-', 'no-op': ' ' };

function show(v: unknown, max = 100): string {
  if (v === undefined) return '(unset)';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…"` : s;
}

/** For two long strings: the region around their first difference, so the change stays visible. */
export function around(before: string, after: string, width = 90): [string, string] {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before[endB - 1] === after[endA - 1]) {
    endB--;
    endA--;
  }
  const from = Math.max(0, start - 30);
  const cut = (s: string, end: number) => {
    const to = Math.min(s.length, Math.max(end, start) + 30, from + width);
    return `${from > 0 ? '…' : ''}${s.slice(from, to)}${to < s.length ? '…' : ''}`;
  };
  return [cut(before, endB), cut(after, endA)];
}

function field(f: FieldChange): string {
  if (typeof f.before === 'string' && typeof f.after === 'string' && (f.before.length > 100 || f.after.length > 100) && !f.sensitive) {
    const [b, a] = around(f.before, f.after);
    return `${f.field}:\n          - ${b}\n          + ${a}`;
  }
  if (f.sensitive) return `${f.field}: (sensitive value ${f.before === undefined ? 'set' : f.after === undefined ? 'removed' : 'changed'})`;
  if (f.before === undefined && 'after' in f) return `${f.field}: ${show(f.after)}`;
  if (f.after === undefined) return `${f.field}: ${show(f.before)} → (unset)`;
  return `${f.field}: ${show(f.before)} → ${show(f.after)}`;
}

function steps(c: ResourceChange): string {
  if (c.recordOnly) return 'record only';
  if (!c.steps?.length) return c.action;
  return `${c.action}: ${c.steps.join(', then ')}`;
}

export function renderPlan(p: Plan, c: ChalkInstance, o: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  const colour = (a: ResourceChange['action']) => (a === 'create' ? c.green : a === 'update' ? c.yellow : a === 'no-op' ? c.dim : c.red);
  lines.push(`streamt plan for project ${c.bold(p.project)}${p.environment ? ` (environment ${p.environment})` : ''}`);
  lines.push('');
  const act = p.changes.filter((x) => x.action !== 'no-op');
  for (const ch of act) {
    const col = colour(ch.action);
    lines.push(`  ${col(SYMBOL[ch.action].padEnd(3))} ${col(ch.addr)} ${c.dim(`(${steps(ch)})`)}${ch.orphan ? c.dim(' orphan') : ''}`);
    for (const r of ch.reasons) lines.push(`        ${c.dim('# ' + r)}`);
    for (const f of ch.fields) lines.push(`        ${field(f)}`);
    for (const w of ch.warnings ?? []) lines.push(`        ${c.yellow('warning: ' + w)}`);
    if (ch.impacts.length) lines.push(`        ${c.cyan('impacts: ' + ch.impacts.join(', '))}`);
    if (ch.blocked) {
      lines.push(`        ${c.red(`✗ cannot apply (${ch.blocked.code}): ${ch.blocked.message}`)}`);
      if (ch.blocked.location) lines.push(`          ${c.dim(`at ${ch.blocked.location.file}:${ch.blocked.location.line}:${ch.blocked.location.column}`)}`);
      if (ch.blocked.hint) lines.push(`          ${c.dim('hint: ' + ch.blocked.hint)}`);
    }
  }
  const kept = p.changes.filter((x) => x.action === 'no-op' && x.orphan);
  if (kept.length) {
    if (act.length) lines.push('');
    lines.push(`Orphans, owned by this project but no longer declared (kept; plan with --prune to delete them):`);
    for (const ch of kept) lines.push(`  ${c.magenta('?')}   ${ch.addr}${ch.reasons.length ? c.dim(`  # ${ch.reasons[0]}`) : ''}`);
  }
  const warn = p.changes.filter((x) => x.action === 'no-op' && x.warnings?.length);
  for (const ch of warn) for (const w of ch.warnings ?? []) lines.push(`  ${c.yellow('warning')} ${ch.addr}: ${w}`);
  if (o.verbose) {
    const same = p.changes.filter((x) => x.action === 'no-op' && !x.orphan);
    if (same.length) {
      lines.push('');
      lines.push(c.dim(`Unchanged (${same.length}):`));
      for (const ch of same) lines.push(c.dim(`      ${ch.addr}`));
    }
  }
  if (lines[lines.length - 1] !== '') lines.push('');
  const s = p.summary;
  if (!act.length) lines.push(c.green('No changes.') + ' The live systems match the project.');
  else lines.push(`Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete${s.no_op ? `, ${s.no_op} unchanged` : ''}.`);
  if (s.blocked) lines.push(c.red(`${s.blocked} change${s.blocked === 1 ? '' : 's'} cannot be applied as planned (see ✗ above); apply refuses this plan.`));
  return lines.join('\n');
}
