/**
 * The GPO writer against the lab DC and the lab's SYSVOL folder: Windows LAPS values written into
 * an empty GPO and linked (next to another GPO's link), both halves' versions in step, a rerun
 * writes nothing, `rollback` restores Registry.pol, GPT.INI, versionNumber,
 * gPCMachineExtensionNames and gPLink byte for byte, and a GPO edited by someone else between
 * plan and apply is a conflict (exit 5) with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { applyPlan, createPlan, JournalStore } from '../../src/journal/index.js';
import { readGpo } from '../../src/gpo/read-gpo.js';
import { planGpoEdit, type GpoEdit } from '../../src/gpo/plan-gpo-edit.js';
import { lapsPolicyEntry, WINDOWS_LAPS_GPO_KEY } from '../../src/laps/gpo-laps-settings.js';
import { dwordEntry, parseRegistryPol, setPolicyValue, writeRegistryPol } from '../../src/laps/registry-pol.js';
import { cli, connectAs, lab, labDir, resetLab, testRoot } from './lab-env.js';

const NAME = 'LAPS - Pilot (gpo writer test)';

interface Halves {
  gptIni: Buffer | null;
  registryPol: Buffer | null;
  versionNumber: string[];
  extensions: string[];
  gpLinks: Record<string, string[]>;
}

describe('GPO writer against the lab', () => {
  let admin: LdapDirectory;
  let stateDir: string;
  let store: JournalStore;
  let sysvol: string;
  let gpoDir: string;
  let gpoDn: string;
  let targets: string[];

  async function halves(): Promise<Halves> {
    const e = await admin.read(gpoDn, ['versionNumber', 'gPCMachineExtensionNames']);
    const gpLinks: Record<string, string[]> = {};
    for (const t of targets) gpLinks[t] = ((await admin.read(t, ['gPLink']))?.attributes['gplink'] ?? []).map(String);
    const read = (p: string) => (existsSync(p) ? readFileSync(p) : null);
    return {
      gptIni: read(join(gpoDir, 'GPT.INI')),
      registryPol: read(join(gpoDir, 'Machine', 'Registry.pol')),
      versionNumber: (e?.attributes['versionnumber'] ?? []).map(String),
      extensions: (e?.attributes['gpcmachineextensionnames'] ?? []).map(String),
      gpLinks,
    };
  }

  function lapsEdit(): GpoEdit {
    const k = WINDOWS_LAPS_GPO_KEY;
    return {
      reason: 'integration test: pilot wave',
      set: [
        lapsPolicyEntry(k, 'BackupDirectory', 2),
        lapsPolicyEntry(k, 'PasswordAgeDays', 30),
        lapsPolicyEntry(k, 'ADPasswordEncryptionEnabled', 1),
        lapsPolicyEntry(k, 'ADPasswordEncryptionPrincipal', 'LAB\\Domain Admins'),
        lapsPolicyEntry(k, 'ADEncryptedPasswordHistorySize', 12),
      ],
      links: targets.map((t) => ({ target: t, edit: { action: 'link' as const } })),
    };
  }

  async function plan(edit: GpoEdit) {
    const g = await readGpo(admin, { domainDn: lab().baseDn, gpo: NAME, sysvol });
    return planGpoEdit(admin, g, edit);
  }

  beforeAll(async () => {
    const m = lab();
    admin = await connectAs('admin');
    stateDir = mkdtempSync(join(testRoot(), 'gpo-state-'));
    store = JournalStore.open(join(stateDir, 'journal'));
    sysvol = join(labDir(), 'sysvol');
    // an extra, empty GPO (as New-GPO leaves one): container + SYSVOL folder, version 0, no settings
    const guid = `{${randomUUID().toUpperCase()}}`;
    gpoDn = `CN=${guid},CN=Policies,CN=System,${m.baseDn}`;
    await admin.add(gpoDn, {
      objectClass: ['top', 'container', 'groupPolicyContainer'],
      displayName: [NAME],
      gPCFileSysPath: [`\\\\${m.dnsDomain}\\SysVol\\${m.dnsDomain}\\Policies\\${guid}`],
      gPCFunctionalityVersion: ['2'],
      versionNumber: ['0'],
      flags: ['0'],
    });
    await admin.add(`CN=Machine,${gpoDn}`, { objectClass: ['top', 'container'] });
    await admin.add(`CN=User,${gpoDn}`, { objectClass: ['top', 'container'] });
    gpoDir = join(sysvol, m.dnsDomain, 'Policies', guid);
    mkdirSync(join(gpoDir, 'Machine'), { recursive: true, mode: 0o700 });
    mkdirSync(join(gpoDir, 'User'), { recursive: true, mode: 0o700 });
    writeFileSync(join(gpoDir, 'GPT.INI'), `[General]\r\nVersion=0\r\ndisplayName=${NAME}\r\n`, { mode: 0o600 });
    // Workstations already links the legacy GPO (kept as is); Kiosks links nothing yet
    targets = [m.ous.workstations!, m.ous.kiosks!];
  });

  afterAll(async () => {
    await admin.close();
    rmSync(gpoDir, { recursive: true, force: true });
    await resetLab();
  });

  it('sets Windows LAPS values in the empty GPO and links it; both halves agree; a rerun writes nothing; rollback restores every byte', async () => {
    const original = await halves();
    expect(original.gpLinks[targets[0]!]![0]).toMatch(/^\[LDAP:\/\/CN=\{[0-9A-F-]+\},CN=Policies/i);

    const p = await plan(lapsEdit());
    expect(p.notes.join('\n')).toMatch(/edited on dc1\.lab\.example\.test \(the PDC emulator, as GPMC does\)/);
    expect(p.notes.join('\n')).toContain(`SYSVOL folder: ${gpoDir}`);
    expect(p.drafts.map((d) => (d.kind === 'modify-attribute' ? d.attribute : d.kind === 'replace-file' ? d.label.split('\\').pop() : d.kind))).toEqual([
      'GPT.INI',
      'Registry.pol',
      'gPCMachineExtensionNames',
      'versionNumber',
      'gPLink',
      'gPLink',
    ]);
    const t0 = performance.now();
    const result = await applyPlan(admin, createPlan('cutover', p.drafts), store);
    console.log(`GPO edit: ${p.drafts.length} changes applied and verified in ${(performance.now() - t0).toFixed(0)} ms`);
    expect(result.exitCode).toBe(0);
    expect(result.counts).toMatchObject({ applied: 6, conflicts: 0, failed: 0 });

    const after = await halves();
    expect(after.versionNumber).toEqual(['1']);
    expect(after.gptIni!.toString('latin1')).toBe(`[General]\r\nVersion=1\r\ndisplayName=${NAME}\r\n`);
    expect(after.extensions).toEqual(['[{35378EAC-683F-11D2-A89A-00C04FBBCFA2}{D02B1F72-3407-48AE-BA88-E8213C6761F1}]']);
    // the other GPO's link on Workstations is untouched, ours comes first (last in link order)
    expect(after.gpLinks[targets[0]!]).toEqual([`[LDAP://${gpoDn};0]${original.gpLinks[targets[0]!]![0]}`]);
    expect(after.gpLinks[targets[1]!]).toEqual([`[LDAP://${gpoDn};0]`]);

    // gpo show: both halves agree, values decoded, two links
    const show = cli(['gpo', 'show', NAME, '--profile', 'lab', '--sysvol', sysvol, '--json']);
    expect(show.code, show.stderr).toBe(0);
    const view = JSON.parse(show.stdout);
    expect(view.versions).toMatchObject({ agree: true, directory: { machine: 1, user: 0 }, sysvol: { value: 1 } });
    expect(view.laps.windowsLaps).toEqual({ BackupDirectory: 2, PasswordAgeDays: 30, ADPasswordEncryptionEnabled: 1, ADPasswordEncryptionPrincipal: 'LAB\\Domain Admins', ADEncryptedPasswordHistorySize: 12 });
    expect(view.links.map((l: { target: string; order: number; enabled: boolean }) => [l.target, l.order, l.enabled]).sort()).toEqual([
      [targets[1], 1, true],
      [targets[0], 2, true],
    ].sort());
    expect(view.findings).toEqual([]);

    // rerun: a fresh plan has nothing to do; the old plan again is all "already done"
    expect((await plan(lapsEdit())).drafts).toEqual([]);
    const mtime = statSync(join(gpoDir, 'Machine', 'Registry.pol')).mtimeMs;
    const again = await applyPlan(admin, createPlan('cutover', p.drafts), store);
    expect(again.counts).toMatchObject({ applied: 0, alreadyDone: 6 });
    expect(statSync(join(gpoDir, 'Machine', 'Registry.pol')).mtimeMs).toBe(mtime);
    expect(await halves()).toEqual(after);

    // the journal holds the file images (the before-image of GPT.INI), is 0600 and has no secret
    const journalText = readFileSync(store.runFile(result.runId), 'utf8');
    expect(journalText).toContain(original.gptIni!.toString('base64'));
    expect(statSync(store.runFile(result.runId)).mode & 0o777).toBe(0o600);

    // rollback through the CLI: every byte of both halves comes back
    const rb = cli(['--state-dir', stateDir, 'rollback', result.runId, '--apply', '--yes', '--profile', 'lab']);
    expect(rb.code, rb.stderr + rb.stdout).toBe(0);
    expect(rb.stdout).toMatch(/6 undone/);
    const restored = await halves();
    expect(restored.registryPol).toBeNull();
    expect(restored.gptIni!.equals(original.gptIni!)).toBe(true);
    expect(restored).toEqual(original);
  });

  it('a GPO edited by someone else between plan and apply is a conflict: exit 5, nothing written', async () => {
    const p = await plan(lapsEdit());
    // someone else edits the GPO in GPMC meanwhile: Registry.pol, GPT.INI and versionNumber change
    const pol = writeRegistryPol(setPolicyValue([], dwordEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 1)));
    writeFileSync(join(gpoDir, 'Machine', 'Registry.pol'), pol);
    writeFileSync(join(gpoDir, 'GPT.INI'), `[General]\r\nVersion=1\r\ndisplayName=${NAME}\r\n`);
    await admin.modify(gpoDn, [{ operation: 'replace', attribute: 'versionNumber', values: ['1'] }]);
    const edited = await halves();

    const result = await applyPlan(admin, createPlan('cutover', p.drafts), store);
    expect(result.exitCode).toBe(5);
    // GPMC's GPT.INI (Version=1) happens to equal ours, so c1 reads as already done (nothing
    // written); Registry.pol is someone else's: the run stops there
    expect(result.stoppedAt).toMatchObject({ changeId: 'c2', state: 'conflict' });
    expect(result.stoppedAt?.message).toMatch(/Registry\.pol was changed since the plan was made/);
    expect(result.counts).toMatchObject({ applied: 0, alreadyDone: 1, conflicts: 1 });
    expect(await halves()).toEqual(edited);
    expect(parseRegistryPol(readFileSync(join(gpoDir, 'Machine', 'Registry.pol')))).toHaveLength(1);

    // an edit of only the directory half (versionNumber) is caught by the first change's guards
    writeFileSync(join(gpoDir, 'GPT.INI'), `[General]\r\nVersion=1\r\ndisplayName=${NAME}\r\n`);
    const p2 = await plan(lapsEdit());
    await admin.modify(gpoDn, [{ operation: 'replace', attribute: 'versionNumber', values: ['65537'] }]);
    const edited2 = await halves();
    const r2 = await applyPlan(admin, createPlan('cutover', p2.drafts), store);
    expect(r2.exitCode).toBe(5);
    expect(r2.stoppedAt?.message).toMatch(/versionNumber .* was changed since the plan was made/);
    expect(await halves()).toEqual(edited2);

    // the halves now disagree: gpo show reports it, and planning refuses to edit (exit 3)
    const show = cli(['gpo', 'show', NAME, '--profile', 'lab', '--sysvol', join(sysvol, lab().dnsDomain, 'Policies')]);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/halves agree\s+NO/);
    expect(show.stdout).toContain('GPO_VERSION_MISMATCH');
    await expect(plan(lapsEdit())).rejects.toMatchObject({ exitCode: 3, reason: 'GPO_VERSION_MISMATCH' });
  });

  it('a plain domain user can read both halves, the links and the PDC emulator', () => {
    const alice = lab().accounts.user!;
    const r = cli(['gpo', 'show', 'LAPS Legacy - Workstations', '--profile', 'lab', '--user', alice.userPrincipalName, '--password-file', alice.passwordFile, '--sysvol', sysvol, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.versions.agree).toBe(true);
    expect(v.laps.legacy).toEqual({ AdmPwdEnabled: 1, PasswordComplexity: 4, PasswordLength: 14, PasswordAgeDays: 30 });
    expect(v.links).toEqual([{ target: lab().ous.workstations, order: 1, enabled: true, enforced: false }]);
    expect(v.dc).toEqual({ bound: lab().dnsHostName, pdc: lab().dnsHostName, boundIsPdc: true });
  });

  it('bad input: a wrong --sysvol and an unknown GPO exit 2 with a message, never a stack trace', () => {
    const r1 = cli(['gpo', 'show', NAME, '--profile', 'lab', '--sysvol', join(testRoot(), 'no-such-folder')]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/--sysvol .*no-such-folder: not a folder/);
    const r2 = cli(['gpo', 'show', '{00000000-0000-0000-0000-000000000000}', '--profile', 'lab']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/no GPO with GUID/);
    expect(r1.stderr + r2.stderr).not.toMatch(/\n\s+at /);
  });
});
