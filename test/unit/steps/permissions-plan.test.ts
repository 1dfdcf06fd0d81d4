import { describe, expect, it } from 'vitest';
import { accountCapabilities, type LapsGuids } from '../../../src/steps/permissions-analysis.js';
import { allExtendedRightsAce, applyEdit, legacySelfAces, mirrorAce, windowsSelfAces, type DescriptorEdit } from '../../../src/steps/permissions-plan.js';
import { AceFlag, AceType, aceToSddl, Guids, parseSddl, parseSecurityDescriptor, prospectiveChildSd, SdControl, WellKnownSids, type SecurityDescriptor } from '../../../src/security/index.js';
import { dnKey } from '../../../src/directory/dn.js';
import type { ReplaceDaclChange } from '../../../src/journal/index.js';
import { labFacts, ReplayDirectory, runRecorded } from './replay-directory.js';

const { lab } = labFacts();
const ous = lab.ous;
const explicitSddl = (sd: SecurityDescriptor) => (sd.dacl?.aces ?? []).filter((a) => !(a.flags & AceFlag.INHERITED)).map((a) => aceToSddl(a, { domainSid: lab.domainSid }));
const change = (changes: ReplaceDaclChange[], key: string) => changes.find((c) => dnKey(c.dn) === dnKey(ous[key] ?? key))!;

/** The OUs' descriptors as the audit read them from a recording (SD flags 5). */
async function recordedOus(file: 'before-admin.json' | 'after-admin.json'): Promise<Map<string, SecurityDescriptor>> {
  const dir = new ReplayDirectory(file);
  const entries = await dir.searchAll({ base: lab.baseDn, filter: '(objectClass=organizationalUnit)', attributes: ['nTSecurityDescriptor', 'objectClass'], binaryAttributes: ['nTSecurityDescriptor'], sdFlags: 5 });
  return new Map(entries.map((e) => [dnKey(e.dn), parseSecurityDescriptor(e.attributes['ntsecuritydescriptor']![0] as Buffer)]));
}

