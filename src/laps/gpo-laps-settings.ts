/**
 * LAPS policy values as they appear in a GPO's Machine/Registry.pol (LAPS-FACTS 2 and 3):
 * which key and value names, their registry types and ranges, which client-side extension a
 * GPO needs to deliver them, and a decoder that turns Registry.pol entries into settings.
 * Also the guard that keeps secrets out of GPO files (SYSVOL is readable by every computer).
 */
import { InputError } from '../errors.js';
import { ADMIN_TEMPLATES_CSE, LEGACY_LAPS_CSE } from './gpo-links.js';
import { REGISTRY_TOOL, type ExtensionPair } from './gpo-extensions.js';
import { decodePolicyData, dwordEntry, REG_DWORD, REG_SZ, sameName, stringEntry, type PolicyEntry } from './registry-pol.js';

/** Registry.pol keys are relative to HKLM for the Machine half. */
export const WINDOWS_LAPS_GPO_KEY = 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\LAPS';
export const LEGACY_LAPS_KEY = 'Software\\Policies\\Microsoft Services\\AdmPwd';

export interface SettingSpec {
  name: string;
  type: typeof REG_DWORD | typeof REG_SZ;
  /** Inclusive range (DWORDs) or allowed values. */
  range?: [number, number];
  allowed?: number[];
}

const dword = (name: string, range?: [number, number], allowed?: number[]): SettingSpec => ({ name, type: REG_DWORD, ...(range ? { range } : {}), ...(allowed ? { allowed } : {}) });
const sz = (name: string): SettingSpec => ({ name, type: REG_SZ });

export const WINDOWS_LAPS_SETTINGS: SettingSpec[] = [
  dword('BackupDirectory', [0, 2]),
  sz('AdministratorAccountName'),
  dword('PasswordAgeDays', [1, 365]),
  dword('PasswordLength', [8, 64]),
  dword('PassphraseLength', [3, 10]),
  dword('PasswordComplexity', [1, 8]),
  dword('PasswordExpirationProtectionEnabled', [0, 1]),
  dword('ADPasswordEncryptionEnabled', [0, 1]),
  sz('ADPasswordEncryptionPrincipal'),
  dword('ADEncryptedPasswordHistorySize', [0, 12]),
  dword('ADBackupDSRMPassword', [0, 1]),
  dword('PostAuthenticationResetDelay', [0, 24]),
  dword('PostAuthenticationActions', undefined, [1, 3, 5, 11]),
  dword('AutomaticAccountManagementEnabled', [0, 1]),
  dword('AutomaticAccountManagementTarget', [0, 1]),
  sz('AutomaticAccountManagementNameOrPrefix'),
  dword('AutomaticAccountManagementEnableAccount', [0, 1]),
  dword('AutomaticAccountManagementRandomizeName', [0, 1]),
];

export const LEGACY_LAPS_SETTINGS: SettingSpec[] = [
  dword('AdmPwdEnabled', [0, 1]),
  sz('AdminAccountName'),
  dword('PasswordComplexity', [1, 4]),
  dword('PasswordLength', [8, 64]),
  dword('PasswordAgeDays', [1, 365]),
  dword('PwdExpirationProtectionEnabled', [0, 1]),
];

export type LapsSettingValue = number | string;

/** Registry values delivered through Registry.pol: the Administrative Templates CSE. */
export const ADMIN_TEMPLATES_PAIR: ExtensionPair = { cse: ADMIN_TEMPLATES_CSE, tool: REGISTRY_TOOL };
/** The legacy AdmPwd CSE, listed by GPMC for the AdmPwd.admx settings. */
export const LEGACY_LAPS_PAIR: ExtensionPair = { cse: LEGACY_LAPS_CSE, tool: REGISTRY_TOOL };

function specFor(key: string, name: string): SettingSpec | undefined {
  const list = sameName(key, WINDOWS_LAPS_GPO_KEY) ? WINDOWS_LAPS_SETTINGS : sameName(key, LEGACY_LAPS_KEY) ? LEGACY_LAPS_SETTINGS : undefined;
  return list?.find((s) => sameName(s.name, name));
}

/**
 * Value names that would put a secret into SYSVOL (readable by every authenticated user and
 * computer): passwords, keys, Group Policy Preferences' cpassword. LAPS' own names
 * (PasswordLength, ADPasswordEncryptionPrincipal...) describe a password, they do not hold one.
 */
const SECRET_VALUE_NAME = /(password|passwd|pwd|secret|privatekey|apikey|token)$/i;

