/**
 * LAPS policy values as Registry.pol delivers them (LAPS-FACTS 2 and 3). Pure.
 *
 * - `applyPolicyEntries` replays one GPO's Registry.pol onto a registry view the way the
 *   Administrative Templates CSE does: a value overwrites, `**del.NAME` deletes one value,
 *   `**delvals.` deletes every value of the key (other `**` commands are ignored).
 * - `legacySettings` / `windowsLapsGpoSettings` read the legacy AdmPwd key and the Windows LAPS
 *   GPO root from such a view, with Microsoft's defaults and ranges (out of range = default, and
 *   the problem is reported).
 */
import { REG_DWORD, REG_EXPAND_SZ, REG_QWORD, REG_SZ, type PolicyEntry } from './registry-pol.js';

export const LEGACY_POLICY_KEY = 'Software\\Policies\\Microsoft Services\\AdmPwd';
export const WINDOWS_LAPS_GPO_KEY = 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\LAPS';

export interface RegistryValue {
  /** Value name as written (case kept). */
  name: string;
  type: number;
  data: Buffer;
}

/** Key (lower-case, no HKLM prefix, no trailing backslash) -> value name (lower-case) -> value. */
export type RegistryView = Map<string, Map<string, RegistryValue>>;

export function normalizeKey(key: string): string {
  return key.replace(/^(HKLM|HKEY_LOCAL_MACHINE)\\/i, '').replace(/\\+$/, '').toLowerCase();
}

/** Applies one GPO's entries in file order onto `view` (mutated and returned). */
export function applyPolicyEntries(view: RegistryView, entries: PolicyEntry[]): RegistryView {
  for (const e of entries) {
    const key = normalizeKey(e.key);
    const lower = e.value.toLowerCase();
    if (lower.startsWith('**delvals')) {
      view.delete(key);
      continue;
    }
    if (lower.startsWith('**del.')) {
      view.get(key)?.delete(lower.slice(6));
      continue;
    }
    if (lower.startsWith('**')) continue; // **soft., **deletekeys and the like do not set values
    if (e.value === '') continue; // an entry that only creates the key
    let values = view.get(key);
    if (!values) view.set(key, (values = new Map()));
    values.set(lower, { name: e.value, type: e.type, data: e.data });
  }
  return view;
}

export function registryViewOf(entriesInOrder: PolicyEntry[][]): RegistryView {
  const view: RegistryView = new Map();
  for (const entries of entriesInOrder) applyPolicyEntries(view, entries);
  return view;
}

function dword(v: RegistryValue | undefined): number | undefined {
  if (!v) return undefined;
  if (v.type === REG_DWORD && v.data.length >= 4) return v.data.readUInt32LE(0);
  if (v.type === REG_QWORD && v.data.length >= 8) return Number(v.data.readBigUInt64LE(0));
  if ((v.type === REG_SZ || v.type === REG_EXPAND_SZ) && /^\d+$/.test(text(v) ?? '')) return Number(text(v));
  return undefined;
}

function text(v: RegistryValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.type !== REG_SZ && v.type !== REG_EXPAND_SZ) return undefined;
  return v.data.toString('utf16le').replace(/\0+$/, '');
}

export interface PolicyProblem {
  value: string;
  message: string;
}

interface Reader {
  num(name: string, min: number, max: number, dflt: number): number;
  str(name: string): string | undefined;
  problems: PolicyProblem[];
}

function reader(values: Map<string, RegistryValue>): Reader {
  const problems: PolicyProblem[] = [];
  return {
    problems,
    num(name, min, max, dflt) {
      const v = values.get(name.toLowerCase());
      if (!v) return dflt;
      const n = dword(v);
      if (n === undefined) {
        problems.push({ value: name, message: `${name} is not a number (type ${v.type}); the default ${dflt} applies` });
        return dflt;
      }
      if (n < min || n > max) {
        problems.push({ value: name, message: `${name}=${n} is outside ${min}..${max}; the default ${dflt} applies` });
        return dflt;
      }
      return n;
    },
    str(name) {
      const t = text(values.get(name.toLowerCase()));
      return t === undefined || t === '' ? undefined : t;
    },
  };
}

/** Legacy LAPS (AdmPwd) settings, LAPS-FACTS 2. */
export interface LegacyLapsSettings {
  enabled: boolean;
  /** undefined = the built-in Administrator (RID 500). */
  adminAccountName: string | undefined;
  passwordComplexity: number;
  passwordLength: number;
  passwordAgeDays: number;
  expirationProtection: boolean;
  problems: PolicyProblem[];
}

/** undefined when the AdmPwd key holds no value (no legacy policy). */
export function legacySettings(view: RegistryView): LegacyLapsSettings | undefined {
  const values = view.get(normalizeKey(LEGACY_POLICY_KEY));
  if (!values || values.size === 0) return undefined;
  const r = reader(values);
  return {
    enabled: r.num('AdmPwdEnabled', 0, 1, 0) === 1,
    adminAccountName: r.str('AdminAccountName'),
    passwordComplexity: r.num('PasswordComplexity', 1, 4, 4),
    passwordLength: r.num('PasswordLength', 8, 64, 14),
    passwordAgeDays: r.num('PasswordAgeDays', 1, 365, 30),
    expirationProtection: r.num('PwdExpirationProtectionEnabled', 0, 1, 0) === 1,
    problems: r.problems,
  };
}

