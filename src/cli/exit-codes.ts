/** One table for every exit code streamt uses. */
export const ExitCode = {
  /** Success (for plan --detailed-exitcode: no changes). */
  OK: 0,
  /** Invalid project, user error, or a failure the user can act on. */
  FAILURE: 1,
  /** plan --detailed-exitcode: the plan has changes. */
  CHANGES: 2,
  /** A bug in streamt (sysexits EX_SOFTWARE). */
  INTERNAL: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
