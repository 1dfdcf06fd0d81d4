/**
 * The inventory's pure analysis on hand-built facts: LAPS state, password health, OS readiness,
 * stale / disabled / DC, the per-OU rollup and password ages, which legacy GPOs reach a
 * container, and the findings drawn from them. (The integration test covers the same code on the
 * lab; these pin each rule on its own.)
 */
import { describe, expect, it } from 'vitest';
import {
  classifyComputer,
  InventoryAccumulator,
  inventoryFindings,
  lapsState,
  legacyGpoReach,
  type ComputerFacts,
  type ComputerRecord,
  type GpoFacts,
  type GpoRecord,
  type InventoryFindingInput,
  type InventoryOptions,
} from '../../../src/steps/inventory-analysis.js';
import { parseGpLink, type ScopeOfManagement } from '../../../src/laps/gpo-links.js';

const BASE = 'DC=corp,DC=example';
const NOW = new Date('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const OPTS: InventoryOptions = { now: NOW, staleDays: 90, graceDays: 7 };
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);
const WIN11 = { operatingSystem: 'Windows 11 Enterprise', operatingSystemVersion: '10.0 (26100)' };

function facts(over: Partial<ComputerFacts> = {}): ComputerFacts {
  return {
    dn: `CN=PC1,OU=Workstations,${BASE}`,
    name: 'PC1',
    userAccountControl: 0x1000,
    legacyPasswordPresent: false,
    windowsClearPresent: false,
    windowsEncryptedPresent: false,
    historyCount: 0,
    dsrmPresent: false,
    lastLogon: daysAgo(1),
    ...WIN11,
    ...over,
  };
}

const classify = (f: ComputerFacts, gpos: string[] = []) => classifyComputer(f, OPTS, gpos, BASE);

describe('LAPS state', () => {
  it('comes from presence when the account can see it', () => {
    expect(lapsState(facts({ legacyPasswordPresent: true }))).toBe('legacy');
    expect(lapsState(facts({ windowsClearPresent: true }))).toBe('windows-clear');
    expect(lapsState(facts({ windowsEncryptedPresent: true }))).toBe('windows-encrypted');
    expect(lapsState(facts({ legacyPasswordPresent: true, windowsEncryptedPresent: true }))).toBe('both');
    expect(lapsState(facts())).toBe('none');
  });

  it('falls back on expiry times and on which attribute was written last when presence is unknown', () => {
    const unknown = { legacyPasswordPresent: null, windowsClearPresent: null, windowsEncryptedPresent: null } as const;
    expect(lapsState(facts({ ...unknown, legacyExpires: daysAgo(-10) }))).toBe('legacy');
    const clearLater = { windowsExpires: daysAgo(-10), windowsClearWritten: { at: daysAgo(1), count: 3 }, windowsEncryptedWritten: { at: daysAgo(40), count: 1 } };
    expect(lapsState(facts({ ...unknown, ...clearLater }))).toBe('windows-clear');
    const encLater = { windowsExpires: daysAgo(-10), windowsClearWritten: { at: daysAgo(40), count: 1 }, windowsEncryptedWritten: { at: daysAgo(1), count: 3 } };
    expect(lapsState(facts({ ...unknown, ...encLater }))).toBe('windows-encrypted');
    expect(lapsState(facts({ ...unknown }))).toBe('none');
  });
});

