/**
 * planGpoEdit on hand-made snapshots: which changes, in which order, with which before and after
 * states; refusals (no SYSVOL, halves that disagree, secrets); the notes on the DC; and what
 * `gpo show` concludes from a snapshot.
 */
import { describe, expect, it } from 'vitest';
import { buildGpoEditPlan } from '../../../src/gpo/plan-gpo-edit.js';
import { describeGpo } from '../../../src/gpo/describe-gpo.js';
import type { GpoSnapshot } from '../../../src/gpo/read-gpo.js';
import { lapsPolicyEntry, LEGACY_LAPS_KEY, WINDOWS_LAPS_GPO_KEY } from '../../../src/laps/gpo-laps-settings.js';
import { dwordEntry, parseRegistryPol, stringEntry, writeRegistryPol } from '../../../src/laps/registry-pol.js';
import { ADMIN_TEMPLATES_CSE, LEGACY_LAPS_CSE } from '../../../src/laps/gpo-links.js';
import { REGISTRY_TOOL } from '../../../src/laps/gpo-extensions.js';
import { InputError, UserError } from '../../../src/errors.js';
import type { ChangeDraft } from '../../../src/journal/change.js';

const DOMAIN = 'DC=lab,DC=test';
const GUID = '{0AC5CF4F-0000-4000-8000-000000000001}';
const DN = `CN=${GUID},CN=Policies,CN=System,${DOMAIN}`;
const OU = `OU=Pilot,${DOMAIN}`;
const OTHER_LINK = `[LDAP://cn={0AC5CF4F-0000-4000-8000-0000000000FF},cn=policies,cn=system,${DOMAIN};0]`;
const LEGACY_PAIR = `[${LEGACY_LAPS_CSE}${REGISTRY_TOOL}]`;

function legacyPol(): Buffer {
  return writeRegistryPol([dwordEntry(LEGACY_LAPS_KEY, 'AdmPwdEnabled', 1), dwordEntry(LEGACY_LAPS_KEY, 'PasswordLength', 14), dwordEntry('Software\\Other', 'Keep', 7)]);
}

function snapshot(over: Partial<GpoSnapshot['container']> = {}, sysvol: Partial<NonNullable<GpoSnapshot['sysvol']>> | null = {}, boundIsPdc: boolean | undefined = true): GpoSnapshot {
  return {
    domainDn: DOMAIN,
    dnsDomain: 'lab.test',
    container: { dn: DN, guid: GUID, displayName: 'Legacy LAPS', versionNumber: String(0x0002_0005), machineExtensionNames: LEGACY_PAIR, userExtensionNames: undefined, fileSysPath: `\\\\lab.test\\SysVol\\lab.test\\Policies\\${GUID}`, flags: 0, whenChanged: undefined, ...over },
    linkHolders: [{ dn: OU, gpLink: `[LDAP://${DN};0]${OTHER_LINK}`, gpOptions: undefined }],
    dc: { boundServer: 'CN=DC2', boundDnsHostName: 'dc2.lab.test', pdcServer: 'CN=DC1', pdcDnsHostName: 'dc1.lab.test', boundIsPdc },
    sysvol:
      sysvol === null
        ? undefined
        : { policiesDir: '/sysvol/lab.test/Policies', gpoDir: `/sysvol/lab.test/Policies/${GUID}`, gptIniPath: `/p/${GUID}/GPT.INI`, registryPolPath: `/p/${GUID}/Machine/Registry.pol`, gptIni: Buffer.from(`[General]\r\nVersion=${0x0002_0005}\r\n`), registryPol: legacyPol(), ...sysvol },
    sysvolPath: '/sysvol',
  };
}

function names(drafts: ChangeDraft[]): string[] {
  return drafts.map((d) => (d.kind === 'modify-attribute' ? `${d.attribute}@${d.dn.split(',')[0]}` : d.kind === 'replace-file' ? d.label.split('\\').pop()! : d.kind));
}

