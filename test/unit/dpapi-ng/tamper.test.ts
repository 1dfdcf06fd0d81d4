/**
 * Tampered input: every mutation fails with a typed error (exit 2 malformed, exit 7 cannot
 * decrypt) and a clear message; no plaintext comes back; no secret shows in any message.
 * The only bytes that may change without failing are those nothing authenticates: the domain and
 * forest names in the key identifier and the 16-byte header's timestamp; then the plaintext must
 * still be the original one.
 */
import { describe, expect, it } from 'vitest';
import { decryptDpapiNg } from '../../../src/dpapi-ng/decrypt-dpapi-ng.js';
import { parseDpapiNgBlob, type DpapiNgBlob } from '../../../src/dpapi-ng/dpapi-ng-blob.js';
import { encryptDpapiNg } from '../../../src/dpapi-ng/encrypt-dpapi-ng.js';
import { DpapiNgDecryptError, DpapiNgFormatError } from '../../../src/dpapi-ng/errors.js';
import { serializeKeyIdentifier } from '../../../src/dpapi-ng/key-identifier.js';
import { newRootKey } from '../../../src/dpapi-ng/new-root-key.js';
import type { RootKey } from '../../../src/dpapi-ng/root-key.js';
import { SeedKeyCache } from '../../../src/dpapi-ng/seed-key-cache.js';
import { decryptLapsValue } from '../../../src/laps/decrypt-laps-value.js';
import { encryptLapsValue } from '../../../src/laps/encrypt-laps-value.js';
import { LapsFormatError } from '../../../src/laps/laps-format-error.js';
import { loadVector } from './fixtures.js';

const SID = 'S-1-5-21-1004336348-1177238915-682003330-512';
const PASSWORD = 'Tr0ub4dor&3-correct-horse';
const PLAINTEXT = Buffer.from(`{"n":"Administrator","t":"1da0b1c2d3e4f56","p":"${PASSWORD}"}\0`, 'utf16le');

type Kind = 'format' | 'decrypt';

/** The error's kind, after checking it is typed, has the right exit code and leaks nothing. */
function classify(e: unknown, secrets: string[]): Kind {
  if (e instanceof DpapiNgDecryptError) {
    expect(e.exitCode).toBe(7);
  } else if (e instanceof DpapiNgFormatError || e instanceof LapsFormatError) {
    expect(e.exitCode).toBe(2);
  } else {
    throw new Error(`untyped error: ${String(e)}`);
  }
  const msg = (e as Error).message;
  expect(msg.length).toBeGreaterThan(10);
  for (const s of secrets) expect(msg.toLowerCase()).not.toContain(s.toLowerCase());
  return e instanceof DpapiNgDecryptError ? 'decrypt' : 'format';
}

function secretsOf(key: RootKey): string[] {
  return [key.keyData.toString('hex'), key.keyData.toString('hex').slice(0, 16), PASSWORD, 'Tr0ub4dor'];
}

function tryDecrypt(bytes: Buffer, key: RootKey): { ok: true; plaintext: Buffer } | { ok: false; error: unknown } {
  try {
    return { ok: true, plaintext: decryptDpapiNg(bytes, key, { cache: new SeedKeyCache() }).plaintext };
  } catch (error) {
    return { ok: false, error };
  }
}

function flip(buf: Buffer, at: number, mask = 0x01): Buffer {
  const out = Buffer.from(buf);
  out[at]! ^= mask;
  return out;
}

interface Layout {
  ki: number;
  keyInfo: number;
  keyInfoEnd: number;
  namesEnd: number;
  sid: number;
  wrapped: number;
  gcmNonce: number;
  contentStart: number;
}

function layout(bytes: Buffer, blob: DpapiNgBlob): Layout {
  const kiBytes = serializeKeyIdentifier(blob.keyIdentifier);
  const ki = bytes.indexOf(kiBytes);
  expect(ki).toBeGreaterThan(0);
  return {
    ki,
    keyInfo: ki + 52,
    keyInfoEnd: ki + 52 + blob.keyIdentifier.keyInfo.length,
    namesEnd: ki + kiBytes.length,
    sid: bytes.indexOf(Buffer.from(blob.sid, 'utf8'), ki + kiBytes.length),
    wrapped: bytes.indexOf(blob.encryptedKey),
    gcmNonce: bytes.indexOf(blob.gcmNonce),
    contentStart: bytes.length - blob.encryptedContent.length,
  };
}

