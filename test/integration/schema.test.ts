import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cli, connectAs, lab, labDir, resetLab, testRoot, type CliResult } from './lab-env.js';
import { extendWindowsLapsSchema } from './windows-laps-fixture.js';
import { setLabFunctionalLevel } from '../../src/lab/functional-level.js';
import { readLapsSchema } from '../../src/directory/laps-schema.js';
import { ROOT_KEY_ATTRIBUTES, ROOT_KEY_BINARY_ATTRIBUTES, rootKeyFromDirectoryEntry, type RootKey } from '../../src/dpapi-ng/root-key.js';
import { encryptLapsValue } from '../../src/laps/encrypt-laps-value.js';
import { decryptLapsValue } from '../../src/laps/decrypt-laps-value.js';
import { LAPS_PROPERTY_SET_GUID } from '../../src/laps/attributes.js';
import { windowsLapsAttributeEntries } from '../../src/laps/schema-entries.js';
import type { SchemaResult } from '../../src/steps/schema.js';

const state = () => join(testRoot(), 'schema-state');
const reports = () => join(testRoot(), 'schema-reports');
const runsDir = () => join(state(), 'laps-migrate', 'journal', 'runs');
const journalRuns = () => (existsSync(runsDir()) ? readdirSync(runsDir()).filter((f) => f.includes('-schema-')).sort() : []);

function schema(args: string[]): CliResult {
  return cli(['schema', ...args, '--out', reports()], { env: { XDG_STATE_HOME: state() } });
}

function asUser(key: string): string[] {
  const m = lab();
  const a = m.accounts[key]!;
  return ['--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', a.userPrincipalName, '--password-file', a.passwordFile];
}

function parse(r: CliResult): SchemaResult {
  try {
    return JSON.parse(r.stdout) as SchemaResult;
  } catch {
    throw new Error(`not JSON (exit ${r.code}): ${r.stdout.slice(0, 300)} ${r.stderr.slice(0, 300)}`);
  }
}

const codes = (r: SchemaResult) => r.findings.map((f) => f.code).sort();
const severity = (r: SchemaResult, code: string) => r.findings.find((f) => f.code === code)?.severity;

async function windowsAttributesInSchema(): Promise<string[]> {
  const dir = await connectAs('admin');
  try {
    const s = await readLapsSchema(dir);
    return Object.values(s).filter((a) => a!.attributeId.startsWith('1.2.840.113556.1.6.44.')).map((a) => a!.name);
  } finally {
    await dir.close();
  }
}

