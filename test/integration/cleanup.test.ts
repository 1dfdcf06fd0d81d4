/**
 * Step 6, cleanup, on the migration-rehearsal scenario with simulated devices (issue 18). The
 * cutover starts the pilot and the broad wave (soakDays 0); only OU=Workstations is simulated
 * after the broad start, so the Servers stay pending and Server 2016 is left behind. Then: a
 * read-only cleanup plans and writes nothing; --apply without --confirm-irreversible removes the
 * legacy delegations and the legacy GPO link of Workstations only; permissions and emulation
 * plan no legacy grant again; rollback restores DACLs and gPLink byte for byte; with
 * --confirm-irreversible the legacy passwords of verified computers go (Servers keep theirs),
 * `password get` still returns each device's password, the cutover still verifies them, a rerun
 * changes nothing, and no password appears in any output or journal. This file stops the shared
 * lab, builds its own on the same address, and starts the shared one again.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { readDevice } from '../../src/lab/device-state.js';
import { applyAclOps } from '../../src/lab/acl-tool.js';
import { COMPUTER_CLASS_GUID, LAPS_PROPERTY_SET_GUID } from '../../src/laps/attributes.js';
import { kdsMasterRootKeysDn } from '../../src/directory/kds.js';
import { rootKeyFromDirectoryEntry, rootKeyToJsonObject, ROOT_KEY_ATTRIBUTES, ROOT_KEY_BINARY_ATTRIBUTES } from '../../src/dpapi-ng/root-key.js';
import type { LabManifest } from '../../src/lab/manifest.js';
import { cli, readTreeText, testRoot } from './lab-env.js';
import { REHEARSAL_POLICY, REHEARSAL_WAVES, useRehearsalLab } from './rehearsal-lab.js';

const rehearsal = useRehearsalLab({ folder: 'cleanup-rehearsal', seed: 7, profileName: 'cleanup' });
const dir = rehearsal.dir;
let m: LabManifest;
let admin: LdapDirectory;
const out = () => join(testRoot(), 'cleanup-reports');
const state = () => join(testRoot(), 'cleanup-state');
const playbook = () => join(testRoot(), 'cleanup-playbook.yaml');

const PLAYBOOK = `version: 1
steps: [permissions, emulation, cutover, cleanup]
permissions: {}
emulation: {}
${REHEARSAL_POLICY}${REHEARSAL_WAVES}cleanup: {}
`;

interface CleanupOut {
  findings: Array<{ code: string; severity: string }>;
  data: {
    summary: { verified: number; legacyClears: number; delegationsRemoved: number; gpoLinksRemoved: number };
    exposure: { counts: Record<string, number>; perOu: Array<{ ou: string; legacy: number; reasons: Record<string, number> }> };
  };
  plan: { changes: Array<{ id: string; kind: string; dn: string; attribute?: string; irreversible: boolean }> };
  result?: unknown;
  report: string;
}

const outputs: string[] = [];
/** The legacy passwords cleanup clears, read by the test itself (never by the tool's output). */
const legacySecrets: string[] = [];

function run(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = cli(['--state-dir', state(), ...args]);
  outputs.push(r.stdout, r.stderr);
  return r;
}

