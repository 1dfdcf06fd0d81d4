/**
 * The equivalent of Get-LapsADPassword's output, pure: raw attribute values of one computer in,
 * one entry per password source out (legacy, clear, encrypted, history, DSRM) with Source,
 * Account, PasswordUpdateTime, ExpirationTimestamp, DecryptionStatus and AuthorizedDecryptor.
 * Decryption is injected; a blob protected for a SID the caller's token lacks is reported
 * "Unauthorized" and never opened, as Windows would refuse it.
 */
import { parseLapsPasswordJson } from './password-payload.js';
import { parseEncryptedPasswordValue } from './encrypted-password-value.js';
import { parseDpapiNgBlob } from '../dpapi-ng/dpapi-ng-blob.js';
import { describeDpapiNgBlob } from '../dpapi-ng/describe-dpapi-ng-blob.js';
import { isUserError } from '../errors.js';
import type { LapsPasswordPayload } from './password-payload.js';

export type PasswordSource =
  | 'LegacyLapsCleartextPassword'
  | 'CleartextPassword'
  | 'EncryptedPassword'
  | 'EncryptedPasswordHistory'
  | 'EncryptedDSRMPassword'
  | 'EncryptedDSRMPasswordHistory';

export type DecryptionStatus = 'NotApplicable' | 'Success' | 'Unauthorized' | 'Error';

export interface PasswordEntry {
  source: PasswordSource;
  /** The LDAP attribute it came from. */
  attribute: string;
  account: string | null;
  passwordUpdateTime: string | null;
  expirationTimestamp: string | null;
  decryptionStatus: DecryptionStatus;
  /** Why it could not be decrypted (Unauthorized / Error). */
  reason?: string;
  authorizedDecryptor?: { sid: string; name?: string };
  /** Secret; present only when the password could be read. Callers mask it unless asked. */
  password?: string;
}

export interface ComputerPasswordValues {
  legacyAttribute?: string;
  legacyPassword?: string;
  legacyExpiration?: Date;
  legacyUpdated?: Date;
  clearPassword?: string;
  windowsExpiration?: Date;
  encryptedPassword?: Buffer;
  encryptedHistory?: Buffer[];
  encryptedDsrm?: Buffer;
  encryptedDsrmHistory?: Buffer[];
}

export interface PasswordSourceOptions {
  includeHistory: boolean;
  /** The caller's SID and group SIDs (tokenGroups): who Windows would let decrypt. */
  tokenSids: Set<string>;
  /** Opens an msLAPS-Encrypted* value; throws a UserError when it cannot. */
  decrypt: (value: Buffer) => Promise<LapsPasswordPayload>;
  resolveName?: (sid: string) => Promise<string | undefined>;
}

const iso = (d: Date | undefined) => (d ? d.toISOString() : null);

async function encryptedEntry(source: PasswordSource, attribute: string, value: Buffer, expiration: Date | undefined, o: PasswordSourceOptions): Promise<PasswordEntry> {
  const entry: PasswordEntry = { source, attribute, account: null, passwordUpdateTime: null, expirationTimestamp: source.endsWith('History') ? null : iso(expiration), decryptionStatus: 'Error' };
  let sid: string;
  try {
    const parsed = parseEncryptedPasswordValue(value);
    entry.passwordUpdateTime = iso(parsed.header.updateTime);
    const blob = describeDpapiNgBlob(parseDpapiNgBlob(parsed.blob));
    sid = blob.sid;
  } catch (e) {
    entry.reason = isUserError(e) ? e.message : 'malformed value';
    return entry;
  }
  const name = o.resolveName ? await o.resolveName(sid).catch(() => undefined) : undefined;
  entry.authorizedDecryptor = name ? { sid, name } : { sid };
  if (!o.tokenSids.has(sid)) {
    entry.decryptionStatus = 'Unauthorized';
    entry.reason = `protected for ${name ?? sid}, which is not in the bound account's token`;
    return entry;
  }
  try {
    const payload = await o.decrypt(value);
    entry.decryptionStatus = 'Success';
    entry.account = payload.accountName;
    entry.passwordUpdateTime = payload.updateTime.toISOString();
    entry.password = payload.password;
  } catch (e) {
    entry.decryptionStatus = 'Error';
    entry.reason = isUserError(e) ? e.message : 'decryption failed';
  }
  return entry;
}

export async function passwordEntries(v: ComputerPasswordValues, o: PasswordSourceOptions): Promise<PasswordEntry[]> {
  const out: PasswordEntry[] = [];
  if (v.encryptedPassword) out.push(await encryptedEntry('EncryptedPassword', 'msLAPS-EncryptedPassword', v.encryptedPassword, v.windowsExpiration, o));
  if (v.clearPassword !== undefined) {
    const e: PasswordEntry = { source: 'CleartextPassword', attribute: 'msLAPS-Password', account: null, passwordUpdateTime: null, expirationTimestamp: iso(v.windowsExpiration), decryptionStatus: 'NotApplicable' };
    try {
      const p = parseLapsPasswordJson(v.clearPassword, 'msLAPS-Password');
      e.account = p.accountName;
      e.passwordUpdateTime = p.updateTime.toISOString();
      e.password = p.password;
    } catch (err) {
      e.decryptionStatus = 'Error';
      e.reason = isUserError(err) ? err.message : 'malformed msLAPS-Password';
    }
    out.push(e);
  }
  if (v.legacyPassword !== undefined) {
    out.push({
      source: 'LegacyLapsCleartextPassword',
      attribute: v.legacyAttribute ?? 'ms-Mcs-AdmPwd',
      account: null,
      passwordUpdateTime: iso(v.legacyUpdated),
      expirationTimestamp: iso(v.legacyExpiration),
      decryptionStatus: 'NotApplicable',
      password: v.legacyPassword,
    });
  }
  if (v.encryptedDsrm) out.push(await encryptedEntry('EncryptedDSRMPassword', 'msLAPS-EncryptedDSRMPassword', v.encryptedDsrm, v.windowsExpiration, o));
  if (o.includeHistory) {
    for (const h of v.encryptedHistory ?? []) out.push(await encryptedEntry('EncryptedPasswordHistory', 'msLAPS-EncryptedPasswordHistory', h, undefined, o));
    for (const h of v.encryptedDsrmHistory ?? []) out.push(await encryptedEntry('EncryptedDSRMPasswordHistory', 'msLAPS-EncryptedDSRMPasswordHistory', h, undefined, o));
    out.sort((a, b) => (a.source === b.source ? (b.passwordUpdateTime ?? '').localeCompare(a.passwordUpdateTime ?? '') : 0));
  }
  return out;
}