describe('the default plan on the recorded lab', async () => {
  const before = await runRecorded('before-admin.json', false);
  const plan = before.result.data.plan;
  const changes = before.plan.changes as ReplaceDaclChange[];
  const g: LapsGuids = {
    computerClass: Guids.COMPUTER_CLASS,
    propertySet: before.result.data.schema.propertySet!,
    attributes: Object.fromEntries(Object.entries(before.result.data.schema.attributes).map(([k, v]) => [k, { name: v!.name, guid: v!.schemaIdGuid }])),
  };

  it('grants SELF from the top; OUs below inherit it unless protected; DCs are left alone', () => {
    const action = Object.fromEntries(plan.self.map((r) => [r.container, r.action === 'grant' ? `grant ${r.grants.join('+')}` : r.action]));
    expect(action).toEqual({
      'Domain Controllers': 'skipped-dcs',
      Kiosks: 'grant windows',
      Servers: 'grant windows',
      Workstations: 'grant windows',
      'Servers/Web': 'inherits-planned-grant',
      'Workstations/Finance': 'inherits-planned-grant',
      'Workstations/Sales': 'inherits-planned-grant',
      'Workstations/Protected': 'grant windows+legacy',
    });
    for (const r of plan.self.filter((x) => x.container !== 'Domain Controllers')) expect([r.container, r.windowsAfter, r.readEncryptedAfter]).toEqual([r.container, true, true]);
  });

  it('mirrors read, reset and deny delegations on the OU where they are', () => {
    const rows = plan.mirror.map((m) => [m.container, m.sid, m.kinds.join('/'), m.status]);
    expect(rows.sort()).toEqual(
      [
        ['Servers', lab.groups.serverteam!.sid, 'read', 'add'],
        ['Workstations', lab.groups.helpdesk!.sid, 'read/reset', 'add'],
        ['Workstations/Finance', lab.accounts.helpdesk!.sid, 'deny', 'add'],
      ].sort(),
    );
    const deny = plan.mirror.find((m) => m.kinds.includes('deny'))!;
    expect(deny.windowsAces).toEqual([
      `(OD;CIIO;CR;${g.attributes.password!.guid};${Guids.COMPUTER_CLASS};${lab.accounts.helpdesk!.sid})`,
      `(OD;CIIO;CR;${Guids.LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES};${Guids.COMPUTER_CLASS};${lab.accounts.helpdesk!.sid})`,
    ]);
  });

  it('one journaled DACL change per OU, read and written with SD flags 4', () => {
    expect(changes.map((c) => dnKey(c.dn)).sort()).toEqual(['kiosks', 'servers', 'workstations', 'protected', 'finance'].map((k) => dnKey(ous[k]!)).sort());
    for (const c of changes) {
      expect(c.kind).toBe('replace-dacl');
      expect(c.sdFlags).toBe(4);
      expect(c.irreversible).toBe(false);
      const b = parseSecurityDescriptor(c.before);
      expect(b.owner).toBeUndefined();
    }
    expect(change(changes, 'finance').reason).toMatch(/mirror the legacy deny delegation/);
    expect(change(changes, 'workstations').reason).toMatch(/Set-LapsADComputerSelfPermission.*mirror the legacy read\/reset/);
  });

  it('the planned DACLs are what Samba stored when the plan was applied (explicit ACEs, in order)', async () => {
    const stored = await recordedOus('after-admin.json');
    for (const c of changes) {
      const planned = parseSecurityDescriptor(c.after);
      const real = stored.get(dnKey(c.dn))!;
      expect(explicitSddl(planned), c.dn).toEqual(explicitSddl(real));
      expect(planned.control & SdControl.DACL_PROTECTED).toBe(real.control & SdControl.DACL_PROTECTED);
    }
  });

  it('deny ACEs go before the allows (canonical order)', () => {
    const fin = explicitSddl(parseSecurityDescriptor(change(changes, 'finance').after));
    const lastDeny = fin.map((a) => a.startsWith('OD') || a.startsWith('D;')).lastIndexOf(true);
    const firstAllow = fin.findIndex((a) => a.startsWith('OA') || a.startsWith('A;'));
    expect(lastDeny).toBeLessThan(firstAllow);
  });

  it('an edit applied twice changes nothing the second time', () => {
    for (const c of changes) {
      const after = parseSecurityDescriptor(c.after);
      const edit: DescriptorEdit = { dn: c.dn, sdFlags: 4, reasons: [], add: explicitAdded(parseSecurityDescriptor(c.before), after), remove: [], replace: [] };
      expect(edit.add.length).toBeGreaterThan(0);
      expect(applyEdit(after, edit, { tierOf: () => 'delegated' })).toBeUndefined();
    }
  });

  it('the SELF ACEs are the ones LAB-NOTES verified on Samba', () => {
    const w = windowsSelfAces(g).map((a) => aceToSddl(a));
    const C = Guids.COMPUTER_CLASS;
    const PS = Guids.LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES;
    expect(w).toEqual([`OA;CIIO;RPWP;${PS};${C};PS`, `OA;CIIO;CR;${PS};${C};PS`, `OA;CIIO;WP;${g.attributes.password!.guid};${C};PS`, `OA;CIIO;RPWP;${g.attributes.expiration!.guid};${C};PS`]);
    expect(legacySelfAces(g).map((a) => aceToSddl(a))).toEqual([`OA;CIIO;WP;${g.attributes.legacyPassword!.guid};${C};PS`, `OA;CIIO;RPWP;${g.attributes.legacyExpiration!.guid};${C};PS`]);
  });

  it('mirrors only explicit legacy ACEs that are not SELF', () => {
    const pwd = g.attributes.legacyPassword!.guid;
    const x = `${lab.domainSid}-5001`;
    const ace = (s: string) => parseSddl(`D:${s}`, { domainSid: lab.domainSid }).dacl!.aces[0]!;
    expect(mirrorAce(ace(`(OA;CIIO;RPCR;${pwd};${Guids.COMPUTER_CLASS};${x})`), g)).toHaveLength(2);
    expect(mirrorAce(ace(`(OA;CIIOID;RPCR;${pwd};${Guids.COMPUTER_CLASS};${x})`), g)).toHaveLength(0);
    expect(mirrorAce(ace(`(OA;CIIO;WP;${pwd};${Guids.COMPUTER_CLASS};PS)`), g)).toHaveLength(0);
    expect(mirrorAce(ace(`(OA;CIIO;RPCR;${Guids.USER_CLASS};;${x})`), g)).toHaveLength(0);
    expect(mirrorAce(ace(`(OA;CIIO;CR;;${Guids.COMPUTER_CLASS};${x})`), g)).toHaveLength(0);
  });
});

