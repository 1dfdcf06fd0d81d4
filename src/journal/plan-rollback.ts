/**
 * Rollback: the inverse of every reversible change a run wrote, in reverse order, applied by
 * the same engine (so with the same conflict detection). A DACL goes back to the exact bytes
 * read just before the write; the rollback's expected before-state is what was read back after
 * the write, so a DACL changed since is reported as a conflict rather than overwritten.
 */
import type { Change, Plan } from './change.js';
import { fromJournalChange } from './journal-records.js';
import { inverseFileChange } from './file-change.js';
import { ownershipOf } from './rollback-ownership.js';
import type { RunChange, RunRecord } from './run-record.js';

export interface SkippedChange {
  changeId: string;
  dn: string;
  reason: string;
}

export interface RollbackPlan extends Plan {
  rollbackOf: string;
  /** Changes the run wrote that rollback cannot undo (irreversible, or values not journaled). */
  skipped: SkippedChange[];
  /** How many of the run's changes were never written (nothing to undo). */
  notWritten: number;
  /**
   * Changes this run wrote that a later run changed again: undoing them would discard the later
   * run's change, so the rollback must not run (exit 5): roll back `laterRunId` first.
   */
  blocked: BlockedChange[];
}

export interface BlockedChange {
  changeId: string;
  dn: string;
  laterRunId: string;
  reason: string;
}

/** Did this change (possibly) reach the directory? Refused writes and pure reads did not. */
export function mayHaveWritten(rc: RunChange): boolean {
  if (!rc.writeAttempted) return false;
  switch (rc.state) {
    case 'writing':
    case 'applied':
    case 'verified':
      return true;
    case 'failed': {
      const last = rc.history[rc.history.length - 1];
      return last?.phase === 'verify' || last?.outcome === 'unknown';
    }
    default:
      // 'already-done' / 'conflict' after a refused conditional write: the server wrote nothing of ours
      return false;
  }
}

function inverse(rc: RunChange, runId: string): Change | string {
  const original = fromJournalChange(rc.change);
  if (!original) return 'its values are secret and were not journaled';
  const base = { id: `undo-${original.id}`, dn: original.dn, step: 'rollback', reason: `undo ${runId} ${original.id}: ${original.reason}`, irreversible: false };
  switch (original.kind) {
    case 'modify-attribute': {
      const op = original.operation === 'add' ? 'delete' : original.operation === 'delete' ? 'add' : 'replace';
      return { ...original, ...base, operation: op, before: original.after, after: original.before };
    }
    case 'replace-dacl': {
      // what we wrote, as the server stored it; back to the bytes read just before the write
      const observed = rc.state !== 'writing' && rc.observed && 'descriptor' in rc.observed ? Buffer.from(rc.observed.descriptor, 'base64') : undefined;
      const beforeImage = rc.beforeImage && 'descriptor' in rc.beforeImage ? Buffer.from(rc.beforeImage.descriptor, 'base64') : undefined;
      return { ...original, ...base, before: observed ?? original.after, after: beforeImage ?? original.before };
    }
    case 'add-entry':
      return {
        ...base,
        kind: 'delete-entry',
        secret: original.secret,
        before: original.after,
        after: null,
        binaryAttributes: original.binaryAttributes,
        secretAttributes: original.secretAttributes,
      };
    case 'delete-entry':
      return 'a deleted entry cannot be recreated from the journal';
    case 'replace-file':
      return inverseFileChange(original, rc.state !== 'writing' ? rc.observed : undefined, rc.beforeImage, base);
  }
}

/**
 * The rollback of a run. `laterRuns` (every run of the journal; earlier ones and the run itself
 * are ignored) decides who owns each target now (rollback-ownership.ts): without it, every
 * change the run may have written is undone (the engine's re-read still guards each write).
 */
export function planRollback(run: RunRecord, options: { now?: Date; laterRuns?: RunRecord[] } = {}): RollbackPlan {
  const changes: Change[] = [];
  const skipped: SkippedChange[] = [];
  const blocked: BlockedChange[] = [];
  let notWritten = 0;
  for (const rc of [...run.changes].reverse()) {
    if (!mayHaveWritten(rc)) {
      notWritten++;
      continue;
    }
    const own = ownershipOf(run, rc, options.laterRuns ?? []);
    if (own.owner === 'later-run') {
      skipped.push({
        changeId: rc.change.id,
        dn: rc.change.dn,
        reason: `this run's write did not land (run ${own.later.runId} found the target as before and wrote it${own.later.inDoubt ? ', in doubt' : ''}); the current state belongs to that run: roll back ${own.later.runId} to undo it`,
      });
      continue;
    }
    if (own.owner === 'blocked') {
      blocked.push({
        changeId: rc.change.id,
        dn: rc.change.dn,
        laterRunId: own.later.runId,
        reason: `run ${own.later.runId} changed this target after this run (${own.later.changeId}); undoing this run's change would discard it: roll back ${own.later.runId} first`,
      });
      continue;
    }
    if (rc.change.irreversible) {
      skipped.push({ changeId: rc.change.id, dn: rc.change.dn, reason: 'irreversible' });
      continue;
    }
    const inv = inverse(rc, run.runId);
    if (typeof inv === 'string') skipped.push({ changeId: rc.change.id, dn: rc.change.dn, reason: inv });
    else changes.push(inv);
  }
  return {
    step: 'rollback',
    changes,
    createdAt: (options.now ?? new Date()).toISOString(),
    rollbackOf: run.runId,
    skipped: skipped,
    notWritten,
    blocked,
  };
}
