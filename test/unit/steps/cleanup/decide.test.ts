/**
 * Cleanup's pure decisions (issue 18): which computers may lose their legacy password, which
 * OUs their legacy delegations (on the descriptors recorded from the lab DC), which GPO links may
 * go, and the exposure report's counts and readers (from the recorded permissions analysis).
 */
import { describe, expect, it } from 'vitest';
import { parseSecurityDescriptor, AceType, AceFlag, WellKnownSids } from '../../../../src/security/index.js';
import { dnKey } from '../../../../src/directory/dn.js';
import { decideComputer, decideGpo, dependentsUnder, type CleanupComputer, type CleanupPolicy, type LegacyGpo } from '../../../../src/steps/cleanup/decide.js';
import { delegationKind, legacyDelegations, withoutLegacyDelegations } from '../../../../src/steps/cleanup/delegations.js';
import { buildExposure } from '../../../../src/steps/cleanup/exposure.js';
import { dependsOnLegacy } from '../../../../src/laps/legacy-dependence.js';
import { runRecorded } from '../replay-directory.js';

const BASE = 'DC=lab,DC=test';
const replace: CleanupPolicy = { transition: 'replace', accountName: '', encryption: true, clearLegacyPasswords: true, removeClearTextWindowsLaps: false };

function computer(name: string, ou: string, o: Partial<CleanupComputer> = {}): CleanupComputer {
  return {
    dn: `CN=${name},${ou},${BASE}`,
    name,
    dc: false,
    windows: true,
    state: 'verified',
    legacyPresent: true,
    legacyExpirationPresent: true,
    clearPresent: false,
    windowsManaged: true,
    encryptedVerified: true,
    legacyPolicy: 'yes',
    legacyAccount: undefined,
    dsrmPresent: null,
    ...o,
  };
}

describe('which computers lose their legacy password', () => {
  it('a verified computer whose legacy policy manages the same account is cleared and depends on legacy no more', () => {
    const d = decideComputer(computer('WS1', 'OU=WS'), replace);
    expect(d).toMatchObject({ clearLegacy: true, dependsOnLegacy: false, clearWindows: false });
    // the same with no legacy policy reaching it any more (its GPO unlinked)
    expect(decideComputer(computer('WS1', 'OU=WS', { legacyPolicy: 'no' }), replace).clearLegacy).toBe(true);
  });

  it('side-by-side keeps the live legacy password: by transition, by another account, or when the legacy policy is unknown', () => {
    const sbs = decideComputer(computer('WS1', 'OU=WS'), { ...replace, transition: 'side-by-side', accountName: 'lapsadmin' });
    expect(sbs).toMatchObject({ clearLegacy: false, dependsOnLegacy: true, legacyKept: 'side-by-side' });
    const other = decideComputer(computer('WS1', 'OU=WS', { legacyAccount: 'OldAdmin' }), replace);
    expect(other).toMatchObject({ clearLegacy: false, legacyKept: 'side-by-side' });
    expect(other.why).toContain('OldAdmin');
    expect(decideComputer(computer('WS1', 'OU=WS', { legacyAccount: 'Admin' }), { ...replace, accountName: 'admin' }).clearLegacy).toBe(true);
    expect(decideComputer(computer('WS1', 'OU=WS', { legacyPolicy: 'unknown' }), replace)).toMatchObject({ clearLegacy: false, legacyKept: 'policy-unknown', dependsOnLegacy: true });
  });

  it('never for a computer the cutover does not verify: pending, failed, stuck, left behind, outside every wave', () => {
    for (const state of ['pending', 'failed', 'stuck'] as const) expect(decideComputer(computer('X', 'OU=WS', { state }), replace)).toMatchObject({ clearLegacy: false, dependsOnLegacy: true, legacyKept: state });
    const srv16 = decideComputer(computer('SRV16', 'OU=Servers', { state: 'left-behind', leftBehind: 'unsupported-build' }), replace);
    expect(srv16).toMatchObject({ clearLegacy: false, dependsOnLegacy: true, legacyKept: 'left-behind' });
    expect(decideComputer(computer('X', 'OU=Other', { state: 'not-in-wave' }), replace)).toMatchObject({ clearLegacy: false, dependsOnLegacy: true, legacyKept: 'not-in-wave' });
  });

  it('computers that hold nothing of legacy LAPS do not depend on it; a legacy policy reaching one does', () => {
    const linux = computer('LNX', 'OU=Servers', { state: 'left-behind', leftBehind: 'not-windows', windows: false, legacyPresent: false, legacyExpirationPresent: false, legacyPolicy: 'yes' });
    expect(decideComputer(linux, replace).dependsOnLegacy).toBe(false);
    const fresh = computer('NEW', 'OU=Other', { state: 'not-in-wave', legacyPresent: false, legacyExpirationPresent: false, windowsManaged: false });
    expect(decideComputer({ ...fresh, legacyPolicy: 'no' }, replace).dependsOnLegacy).toBe(false);
    expect(decideComputer(fresh, replace).dependsOnLegacy).toBe(true);
    expect(decideComputer({ ...fresh, dc: true }, replace).dependsOnLegacy).toBe(false);
  });

  it('the clearing can be switched off; the leftover msLAPS-Password goes only when asked and the encrypted one verifies', () => {
    expect(decideComputer(computer('WS1', 'OU=WS'), { ...replace, clearLegacyPasswords: false })).toMatchObject({ clearLegacy: false, legacyKept: 'option-off', dependsOnLegacy: false });
    const leftover = computer('WS2', 'OU=WS', { state: 'failed', clearPresent: true, encryptedVerified: true });
    expect(decideComputer(leftover, replace)).toMatchObject({ clearWindows: false, windowsKept: 'option-off' });
    expect(decideComputer(leftover, { ...replace, removeClearTextWindowsLaps: true }).clearWindows).toBe(true);
    expect(decideComputer({ ...leftover, encryptedVerified: false }, { ...replace, removeClearTextWindowsLaps: true })).toMatchObject({ clearWindows: false, windowsKept: 'not-verified' });
    expect(decideComputer(leftover, { ...replace, encryption: false, removeClearTextWindowsLaps: true })).toMatchObject({ clearWindows: false, windowsKept: 'clear-text-policy' });
  });
});

