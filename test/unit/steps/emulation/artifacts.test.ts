/**
 * The deployable artifacts. No Windows here: the scripts are checked by their text (detection
 * rule, MSI product, regsvr32, -WhatIf, log, exit codes), the Registry.pol files by their bytes.
 */
import { describe, expect, it } from 'vitest';
import { parseRegistryPol, REG_DWORD, REG_SZ } from '../../../../src/laps/registry-pol.js';
import { artifactsReadme, emulationArtifacts, pinClearRegistryPol, pinSetRegistryPol } from '../../../../src/steps/emulation/artifacts.js';
import { emulationPinScript, removeCseScript, REMOVE_EXIT_CODES } from '../../../../src/steps/emulation/scripts.js';

const H = { version: '9.9.9', generatedAt: '2026-12-03T12:00:00.000Z', domain: 'x.test' };
const counts = { ready: 3, 'needs-self': 2, 'no-schema': 0, 'stays-legacy': 1, 'windows-laps': 0, 'pinned-off': 0, 'no-legacy-policy': 0, 'domain-controller': 0, 'not-windows': 0, unknown: 0 };
const ous = [{ container: 'OU=Sales,DC=x,DC=test', path: 'Sales', computers: 6, counts, grant: true }];

describe('Remove-LegacyLapsCse.ps1', () => {
  const s = removeCseScript(H);
  it('detects the CSE by the GPExtensions DllName rule', () => {
    expect(s).toContain("HKLM:\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\GPExtensions\\{D76B9641-3288-4f75-942D-087DE603E3EA}");
    expect(s).toMatch(/Get-ItemProperty -LiteralPath \$CseKey -Name DllName/);
    expect(s).toMatch(/Test-Path -LiteralPath \$path -PathType Leaf/);
  });
  it('uninstalls the MSI product, else unregisters and deletes a manual install', () => {
    expect(s).toContain("$MsiProduct = '{97E2CA7B-B657-4FF7-A6DB-30ECC73E1E28}'");
    expect(s).toContain("-FilePath 'msiexec.exe' -ArgumentList @('/q', '/uninstall', $MsiProduct, '/norestart')");
    expect(s).toContain("-FilePath 'regsvr32.exe' -ArgumentList @('/s', '/u',");
    expect(s).toContain('Remove-Item -LiteralPath $dll -Force');
  });
  it('supports -WhatIf, logs, refuses builds without Windows LAPS and DCs', () => {
    expect(s).toContain('[CmdletBinding(SupportsShouldProcess = $true)]');
    expect(s.match(/\$PSCmdlet\.ShouldProcess/g)).toHaveLength(2);
    expect(s).toContain('Add-Content -LiteralPath $LogPath');
    expect(s).toContain('($build -ge 17763) -and ($build -ne 14393)');
    expect(s).toContain('$productType -eq 2 -and -not $Force');
  });
  it('every exit code it uses is documented, and every documented one is used', () => {
    const used = new Set([...s.matchAll(/Exit-With (\d+)/g)].map((m) => Number(m[1])));
    expect([...used].sort((a, b) => a - b)).toEqual(REMOVE_EXIT_CODES.map(([c]) => c).sort((a, b) => a - b));
    for (const [c] of REMOVE_EXIT_CODES) expect(s).toContain(`    ${String(c).padEnd(5)} `);
  });
  it('says where it came from and holds no secret', () => {
    expect(s).toContain('laps-migrate 9.9.9 on 2026-12-03T12:00:00.000Z for x.test');
    expect(s).not.toMatch(/password\s*=/i);
  });
});

describe('Set-LapsEmulationPin.ps1 and the Registry.pol pair', () => {
  it('sets or clears BackupDirectory=0 under the local Config key, with -WhatIf', () => {
    const s = emulationPinScript(H);
    expect(s).toContain("$Key = 'HKLM:\\Software\\Microsoft\\Windows\\CurrentVersion\\LAPS\\Config'");
    expect(s).toContain("[ValidateSet('Set', 'Clear')]");
    expect(s).toContain('New-ItemProperty -LiteralPath $Key -Name BackupDirectory -PropertyType DWord -Value 0 -Force');
    expect(s).toContain('Remove-ItemProperty -LiteralPath $Key -Name BackupDirectory -Force');
    expect(s).toContain('SupportsShouldProcess = $true');
  });
  it('the set file holds BackupDirectory=0 (REG_DWORD), the clear file **del.BackupDirectory', () => {
    const set = parseRegistryPol(pinSetRegistryPol());
    expect(set).toHaveLength(1);
    expect(set[0]).toMatchObject({ key: 'Software\\Microsoft\\Windows\\CurrentVersion\\LAPS\\Config', value: 'BackupDirectory', type: REG_DWORD });
    expect(set[0]!.data.readUInt32LE(0)).toBe(0);
    const clear = parseRegistryPol(pinClearRegistryPol());
    expect(clear[0]).toMatchObject({ key: 'Software\\Microsoft\\Windows\\CurrentVersion\\LAPS\\Config', value: '**del.BackupDirectory', type: REG_SZ });
    // exact bytes: header then one entry
    expect(pinSetRegistryPol().subarray(0, 8).toString('hex')).toBe('5052656701000000');
  });
});

describe('the artifacts folder', () => {
  it('README gives the order, the checks on a device and every exit code', () => {
    const r = artifactsReadme({ ...H, ous, grantContainers: ['OU=Sales,DC=x,DC=test'] });
    const order = ['emulation --apply', 'Set-LapsEmulationPin.ps1 -Action Set', 'Remove-LegacyLapsCse.ps1 -WhatIf', 'gpupdate /force', 'emulation --monitor --since'].map((t) => r.indexOf(t));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(r).toContain('Get-WinEvent -LogName Microsoft-Windows-LAPS/Operational');
    for (const id of ['10023', '10033', '10065']) expect(r).toContain(`- ${id}:`);
    for (const [c] of REMOVE_EXIT_CODES) expect(r).toContain(`- ${c}:`);
    expect(r).toContain('- Sales: 3 ready');
    expect(r).toContain('- Sales: 1 computer(s)');
    expect(r).toContain('no Windows where laps-migrate is tested');
  });
  it('lists the five files', () => {
    expect(emulationArtifacts({ ...H, ous, grantContainers: [] }).map((a) => a.file)).toEqual(['README.md', 'Remove-LegacyLapsCse.ps1', 'Set-LapsEmulationPin.ps1', 'LapsEmulationPin-Set.Registry.pol', 'LapsEmulationPin-Clear.Registry.pol']);
  });
});
