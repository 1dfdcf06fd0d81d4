/**
 * LAPS policy values (names, types, ranges, the secret guard, decoding) and the PowerShell
 * generator: exact cmdlets, parameters and values (checked textually: no Windows here).
 */
import { describe, expect, it } from 'vitest';
import { assertNoSecretInPolicy, decodeLapsSettings, lapsPolicyEntry, LEGACY_LAPS_KEY, neededExtensionPairs, WINDOWS_LAPS_GPO_KEY } from '../../../src/laps/gpo-laps-settings.js';
import { gpoEditPowerShell, psQuote } from '../../../src/laps/gpo-powershell.js';
import { dwordEntry, REG_DWORD, REG_SZ, stringEntry } from '../../../src/laps/registry-pol.js';
import { ADMIN_TEMPLATES_CSE, LEGACY_LAPS_CSE } from '../../../src/laps/gpo-links.js';
import { InputError } from '../../../src/errors.js';

describe('LAPS policy values', () => {
  it('builds entries with the LAPS.admx names and types, and checks ranges', () => {
    const e = lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'backupdirectory', 2);
    expect(e).toMatchObject({ key: WINDOWS_LAPS_GPO_KEY, value: 'BackupDirectory', type: REG_DWORD });
    expect(e.data.readUInt32LE(0)).toBe(2);
    expect(lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'ADPasswordEncryptionPrincipal', 'LAB\\LAPS Readers').type).toBe(REG_SZ);
    expect(() => lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'PasswordLength', 65)).toThrow(/8\.\.64, not 65/);
    expect(() => lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'PostAuthenticationActions', 4)).toThrow(/one of 1, 3, 5, 11/);
    expect(() => lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'PasswordLength', '14')).toThrow(/REG_DWORD/);
    expect(() => lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'Nonsense', 1)).toThrow(InputError);
    expect(() => lapsPolicyEntry(LEGACY_LAPS_KEY, 'PasswordComplexity', 5)).toThrow(/1\.\.4/);
  });

  it('never lets a secret into a GPO file', () => {
    for (const name of ['Password', 'AdminPassword', 'cpassword', 'DefaultPassword', 'ApiToken', 'pwd']) {
      expect(() => assertNoSecretInPolicy({ key: 'Software\\X', value: name, type: REG_SZ }), name).toThrow(/SYSVOL is readable by every computer/);
    }
    for (const name of ['PasswordLength', 'ADPasswordEncryptionPrincipal', 'PwdExpirationProtectionEnabled', 'PasswordAgeDays']) {
      expect(() => assertNoSecretInPolicy({ key: 'Software\\X', value: name, type: REG_DWORD }), name).not.toThrow();
    }
  });

  it('decodes both roots, **del. markers, anomalies and other settings', () => {
    const d = decodeLapsSettings([
      dwordEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 2),
      stringEntry(WINDOWS_LAPS_GPO_KEY, 'ADPasswordEncryptionPrincipal', 'S-1-5-21-1-2-3-512'),
      dwordEntry(WINDOWS_LAPS_GPO_KEY, 'PasswordLength', 20),
      stringEntry(WINDOWS_LAPS_GPO_KEY, '**del.PasswordLength', ' '),
      dwordEntry(LEGACY_LAPS_KEY.toUpperCase(), 'AdmPwdEnabled', 1),
      stringEntry(LEGACY_LAPS_KEY, 'PasswordLength', '14'),
      dwordEntry('Software\\Other', 'X', 1),
    ]);
    expect(d.windowsLaps).toEqual({ BackupDirectory: 2, ADPasswordEncryptionPrincipal: 'S-1-5-21-1-2-3-512' });
    expect(d.legacy).toEqual({ AdmPwdEnabled: 1, PasswordLength: '14' });
    expect(d.deletions).toEqual(['Windows LAPS: **del.PasswordLength']);
    expect(d.anomalies).toEqual([`${LEGACY_LAPS_KEY}\\PasswordLength: type 1, expected REG_DWORD`]);
    expect(d.otherEntries).toBe(1);
  });

  it('names the extension pairs the values need', () => {
    expect(neededExtensionPairs([])).toEqual([]);
    expect(neededExtensionPairs([dwordEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 2)]).map((p) => p.cse)).toEqual([ADMIN_TEMPLATES_CSE]);
    expect(neededExtensionPairs([dwordEntry(LEGACY_LAPS_KEY, 'AdmPwdEnabled', 1)]).map((p) => p.cse)).toEqual([ADMIN_TEMPLATES_CSE, LEGACY_LAPS_CSE]);
  });
});