describe('--ou and the switches', async () => {
  it('--ou limits the changes to that subtree', async () => {
    const r = await runRecorded('before-admin.json', false, { scope: [ous.servers!] });
    expect(r.plan.changes.map((c) => c.dn)).toEqual([ous.servers]);
    const action = Object.fromEntries(r.result.data.plan.self.map((x) => [x.container, x.action]));
    expect(action).toMatchObject({ Servers: 'grant', 'Servers/Web': 'inherits-planned-grant', Workstations: 'out-of-scope', Kiosks: 'out-of-scope' });
    expect(r.result.data.plan.mirror.map((m) => m.container)).toEqual(['Servers']);
  });

  it('--no-self --no-legacy-self: only the mirrored delegations', async () => {
    const r = await runRecorded('before-admin.json', false, { plan: { self: false, legacySelf: false } });
    expect(r.plan.changes.map((c) => dnKey(c.dn)).sort()).toEqual(['servers', 'workstations', 'finance'].map((k) => dnKey(ous[k]!)).sort());
    expect(r.plan.changes.every((c) => /mirror/.test(c.reason) && !/SELF/.test(c.reason))).toBe(true);
    expect(r.result.data.plan.self.find((x) => x.container === 'Kiosks')!.action).toBe('not-requested');
  });

  it('--no-mirror: only SELF', async () => {
    const r = await runRecorded('before-admin.json', false, { plan: { mirror: false } });
    expect(r.result.data.plan.mirror).toHaveLength(0);
    expect(r.plan.changes.map((c) => dnKey(c.dn)).sort()).toEqual(['kiosks', 'servers', 'workstations', 'protected'].map((k) => dnKey(ous[k]!)).sort());
  });
});

