/**
 * The Windows-produced vectors: every blob decrypts (to the single byte 00), every field parses
 * as Windows wrote it, and our writer reproduces the bytes exactly.
 */
import { describe, expect, it } from 'vitest';
import { decryptDpapiNg, unwrapKey } from '../../../src/dpapi-ng/decrypt-dpapi-ng.js';
import { describeDpapiNgBlob } from '../../../src/dpapi-ng/describe-dpapi-ng-blob.js';
import { parseDpapiNgBlob, serializeDpapiNgBlob } from '../../../src/dpapi-ng/dpapi-ng-blob.js';
import { encryptDpapiNg } from '../../../src/dpapi-ng/encrypt-dpapi-ng.js';
import { kekFromNonce } from '../../../src/dpapi-ng/kek.js';
import { SeedKeyCache } from '../../../src/dpapi-ng/seed-key-cache.js';
import { VECTOR_NAMES, loadVector } from './fixtures.js';

const DOMAIN_SID_1104 = 'S-1-5-21-1773909632-2404839780-3841274756-1104';

describe('Windows DPAPI-NG vectors', () => {
  for (const name of VECTOR_NAMES) {
    const v = loadVector(name);
    for (const { field, bytes } of v.blobs) {
      it(`${name} ${field} decrypts to 00 (cold cache)`, () => {
        const r = decryptDpapiNg(bytes, v.rootKey, { cache: new SeedKeyCache() });
        expect(r.plaintext.toString('hex')).toBe('00');
        expect(r.rootKey).toBe(v.rootKey);
      });

      it(`${name} ${field} parses field by field`, () => {
        const blob = parseDpapiNgBlob(bytes);
        const ki = blob.keyIdentifier;
        expect(ki.version).toBe(1);
        expect(ki.rootKeyId).toBe((v.json.RootKeyId as string).toLowerCase());
        expect([ki.l0, ki.l1, ki.l2]).toEqual([361, 17, 13]);
        expect(ki.domainName).toBe('dpaping.test');
        expect(ki.forestName).toBe('dpaping.test');
        expect([DOMAIN_SID_1104, 'S-1-5-18']).toContain(blob.sid);
        expect(blob.contentPlacement).toBe('embedded');
        expect(blob.derLength).toBe(bytes.length);
        expect(blob.encryptedKey).toHaveLength(40);
        expect(blob.gcmNonce).toHaveLength(12);
        expect(blob.encryptedContent).toHaveLength(1 + 16);
        // Windows sets bit 1 always and bit 0 for the public-key form.
        expect(ki.flags).toBe(ki.isPublicKey ? 3 : 2);
        const kind = describeDpapiNgBlob(blob).keyKind;
        if (!ki.isPublicKey) expect(kind).toBe('nonce');
        else expect(kind).toBe(v.json.SecretAgreementAlgorithm);
        if (ki.isPublicKey && kind === 'DH') expect(ki.keyInfo.subarray(0, 4).toString('latin1')).toBe('DHPB');
      });

      it(`${name} ${field} re-serializes byte for byte (embedded and detached)`, () => {
        const blob = parseDpapiNgBlob(bytes);
        expect(serializeDpapiNgBlob(blob).equals(bytes)).toBe(true);
        const detached = serializeDpapiNgBlob({ ...blob, contentPlacement: 'detached' });
        const again = parseDpapiNgBlob(detached);
        expect(again.contentPlacement).toBe('detached');
        expect(again.encryptedContent.equals(blob.encryptedContent)).toBe(true);
        expect(again.derLength).toBe(detached.length - blob.encryptedContent.length);
        expect(decryptDpapiNg(detached, v.rootKey).plaintext.toString('hex')).toBe('00');
      });
    }
  }

  it('the vectors cover nonce, DH, P-256 and P-384 with SHA256 and SHA512 root keys', () => {
    const seen = new Set<string>();
    for (const name of VECTOR_NAMES) {
      const v = loadVector(name);
      for (const { bytes } of v.blobs) seen.add(`${v.rootKey.kdfHash}/${describeDpapiNgBlob(parseDpapiNgBlob(bytes)).keyKind}`);
    }
    for (const h of ['SHA256', 'SHA512']) for (const k of ['nonce', 'DH', 'ECDH_P256', 'ECDH_P384']) expect(seen.has(`${h}/${k}`)).toBe(true);
  });

  for (const name of ['kdf_sha256_nonce', 'kdf_sha512_nonce'] as const) {
    it(`encrypt reproduces the Windows nonce blob ${name} exactly from its random inputs`, () => {
      const v = loadVector(name);
      const original = v.blobs[0]!.bytes;
      const blob = parseDpapiNgBlob(original);
      const ki = blob.keyIdentifier;
      const cache = new SeedKeyCache();
      // Recover the CEK Windows chose (KEK from the seed key and the blob's nonce, then unwrap).
      const seed = cache.l2Seed(v.rootKey, blob.sid, ki.l0, ki.l1, ki.l2);
      const cek = unwrapKey(kekFromNonce(v.rootKey, seed, ki.keyInfo), blob.encryptedKey);
      const rebuilt = encryptDpapiNg(Buffer.from([0]), {
        rootKey: v.rootKey,
        sid: blob.sid,
        keyKind: 'nonce',
        groupKeyId: { l0: ki.l0, l1: ki.l1, l2: ki.l2 },
        contentPlacement: 'embedded',
        domainName: ki.domainName,
        forestName: ki.forestName,
        cache,
        fixedRandom: { cek, gcmNonce: blob.gcmNonce, nonce: ki.keyInfo },
      });
      expect(rebuilt.toString('hex')).toBe(original.toString('hex'));
    });
  }
});
