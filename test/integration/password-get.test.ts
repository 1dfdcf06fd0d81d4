import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseRootKeyFile } from '../../src/dpapi-ng/root-key.js';
import { encryptLapsValue } from '../../src/laps/encrypt-laps-value.js';
import { cli, connectAs, lab, readTreeText, resetLab, testRoot } from './lab-env.js';
import { extendWindowsLapsSchema, integer8 } from './windows-laps-fixture.js';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'dpapi-ng', 'kdf_sha512_ecdh_p256.json');
const SECRET_DA = 'Encrypted-For-DA-7d1e!';
const SECRET_HD = 'Encrypted-For-Helpdesk-3c9a!';
const SECRET_HIST = 'Old-History-Passw0rd-55!';
const CLEAR = 'Clear-Text-WinLAPS-9f2b!';


describe('password get', () => {
  let keyFile: string;
  let state: string;

  beforeAll(async () => {
    const m = lab();
    state = mkdtempSync(join(testRoot(), 'pwstate-'));
    const rootKey = parseRootKeyFile(readFileSync(fixture, 'utf8'))[0]!;
    keyFile = join(mkdtempSync(join(tmpdir(), 'lm-key-')), 'root-key.json');
    writeFileSync(keyFile, readFileSync(fixture), { mode: 0o600 });
    const dir = await connectAs('admin');
    try {
      await extendWindowsLapsSchema(dir);
      const dn = (n: string) => m.computers.find((c) => c.name === n)!.dn;
      const now = new Date();
      await dir.modify(dn('WS-GEN01'), [
        { operation: 'replace', attribute: 'msLAPS-PasswordExpirationTime', values: [integer8(new Date(now.getTime() + 86_400_000 * 20))] },
        { operation: 'replace', attribute: 'msLAPS-EncryptedPassword', values: [encryptLapsValue({ accountName: 'Administrator', password: SECRET_DA }, { rootKey, sid: `${m.domainSid}-512` })] },
        { operation: 'replace', attribute: 'msLAPS-EncryptedPasswordHistory', values: [encryptLapsValue({ accountName: 'Administrator', password: SECRET_HIST }, { rootKey, sid: `${m.domainSid}-512`, keyKind: 'nonce' })] },
      ]);
      await dir.modify(dn('SRV-WEB01'), [
        { operation: 'replace', attribute: 'msLAPS-EncryptedPassword', values: [encryptLapsValue({ accountName: 'LocalAdmin', password: SECRET_HD }, { rootKey, sid: m.groups.helpdesk!.sid })] },
      ]);
      await dir.modify(dn('KIOSK01'), [
        { operation: 'replace', attribute: 'msLAPS-Password', values: [JSON.stringify({ n: 'Administrator', t: '1dc5e8a3b2c1d00', p: CLEAR })] },
      ]);
    } finally {
      await dir.close();
    }
  });

  afterAll(async () => {
    await resetLab();
  });

  it('decrypts an encrypted password and its history with a root key file, masked by default', () => {
    const r = cli(['password', 'get', 'WS-GEN01', '--profile', 'lab', '--root-key', keyFile, '--include-history', '--json'], { env: { XDG_STATE_HOME: state } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const sources = j.entries.map((e: { source: string }) => e.source);
    expect(sources).toEqual(['EncryptedPassword', 'LegacyLapsCleartextPassword', 'EncryptedPasswordHistory']);
    const enc = j.entries[0];
    expect(enc).toMatchObject({ decryptionStatus: 'Success', account: 'Administrator', password: '********', authorizedDecryptor: { sid: `${lab().domainSid}-512`, name: 'Domain Admins' } });
    expect(j.entries[2]).toMatchObject({ decryptionStatus: 'Success', password: '********' });
    expect(r.stdout).not.toContain(SECRET_DA);
  });

  it('--show-password reveals and journals each read, never the value', () => {
    const r = cli(['password', 'get', 'WS-GEN01', '--profile', 'lab', '--root-key', keyFile, '--include-history', '--show-password', '--reason', 'INC-42'], { env: { XDG_STATE_HOME: state } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(SECRET_DA);
    expect(r.stdout).toContain(SECRET_HIST);
    expect(r.stdout).toMatch(/DecryptionStatus\s+Success/);
    const journal = readTreeText(join(state, 'laps-migrate', 'journal'));
    expect(journal).toContain('INC-42');
    expect(journal).toContain('msLAPS-EncryptedPassword');
    expect(journal).toContain('msLAPS-EncryptedPasswordHistory');
    expect(journal).toContain('ms-Mcs-AdmPwd');
    expect(journal).not.toContain(SECRET_DA);
    expect(journal).not.toContain(SECRET_HIST);
    const legacy = readFileSync(lab().accounts.admin!.passwordFile, 'utf8');
    expect(journal).not.toContain(legacy);
  });

  it('a blob protected for a group the account is not in is Unauthorized, even with the root key', () => {
    const r = cli(['password', 'get', 'SRV-WEB01', '--profile', 'lab', '--root-key', keyFile, '--show-password', '--json'], { env: { XDG_STATE_HOME: state } });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const enc = j.entries.find((e: { source: string }) => e.source === 'EncryptedPassword');
    expect(enc).toMatchObject({ decryptionStatus: 'Unauthorized', authorizedDecryptor: { sid: lab().groups.helpdesk!.sid, name: 'LAPS Helpdesk' } });
    expect(enc.password).toBeUndefined();
    expect(r.stdout).not.toContain(SECRET_HD);
  });

  it('without a root key file, a root key missing from AD is a decryption error, not a crash', () => {
    const r = cli(['password', 'get', 'WS-GEN01', '--profile', 'lab', '--json'], { env: { XDG_STATE_HOME: state } });
    expect(r.code).toBe(0);
    const enc = JSON.parse(r.stdout).entries[0];
    expect(enc.decryptionStatus).toBe('Error');
    expect(enc.reason).toMatch(/root key/i);
  });

  it('reads clear-text Windows LAPS and legacy passwords; a plain user sees nothing', () => {
    const admin = cli(['password', 'get', 'KIOSK01', '--profile', 'lab', '--show-password', '--json'], { env: { XDG_STATE_HOME: state } });
    expect(JSON.parse(admin.stdout).entries).toMatchObject([{ source: 'CleartextPassword', account: 'Administrator', password: CLEAR, decryptionStatus: 'NotApplicable' }]);
    const m = lab();
    const user = cli(['password', 'get', 'FIN-WS01', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', m.accounts.user!.userPrincipalName, '--password-file', m.accounts.user!.passwordFile]);
    expect(user.code).toBe(0);
    expect(user.stdout).toMatch(/no LAPS password visible/);
  });

  it('the helpdesk delegation is honoured by the DC: hd-erin reads Finance, hd-bob is denied there', () => {
    const m = lab();
    const as = (key: string) => cli(['password', 'get', 'FIN-WS01', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', m.accounts[key]!.userPrincipalName, '--password-file', m.accounts[key]!.passwordFile, '--json']);
    expect(JSON.parse(as('helpdesk2').stdout).entries.map((e: { source: string }) => e.source)).toEqual(['LegacyLapsCleartextPassword']);
    expect(JSON.parse(as('helpdesk').stdout).entries).toEqual([]);
  });

  it('an unknown computer is a clear usage error', () => {
    const r = cli(['password', 'get', 'NO-SUCH-PC', '--profile', 'lab']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/computer "NO-SUCH-PC" not found/);
  });
});
