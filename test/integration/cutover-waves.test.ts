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
import type { LabManifest } from '../../src/lab/manifest.js';
import { cli, testRoot } from './lab-env.js';
import { useRehearsalLab } from './rehearsal-lab.js';

const rehearsal = useRehearsalLab({ folder: 'cutover-waves-rehearsal', seed: 7, profileName: 'rehearsal-waves' });
const PROFILE = 'rehearsal-waves';
let m: LabManifest;
let admin: LdapDirectory;
const out = () => join(testRoot(), 'cutover-waves-reports');
const file = (name: string) => join(testRoot(), `cutover-waves-${name}.yaml`);

interface CutoverOut {
  findings: Array<{ code: string; severity: string; object: string; message: string }>;
  data: { waves: Array<{ name: string; startedAt: string | null; computers: Array<{ name: string; dn: string; state: string }> }>; next: { wave: string; action: string } };
  plan: { changes: Array<{ kind: string; dn: string; attribute?: string }> };
}

function cutover(pb: string, ...args: string[]): { code: number; json: CutoverOut; raw: string } {
  const r = cli(['cutover', '--profile', PROFILE, '--playbook', pb, '--out', out(), '--json', ...args]);
  expect([0, 3], r.stderr).toContain(r.code);
  return { code: r.code, json: JSON.parse(r.stdout) as CutoverOut, raw: r.stdout + r.stderr };
}

const PILOT = `version: 1
steps: [cutover]
policy:
  encryption: { enabled: true, principal: 'LAB\\LAPS Admins' }
  historySize: 2
waves:
  - name: pilot
    ous: ['OU=Pilot,OU=Workstations']
    gpo: 'Windows LAPS - Pilot'
`;

beforeAll(() => {
  m = rehearsal.manifest();
  admin = rehearsal.admin();
  writeFileSync(file('pilot'), PILOT);
  expect(cli(['schema', '--profile', PROFILE, '--apply', '--yes', '--confirm-irreversible', '--out', out()]).code).toBe(0);
  expect(cli(['permissions', '--profile', PROFILE, '--apply', '--yes', '--out', out()]).code).toBe(0);
}, 300_000);

describe('cutover waves on migration-rehearsal', () => {
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
});