const cases: Array<{ name: string; key: () => RootKey; blob: (k: RootKey) => Buffer; plaintext: Buffer }> = [
  { name: 'Windows P-256 vector (embedded)', key: () => loadVector('kdf_sha256_ecdh_p256').rootKey, blob: () => loadVector('kdf_sha256_ecdh_p256').blobs[0]!.bytes, plaintext: Buffer.from([0]) },
  { name: 'Windows nonce vector (embedded)', key: () => loadVector('kdf_sha512_nonce').rootKey, blob: () => loadVector('kdf_sha512_nonce').blobs[0]!.bytes, plaintext: Buffer.from([0]) },
  {
    name: 'our DH public-key blob (detached)',
    key: () => loadVector('kdf_sha512_dh').rootKey,
    blob: (k) => encryptDpapiNg(PLAINTEXT, { rootKey: k, sid: SID, domainName: 'corp.example', forestName: 'example' }),
    plaintext: PLAINTEXT,
  },
  {
    name: 'our P-384 public-key blob (detached)',
    key: () => loadVector('kdf_sha256_ecdh_p384').rootKey,
    blob: (k) => encryptDpapiNg(PLAINTEXT, { rootKey: k, sid: SID, domainName: 'corp.example', forestName: 'example' }),
    plaintext: PLAINTEXT,
  },
  {
    name: 'our nonce blob (detached)',
    key: () => loadVector('kdf_sha256_nonce').rootKey,
    blob: (k) => encryptDpapiNg(PLAINTEXT, { rootKey: k, sid: SID, keyKind: 'nonce' }),
    plaintext: PLAINTEXT,
  },
];

describe('targeted tampering', () => {
  for (const c of cases) {
    describe(c.name, () => {
      const key = c.key();
      const bytes = c.blob(key);
      const blob = parseDpapiNgBlob(bytes);
      const at = layout(bytes, blob);
      const secrets = secretsOf(key);

      it('decrypts untouched', () => {
        const r = tryDecrypt(bytes, key);
        expect(r.ok && r.plaintext.equals(c.plaintext)).toBe(true);
      });

      const authFailures: Array<[string, (b: Buffer) => Buffer]> = [
        ['GCM tag (last byte)', (b) => flip(b, b.length - 1)],
        ['GCM tag (first byte)', (b) => flip(b, b.length - 16)],
        ['ciphertext', (b) => flip(b, at.contentStart)],
        ['GCM nonce (first byte)', (b) => flip(b, at.gcmNonce)],
        ['GCM nonce (last byte)', (b) => flip(b, at.gcmNonce + 11)],
        ['wrapped key (first byte)', (b) => flip(b, at.wrapped)],
        ['wrapped key (last byte)', (b) => flip(b, at.wrapped + 39)],
        ['SID (last digit: another valid SID)', (b) => flip(b, at.sid + blob.sid.length - 1)],
        ['L1 index (17 -> 16)', (b) => flip(b, at.ki + 16)],
        ['L2 index (13 -> 12)', (b) => flip(b, at.ki + 20)],
        ['L0 index (low byte)', (b) => flip(b, at.ki + 12)],
      ];
      if (!blob.keyIdentifier.isPublicKey) authFailures.push(['nonce key info', (b) => flip(b, at.keyInfo + 5)]);

      for (const [what, mutate] of authFailures) {
        it(`${what}: cannot decrypt (exit 7, authentication failed)`, () => {
          const r = tryDecrypt(mutate(bytes), key);
          expect(r.ok).toBe(false);
          if (!r.ok) {
            expect(classify(r.error, secrets)).toBe('decrypt');
            expect((r.error as DpapiNgDecryptError).reason).toBe('AUTHENTICATION_FAILED');
          }
        });
      }

      it('root key id in the blob altered: the key is not found (exit 7)', () => {
        const r = tryDecrypt(flip(bytes, at.ki + 24), key);
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(classify(r.error, secrets)).toBe('decrypt');
          expect((r.error as DpapiNgDecryptError).reason).toBe('ROOT_KEY_NOT_FOUND');
          expect((r.error as Error).message).toContain(key.id);
        }
      });

      it('indexes out of range, negative L0, unknown flags, non-SID text: malformed (exit 2)', () => {
        for (const m of [flip(bytes, at.ki + 16, 0x40), flip(bytes, at.ki + 20, 0x20), flip(bytes, at.ki + 15, 0x80), flip(bytes, at.ki + 8, 0x80), flip(bytes, at.sid + 2, 0x40)]) {
          const r = tryDecrypt(m, key);
          expect(r.ok).toBe(false);
          if (!r.ok) expect(classify(r.error, secrets)).toBe('format');
        }
      });

      if (blob.keyIdentifier.isPublicKey) {
        it('public key altered (each coordinate / value): cannot decrypt', () => {
          const len = blob.keyIdentifier.keyInfo.readUInt32LE(4);
          const positions = blob.keyIdentifier.keyInfo.subarray(0, 4).toString('latin1') === 'DHPB'
            ? [at.keyInfo + 8 + 2 * len, at.keyInfoEnd - 1, at.keyInfo + 8, at.keyInfo + 8 + len] // y first/last, p, g
            : [at.keyInfo + 8, at.keyInfo + 8 + len - 1, at.keyInfo + 8 + len, at.keyInfoEnd - 1]; // X first/last, Y first/last
          for (const p of positions) {
            const r = tryDecrypt(flip(bytes, p), key);
            expect(r.ok).toBe(false);
            if (!r.ok) expect(classify(r.error, secrets)).toBe('decrypt');
          }
        });
      }

      it('every truncation fails with a typed error', () => {
        for (let n = 0; n < bytes.length; n++) {
          const r = tryDecrypt(bytes.subarray(0, n), key);
          expect(r.ok).toBe(false);
          if (!r.ok) classify(r.error, secrets);
        }
      });

      it('appended bytes fail', () => {
        const r = tryDecrypt(Buffer.concat([bytes, Buffer.from([0])]), key);
        expect(r.ok).toBe(false);
        if (!r.ok) expect(classify(r.error, secrets)).toBe(blob.contentPlacement === 'embedded' ? 'format' : 'decrypt');
      });

      it('every single-bit flip (bits 0 and 7 of each byte) fails, except in the unauthenticated names', () => {
        let failures = 0;
        for (let i = 0; i < bytes.length; i++) {
          for (const mask of [0x01, 0x80]) {
            const r = tryDecrypt(flip(bytes, i, mask), key);
            if (r.ok) {
              // Only the domain / forest names are not bound to the key.
              expect(i >= at.keyInfoEnd && i < at.namesEnd, `byte ${i} mask ${mask} decrypted`).toBe(true);
              expect(r.plaintext.equals(c.plaintext)).toBe(true);
            } else {
              classify(r.error, secrets);
              failures++;
            }
          }
        }
        expect(failures).toBeGreaterThan(bytes.length * 2 - 4 * (at.namesEnd - at.keyInfoEnd));
      });
    });
  }
});

