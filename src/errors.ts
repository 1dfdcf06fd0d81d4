/**
 * Errors a user can cause carry an exit code and advice (CONVENTIONS "Exit codes").
 * Anything that is not a UserError is a bug: the CLI prints a short message and the
 * path of a secret-free log.
 */
export const ExitCode = {
  OK: 0,
  BUG: 1,
  USAGE: 2,
  BLOCKERS: 3,
  CONNECTION: 4,
  PARTIAL: 5,
  ACCESS_DENIED: 6,
  CANNOT_DECRYPT: 7,
  /** The state folder is locked by another run (the message names its PID and start time). */
  LOCKED: 8,
  /** Interrupted by SIGINT (Ctrl+C) / SIGTERM: the journal records the interruption. */
  INTERRUPTED_SIGINT: 130,
  INTERRUPTED_SIGTERM: 143,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class UserError extends Error {
  readonly exitCode: ExitCode;
  readonly advice: string | undefined;
  /** Machine-readable reason, e.g. 'WRONG_PASSWORD', 'TLS_NAME_MISMATCH'. */
  readonly reason: string | undefined;

  constructor(message: string, exitCode: ExitCode, options: { advice?: string; reason?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = exitCode;
    this.advice = options.advice;
    this.reason = options.reason;
  }
}

/** Malformed input (flags, files, blobs, descriptors): exit 2. */
export class InputError extends UserError {
  constructor(message: string, options: { advice?: string; reason?: string; cause?: unknown } = {}) {
    super(message, ExitCode.USAGE, options);
    this.name = 'InputError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
