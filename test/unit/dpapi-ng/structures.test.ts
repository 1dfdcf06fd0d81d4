import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDpapiNgBlob, serializeDpapiNgBlob } from '../../../src/dpapi-ng/dpapi-ng-blob.js';
import { DpapiNgFormatError } from '../../../src/dpapi-ng/errors.js';
import { guidFromBytes, guidToBytes, normalizeGuid } from '../../../src/dtyp/guid.js';
import { parseKeyIdentifier, serializeKeyIdentifier } from '../../../src/dpapi-ng/key-identifier.js';
import { parsePublicKeyBlob, serializePublicKeyBlob } from '../../../src/dpapi-ng/public-key-blob.js';
import { CURVE_ORDER } from '../../../src/dpapi-ng/secret-agreement.js';
import { canonicalSid, descriptorSidToBytes as sidToBytes } from '../../../src/dtyp/sid.js';
import { loadVector } from './fixtures.js';

describe('GUIDs and SIDs', () => {
  it('uses the MS-DTYP byte order', () => {
    expect(guidToBytes('2491e5f1-c935-27c4-22ba-b85f61b24768').toString('hex')).toBe('f1e5912435c9c42722bab85f61b24768');
    expect(guidFromBytes(Buffer.from('f1e5912435c9c42722bab85f61b24768', 'hex'))).toBe('2491e5f1-c935-27c4-22ba-b85f61b24768');
    expect(normalizeGuid('{2491E5F1-C935-27C4-22BA-B85F61B24768}')).toBe('2491e5f1-c935-27c4-22ba-b85f61b24768');
    expect(() => guidToBytes('2491e5f1')).toThrow(RangeError);
  });

  it('encodes SIDs and rejects bad ones', () => {
    expect(sidToBytes('S-1-5-18')!.toString('hex')).toBe('010100000000000512000000');
    expect(sidToBytes('S-1-1-0')!.toString('hex')).toBe('010100000000000100000000');
    expect(canonicalSid('s-1-5-21-1-2-3-0500')).toBe('S-1-5-21-1-2-3-500');
    for (const bad of ['S-2-5-18', 'S-1-5-4294967296', 'S-1-281474976710656', 'S-1-5-' + '1-'.repeat(15) + '1', 'X-1-5', 'S-1-5-']) {
      expect(sidToBytes(bad)).toBeUndefined();
    }
  });
});

describe('key identifier (KDSK)', () => {
  const v = loadVector('kdf_sha256_ecdh_p256');
  const blob = parseDpapiNgBlob(v.blobs[0]!.bytes);
  const bytes = serializeKeyIdentifier(blob.keyIdentifier);

  it('round-trips the Windows key identifier', () => {
    expect(bytes.subarray(0, 8).toString('hex')).toBe('010000004b44534b');
    expect(parseKeyIdentifier(bytes)).toEqual(blob.keyIdentifier);
  });

  const bad: Array<[string, (b: Buffer) => Buffer, RegExp]> = [
    ['short', (b) => b.subarray(0, 40), /at least 52 expected/],
    ['version', (b) => { b.writeUInt32LE(2, 0); return b; }, /version 2/],
    ['magic', (b) => { b[4] = 0x41; return b; }, /magic/],
    ['flags', (b) => { b.writeUInt32LE(7, 8); return b; }, /unknown flags 0x7/],
    ['L1', (b) => { b.writeInt32LE(32, 16); return b; }, /L1 index 32/],
    ['L2', (b) => { b.writeInt32LE(-1, 20); return b; }, /L2 index -1/],
    ['lengths', (b) => { b.writeUInt32LE(b.readUInt32LE(44) + 2, 44); return b; }, /add up/],
    ['nonce size', (b) => { b.writeUInt32LE(2, 8); return b; }, /nonce key info is 72 bytes/],
    ['name NUL', (b) => { b[b.length - 1] = 0x41; return b; }, /not NUL-terminated/],
  ];
  for (const [what, mutate, re] of bad) {
    it(`rejects a bad ${what}`, () => {
      expect(() => parseKeyIdentifier(mutate(Buffer.from(bytes)))).toThrow(re);
      try {
        parseKeyIdentifier(mutate(Buffer.from(bytes)));
      } catch (e) {
        expect(e).toBeInstanceOf(DpapiNgFormatError);
      }
    });
  }
});

