import { describe, expect, it } from 'vitest';
import { dwordEntry, stringEntry, type PolicyEntry } from '../../../src/laps/registry-pol.js';
import { applyPolicyEntries, decodeGpoLapsPolicy, legacySettings, LEGACY_POLICY_KEY, registryViewOf, WINDOWS_LAPS_GPO_KEY, windowsLapsGpoSettings } from '../../../src/laps/laps-policy.js';
import { effectivePolicy, gpoApplicationOrder, type GpoPolicyData } from '../../../src/laps/effective-policy.js';
import { parseGpLink, type ScopeOfManagement } from '../../../src/laps/gpo-links.js';

const L = LEGACY_POLICY_KEY;
const W = WINDOWS_LAPS_GPO_KEY;
const G = (n: number) => `{00000000-0000-0000-0000-${String(n).padStart(12, '0')}}`;
const link = (n: number, opt = 0) => `[LDAP://cn=${G(n)},cn=policies,cn=system,DC=x;${opt}]`;
const legacyGpo: PolicyEntry[] = [dwordEntry(L, 'AdmPwdEnabled', 1), dwordEntry(L, 'PasswordAgeDays', 7)];
const winGpo: PolicyEntry[] = [dwordEntry(W, 'BackupDirectory', 2), dwordEntry(W, 'ADEncryptedPasswordHistorySize', 2)];

function chain(domainLinks: string, ouLinks: string, block = false): ScopeOfManagement[] {
  return [
    { dn: 'DC=x', links: [], blocksInheritance: false },
    { dn: 'OU=A,DC=x', links: [], blocksInheritance: false },
    { dn: 'OU=B,OU=A,DC=x', links: [], blocksInheritance: block },
  ].map((s, i) => ({ ...s, links: parse(i === 0 ? domainLinks : i === 2 ? ouLinks : '') }));
}
const parse = (s: string) => parseGpLink(s);

describe('laps-policy: Registry.pol replay and settings', () => {
  it('reads legacy settings with defaults and reports out-of-range values', () => {
    const s = legacySettings(registryViewOf([[dwordEntry(L, 'AdmPwdEnabled', 1), dwordEntry(L, 'PasswordLength', 4), stringEntry(L, 'AdminAccountName', 'lapsadmin')]]))!;
    expect(s).toMatchObject({ enabled: true, passwordLength: 14, passwordAgeDays: 30, passwordComplexity: 4, adminAccountName: 'lapsadmin', expirationProtection: false });
    expect(s.problems.map((p) => p.value)).toEqual(['PasswordLength']);
    expect(legacySettings(registryViewOf([[]]))).toBeUndefined();
  });

  it('reads Windows LAPS GPO settings with the documented defaults', () => {
    const s = windowsLapsGpoSettings(registryViewOf([[dwordEntry(W, 'BackupDirectory', 2)]]), 22631)!;
    expect(s).toMatchObject({ backupDirectory: 'ad', encryptionEnabled: true, historySize: 0, passwordAgeDays: 30, passwordLength: 14, passwordComplexity: 4, expirationProtection: true, backupDsrm: false, postAuthenticationActions: 3, postAuthenticationResetDelayHours: 24 });
    expect(s.encryptionPrincipal).toBeUndefined();
  });

  it('history and DSRM need encryption; complexity 5..8 needs 26100+', () => {
    const entries = [dwordEntry(W, 'BackupDirectory', 2), dwordEntry(W, 'ADPasswordEncryptionEnabled', 0), dwordEntry(W, 'ADEncryptedPasswordHistorySize', 5), dwordEntry(W, 'ADBackupDSRMPassword', 1), dwordEntry(W, 'PasswordComplexity', 6)];
    const old = decodeGpoLapsPolicy(entries, 22631).windows!;
    expect(old).toMatchObject({ historySize: 0, backupDsrm: false, passwordComplexity: 4 });
    expect(old.problems.map((p) => p.value)).toContain('PasswordComplexity');
    expect(decodeGpoLapsPolicy(entries, 26100).windows!.passwordComplexity).toBe(6);
  });

  it('**del.X deletes one value, **delvals. every value of the key, keys and names are case-insensitive', () => {
    const view = registryViewOf([winGpo]);
    applyPolicyEntries(view, [dwordEntry(`HKLM\\${W.toUpperCase()}`, '**del.ADEncryptedPasswordHistorySize', 0)]);
    expect(windowsLapsGpoSettings(view)!.historySize).toBe(0);
    expect(windowsLapsGpoSettings(view)!.backupDirectory).toBe('ad');
    applyPolicyEntries(view, [stringEntry(W, '**delvals.', ' ')]);
    expect(windowsLapsGpoSettings(view)).toBeUndefined();
  });

  it('string principal and a non-number value', () => {
    const s = decodeGpoLapsPolicy([dwordEntry(W, 'BackupDirectory', 2), stringEntry(W, 'ADPasswordEncryptionPrincipal', 'LAB\\LAPS Admins'), stringEntry(W, 'PasswordAgeDays', 'x')]).windows!;
    expect(s.encryptionPrincipal).toBe('LAB\\LAPS Admins');
    expect(s.passwordAgeDays).toBe(30);
    expect(s.problems[0]!.message).toMatch(/not a number/);
  });
});