describe('wrong keys', () => {
  const v = loadVector('kdf_sha256_ecdh_p256');
  const bytes = v.blobs[0]!.bytes;

  it('a different key with the same id: authentication failed (exit 7)', () => {
    const other = newRootKey({ id: v.rootKey.id, kdfHash: 'SHA256', secretAgreementAlgorithm: 'ECDH_P256' });
    const r = tryDecrypt(bytes, other);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(classify(r.error, secretsOf(other))).toBe('decrypt');
      expect((r.error as DpapiNgDecryptError).reason).toBe('AUTHENTICATION_FAILED');
    }
  });

  it('a key of another algorithm with the same id: invalid public key (exit 7)', () => {
    const other = newRootKey({ id: v.rootKey.id, kdfHash: 'SHA256', secretAgreementAlgorithm: 'ECDH_P384' });
    const r = tryDecrypt(bytes, other);
    expect(r.ok).toBe(false);
    if (!r.ok) expect((r.error as DpapiNgDecryptError).reason).toBe('INVALID_PUBLIC_KEY');
  });

  it('another root key id: not found, naming both ids', () => {
    const other = loadVector('kdf_sha512_ecdh_p256').rootKey;
    expect(() => decryptDpapiNg(bytes, [other])).toThrow(/6d79ed3d-8a58-3f58-c963-ca860b23dfff.*af562727-f449-177c-196e-72137e0202b0/);
    expect(() => decryptDpapiNg(bytes, () => undefined)).toThrow(DpapiNgDecryptError);
    expect(() => decryptDpapiNg(bytes, [])).toThrow(/no root key was supplied/);
  });
});

