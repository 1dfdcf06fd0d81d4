import { describe, expect, it } from 'vitest';
import { cutoverOptions, policyOptions, wavesOptions } from '../../../../src/steps/cutover/options.js';
import { emulationOptions } from '../../../../src/steps/emulation/options.js';
import { cleanupOptions } from '../../../../src/steps/cleanup/options.js';
import { STEPS } from '../../../../src/steps/registry.js';

function issues(r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): string[] {
  return r.success ? [] : r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('policy options (LAPS-FACTS 3)', () => {
  it('defaults every key as Windows does without it (backup to AD)', () => {
    expect(policyOptions.parse({})).toEqual({
      backupDirectory: 'ad',
      administratorAccountName: '',
      passwordAgeDays: 30,
      passwordLength: 14,
      passwordComplexity: 4,
      passwordExpirationProtection: true,
      encryption: { enabled: true },
      historySize: 0,
      backupDsrm: false,
      postAuthentication: { resetDelayHours: 24, actions: 3 },
    });
  });

  it('enforces the ranges', () => {
    const r = policyOptions.safeParse({ passwordAgeDays: 0, passwordLength: 65, passwordComplexity: 9, historySize: 13, postAuthentication: { resetDelayHours: 25, actions: 2 } });
    expect(issues(r)).toEqual([
      'passwordAgeDays: must be 1-365',
      'passwordLength: must be 8-64',
      'passwordComplexity: must be 1-8',
      'historySize: must be 0-12',
      'postAuthentication.resetDelayHours: must be 0-24',
      expect.stringMatching(/^postAuthentication\.actions: /),
    ]);
    expect(policyOptions.safeParse({ passwordAgeDays: 365, passwordLength: 8, passwordComplexity: 8, historySize: 12, postAuthentication: { resetDelayHours: 0, actions: 11 } }).success).toBe(true);
  });

  it('accepts complexity 5-8 (a build finding for the cutover, not a schema error)', () => {
    expect(policyOptions.parse({ passwordComplexity: 6, passphraseLength: 5 }).passphraseLength).toBe(5);
  });

  it('allows history and DSRM only with encryption in AD', () => {
    expect(issues(policyOptions.safeParse({ encryption: { enabled: false }, historySize: 3, backupDsrm: true }))).toEqual([
      'historySize: needs encryption in AD (encryption.enabled is false); set it to 0',
      'backupDsrm: needs encryption in AD (encryption.enabled is false)',
    ]);
    expect(issues(policyOptions.safeParse({ backupDirectory: 'entra', historySize: 1 }))).toEqual(['historySize: needs encryption in AD (backupDirectory is entra); set it to 0']);
    expect(policyOptions.safeParse({ historySize: 12, backupDsrm: true }).success).toBe(true);
  });

  it('checks cross-field rules even when another key is already wrong', () => {
    expect(issues(policyOptions.safeParse({ passwordLength: 'long', encryption: { enabled: false }, historySize: 2 }))).toEqual([
      expect.stringMatching(/^passwordLength: /),
      'historySize: needs encryption in AD (encryption.enabled is false); set it to 0',
    ]);
  });

  it('takes a SID, DOMAIN\\name or UPN as the encryption principal, never an isolated name', () => {
    for (const p of ['S-1-5-21-1-2-3-1107', 'LAB\\LAPS Admins', 'laps-admins@lab.test']) expect(policyOptions.safeParse({ encryption: { principal: p } }).success).toBe(true);
    expect(issues(policyOptions.safeParse({ encryption: { principal: 'LAPS Admins' } }))[0]).toMatch(/^encryption\.principal: .*isolated name is ambiguous/);
  });

  it('refuses an account name Windows would refuse', () => {
    expect(issues(policyOptions.safeParse({ administratorAccountName: 'a/b' }))).toHaveLength(1);
    expect(issues(policyOptions.safeParse({ administratorAccountName: 'x'.repeat(21) }))).toHaveLength(1);
    expect(policyOptions.parse({ administratorAccountName: 'LapsAdmin' }).administratorAccountName).toBe('LapsAdmin');
  });

  it('refuses a passphrase length without a passphrase complexity', () => {
    expect(issues(policyOptions.safeParse({ passphraseLength: 5 }))).toEqual(['passphraseLength: only applies with passwordComplexity 6-8 (it is 4)']);
  });

  it('refuses unknown keys', () => {
    expect(issues(policyOptions.safeParse({ passwordAge: 30 }))[0]).toMatch(/passwordAge/);
  });
});

describe('waves', () => {
  const pilot = { name: 'pilot', ous: ['OU=Pilot,OU=Workstations'], gpo: 'Windows LAPS - Pilot' };
  it('fills the gates and accepts nested OUs', () => {
    const w = wavesOptions.parse([pilot, { name: 'broad', ous: ['OU=Workstations', 'OU=Servers'], gpo: 'Windows LAPS - Broad' }]);
    expect(w[0]!.gates).toEqual({ minVerifiedPercent: 100, maxFailures: 0, soakDays: 0 });
    expect(w).toHaveLength(2);
  });

  it('refuses duplicate names, the same OU twice (any case or spacing) and the same group twice', () => {
    const r = wavesOptions.safeParse([
      pilot,
      { name: 'Pilot', ous: ['ou=pilot, ou=workstations'], gpo: 'x' },
      { name: 'g1', group: 'LAPS Pilot', gpo: 'y' },
      { name: 'g2', group: 'laps pilot', gpo: 'z' },
    ]);
    expect(issues(r)).toEqual([
      '1.name: duplicate wave name (waves[0] is also "Pilot")',
      '1.ous.0: ou=pilot, ou=workstations is already in wave "pilot" (nest a smaller OU instead: the first wave containing a computer wins)',
      '3.group: group "laps pilot" is already wave "g1"',
    ]);
  });

  it('needs exactly one of ous, group, computers', () => {
    expect(issues(wavesOptions.safeParse([{ name: 'a', gpo: 'g' }]))).toEqual(['0.name: a wave needs one of ous, group or computers']);
    expect(issues(wavesOptions.safeParse([{ name: 'a', gpo: 'g', group: 'G', computers: ['PC1'] }]))).toEqual(['0.computers: a wave takes one of ous, group or computers (it already has group)']);
  });

  it('checks the gates', () => {
    expect(issues(wavesOptions.safeParse([{ ...pilot, gates: { minVerifiedPercent: 101, maxFailures: -1, soakDays: 1 } }]))).toEqual([
      '0.gates.minVerifiedPercent: must be 0-100',
      '0.gates.maxFailures: must be 0 or more',
    ]);
  });
});

describe('cutover, emulation and cleanup options', () => {
  it('side-by-side needs a second account', () => {
    expect(issues(cutoverOptions.safeParse({ transition: 'side-by-side' }))).toEqual(['policy.administratorAccountName: side-by-side needs a second account: name it here (the legacy policy keeps managing its own)']);
    expect(cutoverOptions.parse({ transition: 'side-by-side', policy: { administratorAccountName: 'LapsAdmin' } }).policy.administratorAccountName).toBe('LapsAdmin');
    expect(cutoverOptions.parse({}).waves).toEqual([]);
  });

  it('emulation takes a date to monitor from', () => {
    expect(emulationOptions.parse({ since: '2026-11-30' })).toMatchObject({ enabled: true, since: '2026-11-30', graceDays: 7 });
    expect(emulationOptions.safeParse({ since: '30/11/2026' }).success).toBe(false);
    expect(emulationOptions.safeParse({ since: '2026-11-30T08:00Z' }).success).toBe(true);
    expect(emulationOptions.safeParse({ since: '2026-02-31T00:00Z' }).success).toBe(false);
    expect(emulationOptions.safeParse({ since: '2026-13-01' }).success).toBe(false);
  });

  it('cleanup clears legacy passwords by default but not clear-text Windows LAPS ones', () => {
    expect(cleanupOptions.parse({})).toEqual({ clearLegacyPasswords: true, removeLegacyDelegations: true, unlinkLegacyGpos: true, removeClearTextWindowsLaps: false });
  });

  it('the registry lists all six steps in order, every one built, every one offered by the wizard', () => {
    expect(STEPS.map((s) => s.name)).toEqual(['inventory', 'schema', 'permissions', 'emulation', 'cutover', 'cleanup']);
    expect(STEPS.filter((s) => !s.load).map((s) => s.name)).toEqual([]);
    expect(STEPS.filter((s) => s.wizard === false).map((s) => s.name)).toEqual([]);
  });
});