function cleanup(...args: string[]): { code: number; json: CleanupOut; stderr: string } {
  const r = run(['cleanup', '--profile', 'cleanup', '--playbook', playbook(), '--out', out(), '--json', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return { code: r.code, json: JSON.parse(r.stdout) as CleanupOut, stderr: r.stderr };
}

function ou(path: string): string {
  return `${path.split('/').reverse().map((p) => `OU=${p}`).join(',')},${m.baseDn}`;
}

const OUS = ['Workstations', 'Workstations/Pilot', 'Workstations/Finance', 'Workstations/Sales', 'Servers', 'Servers/Web'];

/** DACL bytes (SD flags 4, as the journal reads them) and gPLink of every OU of the estate. */
async function snapshot(): Promise<Map<string, { dacl: string; gpLink: string }>> {
  const snap = new Map<string, { dacl: string; gpLink: string }>();
  for (const p of OUS) {
    const d = await admin.read(ou(p), ['nTSecurityDescriptor'], { binaryAttributes: ['nTSecurityDescriptor'], sdFlags: 4 });
    const l = await admin.read(ou(p), ['gPLink']);
    snap.set(p, { dacl: (d!.attributes['ntsecuritydescriptor']![0] as Buffer).toString('base64'), gpLink: String(l?.attributes['gplink']?.[0] ?? '') });
  }
  return snap;
}

/** Computers below an OU holding ms-Mcs-AdmPwd (a presence filter: no value is read). */
async function legacyHolders(path: string): Promise<string[]> {
  const found = await admin.searchAll({ base: ou(path), filter: '(&(objectCategory=computer)(ms-Mcs-AdmPwd=*))', attributes: ['cn'] });
  return found.map((e) => String(e.attributes['cn']![0])).sort();
}

function plannedChanges(step: 'permissions' | 'emulation'): unknown[] {
  const r = run([step, '--profile', 'cleanup', '--out', out(), '--json']);
  expect([0, 3], r.stderr).toContain(r.code);
  return (JSON.parse(r.stdout) as { plan: { changes: unknown[] } }).plan.changes;
}

beforeAll(async () => {
  m = rehearsal.manifest();
  admin = rehearsal.admin();
  writeFileSync(playbook(), PLAYBOOK);
  const cut = (...a: string[]) => run(['cutover', '--profile', 'cleanup', '--playbook', playbook(), '--out', out(), ...a]);
  expect(run(['schema', '--profile', 'cleanup', '--apply', '--yes', '--confirm-irreversible', '--out', out()]).code).toBe(0);
  expect(run(['permissions', '--profile', 'cleanup', '--apply', '--yes', '--out', out()]).code).toBe(0);
  expect(cut('--apply', '--yes').code).toBe(0);
  expect(run(['lab', 'simulate', '--dir', dir(), '--cycles', '2', '--ou', ou('Workstations/Pilot'), '--json']).code).toBe(0);
  expect(cut('--apply', '--yes').code).toBe(0);
  // after the broad start only the workstations rotate: the servers stay pending
  expect(run(['lab', 'simulate', '--dir', dir(), '--cycles', '2', '--ou', ou('Workstations'), '--json']).code).toBe(0);
  // who may read the encrypted attribute is a delegation of its own (the cutover test does the same)
  applyAclOps({ smbConf: m.smbConf, url: m.urls.ldap, user: 'Administrator', domain: m.netbiosDomain, password: readFileSync(m.accounts.admin!.passwordFile, 'utf8') }, [
    { dn: ou('Workstations/Pilot'), add: [`(OA;CIIO;RPCR;${LAPS_PROPERTY_SET_GUID};${COMPUTER_CLASS_GUID};${m.groups['LAPS Admins']!.sid})`] },
  ]);
}, 600_000);

describe('cleanup on migration-rehearsal', () => {
  let before: Map<string, { dacl: string; gpLink: string }>;
  let reversibleRun = '';

  it('a read-only run plans the reversible removals and the irreversible clears of verified computers only, and writes nothing', async () => {
    before = await snapshot();
    const legacyBefore = await legacyHolders('Workstations');
    for (const e of await admin.searchAll({ base: ou('Workstations'), filter: '(&(objectCategory=computer)(ms-Mcs-AdmPwd=*))', attributes: ['ms-Mcs-AdmPwd'] })) legacySecrets.push(String(e.attributes['ms-mcs-admpwd']![0]));
    expect(legacySecrets.length).toBe(legacyBefore.length);
    const r = cleanup();
    const changes = r.json.plan.changes;
    const dacls = changes.filter((c) => c.kind === 'replace-dacl').map((c) => c.dn.toLowerCase()).sort();
    expect(dacls).toEqual([ou('Workstations'), ou('Workstations/Pilot'), ou('Workstations/Finance')].map((d) => d.toLowerCase()).sort());
    expect(changes.filter((c) => c.attribute === 'gPLink').map((c) => c.dn.toLowerCase())).toEqual([ou('Workstations').toLowerCase()]);
    const cleared = changes.filter((c) => c.attribute === 'ms-Mcs-AdmPwd');
    expect(cleared.length).toBe(r.json.data.summary.verified);
    expect(cleared.every((c) => c.irreversible && c.dn.toLowerCase().endsWith(ou('Workstations').toLowerCase()))).toBe(true);
    expect(changes.filter((c) => c.irreversible).every((c) => c.attribute === 'ms-Mcs-AdmPwd' || c.attribute === 'ms-Mcs-AdmPwdExpirationTime')).toBe(true);
    // the exposure: servers keep theirs, pending or left behind
    const servers = r.json.data.exposure.perOu.find((o) => o.ou === 'Servers')!;
    expect(servers.reasons).toMatchObject({ pending: 20, 'left-behind': 10 });
    expect(r.json.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['CLEANUP_LEGACY_REMAINING', 'CLEANUP_CLEAR_PLANNED', 'CLEANUP_DELEGATION_KEPT', 'CLEANUP_GPO_KEPT']));
    expect(readFileSync(join(r.json.report, 'exposure-by-ou.csv'), 'utf8')).toContain('Servers');
    expect(await snapshot()).toEqual(before);
    expect(await legacyHolders('Workstations')).toEqual(legacyBefore);
    expect(run(['journal', 'list', '--json']).stdout).not.toContain('cleanup');
  }, 180_000);

  it('--apply without --confirm-irreversible removes the delegations and the link only', async () => {
    const legacyBefore = await legacyHolders('Workstations');
    const r = cleanup('--apply', '--yes');
    expect(r.stderr).toMatch(/irreversible change\(s\) left out/);
    const result = r.json.result as { runId: string; counts: { applied: number } };
    expect(result.counts.applied).toBe(4);
    reversibleRun = result.runId;
    const after = await snapshot();
    for (const p of ['Workstations', 'Workstations/Pilot', 'Workstations/Finance']) expect(after.get(p)!.dacl, p).not.toBe(before.get(p)!.dacl);
    expect(after.get('Workstations')!.gpLink.toUpperCase()).not.toContain(m.gpos['LAPS Legacy - Workstations']!.dn.toUpperCase());
    expect(after.get('Workstations')!.gpLink.toUpperCase()).toContain(m.gpos['Windows LAPS - Broad']!.dn.toUpperCase());
    // the servers depend on legacy (pending, left behind): untouched; OU=Sales has no legacy ACE of its own (only inherited ones change)
    for (const p of ['Servers', 'Servers/Web']) expect(after.get(p), p).toEqual(before.get(p));
    expect(after.get('Workstations/Sales')!.gpLink).toBe(before.get('Workstations/Sales')!.gpLink);
    expect(await legacyHolders('Workstations')).toEqual(legacyBefore);
  }, 180_000);

  it('permissions and emulation plan no legacy grant again (decided from the directory)', () => {
    expect(plannedChanges('permissions')).toEqual([]);
    expect(plannedChanges('emulation')).toEqual([]);
  }, 180_000);

  it('rollback of the reversible run restores every DACL and gPLink byte for byte; applying again is the same', async () => {
    const rb = run(['rollback', reversibleRun, '--profile', 'cleanup', '--apply', '--yes']);
    expect(rb.code, rb.stderr).toBe(0);
    expect(await snapshot()).toEqual(before);
    const again = cleanup('--apply', '--yes');
    expect((again.json.result as { counts: { applied: number } }).counts.applied).toBe(4);
  }, 180_000);

  it('with --confirm-irreversible the legacy passwords of verified computers go; Server 2016 and pending servers keep theirs', async () => {
    const serversBefore = await legacyHolders('Servers');
    expect(serversBefore.length).toBe(60);
    const r = cleanup('--apply', '--yes', '--confirm-irreversible');
    expect(r.json.data.summary.legacyClears).toBeGreaterThanOrEqual(120);
    expect(await legacyHolders('Workstations')).toEqual([]);
    const exp = await admin.searchAll({ base: ou('Workstations'), filter: '(&(objectCategory=computer)(ms-Mcs-AdmPwdExpirationTime=*))', attributes: ['cn'] });
    expect(exp).toEqual([]);
    expect(await legacyHolders('Servers')).toEqual(serversBefore);
    const status = JSON.parse(run(['cutover', '--profile', 'cleanup', '--playbook', playbook(), '--out', out(), '--status', '--json']).stdout) as { data: { waves: Array<{ name: string; counts: Record<string, number> }> } };
    // a cleared legacy password is a deletion, not a legacy write: the pilot stays verified
    expect(status.data.waves.find((w) => w.name === 'pilot')!.counts.verified).toBe(12);
  }, 180_000);

  it('password get still returns each cleared Pilot device\'s password (from msLAPS-EncryptedPassword)', async () => {
    const keyEntry = (await admin.searchAll({ base: kdsMasterRootKeysDn(m.configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: [...ROOT_KEY_ATTRIBUTES], binaryAttributes: [...ROOT_KEY_BINARY_ATTRIBUTES] }))[0]!;
    const keyFile = join(testRoot(), 'cleanup-root-key.json');
    writeFileSync(keyFile, JSON.stringify([rootKeyToJsonObject(rootKeyFromDirectoryEntry(keyEntry))]), { mode: 0o600 });
    const pilot = (await admin.searchAll({ base: ou('Workstations/Pilot'), filter: '(objectCategory=computer)', attributes: ['cn'] })).map((e) => String(e.attributes['cn']![0]));
    expect(pilot.length).toBe(12);
    for (const name of pilot) {
      const r = cli(['password', 'get', name, '--profile', 'cleanup', '--user', m.accounts['ann-admin']!.userPrincipalName, '--password-file', m.accounts['ann-admin']!.passwordFile, '--root-key', keyFile, '--show-password', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const entries = (JSON.parse(r.stdout) as { entries: Array<{ attribute: string; password?: string }> }).entries;
      expect(entries.some((e) => e.attribute === 'ms-Mcs-AdmPwd' && e.password)).toBe(false);
      // compared as a boolean: a failure message must not print a password
      expect(entries.find((e) => e.attribute === 'msLAPS-EncryptedPassword')?.password === readDevice(dir(), name).localPassword, name).toBe(true);
    }
  }, 180_000);

  it('a rerun changes nothing; permissions and emulation still plan nothing', async () => {
    const snap = await snapshot();
    const r = cleanup('--apply', '--yes', '--confirm-irreversible');
    expect(r.json.plan.changes).toEqual([]);
    expect(r.json.data.exposure.counts.legacyRemaining).toBe(60);
    expect(await snapshot()).toEqual(snap);
    expect(plannedChanges('permissions')).toEqual([]);
    expect(plannedChanges('emulation')).toEqual([]);
  }, 180_000);

  it('no password appears in any output, report or journal', () => {
    const devices = JSON.parse(cli(['lab', 'devices', '--dir', dir(), '--json']).stdout) as Array<{ name: string }>;
    const all = outputs.join('\n') + readTreeText(out()) + readTreeText(state());
    let checked = 0;
    for (const d of devices) {
      const p = readDevice(dir(), d.name).localPassword;
      if (!p) continue;
      checked++;
      expect(all.includes(p), d.name).toBe(false);
    }
    expect(checked).toBeGreaterThan(100);
    for (const p of legacySecrets) expect(all.includes(p)).toBe(false);
  });
});