describe('which GPO links go', () => {
  const rows = [computer('WS1', 'OU=WS'), computer('SRV16', 'OU=Servers', { state: 'left-behind', leftBehind: 'unsupported-build' })].map((c) => ({ c, d: decideComputer(c, replace) }));
  const needers = (dn: string) => dependentsUnder(dn, rows);
  const gpo = (legacyOnly: LegacyGpo['legacyOnly'], links: string[]): LegacyGpo => ({ guid: '{G}', name: 'LAPS Legacy', legacyOnly, links });

  it('a legacy-only GPO is unlinked where nothing below depends on legacy, kept where something does', () => {
    const d = decideGpo(gpo('yes', [`OU=WS,${BASE}`, `OU=Servers,${BASE}`]), needers);
    expect(d.unlink).toEqual([`OU=WS,${BASE}`]);
    expect(d.removeValues).toBe(false);
    expect(d.kept).toEqual([{ at: `OU=Servers,${BASE}`, why: expect.stringContaining('SRV16') }]);
  });

  it('a GPO with other settings is never unlinked: its AdmPwd values go once no link needs them', () => {
    expect(decideGpo(gpo('no', [`OU=WS,${BASE}`]), needers)).toMatchObject({ unlink: [], removeValues: true, kept: [] });
    const mixed = decideGpo(gpo('no', [`OU=WS,${BASE}`, `OU=Servers,${BASE}`]), needers);
    expect(mixed).toMatchObject({ unlink: [], removeValues: false });
    expect(mixed.kept.map((k) => k.at)).toEqual([`OU=Servers,${BASE}`, `OU=WS,${BASE}`]);
  });

  it('without SYSVOL a legacy GPO is left alone', () => {
    expect(decideGpo(gpo('unknown', [`OU=WS,${BASE}`]), needers)).toMatchObject({ unlink: [], removeValues: false, kept: [{ at: `OU=WS,${BASE}`, why: expect.stringContaining('SYSVOL') }] });
  });

  it('a link on the domain head reaches every computer: kept while one depends on legacy', () => {
    expect(decideGpo(gpo('yes', [BASE]), needers).unlink).toEqual([]);
  });

  it('with --ou a link above or beside the scope is kept (computers there were not read), and values stay', () => {
    const free = decideGpo(gpo('yes', [BASE, `OU=WS,${BASE}`]), () => [], `OU=WS,${BASE}`);
    expect(free.unlink).toEqual([`OU=WS,${BASE}`]);
    expect(free.kept).toEqual([{ at: BASE, why: expect.stringContaining('outside --ou') }]);
    expect(decideGpo(gpo('no', [BASE, `OU=WS,${BASE}`]), () => [], `OU=WS,${BASE}`).removeValues).toBe(false);
  });
});

describe('the directory rule steps 3 and 4 share', () => {
  const t = (s: string) => new Date(`2026-12-01T${s}Z`);
  it('a legacy expiration and no Windows LAPS write after the last legacy write = still on legacy', () => {
    expect(dependsOnLegacy({ legacyExpirationPresent: true })).toBe(true);
    expect(dependsOnLegacy({ legacyExpirationPresent: true, legacyWrittenAt: t('10:00:00'), nativeWrittenAt: t('09:00:00') })).toBe(true);
    expect(dependsOnLegacy({ legacyExpirationPresent: true, legacyWrittenAt: t('10:00:00'), nativeWrittenAt: t('11:00:00') })).toBe(false);
    // cleared by cleanup: the legacy metadata now dates the deletion, but no expiration is left
    expect(dependsOnLegacy({ legacyExpirationPresent: false, legacyWrittenAt: t('12:00:00'), nativeWrittenAt: t('11:00:00') })).toBe(false);
  });
});

