/**
 * GKDI intermediate values. Expected values come from two independent sources:
 * - seed_key.json: a security descriptor captured from a Windows GetKey request;
 * - constants computed during development by a separate implementation written on pyca/cryptography
 *   (its own SP800-108 KBKDFHMAC, ConcatKDFHash, ECDH and key unwrap) from the vector root keys.
 */
import { describe, expect, it } from 'vitest';
import { unwrapKey } from '../../../src/dpapi-ng/decrypt-dpapi-ng.js';
import { parseDpapiNgBlob } from '../../../src/dpapi-ng/dpapi-ng-blob.js';
import { groupKeyIdForTime, groupKeyStartTime } from '../../../src/dpapi-ng/group-key-id.js';
import { KDS_SERVICE_LABEL, sp800108CounterHmac, sp80056aConcatKdf } from '../../../src/dpapi-ng/kdf.js';
import { kekFromSharedSecret } from '../../../src/dpapi-ng/kek.js';
import { protectionSecurityDescriptor } from '../../../src/dpapi-ng/protection-security-descriptor.js';
import { parsePublicKeyBlob } from '../../../src/dpapi-ng/public-key-blob.js';
import { derivePrivateKeyBytes } from '../../../src/dpapi-ng/secret-agreement.js';
import { SeedKeyCache } from '../../../src/dpapi-ng/seed-key-cache.js';
import { loadSeedKeyFixture, loadVector } from './fixtures.js';
import { createHash, createHmac } from 'node:crypto';

const SID_1104 = 'S-1-5-21-1773909632-2404839780-3841274756-1104';

describe('protection security descriptor', () => {
  it('matches the SD Windows sent to GetKey for a SID protection descriptor', () => {
    const seed = loadSeedKeyFixture();
    const sd = protectionSecurityDescriptor('S-1-5-21-2185496602-3367037166-1388177638-1103');
    expect(sd.toString('hex')).toBe((seed.SecurityDescriptor as string).toLowerCase());
  });

  it('builds O:SYG:SYD:(A;;CCDC;;;SID)(A;;DC;;;WD) for S-1-5-18', () => {
    const sd = protectionSecurityDescriptor('S-1-5-18');
    expect(sd.toString('hex')).toBe(
      '0100048044000000500000000000000014000000020030000200000000001400030000000101000000000005120000000000140002000000010100000000000100000000010100000000000512000000010100000000000512000000',
    );
    expect(sd.readUInt16LE(2)).toBe(0x8004); // self-relative, DACL present
  });

  it('rejects an invalid SID', () => {
    expect(() => protectionSecurityDescriptor('S-1-5-x')).toThrow(RangeError);
  });
});

describe('SP800-108 counter HMAC', () => {
  it('follows the construction HMAC(K, i || Label || 00 || Context || L) for multi-block output', () => {
    const key = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const ctx = Buffer.from('context');
    const fixed = Buffer.concat([KDS_SERVICE_LABEL, Buffer.from([0]), ctx, Buffer.from([0, 0, 0x02, 0x00])]); // 64 bytes = 512 bits
    const manual = Buffer.concat(
      [1, 2, 3, 4].map((i) => createHmac('sha1', key).update(Buffer.from([0, 0, 0, i])).update(fixed).digest()),
    ).subarray(0, 64);
    expect(sp800108CounterHmac('SHA1', key, KDS_SERVICE_LABEL, ctx, 64).equals(manual)).toBe(true);
  });

  it('concat KDF is H(counter || Z || OtherInfo), truncated', () => {
    const z = Buffer.from('shared');
    const oi = Buffer.from('other');
    const manual = createHash('sha384').update(Buffer.from([0, 0, 0, 1])).update(z).update(oi).digest();
    expect(sp80056aConcatKdf('SHA384', z, oi, 48).equals(manual)).toBe(true);
    expect(sp80056aConcatKdf('SHA256', z, oi, 40)).toHaveLength(40);
  });
});

