/**
 * Step 3 against the lab DC. The audit's predictions are checked against what Samba actually
 * allows, account by account and computer by computer (reads of both families, resets, and each
 * computer writing its own attributes), before and after the apply. Password values written here
 * are non-secret markers; only presence is ever compared or printed.
 *
 * Samba deviation (measured here, documented in the assertions): Samba 4.17 lets a principal WRITE
 * an attribute without WRITE_PROPERTY when an allow *object* ACE grants it CONTROL_ACCESS on that
 * attribute, on its property set, or on everything (All Extended Rights as an object ACE scoped to
 * the computer class). A plain (non-object) ACE with CONTROL_ACCESS does not do it (the joiner's
 * CREATOR OWNER ACE). Windows refuses all of these. The audit predicts Windows' answer; the reset
 * check asserts that every difference from Samba is exactly such a case.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { runPermissions, type PermissionsRun } from '../../src/steps/permissions.js';
import { ADS_RIGHT_DS_CONTROL_ACCESS, AceType, effectiveAccess, Guids, parseSecurityDescriptor, WellKnownSids, type SecurityDescriptor } from '../../src/security/index.js';
import { isUserError } from '../../src/errors.js';
import type { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { cli, connectAs, lab, passwordOf, resetLab, testRoot } from './lab-env.js';
import { encryptedValue, extendWindowsLapsSchema, integer8 } from './windows-laps-fixture.js';

const PEOPLE = { user: 'alice', helpdesk: 'hd-bob', helpdesk2: 'hd-erin', serverop: 'srv-carol', webop: 'web-dave', joiner: 'joiner-jo' } as const;
type PersonKey = keyof typeof PEOPLE;
const KNOWN_COMPUTERS = ['FIN-WS01', 'WS-GEN01', 'SRV-WEB01', 'KIOSK01'];
const LEGACY = 'ms-Mcs-AdmPwd';
const LEGACY_EXP = 'ms-Mcs-AdmPwdExpirationTime';
const WIN = 'msLAPS-Password';
const WIN_EXP = 'msLAPS-PasswordExpirationTime';
const ENC = 'msLAPS-EncryptedPassword';
const HIST = 'msLAPS-EncryptedPasswordHistory';
const now = new Date();

const connections = new Map<string, LdapDirectory>();
async function as(key: string): Promise<LdapDirectory> {
  let d = connections.get(key);
  if (!d) {
    d = await connectAs(key);
    connections.set(key, d);
  }
  return d;
}

async function canRead(key: string, dn: string, attr: string): Promise<boolean> {
  const e = await (await as(key)).read(dn, [attr], { binaryAttributes: [attr] });
  return (e?.attributes[attr.toLowerCase()] ?? []).length > 0;
}

async function canWrite(key: string, dn: string, attr: string, value: string | Buffer): Promise<boolean> {
  try {
    await (await as(key)).modify(dn, [{ operation: 'replace', attribute: attr, values: [value] }]);
    return true;
  } catch (e) {
    if (isUserError(e) && e.reason === 'INSUFFICIENT_RIGHTS') return false;
    throw e;
  }
}

const computers = () => lab().computers;
const dnOf = (name: string) => computers().find((c) => c.name === name)!.dn;
const outDir = () => {
  const d = join(testRoot(), 'reports-permissions');
  mkdirSync(d, { recursive: true });
  return d;
};

async function audit(): Promise<PermissionsRun> {
  const m = lab();
  const dir = await connectAs('admin');
  try {
    return await runPermissions(dir, { server: m.urls.ldaps, domain: m.dnsDomain, baseDn: m.baseDn, boundAs: 'admin' }, { now: new Date(), perComputer: true, accounts: Object.values(PEOPLE) });
  } finally {
    await dir.close();
  }
}

function prediction(run: PermissionsRun, account: string, computer: string) {
  const p = run.result.data.predictions.find((x) => x.account === account)!;
  return p.computers.find((c) => c.name === computer)!;
}

/** Reads of the three password attributes by every person on every computer: DC vs audit. */
async function compareReads(run: PermissionsRun): Promise<{ checked: number; allowed: number }> {
  let checked = 0;
  let allowed = 0;
  for (const [key, account] of Object.entries(PEOPLE)) {
    for (const c of computers()) {
      const p = prediction(run, account, c.name);
      const seen = { readLegacy: await canRead(key, c.dn, LEGACY), readWindowsClear: await canRead(key, c.dn, WIN), readWindowsEncrypted: await canRead(key, c.dn, ENC) };
      expect(seen, `${account} on ${c.name}`).toEqual({ readLegacy: p.readLegacy, readWindowsClear: p.readWindowsClear, readWindowsEncrypted: p.readWindowsEncrypted });
      checked += 3;
      allowed += Object.values(seen).filter(Boolean).length;
    }
  }
  return { checked, allowed };
}