describe('invalid public keys', () => {
  const v = loadVector('kdf_sha256_ecdh_p256');
  const bytes = v.blobs[0]!.bytes;
  const blob = parseDpapiNgBlob(bytes);
  const at = layout(bytes, blob);

  function withKeyInfo(mutate: (keyInfo: Buffer) => void, base = bytes, b = blob): Buffer {
    const out = Buffer.from(base);
    const l = layout(base, b);
    const keyInfo = out.subarray(l.keyInfo, l.keyInfoEnd);
    mutate(keyInfo);
    return out;
  }

  it('an off-curve point (Y + 1) is refused', () => {
    const m = withKeyInfo((k) => {
      k[k.length - 1]! += 1;
    });
    const r = tryDecrypt(m, v.rootKey);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect((r.error as DpapiNgDecryptError).reason).toBe('INVALID_PUBLIC_KEY');
      expect((r.error as Error).message).toMatch(/not on P-256/);
    }
    expect(at.keyInfoEnd - at.keyInfo).toBe(72);
  });

  it('the point (0, 0) and coordinates beyond the field are refused', () => {
    for (const fill of [0x00, 0xff]) {
      const m = withKeyInfo((k) => k.fill(fill, 8));
      const r = tryDecrypt(m, v.rootKey);
      expect(r.ok).toBe(false);
      if (!r.ok) expect((r.error as DpapiNgDecryptError).reason).toBe('INVALID_PUBLIC_KEY');
    }
  });

  it('an off-curve P-384 point is refused', () => {
    const w = loadVector('kdf_sha256_ecdh_p384');
    const b = parseDpapiNgBlob(w.blobs[0]!.bytes);
    const m = withKeyInfo((k) => {
      k[20]! ^= 0x10;
    }, w.blobs[0]!.bytes, b);
    const r = tryDecrypt(m, w.rootKey);
    expect(r.ok).toBe(false);
    if (!r.ok) expect((r.error as DpapiNgDecryptError).reason).toBe('INVALID_PUBLIC_KEY');
  });

  it('DH values 0, 1, p - 1 and p are refused; a foreign DH group is refused', () => {
    const w = loadVector('kdf_sha256_dh');
    const base = w.blobs[0]!.bytes;
    const b = parseDpapiNgBlob(base);
    const p = BigInt(`0x${w.rootKey.dhParameters!.p.toString('hex')}`);
    for (const y of [0n, 1n, p - 1n, p]) {
      const m = withKeyInfo((k) => Buffer.from(y.toString(16).padStart(512, '0'), 'hex').copy(k, 8 + 512), base, b);
      const r = tryDecrypt(m, w.rootKey);
      expect(r.ok).toBe(false);
      if (!r.ok) expect((r.error as DpapiNgDecryptError).reason).toBe('INVALID_PUBLIC_KEY');
    }
    const foreign = withKeyInfo((k) => {
      k[8 + 100]! ^= 1;
    }, base, b);
    const r = tryDecrypt(foreign, w.rootKey);
    expect(r.ok).toBe(false);
    if (!r.ok) expect((r.error as Error).message).toMatch(/DH group differs/);
  });
});

describe('msLAPS-Encrypted* values', () => {
  const key = loadVector('kdf_sha512_ecdh_p256').rootKey;
  const value = encryptLapsValue({ accountName: 'Administrator', password: PASSWORD }, { rootKey: key, sid: SID, time: new Date('2025-06-01T00:00:00Z') });

  it('every single-bit flip fails, except in the header timestamp', async () => {
    for (let i = 0; i < value.length; i++) {
      let out: Awaited<ReturnType<typeof decryptLapsValue>> | undefined;
      try {
        out = await decryptLapsValue(flip(value, i), [key], { cache: new SeedKeyCache() });
      } catch (e) {
        classify(e, secretsOf(key));
        continue;
      }
      expect(i, `byte ${i} decrypted`).toBeLessThan(8);
      expect(out.payload?.password).toBe(PASSWORD);
    }
  });

  it('a payload that is not LAPS JSON is refused by default and its problem reported on request', async () => {
    const blob = encryptDpapiNg(Buffer.from('not json', 'utf16le'), { rootKey: key, sid: SID });
    const { buildEncryptedPasswordValue } = await import('../../../src/laps/encrypted-password-value.js');
    const v2 = buildEncryptedPasswordValue(blob, new Date());
    await expect(decryptLapsValue(v2, [key])).rejects.toThrow(LapsFormatError);
    const r = await decryptLapsValue(v2, [key], { requirePayload: false });
    expect(r.payload).toBeUndefined();
    expect(r.payloadProblem).toMatch(/not valid JSON/);
    expect(r.payloadProblem).not.toContain('not json');
  });
});
