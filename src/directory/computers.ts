/**
 * Computers as the directory describes them: finding one by name, and decoding a computer entry
 * into plain facts (times, flags, which LAPS attributes were ever written and when, the encrypted
 * value's header time). Never a password: clear-text values are not requested, encrypted ones are
 * read only for their header and history count.
 */
import { ExitCode, UserError } from '../errors.js';
import { sidToString } from '../dtyp/sid.js';
import { encryptedValueUpdateTime } from '../laps/encrypted-password-value.js';
import type { ComputerPasswordValues } from '../laps/password-sources.js';
import { dnKey } from './dn.js';
import { parseGeneralizedTime, parseInteger8Time } from './ad-time.js';
import { escapeFilterValue, firstBinary, firstString } from './entry.js';
import type { LapsSchema } from './laps-schema.js';
import { findPropertyMetaData } from './repl-metadata.js';
import type { DirEntry, Directory } from './types.js';

export const COMPUTER_FILTER = '(objectCategory=computer)';

/**
 * DN keys of the computers below `base` with `attribute` set. A filter only: the value (a
 * password, for the LAPS attributes) is never requested. An account that may not read a
 * confidential attribute matches nothing.
 */
export async function computersWith(dir: Directory, base: string, attribute: string | undefined): Promise<Set<string>> {
  if (!attribute) return new Set();
  const found = await dir.searchAll({ base, scope: 'sub', filter: `(&${COMPUTER_FILTER}(${attribute}=*))`, attributes: ['1.1'] });
  return new Set(found.map((e) => dnKey(e.dn)));
}

/** What the reader learned about one computer. `null` presence = the bound account cannot tell. */
export interface ComputerFacts {
  dn: string;
  name: string;
  dnsHostName?: string;
  operatingSystem?: string;
  operatingSystemVersion?: string;
  lastLogon?: Date;
  pwdLastSet?: Date;
  whenCreated?: Date;
  userAccountControl: number;
  creatorSid?: string;
  legacyExpires?: Date;
  /** The legacy expiration attribute holds a value (also one legacyExpires cannot show, such as 0). */
  legacyExpirationSet?: boolean;
  legacyPasswordPresent: boolean | null;
  legacyPasswordWritten?: { at: Date; count: number };
  windowsExpires?: Date;
  windowsClearPresent: boolean | null;
  windowsClearWritten?: { at: Date; count: number };
  windowsEncryptedPresent: boolean | null;
  windowsEncryptedWritten?: { at: Date; count: number };
  /** From the 16-byte header of msLAPS-EncryptedPassword, when readable. */
  windowsEncryptedUpdated?: Date;
  historyCount: number | null;
  dsrmPresent: boolean | null;
}

/** The attributes decodeComputer needs (and which of them are binary), for the LAPS attributes this schema has. */
export function computerAttributes(schema: LapsSchema): { attributes: string[]; binaryAttributes: string[] } {
  const n = (k: keyof LapsSchema) => schema[k]?.name;
  const encrypted = [n('encryptedPassword'), n('encryptedPasswordHistory'), n('encryptedDsrmPassword')].filter((x): x is string => !!x);
  return {
    attributes: [
      'cn', 'dNSHostName', 'operatingSystem', 'operatingSystemVersion', 'lastLogonTimestamp', 'pwdLastSet', 'whenCreated',
      'userAccountControl', 'mS-DS-CreatorSID', 'replPropertyMetaData',
      ...[n('legacyExpiration'), n('expiration'), ...encrypted].filter((x): x is string => !!x),
    ],
    binaryAttributes: ['mS-DS-CreatorSID', 'replPropertyMetaData', ...encrypted],
  };
}

/**
 * One computer entry (read with computerAttributes) as facts. Clear-text presence is left null
 * (the caller learns it from filter-only searches); an encrypted value is returned to whoever may
 * read it, so its absence is left null too and settled by the caller.
 */
