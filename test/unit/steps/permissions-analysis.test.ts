import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  accountCapabilities,
  CAPABILITIES,
  dirSyncHolders,
  evaluateDescriptor,
  PermissionsAnalysis,
  PrincipalTable,
  type Capability,
  type LapsGuids,
  type Principal,
} from '../../../src/steps/permissions-analysis.js';
import { encryptedTarget } from '../../../src/steps/permissions.js';
import { buildEncryptedPasswordValue } from '../../../src/laps/encrypted-password-value.js';
import { Guids, parseSddl, parseSecurityDescriptor, serializeSecurityDescriptor, WellKnownSids, type SecurityDescriptor } from '../../../src/security/index.js';
import { dnKey } from '../../../src/directory/dn.js';
import { labFacts, ReplayDirectory, runRecorded, FIXTURES } from './replay-directory.js';

const { lab } = labFacts();
const acct = (key: string) => lab.accounts[key]!;
const ous = lab.ous;

/** What the seeded estate (src/lab/estate.ts, seed.ts) means for each account, by the computer's OU. */
const LEGACY_READ: Record<string, (c: (typeof lab.computers)[number]) => boolean> = {
  alice: () => false,
  'hd-erin': (c) => ['workstations', 'finance', 'sales'].includes(c.ou),
  // denied on Finance, and nothing reaches the protected OU
  'hd-bob': (c) => ['workstations', 'sales'].includes(c.ou),
  'srv-carol': (c) => ['servers', 'web'].includes(c.ou),
  // All Extended Rights on OU=Web (+ RP from Authenticated Users)
  'web-dave': (c) => c.ou === 'web',
  // creator and owner of WS-JOINED01 (CREATOR OWNER ACE of the computer class)
  'joiner-jo': (c) => c.seed.joinedBy === 'joiner',
};
const LEGACY_RESET: Record<string, (c: (typeof lab.computers)[number]) => boolean> = {
  alice: () => false,
  'hd-erin': (c) => ['workstations', 'finance', 'sales'].includes(c.ou),
  'hd-bob': (c) => ['workstations', 'finance', 'sales'].includes(c.ou),
  'srv-carol': () => false,
  'web-dave': () => false,
  'joiner-jo': () => false,
};