describe('password health', () => {
  it('is rotating before expiry, due within the grace days, overdue after them', () => {
    expect(classify(facts({ legacyPasswordPresent: true, legacyExpires: daysAgo(-5) })).health).toBe('rotating');
    expect(classify(facts({ legacyPasswordPresent: true, legacyExpires: daysAgo(7) })).health).toBe('due');
    expect(classify(facts({ legacyPasswordPresent: true, legacyExpires: daysAgo(8) })).health).toBe('overdue');
  });

  it('is never-managed without LAPS and unknown without an expiry time', () => {
    expect(classify(facts()).health).toBe('never-managed');
    expect(classify(facts({ windowsEncryptedPresent: true })).health).toBe('unknown');
  });

  it('takes the Windows expiry for both-state computers, and the encrypted header time for the password age', () => {
    const r = classify(facts({
      legacyPasswordPresent: true,
      windowsEncryptedPresent: true,
      legacyExpires: daysAgo(30),
      windowsExpires: daysAgo(-20),
      windowsEncryptedWritten: { at: daysAgo(20), count: 2 },
      windowsEncryptedUpdated: daysAgo(10),
    }));
    expect(r).toMatchObject({ state: 'both', health: 'rotating', expires: daysAgo(-20).toISOString(), passwordAgeDays: 10 });
  });
});

describe('computer facts', () => {
  it('classifies OS readiness for Windows LAPS', () => {
    expect(classify(facts()).osReadiness).toBe('supported');
    expect(classify(facts({ operatingSystemVersion: '10.0 (19045)' })).osReadiness).toBe('supported-if-patched');
    expect(classify(facts({ operatingSystem: 'Windows 7 Professional', operatingSystemVersion: '6.1 (7601)' })).osReadiness).toBe('unsupported');
    expect(classify(facts({ operatingSystem: 'Samba', operatingSystemVersion: '4.17' })).osReadiness).toBe('not-windows');
    expect(classify(facts({ operatingSystem: undefined, operatingSystemVersion: undefined })).osReadiness).toBe('unknown');
  });

  it('tells stale, disabled and DC accounts apart', () => {
    expect(classify(facts({ lastLogon: daysAgo(91) })).stale).toBe(true);
    expect(classify(facts({ lastLogon: daysAgo(89) })).stale).toBe(false);
    // never logged on: the creation time counts
    expect(classify(facts({ lastLogon: undefined, whenCreated: daysAgo(200) })).stale).toBe(true);
    expect(classify(facts({ lastLogon: undefined, whenCreated: undefined })).stale).toBe(false);
    expect(classify(facts({ userAccountControl: 0x1002 })).enabled).toBe(false);
    const dc = classify(facts({ dn: `CN=DC1,OU=Domain Controllers,${BASE}`, userAccountControl: 0x82000 }));
    expect(dc).toMatchObject({ domainController: true, enabled: true, ou: `OU=Domain Controllers,${BASE}`, ouPath: 'Domain Controllers' });
    expect(classify(facts({ lastLogon: daysAgo(3) })).daysSinceLogon).toBe(3);
  });
});

describe('per-OU rollup', () => {
  it('counts each OU and the summary, and bins password ages', () => {
    const acc = new InventoryAccumulator();
    const ws = (name: string, over: Partial<ComputerFacts>) => classify(facts({ dn: `CN=${name},OU=Workstations,${BASE}`, name, ...over }), ['Legacy LAPS']);
    const sv = (name: string, over: Partial<ComputerFacts>) => classify(facts({ dn: `CN=${name},OU=Servers,${BASE}`, name, ...over }));
    acc.add(ws('A', { legacyPasswordPresent: true, legacyExpires: daysAgo(-5), legacyPasswordWritten: { at: daysAgo(3), count: 9 } }), false);
    acc.add(ws('B', { legacyPasswordPresent: true, legacyExpires: daysAgo(30), legacyPasswordWritten: { at: daysAgo(60), count: 2 } }), false);
    acc.add(ws('C', { userAccountControl: 0x1002, lastLogon: daysAgo(400) }), false);
    acc.add(sv('D', { windowsEncryptedPresent: true, windowsExpires: daysAgo(-1), windowsEncryptedUpdated: daysAgo(200) }), true);
    const summary = acc.finish();
    expect(summary).toMatchObject({ computers: 4, enabled: 3, disabled: 1, stale: 1, ous: 2 });
    expect(summary.states).toMatchObject({ legacy: 2, 'windows-encrypted': 1, none: 1 });
    expect(summary.health).toMatchObject({ rotating: 2, overdue: 1, 'never-managed': 1 });
    expect(Object.fromEntries(summary.passwordAgeHistogram.map((b) => [b.label, b.count]))).toMatchObject({ '0-7 d': 1, '31-60 d': 1, '> 180 d': 1 });
    const [first, second] = acc.ouRecords();
    expect(first).toMatchObject({ path: 'Workstations', computers: 3, disabled: 1, stale: 1, blocksInheritance: false, legacyGpos: ['Legacy LAPS'] });
    expect(first!.health.overdue).toBe(1);
    expect(second).toMatchObject({ path: 'Servers', computers: 1, blocksInheritance: true });
    expect(acc.examples.overdue).toEqual(['B']);
    expect(acc.examples.neverManaged).toEqual([]); // C is disabled
  });
});

