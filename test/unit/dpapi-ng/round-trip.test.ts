/** Our own blobs with real LAPS payloads, for every KDF hash, agreement algorithm and key kind. */
import { describe, expect, it } from 'vitest';
import { decryptDpapiNg } from '../../../src/dpapi-ng/decrypt-dpapi-ng.js';
import { describeDpapiNgBlob } from '../../../src/dpapi-ng/describe-dpapi-ng-blob.js';
import { parseDpapiNgBlob } from '../../../src/dpapi-ng/dpapi-ng-blob.js';
import { encryptDpapiNg } from '../../../src/dpapi-ng/encrypt-dpapi-ng.js';
import { groupKeyIdForTime } from '../../../src/dpapi-ng/group-key-id.js';
import { KDF_HASHES } from '../../../src/dpapi-ng/kdf.js';
import { newRootKey } from '../../../src/dpapi-ng/new-root-key.js';
import { SECRET_AGREEMENT_ALGORITHMS } from '../../../src/dpapi-ng/root-key.js';
import { SeedKeyCache } from '../../../src/dpapi-ng/seed-key-cache.js';
import { decryptLapsValue } from '../../../src/laps/decrypt-laps-value.js';
import { encryptLapsValue } from '../../../src/laps/encrypt-laps-value.js';
import { parseEncryptedPasswordValue } from '../../../src/laps/encrypted-password-value.js';
import { VECTOR_NAMES, loadVector } from './fixtures.js';

const SID = 'S-1-5-21-3623811015-3361044348-30300820-512';
const PASSWORDS = ['Xq7!mZ2#pL9$wR4&', 'Pä$$wörd "quoted" \\ back/slash ✓ 𝄞 日本語', 'a'.repeat(64)];

describe('LAPS round trips for every hash and agreement algorithm', () => {
  for (const kdfHash of KDF_HASHES) {
    for (const alg of SECRET_AGREEMENT_ALGORITHMS) {
      for (const keyKind of ['public-key', 'nonce'] as const) {
        it(`${kdfHash} / ${alg} / ${keyKind}`, async () => {
          const rootKey = newRootKey({ kdfHash, secretAgreementAlgorithm: alg });
          const time = new Date('2025-03-04T05:06:07.890Z');
          for (const password of PASSWORDS) {
            const value = encryptLapsValue({ accountName: 'LapsAdmin', password }, { rootKey, sid: SID, keyKind, time, domainName: 'corp.example.com', forestName: 'example.com' });
            const parsed = parseEncryptedPasswordValue(value);
            expect(parsed.header.updateTime.toISOString()).toBe(time.toISOString());
            const summary = describeDpapiNgBlob(parseDpapiNgBlob(parsed.blob));
            expect(summary.keyKind).toBe(keyKind === 'nonce' ? 'nonce' : alg);
            expect(summary.contentPlacement).toBe('detached');
            expect(summary.sid).toBe(SID);
            expect(summary.domainName).toBe('corp.example.com');
            expect({ l0: summary.l0, l1: summary.l1, l2: summary.l2 }).toEqual(groupKeyIdForTime(time));
            const r = await decryptLapsValue(value, [rootKey], { cache: new SeedKeyCache() });
            expect(r.payload?.password).toBe(password);
            expect(r.payload?.accountName).toBe('LapsAdmin');
            expect(r.payload?.updateTime.toISOString()).toBe(time.toISOString());
            expect(r.header?.encryptedBufferSize).toBe(value.length - 16);
          }
        });
      }
    }
  }
});

describe('round trips with the Windows vector root keys', () => {
  for (const name of VECTOR_NAMES) {
    it(`${name}: public-key and nonce blobs, embedded and detached`, () => {
      const v = loadVector(name);
      const secret = Buffer.from('{"n":"Administrator","t":"1d9a2b3c4d5e6f7","p":"S3cr3t!"}\0', 'utf16le');
      for (const keyKind of ['public-key', 'nonce'] as const) {
        for (const contentPlacement of ['embedded', 'detached'] as const) {
          const blob = encryptDpapiNg(secret, { rootKey: v.rootKey, sid: 'S-1-5-18', keyKind, contentPlacement });
          expect(parseDpapiNgBlob(blob).contentPlacement).toBe(contentPlacement);
          expect(decryptDpapiNg(blob, v.rootKey).plaintext.equals(secret)).toBe(true);
        }
      }
    });
  }

  it('an empty plaintext round-trips (tag only)', () => {
    const v = loadVector('kdf_sha256_ecdh_p256');
    const blob = encryptDpapiNg(Buffer.alloc(0), { rootKey: v.rootKey, sid: 'S-1-5-18' });
    expect(parseDpapiNgBlob(blob).encryptedContent).toHaveLength(16);
    expect(decryptDpapiNg(blob, v.rootKey).plaintext).toHaveLength(0);
  });

  it('a large plaintext round-trips', () => {
    const v = loadVector('kdf_sha512_dh');
    const big = Buffer.alloc(100_000, 0x5a);
    const blob = encryptDpapiNg(big, { rootKey: v.rootKey, sid: 'S-1-5-18' });
    expect(decryptDpapiNg(blob, v.rootKey).plaintext.equals(big)).toBe(true);
  });

  it('each encryption uses fresh randomness (CEK, nonce, ephemeral key)', () => {
    const v = loadVector('kdf_sha512_ecdh_p256');
    const a = parseDpapiNgBlob(encryptDpapiNg(Buffer.from('x'), { rootKey: v.rootKey, sid: 'S-1-5-18' }));
    const b = parseDpapiNgBlob(encryptDpapiNg(Buffer.from('x'), { rootKey: v.rootKey, sid: 'S-1-5-18' }));
    expect(a.keyIdentifier.keyInfo.equals(b.keyIdentifier.keyInfo)).toBe(false);
    expect(a.gcmNonce.equals(b.gcmNonce)).toBe(false);
    expect(a.encryptedKey.equals(b.encryptedKey)).toBe(false);
  });
});
