/** The Registry.pol values a wave's GPO gets from the playbook policy (LAPS-FACTS 3). */
import { describe, expect, it } from 'vitest';
import { WINDOWS_LAPS_GPO_KEY } from '../../../../src/laps/gpo-laps-settings.js';
import { REG_DWORD, REG_SZ } from '../../../../src/laps/registry-pol.js';
import { policyOptions } from '../../../../src/steps/cutover/options.js';
import { policyEntries, startWaveEdit } from '../../../../src/steps/cutover/start-wave.js';

const decoded = (p: unknown) =>
  Object.fromEntries(policyEntries(policyOptions.parse(p)).map((e) => [e.value, e.type === REG_DWORD ? e.data.readUInt32LE(0) : e.type === REG_SZ ? e.data.toString('utf16le').replace(/\0+$/, '') : '?']));

describe('policyEntries', () => {
  it('an encrypted policy with history and DSRM backup (a 0/1 flag, not a secret)', () => {
    expect(decoded({ encryption: { principal: 'LAB\\LAPS Admins' }, historySize: 2, backupDsrm: true, administratorAccountName: 'LapsAdmin' })).toEqual({
      BackupDirectory: 2,
      AdministratorAccountName: 'LapsAdmin',
      PasswordAgeDays: 30,
      PasswordLength: 14,
      PasswordComplexity: 4,
      PasswordExpirationProtectionEnabled: 1,
      ADPasswordEncryptionEnabled: 1,
      ADPasswordEncryptionPrincipal: 'LAB\\LAPS Admins',
      ADEncryptedPasswordHistorySize: 2,
      ADBackupDSRMPassword: 1,
      PostAuthenticationResetDelay: 24,
      PostAuthenticationActions: 3,
    });
  });

  it('clear text: no principal, history or DSRM values; the built-in account leaves the name unset', () => {
    const d = decoded({ encryption: { enabled: false } });
    expect(d.ADPasswordEncryptionEnabled).toBe(0);
    expect(Object.keys(d)).not.toContain('ADEncryptedPasswordHistorySize');
    expect(Object.keys(d)).not.toContain('AdministratorAccountName');
  });

  it('every value goes under the GPO root key; the edit links each OU enabled', () => {
    const e = startWaveEdit('pilot', ['OU=Pilot,DC=lab'], policyOptions.parse({}));
    expect(e.set!.every((x) => x.key === WINDOWS_LAPS_GPO_KEY)).toBe(true);
    expect(e.links).toEqual([{ target: 'OU=Pilot,DC=lab', edit: { action: 'link', enabled: true } }]);
    expect(e.reason).toBe('cutover: start wave pilot');
  });
});
