import { describe, expect, it } from 'vitest';
import { analyzeSchema, type SchemaAnalysis } from '../../../src/steps/schema-analysis.js';
import { snapshotFromJson, snapshotToJson } from '../../../src/steps/schema-snapshot.js';
import { hasBlockers, type Finding } from '../../../src/model/step-result.js';
import { LAPS_ATTRIBUTES, LAPS_PROPERTY_SET_GUID } from '../../../src/laps/attributes.js';
import { InputError } from '../../../src/errors.js';
import { attributeEntry, fixtureText, readAt, snapshot, withoutAttribute, type FixtureName } from './schema-fixtures.js';

function analyze(name: FixtureName, encryption = true): SchemaAnalysis {
  const s = snapshot(name);
  return analyzeSchema(s, { now: readAt(s), encryption });
}

const codes = (a: SchemaAnalysis) => a.findings.map((f) => f.code).sort();
const one = (a: SchemaAnalysis, code: string): Finding => {
  const found = a.findings.filter((f) => f.code === code);
  expect(found, code).toHaveLength(1);
  return found[0]!;
};
const windows = (a: SchemaAnalysis, name: string) => a.windowsLaps.attributes.find((x) => x.expectedName === name)!;

describe('schema analysis on recorded snapshots', () => {
  it('a fresh lab (legacy schema only, DFL 2008 R2, no KDS key) as Administrator', () => {
    const a = analyze('fresh-admin');
    expect(codes(a)).toEqual(['DFL_BELOW_2016', 'DSRM_BACKUP_UNAVAILABLE', 'KDS_ROOT_KEY_MISSING', 'WINDOWS_LAPS_SCHEMA_MISSING']);
    expect(one(a, 'WINDOWS_LAPS_SCHEMA_MISSING').severity).toBe('blocker');
    expect(a.windowsLaps.status).toBe('missing');
    expect(a.windowsLaps.attributes.map((x) => x.status)).toEqual(Array(7).fill('missing'));
    expect(a.windowsLaps.extendedRight.status).toBe('missing');
    expect(a.windowsLaps.attributesToAdd).toHaveLength(7);
    expect(a.windowsLaps.mayContainToAdd).toEqual(LAPS_ATTRIBUTES.filter((x) => x.family === 'windows').map((x) => x.name));
    // legacy: found by attributeID, standard names, allowed on computers
    expect(a.legacy.status).toBe('present');
    expect(a.legacy.renamed).toBe(false);
    expect(a.legacy.attributes.map((x) => [x.name, x.inComputerMayContain, x.searchFlags])).toEqual([
      ['ms-Mcs-AdmPwd', true, 904],
      ['ms-Mcs-AdmPwdExpirationTime', true, 0],
    ]);
    // schema head, master, account
    expect(a.schemaVersion).toEqual({ objectVersion: 69, name: 'Windows Server 2012 R2' });
    expect(a.schemaMaster.boundDcIsMaster).toBe(true);
    expect(a.schemaMaster.dnsHostName).toBe('dc1.lab.example.test');
    expect(a.boundAs).toMatchObject({ schemaAdmin: true, domainAdmin: true, enterpriseAdmin: true });
    // functional level: a blocker for encryption, with the consequence spelled out
    const dfl = one(a, 'DFL_BELOW_2016');
    expect(dfl.severity).toBe('blocker');
    expect(dfl.message).toMatch(/2008 R2.*cannot encrypt.*history.*DSRM/);
    expect(dfl.advice).toMatch(/10006/);
    expect(a.functionalLevels).toMatchObject({ domain: { level: 4, name: '2008 R2' }, forest: { level: 4 }, encryptionSupported: false });
    // the DC and where DSRM backup is possible
    expect(a.domainControllers).toHaveLength(1);
    expect(a.domainControllers[0]).toMatchObject({ name: 'DC1', dnsHostName: 'dc1.lab.example.test', operatingSystem: 'Samba', readOnly: false, globalCatalog: true, schemaMaster: true, boundDc: true, windowsLaps: 'not-windows', dsrmBackup: 'not-possible', functionalLevel: { level: 4, name: '2008 R2' } });
    // KDS: an admin's view is authoritative, so "none" is "missing", with the advice to run Add-KdsRootKey
    expect(a.kds).toMatchObject({ status: 'missing', readableByAccount: true, serviceContainer: false, masterRootKeysContainer: false, rootKeys: [] });
    expect(one(a, 'KDS_ROOT_KEY_MISSING').advice).toMatch(/Add-KdsRootKey/);
    expect(a.schemaChangesNeeded).toBe(true);
    expect(hasBlockers(a.findings)).toBe(true);
  });

  it('a plain user: root keys are "unknown: not readable", not absent; not a Schema Admin', () => {
    const a = analyze('fresh-user');
    expect(codes(a)).toContain('KDS_ROOT_KEY_UNREADABLE');
    expect(codes(a)).not.toContain('KDS_ROOT_KEY_MISSING');
    expect(a.kds).toMatchObject({ status: 'unreadable', readableByAccount: false, serviceContainer: null, masterRootKeysContainer: null });
    expect(one(a, 'KDS_ROOT_KEY_UNREADABLE').message).toMatch(/unknown.*not readable by this account/);
    expect(one(a, 'NOT_SCHEMA_ADMIN').severity).toBe('warning');
    expect(a.boundAs).toMatchObject({ schemaAdmin: false, domainAdmin: false, enterpriseAdmin: false });
    // the schema itself is readable by any account: same verdict as the admin's
    expect(a.windowsLaps.status).toBe('missing');
    expect(a.legacy.status).toBe('present');
  });

  it('a partly extended schema is reported precisely', () => {
    const a = analyze('partial-admin');
    expect(a.windowsLaps.status).toBe('partial');
    expect(a.windowsLaps.attributes.map((x) => [x.expectedName, x.status, x.inComputerMayContain])).toEqual([
      ['msLAPS-PasswordExpirationTime', 'ok', true],
      ['msLAPS-Password', 'mismatch', false],
      ['msLAPS-EncryptedPassword', 'mismatch', false],
      ['msLAPS-EncryptedPasswordHistory', 'name-conflict', false],
      ['msLAPS-EncryptedDSRMPassword', 'missing', false],
      ['msLAPS-EncryptedDSRMPasswordHistory', 'missing', false],
      ['msLAPS-CurrentPasswordVersion', 'missing', false],
    ]);
    const partial = one(a, 'WINDOWS_LAPS_SCHEMA_PARTIAL');
    expect(partial.severity).toBe('blocker');
    expect(partial.message).toContain('msLAPS-EncryptedDSRMPassword, msLAPS-EncryptedDSRMPasswordHistory');
    expect(partial.message).not.toContain('CurrentPasswordVersion');
    // msLAPS-Password lost its confidential flag: a blocker a Schema Admin can fix in place
    const pwd = windows(a, 'msLAPS-Password');
    expect(pwd.differences.map((d) => [d.property, d.severity, d.fixable])).toEqual([['searchFlags', 'blocker', true]]);
    expect(pwd.differences[0]!.found).toBe('8 (preserve-on-delete)');
    expect(pwd.differences[0]!.expected).toBe('904 (preserve-on-delete, confidential, never-value-audit, RODC-filtered)');
    // msLAPS-EncryptedPassword lacks its property set
    const enc = windows(a, 'msLAPS-EncryptedPassword');
    expect(enc.differences.map((d) => [d.property, d.severity, d.found])).toEqual([['attributeSecurityGUID', 'blocker', '(not set)']]);
    const mismatches = a.findings.filter((f) => f.code === 'WINDOWS_LAPS_ATTRIBUTE_MISMATCH');
    expect(mismatches.map((f) => [f.object, f.severity])).toEqual([
      [pwd.dn, 'blocker'],
      [enc.dn, 'blocker'],
    ]);
    expect(mismatches[0]!.evidence).toMatch(/confidential/);
    // the look-alike holds the name with another attributeID
    const hist = windows(a, 'msLAPS-EncryptedPasswordHistory');
    expect(hist.conflict).toMatchObject({ name: 'msLAPS-EncryptedPasswordHistory', attributeId: '1.2.840.113556.1.8000.2554.9999.1' });
    expect(one(a, 'WINDOWS_LAPS_ATTRIBUTE_NAME_CONFLICT').message).toContain('1.2.840.113556.1.6.44.1.4');
    // the class lists only msLAPS-PasswordExpirationTime
    expect(one(a, 'WINDOWS_LAPS_NOT_IN_COMPUTER_MAYCONTAIN').message).toContain('msLAPS-Password, msLAPS-EncryptedPassword');
    expect(one(a, 'WINDOWS_LAPS_NOT_IN_COMPUTER_MAYCONTAIN').message).not.toContain('PasswordExpirationTime');
    expect(one(a, 'LAPS_EXTENDED_RIGHT_MISSING').severity).toBe('blocker');
    // what apply may add: the missing ones, never the conflicting one; the class gets the others
    expect(a.windowsLaps.attributesToAdd).toEqual(['encryptedDsrmPassword', 'encryptedDsrmPasswordHistory', 'currentPasswordVersion']);
    expect(a.windowsLaps.mayContainToAdd).toEqual(['msLAPS-Password', 'msLAPS-EncryptedPassword', 'msLAPS-EncryptedDSRMPassword', 'msLAPS-EncryptedDSRMPasswordHistory', 'msLAPS-CurrentPasswordVersion']);
  });

  it('after the apply: schema complete, root key usable, only the functional level blocks encryption', () => {
    const a = analyze('extended-admin');
    expect(codes(a)).toEqual(['DFL_BELOW_2016', 'DSRM_BACKUP_UNAVAILABLE', 'KDS_ROOT_KEY_READY', 'WINDOWS_LAPS_SCHEMA_READY']);
    expect(a.windowsLaps.status).toBe('complete');
    expect(a.windowsLaps.attributes.every((x) => x.status === 'ok' && x.inComputerMayContain && x.differences.length === 0)).toBe(true);
    expect(a.windowsLaps.attributes.filter((x) => x.schemaIdGuid).length).toBe(7);
    expect(a.windowsLaps.extendedRight).toMatchObject({ status: 'ok', rightsGuid: LAPS_PROPERTY_SET_GUID, validAccesses: 48, appliesToComputer: true });
    expect(a.schemaChangesNeeded).toBe(false);
    expect(a.kds.status).toBe('usable');
    expect(a.kds.rootKeys).toHaveLength(1);
    expect(a.kds.rootKeys[0]).toMatchObject({ kdfAlgorithm: 'SP800_108_CTR_HMAC', kdfHash: 'SHA512', secretAgreement: 'DH', privateKeyLength: 512, publicKeyLength: 2048, usableNow: true });
    expect(one(a, 'KDS_ROOT_KEY_READY').evidence).toContain(a.kds.rootKeys[0]!.id);
  });

  it('with the functional level at 2016 every check passes (no blocker)', () => {
    const a = analyze('ready-admin');
    expect(hasBlockers(a.findings)).toBe(false);
    expect(codes(a)).toEqual(['DFL_SUPPORTS_ENCRYPTION', 'DSRM_BACKUP_UNAVAILABLE', 'KDS_ROOT_KEY_READY', 'WINDOWS_LAPS_SCHEMA_READY']);
    expect(a.functionalLevels).toMatchObject({ domain: { level: 7, name: '2016' }, encryptionSupported: true });
    expect(a.domainControllers[0]!.functionalLevel).toEqual({ level: 7, name: '2016' });
  });

  it('a plain user sees the complete schema but cannot tell about root keys', () => {
    const a = analyze('extended-user');
    expect(a.windowsLaps.status).toBe('complete');
    expect(a.kds.status).toBe('unreadable');
    expect(codes(a)).not.toContain('NOT_SCHEMA_ADMIN'); // nothing to change, so no need to say it
  });

  it('a renamed legacy schema is found by attributeID', () => {
    const a = analyze('renamed-admin');
    expect(a.legacy.status).toBe('present');
    expect(a.legacy.renamed).toBe(true);
    expect(a.legacy.attributes.map((x) => x.name)).toEqual(['ms-Contoso-AdmPwd', 'ms-Contoso-AdmPwdExpirationTime']);
    expect(a.legacy.attributes.every((x) => x.inComputerMayContain)).toBe(true);
    const renamed = a.findings.filter((f) => f.code === 'LEGACY_SCHEMA_RENAMED');
    expect(renamed.map((f) => f.message)).toEqual([
      'The legacy attribute ms-Mcs-AdmPwd is named ms-Contoso-AdmPwd in this forest (found by its attributeID).',
      'The legacy attribute ms-Mcs-AdmPwdExpirationTime is named ms-Contoso-AdmPwdExpirationTime in this forest (found by its attributeID).',
    ]);
  });
});

