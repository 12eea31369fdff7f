/**
 * Whether `apply` (and `destroy`) may go ahead, as Terraform decides: a fresh plan is applied
 * after the user types `yes` on a terminal, or with `--auto-approve` (`--confirm` too); without a
 * terminal and without either flag, nothing is applied (Terraform's `-input=false` without
 * `-auto-approve` refuses the same way). A saved plan file was reviewed when it was written and is
 * applied without a question. A protected environment always asks for its name, unless
 * `--confirm` (CI); `--auto-approve` alone does not skip that question.
 */
import { error, type Diagnostic } from '../core/diagnostics.js';
import { plural } from '../ui/plural.js';

export interface ConfirmInput {
  changes: number;
  environment?: { name: string; protected: boolean } | undefined;
  savedPlan: boolean;
  autoApprove?: boolean | undefined;
  confirm?: boolean | undefined;
  ask?: ((question: string) => Promise<string>) | undefined;
  /** What is being done, for the question: "apply" or "destroy". */
  verb?: 'apply' | 'destroy';
}

export async function confirmApply(i: ConfirmInput): Promise<Diagnostic | undefined> {
  const what = i.verb === 'destroy' ? `destroy ${plural(i.changes, 'resource')}` : `apply ${plural(i.changes, 'change')}`;
  const flag = i.verb === 'destroy' ? 'streamt destroy --auto-approve' : 'streamt apply --auto-approve';
  if (i.environment?.protected) {
    if (i.confirm) return undefined;
    if (!i.ask) return error('APPLY_CONFIRMATION_REQUIRED', `Environment ${i.environment.name} is protected: ${i.verb ?? 'apply'} needs a confirmation`, { hint: 'run it on a terminal and type the environment name, or pass --confirm (CI)' });
    const answer = (await i.ask(`Environment ${i.environment.name} is protected. Type its name to ${what}: `)).trim();
    if (answer !== i.environment.name) return error('APPLY_CONFIRMATION_REQUIRED', `Not applied: "${answer}" is not the environment name ${i.environment.name}`);
    return undefined;
  }
  if (i.savedPlan || i.autoApprove || i.confirm) return undefined;
  if (!i.ask) {
    return error('APPLY_CONFIRMATION_REQUIRED', `Nothing was done: ${i.verb ?? 'apply'} asks for a confirmation and there is no terminal to ask on`, {
      hint: `review the plan, then pass --auto-approve (CI: ${flag}), or save it with streamt plan --out plan.json and apply that file`,
    });
  }
  const answer = (await i.ask(`Do you want to ${what}? Only 'yes' will be accepted: `)).trim();
  if (answer !== 'yes') return error('APPLY_CONFIRMATION_REQUIRED', `Cancelled: the answer was ${JSON.stringify(answer)}, not "yes"; nothing was done`);
  return undefined;
}
