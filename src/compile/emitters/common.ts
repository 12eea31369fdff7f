/** Helpers shared by the emitters. */
import { error, type Diagnostic } from '../../core/diagnostics.js';
import type { NodeId } from '../../project/types.js';
import type { CompileContext } from '../context.js';

/** A diagnostic about a node, placed at the node's declaration. */
export function nodeError(ctx: CompileContext, id: NodeId, code: string, message: string, hint: string, path: (string | number)[] = []): Diagnostic {
  const node = ctx.resolved.nodes.get(id);
  const loc = node ? (path.length ? node.at(path) : node.loc) : {};
  return error(code, message, { ...loc, node: id, hint });
}

/** Text safe inside a `--` comment: one line, no control characters. */
export function commentText(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' ');
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}
