/**
 * The apply engine. Per change, in plan order:
 *   1. re-read the target;
 *   2. already in the after-state: record "already-done", write nothing (idempotent reruns);
 *   3. not in the planned before-state: record "conflict" and stop (exit 5), never overwrite;
 *   4. record "writing" with the before-image (fsync'd), then write: attribute changes as one
 *      modify that deletes the exact old values and adds the new ones (the server refuses it if
 *      the values changed since step 1); DACLs as a replace with the SD-flags control (Samba
 *      refuses MOD_DELETE on nTSecurityDescriptor, see README "Safe changes" for the window);
 *   5. record "applied", re-read, record "verified" (with what was read back) or "failed".
 * An interrupt (options.signal, by default the process-level SIGINT/SIGTERM signal of
 * interrupt.ts) lets the write in flight finish and be verified, starts no other write and ends
 * the run "interrupted" (exit 130/143); abandoned mid-write, the run-end names the change in doubt.
 * The engine talks to the directory only through the Directory interface.
 * (Over 400 lines: the per-kind read/judge/write functions belong in their own module; that split
 * waits until the GPO file change kind, being added on another branch, has landed.)
 */
import { descriptorsEquivalent } from './descriptor-equality.js';
import type { Directory, Modification } from '../directory/types.js';
import { ExitCode, UserError, isUserError } from '../errors.js';
import { containsValue, journalValues, sameValueSet, valuesMinus, type Value, type ValueMatch } from './attribute-values.js';
import type { Change, Plan } from './change.js';
import { exitCodeOfSignal, onAbandon, processInterruptSignal, reportInterrupted, type InterruptSignal } from './interrupt.js';
import type { ApplyCounts, ChangeState, JournalError, JournalImage, Who } from './journal-records.js';
import type { JournalStore, RunWriter } from './journal-store.js';
import { countStates } from './run-record.js';
import { nodeFileAccess, type FileAccess } from '../directory/sysvol-files.js';
// (over 400 lines: one engine loop and its per-kind helpers; file changes keep theirs in file-change.ts)
import { fileImage, guardVerdict, isFileWriteError, judgeFile, readFileCurrent, writeFile, type FileCurrent } from './file-change.js';

export interface ApplyProgress {
  change: Change;
  /** 0-based position in the plan. */
  index: number;
  total: number;
  state: ChangeState | 'reading';
  message?: string;
}

export interface ApplyOptions {
  /** Irreversible changes run only when this is true, or when the function (a prompt) says yes. */
  confirmIrreversible?: boolean | ((changes: Change[]) => Promise<boolean>);
  onProgress?: (p: ApplyProgress) => void;
  /**
   * Equality of two descriptors for conflicts, "already done" and verification. Default: equal
   * in the explicit ACEs and DACL protection (the DC recomputes inherited ACEs itself).
   */
  descriptorsEqual?: (a: Buffer, b: Buffer) => boolean;
  /** Command-line options to record with the run (secrets are dropped). */
  options?: Record<string, unknown>;
  /**
   * Stops the run between writes (the write in flight finishes). Default: the process-level
   * interrupt signal (SIGINT/SIGTERM once the CLI installed its handler). The abort reason
   * 'SIGTERM' gives exit 143, anything else 130.
   */
  signal?: AbortSignal;
  /** How file changes (SYSVOL) reach their files; default: the local file system / mount. */
  files?: FileAccess;
}

export interface ChangeOutcome {
  changeId: string;
  state: ChangeState;
  message?: string;
  /** The write was sent and its answer lost: it may have reached the server. */
  inDoubt?: boolean;
}

export interface ApplyResult {
  runId: string;
  journalFile: string;
  status: 'completed' | 'stopped' | 'interrupted';
  /** 0 when every change is applied or already done; 5 after a conflict or a part-way stop; 130/143 interrupted. */
  exitCode: number;
  counts: ApplyCounts;
  outcomes: ChangeOutcome[];
  stoppedAt?: { changeId: string; state: 'conflict' | 'failed'; message: string };
  /** Set when an interrupt stopped the run before its end. */
  interrupted?: { signal: InterruptSignal; inDoubt: string[] };
}

/** What a target looks like right now. */
type Current =
  | { kind: 'missing' }
  | { kind: 'values'; values: Value[] }
  | { kind: 'entry'; attributes: Record<string, Value[]> }
  | { kind: 'absent' }
  | { kind: 'descriptor'; bytes: Buffer | undefined }
  | FileCurrent;

