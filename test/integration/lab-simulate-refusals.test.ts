/**
 * Where a Windows LAPS device refuses on the shared legacy-estate lab, each check in turn: schema
 * missing (10012), DFL below 2016 (10006), principal unresolvable (10035) or an isolated name
 * (10034), no KDS root key (10017), and the DC's own refusal without the Windows LAPS SELF permission (10017). The lab is
 * reset afterwards (the DC, the device files and SYSVOL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { WINDOWS_LAPS_GPO_KEY } from '../../src/laps/laps-policy.js';
import { dwordEntry, stringEntry } from '../../src/laps/registry-pol.js';
import { readDevice } from '../../src/lab/device-state.js';
import { ADMIN_TEMPLATES_CSE, REGISTRY_TOOL } from '../../src/lab/estate.js';
import { setLabFunctionalLevel } from '../../src/lab/functional-level.js';
import { writeGpoFolder } from '../../src/lab/gpo-folder.js';
import { addKdsRootKeys } from '../../src/lab/scenario-build.js';
import { cli, connectAs, lab, labDir, resetLab } from './lab-env.js';
import { extendWindowsLapsSchema } from './windows-laps-fixture.js';

const W = WINDOWS_LAPS_GPO_KEY;
const GUID = '{E1E1E1E1-0000-4000-A000-0000000000E1}';
let admin: LdapDirectory;

function policy(principal: string): void {
  const m = lab();
  writeGpoFolder(m.sysvol!, m.dnsDomain, GUID, 'Windows LAPS - Kiosks', [dwordEntry(W, 'BackupDirectory', 2), dwordEntry(W, 'ADPasswordEncryptionEnabled', 1), stringEntry(W, 'ADPasswordEncryptionPrincipal', principal)]);
}

function cycle(): { mode: string; last: number } {
  const r = cli(['lab', 'simulate', '--dir', labDir(), '--device', 'KIOSK01']);
  expect(r.code, r.stderr).toBe(0);
  const d = readDevice(labDir(), 'KIOSK01');
  return { mode: d.mode, last: d.events.at(-1)!.id };
}

beforeAll(async () => {
  const m = lab();
  admin = await connectAs('admin');
  const dn = `CN=${GUID},CN=Policies,CN=System,${m.baseDn}`;
  await admin.add(dn, { objectClass: ['top', 'container', 'groupPolicyContainer'], displayName: ['Windows LAPS - Kiosks'], gPCMachineExtensionNames: [`[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}]`], gPCFunctionalityVersion: ['2'], versionNumber: ['1'], flags: ['0'] });
  await admin.modify(m.ous.kiosks!, [{ operation: 'replace', attribute: 'gPLink', values: [`[LDAP://${dn};0]`] }]);
});

afterAll(async () => {
  await admin?.close().catch(() => undefined);
  await resetLab();
});

describe('Windows LAPS refusals, in the order a device checks', () => {
  it('10012 without the Windows LAPS schema, 10006 below DFL 2016, 10035/10034 for a bad principal, 10017 when the DC refuses', async () => {
    const before = readDevice(labDir(), 'KIOSK01').localPassword;
    policy('LAB\\No Such Group');
    expect(cycle()).toEqual({ mode: 'refused', last: 10012 });
    await extendWindowsLapsSchema(admin);
    expect(cycle()).toEqual({ mode: 'refused', last: 10006 });
    await admin.close();
    await setLabFunctionalLevel(labDir(), 7);
    admin = await connectAs('admin');
    expect(cycle()).toEqual({ mode: 'refused', last: 10035 });
    policy('LAPS Helpdesk');
    expect(cycle()).toEqual({ mode: 'refused', last: 10034 });
    policy('LAB\\LAPS Helpdesk');
    // the legacy estate has no KDS root key: GKDI cannot provide a group key
    expect(cycle()).toEqual({ mode: 'refused', last: 10017 });
    expect(readDevice(labDir(), 'KIOSK01').events.at(-1)!.message).toMatch(/KDS root key/);
    await addKdsRootKeys({ dir: admin, configDn: lab().configDn }, 1, `CN=DC1,OU=Domain Controllers,${lab().baseDn}`);
    // Kiosks never got the Windows LAPS SELF permission: the DC refuses the write
    const r = cycle();
    expect(r).toEqual({ mode: 'refused', last: 10017 });
    expect(readDevice(labDir(), 'KIOSK01').events.at(-1)!.message).toMatch(/access denied/);
    expect(readDevice(labDir(), 'KIOSK01').localPassword).toBe(before);
    const e = await admin.read(readDevice(labDir(), 'KIOSK01').dn, ['msLAPS-EncryptedPassword'], { binaryAttributes: ['msLAPS-EncryptedPassword'] });
    expect(e!.attributes['mslaps-encryptedpassword'] ?? []).toHaveLength(0);
  });
});
