/**
 * Wraps a command's action: turns UserErrors into a message + exit code, and anything else
 * into a short "this is a bug" message plus a secret-free log file under the state folder.
 */
import { ExitCode, isUserError } from '../errors.js';
import { exitCodeOfSignal, installInterruptHandler, interruptedBy } from '../journal/interrupt.js';
import { writeBugLog } from './buglog.js';

export type Action<A extends unknown[]> = (...args: A) => Promise<number | void> | number | void;

export function action<A extends unknown[]>(fn: Action<A>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    // SIGINT/SIGTERM: an apply in progress ends its journal run as "interrupted" (journal/interrupt.ts)
    installInterruptHandler();
    try {
      const code = await fn(...args);
      process.exitCode = typeof code === 'number' ? code : ExitCode.OK;
    } catch (e) {
      process.exitCode = reportError(e);
    }
    const sig = interruptedBy();
    if (sig) process.exitCode = exitCodeOfSignal(sig);
  };
}

export function reportError(e: unknown): number {
  // Ctrl+C at a prompt (inquirer reads the terminal raw, so no SIGINT is raised): cancelled, not a bug
  if (e instanceof Error && e.name === 'ExitPromptError') {
    process.stderr.write('cancelled (Ctrl+C); nothing more was done\n');
    return ExitCode.INTERRUPTED_SIGINT;
  }
  if (isUserError(e)) {
    process.stderr.write(`error: ${e.message}\n`);
    if (e.advice) process.stderr.write(`hint: ${e.advice}\n`);
    return e.exitCode;
  }
  const logPath = writeBugLog(e);
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`error: unexpected failure (a bug in laps-migrate): ${msg}\n`);
  if (logPath) process.stderr.write(`details: ${logPath}\n`);
  return ExitCode.BUG;
}