type Verdict = { verdict: 'done' } | { verdict: 'ready' } | { verdict: 'conflict'; message: string };

/** LDAP result codes with which a server refuses a write whose preconditions no longer hold. */
const PRECONDITION_CODES = new Map<number, string>([
  [16, 'noSuchAttribute: an old value to delete is gone'],
  [20, 'attributeOrValueExists: a value to add is already there'],
  [32, 'noSuchObject: the object is gone'],
  [68, 'entryAlreadyExists: the entry exists'],
]);

function ldapCodeOf(e: unknown): number | undefined {
  for (let cur: unknown = e, depth = 0; cur && typeof cur === 'object' && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorInfo(e: unknown, secret: boolean): JournalError {
  const name = e instanceof Error ? e.name : 'Error';
  const ldapCode = ldapCodeOf(e);
  const info: JournalError = {
    name,
    // server messages about a secret attribute are not kept: only the code says what happened
    message: secret ? `${name}${ldapCode !== undefined ? ` (LDAP ${ldapCode})` : ''}: message not recorded for a secret attribute` : e instanceof Error ? e.message.split('\n')[0]!.slice(0, 500) : String(e).slice(0, 500),
  };
  if (ldapCode !== undefined) info.ldapCode = ldapCode;
  if (isUserError(e)) {
    info.exitCode = e.exitCode;
    if (e.reason) info.reason = e.reason;
  }
  return info;
}

/** Did the server answer (so an atomic LDAP write is known not to have happened)? */
function writeOutcome(e: unknown): 'not-applied' | 'unknown' {
  if (isUserError(e) && e.exitCode === ExitCode.CONNECTION) return 'unknown';
  // a file is replaced by an atomic rename: a failed file write changed nothing
  if (isFileWriteError(e)) return 'not-applied';
  return ldapCodeOf(e) !== undefined ? 'not-applied' : 'unknown';
}

function lowerKeys(attrs: Record<string, Value[]>): Record<string, Value[]> {
  const out: Record<string, Value[]> = {};
  for (const [k, v] of Object.entries(attrs)) out[k.toLowerCase()] = v;
  return out;
}

/** Every expected value is present (entries carry more attributes and values than we set). */
function entryHas(current: Record<string, Value[]>, expected: Record<string, Value[]>): boolean {
  return Object.entries(expected).every(([name, vals]) => {
    const have = current[name.toLowerCase()] ?? [];
    return vals.every((v) => containsValue(have, v, typeof v === 'string' ? 'case-ignore' : 'exact'));
  });
}

async function readCurrent(dir: Directory, c: Change, files: FileAccess = nodeFileAccess): Promise<Current> {
  switch (c.kind) {
    case 'replace-file':
      return readFileCurrent(files, c);
    case 'modify-attribute': {
      const entry = await dir.read(c.dn, [c.attribute], c.binary ? { binaryAttributes: [c.attribute] } : undefined);
      if (!entry) return { kind: 'missing' };
      return { kind: 'values', values: entry.attributes[c.attribute.toLowerCase()] ?? [] };
    }
    case 'add-entry':
    case 'delete-entry': {
      const values = c.kind === 'add-entry' ? c.after : c.before;
      const entry = await dir.read(c.dn, Object.keys(values), c.binaryAttributes.length ? { binaryAttributes: c.binaryAttributes } : undefined);
      if (!entry) return { kind: 'absent' };
      return { kind: 'entry', attributes: lowerKeys(entry.attributes) };
    }
    case 'replace-dacl': {
      const entry = await dir.read(c.dn, ['nTSecurityDescriptor'], { binaryAttributes: ['nTSecurityDescriptor'], sdFlags: c.sdFlags });
      if (!entry) return { kind: 'missing' };
      const v = entry.attributes['ntsecuritydescriptor']?.[0];
      return { kind: 'descriptor', bytes: v === undefined ? undefined : typeof v === 'string' ? Buffer.from(v, 'latin1') : v };
    }
  }
}

function judge(c: Change, cur: Current, equal: (a: Buffer, b: Buffer) => boolean): Verdict {
  switch (c.kind) {
    case 'modify-attribute': {
      if (cur.kind !== 'values') return { verdict: 'conflict', message: 'the object does not exist' };
      if (isDone(c.operation, c.before, c.after, cur.values, c.match)) return { verdict: 'done' };
      if (sameValueSet(cur.values, c.before, c.match)) return { verdict: 'ready' };
      return { verdict: 'conflict', message: `${c.attribute} differs from the planned before-state` };
    }
    case 'add-entry':
      if (cur.kind === 'absent') return { verdict: 'ready' };
      if (cur.kind === 'entry' && entryHas(cur.attributes, c.after)) return { verdict: 'done' };
      return { verdict: 'conflict', message: 'an entry with this DN already exists and differs from the planned one' };
    case 'delete-entry':
      if (cur.kind === 'absent') return { verdict: 'done' };
      if (cur.kind === 'entry' && entryHas(cur.attributes, c.before)) return { verdict: 'ready' };
      return { verdict: 'conflict', message: 'the entry differs from the planned before-state' };
    case 'replace-dacl': {
      if (cur.kind !== 'descriptor') return { verdict: 'conflict', message: 'the object does not exist' };
      if (!cur.bytes) return { verdict: 'conflict', message: 'the security descriptor could not be read (missing READ_CONTROL?)' };
      if (equal(cur.bytes, c.after)) return { verdict: 'done' };
      if (equal(cur.bytes, c.before)) return { verdict: 'ready' };
      return { verdict: 'conflict', message: 'the DACL was changed since the plan was made' };
    }
    case 'replace-file':
      return cur.kind === 'file' ? judgeFile(c, cur) : { verdict: 'conflict', message: 'not a file' };
  }
}

/**
 * "Desired state" of an attribute change. A replace must match exactly; an add (delete) is done
 * when the added values are present and the removed ones absent, even if others changed.
 */
function isDone(op: 'add' | 'replace' | 'delete', before: Value[], after: Value[], current: Value[], match: ValueMatch): boolean {
  if (sameValueSet(current, after, match)) return true;
  // a replace, and a delete that leaves nothing ("clear it"), must match exactly
  if (op === 'replace' || after.length === 0) return false;
  const added = valuesMinus(after, before, match);
  const removed = valuesMinus(before, after, match);
  return added.every((v) => containsValue(current, v, match)) && removed.every((v) => !containsValue(current, v, match));
}

function image(c: Change, cur: Current): JournalImage {
  switch (cur.kind) {
    case 'missing':
    case 'absent':
      return { absent: true };
    case 'values':
      return { values: journalValues(cur.values, c.secret) };
    case 'entry': {
      const secrets = new Set(c.kind === 'add-entry' || c.kind === 'delete-entry' ? c.secretAttributes.map((s) => s.toLowerCase()) : []);
      const names = c.kind === 'add-entry' ? Object.keys(c.after) : c.kind === 'delete-entry' ? Object.keys(c.before) : [];
      const entry: Record<string, ReturnType<typeof journalValues>> = {};
      for (const n of names) entry[n] = journalValues(cur.attributes[n.toLowerCase()] ?? [], secrets.has(n.toLowerCase()));
      return { entry };
    }
    case 'descriptor':
      return cur.bytes ? { descriptor: cur.bytes.toString('base64') } : { absent: true };
    case 'file':
      return fileImage(cur);
  }
}

async function write(dir: Directory, c: Change, cur: Current, files: FileAccess = nodeFileAccess): Promise<void> {
  switch (c.kind) {
    case 'replace-file':
      if (cur.kind === 'file') writeFile(files, c, cur);
      return;
    case 'modify-attribute': {
      const current = cur.kind === 'values' ? cur.values : [];
      // delete the exact values as the server holds them, add the new ones: one atomic modify
      const removed = valuesMinus(current, c.after, c.match);
      const added = valuesMinus(c.after, current, c.match);
      const mods: Modification[] = [];
      if (removed.length) mods.push({ operation: 'delete', attribute: c.attribute, values: removed });
      if (added.length) mods.push({ operation: 'add', attribute: c.attribute, values: added });
      if (mods.length) await dir.modify(c.dn, mods);
      return;
    }
    case 'add-entry':
      await dir.add(c.dn, c.after);
      return;
    case 'delete-entry':
      await dir.delete(c.dn);
      return;
    case 'replace-dacl':
      await dir.modify(c.dn, [{ operation: 'replace', attribute: 'nTSecurityDescriptor', values: [c.after] }], { sdFlags: c.sdFlags });
      return;
  }
}

function journalFailure(e: unknown, file: string): UserError {
  const code = (e as { code?: unknown }).code;
  return new UserError(`the journal could not be written (${typeof code === 'string' ? code : e instanceof Error ? e.message : 'error'}); stopped`, ExitCode.PARTIAL, {
    reason: 'JOURNAL_WRITE_FAILED',
    advice: `Free space or fix permissions, then rerun: it re-reads every target. The journal ${file} names the last change whose write was announced.`,
    cause: e,
  });
}

async function confirmed(plan: Plan, opt: ApplyOptions['confirmIrreversible']): Promise<void> {
  const irreversible = plan.changes.filter((c) => c.irreversible);
  if (irreversible.length === 0) return;
  const ok = typeof opt === 'function' ? await opt(irreversible) : opt === true;
  if (!ok) {
    throw new UserError(`the plan has ${irreversible.length} irreversible change${irreversible.length === 1 ? '' : 's'} (${irreversible.map((c) => c.id).join(', ')}); nothing was written`, ExitCode.USAGE, {
      reason: 'IRREVERSIBLE_NOT_CONFIRMED',
      advice: 'Review the plan, then add --confirm-irreversible (--yes never covers irreversible changes).',
    });
  }
}

async function identify(dir: Directory): Promise<Who> {
  try {
    const me = await dir.whoAmI();
    return { dn: me.dn, sid: me.sid };
  } catch (e) {
    return { dn: `(unknown: ${e instanceof Error ? e.message.split('\n')[0] : 'whoAmI failed'})` };
  }
}

/** Applies a plan through the journal. Throws only before the first write (exit 2) or if the journal itself fails. */
export async function applyPlan(dir: Directory, plan: Plan, journal: JournalStore, options: ApplyOptions = {}): Promise<ApplyResult> {
  await confirmed(plan, options.confirmIrreversible);
  const equal = options.descriptorsEqual ?? descriptorsEquivalent;
  const files = options.files ?? nodeFileAccess;
  const who = await identify(dir);
  const run: RunWriter = journal.startRun({
    kind: plan.rollbackOf ? 'rollback' : 'apply',
    step: plan.step,
    ...(plan.rollbackOf ? { rollbackOf: plan.rollbackOf } : {}),
    who,
    server: dir.facts.url,
    tls: dir.facts.tls,
    ...(options.options ? { options: options.options } : {}),
  });
  const signal = options.signal ?? processInterruptSignal();
  const interruptSignal = (): InterruptSignal => (signal.reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
  const inDoubtIds = (): string[] => outcomes.filter((o) => o.state === 'writing' || o.inDoubt).map((o) => o.changeId);
  // abandoned mid-write (a second signal): the run-end says which change is in doubt
  const unregister = onAbandon((sig) => {
    if (run.isEnded) return;
    const counts = countStates(outcomes);
    run.end('interrupted', exitCodeOfSignal(sig), counts, undefined, { signal: sig, inDoubt: inDoubtIds() });
    reportInterrupted({ runId: run.runId, counts, inDoubt: inDoubtIds(), signal: sig });
  });
  const j = (fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      run.abandon();
      unregister();
      throw journalFailure(e, run.file);
    }
  };
  j(() => run.recordPlan(plan));

  const total = plan.changes.length;
  const outcomes: ChangeOutcome[] = plan.changes.map((c) => ({ changeId: c.id, state: 'planned' }));
  const progress = (p: ApplyProgress): void => {
    try {
      options.onProgress?.(p);
    } catch {
      // a broken progress display must not stop an apply half-way
    }
  };
  let stoppedAt: ApplyResult['stoppedAt'];
  let stopError: unknown;
  // writes that did or may have reached the server (a lost answer counts)
  let written = 0;
  let interrupted = false;

  for (let index = 0; index < total && !stoppedAt; index++) {
    if (signal.aborted) {
      interrupted = true;
      break;
    }
    const c = plan.changes[index]!;
    const set = (state: ChangeState, message?: string, inDoubt?: boolean): void => {
      outcomes[index] = { changeId: c.id, state, ...(message ? { message } : {}), ...(inDoubt ? { inDoubt } : {}) };
      progress({ change: c, index, total, state, ...(message ? { message } : {}) });
    };
    const stop = (state: 'conflict' | 'failed', message: string, e?: unknown, inDoubt?: boolean): void => {
      set(state, message, inDoubt);
      stoppedAt = { changeId: c.id, state, message };
      stopError = e;
    };
    progress({ change: c, index, total, state: 'reading' });

    // 1. re-read
    let cur: Current;
    try {
      cur = await readCurrent(dir, c, files);
    } catch (e) {
      const err = errorInfo(e, c.secret);
      j(() => run.recordState(c.id, 'failed', { phase: 'read', outcome: 'not-applied', error: err }));
      stop('failed', `reading the target failed: ${err.message}`, e);
      break;
    }

    // 2./3. already done, or someone else's change
    let v = judge(c, cur, equal);
    // a GPO's other half must still be as planned before its first file is written
    if (v.verdict === 'ready' && c.kind === 'replace-file') v = await guardVerdict(dir, files, c);
    if (v.verdict === 'done') {
      j(() => run.recordState(c.id, 'already-done', { observed: image(c, cur) }));
      set('already-done');
      continue;
    }
    if (v.verdict === 'conflict') {
      j(() => run.recordState(c.id, 'conflict', { observed: image(c, cur), note: v.message }));
      stop('conflict', v.message);
      break;
    }

    // 4. announce (on disk before the write), then write; an interrupt that came during the read starts no write
    if (signal.aborted) {
      interrupted = true;
      break;
    }
    j(() => run.recordState(c.id, 'writing', { beforeImage: image(c, cur) }));
    set('writing');
    try {
      await write(dir, c, cur, files);
    } catch (e) {
      const code = ldapCodeOf(e);
      const why = code !== undefined ? PRECONDITION_CODES.get(code) : undefined;
      if (why) {
        // the conditional write was refused: the target changed between our read and our write
        let again: Current | undefined;
        try {
          again = await readCurrent(dir, c, files);
        } catch {
          again = undefined;
        }
        if (again && judge(c, again, equal).verdict === 'done') {
          j(() => run.recordState(c.id, 'already-done', { observed: image(c, again), note: `changed to the planned state by someone else meanwhile (${why})` }));
          set('already-done');
          continue;
        }
        const message = `the target changed between the re-read and the write (server: ${why}); not overwritten`;
        j(() => run.recordState(c.id, 'conflict', { ...(again ? { observed: image(c, again) } : {}), note: message, error: errorInfo(e, c.secret) }));
        stop('conflict', message);
        break;
      }
      const err = errorInfo(e, c.secret);
      const outcome = writeOutcome(e);
      if (outcome === 'unknown') written++;
      j(() => run.recordState(c.id, 'failed', { phase: 'write', outcome, error: err }));
      stop('failed', `the write failed${outcome === 'unknown' ? ' (it may have reached the server)' : ''}: ${err.message}`, e, outcome === 'unknown');
      break;
    }
    written++;
    j(() => run.recordState(c.id, 'applied'));
    set('applied');

    // 5. verify
    let after: Current;
    try {
      after = await readCurrent(dir, c, files);
    } catch (e) {
      const err = errorInfo(e, c.secret);
      j(() => run.recordState(c.id, 'failed', { phase: 'verify', error: err, note: 'written; the read-back failed' }));
      stop('failed', `written, but reading it back failed: ${err.message}`, e);
      break;
    }
    if (judge(c, after, equal).verdict === 'done') {
      j(() => run.recordState(c.id, 'verified', { observed: image(c, after) }));
      set('verified');
    } else {
      const message = 'written, but the read-back differs from the planned after-state';
      j(() => run.recordState(c.id, 'failed', { phase: 'verify', observed: image(c, after), note: message }));
      stop('failed', message);
      break;
    }
  }

  unregister();
  const counts = countStates(outcomes);
  let exitCode: number = ExitCode.OK;
  if (interrupted) {
    const sig = interruptSignal();
    const inDoubt = inDoubtIds();
    exitCode = exitCodeOfSignal(sig);
    j(() => run.end('interrupted', exitCode, counts, undefined, { signal: sig, inDoubt }));
    reportInterrupted({ runId: run.runId, counts, inDoubt, signal: sig });
    return { runId: run.runId, journalFile: run.file, status: 'interrupted', exitCode, counts, outcomes, interrupted: { signal: sig, inDoubt } };
  }
  if (stoppedAt) {
    exitCode = ExitCode.PARTIAL;
    // nothing (possibly) written yet and the server refused us (no rights, no connection): say so precisely
    if (stoppedAt.state === 'failed' && written === 0 && isUserError(stopError) && (stopError.exitCode === ExitCode.CONNECTION || stopError.exitCode === ExitCode.ACCESS_DENIED)) {
      exitCode = stopError.exitCode;
    }
  }
  const status = stoppedAt ? 'stopped' : 'completed';
  j(() => run.end(status, exitCode, counts, stoppedAt?.changeId));
  return { runId: run.runId, journalFile: run.file, status, exitCode, counts, outcomes, ...(stoppedAt ? { stoppedAt } : {}) };
}