export type BackupDirectory = 'disabled' | 'entra' | 'ad';

/** Windows LAPS settings from one policy root (LAPS-FACTS 3). */
export interface WindowsLapsSettings {
  backupDirectory: BackupDirectory;
  /** undefined = the built-in Administrator (RID 500). */
  administratorAccountName: string | undefined;
  passwordAgeDays: number;
  passwordLength: number;
  passphraseLength: number;
  passwordComplexity: number;
  expirationProtection: boolean;
  encryptionEnabled: boolean;
  /** SID, DOMAIN\name or name@domain; undefined = Domain Admins. */
  encryptionPrincipal: string | undefined;
  historySize: number;
  backupDsrm: boolean;
  postAuthenticationResetDelayHours: number;
  postAuthenticationActions: number;
  problems: PolicyProblem[];
}

export const WINDOWS_LAPS_VALUE_NAMES = [
  'BackupDirectory', 'AdministratorAccountName', 'PasswordAgeDays', 'PasswordLength', 'PassphraseLength', 'PasswordComplexity',
  'PasswordExpirationProtectionEnabled', 'ADPasswordEncryptionEnabled', 'ADPasswordEncryptionPrincipal', 'ADEncryptedPasswordHistorySize',
  'ADBackupDSRMPassword', 'PostAuthenticationResetDelay', 'PostAuthenticationActions', 'AutomaticAccountManagementEnabled',
  'AutomaticAccountManagementTarget', 'AutomaticAccountManagementNameOrPrefix', 'AutomaticAccountManagementEnableAccount',
  'AutomaticAccountManagementRandomizeName',
] as const;

/** Reads a Windows LAPS root's values (`values` of one key). `build` decides the 26100+ ranges. */
export function windowsLapsSettingsFrom(values: Map<string, RegistryValue>, build = 0): WindowsLapsSettings {
  const r = reader(values);
  const backup = r.num('BackupDirectory', 0, 2, 0);
  const modern = build >= 26100;
  const actionsRaw = r.num('PostAuthenticationActions', 1, 11, 3);
  const allowedActions = modern ? [1, 3, 5, 11] : [1, 3, 5];
  if (!allowedActions.includes(actionsRaw)) r.problems.push({ value: 'PostAuthenticationActions', message: `PostAuthenticationActions=${actionsRaw} is not one of ${allowedActions.join(', ')}; the default 3 applies` });
  const encryptionEnabled = r.num('ADPasswordEncryptionEnabled', 0, 1, 1) === 1;
  const history = r.num('ADEncryptedPasswordHistorySize', 0, 12, 0);
  const dsrm = r.num('ADBackupDSRMPassword', 0, 1, 0) === 1;
  return {
    backupDirectory: backup === 2 ? 'ad' : backup === 1 ? 'entra' : 'disabled',
    administratorAccountName: r.str('AdministratorAccountName'),
    passwordAgeDays: r.num('PasswordAgeDays', 1, 365, 30),
    passwordLength: r.num('PasswordLength', 8, 64, 14),
    passphraseLength: r.num('PassphraseLength', 3, 10, 6),
    passwordComplexity: r.num('PasswordComplexity', 1, modern ? 8 : 4, 4),
    expirationProtection: r.num('PasswordExpirationProtectionEnabled', 0, 1, 1) === 1,
    encryptionEnabled,
    encryptionPrincipal: r.str('ADPasswordEncryptionPrincipal'),
    // history and DSRM backup need encryption (LAPS-FACTS 3)
    historySize: encryptionEnabled ? history : 0,
    backupDsrm: encryptionEnabled && dsrm,
    postAuthenticationResetDelayHours: r.num('PostAuthenticationResetDelay', 0, 24, 24),
    postAuthenticationActions: allowedActions.includes(actionsRaw) ? actionsRaw : 3,
    problems: r.problems,
  };
}

/** The Windows LAPS GPO root of a view; undefined when it holds no value at all. */
export function windowsLapsGpoSettings(view: RegistryView, build = 0): WindowsLapsSettings | undefined {
  const values = view.get(normalizeKey(WINDOWS_LAPS_GPO_KEY));
  if (!values || values.size === 0) return undefined;
  return windowsLapsSettingsFrom(values, build);
}

/** What one GPO's Registry.pol says about LAPS on its own (before precedence with other GPOs). */
export interface GpoLapsPolicy {
  legacy: LegacyLapsSettings | undefined;
  windows: WindowsLapsSettings | undefined;
}

export function decodeGpoLapsPolicy(entries: PolicyEntry[], build = 0): GpoLapsPolicy {
  const view = registryViewOf([entries]);
  return { legacy: legacySettings(view), windows: windowsLapsGpoSettings(view, build) };
}
