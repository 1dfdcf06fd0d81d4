/**
 * The migration-rehearsal scenario and its simulated devices against the real Samba DC: this file
 * stops the shared lab, builds its own on the same address, and starts the shared one again.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { readLapsSchema } from '../../src/directory/laps-schema.js';
import { rootKeyFromDirectoryEntry, rootKeyToJsonObject, ROOT_KEY_ATTRIBUTES, ROOT_KEY_BINARY_ATTRIBUTES } from '../../src/dpapi-ng/root-key.js';
import { decryptLapsValue } from '../../src/laps/decrypt-laps-value.js';
import { LAPS_PROPERTY_SET_GUID, COMPUTER_CLASS_GUID } from '../../src/laps/attributes.js';
import { WINDOWS_LAPS_GPO_KEY } from '../../src/laps/laps-policy.js';
import { dwordEntry, stringEntry, type PolicyEntry } from '../../src/laps/registry-pol.js';
import { applyAclOps } from '../../src/lab/acl-tool.js';
import { readDevice } from '../../src/lab/device-state.js';
import { writeGpoFolder } from '../../src/lab/gpo-folder.js';
import type { LabManifest } from '../../src/lab/manifest.js';
import { ADMIN_TEMPLATES_CSE, REGISTRY_TOOL } from '../../src/lab/estate.js';
import { kdsMasterRootKeysDn } from '../../src/directory/kds.js';
import { TEST_LAB_IP } from './global-setup.js';
import { useRehearsalLab } from './rehearsal-lab.js';
import { cli, readTreeText, testRoot } from './lab-env.js';
import { extendWindowsLapsSchema } from './windows-laps-fixture.js';

const rehearsal = useRehearsalLab({ folder: 'rehearsal', seed: 7, profileName: 'rehearsal' });
const dir = rehearsal.dir;
let m: LabManifest;
let admin: LdapDirectory;
beforeAll(() => {
  m = rehearsal.manifest();
  admin = rehearsal.admin();
});
const W = WINDOWS_LAPS_GPO_KEY;

function ou(path: string): string {
  return `${path.split('/').reverse().map((p) => `OU=${p}`).join(',')},${m.baseDn}`;
}

function sim(...args: string[]) {
  const r = cli(['lab', 'simulate', '--dir', dir(), '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Array<{ rotated: number; refused: number; modes: Record<string, number>; events: Record<string, number> }>;
}

function devices(ouPath?: string): Array<{ name: string; dn: string; mode: string; build: number | null; cseInstalled: boolean; lastEvent: { id: number } | null }> {
  const r = cli(['lab', 'devices', '--dir', dir(), '--json', ...(ouPath ? ['--ou', ou(ouPath)] : [])]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

async function legacyValue(dn: string): Promise<string | undefined> {
  const e = await admin.read(dn, ['ms-Mcs-AdmPwd']);
  const v = e?.attributes['ms-mcs-admpwd']?.[0];
  return v === undefined ? undefined : String(v);
}

/** Writes a Windows LAPS policy into an existing GPO (SYSVOL + extension names + version) and links it. */
async function setWindowsLapsGpo(name: string, entries: PolicyEntry[], linkAt: string): Promise<void> {
  const g = m.gpos[name]!;
  writeGpoFolder(m.sysvol!, m.dnsDomain, g.guid, name, entries, 2);
  await admin.modify(g.dn, [
    { operation: 'replace', attribute: 'gPCMachineExtensionNames', values: [`[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}]`] },
    { operation: 'replace', attribute: 'versionNumber', values: ['2'] },
  ]);
  const cur = await admin.read(linkAt, ['gPLink']);
  const prior = cur?.attributes['gplink']?.[0];
  await admin.modify(linkAt, [{ operation: 'replace', attribute: 'gPLink', values: [`${prior ? String(prior) : ''}[LDAP://${g.dn};0]`] }]);
}


