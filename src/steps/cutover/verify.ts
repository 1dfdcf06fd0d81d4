/**
 * Where each computer of a cutover wave stands, and whether the wave's gate is met (issue 17,
 * "Verification per computer, waves and gates"). Pure: the caller reads the directory
 * (replPropertyMetaData write times, the LAPS attributes, the OS build) and passes plain data.
 *
 * A computer is `verified` when a Windows LAPS password of the kind the policy asks for was
 * written after the wave started and after its last legacy write, and (with encryption) the
 * clear attribute is absent, the current blob is encrypted to the expected principal SID (read
 * from the blob, no key needed), the history holds at most the configured number of entries and,
 * when the caller could decrypt, the payload names the configured account. Otherwise it is
 * `pending` (not rotated yet), `failed` (with why), `stuck` (past expiry plus grace with nothing
 * written) or `left-behind` (no Windows LAPS on that build, not Windows, disabled, stale).
 * Never a password here: the decryption check is passed in as its outcome only.
 */
import { dpapiNgProtectionSid, parseDpapiNgBlob } from '../../dpapi-ng/dpapi-ng-blob.js';
import { hasWindowsLaps } from '../../laps/effective-policy.js';
import { parseEncryptedPasswordValue } from '../../laps/encrypted-password-value.js';

export type ComputerState = 'verified' | 'pending' | 'failed' | 'stuck' | 'left-behind';
export const COMPUTER_STATES: readonly ComputerState[] = ['verified', 'pending', 'failed', 'stuck', 'left-behind'];

/** Why a computer is left behind: the first two by the wave's rules, the last two reported apart. */
export type LeftBehindReason = 'unsupported-build' | 'not-windows' | 'disabled' | 'stale';

/** One computer of the wave as read from the directory (no secret in it). */
export interface WaveComputer {
  dn: string;
  name: string;
  /** OS build; undefined when unknown or not Windows. */
  build: number | undefined;
  windows: boolean;
  enabled: boolean;
  /** No logon / password change for the inventory's staleDays. */
  stale: boolean;
  /** Originating write times from replPropertyMetaData (readable without rights on the values). */
  writes: { clear?: Date; encrypted?: Date; legacy?: Date };
  /** msLAPS-Password present (read as an account that can read it). */
  clearPresent: boolean;
  /** msLAPS-EncryptedPassword value (header + DPAPI-NG blob), when present. */
  encrypted?: Buffer;
  /** What `encrypted`'s blob names, parsed once at read time (else parsed where needed). */
  encryptedHeader?: BlobHeader;
  /**
   * msLAPS-EncryptedPasswordHistory values, or what was read from each at read time (its SID, or
   * why it does not parse): only the principal and the count are checked, so a reader of 10,000
   * computers need not keep every history blob.
   */
  history: HistoryEntry[];
  /** The later of msLAPS-PasswordExpirationTime and ms-Mcs-AdmPwdExpirationTime, when known. */
  expiresAt?: Date;
  /** Outcome of decrypting the current blob, when the bound account could read the KDS root key. */
  decrypted?: { ok: true; accountName: string } | { ok: false; error: string };
  /** Known reasons this computer cannot write (e.g. no SELF write on its OU), from the preflight. */
  obstacles?: string[];
}

export type HistoryEntry = Buffer | { sid: string } | { error: string };

/** What the wave expects, from the playbook and the wave's start. */
export interface WaveExpectation {
  /** When the wave's GPO was linked (its link's metadata); undefined = not started. */
  startedAt: Date | undefined;
  encryption: boolean;
  /** The SID the policy's principal resolves to (required with encryption). */
  principalSid?: string;
  historySize: number;
  /** Configured account name; '' = the built-in Administrator (name not checked). */
  accountName: string;
  graceDays: number;
  now: Date;
}

/** A principal/history drift: data readable now that will not be readable by the new readers. */
export interface Drift {
  computer: string;
  kind: 'current-principal' | 'history-principal' | 'history-size' | 'unreadable-blob';
  /** The SIDs found (for principal drift) or a count. */
  detail: string;
}

export interface ComputerVerdict {
  dn: string;
  name: string;
  state: ComputerState;
  /** Why it is failed, stuck, pending or left behind (empty for verified). */
  reasons: string[];
  leftBehind?: LeftBehindReason;
  drift: Drift[];
  /**
   * The payload check of a computer that wrote its encrypted password since the wave started:
   * `ok` (decrypts, well formed, the configured account), `failed`, or `not-checked` (the bound
   * account cannot read the KDS root key). Absent for the others.
   */
  payload?: 'ok' | 'failed' | 'not-checked';
}

const DAY_MS = 86_400_000;