describe('seed keys, private keys and KEKs against an independent implementation', () => {
  it('kdf_sha256_nonce: L0, L1[17], L2[13] for the domain SID', () => {
    const v = loadVector('kdf_sha256_nonce');
    const cache = new SeedKeyCache();
    expect(cache.l0Seed(v.rootKey, 361).toString('hex')).toBe(
      'a23df21701ab38c8a1923e41bb4ff48594fe3bfb01d3496e2e565b5f1054b2ade23a5b7f75faedabc51938ce33059efc16428aa9226b68a6e20e6ab6fceb4ad5',
    );
    expect(cache.l1Seed(v.rootKey, SID_1104, 361, 17).toString('hex')).toBe(
      '7cb7a282704aa4502b90edac05075ab87e0d59b6a79fe00f1b868a490d6041b45ec358c8b868e274b597cc8cc2d246c16c31a20136e38be83d84b149edbbe12c',
    );
    expect(cache.l2Seed(v.rootKey, SID_1104, 361, 17, 13).toString('hex')).toBe(
      'da9ac0e2fa8f4673f9b96a39ff531744f758bc81a6af2ffb49fa27b4b09efa971b0f9b7b89705918f1a63ba73bd224410abb391271fc3a9ad56672b4f3239367',
    );
  });

  it('kdf_sha512_ecdh_p256: seeds, group private key, shared secret, KEK and CEK', () => {
    const v = loadVector('kdf_sha512_ecdh_p256');
    const cache = new SeedKeyCache();
    expect(cache.l0Seed(v.rootKey, 361).toString('hex')).toBe(
      'bc3714b60ab0f1a7f03ff83f6bd200c8c44f3aa4cf89a1707dfcf94b66a8076df1c9b813454b8bfd7145d7f503a26f29862cd55f77ed4da98eb0393fde139d08',
    );
    expect(cache.l1Seed(v.rootKey, 'S-1-5-18', 361, 17).toString('hex')).toBe(
      '7fb85dd24c39fc39dc6af201cff2e2811a9e12c8715a591fa793c3ed9cd399846823f69c748dc05fad8efd4c34b3173ae10af67958315c433d8515c3d76a5b41',
    );
    const l2 = cache.l2Seed(v.rootKey, 'S-1-5-18', 361, 17, 13);
    expect(l2.toString('hex')).toBe(
      'e43083a150cc47e9363939bd353b67bec194ac7c2e8cd2e482ed75d68c092b7224a9637c0bc134affa6e65a10ac22cb8633ac31086b8050002e947265cfd6700',
    );
    expect(derivePrivateKeyBytes(v.rootKey, l2).toString('hex')).toBe('b65d20e0916be7c6a9f865826432c4f3b5347faa07271d675c065ee2ba34aa13');
    const blob = parseDpapiNgBlob(v.blobs[0]!.bytes);
    const shared = cache.entry(v.rootKey, 'S-1-5-18', 361, 17, 13).agreement().sharedSecret(parsePublicKeyBlob(blob.keyIdentifier.keyInfo));
    expect(shared.toString('hex')).toBe('98e13228f67f865cb9a699679f37c394bca0df718af71c9f9e97b7108c16d74b');
    const kek = kekFromSharedSecret(v.rootKey, shared);
    expect(kek.toString('hex')).toBe('343342c1048f620e7c0134c955e9fbd2470be9c8fbd800d752ac439cfb5629a5');
    expect(unwrapKey(kek, blob.encryptedKey).toString('hex')).toBe('c8b4283c0ec90a68b143ef19381a52606c753fb1e16009bfb0754c5a7efd0f87');
  });

  it('kdf_sha256_dh: group private key (512 bits), KEK and CEK', () => {
    const v = loadVector('kdf_sha256_dh');
    const cache = new SeedKeyCache();
    const l2 = cache.l2Seed(v.rootKey, 'S-1-5-18', 361, 17, 13);
    expect(derivePrivateKeyBytes(v.rootKey, l2).toString('hex')).toBe(
      '2c31b7459906315e0dbf62c906deee2efcc30d03f302d9ce7f0bf393665b7845c9e364e7c5660d2cd76beceaf37bb19c6cbdf70383a0d0f91dc05eb311ab253d',
    );
    const blob = parseDpapiNgBlob(v.blobs[0]!.bytes);
    const shared = cache.entry(v.rootKey, 'S-1-5-18', 361, 17, 13).agreement().sharedSecret(parsePublicKeyBlob(blob.keyIdentifier.keyInfo));
    expect(shared).toHaveLength(256);
    expect(shared.subarray(0, 16).toString('hex')).toBe('3beba22fb792a80d8331c030afa16fa5');
    const kek = kekFromSharedSecret(v.rootKey, shared);
    expect(kek.toString('hex')).toBe('94d1359648420ebcc1aa37f0a09beea418c3abd555abb5e99d715ee14914b153');
    expect(unwrapKey(kek, blob.encryptedKey).toString('hex')).toBe('4c7c33df481ea3f105bd1fcc7ae7a930ce0617bb9eade4253d41f7c9ef926f15');
  });

  it('kdf_sha256_ecdh_p384: group private key (384 bits), KEK and CEK (SHA384 concat KDF)', () => {
    const v = loadVector('kdf_sha256_ecdh_p384');
    const cache = new SeedKeyCache();
    const l2 = cache.l2Seed(v.rootKey, 'S-1-5-18', 361, 17, 13);
    expect(derivePrivateKeyBytes(v.rootKey, l2).toString('hex')).toBe(
      '6e2382cc2c69448ff077e1a449e9805292f013aa1b6fb0d2949e3d0cc09b0a017af228fcd5edfedb07a8f163f4245b6c',
    );
    const blob = parseDpapiNgBlob(v.blobs[0]!.bytes);
    const shared = cache.entry(v.rootKey, 'S-1-5-18', 361, 17, 13).agreement().sharedSecret(parsePublicKeyBlob(blob.keyIdentifier.keyInfo));
    const kek = kekFromSharedSecret(v.rootKey, shared);
    expect(kek.toString('hex')).toBe('8fbb8c35c59003d30520550d8895d011826278945be789fac9169433da3a8839');
    expect(unwrapKey(kek, blob.encryptedKey).toString('hex')).toBe('25f0557c7675473f8ab75affb0f48232571b6ced63cb1ecfc26a6566e896afe0');
  });

  it('the group public key matches the group private key (P-256)', () => {
    const v = loadVector('kdf_sha512_ecdh_p256');
    const agreement = new SeedKeyCache().entry(v.rootKey, 'S-1-5-18', 361, 17, 13).agreement();
    const pub = agreement.publicKey();
    expect(pub.kind).toBe('ECDH');
    // Sanity: a peer agreeing with our public key gets the same secret as we do with the peer's.
    const other = new SeedKeyCache().entry(v.rootKey, 'S-1-5-18', 361, 17, 12).agreement();
    expect(agreement.sharedSecret(other.publicKey()).equals(other.sharedSecret(pub))).toBe(true);
  });
});

