/** The artifacts for Windows admins: the script (with a BOM for PowerShell 5.1) and Registry.pol, 0600. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { artifactBaseName, writeGpoArtifacts } from '../../../src/gpo/write-gpo-artifacts.js';
import { gpoEditPowerShell } from '../../../src/laps/gpo-powershell.js';
import { lapsPolicyEntry, WINDOWS_LAPS_GPO_KEY } from '../../../src/laps/gpo-laps-settings.js';
import { parseRegistryPol, writeRegistryPol } from '../../../src/laps/registry-pol.js';

let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('writeGpoArtifacts', () => {
  it('writes the script and the Registry.pol, 0600, under a safe name', () => {
    folder = join(mkdtempSync(join(tmpdir(), 'gpo-artifacts-')), 'out');
    const set = [lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 2)];
    const powershell = gpoEditPowerShell({ gpoName: 'LAPS – Pilot/Wave 1', set, remove: [], links: [] });
    const files = writeGpoArtifacts(folder, 'LAPS – Pilot/Wave 1', { powershell, registryPol: writeRegistryPol(set) });
    expect(files.map((f) => f.slice(folder!.length + 1))).toEqual(['LAPS-Pilot-Wave-1.ps1', 'LAPS-Pilot-Wave-1.Registry.pol']);
    for (const f of files) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const script = readFileSync(files[0]!);
    expect(script.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    expect(script.toString('utf8')).toContain("$GpoName = 'LAPS – Pilot/Wave 1'");
    expect(parseRegistryPol(readFileSync(files[1]!))[0]).toMatchObject({ value: 'BackupDirectory' });
    expect(writeGpoArtifacts(folder, 'links only', { powershell, registryPol: undefined })).toHaveLength(1);
  });

  it('file names never escape the folder', () => {
    expect(artifactBaseName('../../etc/passwd')).toBe('etc-passwd');
    expect(artifactBaseName('///')).toBe('gpo');
  });
});