describe('schema analysis on variations of the recordings', () => {
  it('--no-encryption turns the functional level and root key blockers into warnings', () => {
    const a = analyze('fresh-admin', false);
    expect(one(a, 'DFL_BELOW_2016').severity).toBe('warning');
    expect(one(a, 'DFL_BELOW_2016').advice).toMatch(/ADPasswordEncryptionEnabled=0/);
    expect(one(a, 'KDS_ROOT_KEY_MISSING').severity).toBe('warning');
    expect(one(a, 'WINDOWS_LAPS_SCHEMA_MISSING').severity).toBe('blocker');
  });

  it('a root key that is not usable yet', () => {
    const s = snapshot('extended-admin');
    const from = new Date(analyzeSchema(s, { now: readAt(s) }).kds.rootKeys[0]!.usableFrom!);
    const a = analyzeSchema(s, { now: new Date(from.getTime() - 3600_000) });
    expect(a.kds.status).toBe('not-yet-effective');
    expect(one(a, 'KDS_ROOT_KEY_NOT_YET_EFFECTIVE').message).toContain(from.toISOString());
    expect(one(a, 'KDS_ROOT_KEY_NOT_YET_EFFECTIVE').severity).toBe('warning');
  });

  it('only msLAPS-CurrentPasswordVersion missing (an earlier Update-LapsADSchema) is a warning, not a partial schema', () => {
    const s = withoutAttribute(snapshot('ready-admin'), 'msLAPS-CurrentPasswordVersion');
    const a = analyzeSchema(s, { now: readAt(s) });
    expect(one(a, 'WINDOWS_LAPS_VERSION_ATTRIBUTE_MISSING').severity).toBe('warning');
    expect(codes(a)).not.toContain('WINDOWS_LAPS_SCHEMA_PARTIAL');
    expect(hasBlockers(a.findings)).toBe(false);
    expect(a.windowsLaps.attributesToAdd).toEqual(['currentPasswordVersion']);
    expect(a.windowsLaps.mayContainToAdd).toEqual(['msLAPS-CurrentPasswordVersion']);
  });

  it('a syntax change cannot be fixed in place', () => {
    const s = snapshot('extended-admin');
    attributeEntry(s, 'msLAPS-EncryptedPasswordHistory').attributes['issinglevalued'] = ['TRUE'];
    attributeEntry(s, 'msLAPS-EncryptedPasswordHistory').attributes['omsyntax'] = ['127'];
    const a = analyzeSchema(s, { now: readAt(s) });
    const f = one(a, 'WINDOWS_LAPS_ATTRIBUTE_MISMATCH');
    expect(f.severity).toBe('blocker');
    expect(f.message).toContain('oMSyntax, isSingleValued');
    expect(f.advice).toMatch(/cannot be changed/);
    expect(windows(a, 'msLAPS-EncryptedPasswordHistory').differences.every((d) => !d.fixable)).toBe(true);
  });

  it('an RODC-filtering bit lost is a warning; a wrong range too', () => {
    const s = snapshot('extended-admin');
    attributeEntry(s, 'msLAPS-EncryptedDSRMPassword').attributes['searchflags'] = [String(904 & ~0x200)];
    attributeEntry(s, 'msLAPS-CurrentPasswordVersion').attributes['rangeupper'] = ['32'];
    const a = analyzeSchema(s, { now: readAt(s) });
    const f = a.findings.filter((x) => x.code === 'WINDOWS_LAPS_ATTRIBUTE_MISMATCH');
    expect(f.map((x) => x.severity)).toEqual(['warning', 'warning']);
    expect(f[0]!.evidence).toMatch(/RODC/);
  });

  it('the extended right: validAccesses without read/write is a blocker, appliesTo missing a warning', () => {
    const s = snapshot('extended-admin');
    s.extendedRights[0]!.attributes['validaccesses'] = ['256'];
    let a = analyzeSchema(s, { now: readAt(s) });
    expect(one(a, 'LAPS_EXTENDED_RIGHT_MISMATCH').severity).toBe('blocker');
    s.extendedRights[0]!.attributes['validaccesses'] = ['48'];
    delete s.extendedRights[0]!.attributes['appliesto'];
    a = analyzeSchema(s, { now: readAt(s) });
    expect(one(a, 'LAPS_EXTENDED_RIGHT_MISMATCH').severity).toBe('warning');
    expect(a.windowsLaps.status).toBe('partial');
  });

  it('legacy: partial, missing, not in the computer class, not confidential', () => {
    let s = withoutAttribute(snapshot('fresh-admin'), 'ms-Mcs-AdmPwdExpirationTime');
    let a = analyzeSchema(s, { now: readAt(s) });
    expect(a.legacy.status).toBe('partial');
    expect(one(a, 'LEGACY_SCHEMA_PARTIAL').message).toContain('ms-Mcs-AdmPwdExpirationTime');
    s = withoutAttribute(s, 'ms-Mcs-AdmPwd');
    a = analyzeSchema(s, { now: readAt(s) });
    expect(one(a, 'LEGACY_SCHEMA_MISSING').severity).toBe('info');
    s = snapshot('fresh-admin');
    s.computerClass!.attributes['maycontain'] = (s.computerClass!.attributes['maycontain'] ?? []).filter((v) => v !== 'ms-Mcs-AdmPwd');
    attributeEntry(s, 'ms-Mcs-AdmPwd').attributes['searchflags'] = ['8'];
    a = analyzeSchema(s, { now: readAt(s) });
    expect(one(a, 'LEGACY_NOT_IN_COMPUTER_MAYCONTAIN').message).toContain('ms-Mcs-AdmPwd');
    expect(one(a, 'LEGACY_NOT_IN_COMPUTER_MAYCONTAIN').message).not.toContain('ExpirationTime');
    expect(one(a, 'LEGACY_PASSWORD_NOT_CONFIDENTIAL').severity).toBe('warning');
  });

  it('bound to a DC that is not the schema master', () => {
    const s = snapshot('fresh-admin');
    s.schemaHead!.attributes['fsmoroleowner'] = [`CN=NTDS Settings,CN=DC2,CN=Servers,CN=Default-First-Site-Name,CN=Sites,${s.naming.configurationNamingContext}`];
    const a = analyzeSchema(s, { now: readAt(s) });
    expect(a.schemaMaster.boundDcIsMaster).toBe(false);
    expect(one(a, 'NOT_SCHEMA_MASTER').severity).toBe('warning');
    expect(a.domainControllers[0]!.schemaMaster).toBe(false);
  });

  it('Windows DCs: DSRM backup possible, if patched, or not, by OS; read-only DCs unknown', () => {
    const s = snapshot('ready-admin');
    const dc = s.domainControllers[0]!;
    const variant = (name: string, os: string, ver: string, uac = '532480') => ({
      dn: dc.dn.replace('CN=DC1', `CN=${name}`),
      attributes: { ...dc.attributes, cn: [name], operatingsystem: [os], operatingsystemversion: [ver], useraccountcontrol: [uac], serverreferencebl: [] },
    });
    s.domainControllers = [
      variant('DC25', 'Windows Server 2025 Datacenter', '10.0 (26100)'),
      variant('DC22', 'Windows Server 2022 Standard', '10.0 (20348)'),
      variant('DC16', 'Windows Server 2016 Standard', '10.0 (14393)'),
      variant('RODC1', 'Windows Server 2022 Standard', '10.0 (20348)', String(0x4000000 | 0x1000)),
    ];
    const a = analyzeSchema(s, { now: readAt(s) });
    expect(a.domainControllers.map((d) => [d.name, d.dsrmBackup, d.readOnly])).toEqual([
      ['DC16', 'not-possible', false],
      ['DC22', 'if-patched', false],
      ['DC25', 'possible', false],
      ['RODC1', 'unknown', true],
    ]);
    expect(one(a, 'DSRM_BACKUP_UNAVAILABLE').message).toContain('DC16, RODC1');
  });
});

describe('schema snapshots', () => {
  it('round-trip through JSON byte for byte', () => {
    for (const name of ['fresh-admin', 'partial-admin', 'extended-admin', 'renamed-admin'] as FixtureName[]) {
      expect(snapshotToJson(snapshotFromJson(fixtureText(name)))).toBe(fixtureText(name));
    }
  });

  it('hold no root key data, even for an admin who can read root keys', () => {
    for (const name of ['extended-admin', 'ready-admin'] as FixtureName[]) {
      expect(fixtureText(name).toLowerCase()).not.toContain('rootkeydata');
      expect(snapshot(name).kds.rootKeys).toHaveLength(1);
    }
  });

  it('malformed snapshots are input errors', () => {
    expect(() => snapshotFromJson('{')).toThrow(InputError);
    expect(() => snapshotFromJson('{"format": 2}')).toThrow(/format/);
    const s = JSON.parse(fixtureText('fresh-admin')) as Record<string, unknown>;
    s.attributeSchemas = [{ dn: 'CN=x', attributes: { cn: [42] } }];
    expect(() => snapshotFromJson(JSON.stringify(s))).toThrow(/neither text nor/);
  });
});