/** Samba 4.17's extra write route: an allow object ACE deciding CONTROL_ACCESS for the attribute. */
function sambaControlAccessWrite(sd: SecurityDescriptor, token: string[], attribute: { guid: string; propertySet?: string | null }): boolean {
  const a = effectiveAccess(sd, token, { objectClassGuids: [Guids.COMPUTER_CLASS], attribute });
  const d = a.decisions.find((x) => x.right === ADS_RIGHT_DS_CONTROL_ACCESS);
  return !!d && d.granted && d.source === 'ace' && d.ace!.type === AceType.ACCESS_ALLOWED_OBJECT;
}

function journalRuns(): number {
  const r = cli(['journal', 'list', '--json']);
  return r.code === 0 ? (JSON.parse(r.stdout) as { runs: unknown[] }).runs.length : 0;
}

describe('permissions against the lab', () => {
  let before: PermissionsRun;

  beforeAll(async () => {
    const admin = await as('admin');
    await extendWindowsLapsSchema(admin);
    // a value in every password attribute of every computer, so that every read can be observed
    const future = integer8(new Date(now.getTime() + 20 * 86_400_000));
    for (const c of computers()) {
      await admin.modify(c.dn, [
        { operation: 'replace', attribute: LEGACY, values: [`not-a-secret-${c.name}`] },
        { operation: 'replace', attribute: LEGACY_EXP, values: [future] },
        { operation: 'replace', attribute: WIN, values: ['{"n":"Administrator","t":"1d9a1b2c3d4e5f6","p":"not-a-secret"}'] },
        { operation: 'replace', attribute: WIN_EXP, values: [future] },
        { operation: 'replace', attribute: ENC, values: [encryptedValue(now)] },
      ]);
    }
    before = await audit();
  });

  afterAll(async () => {
    for (const d of connections.values()) await d.close();
    await resetLab();
  });

  it('a plain domain account runs the audit: same SELF gaps and risks, exit 3 for the blockers', () => {
    const m = lab();
    const a = m.accounts.user!;
    const r = cli(['permissions', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', a.userPrincipalName, '--json', '--out', outDir()], { env: { LAPS_MIGRATE_PASSWORD: passwordOf('user') } });
    expect(r.code, r.stderr).toBe(3);
    const j = JSON.parse(r.stdout) as { findings: Array<{ code: string; object: string }>; data: { summary: { self: { windowsMissingContainers: number } } }; plan: { changes: unknown[] }; applied: boolean };
    const codes = new Set(j.findings.map((f) => f.code));
    for (const c of ['SELF_WRITE_MISSING_WINDOWS_LAPS', 'SELF_WRITE_MISSING_LEGACY', 'DACL_PROTECTED', 'ALL_EXTENDED_RIGHTS', 'OWNER_CAN_READ', 'LAPS_DENY_ACE', 'LEGACY_READ_DELEGATION', 'READ_GAP_LEGACY_ONLY', 'RESET_GAP_LEGACY_ONLY', 'ENCRYPTED_VALUES_NOT_READABLE']) expect(codes.has(c), c).toBe(true);
    expect(j.data.summary.self.windowsMissingContainers).toBe(7);
    expect(j.plan.changes).toHaveLength(5);
    expect(j.applied).toBe(false);
    // and the admin's audit sees whom the encrypted values are protected for
    expect(before.result.findings.map((f) => f.code)).toContain('ENCRYPTION_PRINCIPAL_CANNOT_READ');
  });

  it("before apply, every read prediction matches the DC (delegation, deny, All Extended Rights on a nested OU, protected OU, joiner-owned computer)", async () => {
    const { checked, allowed } = await compareReads(before);
    expect(checked).toBe(3 * 6 * computers().length);
    expect(allowed).toBeGreaterThan(10);
    // the cases the estate was built for, spelled out
    expect(await canRead('helpdesk2', dnOf('FIN-WS01'), LEGACY)).toBe(true);
    expect(await canRead('helpdesk', dnOf('FIN-WS01'), LEGACY)).toBe(false);
    expect(await canRead('helpdesk', dnOf('PRT-WS01'), LEGACY)).toBe(false);
    expect(await canRead('webop', dnOf('SRV-WEB01'), ENC)).toBe(true);
    expect(await canRead('joiner', dnOf('WS-JOINED01'), WIN)).toBe(true);
    expect(await canRead('user', dnOf('WS-GEN01'), LEGACY)).toBe(false);
  });

  it('reset predictions match the DC, except where Samba lets CONTROL_ACCESS write (a documented Samba deviation)', async () => {
    const admin = await as('admin');
    const attrs = before.result.data.schema.attributes;
    const deviations: string[] = [];
    for (const [key, account] of Object.entries(PEOPLE) as Array<[PersonKey, string]>) {
      const me = await (await as(key)).whoAmI();
      const token = [me.sid, ...me.groupSids, WellKnownSids.EVERYONE, WellKnownSids.AUTHENTICATED_USERS];
      for (const c of computers()) {
        const e = await admin.read(c.dn, ['nTSecurityDescriptor'], { binaryAttributes: ['nTSecurityDescriptor'], sdFlags: 5 });
        const sd = parseSecurityDescriptor(e!.attributes['ntsecuritydescriptor']![0] as Buffer);
        const p = prediction(before, account, c.name);
        for (const [cap, attr, key2] of [['resetLegacy', LEGACY_EXP, 'legacyExpiration'], ['resetWindows', WIN_EXP, 'expiration']] as const) {
          const seen = await canWrite(key, c.dn, attr, integer8(new Date(now.getTime() + 21 * 86_400_000)));
          const samba = sambaControlAccessWrite(sd, token, { guid: attrs[key2]!.schemaIdGuid, propertySet: attrs[key2]!.propertySet });
          // Windows: WRITE_PROPERTY only. Samba 4.17: also CONTROL_ACCESS from an object ACE.
          expect(seen, `${account} ${attr} on ${c.name}`).toBe(p[cap] || samba);
          if (seen && !p[cap]) deviations.push(`${account}@${c.name}:${attr}`);
        }
      }
    }
    // the deviation is real and is what we say it is: All Extended Rights (an object ACE) writes on Samba
    expect(deviations.sort()).toEqual([`web-dave@SRV-WEB01:${LEGACY_EXP}`, `web-dave@SRV-WEB01:${WIN_EXP}`, `web-dave@SRV-WEB02:${LEGACY_EXP}`, `web-dave@SRV-WEB02:${WIN_EXP}`].sort());
    // and the read delegation (RP+CR on ms-Mcs-AdmPwd) lets helpdesk overwrite the password itself on
    // Samba; Windows would refuse (no WRITE_PROPERTY). The audit does not count it as a right.
    expect(await canWrite('helpdesk2', dnOf('WS-GEN01'), LEGACY, 'not-a-secret-WS-GEN01')).toBe(true);
    // the joiner's CONTROL_ACCESS comes from a plain ACE: Samba refuses its writes like Windows
    expect(await canWrite('joiner', dnOf('WS-JOINED01'), LEGACY, 'not-a-secret-WS-JOINED01')).toBe(false);
  });

  it('before apply, the computers cannot write their Windows LAPS attributes (and the audit says so)', async () => {
    for (const name of KNOWN_COMPUTERS) {
      const key = `computer:${name}`;
      const dn = dnOf(name);
      const rec = before.result.data.computers.find((c) => c.name === name)!;
      expect(rec.self.windows, name).toBe(false);
      expect(await canWrite(key, dn, WIN, '{"n":"Administrator","t":"1","p":"not-a-secret"}'), `${name} ${WIN}`).toBe(false);
      expect(await canWrite(key, dn, ENC, encryptedValue(now)), `${name} ${ENC}`).toBe(false);
      expect(await canWrite(key, dn, WIN_EXP, integer8(now)), `${name} ${WIN_EXP}`).toBe(false);
      // the legacy SELF permission: present where it was delegated (not on Kiosks)
      expect(await canWrite(key, dn, LEGACY, `not-a-secret-${name}`), `${name} ${LEGACY}`).toBe(rec.self.legacy);
    }
  });

  it('--apply without --yes and without a terminal writes nothing and exits 2', () => {
    const runs = journalRuns();
    const r = cli(['permissions', '--profile', 'lab', '--apply', '--out', outDir()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect(r.stdout).toContain('Plan for step "permissions": 5 changes');
    expect(journalRuns()).toBe(runs);
  });

  it('--apply --yes grants SELF and mirrors the delegations, verified by a second audit', () => {
    const r = cli(['permissions', '--profile', 'lab', '--apply', '--yes', '--json', '--out', outDir()]);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { applied: boolean; result: { exitCode: number; counts: { applied: number; failed: number } }; verify: { remainingChanges: number; findings: Array<{ code: string }> } };
    expect(j.applied).toBe(true);
    expect(j.result).toMatchObject({ exitCode: 0, counts: { applied: 5, failed: 0 } });
    expect(j.verify.remainingChanges).toBe(0);
    expect(j.verify.findings.map((f) => f.code)).not.toContain('SELF_WRITE_MISSING_WINDOWS_LAPS');
  });

  it('after apply, each computer writes its Windows LAPS attributes and reads its own encrypted password', async () => {
    for (const name of KNOWN_COMPUTERS) {
      const key = `computer:${name}`;
      const dn = dnOf(name);
      expect(await canWrite(key, dn, WIN, '{"n":"Administrator","t":"2","p":"not-a-secret"}'), `${name} ${WIN}`).toBe(true);
      expect(await canWrite(key, dn, WIN_EXP, integer8(now)), `${name} ${WIN_EXP}`).toBe(true);
      expect(await canWrite(key, dn, ENC, encryptedValue(now)), `${name} ${ENC}`).toBe(true);
      expect(await canWrite(key, dn, HIST, encryptedValue(new Date(now.getTime() - 86_400_000))), `${name} ${HIST}`).toBe(true);
      expect(await canRead(key, dn, ENC), `${name} reads its own ${ENC}`).toBe(true);
      expect(await canWrite(key, dn, LEGACY, `not-a-secret-${name}`), `${name} ${LEGACY}`).toBe(true);
    }
  });

  it('after mirroring, helpdesk reads the new attributes where it read the old ones, the denied member does not, a plain user reads nothing: all as predicted', async () => {
    const after = await audit();
    await compareReads(after);
    expect(await canRead('helpdesk2', dnOf('FIN-WS01'), WIN)).toBe(true);
    expect(await canRead('helpdesk2', dnOf('FIN-WS01'), ENC)).toBe(true);
    expect(await canRead('helpdesk', dnOf('FIN-WS01'), WIN)).toBe(false);
    expect(await canRead('helpdesk', dnOf('WS-GEN01'), WIN)).toBe(true);
    expect(await canRead('serverop', dnOf('SRV-WEB01'), ENC)).toBe(true);
    for (const name of KNOWN_COMPUTERS) for (const attr of [LEGACY, WIN, ENC]) expect(await canRead('user', dnOf(name), attr), `alice ${attr} ${name}`).toBe(false);
    for (const p of after.result.data.predictions) {
      for (const c of p.computers.filter((x) => x.name !== 'DC1')) expect([p.account, c.name, c.readWindowsClear, c.resetWindows]).toEqual([p.account, c.name, c.readLegacy, c.resetLegacy]);
    }
  });

  it('a second apply writes nothing', () => {
    const runs = journalRuns();
    const r = cli(['permissions', '--profile', 'lab', '--apply', '--yes', '--out', outDir()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Nothing to change');
    expect(journalRuns()).toBe(runs);
  });

  it('opt-in remediation: the joiner and Web Operators lose their read; rollback gives it back', async () => {
    expect(await canRead('joiner', dnOf('WS-JOINED01'), LEGACY)).toBe(true);
    expect(await canRead('webop', dnOf('SRV-WEB01'), LEGACY)).toBe(true);
    const r = cli(['permissions', '--profile', 'lab', '--per-computer', '--fix-owners', '--remove-all-extended-rights', '--apply', '--yes', '--out', outDir()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Applied run \S+: 2 written/);
    expect(await canRead('joiner', dnOf('WS-JOINED01'), LEGACY)).toBe(false);
    expect(await canRead('joiner', dnOf('WS-JOINED01'), WIN)).toBe(false);
    expect(await canRead('webop', dnOf('SRV-WEB01'), LEGACY)).toBe(false);
    expect(await canRead('webop', dnOf('SRV-WEB01'), ENC)).toBe(false);
    const owner = await (await as('admin')).read(dnOf('WS-JOINED01'), ['nTSecurityDescriptor'], { binaryAttributes: ['nTSecurityDescriptor'], sdFlags: 1 });
    expect(parseSecurityDescriptor(owner!.attributes['ntsecuritydescriptor']![0] as Buffer).owner).toBe(`${lab().domainSid}-512`);
    const back = cli(['rollback', 'last', '--profile', 'lab', '--apply', '--yes']);
    expect(back.code, back.stderr).toBe(0);
    expect(await canRead('joiner', dnOf('WS-JOINED01'), LEGACY)).toBe(true);
    expect(await canRead('webop', dnOf('SRV-WEB01'), LEGACY)).toBe(true);
  });
});