describe('on the recorded lab (permissions fixture)', () => {
  it('finds the legacy delegations of each OU, removes only explicit allow ACEs, keeps denies, and a second pass changes nothing', async () => {
    const { dir, lab, result } = await runRecorded('before-admin.json', false);
    const a = result.data.schema.attributes;
    const g = { password: a.legacyPassword?.schemaIdGuid, expiration: a.legacyExpiration?.schemaIdGuid };
    const ous = await dir.searchAll({ base: lab.baseDn, filter: '(objectClass=organizationalUnit)', attributes: ['nTSecurityDescriptor', 'objectClass'], binaryAttributes: ['nTSecurityDescriptor'], sdFlags: 5 });
    const sd = (key: string) => parseSecurityDescriptor(ous.find((e) => dnKey(e.dn) === dnKey(lab.ous[key]!))!.attributes['ntsecuritydescriptor']![0] as Buffer);
    const ws = sd('workstations');
    const found = legacyDelegations(ws, g);
    expect(found.length).toBeGreaterThan(0);
    expect(new Set(found.map((x) => delegationKind(x, g)))).toEqual(new Set(['self', 'read', 'reset']));
    const after = parseSecurityDescriptor(withoutLegacyDelegations(ws, g)!);
    expect(legacyDelegations(after, g)).toEqual([]);
    expect(after.dacl!.aces.length).toBe(ws.dacl!.aces.length - found.length);
    expect(after.owner).toBe(ws.owner);
    expect(withoutLegacyDelegations(after, g)).toBeUndefined();
    // Finance: the deny ACE for one helpdesk user stays (removing a deny could only widen access)
    const fin = sd('finance');
    const denies = (fin.dacl?.aces ?? []).filter((x) => x.type === AceType.ACCESS_DENIED_OBJECT);
    expect(denies.length).toBeGreaterThan(0);
    const finAfter = withoutLegacyDelegations(fin, g);
    const kept = finAfter ? parseSecurityDescriptor(finAfter) : fin;
    expect(kept.dacl!.aces.filter((x) => x.type === AceType.ACCESS_DENIED_OBJECT)).toEqual(denies);
    // inherited ACEs belong to the parent
    expect(legacyDelegations(fin, g).every((x) => !(x.flags & AceFlag.INHERITED))).toBe(true);
    expect(found.every((x) => x.sid !== WellKnownSids.SELF || delegationKind(x, g) === 'self')).toBe(true);
  });

  it('the exposure report counts what stays, why, and who (not admins) can read it by route', async () => {
    const { result, lab } = await runRecorded('before-admin.json', false);
    const containers = new Map(result.data.containers.map((c) => [c.dn.toLowerCase(), c]));
    const ws = lab.ous.workstations!;
    const rows = [
      { name: 'WS-A', state: 'verified' as const },
      { name: 'WS-B', state: 'pending' as const },
      { name: 'WS-C', state: 'left-behind' as const, leftBehind: 'unsupported-build' as const },
      { name: 'WS-D', state: 'not-in-wave' as const, legacyPresent: false, legacyExpirationPresent: false, windowsManaged: false, legacyPolicy: 'no' as const },
    ].map((o) => {
      const c: CleanupComputer = { ...computer(o.name, 'OU=x'), ...o, dn: `CN=${o.name},${ws}` };
      return { c, d: decideComputer(c, replace) };
    });
    rows.push(...[{ name: 'DC1', dc: true, dsrmPresent: false }].map((o) => {
      const c: CleanupComputer = { ...computer(o.name, 'OU=x'), ...o, dn: `CN=${o.name},OU=Domain Controllers,${lab.baseDn}`, state: 'not-in-wave', legacyPresent: false, legacyExpirationPresent: false, legacyPolicy: 'no' };
      return { c, d: decideComputer(c, replace) };
    }));
    const x = buildExposure(lab.baseDn, rows, containers);
    expect(x.counts).toMatchObject({ legacyRemaining: 2, windowsClearRemaining: 0, plannedClear: 1, neverManaged: 1, dcsWithoutDsrm: 1 });
    const ou = x.perOu.find((o) => o.ou === 'Workstations')!;
    expect(ou).toMatchObject({ legacy: 2, plannedClear: 1, reasons: { pending: 1, 'left-behind': 1 } });
    // the helpdesk delegation on Workstations is a reader of what remains; no admin is listed
    expect(x.readers.some((r) => /helpdesk/i.test(r.principal) && r.route === 'delegation' && r.attribute === 'ms-Mcs-AdmPwd')).toBe(true);
    expect(x.readers.every((r) => !['admin', 'dc', 'self'].includes(r.tier))).toBe(true);
    expect(x.neverManaged.map((c) => c.computer)).toEqual(['WS-D']);
  });
});
