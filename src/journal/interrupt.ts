/**
 * SIGINT / SIGTERM during an apply (issue 21). The CLI installs one process-level handler
 * (installInterruptHandler, from cli/action.ts); every applyPlan then watches its signal without
 * the calling command doing anything:
 *   - first signal while an apply runs: the write in flight is finished (and verified), no new
 *     write starts, the run ends with an "interrupted" run-end record, the command exits 130/143;
 *   - a second signal (or the first when no apply runs): the applies still running abandon at
 *     once (their run-end names the change in doubt) and the process exits 130/143.
 * Exit handlers (the state lock, temporary spools) run on every one of these paths.
 */
import type { ApplyCounts } from './journal-records.js';

export type InterruptSignal = 'SIGINT' | 'SIGTERM';

export function exitCodeOfSignal(sig: unknown): 130 | 143 {
  return sig === 'SIGTERM' ? 143 : 130;
}

const controller = new AbortController();
/** Sync hooks of the applies now running: each records its run as interrupted (abandoned). */
const abandonHooks = new Set<(sig: InterruptSignal) => void>();
let installed = false;
let write: (line: string) => void = () => undefined;

/** The process-wide interrupt signal (aborted with 'SIGINT' or 'SIGTERM' as its reason). */
export function processInterruptSignal(): AbortSignal {
  return controller.signal;
}

/** The signal that interrupted this process, if any. */
export function interruptedBy(): InterruptSignal | undefined {
  return controller.signal.aborted ? (controller.signal.reason as InterruptSignal) : undefined;
}

/** applyPlan registers what to record if it is abandoned mid-write; returns the unregister function. */
export function onAbandon(hook: (sig: InterruptSignal) => void): () => void {
  abandonHooks.add(hook);
  return () => abandonHooks.delete(hook);
}

function abandonAndExit(sig: InterruptSignal): never {
  for (const hook of abandonHooks) {
    try {
      hook(sig);
    } catch {
      // the journal could not be written: the run stays "incomplete", which rerun/rollback handle
    }
  }
  process.exit(exitCodeOfSignal(sig));
}

/** Installs the SIGINT/SIGTERM handler once per process; `out` receives the user-facing lines. */
export function installInterruptHandler(out: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): void {
  write = out;
  if (installed) return;
  installed = true;
  const handle = (sig: InterruptSignal): void => {
    if (controller.signal.aborted || abandonHooks.size === 0) {
      if (abandonHooks.size) write(`${sig} again: stopping now; the change being written stays in doubt (the journal says which)`);
      abandonAndExit(controller.signal.aborted ? (controller.signal.reason as InterruptSignal) : sig);
    }
    controller.abort(sig);
    write(`${sig} received: finishing the write in flight, then stopping (send it again to stop at once)`);
  };
  process.on('SIGINT', () => handle('SIGINT'));
  process.on('SIGTERM', () => handle('SIGTERM'));
}

/** Tells the user what an interrupted run left and how to resume (only once the handler is installed). */
export function reportInterrupted(r: { runId: string; counts: ApplyCounts; inDoubt: string[]; signal: InterruptSignal }): void {
  if (!installed) return;
  const c = r.counts;
  write(`interrupted by ${r.signal}: run ${r.runId} stopped with ${c.applied} applied, ${c.alreadyDone} already done, ${c.pending} not started${r.inDoubt.length ? `, in doubt: ${r.inDoubt.join(', ')}` : ''}`);
  write('To resume: run the same command again (it re-reads every target and skips what is done).');
  write(`To see or undo it: laps-migrate journal show ${r.runId} / laps-migrate rollback ${r.runId}`);
}