describe('migration-rehearsal scenario', () => {
  it('builds the estate the issue describes', async () => {
    const all = devices();
    expect(all.length).toBeGreaterThanOrEqual(190);
    const pilot = devices('Workstations/Pilot');
    expect(pilot.length).toBeGreaterThanOrEqual(10);
    expect(pilot.every((d) => d.build !== null && d.build >= 17763)).toBe(true);
    expect(all.filter((d) => d.build === 14393).every((d) => d.cseInstalled && d.mode === 'legacy-cse')).toBe(true);
    expect(all.some((d) => d.build === null && d.mode === 'unmanaged')).toBe(true);
    const root = await admin.rootDse();
    expect(root.domainFunctionality).toBe(7);
    const schema = await readLapsSchema(admin);
    expect(schema.legacyPassword).toBeDefined();
    expect(schema.password).toBeUndefined();
    const keys = await admin.searchAll({ base: kdsMasterRootKeysDn(m.configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: ['cn'] });
    expect(keys).toHaveLength(1);
    expect(Object.keys(m.gpos)).toEqual(expect.arrayContaining(['Windows LAPS - Pilot', 'Windows LAPS - Broad']));
    const config = readFileSync(join(testRoot(), 'config', 'laps-migrate', 'config.yaml'), 'utf8');
    expect(config).toContain(`sysvol: ${m.sysvol}`);
    expect(statSync(join(dir(), 'devices', 'PLT-WS01.json')).mode & 0o777).toBe(0o600);
  });

  it('first cycle: the OU without legacy SELF is refused (10065) and writes nothing; the CSE rotates; emulation logs 10023', async () => {
    const sales = devices('Workstations/Sales');
    const before = await Promise.all(sales.map((d) => legacyValue(d.dn)));
    const localBefore = sales.map((d) => readDevice(dir(), d.name).localPassword);
    const [cycle] = sim('--cycles', '1');
    expect(cycle!.events['10065']).toBe(sales.length);
    const after = devices('Workstations/Sales');
    expect(after.every((d) => d.mode === 'refused' && d.lastEvent?.id === 10065)).toBe(true);
    expect(await Promise.all(sales.map((d) => legacyValue(d.dn)))).toEqual(before);
    expect(sales.map((d) => readDevice(dir(), d.name).localPassword)).toEqual(localBefore);

    const emulated = devices('Workstations/Finance').filter((d) => !d.cseInstalled);
    expect(emulated.length).toBeGreaterThan(0);
    for (const d of emulated) {
      expect(d.mode).toBe('emulation');
      expect(readDevice(dir(), d.name).events.some((e) => e.id === 10023)).toBe(true);
    }
    // forced: CSE devices and emulated devices write the legacy attribute = their local password
    sim('--ou', ou('Workstations/Finance'), '--force-rotate');
    for (const d of devices('Workstations/Finance')) {
      const state = readDevice(dir(), d.name);
      expect(state.passwordUpdatedAt).not.toBeNull();
      expect(await legacyValue(d.dn)).toBe(state.localPassword);
    }
  });

  it('a Windows LAPS GPO with encryption and history 2 on Pilot: three forced cycles give decryptable passwords and two history entries', async () => {
    await extendWindowsLapsSchema(admin);
    const schema = await readLapsSchema(admin);
    const C = COMPUTER_CLASS_GUID;
    const lapsAdmins = m.groups['LAPS Admins']!.sid;
    const self = [`(OA;CIIO;RPWP;${LAPS_PROPERTY_SET_GUID};${C};PS)`, `(OA;CIIO;CR;${LAPS_PROPERTY_SET_GUID};${C};PS)`, `(OA;CIIO;WP;${schema.password!.schemaIdGuid};${C};PS)`, `(OA;CIIO;RPWP;${schema.expiration!.schemaIdGuid};${C};PS)`];
    applyAclOps({ smbConf: m.smbConf, url: m.urls.ldap, user: 'Administrator', domain: m.netbiosDomain, password: readFileSync(m.accounts.admin!.passwordFile, 'utf8') }, [
      { dn: ou('Workstations'), add: [...self, `(OA;CIIO;RPCR;${LAPS_PROPERTY_SET_GUID};${C};${lapsAdmins})`, `(OA;CIIO;RP;${schema.expiration!.schemaIdGuid};${C};${lapsAdmins})`] },
      { dn: ou('Servers'), add: self },
    ]);
    await setWindowsLapsGpo('Windows LAPS - Pilot', [dwordEntry(W, 'BackupDirectory', 2), dwordEntry(W, 'ADPasswordEncryptionEnabled', 1), stringEntry(W, 'ADPasswordEncryptionPrincipal', 'LAB\\LAPS Admins'), dwordEntry(W, 'ADEncryptedPasswordHistorySize', 2)], ou('Workstations/Pilot'));
    const cycles = sim('--ou', ou('Workstations/Pilot'), '--cycles', '3', '--force-rotate');
    const pilot = devices('Workstations/Pilot');
    expect(cycles.map((c) => c.rotated)).toEqual([pilot.length, pilot.length, pilot.length]);
    expect(pilot.every((d) => d.mode === 'windows-laps-encrypted')).toBe(true);

    // the root key, exported as the lab admin, lets a LAPS Admins member decrypt with --root-key
    const keyEntry = (await admin.searchAll({ base: kdsMasterRootKeysDn(m.configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: [...ROOT_KEY_ATTRIBUTES], binaryAttributes: [...ROOT_KEY_BINARY_ATTRIBUTES] }))[0]!;
    const rootKey = rootKeyFromDirectoryEntry(keyEntry);
    const keyFile = join(testRoot(), 'rehearsal-root-key.json');
    writeFileSync(keyFile, JSON.stringify([rootKeyToJsonObject(rootKey)]), { mode: 0o600 });
    const annFile = m.accounts['ann-admin']!.passwordFile;
    for (const d of pilot) {
      const state = readDevice(dir(), d.name);
      const r = cli(['password', 'get', d.name, '--profile', 'rehearsal', '--user', m.accounts['ann-admin']!.userPrincipalName, '--password-file', annFile, '--root-key', keyFile, '--include-history', '--show-password', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as { entries: Array<{ attribute: string; password?: string; decryptionStatus: string }> };
      const current = out.entries.find((e) => e.attribute === 'msLAPS-EncryptedPassword');
      expect(current?.password).toBe(state.localPassword);
      expect(out.entries.filter((e) => e.attribute === 'msLAPS-EncryptedPasswordHistory')).toHaveLength(2);
      // the project's decryptor on the raw blob matches the device file
      const raw = await admin.read(d.dn, ['msLAPS-EncryptedPassword'], { binaryAttributes: ['msLAPS-EncryptedPassword'] });
      const blob = raw!.attributes['mslaps-encryptedpassword']![0] as Buffer;
      const dec = await decryptLapsValue(blob, (id) => (id.toLowerCase() === rootKey.id ? rootKey : undefined));
      expect(dec.payload!.password).toBe(state.localPassword);
    }
    // a plain user sees none of it
    const alice = cli(['password', 'get', pilot[0]!.name, '--profile', 'rehearsal', '--user', m.accounts.alice!.userPrincipalName, '--password-file', m.accounts.alice!.passwordFile, '--include-history', '--json']);
    expect(alice.code, alice.stderr).toBe(0);
    expect(JSON.parse(alice.stdout).entries).toEqual([]);
  });

  it('Server 2016 devices stay on the legacy CSE under a Windows LAPS GPO; supported servers switch (clear text)', async () => {
    await setWindowsLapsGpo('Windows LAPS - Broad', [dwordEntry(W, 'BackupDirectory', 2), dwordEntry(W, 'ADPasswordEncryptionEnabled', 0)], ou('Servers'));
    sim('--ou', ou('Servers'));
    const servers = devices('Servers');
    for (const d of servers) {
      if (d.build === 14393) expect(d.mode).toBe('legacy-cse');
      else if (d.build !== null) expect(d.mode).toBe('windows-laps-clear');
    }
    const one = servers.find((d) => d.build === 20348)!;
    const state = readDevice(dir(), one.name);
    const e = await admin.read(one.dn, ['msLAPS-Password']);
    expect(JSON.parse(String(e!.attributes['mslaps-password']![0])).p).toBe(state.localPassword);
  });

  it('the DC under a Windows LAPS GPO with DSRM backup writes its encrypted DSRM password (bound as the lab admin)', async () => {
    const guid = '{D5D5D5D5-0000-4000-A000-00000000D5D5}';
    const dn = `CN=${guid},CN=Policies,CN=System,${m.baseDn}`;
    await admin.add(dn, { objectClass: ['top', 'container', 'groupPolicyContainer'], displayName: ['Windows LAPS - DCs'], gPCFunctionalityVersion: ['2'], versionNumber: ['1'], flags: ['0'] });
    m.gpos['Windows LAPS - DCs'] = { dn, guid, displayName: 'Windows LAPS - DCs' };
    await setWindowsLapsGpo('Windows LAPS - DCs', [dwordEntry(W, 'BackupDirectory', 2), dwordEntry(W, 'ADBackupDSRMPassword', 1)], `OU=Domain Controllers,${m.baseDn}`);
    const [cycle] = sim('--device', 'DC1');
    expect(cycle!.rotated).toBe(1);
    const dc = readDevice(dir(), 'DC1');
    expect(dc.mode).toBe('windows-laps-encrypted');
    const e = await admin.read(dc.dn, ['msLAPS-EncryptedDSRMPassword', 'msLAPS-EncryptedPassword'], { binaryAttributes: ['msLAPS-EncryptedDSRMPassword', 'msLAPS-EncryptedPassword'] });
    expect(e!.attributes['mslaps-encryptedpassword'] ?? []).toHaveLength(0);
    const keyEntry = (await admin.searchAll({ base: kdsMasterRootKeysDn(m.configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: [...ROOT_KEY_ATTRIBUTES], binaryAttributes: [...ROOT_KEY_BINARY_ATTRIBUTES] }))[0]!;
    const rootKey = rootKeyFromDirectoryEntry(keyEntry);
    const dec = await decryptLapsValue(e!.attributes['mslaps-encrypteddsrmpassword']![0] as Buffer, () => rootKey);
    expect(dec.payload!.password).toBe(dc.localPassword);
    expect(dec.blob.sid).toBe(`${m.domainSid}-512`);
  });

  it('lab device reveals the local password and journals the read; lab devices never shows one', () => {
    const r = cli(['lab', 'device', 'PLT-WS01', '--dir', dir(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const view = JSON.parse(r.stdout) as { password: string; events: Array<{ id: number }> };
    expect(view.password).toBe(readDevice(dir(), 'PLT-WS01').localPassword);
    expect(view.events.some((e) => e.id === 10018)).toBe(true);
    const journal = readTreeText(join(process.env.XDG_STATE_HOME!, 'laps-migrate', 'journal'));
    expect(journal).toContain('lab device file (local password)');
    expect(journal).not.toContain(view.password);
    const list = cli(['lab', 'devices', '--dir', dir(), '--json']);
    expect(list.stdout).not.toContain(view.password);
    expect(cli(['lab', 'device', 'NOPE', '--dir', dir()]).code).toBe(2);
  });

  it('--uninstall-cse on Finance moves its CSE devices to emulation at the next cycle', () => {
    const r = cli(['lab', 'devices', '--dir', dir(), '--ou', ou('Workstations/Finance'), '--uninstall-cse']);
    expect(r.code, r.stderr).toBe(0);
    sim('--ou', ou('Workstations/Finance'));
    expect(devices('Workstations/Finance').every((d) => d.mode === 'emulation' && !d.cseInstalled)).toBe(true);
  });

  it('a bad scenario file is refused with file:line:col and the key path, exit 2', () => {
    const f = join(testRoot(), 'bad-scenario.yaml');
    writeFileSync(f, 'name: bad\ndescription: x\ngpos:\n  - name: G\n    links: [{ ou: Missing }]\n');
    const r = cli(['lab', 'up', '--dir', join(testRoot(), 'never'), '--ip', TEST_LAB_IP, '--scenario', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${f}:5:`);
    expect(r.stderr).toContain('gpos[0].links[0].ou');
  });
});
