/**
 * A run as read back from its journal file: header, planned changes and, for each change, its
 * last state and history. This is what `journal show`, exports and planRollback work from.
 */
import {
  JOURNAL_FORMAT,
  type ApplyCounts,
  type ChangeState,
  type ChangeStateRecord,
  type JournalChange,
  type JournalError,
  type JournalImage,
  type RunEndRecord,
  type RunEndStatus,
  type RunRecordLine,
  type RunStartRecord,
} from './journal-records.js';

export interface ChangeHistoryItem {
  state: ChangeState;
  at: string;
  phase?: ChangeStateRecord['phase'];
  outcome?: ChangeStateRecord['outcome'];
  error?: JournalError;
  note?: string;
}

export interface RunChange {
  change: JournalChange;
  state: ChangeState;
  history: ChangeHistoryItem[];
  /** A write was announced (so the directory may hold this change's after-state). */
  writeAttempted: boolean;
  /** The target as read just before the write (the before-image rollback restores). */
  beforeImage?: JournalImage;
  /** The target as last read back (after the write, or at a conflict). */
  observed?: JournalImage;
  error?: JournalError;
}

export type RunStatus = RunEndStatus | 'incomplete';

/** What the run-start record says about the run, as kept in the read-back record. */
export type RunHeader = Pick<RunStartRecord, 'runId' | 'kind' | 'step' | 'rollbackOf' | 'who' | 'server' | 'tls' | 'options' | 'toolVersion'>;

export interface RunRecord extends RunHeader {
  startedAt: string;
  endedAt?: string;
  /** 'incomplete': no run-end record (the process was killed, crashed or is still running). */
  status: RunStatus;
  exitCode?: number;
  stoppedAt?: string;
  /** For an interrupted run: the signal and the changes left in doubt. */
  interrupted?: Pick<RunEndRecord, 'signal' | 'inDoubt'>;
  planCreatedAt?: string;
  changes: RunChange[];
  counts: ApplyCounts;
  warnings: string[];
}

/** Folds the records of one run file into a RunRecord. */
export function buildRunRecord(lines: RunRecordLine[], warnings: string[] = []): RunRecord {
  const start = lines.find((l): l is RunStartRecord => l.type === 'run-start');
  if (!start) throw new Error('the run file has no run-start record');
  const out: RunRecord = {
    runId: start.runId,
    kind: start.kind,
    step: start.step,
    ...(start.rollbackOf ? { rollbackOf: start.rollbackOf } : {}),
    who: start.who,
    server: start.server,
    ...(start.tls ? { tls: start.tls } : {}),
    options: start.options,
    toolVersion: start.toolVersion,
    startedAt: start.at,
    status: 'incomplete',
    changes: [],
    counts: { planned: 0, applied: 0, alreadyDone: 0, conflicts: 0, failed: 0, inDoubt: 0, pending: 0 },
    warnings: [...warnings],
  };
  const byId = new Map<string, RunChange>();
  const newer = new Set<number>();
  for (const line of lines) {
    if (typeof line.journal === 'number' && line.journal > JOURNAL_FORMAT) newer.add(line.journal);
    switch (line.type) {
      case 'plan':
        out.planCreatedAt = line.createdAt;
        for (const change of line.changes) {
          const rc: RunChange = { change, state: 'planned', history: [{ state: 'planned', at: line.at }], writeAttempted: false };
          out.changes.push(rc);
          byId.set(change.id, rc);
        }
        break;
      case 'change': {
        const rc = byId.get(line.changeId);
        if (!rc) {
          out.warnings.push(`a state record names change ${line.changeId}, which the plan does not list`);
          break;
        }
        rc.state = line.state;
        rc.history.push({
          state: line.state,
          at: line.at,
          ...(line.phase ? { phase: line.phase } : {}),
          ...(line.outcome ? { outcome: line.outcome } : {}),
          ...(line.error ? { error: line.error } : {}),
          ...(line.note ? { note: line.note } : {}),
        });
        if (line.state === 'writing') {
          rc.writeAttempted = true;
          if (line.beforeImage) rc.beforeImage = line.beforeImage;
        }
        if (line.observed) rc.observed = line.observed;
        if (line.error) rc.error = line.error;
        break;
      }
      case 'run-end':
        out.status = line.status;
        out.endedAt = line.at;
        out.exitCode = line.exitCode;
        if (line.stoppedAt) out.stoppedAt = line.stoppedAt;
        if (line.status === 'interrupted') out.interrupted = { ...(line.signal ? { signal: line.signal } : {}), inDoubt: line.inDoubt ?? [] };
        break;
      default:
        break;
    }
  }
  for (const v of newer) out.warnings.push(`records in journal format ${v} were written by a newer laps-migrate; this version reads format ${JOURNAL_FORMAT}`);
  out.counts = countStates(out.changes);
  return out;
}

/**
 * In doubt: the write was sent and its answer is unknown ('writing' with no later record, or a
 * failed write whose answer was lost): the next rerun or rollback re-reads and decides.
 */
export function isInDoubt(rc: Pick<RunChange, 'state'> & { history?: ChangeHistoryItem[]; inDoubt?: boolean }): boolean {
  if (rc.inDoubt !== undefined) return rc.inDoubt;
  if (rc.state === 'writing') return true;
  const last = rc.history?.[rc.history.length - 1];
  return rc.state === 'failed' && last?.phase === 'write' && last.outcome === 'unknown';
}

/** Counts from the change states; an in-doubt change is counted as in doubt, not as failed. */
export function countStates(changes: Array<Pick<RunChange, 'state'> & { history?: ChangeHistoryItem[]; inDoubt?: boolean }>): ApplyCounts {
  const c: ApplyCounts = { planned: changes.length, applied: 0, alreadyDone: 0, conflicts: 0, failed: 0, inDoubt: 0, pending: 0 };
  for (const rc of changes) {
    const { state } = rc;
    if (state === 'applied' || state === 'verified') c.applied++;
    else if (state === 'already-done') c.alreadyDone++;
    else if (state === 'conflict') c.conflicts++;
    else if (isInDoubt(rc)) c.inDoubt++;
    else if (state === 'failed') c.failed++;
    else c.pending++;
  }
  return c;
}

/** Human wording for a state. */
export function describeState(rc: Pick<RunChange, 'state' | 'writeAttempted' | 'history'>): string {
  switch (rc.state) {
    case 'planned':
      return 'pending (not attempted)';
    case 'writing':
      return 'in doubt (write sent, no answer recorded: re-read decides)';
    case 'applied':
      return 'applied (written, not verified)';
    case 'verified':
      return 'applied and verified';
    case 'already-done':
      return 'already done (nothing written)';
    case 'conflict':
      return 'conflict (not written)';
    case 'failed': {
      const last = rc.history[rc.history.length - 1];
      if (last?.phase === 'verify') return 'written, verification failed';
      if (last?.outcome === 'unknown') return 'failed (the write may have reached the server)';
      return rc.writeAttempted ? 'failed (not applied)' : 'failed before writing';
    }
  }
}
