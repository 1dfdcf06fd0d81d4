/**
 * A test file's own migration-rehearsal lab: stops the shared lab, builds the scenario on the same
 * address (profile "rehearsal", seed 7), and afterwards starts the shared lab again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { labDown, labUp } from '../../src/lab/lab.js';
import type { LabManifest } from '../../src/lab/manifest.js';
import { TEST_LAB_IP } from './global-setup.js';
import { labDir, testRoot } from './lab-env.js';

export async function startRehearsalLab(dir: string): Promise<{ m: LabManifest; admin: LdapDirectory }> {
  process.env.XDG_CONFIG_HOME = join(testRoot(), 'config');
  process.env.XDG_STATE_HOME = join(testRoot(), 'state');
  await labDown(labDir());
  const m = await labUp({ dir, ip: TEST_LAB_IP, recreate: true, scenario: 'migration-rehearsal', seed: 7, profileName: 'rehearsal', log: () => undefined });
  const admin = await LdapDirectory.connect({ server: m.urls.ldaps, caFile: m.caFile, user: m.accounts.admin!.userPrincipalName, password: readFileSync(m.accounts.admin!.passwordFile, 'utf8') });
  return { m, admin };
}

export async function stopRehearsalLab(dir: string, admin: LdapDirectory | undefined): Promise<void> {
  await admin?.close();
  await labDown(dir);
  await labUp({ dir: labDir(), ip: TEST_LAB_IP, profileName: 'lab', log: () => undefined });
}