describe('seed key cache', () => {
  it('derives one chain for a thousand blobs of one key period', () => {
    const v = loadVector('kdf_sha512_nonce');
    const cache = new SeedKeyCache();
    const first = cache.l2Seed(v.rootKey, SID_1104, 361, 17, 13);
    const callsAfterFirst = cache.stats.kdfCalls;
    // L0 (1) + L1[31] (1) + L1 31->17 (14) + L2[31] (1) + L2 31->13 (18)
    expect(callsAfterFirst).toBe(35);
    for (let i = 0; i < 1000; i++) expect(cache.l2Seed(v.rootKey, SID_1104, 361, 17, 13)).toBe(first);
    expect(cache.stats.kdfCalls).toBe(callsAfterFirst);
    expect(cache.stats.hits).toBe(1000);
  });

  it('reuses the L1 and L2 chains for nearby key periods and keeps SIDs apart', () => {
    const v = loadVector('kdf_sha512_nonce');
    const cache = new SeedKeyCache();
    cache.l2Seed(v.rootKey, SID_1104, 361, 17, 13);
    const before = cache.stats.kdfCalls;
    cache.l2Seed(v.rootKey, SID_1104, 361, 17, 12); // one more L2 step
    expect(cache.stats.kdfCalls - before).toBe(1);
    cache.l2Seed(v.rootKey, SID_1104, 361, 16, 31); // one L1 step + L2[31]
    expect(cache.stats.kdfCalls - before).toBe(3);
    const a = cache.l2Seed(v.rootKey, SID_1104, 361, 17, 13);
    const b = cache.l2Seed(v.rootKey, 'S-1-5-18', 361, 17, 13);
    expect(a.equals(b)).toBe(false);
    // An uncached derivation gives the same keys as the incremental one.
    expect(new SeedKeyCache().l2Seed(v.rootKey, SID_1104, 361, 16, 31).equals(cache.l2Seed(v.rootKey, SID_1104, 361, 16, 31))).toBe(true);
  });

  it('never mixes two root key objects with the same id', () => {
    const v = loadVector('kdf_sha512_nonce');
    const w = loadVector('kdf_sha256_nonce');
    const cache = new SeedKeyCache();
    const forged = { ...w.rootKey, id: v.rootKey.id, idBytes: v.rootKey.idBytes, keyData: w.rootKey.keyData };
    expect(cache.l2Seed(v.rootKey, SID_1104, 361, 17, 13).equals(cache.l2Seed(forged, SID_1104, 361, 17, 13))).toBe(false);
  });

  it('clear() zeroes and forgets the cached keys', () => {
    const v = loadVector('kdf_sha512_nonce');
    const cache = new SeedKeyCache();
    const seed = cache.l2Seed(v.rootKey, SID_1104, 361, 17, 13);
    const copy = Buffer.from(seed);
    cache.clear();
    expect(seed.every((b) => b === 0)).toBe(true);
    expect(cache.l2Seed(v.rootKey, SID_1104, 361, 17, 13).equals(copy)).toBe(true);
  });

  it('rejects indexes outside the tree', () => {
    const v = loadVector('kdf_sha512_nonce');
    const cache = new SeedKeyCache();
    expect(() => cache.l2Seed(v.rootKey, SID_1104, 361, 32, 0)).toThrow(RangeError);
    expect(() => cache.l2Seed(v.rootKey, SID_1104, -1, 0, 0)).toThrow(RangeError);
  });
});