async function readRootKeys(): Promise<RootKey[]> {
  const m = lab();
  const dir = await connectAs('admin');
  try {
    const entries = await dir.searchAll({
      base: `CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services,${m.configDn}`,
      scope: 'one',
      filter: '(objectClass=msKds-ProvRootKey)',
      attributes: [...ROOT_KEY_ATTRIBUTES],
      binaryAttributes: [...ROOT_KEY_BINARY_ATTRIBUTES],
    });
    return entries.map(rootKeyFromDirectoryEntry);
  } finally {
    await dir.close();
  }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

describe('schema step against the lab', () => {
  const outputs: CliResult[] = [];

  beforeAll(async () => {
    await resetLab();
  });

  afterAll(async () => {
    await resetLab();
  });

  it('a fresh lab (legacy schema only) reports the Windows LAPS schema missing and DFL 2008 R2 as an encryption blocker', () => {
    const snap = join(testRoot(), 'schema-fresh.json');
    const r = schema(['--profile', 'lab', '--json', '--save-snapshot', snap]);
    expect(r.code, r.stderr).toBe(3);
    const j = parse(r);
    expect(j.schemaVersion).toBe(1);
    expect(codes(j)).toEqual(['DFL_BELOW_2016', 'DSRM_BACKUP_UNAVAILABLE', 'KDS_ROOT_KEY_MISSING', 'WINDOWS_LAPS_SCHEMA_MISSING']);
    expect(severity(j, 'DFL_BELOW_2016')).toBe('blocker');
    expect(severity(j, 'KDS_ROOT_KEY_MISSING')).toBe('blocker');
    expect(j.data.legacy).toMatchObject({ status: 'present', renamed: false });
    expect(j.data.functionalLevels.domain).toEqual({ level: 4, name: '2008 R2' });
    expect(j.data.schemaMaster).toMatchObject({ boundDcIsMaster: true, dnsHostName: lab().dnsHostName });
    expect(j.data.domainControllers.map((d) => [d.dnsHostName, d.operatingSystem, d.dsrmBackup])).toEqual([[lab().dnsHostName, 'Samba', 'not-possible']]);
    expect(j.data.plan.changes).toHaveLength(9);
    expect(journalRuns()).toEqual([]);
    const report = (j as SchemaResult & { report: string }).report;
    expect(readdirSync(report).sort()).toEqual(['attributes.csv', 'domain-controllers.csv', 'kds-root-keys.csv', 'planned-changes.csv', 'report.html', 'run.json', 'schema.json', 'summary.md']);
    // the same check offline, from the snapshot it saved
    expect(statSync(snap).mode & 0o777).toBe(0o600);
    const offline = parse(schema(['--from-snapshot', snap, '--json']));
    expect(codes(offline)).toEqual(codes(j));
    expect(offline.data.source).toBe('snapshot');
    outputs.push(r);
  });

  it('a plain user: root keys "unknown", and --apply stops with "not a Schema Admin" (exit 6), nothing written', async () => {
    const check = parse(schema([...asUser('user'), '--json']));
    expect(codes(check)).toContain('KDS_ROOT_KEY_UNREADABLE');
    expect(codes(check)).not.toContain('KDS_ROOT_KEY_MISSING');
    expect(codes(check)).toContain('NOT_SCHEMA_ADMIN');
    const r = schema([...asUser('user'), '--apply', '--confirm-irreversible', '--create-kds-root-key']);
    expect(r.code, r.stdout + r.stderr).toBe(6);
    expect(r.stderr).toMatch(/error: CN=alice,.* is not a Schema Admin: the Windows LAPS schema cannot be extended with this account\. Nothing was written\./);
    expect(r.stderr).toMatch(/hint: .*Schema Admins/);
    expect(journalRuns()).toEqual([]);
    expect(await windowsAttributesInSchema()).toEqual([]);
  });

  it('--apply without --confirm-irreversible in a non-interactive run writes nothing (exit 2)', async () => {
    const r = schema(['--profile', 'lab', '--apply']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Plan for step "schema": 9 changes, 9 IRREVERSIBLE');
    expect(r.stderr).toMatch(/9 irreversible changes; nothing was written/);
    expect(r.stderr).toMatch(/--confirm-irreversible/);
    expect(journalRuns()).toEqual([]);
    expect(await windowsAttributesInSchema()).toEqual([]);
  });

  it('a partly extended schema is reported precisely, and apply adds only what is missing', async () => {
    const m = lab();
    const setup = await connectAs('admin');
    try {
      const e = windowsLapsAttributeEntries(m.schemaDn).find((x) => x.attributes.lDAPDisplayName![0] === 'msLAPS-PasswordExpirationTime')!;
      await setup.add(e.dn, e.attributes);
    } finally {
      await setup.close();
    }
    const partial = parse(schema(['--profile', 'lab', '--json']));
    expect(partial.data.windowsLaps.status).toBe('partial');
    expect(codes(partial)).toEqual(['DFL_BELOW_2016', 'DSRM_BACKUP_UNAVAILABLE', 'KDS_ROOT_KEY_MISSING', 'LAPS_EXTENDED_RIGHT_MISSING', 'WINDOWS_LAPS_NOT_IN_COMPUTER_MAYCONTAIN', 'WINDOWS_LAPS_SCHEMA_PARTIAL']);
    expect(partial.findings.find((f) => f.code === 'WINDOWS_LAPS_NOT_IN_COMPUTER_MAYCONTAIN')!.message).toContain('msLAPS-PasswordExpirationTime');
    // the plan: the right, the six other attributes, the class (with all seven names)
    expect(partial.data.plan.changes.map((c) => c.dn.split(',')[0])).toEqual([
      'CN=ms-LAPS-Encrypted-Password-Attributes', 'CN=ms-LAPS-Password', 'CN=ms-LAPS-EncryptedPassword', 'CN=ms-LAPS-EncryptedPasswordHistory',
      'CN=ms-LAPS-EncryptedDSRMPassword', 'CN=ms-LAPS-EncryptedDSRMPasswordHistory', 'CN=ms-LAPS-CurrentPasswordVersion', 'CN=Computer',
    ]);

    const started = Date.now();
    const r = schema(['--profile', 'lab', '--apply', '--confirm-irreversible', '--create-kds-root-key', '--effective-now', '--json']);
    const ms = Date.now() - started;
    outputs.push(r);
    // the functional level still blocks encryption; everything else passes
    expect(r.code, r.stderr).toBe(3);
    const j = parse(r);
    expect(j.data.apply?.exitCode).toBe(0);
    expect(j.data.apply?.runs.map((x) => [x.phase, x.status, x.counts.applied])).toEqual([
      ['schema-objects', 'completed', 7],
      ['computer-class', 'completed', 1],
      ['kds', 'completed', 3],
    ]);
    expect(j.data.apply?.schemaUpdateNow.map((u) => [u.after, u.ok])).toEqual([['schema-objects', true], ['computer-class', true]]);
    expect(codes(j)).toEqual(['DFL_BELOW_2016', 'DSRM_BACKUP_UNAVAILABLE', 'KDS_ROOT_KEY_READY', 'WINDOWS_LAPS_SCHEMA_READY']);
    expect(j.data.windowsLaps.status).toBe('complete');
    expect(j.data.kds.rootKeys.map((k) => [k.kdfAlgorithm, k.kdfHash, k.secretAgreement, k.publicKeyLength, k.usableNow])).toEqual([['SP800_108_CTR_HMAC', 'SHA512', 'DH', 2048, true]]);
    expect(journalRuns()).toHaveLength(3);
    // what the DC now has, read by the shared schema reader
    const dir = await connectAs('admin');
    try {
      const s = await readLapsSchema(dir);
      expect(Object.keys(s).sort()).toEqual(['currentPasswordVersion', 'encryptedDsrmPassword', 'encryptedDsrmPasswordHistory', 'encryptedPassword', 'encryptedPasswordHistory', 'expiration', 'legacyExpiration', 'legacyPassword', 'password']);
      for (const k of ['encryptedPassword', 'encryptedPasswordHistory', 'encryptedDsrmPassword', 'encryptedDsrmPasswordHistory', 'currentPasswordVersion'] as const) {
        expect(s[k], k).toMatchObject({ attributeSecurityGuid: LAPS_PROPERTY_SET_GUID, searchFlags: 904 });
      }
      expect(s.password).toMatchObject({ searchFlags: 904, attributeSecurityGuid: undefined, attributeSyntax: '2.5.5.5', oMSyntax: 19 });
      expect(s.encryptedPasswordHistory?.singleValued).toBe(false);
    } finally {
      await dir.close();
    }
    process.stderr.write(`[schema] apply of 11 changes in 3 journal runs (CLI, incl. connect, verify, report): ${ms} ms\n`);
  });

  it('the root key secret is never printed, journaled or reported', async () => {
    const [key] = await readRootKeys();
    expect(key).toBeDefined();
    const forms = [key!.keyData.toString('hex'), key!.keyData.toString('hex').toUpperCase(), key!.keyData.toString('base64'), key!.keyData.subarray(0, 16).toString('base64')];
    const texts = [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...[...filesUnder(state()), ...filesUnder(reports())].map((f) => readFileSync(f, 'latin1'))];
    expect(texts.length).toBeGreaterThan(10);
    for (const t of texts) for (const f of forms) expect(t).not.toContain(f);
    // the journal knows there was a 64-byte secret, nothing more
    const kdsRuns = journalRuns().map((f) => readFileSync(join(runsDir(), f), 'utf8')).filter((t) => t.includes('"phase":"kds"'));
    expect(kdsRuns).toHaveLength(1);
    const kdsRun = kdsRuns[0]!;
    expect(kdsRun).toContain('"msKds-RootKeyData":{"redacted":true,"present":true,"count":1,"lengths":[64]}');
  });

  it('a second apply changes nothing', () => {
    const before = journalRuns();
    const r = schema(['--profile', 'lab', '--apply', '--confirm-irreversible', '--create-kds-root-key']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('Plan for step "schema": 0 changes');
    expect(r.stdout).toContain('A KDS root key already exists');
    expect(r.stdout).toContain('Nothing to change: everything this step can do is already in place.');
    expect(journalRuns()).toEqual(before);
  });

  it('the inventory fixture goes through the step and finds nothing left to do', async () => {
    const before = journalRuns();
    const dir = await connectAs('admin');
    try {
      await extendWindowsLapsSchema(dir);
    } finally {
      await dir.close();
    }
    expect(journalRuns()).toEqual(before);
  });

  it('the created root key decrypts a LAPS value made by the DPAPI-NG module and stored in the new attribute', async () => {
    const m = lab();
    const [key] = await readRootKeys();
    const target = m.computers.find((c) => c.name === 'WS-GEN01')!.dn;
    const value = encryptLapsValue({ accountName: 'Administrator', password: 'lab-only round trip' }, { rootKey: key!, sid: `${m.domainSid}-512` });
    const admin = await connectAs('admin');
    try {
      await admin.modify(target, [{ operation: 'replace', attribute: 'msLAPS-EncryptedPassword', values: [value] }]);
      const back = await admin.read(target, ['msLAPS-EncryptedPassword'], { binaryAttributes: ['msLAPS-EncryptedPassword'] });
      const stored = back!.attributes['mslaps-encryptedpassword']![0] as Buffer;
      expect(stored.equals(value)).toBe(true);
      const opened = await decryptLapsValue(stored, (id) => (id === key!.id ? key : undefined));
      expect(opened.payload).toMatchObject({ accountName: 'Administrator', password: 'lab-only round trip' });
      expect(opened.blob.rootKeyId).toBe(key!.id);
    } finally {
      await admin.close();
    }
    // confidential (searchFlags 904): a plain user sees no value
    const user = await connectAs('user');
    try {
      const seen = await user.read(target, ['msLAPS-EncryptedPassword'], { binaryAttributes: ['msLAPS-EncryptedPassword'] });
      expect(seen?.attributes['mslaps-encryptedpassword'] ?? []).toEqual([]);
    } finally {
      await user.close();
    }
  });

  it('with the functional level raised offline to 2016, nothing blocks (exit 0)', async () => {
    await setLabFunctionalLevel(labDir(), 7);
    const r = schema(['--profile', 'lab', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = parse(r);
    expect(codes(j)).toEqual(['DFL_SUPPORTS_ENCRYPTION', 'DSRM_BACKUP_UNAVAILABLE', 'KDS_ROOT_KEY_READY', 'WINDOWS_LAPS_SCHEMA_READY']);
    expect(j.data.functionalLevels).toMatchObject({ domain: { level: 7, name: '2016' }, forest: { level: 7 }, encryptionSupported: true });
    expect(j.findings.every((f) => f.severity !== 'blocker')).toBe(true);
  });
});
