/** Other Windows LAPS GPOs reaching a wave: link order, enforcement, blocked inheritance, differing values. */
import { describe, expect, it } from 'vitest';
import { parseGpLink, type ScopeOfManagement } from '../../../../src/laps/gpo-links.js';
import { chainOf, differingValues, lapsGposReaching, type ReachGpo } from '../../../../src/steps/cutover/gpo-reach.js';

const D = 'DC=lab,DC=example,DC=test';
const WS = `OU=Workstations,${D}`;
const PILOT = `OU=Pilot,${WS}`;
const link = (guid: string, opt = 0) => `[LDAP://cn=${guid},cn=policies,cn=system,${D};${opt}]`;
const WAVE = '{AAAAAAAA-0000-0000-0000-000000000001}';
const OLD = '{BBBBBBBB-0000-0000-0000-000000000002}';
const SAME = '{CCCCCCCC-0000-0000-0000-000000000003}';
const LEGACY = '{DDDDDDDD-0000-0000-0000-000000000004}';

function soms(o: { head?: string; ws?: string; pilot?: string; pilotBlocks?: boolean }): Map<string, ScopeOfManagement> {
  const m = new Map<string, ScopeOfManagement>();
  m.set(D.toLowerCase(), { dn: D, links: parseGpLink(o.head), blocksInheritance: false });
  m.set(WS.toLowerCase(), { dn: WS, links: parseGpLink(o.ws), blocksInheritance: false });
  m.set(PILOT.toLowerCase(), { dn: PILOT, links: parseGpLink(o.pilot), blocksInheritance: !!o.pilotBlocks });
  return m;
}

const gpos: Record<string, ReachGpo> = {
  [OLD]: { name: 'Old Windows LAPS', computerSettingsDisabled: false, windowsLaps: { BackupDirectory: 2, PasswordLength: 20 } },
  [SAME]: { name: 'Same values', computerSettingsDisabled: false, windowsLaps: { BackupDirectory: 2, PasswordLength: 14 } },
  [LEGACY]: { name: 'Legacy only', computerSettingsDisabled: false, windowsLaps: {} },
};
const wanted = { BackupDirectory: 2, PasswordLength: 14, ADPasswordEncryptionPrincipal: 'LAB\\LAPS Admins' };
const computers = [`CN=PLT-WS01,${PILOT}`, `CN=PLT-WS02,${PILOT}`];
const reach = (s: Map<string, ScopeOfManagement>, extra: Record<string, ReachGpo> = {}) =>
  lapsGposReaching({ computers, soms: s, domainDn: D, waveGpo: WAVE, gpo: (g) => extra[g] ?? gpos[g], wanted });

describe('lapsGposReaching', () => {
  it('a GPO linked above the pilot OU with another PasswordLength is reported with where it is linked and the value', () => {
    const r = reach(soms({ ws: link(OLD) + link(LEGACY), pilot: link(WAVE) }));
    expect(r.others).toEqual([{ name: 'Old Windows LAPS', guid: OLD, differs: ['PasswordLength=20 (playbook: 14)'], computers: 2, linkedAt: [WS] }]);
  });

  it('the same values are reported with no difference; legacy-only GPOs and the wave\'s own GPO are not', () => {
    const r = reach(soms({ head: link(SAME), ws: link(LEGACY), pilot: link(WAVE) }));
    expect(r.others).toEqual([{ name: 'Same values', guid: SAME, differs: [], computers: 2, linkedAt: [D] }]);
  });

  it('blocked inheritance on the pilot OU keeps a GPO above out, unless its link is enforced; disabled links reach nobody', () => {
    expect(reach(soms({ ws: link(OLD), pilotBlocks: true })).others).toEqual([]);
    expect(reach(soms({ ws: link(OLD, 2), pilotBlocks: true })).others.map((o) => o.guid)).toEqual([OLD]);
    expect(reach(soms({ ws: link(OLD, 1) })).others).toEqual([]);
  });

  it('a GPO with computer settings disabled contributes nothing; an unreadable one is listed as unknown', () => {
    expect(reach(soms({ ws: link(OLD) }), { [OLD]: { ...gpos[OLD]!, computerSettingsDisabled: true } }).others).toEqual([]);
    const r = reach(soms({ ws: link(OLD) }), { [OLD]: { name: 'Old Windows LAPS', computerSettingsDisabled: false, windowsLaps: undefined, unread: 'no SYSVOL given' } });
    expect(r).toEqual({ others: [], legacy: [], unread: [`Old Windows LAPS ${OLD}: no SYSVOL given`] });
  });
});

describe('legacy GPOs reaching the wave', () => {
  it('are listed with AdmPwdEnabled and AdminAccountName (not set = the built-in Administrator)', () => {
    const extra = { [LEGACY]: { name: 'Legacy only', computerSettingsDisabled: false, windowsLaps: {}, legacy: { AdmPwdEnabled: 1, PasswordLength: 14 } } };
    expect(reach(soms({ ws: link(LEGACY) }), extra).legacy).toEqual([{ name: 'Legacy only', guid: LEGACY, enabled: true, adminAccountName: '', computers: 2, linkedAt: [WS] }]);
  });
});

describe('differingValues and chainOf', () => {
  it('a value the playbook leaves unset differs; names compare case-insensitively, strings too', () => {
    expect(differingValues({ administratoraccountname: 'lapsadmin', passwordlength: 14 }, wanted)).toEqual(['administratoraccountname="lapsadmin" (playbook: not set)']);
    expect(differingValues({ ADPasswordEncryptionPrincipal: 'lab\\laps admins' }, wanted)).toEqual([]);
  });

  it('the chain runs from the domain head down to the computer\'s own OU', () => {
    expect(chainOf(`CN=X,${PILOT}`, D, soms({})).map((s) => s.dn)).toEqual([D, WS, PILOT]);
  });
});