describe('permissions audit on descriptors recorded from the lab (before apply)', async () => {
  const before = await runRecorded('before-admin.json', true);
  const r = before.result;
  const container = (key: string) => r.data.containers.find((c) => dnKey(c.dn) === dnKey(ous[key]!))!;
  const codes = (code: string) => r.findings.filter((f) => f.code === code);

  it('reads the LAPS GUIDs from the schema at run time', () => {
    const a = r.data.schema.attributes;
    expect(r.data.schema.legacy && r.data.schema.windows).toBe(true);
    expect(r.data.schema.propertySet).toBe(Guids.LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES);
    expect(a.encryptedPassword?.propertySet).toBe(Guids.LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES);
    // legacy GUIDs are random per forest: they are the ones the seeded delegations name
    const wsSddl = r.data.plan.mirror.find((m) => m.dn === ous.workstations)!.legacyAces.join('');
    expect(wsSddl).toContain(a.legacyPassword!.schemaIdGuid);
    expect(wsSddl).toContain(a.legacyExpiration!.schemaIdGuid);
  });

  it('finds every container holding computers, CN=Computers-like containers included when present', () => {
    const paths = r.data.containers.map((c) => c.path).sort();
    expect(paths).toEqual(['Domain Controllers', 'Kiosks', 'Servers', 'Servers/Web', 'Workstations', 'Workstations/Finance', 'Workstations/Protected', 'Workstations/Sales']);
    expect(r.data.summary.computers).toBe(lab.computers.length + 1); // + the DC
  });

  it('explicit delegation, inherited from where it was delegated', () => {
    const fin = container('finance');
    const hd = fin.holders.readLegacy.find((h) => h.sid === lab.groups.helpdesk!.sid)!;
    expect(hd).toMatchObject({ route: 'delegation', origin: 'inherited', definedAt: 'Workstations', direct: true });
    expect(container('web').holders.readLegacy.find((h) => h.sid === lab.groups.serverteam!.sid)).toMatchObject({ route: 'delegation', definedAt: 'Servers' });
  });

  it('a deny ACE takes the read away from one member of the delegated group', () => {
    const fin = container('finance');
    const bob = acct('helpdesk').sid;
    expect(fin.denied.readLegacy.map((h) => h.sid)).toEqual([bob]);
    expect(fin.holders.readLegacy.some((h) => h.sid === bob)).toBe(false);
    // the group still resets there, and so does he (through the group: not a delegation of his own)
    expect(fin.holders.resetLegacy.find((h) => h.sid === bob)).toMatchObject({ direct: false, route: 'delegation' });
    expect(codes('LAPS_DENY_ACE')).toHaveLength(1);
    expect(codes('LEGACY_RESET_DELEGATION').map((f) => f.evidence)).toEqual([`SID ${lab.groups.helpdesk!.sid}`]);
  });

  it('All Extended Rights on a nested OU', () => {
    const web = container('web');
    const wo = web.holders.readLegacy.find((h) => h.sid === lab.groups.webops!.sid)!;
    expect(wo).toMatchObject({ route: 'all-extended-rights', definedAt: 'Servers/Web', tier: 'delegated' });
    // it reads the Windows LAPS attributes too: CONTROL_ACCESS on everything
    expect(web.holders.readWindowsClear.map((h) => h.sid)).toContain(lab.groups.webops!.sid);
    expect(web.holders.readWindowsEncrypted.map((h) => h.sid)).toContain(lab.groups.webops!.sid);
    const f = codes('ALL_EXTENDED_RIGHTS');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'warning', object: 'Servers/Web', count: 2 });
    expect(container('servers').holders.readLegacy.some((h) => h.sid === lab.groups.webops!.sid)).toBe(false);
  });

  it('a protected OU gets nothing from above', () => {
    const p = container('protected');
    expect(p.protected).toBe(true);
    expect(p.holders.readLegacy.some((h) => h.sid === lab.groups.helpdesk!.sid)).toBe(false);
    expect(p.self.legacy).toBe(false);
    expect(codes('DACL_PROTECTED').map((f) => f.object)).toEqual([ous.protected]);
    expect(codes('SELF_WRITE_MISSING_LEGACY').map((f) => f.object)).toEqual([ous.protected]);
  });

  it('a joiner-owned computer: owner SID and mS-DS-CreatorSID', () => {
    const joined = r.data.computers.find((c) => c.name === 'WS-JOINED01')!;
    // mS-DS-CreatorSID stays empty: Windows sets it only for joins under the machine account quota, and
    // joiner-jo holds a delegated Create Computer right; the owner SID is what tells
    expect(joined).toMatchObject({ source: 'computer', owner: acct('joiner').sid, creator: null, ownerTier: 'delegated' });
    expect(joined.nonAdmin.readLegacy).toContain(joined.ownerName);
    const others = r.data.computers.filter((c) => c.name !== 'WS-JOINED01' && !c.domainController);
    expect(new Set(others.map((c) => c.owner))).toEqual(new Set([`${lab.domainSid}-512`]));
    const f = codes('OWNER_CAN_READ');
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toContain('WS-JOINED01');
  });

  it('SELF: the legacy permission where it was delegated, the Windows LAPS one nowhere', () => {
    const missing = codes('SELF_WRITE_MISSING_WINDOWS_LAPS').map((f) => f.object).sort();
    const expected = ['workstations', 'finance', 'sales', 'protected', 'servers', 'web', 'kiosks'].map((k) => ous[k]!).sort();
    expect(missing).toEqual(expected);
    expect(codes('SELF_WRITE_MISSING_WINDOWS_LAPS').every((f) => f.severity === 'blocker')).toBe(true);
    for (const k of ['workstations', 'finance', 'sales', 'servers', 'web']) expect(container(k).self.legacy, k).toBe(true);
    for (const c of r.data.computers.filter((x) => !x.domainController)) expect(c.self.windows, c.name).toBe(false);
    // per-computer: the computers' own descriptors agree with their OUs
    expect(container('kiosks').computersMissingSelf).toEqual({ legacy: 0, windows: 3, readEncrypted: 3 });
  });

  it('delegation gaps between the families', () => {
    const gaps = codes('READ_GAP_LEGACY_ONLY').map((f) => f.evidence).sort();
    expect(gaps).toEqual([`SID ${lab.groups.helpdesk!.sid}`, `SID ${lab.groups.serverteam!.sid}`].sort());
    // hd-bob's reset gap is the group's: reported once, for the group
    expect(codes('RESET_GAP_LEGACY_ONLY').map((f) => f.evidence)).toEqual([`SID ${lab.groups.helpdesk!.sid}`]);
    expect(codes('READ_GAP_WINDOWS_ONLY')).toHaveLength(0);
  });

  it('encrypted values protected for a SID nobody delegated can read', () => {
    const ws = container('workstations');
    expect(ws.encryptedFor).toHaveLength(1);
    const target = ws.encryptedFor[0]!.sid;
    expect(target).toMatch(/^S-1-5-21-/);
    expect(codes('ENCRYPTION_PRINCIPAL_CANNOT_READ').map((f) => f.object).sort()).toEqual([ous.workstations, ous.sales].sort());
  });

  it('predicts, account by account, what the seeded estate means', () => {
    const rows = new Map(r.data.predictions.map((p) => [p.account, new Map(p.computers.map((c) => [c.name, c]))]));
    expect([...rows.keys()].sort()).toEqual(Object.keys(LEGACY_READ).sort());
    for (const [account, expectRead] of Object.entries(LEGACY_READ)) {
      for (const c of lab.computers) {
        const p = rows.get(account)!.get(c.name)!;
        expect(p.source).toBe('computer');
        expect(p.readLegacy, `${account} read ${c.name}`).toBe(expectRead(c));
        expect(p.resetLegacy, `${account} reset ${c.name}`).toBe(LEGACY_RESET[account]!(c));
        // before mirroring only All Extended Rights and the creator's rights reach the new attributes
        const windows = account === 'web-dave' ? c.ou === 'web' : account === 'joiner-jo' ? c.seed.joinedBy === 'joiner' : false;
        expect(p.readWindowsClear, `${account} read msLAPS-Password on ${c.name}`).toBe(windows);
        expect(p.readWindowsEncrypted, `${account} read encrypted on ${c.name}`).toBe(windows);
        expect(p.resetWindows).toBe(false);
      }
    }
  });

  it('DirSync: only admins and DCs hold the replication rights in the lab', () => {
    expect(codes('DIRSYNC_READER')).toHaveLength(0);
    expect(r.data.dirSync.map((d) => d.name)).toContain('BUILTIN\\Administrators');
    expect(r.data.dirSync.every((d) => d.tier === 'admin')).toBe(true);
  });
});

