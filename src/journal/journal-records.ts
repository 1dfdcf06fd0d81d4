/**
 * What the journal files hold: one JSON object per line, every one with `journal` (the format
 * version), `type` and `at`. A run file holds run-start, plan, change-state records and
 * run-end; the index holds run-index / run-index-end; reads.jsonl holds read-event records.
 * Secret values never get here: changes are converted with toJournalChange().
 */
import type { Change } from './change.js';
import { journalValues, valuesFromJournal, type JournalValues, type Value } from './attribute-values.js';
import { fromJournalFileChange, toJournalFileChange, type JournalFileChange } from './file-change.js';

/**
 * Format 2 (issue 21): a run-end / run-index-end status may be "interrupted" (SIGINT/SIGTERM),
 * with `signal` and `inDoubt` on the run-end record. Format 1 files read unchanged.
 */
export const JOURNAL_FORMAT = 2;

export type RunEndStatus = 'completed' | 'stopped' | 'interrupted';

export type ChangeState = 'planned' | 'writing' | 'applied' | 'verified' | 'already-done' | 'conflict' | 'failed';

interface JournalChangeBase {
  id: string;
  dn: string;
  step: string;
  reason: string;
  irreversible: boolean;
  secret: boolean;
}

export type JournalChange =
  | (JournalChangeBase & {
      kind: 'add-entry' | 'delete-entry';
      /** after-state of add-entry, before-state of delete-entry */
      attributes: Record<string, JournalValues>;
      binaryAttributes: string[];
      secretAttributes: string[];
    })
  | (JournalChangeBase & {
      kind: 'modify-attribute';
      attribute: string;
      operation: 'add' | 'replace' | 'delete';
      binary: boolean;
      match: 'exact' | 'case-ignore';
      before: JournalValues;
      after: JournalValues;
    })
  | (JournalChangeBase & {
      kind: 'replace-dacl';
      sdFlags: number;
      /** base64 of the self-relative descriptors (descriptors are not secrets) */
      before: string;
      after: string;
    })
  | JournalFileChange;

/** What was read from the directory at some moment: attribute values, a descriptor, or "absent". */
export type JournalImage =
  | { absent: true }
  | { values: JournalValues }
  | { entry: Record<string, JournalValues> }
  | { descriptor: string }
  /** a file's bytes, base64 (GPO files hold no secrets) */
  | { file: string };

export interface JournalError {
  name: string;
  message: string;
  /** LDAP result code, when the server answered with one. */
  ldapCode?: number;
  /** Exit code of a UserError (4 connection, 6 access denied...). */
  exitCode?: number;
  reason?: string;
}

export interface Who {
  dn: string;
  sid?: string;
  /** Operating-system account that ran the tool. */
  osUser?: string;
  host?: string;
}

interface RecordBase {
  journal: number;
  at: string;
}

export interface RunStartRecord extends RecordBase {
  type: 'run-start';
  runId: string;
  kind: 'apply' | 'rollback';
  step: string;
  rollbackOf?: string;
  who: Who;
  server: string;
  tls?: string;
  options: Record<string, unknown>;
  toolVersion: string;
  pid: number;
}

export interface PlanRecord extends RecordBase {
  type: 'plan';
  runId: string;
  createdAt: string;
  changes: JournalChange[];
}

export interface ChangeStateRecord extends RecordBase {
  type: 'change';
  runId: string;
  changeId: string;
  state: Exclude<ChangeState, 'planned'>;
  /** For 'writing': what the target looked like just before the write (full DACL bytes for descriptors). */
  beforeImage?: JournalImage;
  /** For 'verified', 'conflict', 'already-done' and a failed verification: what was read back. */
  observed?: JournalImage;
  /** For 'failed': which phase failed. */
  phase?: 'read' | 'write' | 'verify';
  /** For a failed write: whether the write may have reached the server. */
  outcome?: 'not-applied' | 'unknown';
  error?: JournalError;
  note?: string;
}

export interface RunEndRecord extends RecordBase {
  type: 'run-end';
  runId: string;
  status: RunEndStatus;
  exitCode: number;
  counts: ApplyCounts;
  stoppedAt?: string;
  /** For 'interrupted': the signal, and the changes whose write was sent with no answer recorded. */
  signal?: 'SIGINT' | 'SIGTERM';
  inDoubt?: string[];
}

