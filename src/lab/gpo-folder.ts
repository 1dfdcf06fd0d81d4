/**
 * The SYSVOL side of one GPO in the lab's local SYSVOL folder (there is no smbd):
 * <sysvol>/<dnsDomain>/Policies/{GUID}/GPT.INI and Machine/Registry.pol, folders 0700, files 0600.
 * Also turns scenario policy settings into Registry.pol entries.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEGACY_POLICY_KEY, WINDOWS_LAPS_GPO_KEY } from '../laps/laps-policy.js';
import { dwordEntry, parseRegistryPol, stringEntry, writeRegistryPol, type PolicyEntry } from '../laps/registry-pol.js';
import type { ScenarioGpo } from './scenario-schema.js';

export function gpoFolder(sysvolTop: string, dnsDomain: string, guid: string): string {
  return join(sysvolTop, dnsDomain, 'Policies', guid);
}

export function writeGpoFolder(sysvolTop: string, dnsDomain: string, guid: string, displayName: string, entries: PolicyEntry[], version = 1): string {
  const dir = gpoFolder(sysvolTop, dnsDomain, guid);
  mkdirSync(join(dir, 'Machine'), { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, 'User'), { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, 'GPT.INI'), `[General]\r\nVersion=${version}\r\ndisplayName=${displayName}\r\n`, { mode: 0o600 });
  if (entries.length > 0) writeFileSync(join(dir, 'Machine', 'Registry.pol'), writeRegistryPol(entries), { mode: 0o600 });
  return dir;
}

/** The GPO's Machine/Registry.pol entries; [] when it has none. Throws InputError on a malformed file. */
export function readGpoPolicy(sysvolTop: string, dnsDomain: string, guid: string): PolicyEntry[] {
  const f = join(gpoFolder(sysvolTop, dnsDomain, guid), 'Machine', 'Registry.pol');
  if (!existsSync(f)) return [];
  return parseRegistryPol(readFileSync(f));
}

export function scenarioPolicyEntries(g: ScenarioGpo): PolicyEntry[] {
  const out: PolicyEntry[] = [];
  const L = LEGACY_POLICY_KEY;
  const W = WINDOWS_LAPS_GPO_KEY;
  const bit = (b: boolean) => (b ? 1 : 0);
  if (g.legacy) {
    out.push(dwordEntry(L, 'AdmPwdEnabled', bit(g.legacy.enabled)));
    if (g.legacy.adminAccountName) out.push(stringEntry(L, 'AdminAccountName', g.legacy.adminAccountName));
    out.push(dwordEntry(L, 'PasswordComplexity', g.legacy.passwordComplexity), dwordEntry(L, 'PasswordLength', g.legacy.passwordLength), dwordEntry(L, 'PasswordAgeDays', g.legacy.passwordAgeDays));
    if (g.legacy.expirationProtection !== undefined) out.push(dwordEntry(L, 'PwdExpirationProtectionEnabled', bit(g.legacy.expirationProtection)));
  }
  const w = g.windowsLaps;
  if (w) {
    out.push(dwordEntry(W, 'BackupDirectory', w.backupDirectory));
    if (w.administratorAccountName) out.push(stringEntry(W, 'AdministratorAccountName', w.administratorAccountName));
    if (w.passwordComplexity !== undefined) out.push(dwordEntry(W, 'PasswordComplexity', w.passwordComplexity));
    if (w.passwordLength !== undefined) out.push(dwordEntry(W, 'PasswordLength', w.passwordLength));
    if (w.passwordAgeDays !== undefined) out.push(dwordEntry(W, 'PasswordAgeDays', w.passwordAgeDays));
    if (w.expirationProtection !== undefined) out.push(dwordEntry(W, 'PasswordExpirationProtectionEnabled', bit(w.expirationProtection)));
    if (w.encryption !== undefined) out.push(dwordEntry(W, 'ADPasswordEncryptionEnabled', bit(w.encryption)));
    if (w.encryptionPrincipal) out.push(stringEntry(W, 'ADPasswordEncryptionPrincipal', w.encryptionPrincipal));
    if (w.historySize !== undefined) out.push(dwordEntry(W, 'ADEncryptedPasswordHistorySize', w.historySize));
    if (w.backupDsrm !== undefined) out.push(dwordEntry(W, 'ADBackupDSRMPassword', bit(w.backupDsrm)));
  }
  return out;
}