describe('a plain domain account sees the same descriptors', async () => {
  const admin = await runRecorded('before-admin.json', false);
  const user = await runRecorded('before-user.json', false);

  it('same containers, holders, SELF coverage and plan', () => {
    const strip = (x: typeof admin.result) => x.data.containers.map((c) => ({ ...c, encryptedFor: [] }));
    expect(strip(user.result)).toEqual(strip(admin.result));
    expect(user.plan.changes.map((c) => c.dn)).toEqual(admin.plan.changes.map((c) => c.dn));
    expect(user.result.findings.map((f) => f.code)).toContain('SELF_WRITE_MISSING_WINDOWS_LAPS');
  });

  it('says when encrypted values cannot be inspected', () => {
    expect(user.result.findings.map((f) => f.code)).toContain('ENCRYPTED_VALUES_NOT_READABLE');
    expect(admin.result.findings.map((f) => f.code)).not.toContain('ENCRYPTED_VALUES_NOT_READABLE');
    expect(user.result.data.computers.every((c) => c.encryptedFor === null)).toBe(true);
  });

  it('without --per-computer, owners are still read (SD flags 1) and joiner-owned computers found', () => {
    const c = admin.result.data.computers.find((x) => x.name === 'WS-JOINED01')!;
    expect(c).toMatchObject({ source: 'container', owner: acct('joiner').sid, ownerTier: 'delegated' });
    const f = admin.result.findings.filter((x) => x.code === 'OWNER_CAN_READ');
    expect(f).toHaveLength(1);
    expect(f[0]!.evidence).toContain('run with --per-computer');
    expect(user.result.findings.filter((x) => x.code === 'OWNER_CAN_READ')).toHaveLength(1);
  });
});