describe('PowerShell generator', () => {
  const script = gpoEditPowerShell({
    gpoName: "LAPS - Pilot's wave",
    server: 'dc1.lab.example.test',
    domain: 'lab.example.test',
    set: [
      lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 2),
      lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'ADPasswordEncryptionPrincipal', 'LAB\\LAPS Readers'),
      lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'ADEncryptedPasswordHistorySize', 12),
    ],
    remove: [{ key: LEGACY_LAPS_KEY, value: 'AdmPwdEnabled' }],
    links: [
      { target: 'OU=Pilot,OU=Workstations,DC=lab,DC=example,DC=test', edit: { action: 'link', enforced: true } },
      { target: 'OU=Old,DC=lab,DC=example,DC=test', edit: { action: 'unlink' } },
      { target: 'OU=Servers,DC=lab,DC=example,DC=test', edit: { action: 'disable' } },
      { target: 'OU=Web,DC=lab,DC=example,DC=test', edit: { action: 'unenforce' } },
    ],
  });
  const lines = script.split('\r\n');

  it('starts strict, quotes the name, and creates the GPO only when missing', () => {
    expect(lines[0]).toBe('#Requires -Modules GroupPolicy');
    expect(lines).toContain("$ErrorActionPreference = 'Stop'");
    expect(lines).toContain("$GpoName = 'LAPS - Pilot''s wave'");
    expect(lines).toContain("$Server = 'dc1.lab.example.test'");
    expect(lines).toContain("$Domain = 'lab.example.test'");
    expect(lines).toContain('if (-not (Get-GPO -Name $GpoName -Server $Server -Domain $Domain -ErrorAction SilentlyContinue)) {');
    expect(lines).toContain('    New-GPO -Name $GpoName -Server $Server -Domain $Domain | Out-Null');
  });

  it('sets registry values under HKLM with the exact types and values', () => {
    const key = "'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\LAPS'";
    expect(lines).toContain(`Set-GPRegistryValue -Name $GpoName -Server $Server -Domain $Domain -Key ${key} -ValueName 'BackupDirectory' -Type DWord -Value 2 | Out-Null`);
    expect(lines).toContain(`Set-GPRegistryValue -Name $GpoName -Server $Server -Domain $Domain -Key ${key} -ValueName 'ADPasswordEncryptionPrincipal' -Type String -Value 'LAB\\LAPS Readers' | Out-Null`);
    expect(lines).toContain(`Set-GPRegistryValue -Name $GpoName -Server $Server -Domain $Domain -Key ${key} -ValueName 'ADEncryptedPasswordHistorySize' -Type DWord -Value 12 | Out-Null`);
    expect(lines).toContain("    Remove-GPRegistryValue -Name $GpoName -Server $Server -Domain $Domain -Key 'HKLM\\Software\\Policies\\Microsoft Services\\AdmPwd' -ValueName 'AdmPwdEnabled' | Out-Null");
  });

  it('links, unlinks, disables and unenforces with the GPLink cmdlets', () => {
    const t = "'OU=Pilot,OU=Workstations,DC=lab,DC=example,DC=test'";
    expect(lines).toContain(`if (-not ((Get-GPInheritance -Target ${t} -Server $Server -Domain $Domain).GpoLinks | Where-Object { $_.DisplayName -eq $GpoName })) {`);
    expect(lines).toContain(`    New-GPLink -Name $GpoName -Server $Server -Domain $Domain -Target ${t} -LinkEnabled Yes -Enforced Yes | Out-Null`);
    expect(lines).toContain(`    Set-GPLink -Name $GpoName -Server $Server -Domain $Domain -Target ${t} -Enforced Yes | Out-Null`);
    expect(lines).toContain("    Remove-GPLink -Name $GpoName -Server $Server -Domain $Domain -Target 'OU=Old,DC=lab,DC=example,DC=test' | Out-Null");
    expect(lines).toContain("Set-GPLink -Name $GpoName -Server $Server -Domain $Domain -Target 'OU=Servers,DC=lab,DC=example,DC=test' -LinkEnabled No | Out-Null");
    expect(lines).toContain("Set-GPLink -Name $GpoName -Server $Server -Domain $Domain -Target 'OU=Web,DC=lab,DC=example,DC=test' -Enforced No | Out-Null");
    // every cmdlet used is one the GroupPolicy module has
    const cmdlets = new Set([...script.matchAll(/\b([A-Z][a-z]+-GP[A-Za-z]+)\b/g)].map((m) => m[1]));
    expect([...cmdlets].sort()).toEqual(['Get-GPInheritance', 'Get-GPO', 'Get-GPRegistryValue', 'New-GPLink', 'New-GPO', 'Remove-GPLink', 'Remove-GPRegistryValue', 'Set-GPLink', 'Set-GPRegistryValue']);
  });

  it('quotes every literal so nothing is expanded or injected', () => {
    expect(psQuote("a'b$c`d")).toBe("'a''b$c`d'");
    expect(psQuote('x\u2019y')).toBe("'x\u2019\u2019y'");
    expect(() => psQuote('a\r\nRemove-Item C:\\')).toThrow(InputError);
    expect(gpoEditPowerShell({ gpoName: 'N', set: [], remove: [], links: [] })).not.toMatch(/\$Server/);
  });
});
