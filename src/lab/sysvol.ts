/**
 * The SYSVOL side of the lab's GPOs (there is no smbd): GPT.INI and Machine/Registry.pol in a
 * local folder the tool reads with --sysvol PATH. Legacy LAPS GPOs carry the AdmPwd settings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dwordEntry, writeRegistryPol } from '../laps/registry-pol.js';
import { ESTATE_GPOS } from './estate.js';
import type { LabLayout } from './provision.js';

const LEGACY_KEY = 'Software\\Policies\\Microsoft Services\\AdmPwd';

export function writeSysvol(layout: LabLayout, dnsDomain: string, gpos: Record<string, { guid: string }>): string {
  const root = join(layout.sysvolDir, dnsDomain, 'Policies');
  for (const g of ESTATE_GPOS) {
    const seeded = gpos[g.key];
    if (!seeded) continue;
    const dir = join(root, seeded.guid);
    mkdirSync(join(dir, 'Machine'), { recursive: true, mode: 0o700 });
    mkdirSync(join(dir, 'User'), { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'GPT.INI'), `[General]\r\nVersion=1\r\ndisplayName=${g.displayName}\r\n`, { mode: 0o600 });
    if (g.legacyPolicy) {
      const pol = writeRegistryPol([
        dwordEntry(LEGACY_KEY, 'AdmPwdEnabled', 1),
        dwordEntry(LEGACY_KEY, 'PasswordComplexity', g.legacyPolicy.complexity),
        dwordEntry(LEGACY_KEY, 'PasswordLength', g.legacyPolicy.passwordLength),
        dwordEntry(LEGACY_KEY, 'PasswordAgeDays', g.legacyPolicy.passwordAgeDays),
      ]);
      writeFileSync(join(dir, 'Machine', 'Registry.pol'), pol, { mode: 0o600 });
    }
  }
  return layout.sysvolDir;
}