describe('after the plan was applied on the lab (descriptors as Samba stored them)', async () => {
  const after = await runRecorded('after-admin.json', true);
  const r = after.result;
  const codes = new Set(r.findings.map((f) => f.code));

  it('a new plan has nothing to change', () => {
    expect(after.plan.changes).toHaveLength(0);
    expect(r.data.plan.mirror.every((m) => m.status === 'present')).toBe(true);
  });

  it('every computer may write its Windows LAPS attributes and read its own encrypted password', () => {
    for (const c of ['SELF_WRITE_MISSING_WINDOWS_LAPS', 'SELF_WRITE_MISSING_LEGACY', 'SELF_READ_ENCRYPTED_MISSING', 'READ_GAP_LEGACY_ONLY', 'RESET_GAP_LEGACY_ONLY', 'READ_GAP_WINDOWS_ONLY']) expect(codes.has(c), c).toBe(false);
    for (const c of r.data.computers.filter((x) => !x.domainController)) expect(c.self, c.name).toEqual({ legacy: c.legacyManaged || c.self.legacy, windows: true, readEncrypted: true });
  });

  it('every account reads and resets both families alike (deny mirrored too)', () => {
    for (const p of r.data.predictions) {
      for (const c of p.computers) {
        if (c.name === 'DC1') continue;
        expect(c.readWindowsClear, `${p.account} ${c.name}`).toBe(c.readLegacy);
        expect(c.readWindowsEncrypted, `${p.account} ${c.name}`).toBe(c.readLegacy);
        expect(c.resetWindows, `${p.account} ${c.name}`).toBe(c.resetLegacy);
        const computer = lab.computers.find((x) => x.name === c.name)!;
        expect(c.readLegacy, `${p.account} ${c.name}`).toBe(LEGACY_READ[p.account]!(computer));
      }
    }
  });

  it('helpdesk now reads blobs it cannot decrypt (they are encrypted to another SID)', () => {
    const f = r.findings.filter((x) => x.code === 'ENCRYPTED_READ_USELESS');
    expect(f.map((x) => x.evidence?.split(';')[0])).toEqual([`SID ${lab.groups.helpdesk!.sid}`, `SID ${lab.groups.helpdesk!.sid}`]);
  });
});

// ---------------------------------------------------------------------------------------------
// the evaluation rules on small descriptors (recorded GUIDs and SIDs, hand-made ACEs)