export function assertNoSecretInPolicy(e: Pick<PolicyEntry, 'key' | 'value' | 'type'>): void {
  // the LAPS settings themselves are switches and names (ADBackupDSRMPassword is a 0/1 flag)
  const known = [...WINDOWS_LAPS_SETTINGS, ...LEGACY_LAPS_SETTINGS].some((s) => sameName(s.name, e.value));
  if (SECRET_VALUE_NAME.test(e.value) && !known) {
    throw new InputError(`refusing to write ${e.key}\\${e.value} into a GPO: its name says it holds a secret, and SYSVOL is readable by every computer`, {
      reason: 'SECRET_IN_GPO',
      advice: 'Never deliver a password through Group Policy; Windows LAPS manages the password itself.',
    });
  }
}

/** One LAPS value as a Registry.pol entry, checked against its type and range. */
export function lapsPolicyEntry(key: string, name: string, value: LapsSettingValue): PolicyEntry {
  const spec = specFor(key, name);
  const where = `${key}\\${name}`;
  if (!spec) throw new InputError(`${where} is not a known LAPS policy value`, { reason: 'UNKNOWN_LAPS_SETTING', advice: `Known values: ${[...WINDOWS_LAPS_SETTINGS, ...LEGACY_LAPS_SETTINGS].map((s) => s.name).join(', ')}` });
  if (spec.type === REG_SZ) {
    if (typeof value !== 'string') throw new InputError(`${where} is a string (REG_SZ), not ${JSON.stringify(value)}`);
    const e = stringEntry(key, spec.name, value);
    assertNoSecretInPolicy(e);
    return e;
  }
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new InputError(`${where} is a number (REG_DWORD), not ${JSON.stringify(value)}`);
  if (spec.range && (value < spec.range[0] || value > spec.range[1])) throw new InputError(`${where} must be ${spec.range[0]}..${spec.range[1]}, not ${value}`, { reason: 'LAPS_SETTING_OUT_OF_RANGE' });
  if (spec.allowed && !spec.allowed.includes(value)) throw new InputError(`${where} must be one of ${spec.allowed.join(', ')}, not ${value}`, { reason: 'LAPS_SETTING_OUT_OF_RANGE' });
  return dwordEntry(key, spec.name, value);
}

export interface DecodedLapsSettings {
  /** Windows LAPS values under the GPO root (LAPS-FACTS 3, root 2). */
  windowsLaps: Record<string, LapsSettingValue>;
  /** Legacy AdmPwd values. */
  legacy: Record<string, LapsSettingValue>;
  /** "**del.X" / "**delvals." markers under the LAPS keys: a value deleted by policy. */
  deletions: string[];
  /** Entries under the LAPS keys whose name, type or value is not what LAPS.admx / AdmPwd.admx write. */
  anomalies: string[];
  /** Entries outside the LAPS keys (the GPO carries other settings too). */
  otherEntries: number;
}

export function decodeLapsSettings(entries: readonly PolicyEntry[]): DecodedLapsSettings {
  const out: DecodedLapsSettings = { windowsLaps: {}, legacy: {}, deletions: [], anomalies: [], otherEntries: 0 };
  for (const e of entries) {
    const isWindows = sameName(e.key, WINDOWS_LAPS_GPO_KEY);
    const isLegacy = sameName(e.key, LEGACY_LAPS_KEY);
    if (!isWindows && !isLegacy) {
      out.otherEntries++;
      continue;
    }
    const target = isWindows ? out.windowsLaps : out.legacy;
    if (e.value.startsWith('**')) {
      const lower = e.value.toLowerCase();
      if (lower === '**delvals.') for (const k of Object.keys(target)) delete target[k];
      else if (lower.startsWith('**del.')) delete target[Object.keys(target).find((k) => sameName(k, e.value.slice(6))) ?? ''];
      out.deletions.push(`${isWindows ? 'Windows LAPS' : 'legacy'}: ${e.value}`);
      continue;
    }
    const spec = specFor(e.key, e.value);
    const decoded = decodePolicyData(e);
    if (!spec) out.anomalies.push(`${e.key}\\${e.value}: not a ${isWindows ? 'LAPS.admx' : 'AdmPwd.admx'} value`);
    else if (spec.type !== e.type) out.anomalies.push(`${e.key}\\${e.value}: type ${e.type}, expected ${spec.type === REG_SZ ? 'REG_SZ' : 'REG_DWORD'}`);
    if (typeof decoded === 'number' || typeof decoded === 'string') target[spec?.name ?? e.value] = decoded;
    else out.anomalies.push(`${e.key}\\${e.value}: unexpected data`);
  }
  return out;
}

/** The extension pairs a GPO needs for these Registry.pol entries (GPMC lists them). */
export function neededExtensionPairs(entries: readonly PolicyEntry[]): ExtensionPair[] {
  const pairs: ExtensionPair[] = [];
  if (entries.length > 0) pairs.push(ADMIN_TEMPLATES_PAIR);
  if (entries.some((e) => sameName(e.key, LEGACY_LAPS_KEY))) pairs.push(LEGACY_LAPS_PAIR);
  return pairs;
}
