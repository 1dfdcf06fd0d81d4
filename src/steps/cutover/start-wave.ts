/**
 * Starting a wave = writing the playbook's Windows LAPS policy into the wave's GPO under the GPO
 * root key (LAPS-FACTS 3) and linking it (enabled) to the wave's OUs, through the GPO writer
 * (planGpoEdit), which journals both halves. Windows LAPS rotates at once when a policy first
 * applies, so nothing else is needed. A rerun on a GPO already holding these values and links
 * plans nothing.
 */
import { WINDOWS_LAPS_GPO_KEY, lapsPolicyEntry } from '../../laps/gpo-laps-settings.js';
import type { PolicyEntry } from '../../laps/registry-pol.js';
import type { PolicyOptions } from './options.js';
import type { GpoEdit } from '../../gpo/plan-gpo-edit.js';

const BACKUP_DIRECTORY = { off: 0, entra: 1, ad: 2 } as const;
const flag = (b: boolean) => (b ? 1 : 0);

/** The Registry.pol values of a playbook policy (a value left at "empty" is not written: Windows' default). */
export function policyEntries(p: PolicyOptions): PolicyEntry[] {
  const v: Array<[string, number | string]> = [['BackupDirectory', BACKUP_DIRECTORY[p.backupDirectory]]];
  if (p.administratorAccountName !== '') v.push(['AdministratorAccountName', p.administratorAccountName]);
  v.push(['PasswordAgeDays', p.passwordAgeDays], ['PasswordLength', p.passwordLength], ['PasswordComplexity', p.passwordComplexity]);
  if (p.passphraseLength !== undefined) v.push(['PassphraseLength', p.passphraseLength]);
  v.push(['PasswordExpirationProtectionEnabled', flag(p.passwordExpirationProtection)]);
  if (p.backupDirectory === 'ad') {
    v.push(['ADPasswordEncryptionEnabled', flag(p.encryption.enabled)]);
    if (p.encryption.enabled && p.encryption.principal) v.push(['ADPasswordEncryptionPrincipal', p.encryption.principal]);
    if (p.encryption.enabled) v.push(['ADEncryptedPasswordHistorySize', p.historySize], ['ADBackupDSRMPassword', flag(p.backupDsrm)]);
  }
  v.push(['PostAuthenticationResetDelay', p.postAuthentication.resetDelayHours], ['PostAuthenticationActions', p.postAuthentication.actions]);
  return v.map(([name, value]) => lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, name, value));
}

/** The GPO edit that starts a wave: the settings, then an enabled link on each of its OUs. */
export function startWaveEdit(waveName: string, ous: readonly string[], p: PolicyOptions): GpoEdit {
  return {
    set: policyEntries(p),
    links: ous.map((target) => ({ target, edit: { action: 'link' as const, enabled: true } })),
    reason: `cutover: start wave ${waveName}`,
  };
}