describe('evaluation rules', async () => {
  const before = await runRecorded('before-admin.json', false);
  const attrs = before.result.data.schema.attributes;
  const g: LapsGuids = {
    computerClass: Guids.COMPUTER_CLASS,
    propertySet: Guids.LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES,
    attributes: Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, { name: v!.name, guid: v!.schemaIdGuid, ...(v!.propertySet ? { propertySet: v!.propertySet } : {}) }])),
  };
  const dom = lab.domainSid;
  const X = `${dom}-5001`;
  const G = `${dom}-5002`;
  const principals = new PrincipalTable(
    [
      { sid: X, name: 'LAB\\x', kind: 'user', groups: [G, `${dom}-513`] },
      { sid: G, name: 'LAB\\g', kind: 'group', groups: [] },
      { sid: `${dom}-7000`, name: 'LAB\\an-admin', kind: 'user', groups: [`${dom}-512`] },
    ] satisfies Principal[],
    dom,
  );
  const pwd = attrs.legacyPassword!.schemaIdGuid;
  const eval1 = (dacl: string) => evaluateDescriptor(parseSddl(`O:DAD:${dacl}`, { domainSid: dom }), g, principals, () => ({ origin: 'explicit' }), { objectSid: `${dom}-9999`, domainSid: dom });
  const holder = (e: ReturnType<typeof eval1>, cap: Capability, sid: string) => e.holders[cap].find((h) => h.sid === sid);

  it('CONTROL_ACCESS without READ_PROPERTY does not read a confidential attribute', () => {
    const e = eval1(`(OA;;CR;${pwd};;${X})`);
    expect(holder(e, 'readLegacy', X)).toBeUndefined();
    const e2 = eval1(`(OA;;CR;${pwd};;${X})(A;;RP;;;AU)`);
    expect(holder(e2, 'readLegacy', X)).toMatchObject({ effective: true, route: 'delegation', via: X });
  });

  it('a group grant reaches its member; a deny on the member placed first wins', () => {
    expect(holder(eval1(`(OA;;RPCR;${pwd};;${G})`), 'readLegacy', G)?.effective).toBe(true);
    const e = eval1(`(OD;;CR;${pwd};;${X})(OA;;RPCR;${pwd};;${G})`);
    expect(holder(e, 'readLegacy', X)).toMatchObject({ effective: false, denied: true });
    expect(holder(e, 'readLegacy', G)).toMatchObject({ effective: true });
  });

  it('the property set gives the encrypted attributes, not msLAPS-Password', () => {
    const e = eval1(`(OA;;RPCR;${Guids.LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES};;${X})`);
    expect(holder(e, 'readWindowsEncrypted', X)).toMatchObject({ effective: true, route: 'delegation' });
    expect(holder(e, 'readWindowsClear', X)).toBeUndefined();
  });

  it('GenericAll is full control; WRITE_DAC lets a principal grant itself', () => {
    const e = eval1(`(A;;GA;;;${X})(A;;WD;;;${G})`);
    for (const cap of CAPABILITIES) expect(holder(e, cap, X)?.route, cap).toBe('full-control');
    expect(e.canGrantThemselves.map((h) => [h.sid, h.routes])).toEqual([
      [X, ['write-dac', 'write-owner']],
      [G, ['write-dac']],
    ]);
  });

  it('tiers: admins by membership, broad groups, operators', () => {
    expect(principals.tier(`${dom}-7000`)).toBe('admin');
    expect(principals.tier(WellKnownSids.AUTHENTICATED_USERS)).toBe('broad');
    expect(principals.tier(`${dom}-513`)).toBe('broad');
    expect(principals.tier(WellKnownSids.ACCOUNT_OPERATORS)).toBe('operator');
    expect(principals.tier('S-1-5-9')).toBe('dc');
    expect(principals.tier(X)).toBe('delegated');
    expect(principals.token(X)).toEqual(expect.arrayContaining([X, G, WellKnownSids.EVERYONE, WellKnownSids.AUTHENTICATED_USERS]));
  });

  it('SELF applies to the computer itself only', () => {
    const sd = parseSddl(`O:DAD:(OA;;WP;${pwd};;PS)`, { domainSid: dom });
    const me = `${dom}-4242`;
    expect(accountCapabilities(sd, g, { label: 'c', sid: me, groups: [] }, me)).toMatchObject({ readLegacy: false });
    // a write right for SELF is not a reset right for someone else
    const exp = attrs.legacyExpiration!.schemaIdGuid;
    const sd2 = parseSddl(`O:DAD:(OA;;WP;${exp};;PS)`, { domainSid: dom });
    expect(accountCapabilities(sd2, g, { label: 'c', sid: me, groups: [] }, me).resetLegacy).toBe(true);
    expect(accountCapabilities(sd2, g, { label: 'x', sid: X, groups: [] }, me).resetLegacy).toBe(false);
  });

  it('DirSync needs Get-Changes plus In-Filtered-Set (or Get-Changes-All); DCs are left out', async () => {
    const dir = new ReplayDirectory('before-admin.json');
    const head = await dir.read(lab.baseDn, ['nTSecurityDescriptor', 'objectClass'], { binaryAttributes: ['nTSecurityDescriptor'], sdFlags: 5 });
    const rootSd = parseSecurityDescriptor(head!.attributes['ntsecuritydescriptor']![0] as Buffer);
    const withAces = (extra: string): SecurityDescriptor => {
      const more = parseSddl(`D:${extra}`, { domainSid: dom }).dacl!.aces;
      return { ...rootSd, dacl: { ...rootSd.dacl!, aces: [...more, ...rootSd.dacl!.aces] } };
    };
    const GC = Guids.DS_REPLICATION_GET_CHANGES;
    const FS = Guids.DS_REPLICATION_GET_CHANGES_IN_FILTERED_SET;
    expect(dirSyncHolders(withAces(`(OA;;CR;${GC};;${X})`), principals).some((d) => d.sid === X)).toBe(false);
    const both = dirSyncHolders(withAces(`(OA;;CR;${GC};;${X})(OA;;CR;${FS};;${X})`), principals).find((d) => d.sid === X);
    expect(both).toMatchObject({ tier: 'delegated', rights: ['DS-Replication-Get-Changes', 'DS-Replication-Get-Changes-In-Filtered-Set'] });
    expect(dirSyncHolders(rootSd, principals).some((d) => d.sid === 'S-1-5-9')).toBe(false);
  });

  it('reads the SID an encrypted value is protected for from the DPAPI-NG blob', () => {
    const vector = JSON.parse(readFileSync(join(FIXTURES, '..', 'dpapi-ng', 'kdf_sha256_nonce.json'), 'utf8')) as { Data: string };
    const blob = Buffer.from(vector.Data, 'hex');
    // the protection descriptor holds the SID as a DER UTF8String (tag 0x0c, one length byte)
    const at = blob.indexOf('S-1-5-21-');
    expect(blob[at - 2]).toBe(0x0c);
    const embedded = blob.toString('latin1', at, at + blob[at - 1]!);
    expect(embedded).toMatch(/^S-1-5-21-\d+-\d+-\d+-\d+$/);
    expect(encryptedTarget(buildEncryptedPasswordValue(blob, new Date('2025-01-01T00:00:00Z')))).toBe(embedded);
    expect(encryptedTarget(Buffer.from('not a value'))).toBeUndefined();
  });
});

