/**
 * Cutover waves on migration-rehearsal (issue 17, first half): `run --playbook` with the cutover
 * step writes the GPO's Registry.pol (SYSVOL from the step context); another Windows LAPS GPO
 * with different settings reaching the pilot blocks it; a group wave applies through GPO
 * security filtering to exactly the group's (nested) computer members, the simulator shows the
 * others stay legacy, and rolling the start back restores the GPO's descriptor byte for byte.
 * This file stops the shared lab, builds its own on the same address, and starts the shared one again.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { readGpoPolicy } from '../../src/lab/gpo-folder.js';
import { decodeLapsSettings } from '../../src/laps/gpo-laps-settings.js';
import { parseSecurityDescriptor, toSddl } from '../../src/security/index.js';
import type { LabManifest } from '../../src/lab/manifest.js';
import { cli, testRoot } from './lab-env.js';
import { REHEARSAL_POLICY, useRehearsalLab } from './rehearsal-lab.js';

const rehearsal = useRehearsalLab({ folder: 'cutover-waves-rehearsal', seed: 7, profileName: 'rehearsal-waves' });
const PROFILE = 'rehearsal-waves';
let m: LabManifest;
let admin: LdapDirectory;
const out = () => join(testRoot(), 'cutover-waves-reports');
const file = (name: string) => join(testRoot(), `cutover-waves-${name}.yaml`);

interface CutoverOut {
  result?: { runId: string };
  findings: Array<{ code: string; severity: string; object: string; message: string }>;
  data: { waves: Array<{ name: string; startedAt: string | null; computers: Array<{ name: string; dn: string; state: string }> }>; next: { wave: string; action: string } };
  plan: { changes: Array<{ kind: string; dn: string; attribute?: string }> };
}

function cutover(pb: string, ...args: string[]): { code: number; json: CutoverOut; raw: string } {
  const r = cli(['cutover', '--profile', PROFILE, '--playbook', pb, '--out', out(), '--json', ...args]);
  expect([0, 3], r.stderr).toContain(r.code);
  return { code: r.code, json: JSON.parse(r.stdout) as CutoverOut, raw: r.stdout + r.stderr };
}

const blockers = (o: CutoverOut) => o.findings.filter((f) => f.severity === 'blocker');
const NTSD = 'nTSecurityDescriptor';
const APPLY = 'edacfd8f-ffb3-11d1-b41d-00a0c968f939';

async function gpoDacl(name: string): Promise<Buffer> {
  const e = await admin.read(m.gpos[name]!.dn, [NTSD], { binaryAttributes: [NTSD], sdFlags: 4 });
  return e!.attributes[NTSD.toLowerCase()]![0] as Buffer;
}

function rollback(runId: string): void {
  const r = cli(['rollback', runId, '--profile', PROFILE, '--apply', '--yes']);
  expect(r.code, r.stderr).toBe(0);
}

// a Windows LAPS GPO with another PasswordLength on OU=Workstations (above the pilot OU)
const OTHER = `version: 1
steps: [cutover]
${REHEARSAL_POLICY}  passwordLength: 20
waves:
  - name: other
    ous: ['OU=Workstations']
    gpo: 'Windows LAPS - Broad'
`;
const GROUP_WAVE = `version: 1
steps: [cutover]
${REHEARSAL_POLICY}waves:
  - name: finance-group
    group: 'Wave Finance'
    gpo: 'Windows LAPS - Broad'
`;
const PILOT = `version: 1
steps: [cutover]
${REHEARSAL_POLICY}waves:
  - name: pilot
    ous: ['OU=Pilot,OU=Workstations']
    gpo: 'Windows LAPS - Pilot'
`;

beforeAll(() => {
  m = rehearsal.manifest();
  admin = rehearsal.admin();
  writeFileSync(file('pilot'), PILOT);
  writeFileSync(file('other'), OTHER);
  writeFileSync(file('group'), GROUP_WAVE);
  expect(cli(['schema', '--profile', PROFILE, '--apply', '--yes', '--confirm-irreversible', '--out', out()]).code).toBe(0);
  expect(cli(['permissions', '--profile', PROFILE, '--apply', '--yes', '--out', out()]).code).toBe(0);
}, 300_000);

describe('cutover waves on migration-rehearsal', () => {
  it('another Windows LAPS GPO with a different PasswordLength linked above the pilot OU blocks the pilot (named, with its OU and value)', () => {
    const other = cutover(file('other'), '--apply', '--yes');
    expect(other.code, other.raw).toBe(0);
    const blocked = cutover(file('pilot'));
    expect(blocked.code).toBe(3);
    expect(blockers(blocked.json).map((f) => f.code)).toEqual(['CUTOVER_CONFLICTING_GPO']);
    const f = blockers(blocked.json)[0]!;
    expect(f.message).toContain('"Windows LAPS - Broad"');
    expect(f.message).toContain(`OU=Workstations,${m.baseDn}`);
    expect(f.message).toContain('PasswordLength=20 (playbook: 14)');
    expect(blocked.json.plan.changes).toEqual([]);
    // undone, the pilot is ready again
    rollback(other.json.result!.runId);
    const ready = cutover(file('pilot'));
    expect(blockers(ready.json)).toEqual([]);
    expect(ready.json.data.next).toMatchObject({ wave: 'pilot', action: 'start' });
    // nobody delegated LAPS Admins the read of the encrypted attributes on OU=Pilot yet
    expect(ready.json.findings.filter((f) => f.code === 'CUTOVER_PRINCIPAL_CANNOT_READ').map((f) => f.object)).toEqual([`OU=Pilot,OU=Workstations,${m.baseDn}`]);
  }, 180_000);

  it('run --playbook (steps: [cutover]) --apply --yes starts the pilot and writes the GPO\'s Registry.pol (SYSVOL from the profile)', async () => {
    const gpo = m.gpos['Windows LAPS - Pilot']!;
    expect(readGpoPolicy(m.sysvol!, m.dnsDomain, gpo.guid)).toEqual([]);
    const r = cli(['run', '--playbook', file('pilot'), '--profile', PROFILE, '--apply', '--yes', '--out', out(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { steps: Array<{ step: string; exitCode: number; result: CutoverOut }> };
    expect(j.steps.map((s) => [s.step, s.exitCode])).toEqual([['cutover', 0]]);
    expect(j.steps[0]!.result.data.next).toMatchObject({ wave: 'pilot', action: 'start' });
    const pol = readGpoPolicy(m.sysvol!, m.dnsDomain, gpo.guid);
    expect(decodeLapsSettings(pol).windowsLaps).toMatchObject({ BackupDirectory: 2, ADPasswordEncryptionEnabled: 1, ADPasswordEncryptionPrincipal: 'LAB\\LAPS Admins', ADEncryptedPasswordHistorySize: 2 });
    const link = await admin.read(`OU=Pilot,OU=Workstations,${m.baseDn}`, ['gPLink']);
    expect(String(link!.attributes['gplink']![0]).toUpperCase()).toContain(gpo.guid.toUpperCase());
    // the next run sees the wave started and changes nothing
    const again = cutover(file('pilot'));
    expect(again.json.plan.changes).toEqual([]);
    expect(again.json.data.waves[0]!.startedAt).not.toBeNull();
    expect(existsSync(out())).toBe(true);
  }, 180_000);

  it('a group wave (nested group) applies through security filtering to exactly its members; the simulator keeps the others legacy; rollback restores the descriptor byte for byte', async () => {
    const people = `OU=People,${m.baseDn}`;
    const fin = `OU=Finance,OU=Workstations,${m.baseDn}`;
    await admin.add(`CN=Wave Finance Inner,${people}`, { objectClass: ['group'], sAMAccountName: ['Wave Finance Inner'], member: [`CN=FIN-WS01,${fin}`, `CN=FIN-WS02,${fin}`] });
    await admin.add(`CN=Wave Finance,${people}`, { objectClass: ['group'], sAMAccountName: ['Wave Finance'], member: [`CN=Wave Finance Inner,${people}`, `CN=FIN-WS03,${fin}`] });
    const members = ['FIN-WS01', 'FIN-WS02', 'FIN-WS03'];
    const before = await gpoDacl('Windows LAPS - Broad');

    const started = cutover(file('group'), '--apply', '--yes');
    expect(started.code, started.raw).toBe(0);
    expect(started.json.data.next).toMatchObject({ wave: 'finance-group', action: 'start' });
    // the filter is written before the link
    const kinds = started.json.plan.changes.map((c) => `${c.kind}:${c.attribute ?? ''}`);
    expect(kinds[0]).toBe('replace-dacl:');
    expect(kinds.indexOf('replace-dacl:')).toBeLessThan(kinds.indexOf('modify-attribute:gPLink'));
    expect(started.raw).toContain('Set-GPPermission');
    const sddl = toSddl(parseSecurityDescriptor(await gpoDacl('Windows LAPS - Broad')));
    expect(sddl).not.toContain(`${APPLY};;AU)`);
    expect(sddl).toContain('(A;CI;RPLCLORC;;;AU)');
    expect(sddl).toContain(`(OA;CI;CR;${APPLY};;${m.domainSid}-`);
    const link = await admin.read(fin, ['gPLink']);
    expect(String(link!.attributes['gplink']![0]).toUpperCase()).toContain(m.gpos['Windows LAPS - Broad']!.guid.toUpperCase());
    // a rerun changes nothing (no duplicate ACE)
    expect(cutover(file('group')).json.plan.changes).toEqual([]);

    const sim = cli(['lab', 'simulate', '--dir', rehearsal.dir(), '--cycles', '2', '--ou', fin, '--json']);
    expect(sim.code, sim.stderr).toBe(0);
    const devices = JSON.parse(cli(['lab', 'devices', '--dir', rehearsal.dir(), '--json']).stdout) as Array<{ name: string; dn: string; mode: string }>;
    const inFinance = devices.filter((d) => d.dn.toLowerCase().endsWith(fin.toLowerCase()));
    expect(inFinance.filter((d) => members.includes(d.name)).map((d) => d.mode)).toEqual(['windows-laps-encrypted', 'windows-laps-encrypted', 'windows-laps-encrypted']);
    const others = inFinance.filter((d) => !members.includes(d.name));
    expect(others.length).toBeGreaterThan(40);
    expect(others.every((d) => !d.mode.startsWith('windows-laps')), others.map((d) => `${d.name}:${d.mode}`).join(' ')).toBe(true);
    const status = JSON.parse(cli(['cutover', '--profile', PROFILE, '--playbook', file('group'), '--out', out(), '--status', '--json']).stdout) as CutoverOut;
    const wave = status.data.waves[0]!;
    expect(wave.computers.map((c) => c.name).sort()).toEqual(members);
    expect(wave.computers.every((c) => c.state === 'verified')).toBe(true);

    rollback(started.json.result!.runId);
    expect((await gpoDacl('Windows LAPS - Broad')).equals(before)).toBe(true);
    const unlinked = await admin.read(fin, ['gPLink']);
    expect(String(unlinked?.attributes['gplink']?.[0] ?? '').toUpperCase()).not.toContain(m.gpos['Windows LAPS - Broad']!.guid.toUpperCase());
  }, 240_000);
});