describe('GPO reach', () => {
  const guid = (n: number) => `{${String(n).repeat(8)}-0000-0000-0000-000000000000}`;
  const link = (n: number, opts = 0) => `[LDAP://cn=${guid(n)},cn=policies,cn=system,${BASE};${opts}]`;
  const gpo = (n: number, name: string, over: Partial<GpoFacts> = {}): [string, GpoFacts] => [guid(n), { dn: `CN=${guid(n)},CN=Policies,CN=System,${BASE}`, guid: guid(n), displayName: name, kinds: ['legacy-laps'], computerSettingsDisabled: false, ...over }];
  const som = (dn: string, gpLink: string, blocksInheritance = false): [string, ScopeOfManagement] => [dn.toLowerCase(), { dn, links: parseGpLink(gpLink), blocksInheritance }];
  const gpos = new Map([gpo(1, 'Domain LAPS'), gpo(2, 'Enforced LAPS'), gpo(3, 'Templates only', { kinds: ['admin-templates'] }), gpo(4, 'Computer settings off', { computerSettingsDisabled: true })]);

  it('follows links down the OU chain, stops at blocked inheritance except for enforced links', () => {
    const soms = new Map([
      som(BASE, link(1) + link(2, 2)),
      som(`OU=Workstations,${BASE}`, link(3) + link(4)),
      som(`OU=Kiosks,OU=Workstations,${BASE}`, '', true),
    ]);
    const reach = legacyGpoReach([`OU=Workstations,${BASE}`, `OU=Kiosks,OU=Workstations,${BASE}`], soms, gpos, BASE);
    expect(reach.get(`ou=workstations,${BASE}`.toLowerCase())?.sort()).toEqual(['Domain LAPS', 'Enforced LAPS']);
    expect(reach.get(`ou=kiosks,ou=workstations,${BASE}`.toLowerCase())).toEqual(['Enforced LAPS']);
  });
});