describe('per-computer descriptors', () => {
  const dom = lab.domainSid;
  const A = `${dom}-6001`;
  const B = `${dom}-6002`;
  const ou = `OU=T,${lab.baseDn}`;
  const g: LapsGuids = { computerClass: Guids.COMPUTER_CLASS, propertySet: Guids.LAPS_ENCRYPTED_PASSWORD_ATTRIBUTES, attributes: { legacyPassword: { name: 'ms-Mcs-AdmPwd', guid: '11111111-2222-3333-4444-555555555555' }, legacyExpiration: { name: 'ms-Mcs-AdmPwdExpirationTime', guid: '11111111-2222-3333-4444-666666666666' } } };
  const bytes = (sddl: string) => serializeSecurityDescriptor(parseSddl(sddl, { domainSid: dom }));
  const computer = (name: string, sid: string, sd: Buffer) => ({ dn: `CN=${name},${ou}`, name, objectSid: sid, userAccountControl: 4096, legacyManaged: true, windowsManaged: false, sd });

  it('identical descriptors are evaluated once; one naming the computer itself is its own', () => {
    const a = new PermissionsAnalysis({ domainDn: lab.baseDn, domainSid: dom, laps: g, containers: [] });
    const plain = bytes('O:DAD:(OA;;WP;11111111-2222-3333-4444-555555555555;;PS)(OA;;RPWP;11111111-2222-3333-4444-666666666666;;PS)');
    // WP on the legacy password granted to A's own SID (not SELF): for A it is the same as SELF
    const namesA = bytes(`O:DAD:(OA;;WP;11111111-2222-3333-4444-555555555555;;${A})(OA;;RPWP;11111111-2222-3333-4444-666666666666;;PS)`);
    a.addComputer(computer('C1', `${dom}-7001`, plain));
    a.addComputer(computer('C2', `${dom}-7002`, Buffer.from(plain)));
    a.addComputer(computer('A', A, namesA));
    a.addComputer(computer('B', B, Buffer.from(namesA)));
    expect(a.distinctComputerDescriptors).toBe(3);
    const r = a.finish([]);
    const self = Object.fromEntries(r.computers.map((c) => [c.name, c.self.legacy]));
    expect(self).toEqual({ C1: true, C2: true, A: true, B: false });
  });
});
