/** `laps-migrate dpapi-ng decrypt|inspect|encrypt`, run in-process on a fresh commander program. */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { decodeBlobFileContent, registerDpapiNg, type SecretRevealedEvent } from '../../../src/cli/dpapi-ng.js';
import { decryptDpapiNg } from '../../../src/dpapi-ng/decrypt-dpapi-ng.js';
import { parseDpapiNgBlob } from '../../../src/dpapi-ng/dpapi-ng-blob.js';
import { groupKeyIdForTime } from '../../../src/dpapi-ng/group-key-id.js';
import { decryptLapsValue } from '../../../src/laps/decrypt-laps-value.js';
import { encryptLapsValue } from '../../../src/laps/encrypt-laps-value.js';
import { fixtureText, loadVector } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'dpapi-ng-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer, mode = 0o600): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  chmodSync(p, mode);
  return p;
}

const p256 = loadVector('kdf_sha512_ecdh_p256');
const rootKeyFile = file('p256.json', fixtureText('kdf_sha512_ecdh_p256.json'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  events: SecretRevealedEvent[];
}

async function run(args: string[], stdin?: Buffer): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const events: SecretRevealedEvent[] = [];
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  const program = new Command().exitOverride().configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  registerDpapiNg(program, {
    onSecretRevealed: (e) => {
      events.push(e);
    },
    readStdin: () => {
      if (!stdin) throw new Error('no stdin in this test');
      return stdin;
    },
  });
  process.exitCode = undefined;
  let code: number;
  try {
    await program.parseAsync(['node', 'laps-migrate', 'dpapi-ng', ...args]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    code = (e as { exitCode?: number }).exitCode ?? 1;
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr, events };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('dpapi-ng decrypt', () => {
  it('prints the plaintext of a Windows vector as one hex line and reports the read', async () => {
    const r = await run(['decrypt', '--root-key', rootKeyFile, '--blob-hex', p256.json.Data as string]);
    expect(r).toMatchObject({ code: 0, stdout: '00\n', stderr: '' });
    expect(r.events).toEqual([
      { command: 'dpapi-ng decrypt', source: 'dpapi-ng-blob', input: 'hex', rootKeyId: p256.rootKey.id, sid: 'S-1-5-18', accountName: undefined },
    ]);
  });

  it('--json on an msLAPS-Encrypted* value shows key id, SID, timestamps and the payload', async () => {
    const time = new Date('2025-02-03T04:05:06Z');
    const value = encryptLapsValue({ accountName: 'LocalAdm', password: 'Wibble-42!' }, { rootKey: p256.rootKey, sid: 'S-1-5-21-7-8-9-512', time });
    const blobFile = file('value.bin', value);
    const r = await run(['decrypt', '--root-key', rootKeyFile, '--blob-file', blobFile, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      source: 'laps-value',
      rootKeyId: p256.rootKey.id,
      sid: 'S-1-5-21-7-8-9-512',
      protectionDescriptor: 'SID=S-1-5-21-7-8-9-512',
      keyKind: 'ECDH_P256',
      contentPlacement: 'detached',
      header: { updateTime: time.toISOString(), size: value.length - 16, reserved: 0 },
      payload: { accountName: 'LocalAdm', updateTime: time.toISOString(), password: 'Wibble-42!' },
      ...groupKeyIdForTime(time),
    });
    expect(Buffer.from(j.plaintextHex, 'hex').toString('utf16le')).toContain('"p":"Wibble-42!"');
    expect(r.events[0]).toMatchObject({ source: 'laps-value', input: 'file', accountName: 'LocalAdm' });
    expect(JSON.stringify(r.events)).not.toContain('Wibble');
  });

  it('accepts hex and base64 text files and stdin', async () => {
    const hexFile = file('blob.hex', `${(p256.json.Data as string).toLowerCase().replace(/(.{64})/g, '$1\n')}\n`);
    expect((await run(['decrypt', '--root-key', rootKeyFile, '--blob-file', hexFile])).stdout).toBe('00\n');
    const b64File = file('blob.b64', Buffer.from(p256.json.Data as string, 'hex').toString('base64'));
    expect((await run(['decrypt', '--root-key', rootKeyFile, '--blob-file', b64File])).stdout).toBe('00\n');
    const viaStdin = await run(['decrypt', '--root-key', rootKeyFile, '--blob-file', '-'], Buffer.from(p256.json.Data as string, 'hex'));
    expect(viaStdin.stdout).toBe('00\n');
    expect(viaStdin.events[0]!.input).toBe('stdin');
  });

  it('exit 7 for a wrong root key, 2 for a malformed blob, neither reveals anything', async () => {
    const other = file('other.json', fixtureText('kdf_sha256_nonce.json'));
    const wrong = await run(['decrypt', '--root-key', other, '--blob-hex', p256.json.Data as string]);
    expect(wrong.code).toBe(7);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/^error: cannot decrypt: the blob was encrypted with KDS root key af562727/);
    expect(wrong.events).toEqual([]);

    const tampered = Buffer.from(p256.json.Data as string, 'hex');
    tampered[tampered.length - 1]! ^= 1;
    const auth = await run(['decrypt', '--root-key', rootKeyFile, '--blob-hex', tampered.toString('hex')]);
    expect(auth.code).toBe(7);
    expect(auth.stderr).toMatch(/failed authentication/);
    expect(auth.stdout).toBe('');

    const malformed = await run(['decrypt', '--root-key', rootKeyFile, '--blob-hex', (p256.json.Data as string).slice(0, 200)]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/malformed DPAPI-NG blob/);
    expect(malformed.stdout).toBe('');
  });

  it('usage errors: both or neither blob option, bad hex, unreadable or invalid root key file', async () => {
    expect((await run(['decrypt', '--root-key', rootKeyFile])).code).toBe(2);
    expect((await run(['decrypt', '--root-key', rootKeyFile, '--blob-hex', 'ab', '--blob-file', rootKeyFile])).code).toBe(2);
    const odd = await run(['decrypt', '--root-key', rootKeyFile, '--blob-hex', 'abc']);
    expect(odd).toMatchObject({ code: 2 });
    expect(odd.stderr).toMatch(/odd number of hex digits/);
    const missing = await run(['decrypt', '--root-key', join(dir, 'nope.json'), '--blob-hex', 'abcd']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read --root-key file .*ENOENT/);
    const broken = file('broken.json', JSON.stringify({ ...JSON.parse(fixtureText('kdf_sha512_ecdh_p256.json')), RootKeyId: 'x' }));
    const bad = await run(['decrypt', '--root-key', broken, '--blob-hex', p256.json.Data as string]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/root key: RootKeyId is not a GUID/);
  });

  it('warns when the root key file is readable by others, without printing the key', async () => {
    const loose = file('loose.json', fixtureText('kdf_sha512_ecdh_p256.json'), 0o644);
    const r = await run(['decrypt', '--root-key', loose, '--blob-hex', p256.json.Data as string]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/readable by other users \(mode 644\)/);
    expect(r.stderr.toLowerCase()).not.toContain(p256.rootKey.keyData.toString('hex').slice(0, 16));
  });
});

describe('dpapi-ng inspect', () => {
  it('shows what needs no key, as text and JSON', async () => {
    const nonce = loadVector('kdf_sha256_nonce');
    const r = await run(['inspect', '--blob-hex', nonce.json.Data as string]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('input:                 bare DPAPI-NG blob');
    expect(r.stdout).toContain('root key id:           2491e5f1-c935-27c4-22ba-b85f61b24768');
    expect(r.stdout).toMatch(/group key: +L0 361, L1 17, L2 13 \(key period from 2023-/);
    expect(r.stdout).toContain('protection descriptor: SID=S-1-5-21-1773909632-2404839780-3841274756-1104');
    expect(r.stdout).toContain('key derivation:        seed key + nonce');
    expect(r.stdout).toContain('domain / forest:       dpaping.test / dpaping.test');
    expect(r.events).toEqual([]);

    const value = encryptLapsValue({ accountName: 'a', password: 'hunter2-but-longer' }, { rootKey: p256.rootKey, sid: 'S-1-5-32-544', time: new Date('2024-12-24T18:00:00Z') });
    const j = JSON.parse((await run(['inspect', '--blob-hex', value.toString('hex'), '--json'])).stdout);
    expect(j).toMatchObject({ source: 'laps-value', sid: 'S-1-5-32-544', keyKind: 'ECDH_P256', header: { updateTime: '2024-12-24T18:00:00.000Z', size: value.length - 16 } });
    expect(JSON.stringify(j)).not.toContain('hunter2');
  });

  it('reports what is wrong with a damaged header (exit 2)', async () => {
    const value = encryptLapsValue({ accountName: 'a', password: 'b' }, { rootKey: p256.rootKey, sid: 'S-1-5-18' });
    value.writeUInt32LE(value.readUInt32LE(8) + 5, 8);
    value.writeUInt32LE(1, 12);
    const r = await run(['inspect', '--blob-hex', value.toString('hex')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/header size field says \d+ bytes follow, but \d+ do; reserved header dword is 0x00000001/);
  });
});

describe('dpapi-ng encrypt', () => {
  it('--laps: password from a file, --account, a complete msLAPS-Encrypted* value', async () => {
    const pw = file('pw.txt', 'C0rrect-Horse-Battery!\n');
    const r = await run(['encrypt', '--root-key', rootKeyFile, '--sid', 'S-1-5-21-1-2-3-1104', '--plaintext-file', pw, '--laps', '--account', 'LapsAdmin']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^[0-9a-f]+\n$/);
    expect(r.stdout).not.toContain(Buffer.from('C0rrect').toString('hex'));
    const d = await decryptLapsValue(Buffer.from(r.stdout.trim(), 'hex'), [p256.rootKey]);
    expect(d.payload).toMatchObject({ accountName: 'LapsAdmin', password: 'C0rrect-Horse-Battery!' });
    expect(d.blob).toMatchObject({ sid: 'S-1-5-21-1-2-3-1104', keyKind: 'ECDH_P256', contentPlacement: 'detached' });
  });

  it('a bare blob from stdin, nonce form, a given time, embedded content, then decrypt through the CLI', async () => {
    const r = await run(
      ['encrypt', '--root-key', rootKeyFile, '--sid', 's-1-5-18', '--plaintext-file', '-', '--key-kind', 'nonce', '--time', '2024-01-01T00:00:00Z', '--embedded', '--domain', 'corp.example', '--forest', 'example'],
      Buffer.from('secret bytes'),
    );
    expect(r.code).toBe(0);
    const blob = Buffer.from(r.stdout.trim(), 'hex');
    const parsed = parseDpapiNgBlob(blob);
    expect(parsed).toMatchObject({ sid: 'S-1-5-18', contentPlacement: 'embedded' });
    expect(parsed.keyIdentifier).toMatchObject({ isPublicKey: false, domainName: 'corp.example', ...groupKeyIdForTime(new Date('2024-01-01T00:00:00Z')) });
    expect(decryptDpapiNg(blob, p256.rootKey).plaintext.toString()).toBe('secret bytes');
    const back = await run(['decrypt', '--root-key', rootKeyFile, '--blob-hex', r.stdout.trim()]);
    expect(back.stdout).toBe(`${Buffer.from('secret bytes').toString('hex')}\n`);
  });

  it('refuses bad input', async () => {
    const pw = file('pw2.txt', 'x');
    const base = ['encrypt', '--root-key', rootKeyFile, '--plaintext-file', pw];
    expect((await run([...base, '--sid', 'S-1-5-x'])).stderr).toMatch(/--sid is not a valid SID/);
    expect((await run([...base, '--sid', 'S-1-5-18', '--key-kind', 'rsa'])).code).toBe(2);
    expect((await run([...base, '--sid', 'S-1-5-18', '--time', 'yesterday'])).stderr).toMatch(/--time is not a date/);
    expect((await run([...base, '--sid', 'S-1-5-18', '--laps', '--embedded'])).code).toBe(2);
    const empty = file('empty.txt', '\n');
    expect((await run(['encrypt', '--root-key', rootKeyFile, '--plaintext-file', empty, '--sid', 'S-1-5-18', '--laps'])).stderr).toMatch(/password file is empty/);
    const two = file('two.json', JSON.stringify([JSON.parse(fixtureText('kdf_sha512_ecdh_p256.json')), JSON.parse(fixtureText('kdf_sha256_dh.json'))]));
    expect((await run(['encrypt', '--root-key', two, '--plaintext-file', pw, '--sid', 'S-1-5-18'])).stderr).toMatch(/choose one with --root-key-id/);
    const ok = await run(['encrypt', '--root-key', two, '--root-key-id', '{2491E5F1-C935-27C4-22BA-B85F61B24768}', '--plaintext-file', pw, '--sid', 'S-1-5-18']);
    expect(ok.code).toBe(0);
    expect(parseDpapiNgBlob(Buffer.from(ok.stdout.trim(), 'hex')).keyIdentifier.keyInfo.subarray(0, 4).toString()).toBe('DHPB');
  });
});

describe('blob file decoding', () => {
  it('keeps raw bytes, decodes hex (with 0x and whitespace) and base64', () => {
    const raw = Buffer.from([0x30, 0x82, 0x01, 0x00, 0xff]);
    expect(decodeBlobFileContent(raw).equals(raw)).toBe(true);
    expect(decodeBlobFileContent(Buffer.from('0x3082 0100\nff')).equals(raw)).toBe(true);
    expect(decodeBlobFileContent(Buffer.from(raw.toString('base64'))).equals(raw)).toBe(true);
  });
});