describe('public key blobs', () => {
  it('parses ECK1 and DHPB keys from the vectors and writes them back', () => {
    for (const name of ['kdf_sha256_ecdh_p256', 'kdf_sha256_ecdh_p384', 'kdf_sha256_dh'] as const) {
      const keyInfo = parseDpapiNgBlob(loadVector(name).blobs[0]!.bytes).keyIdentifier.keyInfo;
      const pk = parsePublicKeyBlob(keyInfo);
      expect(serializePublicKeyBlob(pk).equals(keyInfo)).toBe(true);
    }
    const p384 = parsePublicKeyBlob(parseDpapiNgBlob(loadVector('kdf_sha256_ecdh_p384').blobs[0]!.bytes).keyIdentifier.keyInfo);
    expect(p384.kind === 'ECDH' && p384.curve).toBe('P-384');
  });

  it('rejects unknown magics and inconsistent lengths', () => {
    expect(() => parsePublicKeyBlob(Buffer.concat([Buffer.from('RSA1'), Buffer.alloc(8)]))).toThrow(/unknown magic/);
    const eck1 = Buffer.concat([Buffer.from('ECK1'), Buffer.from([32, 0, 0, 0]), Buffer.alloc(63)]);
    expect(() => parsePublicKeyBlob(eck1)).toThrow(/does not match/);
    const eck3 = Buffer.concat([Buffer.from('ECK3'), Buffer.from([32, 0, 0, 0]), Buffer.alloc(64)]);
    expect(() => parsePublicKeyBlob(eck3)).toThrow(/coordinate length 32/);
  });

  it('knows the true group orders (n - 1 is a valid private key, n is not)', () => {
    const names = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' } as const;
    const lens = { 'P-256': 32, 'P-384': 48, 'P-521': 66 } as const;
    for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
      const n = CURVE_ORDER[curve];
      const bytes = (x: bigint) => Buffer.from(x.toString(16).padStart(lens[curve] * 2, '0'), 'hex');
      expect(() => createECDH(names[curve]).setPrivateKey(bytes(n - 1n))).not.toThrow();
      expect(() => createECDH(names[curve]).setPrivateKey(bytes(n))).toThrow();
    }
  });
});

describe('CMS structure', () => {
  const bytes = loadVector('kdf_sha512_nonce').blobs[0]!.bytes;
  const blob = parseDpapiNgBlob(bytes);

  it('refuses what Windows never writes', () => {
    const wrongType = Buffer.from(bytes);
    wrongType[wrongType.indexOf(Buffer.from('2a864886f70d010703', 'hex')) + 8] = 0x02; // signedData
    expect(() => parseDpapiNgBlob(wrongType)).toThrow(/content type 1\.2\.840\.113549\.1\.7\.2/);
    const notDer = Buffer.from('00112233', 'hex');
    expect(() => parseDpapiNgBlob(notDer)).toThrow(/not a DER SEQUENCE/);
    const gcm128 = Buffer.from(bytes);
    gcm128[gcm128.indexOf(Buffer.from('060960864801650304012e', 'hex')) + 10] = 0x06; // aes128-GCM
    expect(() => parseDpapiNgBlob(gcm128)).toThrow(/content encryption algorithm 2\.16\.840\.1\.101\.3\.4\.1\.6/);
  });

  it('refuses OR / AND protection descriptors and non-SID descriptors as unsupported', () => {
    const v = loadVector('kdf_sha256_ecdh_p256').blobs[0]!.bytes;
    const pd = Buffer.from('30133011300f0c035349440c08532d312d352d3138', 'hex'); // {{{"SID","S-1-5-18"}}}
    const at = v.indexOf(pd);
    expect(at).toBeGreaterThan(0);
    const swap = (hex: string) => {
      const out = Buffer.from(v);
      Buffer.from(hex, 'hex').copy(out, at);
      return out;
    };
    // Same total size, so every enclosing length stays valid.
    expect(() => parseDpapiNgBlob(swap('3013' + '300830060c01410c0142' + '300730050c01430c00'))).toThrow(/OR clauses/);
    expect(() => parseDpapiNgBlob(swap('30133011' + '30070c01410c02422d' + '30060c01430c0144'))).toThrow(/AND terms/);
    expect(() => parseDpapiNgBlob(swap('30133011300f0c034c4f430c086c6f63616c3d3131'))).toThrow(/kind "LOC"/);
    expect(() => parseDpapiNgBlob(swap('30133011300f0c035349440c08532d312d352d3031'))).toThrow(/valid SID/);
    expect(() => serializeDpapiNgBlob({ ...blob, sid: 'nonsense' })).toThrow(RangeError);
  });
});

describe('canonical SID check', () => {
  it('agrees with canonicalSid on canonical and non-canonical forms', async () => {
    const { isCanonicalSid } = await import('../../../src/dtyp/sid.js');
    const samples = ['S-1-5-18', 'S-1-1-0', 'S-1-5-21-1773909632-2404839780-3841274756-1104', 'S-1-5-21-0-0-0-4294967295', 'S-1-281474976710655-1', 'S-1-5',
      's-1-5-18', 'S-1-5-018', 'S-1-05-18', 'S-1-5-4294967296', 'S-1-281474976710656-1', 'S-1-5-' + Array(16).fill('1').join('-'), 'S-1-5-', 'S-1--5', 'S-2-5-18'];
    for (const s of samples) expect(isCanonicalSid(s), s).toBe(canonicalSid(s) === s);
  });
});