describe('effective-policy: application order', () => {
  it('domain first, then OUs; within a container the last gPLink entry (link order 1) is applied last', () => {
    const order = gpoApplicationOrder(chain(link(1), `${link(2)}${link(3)}`)).map((g) => g.guid);
    expect(order).toEqual([G(1), G(2), G(3)]);
  });
  it('enforced links are applied last, the domain one after deeper ones; disabled links never', () => {
    const order = gpoApplicationOrder(chain(`${link(1, 2)}${link(4)}`, `${link(2, 2)}${link(3)}${link(5, 1)}`)).map((g) => g.guid);
    expect(order).toEqual([G(4), G(3), G(2), G(1)]);
  });
  it('blocked inheritance keeps only enforced parents', () => {
    const order = gpoApplicationOrder(chain(`${link(1, 2)}${link(4)}`, link(3), true)).map((g) => g.guid);
    expect(order).toEqual([G(3), G(1)]);
  });
});

describe('effective-policy: which implementation', () => {
  const gpos = (m: Record<number, PolicyEntry[]>, disabled: number[] = []): Map<string, GpoPolicyData> =>
    new Map(Object.entries(m).map(([k, v]) => [G(Number(k)), { entries: v, computerSettingsDisabled: disabled.includes(Number(k)) }]));
  const base = { chain: chain(link(1), link(2)), dc: false, cseInstalled: false };

  it('legacy policy only, no CSE, supported build: emulation', () => {
    const p = effectivePolicy({ ...base, gpos: gpos({ 1: legacyGpo }), build: 22631 });
    expect(p.implementation).toBe('emulation');
    expect(p.legacy!.passwordAgeDays).toBe(7);
  });
  it('legacy policy and the CSE installed: legacy-cse (Windows LAPS defers)', () => {
    expect(effectivePolicy({ ...base, cseInstalled: true, gpos: gpos({ 1: legacyGpo }), build: 19045 }).implementation).toBe('legacy-cse');
  });
  it('Server 2016 (14393) and older builds: only the legacy CSE, even under a Windows LAPS GPO', () => {
    expect(effectivePolicy({ ...base, cseInstalled: true, gpos: gpos({ 1: legacyGpo, 2: winGpo }), build: 14393 }).implementation).toBe('legacy-cse');
    expect(effectivePolicy({ ...base, cseInstalled: false, gpos: gpos({ 1: legacyGpo }), build: 17134 }).implementation).toBe('unmanaged');
  });
  it('a Windows LAPS GPO beats the legacy policy, CSE or not', () => {
    for (const cseInstalled of [true, false]) {
      const p = effectivePolicy({ ...base, cseInstalled, gpos: gpos({ 1: legacyGpo, 2: winGpo }), build: 22631 });
      expect(p.implementation).toBe('windows-laps');
      expect(p.windows!.historySize).toBe(2);
      expect(p.source).toBe('gpo');
    }
  });
  it('roots never merge: a CSP value hides every GPO value', () => {
    const csp = registryViewOf([[dwordEntry('Software\\Microsoft\\Policies\\LAPS', 'BackupDirectory', 2)]]).get('software\\microsoft\\policies\\laps')!;
    const p = effectivePolicy({ ...base, gpos: gpos({ 2: winGpo }), build: 22631, cspValues: csp });
    expect(p.source).toBe('csp');
    expect(p.windows!.historySize).toBe(0);
  });
  it('BackupDirectory=0 in the local root disables emulation', () => {
    const local = registryViewOf([[dwordEntry('Software\\Microsoft\\Windows\\CurrentVersion\\LAPS\\Config', 'BackupDirectory', 0)]]).get('software\\microsoft\\windows\\currentversion\\laps\\config')!;
    expect(effectivePolicy({ ...base, gpos: gpos({ 1: legacyGpo }), build: 22631, localConfigValues: local }).implementation).toBe('unmanaged');
  });
  it('no emulation on a DC; Windows LAPS on a DC is fine', () => {
    expect(effectivePolicy({ ...base, dc: true, gpos: gpos({ 1: legacyGpo }), build: 20348 }).implementation).toBe('unmanaged');
    expect(effectivePolicy({ ...base, dc: true, gpos: gpos({ 2: winGpo }), build: 20348 }).implementation).toBe('windows-laps');
  });
  it('AdmPwdEnabled missing or 0: unmanaged; non-Windows: unmanaged', () => {
    expect(effectivePolicy({ ...base, gpos: gpos({ 1: [dwordEntry(L, 'PasswordAgeDays', 7)] }), build: 22631 }).implementation).toBe('unmanaged');
    expect(effectivePolicy({ ...base, gpos: gpos({ 1: legacyGpo }), build: undefined }).implementation).toBe('unmanaged');
  });
  it('a later GPO overrides a value; an enforced domain GPO wins; disabled computer settings are skipped', () => {
    const c = chain(link(1, 2), link(2));
    const p = effectivePolicy({ chain: c, dc: false, cseInstalled: false, build: 22631, gpos: gpos({ 1: [dwordEntry(W, 'BackupDirectory', 2), dwordEntry(W, 'PasswordAgeDays', 5)], 2: [dwordEntry(W, 'PasswordAgeDays', 9), dwordEntry(W, 'PasswordLength', 20)] }) });
    expect(p.windows).toMatchObject({ passwordAgeDays: 5, passwordLength: 20 });
    expect(p.appliedGpos).toEqual([G(2), G(1)]);
    const q = effectivePolicy({ chain: c, dc: false, cseInstalled: false, build: 22631, gpos: gpos({ 1: winGpo, 2: legacyGpo }, [1]) });
    expect(q.implementation).toBe('emulation');
  });
  it('a later GPO deleting the Windows LAPS values (**delvals.) falls back to emulation', () => {
    const p = effectivePolicy({ ...base, gpos: gpos({ 1: [...legacyGpo, ...winGpo], 2: [stringEntry(W, '**delvals.', ' ')] }), build: 22631 });
    expect(p.implementation).toBe('emulation');
  });
});