export function decodeComputer(e: DirEntry, schema: LapsSchema): ComputerFacts {
  const str = firstString;
  const buf = firstBinary;
  const meta = buf(e, 'replPropertyMetaData');
  const written = (k: keyof LapsSchema) => {
    const id = schema[k]?.attid;
    if (id === undefined || !meta) return undefined;
    const x = findPropertyMetaData(meta, id);
    return x ? { at: x.changed, count: x.version } : undefined;
  };
  const legacyExp = schema.legacyExpiration?.name;
  const winExp = schema.expiration?.name;
  const winEnc = schema.encryptedPassword?.name;
  const winHist = schema.encryptedPasswordHistory?.name;
  const winDsrm = schema.encryptedDsrmPassword?.name;
  const enc = winEnc ? buf(e, winEnc) : undefined;
  const creator = buf(e, 'mS-DS-CreatorSID');
  const f: ComputerFacts = {
    dn: e.dn,
    name: str(e, 'cn') ?? e.dn,
    userAccountControl: Number(str(e, 'userAccountControl') ?? 0),
    legacyPasswordPresent: null,
    windowsClearPresent: null,
    windowsEncryptedPresent: enc ? true : null,
    historyCount: winHist ? (e.attributes[winHist.toLowerCase()] ?? []).length : 0,
    dsrmPresent: winDsrm ? !!buf(e, winDsrm) : false,
  };
  const set = <K extends keyof ComputerFacts>(key: K, v: ComputerFacts[K] | undefined) => {
    if (v !== undefined) f[key] = v;
  };
  set('dnsHostName', str(e, 'dNSHostName'));
  set('operatingSystem', str(e, 'operatingSystem'));
  set('operatingSystemVersion', str(e, 'operatingSystemVersion'));
  set('lastLogon', parseInteger8Time(str(e, 'lastLogonTimestamp')));
  set('pwdLastSet', parseInteger8Time(str(e, 'pwdLastSet')));
  set('whenCreated', parseGeneralizedTime(str(e, 'whenCreated')));
  set('creatorSid', creator ? sidToString(creator) : undefined);
  const legacyExpValue = legacyExp ? str(e, legacyExp) : undefined;
  set('legacyExpires', parseInteger8Time(legacyExpValue));
  if (legacyExpValue !== undefined) f.legacyExpirationSet = true;
  set('windowsExpires', winExp ? parseInteger8Time(str(e, winExp)) : undefined);
  // without its expiration time the legacy password was cleared (cleanup): the metadata then dates the deletion, not a write
  set('legacyPasswordWritten', f.legacyExpires ? written('legacyPassword') : undefined);
  set('windowsClearWritten', written('password'));
  set('windowsEncryptedWritten', written('encryptedPassword'));
  set('windowsEncryptedUpdated', enc && encryptedValueUpdateTime(enc));
  return f;
}

/** The DN of one computer given by DN, sAMAccountName (with or without $), cn or DNS name; UserError (exit 2) when none or several match. */
export async function findComputer(dir: Directory, domainDn: string, name: string): Promise<string> {
  if (/^cn=/i.test(name) && name.includes(',')) {
    const e = await dir.read(name, ['objectClass']);
    if (!e) throw new UserError(`no object ${name}`, ExitCode.USAGE);
    return e.dn;
  }
  const short = name.replace(/\$$/, '').split('.')[0]!;
  const v = escapeFilterValue(short);
  const found = await dir.searchAll({
    base: domainDn,
    filter: `(&(objectCategory=computer)(|(sAMAccountName=${v}$)(cn=${v})(dNSHostName=${escapeFilterValue(name)})))`,
    attributes: ['cn'],
  });
  if (found.length === 0) throw new UserError(`computer "${name}" not found in ${domainDn}`, ExitCode.USAGE, { advice: 'Give its name, DNS name or DN.' });
  if (found.length > 1) throw new UserError(`"${name}" matches ${found.length} computers; give the DN`, ExitCode.USAGE);
  return found[0]!.dn;
}

/**
 * Every LAPS password value of one computer that the bound account may read (what
 * Get-LapsADPassword reads): the legacy and clear-text passwords, the encrypted values and their
 * histories, expiry times, and when the legacy password was last written (replPropertyMetaData).
 */
export async function readPasswordValues(dir: Directory, dn: string, schema: LapsSchema): Promise<ComputerPasswordValues> {
  const names = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, v!.name])) as Record<string, string | undefined>;
  const binary = [names.encryptedPassword, names.encryptedPasswordHistory, names.encryptedDsrmPassword, names.encryptedDsrmPasswordHistory].filter((x): x is string => !!x);
  const attrs = [names.legacyPassword, names.legacyExpiration, names.password, names.expiration, ...binary, 'replPropertyMetaData'].filter((x): x is string => !!x);
  const entry = (await dir.read(dn, attrs, { binaryAttributes: [...binary, 'replPropertyMetaData'] })) as DirEntry;
  const s = (n: string | undefined) => (n ? firstString(entry, n) : undefined);
  const b = (n: string | undefined) => (n ? (entry.attributes[n.toLowerCase()] ?? []) : []).filter(Buffer.isBuffer);
  const meta = firstBinary(entry, 'replPropertyMetaData');
  const legacyMeta = meta && schema.legacyPassword?.attid !== undefined ? findPropertyMetaData(meta, schema.legacyPassword.attid) : undefined;
  const legacyPassword = s(names.legacyPassword);
  const legacyExpiration = parseInteger8Time(s(names.legacyExpiration));
  const clearPassword = s(names.password);
  const windowsExpiration = parseInteger8Time(s(names.expiration));
  return {
    ...(names.legacyPassword ? { legacyAttribute: names.legacyPassword } : {}),
    ...(legacyPassword !== undefined ? { legacyPassword } : {}),
    ...(legacyExpiration ? { legacyExpiration } : {}),
    ...(legacyMeta ? { legacyUpdated: legacyMeta.changed } : {}),
    ...(clearPassword !== undefined ? { clearPassword } : {}),
    ...(windowsExpiration ? { windowsExpiration } : {}),
    ...(b(names.encryptedPassword)[0] ? { encryptedPassword: b(names.encryptedPassword)[0]! } : {}),
    encryptedHistory: b(names.encryptedPasswordHistory),
    ...(b(names.encryptedDsrmPassword)[0] ? { encryptedDsrm: b(names.encryptedDsrmPassword)[0]! } : {}),
    encryptedDsrmHistory: b(names.encryptedDsrmPasswordHistory),
  };
}
