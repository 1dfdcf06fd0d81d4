/**
 * Every password (or other secret) revealed to a user is recorded: who, which object, which
 * source, when, and why. Never the value. Commands that reveal a secret call recordReadEvent()
 * BEFORE they print it, so a reveal is never missing from the journal.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { InputError } from '../errors.js';
import { VERSION } from '../version.js';
import { JOURNAL_FORMAT, type ReadEventRecord } from './journal-records.js';
import { JournalStore } from './journal-store.js';

export interface ReadEvent {
  /** The bound account that read the secret (DN or UPN). */
  who: string;
  /** DN of the object whose secret is revealed. */
  object: string;
  /** Where it came from: "ms-Mcs-AdmPwd", "msLAPS-Password", "msLAPS-EncryptedPassword (DPAPI-NG)"... */
  source: string;
  /** Why (free text from the user or the command, e.g. a ticket number). */
  reason?: string;
}

export function recordReadEvent(event: ReadEvent, store: JournalStore = JournalStore.open()): ReadEventRecord {
  for (const key of ['who', 'object', 'source'] as const) {
    if (typeof event[key] !== 'string' || event[key].trim() === '') throw new InputError(`a read event needs "${key}"`);
  }
  let osUser: string | undefined;
  try {
    osUser = userInfo().username;
  } catch {
    osUser = undefined;
  }
  const rec: ReadEventRecord = {
    journal: JOURNAL_FORMAT,
    type: 'read-event',
    at: new Date().toISOString(),
    id: randomUUID(),
    who: event.who,
    ...(osUser ? { osUser } : {}),
    host: hostname(),
    object: event.object,
    source: event.source,
    ...(event.reason ? { reason: event.reason } : {}),
    toolVersion: VERSION,
  };
  store.appendReadEvent(rec);
  return rec;
}