describe('group key ids and time', () => {
  it('maps a time to its 10-hour key period and back', () => {
    const t = new Date('2023-05-01T12:34:56Z');
    const id = groupKeyIdForTime(t);
    const start = groupKeyStartTime(id);
    expect(start.getTime()).toBeLessThanOrEqual(t.getTime());
    expect(t.getTime() - start.getTime()).toBeLessThan(10 * 3600 * 1000);
    expect(groupKeyIdForTime(start)).toEqual(id);
    expect(groupKeyIdForTime(new Date(start.getTime() - 1))).not.toEqual(id);
  });

  it('puts the vectors (L0 361, L1 17, L2 13) in 2023, when they were made', () => {
    const start = groupKeyStartTime({ l0: 361, l1: 17, l2: 13 });
    expect(start.getUTCFullYear()).toBe(2023);
    expect(groupKeyIdForTime(start)).toEqual({ l0: 361, l1: 17, l2: 13 });
  });

  it('counts L2 fastest: 32 periods make one L1 step', () => {
    const a = groupKeyIdForTime(new Date('2024-01-01T00:00:00Z'));
    const b = groupKeyIdForTime(new Date(Date.parse('2024-01-01T00:00:00Z') + 32 * 10 * 3600 * 1000));
    expect((b.l0 * 32 + b.l1) - (a.l0 * 32 + a.l1)).toBe(1);
    expect(b.l2).toBe(a.l2);
  });
});