function leftBehindReason(c: WaveComputer): LeftBehindReason | undefined {
  if (!c.windows) return 'not-windows';
  if (!hasWindowsLaps(c.build)) return 'unsupported-build';
  if (!c.enabled) return 'disabled';
  if (c.stale) return 'stale';
  return undefined;
}

const LEFT_BEHIND_TEXT: Record<LeftBehindReason, (c: WaveComputer) => string> = {
  'not-windows': () => 'not a Windows computer: Windows LAPS never manages it',
  'unsupported-build': (c) => `build ${c.build ?? '?'} has no Windows LAPS (17763+ with the April 2023 update, not 14393): it keeps the legacy CSE`,
  disabled: () => 'the computer account is disabled',
  stale: () => 'stale: no logon or password change for the inventory staleDays',
};

/**
 * The SID a stored encrypted value is protected to, without any key (the structure down to its
 * protection descriptor is checked; the rest is the decryption's business: the current password's
 * is read whole by blobHeader and, with the root key, decrypted).
 */
export function blobSid(value: Buffer): string {
  return dpapiNgProtectionSid(parseEncryptedPasswordValue(value).blob);
}

/** What a stored encrypted value's blob names (its principal and KDS root key), or why it does not parse. */
export type BlobHeader = { sid: string; rootKeyId: string } | { error: string };

