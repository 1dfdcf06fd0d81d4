/**
 * A test file that needs the migration-rehearsal estate stops the shared lab, builds that
 * scenario on the same address (its own folder and profile), and brings the shared lab back
 * afterwards. Returns getters for the manifest and an admin connection.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { labDown, labUp } from '../../src/lab/lab.js';
import type { LabManifest } from '../../src/lab/manifest.js';
import { TEST_LAB_IP } from './global-setup.js';
import { labDir, testRoot } from './lab-env.js';

export interface RehearsalLab {
  manifest(): LabManifest;
  admin(): LdapDirectory;
  dir(): string;
}

export function useRehearsalLab(o: { folder: string; seed: number; profileName: string }): RehearsalLab {
  let m: LabManifest | undefined;
  let admin: LdapDirectory | undefined;
  const dir = () => join(testRoot(), o.folder);
  const saved = { config: process.env.XDG_CONFIG_HOME, state: process.env.XDG_STATE_HOME };
  beforeAll(async () => {
    process.env.XDG_CONFIG_HOME = join(testRoot(), 'config');
    // a journal of its own: the runs of another test file's lab are not this file's to roll back
    process.env.XDG_STATE_HOME = join(testRoot(), `${o.folder}-state`);
    await labDown(labDir());
    m = await labUp({ dir: dir(), ip: TEST_LAB_IP, recreate: true, scenario: 'migration-rehearsal', seed: o.seed, profileName: o.profileName, log: () => undefined });
    admin = await LdapDirectory.connect({ server: m.urls.ldaps, caFile: m.caFile, user: m.accounts.admin!.userPrincipalName, password: readFileSync(m.accounts.admin!.passwordFile, 'utf8') });
  }, 300_000);
  afterAll(async () => {
    await admin?.close();
    await labDown(dir());
    await labUp({ dir: labDir(), ip: TEST_LAB_IP, profileName: 'lab', log: () => undefined });
    for (const [k, v] of [['XDG_CONFIG_HOME', saved.config], ['XDG_STATE_HOME', saved.state]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }, 120_000);
  return { manifest: () => m!, admin: () => admin!, dir };
}

/** The cutover policy the rehearsal tests use, as playbook YAML: encrypted to LAPS Admins, history 2. */
export const REHEARSAL_POLICY = `policy:
  encryption: { enabled: true, principal: 'LAB\\LAPS Admins' }
  historySize: 2
`;

/** Their two waves: the Pilot OU (gate 95 %, no soak), then Workstations and Servers. */
export const REHEARSAL_WAVES = `waves:
  - name: pilot
    ous: ['OU=Pilot,OU=Workstations']
    gpo: 'Windows LAPS - Pilot'
    gates: { minVerifiedPercent: 95, maxFailures: 0, soakDays: 0 }
  - name: broad
    ous: ['OU=Workstations', 'OU=Servers']
    gpo: 'Windows LAPS - Broad'
`;