describe('findings', () => {
  function input(records: ComputerRecord[], over: Partial<InventoryFindingInput> = {}): InventoryFindingInput {
    const acc = new InventoryAccumulator();
    for (const r of records) acc.add(r, r.ou.startsWith('OU=Kiosks'));
    const summary = acc.finish();
    summary.presenceReadable = { legacy: true, windowsClear: true, windowsEncrypted: true };
    return {
      acc,
      summary,
      ous: acc.ouRecords(),
      gpos: [],
      schema: { legacyName: 'ms-Mcs-AdmPwd', legacyRenamed: false, windowsPresent: true },
      options: OPTS,
      neverManagedCount: records.filter((r) => r.state === 'none' && r.enabled && !r.stale && !r.domainController).length,
      unsupportedCount: records.filter((r) => r.osReadiness === 'unsupported' && r.enabled).length,
      joinerOwned: { count: 0, examples: [] },
      presenceChecked: true,
      ...over,
    };
  }
  const codes = (i: InventoryFindingInput) => inventoryFindings(i).map((f) => f.code);

  it('report overdue, never-managed, unsupported and GPO-less legacy computers with counts', () => {
    const overdue = classify(facts({ name: 'OLD', legacyPasswordPresent: true, legacyExpires: daysAgo(30) }));
    const bare = classify(facts({ name: 'BARE' }));
    const win7 = classify(facts({ name: 'W7', operatingSystem: 'Windows 7', operatingSystemVersion: '6.1 (7601)', legacyPasswordPresent: true, legacyExpires: daysAgo(-3) }), ['Legacy LAPS']);
    const f = inventoryFindings(input([overdue, bare, win7]));
    expect(f.find((x) => x.code === 'PASSWORD_NOT_ROTATING')).toMatchObject({ severity: 'warning', count: 1, object: 'Workstations' });
    expect(f.find((x) => x.code === 'NEVER_MANAGED')).toMatchObject({ count: 1, message: expect.stringContaining('BARE') });
    expect(f.find((x) => x.code === 'OS_UNSUPPORTED')).toMatchObject({ count: 1, evidence: '1 of them rely on legacy LAPS today' });
    // OLD holds a legacy password and no legacy GPO reaches it; W7 has one
    expect(f.find((x) => x.code === 'LEGACY_WITHOUT_GPO')).toMatchObject({ count: 1, message: expect.stringContaining('OLD') });
  });

  it('name the schema state, blocked inheritance, GPO links, DCs, stale and disabled accounts', () => {
    const kiosk = classify(facts({ dn: `CN=K1,OU=Kiosks,${BASE}`, name: 'K1', userAccountControl: 0x1002, lastLogon: daysAgo(100) }));
    const dc = classify(facts({ dn: `CN=DC1,OU=Domain Controllers,${BASE}`, name: 'DC1', userAccountControl: 0x82000 }));
    const linked: GpoRecord = { dn: 'CN=g1', guid: 'G1', displayName: 'Legacy LAPS', kinds: ['legacy-laps'], computerSettingsDisabled: false, links: [{ at: BASE, atPath: '(domain root)', enforced: true, disabled: false }], computersReached: 2, legacyComputersReached: 1 };
    const unlinked: GpoRecord = { ...linked, dn: 'CN=g2', displayName: 'Old LAPS', links: [{ at: BASE, atPath: '(domain root)', enforced: false, disabled: true }] };
    const i = input([kiosk, dc], { gpos: [linked, unlinked], schema: { legacyName: 'ms-Mcs-AdmPwdRenamed', legacyRenamed: true, windowsPresent: false } });
    expect(codes(i)).toEqual([
      'LEGACY_SCHEMA_RENAMED',
      'WINDOWS_LAPS_SCHEMA_MISSING',
      'GPO_INHERITANCE_BLOCKED',
      'LEGACY_GPO_LINKED',
      'LEGACY_GPO_UNLINKED',
      'DOMAIN_CONTROLLERS_DSRM',
      'STALE_COMPUTERS',
      'DISABLED_COMPUTERS',
    ]);
    expect(inventoryFindings(i).find((x) => x.code === 'LEGACY_GPO_LINKED')?.message).toContain('(domain root) (enforced)');
  });

  it('say when presence could not be read, and why', () => {
    const i = input([classify(facts())]);
    i.summary.presenceReadable = { legacy: false, windowsClear: true, windowsEncrypted: false };
    const f = inventoryFindings(i).find((x) => x.code === 'PASSWORD_PRESENCE_NOT_READABLE');
    expect(f?.message).toMatch(/cannot see whether ms-Mcs-AdmPwd, msLAPS-EncryptedPassword hold a value/);
    const skipped = inventoryFindings({ ...i, presenceChecked: false }).find((x) => x.code === 'PASSWORD_PRESENCE_NOT_READABLE');
    expect(skipped?.message).toMatch(/--no-presence/);
    expect(codes(input([classify(facts())], { schema: { legacyName: undefined, legacyRenamed: false, windowsPresent: true } }))).toContain('LEGACY_SCHEMA_MISSING');
  });
});
