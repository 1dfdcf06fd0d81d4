/**
 * Step 5, cutover, on the migration-rehearsal scenario with simulated devices (issue 17). This file
 * stops the shared lab, builds its own on the same address, and starts the shared one again.
 * Covered: the pilot blocked until schema and SELF are in place; apply writes the GPO and its link;
 * two simulator cycles later every supported Pilot device is verified, its current password decrypted
 * and its payload checked (the lab admin reads the KDS root key; a LAPS Admins member cannot: the
 * payloads are then not checked, and the report says so) and `password get` (a LAPS Admins member
 * with the root key the lab admin exported) returns its local password; the gate starts the broad
 * wave on the next apply, where Server 2016 devices are left behind; a device whose SELF permission
 * is removed is refused by the DC and shows `failed` with why; the principal's name resolving to
 * another group between cycles is caught as drift; a rerun changes nothing; rolling back both
 * starts unlinks the GPOs and the devices return to legacy LAPS; no password in any output.
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
import { cli, testRoot } from './lab-env.js';
import { REHEARSAL_POLICY, REHEARSAL_WAVES, useRehearsalLab } from './rehearsal-lab.js';

const rehearsal = useRehearsalLab({ folder: 'cutover-rehearsal', seed: 7, profileName: 'rehearsal' });
const dir = rehearsal.dir;
let m: LabManifest;
let admin: LdapDirectory;
const out = () => join(testRoot(), 'cutover-reports');
const playbook = () => join(testRoot(), 'cutover-playbook.yaml');

const PLAYBOOK = `version: 1
steps: [cutover]
${REHEARSAL_POLICY}${REHEARSAL_WAVES}`;

interface WaveOut {
  name: string;
  startedAt: string | null;
  counts: Record<string, number>;
  gate: { met: boolean };
  computers: Array<{ name: string; dn: string; state: string; reasons: string[]; leftBehind: string | null; payload: string | null }>;
  drift: Array<{ computer: string; kind: string; detail: string }>;
}
interface CutoverOut {
  findings: Array<{ code: string; severity: string; evidence?: string }>;
  report?: string;
  data: { waves: WaveOut[]; next: { wave: string; action: string }; principalSid: string | null };
  plan: { changes: Array<{ kind: string; dn: string; attribute?: string }> };
}

function cutover(...args: string[]): { code: number; json: CutoverOut; raw: string } {
  const r = cli(['cutover', '--profile', 'rehearsal', '--playbook', playbook(), '--out', out(), '--json', ...args]);
  expect([0, 3], r.stderr).toContain(r.code);
  return { code: r.code, json: JSON.parse(r.stdout) as CutoverOut, raw: r.stdout + r.stderr };
}

function ou(path: string): string {
  return `${path.split('/').reverse().map((p) => `OU=${p}`).join(',')},${m.baseDn}`;
}

function cutoverStatus(env: Record<string, string> = {}, ...args: string[]): CutoverOut {
  const r = cli(['cutover', '--profile', 'rehearsal', '--playbook', playbook(), '--out', out(), '--status', '--json', ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as CutoverOut;
}

const waveOf = (o: CutoverOut, name: string) => o.data.waves.find((w) => w.name === name)!;
const journalRuns = () => (JSON.parse(cli(['journal', 'list', '--json']).stdout) as { runs: Array<{ runId: string; kind: string; step: string; status: string; counts?: { applied: number } }> }).runs;

const blockers = (o: CutoverOut) => o.findings.filter((f) => f.severity === 'blocker').map((f) => f.code);

beforeAll(() => {
  m = rehearsal.manifest();
  admin = rehearsal.admin();
  writeFileSync(playbook(), PLAYBOOK);
});

describe('cutover on migration-rehearsal', () => {
  const outputs: string[] = [];

  it('the pilot is blocked until the schema and the SELF permission are in place (exit 3, nothing planned)', () => {
    const before = cutover();
    outputs.push(before.raw);
    expect(before.code).toBe(3);
    expect(blockers(before.json)).toEqual(['CUTOVER_SCHEMA_MISSING']);
    expect(before.json.plan.changes).toEqual([]);
    expect(before.json.data.next).toMatchObject({ wave: 'pilot', action: 'blocked' });

    expect(cli(['schema', '--profile', 'rehearsal', '--apply', '--yes', '--confirm-irreversible', '--out', out()]).code).toBe(0);
    const noSelf = cutover();
    expect(noSelf.code).toBe(3);
    expect(blockers(noSelf.json)).toEqual(['CUTOVER_SELF_MISSING']);

    expect(cli(['permissions', '--profile', 'rehearsal', '--apply', '--yes', '--out', out()]).code).toBe(0);
    const ready = cutover();
    outputs.push(ready.raw);
    expect(ready.code).toBe(0);
    expect(blockers(ready.json)).toEqual([]);
    expect(ready.json.data.next).toMatchObject({ wave: 'pilot', action: 'start' });
  }, 120_000);

  it('apply writes the GPO settings and the link to OU=Pilot (both journaled); a rerun plans nothing', async () => {
    const applied = cutover('--apply', '--yes');
    outputs.push(applied.raw);
    expect(applied.code).toBe(0);
    const kinds = applied.json.plan.changes.map((c) => `${c.kind}:${c.attribute ?? ''}`);
    expect(kinds).toEqual(expect.arrayContaining(['replace-file:', 'modify-attribute:versionNumber', 'modify-attribute:gPLink']));
    const gpo = m.gpos['Windows LAPS - Pilot']!;
    const link = await admin.read(ou('Workstations/Pilot'), ['gPLink']);
    expect(String(link!.attributes['gplink']![0]).toUpperCase()).toContain(gpo.dn.toUpperCase());
    const journal = cli(['journal', 'list', '--json']);
    expect(journal.code, journal.stderr).toBe(0);
    expect(journal.stdout).toContain('cutover');

    const again = cutover('--apply', '--yes');
    expect(again.code).toBe(0);
    expect(again.json.plan.changes).toEqual([]);
    const pilot = again.json.data.waves.find((w) => w.name === 'pilot')!;
    expect(pilot.startedAt).not.toBeNull();
    expect(pilot.counts.pending).toBe(pilot.computers.length);
  }, 120_000);

  it('two simulator cycles later every supported Pilot device is verified and the gate is met', () => {
    const sim = cli(['lab', 'simulate', '--dir', dir(), '--cycles', '2', '--ou', ou('Workstations/Pilot'), '--json']);
    expect(sim.code, sim.stderr).toBe(0);
    const status = cli(['cutover', '--profile', 'rehearsal', '--playbook', playbook(), '--out', out(), '--status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    outputs.push(status.stdout);
    const pilot = (JSON.parse(status.stdout) as CutoverOut).data.waves.find((w) => w.name === 'pilot')!;
    expect(pilot.computers.length).toBeGreaterThanOrEqual(10);
    expect(pilot.computers.every((c) => c.state === 'verified')).toBe(true);
    expect(pilot.gate.met).toBe(true);
    // the lab admin can read the KDS root key: every current blob was decrypted and its payload checked
    expect(pilot.computers.map((c) => c.payload)).toEqual(pilot.computers.map(() => 'ok'));
    expect((JSON.parse(status.stdout) as CutoverOut).findings.map((f) => f.code)).not.toContain('CUTOVER_PAYLOAD_NOT_CHECKED');
    // the same on worker threads (the path a 10,000-computer wave takes)
    const onWorkers = waveOf(cutoverStatus({ LAPS_MIGRATE_DECRYPT_WORKERS: '2' }), 'pilot');
    expect(onWorkers.computers.map((c) => [c.name, c.state, c.payload])).toEqual(pilot.computers.map((c) => [c.name, 'verified', 'ok']));
  }, 180_000);

  it('password get (a LAPS Admins member, root key exported by the lab admin) returns each Pilot device\'s local password', async () => {
    // who may read the encrypted attribute is a delegation of its own (Set-LapsADReadPasswordPermission), not the cutover's
    const lapsAdmins = m.groups['LAPS Admins']!.sid;
    applyAclOps({ smbConf: m.smbConf, url: m.urls.ldap, user: 'Administrator', domain: m.netbiosDomain, password: readFileSync(m.accounts.admin!.passwordFile, 'utf8') }, [
      { dn: ou('Workstations/Pilot'), add: [`(OA;CIIO;RPCR;${LAPS_PROPERTY_SET_GUID};${COMPUTER_CLASS_GUID};${lapsAdmins})`] },
    ]);
    const keyEntry = (await admin.searchAll({ base: kdsMasterRootKeysDn(m.configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: [...ROOT_KEY_ATTRIBUTES], binaryAttributes: [...ROOT_KEY_BINARY_ATTRIBUTES] }))[0]!;
    const keyFile = join(testRoot(), 'cutover-root-key.json');
    writeFileSync(keyFile, JSON.stringify([rootKeyToJsonObject(rootKeyFromDirectoryEntry(keyEntry))]), { mode: 0o600 });
    const status = JSON.parse(cli(['cutover', '--profile', 'rehearsal', '--playbook', playbook(), '--out', out(), '--status', '--json']).stdout) as CutoverOut;
    const pilot = status.data.waves.find((w) => w.name === 'pilot')!;
    for (const c of pilot.computers) {
      const r = cli(['password', 'get', c.name, '--profile', 'rehearsal', '--user', m.accounts['ann-admin']!.userPrincipalName, '--password-file', m.accounts['ann-admin']!.passwordFile, '--root-key', keyFile, '--show-password', '--json']);
      expect(r.code, r.stderr).toBe(0);
      const entries = (JSON.parse(r.stdout) as { entries: Array<{ attribute: string; password?: string }> }).entries;
      // compared as a boolean: a failure message must not print a password
      expect(entries.find((e) => e.attribute === 'msLAPS-EncryptedPassword')?.password === readDevice(dir(), c.name).localPassword, c.name).toBe(true);
    }
    // the same member runs the cutover: it reads the blobs but not the KDS root key, so the payloads are not checked (and it says so)
    const ann = cutoverStatus({}, '--user', m.accounts['ann-admin']!.userPrincipalName, '--password-file', m.accounts['ann-admin']!.passwordFile);
    const notChecked = ann.findings.find((f) => f.code === 'CUTOVER_PAYLOAD_NOT_CHECKED');
    expect(notChecked, JSON.stringify(ann.findings)).toMatchObject({ severity: 'info', evidence: expect.stringMatching(/KDS root key .* not readable/) });
    expect(waveOf(ann, 'pilot').computers.map((c) => [c.state, c.payload])).toEqual(pilot.computers.map(() => ['verified', 'not-checked']));
  }, 180_000);

  it('the met gate starts the broad wave on the next apply; Server 2016 and non-Windows devices are left behind', () => {
    const broadStart = cutover('--apply', '--yes');
    outputs.push(broadStart.raw);
    expect(broadStart.code).toBe(0);
    expect(broadStart.json.data.next).toMatchObject({ wave: 'broad', action: 'start' });
    const after = cutover();
    expect(after.json.plan.changes).toEqual([]);
    const broad = after.json.data.waves.find((w) => w.name === 'broad')!;
    expect(broad.startedAt).not.toBeNull();
    const devices = JSON.parse(cli(['lab', 'devices', '--dir', dir(), '--json']).stdout) as Array<{ name: string; build: number | null }>;
    const build = new Map(devices.map((d) => [d.name.toLowerCase(), d.build]));
    const server2016 = broad.computers.filter((c) => build.get(c.name.toLowerCase()) === 14393);
    expect(server2016.length).toBeGreaterThan(0);
    expect(server2016.every((c) => c.state === 'left-behind' && c.leftBehind === 'unsupported-build')).toBe(true);
    expect(broad.computers.filter((c) => build.get(c.name.toLowerCase()) === null).every((c) => c.leftBehind === 'not-windows')).toBe(true);
  }, 120_000);

  it('--parallel 1, the default and 4 see the same waves: every computer with the same verdict, the same findings; a bad --parallel exits 2', () => {
    const seen = ['1', undefined, '4'].map((n) => {
      const r = cutoverStatus({}, ...(n ? ['--parallel', n] : []));
      return JSON.stringify({ waves: r.data.waves, next: r.data.next, findings: r.findings });
    });
    expect(JSON.parse(seen[0]!).waves.flatMap((w: WaveOut) => w.computers).length).toBeGreaterThan(100);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
    for (const bad of ['0', '17', 'two']) {
      const r = cli(['cutover', '--profile', 'rehearsal', '--playbook', playbook(), '--out', out(), '--parallel', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--parallel/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a device whose SELF permission is removed is refused by the DC and shows failed with why', () => {
    const broad = waveOf(cutoverStatus(), 'broad');
    const victim = broad.computers.find((c) => /^WS\d+$/i.test(c.name) && c.state === 'pending')!;
    expect(victim, 'a pending WS computer of the broad wave').toBeDefined();
    // protected DACL without the inherited entries: the Windows LAPS SELF write from OU=Workstations no longer reaches it
    applyAclOps({ smbConf: m.smbConf, url: m.urls.ldap, user: 'Administrator', domain: m.netbiosDomain, password: readFileSync(m.accounts.admin!.passwordFile, 'utf8') }, [{ dn: victim.dn, protect: true }]);
    const sim = cli(['lab', 'simulate', '--dir', dir(), '--cycles', '2', '--ou', ou('Workstations'), '--json']);
    expect(sim.code, sim.stderr).toBe(0);
    const device = readDevice(dir(), victim.name);
    expect(device.mode).toBe('refused');
    expect(device.events.at(-1)!.id).toBe(10017);
    const after = waveOf(cutoverStatus(), 'broad');
    const failed = after.computers.find((c) => c.name === victim.name)!;
    expect(failed.state).toBe('failed');
    expect(failed.reasons.join(' ')).toMatch(/may not write its Windows LAPS attributes \(SELF lacks .*msLAPS-.*\): event 10017/);
    // its neighbours rotated
    expect(after.computers.filter((c) => /^WS\d+$/i.test(c.name) && c.name !== victim.name).every((c) => c.state === 'verified')).toBe(true);
    const text = cli(['cutover', '--profile', 'rehearsal', '--playbook', playbook(), '--out', out(), '--status']);
    expect(text.stdout).toContain(`failed ${victim.name}: the computer may not write its Windows LAPS attributes`);
  }, 300_000);

  it('the principal changing between cycles is caught: the current password first, then history entries to the old SID as drift', async () => {
    const oldSid = m.groups['LAPS Admins']!.sid;
    // LAB\LAPS Admins now names another group: the old one is renamed, a new one takes the name
    const old = (await admin.searchAll({ base: m.baseDn, filter: '(sAMAccountName=LAPS Admins)', attributes: ['cn'] }))[0]!;
    await admin.modify(old.dn, [{ operation: 'replace', attribute: 'sAMAccountName', values: ['LAPS Admins 2025'] }]);
    await admin.add(`CN=LAPS Admins 2026,OU=People,${m.baseDn}`, { objectClass: ['top', 'group'], sAMAccountName: ['LAPS Admins'], groupType: ['-2147483646'] });
    const before = cutoverStatus();
    const newSid = before.data.principalSid!;
    expect(newSid).not.toBe(oldSid);
    const pilot = waveOf(before, 'pilot');
    expect(pilot.computers.every((c) => c.state === 'failed' && c.reasons.some((r) => r.includes(`encrypted to ${oldSid}, not to the expected principal ${newSid}`)))).toBe(true);
    expect(pilot.drift.filter((d) => d.kind === 'current-principal').map((d) => d.detail)).toEqual(pilot.computers.map(() => oldSid));

    // the next cycle: the devices see another SID, rotate to it and keep the previous passwords (to the old SID) as history
    const sim = cli(['lab', 'simulate', '--dir', dir(), '--ou', ou('Workstations/Pilot'), '--json']);
    expect(sim.code, sim.stderr).toBe(0);
    const after = cutoverStatus();
    const rotated = waveOf(after, 'pilot');
    expect(rotated.computers.map((c) => [c.name, c.state, c.payload])).toEqual(pilot.computers.map((c) => [c.name, 'verified', 'ok']));
    const history = rotated.drift.filter((d) => d.kind === 'history-principal');
    expect(history.map((d) => d.computer).sort()).toEqual(pilot.computers.map((c) => c.name).sort());
    expect(history.every((d) => d.detail === oldSid)).toBe(true);
    // the report lists them: drift.csv per computer, the rollup by SID in report.html
    const report = (JSON.parse(cli(['cutover', '--profile', 'rehearsal', '--playbook', playbook(), '--out', out(), '--json']).stdout) as CutoverOut).report!;
    const csv = readFileSync(join(report, 'drift.csv'), 'utf8');
    for (const c of pilot.computers) expect(csv).toMatch(new RegExp(`pilot,${c.name},history-principal,${oldSid}`));
    const html = readFileSync(join(report, 'report.html'), 'utf8');
    expect(html).toContain('History encrypted to another principal');
    // the SIDs by the names the directory gives them now: the old group (renamed) and the policy's
    expect(html).toContain(`LAPS Admins 2025 (${oldSid})`);
    expect(html).toContain(`LAPS Admins (${newSid})`);
    const finding = after.findings.find((f) => f.code === 'CUTOVER_PRINCIPAL_DRIFT');
    expect(finding?.evidence).toContain(`LAPS Admins 2025 (${oldSid})`);
  }, 300_000);

  it('run --playbook runs the cutover step as well (SYSVOL from the profile); with nothing ready it changes nothing', () => {
    const r = cli(['run', '--playbook', playbook(), '--profile', 'rehearsal', '--apply', '--yes', '--out', out(), '--json']);
    outputs.push(r.stdout + r.stderr);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { steps: Array<{ step: string; exitCode: number; result: CutoverOut }> };
    expect(j.steps.map((s) => [s.step, s.exitCode])).toEqual([['cutover', 0]]);
    expect(j.steps[0]!.result.plan.changes).toEqual([]);
  }, 60_000);

  it('a rerun changes nothing: exit 0, no journal entry', () => {
    const runs = journalRuns().length;
    const again = cutover('--apply', '--yes');
    outputs.push(again.raw);
    expect(again.code).toBe(0);
    expect(again.json.plan.changes).toEqual([]);
    expect(journalRuns()).toHaveLength(runs);
  }, 120_000);

  it('rolling back the starts unlinks the wave GPOs; after a cycle the Pilot devices are back on legacy LAPS', async () => {
    // newest first: the broad wave's start (its link on OU=Workstations also reaches OU=Pilot), then the pilot's
    const starts = journalRuns().filter((r) => r.kind === 'apply' && r.step === 'cutover' && (r.counts?.applied ?? 0) > 0).sort((a, b) => b.runId.localeCompare(a.runId));
    expect(starts).toHaveLength(2);
    for (const run of starts) {
      const rb = cli(['rollback', run.runId, '--profile', 'rehearsal', '--apply', '--yes']);
      outputs.push(rb.stdout + rb.stderr);
      expect(rb.code, rb.stdout + rb.stderr).toBe(0);
    }
    const pilotGpo = m.gpos['Windows LAPS - Pilot']!;
    const link = await admin.read(ou('Workstations/Pilot'), ['gPLink']);
    expect(String(link?.attributes['gplink']?.[0] ?? '').toUpperCase()).not.toContain(pilotGpo.guid.toUpperCase());
    const now = cutoverStatus();
    expect(waveOf(now, 'pilot').startedAt).toBeNull();
    // --status stops at the first wave not started: the broad wave is not even listed
    expect(now.data.waves.find((w) => w.name === 'broad')?.startedAt ?? null).toBeNull();

    // the legacy password in AD is older than the local one Windows LAPS set: reset its expiry (Reset-AdmPwdPassword) so the legacy policy rotates now
    const pilot = waveOf(now, 'pilot').computers;
    for (const c of pilot) await admin.modify(c.dn, [{ operation: 'replace', attribute: 'ms-Mcs-AdmPwdExpirationTime', values: ['0'] }]);
    const sim = cli(['lab', 'simulate', '--dir', dir(), '--ou', ou('Workstations/Pilot'), '--json']);
    expect(sim.code, sim.stderr).toBe(0);
    for (const c of pilot) {
      const d = readDevice(dir(), c.name);
      expect(['legacy-cse', 'emulation'], c.name).toContain(d.mode);
      const e = await admin.read(c.dn, ['ms-Mcs-AdmPwd']);
      // compared as a boolean: a failure message must not print a password
      expect(String(e?.attributes['ms-mcs-admpwd']?.[0]) === d.localPassword, c.name).toBe(true);
    }
  }, 300_000);

  it('no password appears in any cutover output', () => {
    const passwords = JSON.parse(cli(['lab', 'devices', '--dir', dir(), '--json']).stdout) as Array<{ name: string }>;
    const all = outputs.join('\n');
    for (const d of passwords.slice(0, 50)) {
      const p = readDevice(dir(), d.name).localPassword;
      if (p) expect(all.includes(p)).toBe(false);
    }
  });
});