export interface ApplyCounts {
  planned: number;
  applied: number;
  alreadyDone: number;
  conflicts: number;
  failed: number;
  /** Written with the answer lost (format 2; absent in format 1 records, where they were counted as failed). */
  inDoubt: number;
  pending: number;
}

export type RunRecordLine = RunStartRecord | PlanRecord | ChangeStateRecord | RunEndRecord;

export interface RunIndexRecord extends RecordBase {
  type: 'run-index';
  runId: string;
  kind: 'apply' | 'rollback';
  step: string;
  file: string;
  server: string;
  who: string;
  rollbackOf?: string;
}

export interface RunIndexEndRecord extends RecordBase {
  type: 'run-index-end';
  runId: string;
  status: RunEndStatus;
  exitCode: number;
  counts: ApplyCounts;
}

export type IndexLine = RunIndexRecord | RunIndexEndRecord;

export interface ReadEventRecord extends RecordBase {
  type: 'read-event';
  id: string;
  /** Who saw the secret: the bound account (and the OS user). */
  who: string;
  osUser?: string;
  host?: string;
  /** The object whose secret was revealed (DN). */
  object: string;
  /** Where the value came from, e.g. "ms-Mcs-AdmPwd", "msLAPS-EncryptedPassword (DPAPI-NG)". */
  source: string;
  reason?: string;
  toolVersion: string;
}

/** The journaled form of a change: secret values become presence + lengths. */
export function toJournalChange(c: Change): JournalChange {
  const base: JournalChangeBase = { id: c.id, dn: c.dn, step: c.step, reason: c.reason, irreversible: c.irreversible, secret: c.secret };
  switch (c.kind) {
    case 'add-entry':
    case 'delete-entry': {
      const values = c.kind === 'add-entry' ? c.after : c.before;
      const secrets = new Set(c.secretAttributes.map((s) => s.toLowerCase()));
      const attributes: Record<string, JournalValues> = {};
      for (const [name, list] of Object.entries(values)) attributes[name] = journalValues(list, secrets.has(name.toLowerCase()));
      return { ...base, kind: c.kind, attributes, binaryAttributes: [...c.binaryAttributes], secretAttributes: [...c.secretAttributes] };
    }
    case 'modify-attribute':
      return {
        ...base,
        kind: 'modify-attribute',
        attribute: c.attribute,
        operation: c.operation,
        binary: c.binary,
        match: c.match,
        before: journalValues(c.before, c.secret),
        after: journalValues(c.after, c.secret),
      };
    case 'replace-dacl':
      return { ...base, kind: 'replace-dacl', sdFlags: c.sdFlags, before: c.before.toString('base64'), after: c.after.toString('base64') };
    case 'replace-file':
      return toJournalFileChange(c);
  }
}

/**
 * Back from the journal to a Change, or undefined when the journal lacks the values
 * (secret attributes were recorded as presence + length only).
 */
export function fromJournalChange(j: JournalChange): Change | undefined {
  const base = { id: j.id, dn: j.dn, step: j.step, reason: j.reason, irreversible: j.irreversible, secret: j.secret };
  switch (j.kind) {
    case 'add-entry':
    case 'delete-entry': {
      const values: Record<string, Value[]> = {};
      for (const [name, jv] of Object.entries(j.attributes)) {
        const decoded = valuesFromJournal(jv);
        if (decoded === undefined) return undefined;
        values[name] = decoded;
      }
      const meta = { binaryAttributes: [...j.binaryAttributes], secretAttributes: [...j.secretAttributes] };
      return j.kind === 'add-entry'
        ? { ...base, kind: 'add-entry', before: null, after: values, ...meta }
        : { ...base, kind: 'delete-entry', before: values, after: null, ...meta };
    }
    case 'modify-attribute': {
      const before = valuesFromJournal(j.before);
      const after = valuesFromJournal(j.after);
      if (before === undefined || after === undefined) return undefined;
      return { ...base, kind: 'modify-attribute', attribute: j.attribute, operation: j.operation, binary: j.binary, match: j.match, before, after };
    }
    case 'replace-dacl':
      return { ...base, kind: 'replace-dacl', sdFlags: j.sdFlags, before: Buffer.from(j.before, 'base64'), after: Buffer.from(j.after, 'base64') };
    case 'replace-file':
      return fromJournalFileChange(j);
  }
}