describe('opt-in remediation', async () => {
  const r = await runRecorded('before-admin.json', true, { accounts: [], plan: { removeAllExtendedRights: true, fixOwners: true } });
  const changes = r.plan.changes as ReplaceDaclChange[];
  const joinerDn = lab.computers.find((c) => c.seed.joinedBy === 'joiner')!.dn;
  const g: LapsGuids = {
    computerClass: Guids.COMPUTER_CLASS,
    propertySet: r.result.data.schema.propertySet!,
    attributes: Object.fromEntries(Object.entries(r.result.data.schema.attributes).map(([k, v]) => [k, { name: v!.name, guid: v!.schemaIdGuid }])),
  };

  it('removes the All Extended Rights ACE of Web Operators from OU=Web', () => {
    const web = change(changes, 'web');
    expect(web.reason).toMatch(/All Extended Rights of LAB\\Web Operators/);
    const after = parseSecurityDescriptor(web.after);
    expect(after.dacl!.aces.some((a) => a.sid === lab.groups.webops!.sid)).toBe(false);
    const child = prospectiveChildSd(after.dacl, { classGuids: [Guids.COMPUTER_CLASS] });
    expect(accountCapabilities(child, g, { label: 'wo', sid: lab.groups.webops!.sid, groups: [] }).readLegacy).toBe(false);
    expect(r.result.data.plan.remediation.find((x) => x.kind === 'all-extended-rights')).toMatchObject({ object: 'Servers/Web', sid: lab.groups.webops!.sid });
  });

  it('makes Domain Admins the owner of the joiner-owned computer and drops its creator ACEs', () => {
    const c = changes.find((x) => x.dn === joinerDn)!;
    expect(c.sdFlags).toBe(5);
    const before = parseSecurityDescriptor(c.before);
    const after = parseSecurityDescriptor(c.after);
    const joiner = lab.accounts.joiner!.sid;
    expect(before.owner).toBe(joiner);
    expect(after.owner).toBe(`${lab.domainSid}-512`);
    expect(before.dacl!.aces.some((a) => a.sid === joiner && !(a.flags & AceFlag.INHERITED))).toBe(true);
    expect(after.dacl!.aces.some((a) => a.sid === joiner && !(a.flags & AceFlag.INHERITED))).toBe(false);
    const token = { label: 'joiner-jo', sid: joiner, groups: [`${lab.domainSid}-513`] };
    expect(accountCapabilities(before, g, token).readLegacy).toBe(true);
    expect(accountCapabilities(after, g, token).readLegacy).toBe(false);
    // the inherited ACEs (delegations from the OU) are untouched
    expect(after.dacl!.aces.filter((a) => a.flags & AceFlag.INHERITED)).toEqual(before.dacl!.aces.filter((a) => a.flags & AceFlag.INHERITED));
  });

  it('recognises All Extended Rights ACEs that reach computers only', () => {
    const ace = (s: string) => parseSddl(`D:${s}`, { domainSid: lab.domainSid }).dacl!.aces[0]!;
    expect(allExtendedRightsAce(ace(`(OA;CIIO;CR;;${Guids.COMPUTER_CLASS};WD)`), Guids.COMPUTER_CLASS)).toBe(true);
    expect(allExtendedRightsAce(ace('(A;CI;RPCR;;;WD)'), Guids.COMPUTER_CLASS)).toBe(true);
    expect(allExtendedRightsAce(ace('(A;;CR;;;WD)'), Guids.COMPUTER_CLASS)).toBe(false);
    expect(allExtendedRightsAce(ace(`(OA;CIIO;CR;;${Guids.USER_CLASS};WD)`), Guids.COMPUTER_CLASS)).toBe(false);
    expect(allExtendedRightsAce(ace('(A;CI;GA;;;WD)'), Guids.COMPUTER_CLASS)).toBe(false);
    expect(allExtendedRightsAce({ ...ace('(A;CI;CR;;;WD)'), type: AceType.ACCESS_DENIED }, Guids.COMPUTER_CLASS)).toBe(false);
  });

  it('an owner that is already an admin is left alone', () => {
    const sd = parseSddl(`O:DAD:(A;;RPCRLCLORCSDDT;;;DA)`, { domainSid: lab.domainSid });
    const edit: DescriptorEdit = { dn: 'x', sdFlags: 5, reasons: [], add: [], remove: [], replace: [], newOwner: `${lab.domainSid}-512` };
    expect(applyEdit(sd, edit, { tierOf: () => 'admin' })).toBeUndefined();
    const sd2 = parseSddl(`O:${WellKnownSids.AUTHENTICATED_USERS}D:(A;;RPCRLCLORCSDDT;;;AU)`, { domainSid: lab.domainSid });
    const classDefaultSd = parseSddl('D:(A;;RPCRLCLORCSDDT;;;CO)');
    const out = applyEdit(sd2, edit, { tierOf: () => 'broad', classDefaultSd })!;
    expect(out.owner).toBe(`${lab.domainSid}-512`);
    expect(out.dacl!.aces).toHaveLength(0);
  });
});

/** Explicit ACEs of `after` that `before` does not have. */
function explicitAdded(before: SecurityDescriptor, after: SecurityDescriptor) {
  const had = new Set(explicitSddl(before));
  return (after.dacl?.aces ?? []).filter((a) => !(a.flags & AceFlag.INHERITED) && !had.has(aceToSddl(a, { domainSid: lab.domainSid })));
}