export function blobHeader(value: Buffer): BlobHeader {
  try {
    const blob = parseDpapiNgBlob(parseEncryptedPasswordValue(value).blob);
    return { sid: blob.sid, rootKeyId: blob.keyIdentifier.rootKeyId };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

export function sidOf(value: HistoryEntry): { sid: string } | { error: string } {
  if (!Buffer.isBuffer(value)) return value;
  try {
    return { sid: blobSid(value) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function after(a: Date | undefined, b: Date | undefined): boolean {
  return a !== undefined && (b === undefined || a.getTime() > b.getTime());
}

/**
 * Written at or after the wave's start: replication metadata has whole seconds, and a device only
 * rotates after its policy refresh, so a write in the start's own second is after it.
 */
function since(a: Date | undefined, start: Date): boolean {
  return a !== undefined && a.getTime() >= start.getTime();
}

/** Encryption checks on a computer that has written its native password since the wave started. */
function encryptionProblems(c: WaveComputer, x: WaveExpectation, drift: Drift[]): string[] {
  const problems: string[] = [];
  if (!c.encrypted) problems.push('msLAPS-EncryptedPassword is absent although it was written since the wave started (cleared by someone?)');
  if (c.clearPresent) problems.push('msLAPS-Password (clear text) is still present next to the encrypted password');
  if (c.encrypted) {
    const cur = c.encryptedHeader ?? blobHeader(c.encrypted);
    if ('error' in cur) {
      problems.push(`the current encrypted password does not parse: ${cur.error}`);
      drift.push({ computer: c.name, kind: 'unreadable-blob', detail: 'current' });
    } else if (x.principalSid && cur.sid.toUpperCase() !== x.principalSid.toUpperCase()) {
      problems.push(`encrypted to ${cur.sid}, not to the expected principal ${x.principalSid}`);
      drift.push({ computer: c.name, kind: 'current-principal', detail: cur.sid });
    }
  }
  if (c.history.length > x.historySize) {
    problems.push(`history holds ${c.history.length} entries, more than the configured ${x.historySize}`);
    drift.push({ computer: c.name, kind: 'history-size', detail: String(c.history.length) });
  }
  const historySids = new Set<string>();
  for (const h of c.history) {
    const s = sidOf(h);
    if ('error' in s) drift.push({ computer: c.name, kind: 'unreadable-blob', detail: 'history' });
    else if (x.principalSid && s.sid.toUpperCase() !== x.principalSid.toUpperCase()) historySids.add(s.sid);
  }
  // history to an old principal is drift, not a failure: it will not decrypt for the new readers
  if (historySids.size) drift.push({ computer: c.name, kind: 'history-principal', detail: [...historySids].sort().join(' ') });
  if (c.decrypted && !c.decrypted.ok) problems.push(`the current encrypted password fails the payload check: ${c.decrypted.error}`);
  if (c.decrypted?.ok && x.accountName !== '' && c.decrypted.accountName.toLowerCase() !== x.accountName.toLowerCase()) {
    problems.push(`the password is for account "${c.decrypted.accountName}", the policy manages "${x.accountName}"`);
  }
  return problems;
}

function payloadState(c: WaveComputer, x: WaveExpectation): NonNullable<ComputerVerdict['payload']> {
  if (!c.decrypted) return 'not-checked';
  if (!c.decrypted.ok) return 'failed';
  return x.accountName === '' || c.decrypted.accountName.toLowerCase() === x.accountName.toLowerCase() ? 'ok' : 'failed';
}

export function verifyComputer(c: WaveComputer, x: WaveExpectation): ComputerVerdict {
  const base = { dn: c.dn, name: c.name };
  const lb = leftBehindReason(c);
  if (lb) return { ...base, state: 'left-behind', leftBehind: lb, reasons: [LEFT_BEHIND_TEXT[lb](c)], drift: [] };
  if (!x.startedAt) return { ...base, state: 'pending', reasons: ['the wave has not started'], drift: [] };
  const start = x.startedAt;
  const native = x.encryption ? c.writes.encrypted : c.writes.clear;
  const other = x.encryption ? c.writes.clear : c.writes.encrypted;
  const drift: Drift[] = [];
  if (since(native, start) && after(native, c.writes.legacy)) {
    const problems = x.encryption ? encryptionProblems(c, x, drift) : c.clearPresent ? [] : ['msLAPS-Password is absent although it was written since the wave started'];
    if (!x.encryption && c.decrypted?.ok === false) problems.push(`the password does not read back: ${c.decrypted.error}`);
    const verdict: ComputerVerdict = { ...base, state: problems.length ? 'failed' : 'verified', reasons: problems, drift };
    if (x.encryption && c.encrypted) verdict.payload = payloadState(c, x);
    return verdict;
  }
  const reasons: string[] = [];
  if (since(other, start)) {
    const wrote = x.encryption ? 'a clear-text msLAPS-Password' : 'an encrypted password';
    reasons.push(`${wrote} was written after the wave started, the policy asks for ${x.encryption ? 'encryption' : 'clear text'} (encryption needs DFL 2016 and a resolvable principal: events 10006/10035)`);
    return { ...base, state: 'failed', reasons, drift };
  }
  if (since(c.writes.legacy, start)) reasons.push('the legacy password was written after the wave started: the Windows LAPS policy has not reached it yet');
  if (c.obstacles?.length) return { ...base, state: 'failed', reasons: [...c.obstacles, ...reasons], drift };
  const due = Math.max(start.getTime(), c.expiresAt?.getTime() ?? 0) + x.graceDays * DAY_MS;
  if (x.now.getTime() > due) {
    reasons.unshift(`nothing written since the wave started ${start.toISOString()} and past ${c.expiresAt && c.expiresAt > start ? 'its expiry' : 'the wave start'} plus ${x.graceDays} days of grace`);
    return { ...base, state: 'stuck', reasons, drift };
  }
  reasons.unshift('no Windows LAPS password written since the wave started (it rotates at its next policy refresh, up to ~90 minutes)');
  return { ...base, state: 'pending', reasons, drift };
}

export type StateCounts = Record<ComputerState, number>;

export function countStates(verdicts: readonly ComputerVerdict[]): StateCounts {
  const counts: StateCounts = { verified: 0, pending: 0, failed: 0, stuck: 0, 'left-behind': 0 };
  for (const v of verdicts) counts[v.state]++;
  return counts;
}

export interface Gates {
  minVerifiedPercent: number;
  maxFailures: number;
  soakDays: number;
}

export interface GateVerdict {
  met: boolean;
  /** Verified / expected to migrate (not left behind), in %; 100 for a wave with none expected. */
  verifiedPercent: number;
  expected: number;
  failures: number;
  /** When the soak ends (start + soakDays); undefined before the wave starts. */
  soakEndsAt: Date | undefined;
  /** What is still missing, one line each (empty when met). */
  unmet: string[];
}

export function evaluateGate(counts: StateCounts, gates: Gates, startedAt: Date | undefined, now: Date): GateVerdict {
  const expected = counts.verified + counts.pending + counts.failed + counts.stuck;
  const verifiedPercent = expected === 0 ? 100 : (counts.verified / expected) * 100;
  const failures = counts.failed + counts.stuck;
  const soakEndsAt = startedAt ? new Date(startedAt.getTime() + gates.soakDays * DAY_MS) : undefined;
  const unmet: string[] = [];
  if (!startedAt) unmet.push('the wave has not started');
  if (verifiedPercent < gates.minVerifiedPercent) unmet.push(`${counts.verified} of ${expected} verified (${formatPercent(verifiedPercent)}), the gate needs ${gates.minVerifiedPercent}%`);
  if (failures > gates.maxFailures) unmet.push(`${failures} failed or stuck, the gate allows ${gates.maxFailures}`);
  if (soakEndsAt && now.getTime() < soakEndsAt.getTime()) unmet.push(`soaking until ${soakEndsAt.toISOString()} (${gates.soakDays} days from the start)`);
  return { met: unmet.length === 0, verifiedPercent, expected, failures, soakEndsAt, unmet };
}

function formatPercent(p: number): string {
  return `${Math.floor(p * 10) / 10}%`;
}