describe('planGpoEdit', () => {
  it('removing the legacy values: files first (GPT.INI guarded), then extensions and versionNumber; other entries kept', () => {
    const g = snapshot();
    const p = buildGpoEditPlan(g, g.linkHolders, { reason: 'cleanup', remove: [{ key: LEGACY_LAPS_KEY, value: 'AdmPwdEnabled' }, { key: LEGACY_LAPS_KEY, value: 'PasswordLength' }] });
    expect(names(p.drafts)).toEqual(['GPT.INI', 'Registry.pol', `gPCMachineExtensionNames@CN=${GUID}`, `versionNumber@CN=${GUID}`]);
    const [ini, pol, ext, ver] = p.drafts as Array<ChangeDraft & Record<string, unknown>>;
    expect((ini!.after as Buffer).toString()).toBe(`[General]\r\nVersion=${0x0002_0006}\r\n`);
    expect((ini!.guards as unknown[]).length).toBe(3);
    expect(parseRegistryPol(pol!.after as Buffer).map((e) => e.value)).toEqual(['Keep']);
    expect(parseRegistryPol(pol!.after as Buffer)[0]!.raw!.equals(parseRegistryPol(legacyPol())[2]!.raw!)).toBe(true);
    // no AdmPwd value left: the legacy CSE goes; values remain, but this GPO never listed Admin Templates
    expect(ext).toMatchObject({ before: [LEGACY_PAIR], after: [] });
    expect(ver).toMatchObject({ before: [String(0x0002_0005)], after: [String(0x0002_0006)] });
    expect(p.newVersion).toBe(0x0002_0006);
  });

  it('setting Windows LAPS values adds the Administrative Templates pair in GPMC order, and links after the settings', () => {
    const g = snapshot();
    const p = buildGpoEditPlan(g, [...g.linkHolders, { dn: `OU=Wave2,${DOMAIN}`, gpLink: '', gpOptions: undefined }], {
      reason: 'cutover',
      set: [lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 2)],
      links: [
        { target: `ou=wave2,${DOMAIN}`, edit: { action: 'link', enforced: true } },
        { target: OU, edit: { action: 'enforce' } },
      ],
    });
    expect(names(p.drafts)).toEqual(['GPT.INI', 'Registry.pol', `gPCMachineExtensionNames@CN=${GUID}`, `versionNumber@CN=${GUID}`, 'gPLink@OU=Wave2', 'gPLink@OU=Pilot']);
    expect(p.drafts[2]).toMatchObject({ after: [`[${ADMIN_TEMPLATES_CSE}${REGISTRY_TOOL}]${LEGACY_PAIR}`] });
    expect(p.drafts[4]).toMatchObject({ before: [], after: [`[LDAP://${DN};2]`] });
    expect(p.drafts[5]).toMatchObject({ before: [`[LDAP://${DN};0]${OTHER_LINK}`], after: [`[LDAP://${DN};2]${OTHER_LINK}`] });
    expect(p.powershell).toContain("$Server = 'dc1.lab.test'");
    expect(p.powershell).toContain('-ValueName \'BackupDirectory\' -Type DWord -Value 2');
  });

  it('nothing to change gives no change at all (reruns write nothing)', () => {
    const g = snapshot();
    const p = buildGpoEditPlan(g, g.linkHolders, { reason: 'rerun', set: [dwordEntry(LEGACY_LAPS_KEY, 'AdmPwdEnabled', 1)], links: [{ target: OU, edit: { action: 'link' } }] });
    expect(p.drafts).toEqual([]);
    expect(p.newVersion).toBeUndefined();
  });

  it('refuses without SYSVOL, with disagreeing halves, and with a secret; links alone need no SYSVOL', () => {
    const set = [lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 2)];
    expect(() => buildGpoEditPlan(snapshot({}, null), [], { reason: 'x', set })).toThrow(InputError);
    const mismatch = snapshot({}, { gptIni: Buffer.from('[General]\r\nVersion=1\r\n') });
    try {
      buildGpoEditPlan(mismatch, [], { reason: 'x', set });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect(e).toMatchObject({ exitCode: 3, reason: 'GPO_VERSION_MISMATCH' });
    }
    expect(() => buildGpoEditPlan(snapshot(), [], { reason: 'x', set: [stringEntry('Software\\X', 'AdminPassword', 'hunter2')] })).toThrow(/SYSVOL is readable by every computer/);
    const noSysvol = snapshot({}, null);
    expect(names(buildGpoEditPlan(noSysvol, noSysvol.linkHolders, { reason: 'x', links: [{ target: OU, edit: { action: 'unlink' } }] }).drafts)).toEqual(['gPLink@OU=Pilot']);
  });

  it('says which DC is used and warns when it is not the PDC emulator', () => {
    const g = snapshot({}, {}, false);
    const p = buildGpoEditPlan(g, g.linkHolders, { reason: 'x', set: [lapsPolicyEntry(WINDOWS_LAPS_GPO_KEY, 'BackupDirectory', 2)] });
    expect(p.notes[0]).toBe(`GPO Legacy LAPS ${GUID}: edited on dc2.lab.test`);
    expect(p.notes[1]).toMatch(/^WARNING: the bound DC dc2\.lab\.test is not the PDC emulator \(dc1\.lab\.test\)/);
    expect(p.notes).toContain(`SYSVOL folder: /sysvol/lab.test/Policies/${GUID}`);
  });
});

describe('describeGpo', () => {
  it('decodes the settings, the links and agrees when both versions match', () => {
    const v = describeGpo(snapshot());
    expect(v.versions).toMatchObject({ agree: true, directory: { user: 2, machine: 5 }, sysvol: { user: 2, machine: 5 } });
    expect(v.laps?.legacy).toEqual({ AdmPwdEnabled: 1, PasswordLength: 14 });
    expect(v.links).toEqual([{ target: OU, order: 2, enabled: true, enforced: false }]);
    expect(v.findings).toEqual([]);
  });

  it('findings: version mismatch, missing extension, malformed Registry.pol, SYSVOL not read, bound DC not PDC', () => {
    const codes = (g: GpoSnapshot) => describeGpo(g).findings.map((f) => f.code);
    expect(codes(snapshot({}, { gptIni: Buffer.from('[General]\r\nVersion=7\r\n') }))).toEqual(['GPO_VERSION_MISMATCH']);
    expect(codes(snapshot({ machineExtensionNames: undefined }))).toEqual(['GPO_EXTENSION_MISSING', 'GPO_EXTENSION_MISSING']);
    const bad = describeGpo(snapshot({}, { registryPol: Buffer.from('PReg\x01\0\0\0[') }));
    expect(bad.findings[0]).toMatchObject({ code: 'REGISTRY_POL_MALFORMED' });
    expect(bad.findings[0]!.evidence).toMatch(/at byte 8$/);
    expect(codes(snapshot({}, null))).toEqual(['GPO_SYSVOL_NOT_READ']);
    expect(codes(snapshot({}, {}, false))).toEqual(['GPO_BOUND_DC_NOT_PDC']);
    expect(codes(snapshot({}, { gpoDir: undefined }))).toEqual(['GPO_SYSVOL_MISSING']);
  });
});
