import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DpapiNgFormatError } from '../../../src/dpapi-ng/errors.js';
import { newRootKey } from '../../../src/dpapi-ng/new-root-key.js';
import {
  ROOT_KEY_BINARY_ATTRIBUTES,
  parseRootKeyFile,
  rootKeyFromDirectoryEntry,
  rootKeyFromJsonObject,
  rootKeyToJsonObject,
} from '../../../src/dpapi-ng/root-key.js';
import { decryptDpapiNg } from '../../../src/dpapi-ng/decrypt-dpapi-ng.js';
import { fixtureText, loadVector } from './fixtures.js';

describe('root key files', () => {
  it('reads the vector files (extra fields ignored)', () => {
    const [key] = parseRootKeyFile(fixtureText('kdf_sha256_dh.json'));
    expect(key!.id).toBe('2491e5f1-c935-27c4-22ba-b85f61b24768');
    expect(key!.idBytes.toString('hex')).toBe('f1e5912435c9c42722bab85f61b24768');
    expect(key!.kdfHash).toBe('SHA256');
    expect(key!.secretAgreementAlgorithm).toBe('DH');
    expect(key!.dhParameters!.keyLength).toBe(256);
    expect([key!.privateKeyLength, key!.publicKeyLength]).toEqual([512, 2048]);
    expect(parseRootKeyFile(fixtureText('kdf_sha512_ecdh_p384.json'))[0]!.kdfHash).toBe('SHA512');
  });

  it('reads an array of keys', () => {
    const a = JSON.parse(fixtureText('kdf_sha256_nonce.json'));
    const b = JSON.parse(fixtureText('kdf_sha512_ecdh_p256.json'));
    const keys = parseRootKeyFile(JSON.stringify([a, b]));
    expect(keys.map((k) => k.secretAgreementAlgorithm)).toEqual(['DH', 'ECDH_P256']);
  });

  it('never shows the key data in JSON, spreads or inspect output', () => {
    const key = loadVector('kdf_sha256_nonce').rootKey;
    const hex = key.keyData.toString('hex');
    expect(hex).toHaveLength(128);
    expect(JSON.stringify(key).toLowerCase()).not.toContain(hex);
    expect(JSON.stringify({ ...key }).toLowerCase()).not.toContain(hex);
    expect(inspect(key, { depth: 5 }).toLowerCase()).not.toContain(hex.slice(0, 8));
    expect(inspect(key)).toContain('<secret>');
    expect(Object.isFrozen(key)).toBe(true);
  });

  it('round-trips through rootKeyToJsonObject', () => {
    const key = newRootKey({ kdfHash: 'SHA384', secretAgreementAlgorithm: 'ECDH_P521' });
    const again = rootKeyFromJsonObject(rootKeyToJsonObject(key));
    expect(again.keyData.equals(key.keyData)).toBe(true);
    expect(again.kdfHash).toBe('SHA384');
    expect(again.secretAgreementAlgorithm).toBe('ECDH_P521');
  });

  const base = () => JSON.parse(fixtureText('kdf_sha256_dh.json')) as Record<string, unknown>;
  const cases: Array<[string, (o: Record<string, unknown>) => void, RegExp]> = [
    ['missing RootKeyData', (o) => delete o.RootKeyData, /missing RootKeyData/],
    ['short RootKeyData', (o) => (o.RootKeyData = (o.RootKeyData as string).slice(0, 60)), /64 bytes \(found 30\)/],
    ['non-hex RootKeyData', (o) => (o.RootKeyData = 'zz'), /RootKeyData must be a hex string/],
    ['bad GUID', (o) => (o.RootKeyId = 'nope'), /RootKeyId is not a GUID/],
    ['unknown KDF', (o) => (o.KdfAlgorithm = 'HKDF'), /unsupported KdfAlgorithm/],
    ['unknown hash', (o) => (o.KdfParameters = '00000000010000000A00000000000000' + Buffer.from('MD5\0', 'utf16le').toString('hex').slice(0, 8) + '0000'), /KdfParameters|KDF hash/],
    ['unknown agreement', (o) => (o.SecretAgreementAlgorithm = 'RSA'), /unsupported SecretAgreementAlgorithm/],
    ['DH length mismatch', (o) => (o.PublicKeyLength = 1024), /PublicKeyLength does not match/],
    ['broken DH params', (o) => (o.SecretAgreementParameters = (o.SecretAgreementParameters as string).slice(0, 100)), /DH parameters/],
    ['string length', (o) => (o.PrivateKeyLength = '512'), /PrivateKeyLength must be an integer/],
    ['version 2', (o) => (o.Version = 2), /unsupported version 2/],
  ];
  for (const [what, mutate, re] of cases) {
    it(`reports ${what} without quoting the key`, () => {
      const o = base();
      const secret = (o.RootKeyData as string).toLowerCase();
      mutate(o);
      try {
        parseRootKeyFile(JSON.stringify(o));
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(DpapiNgFormatError);
        expect((e as Error).message).toMatch(re);
        expect((e as Error).message.toLowerCase()).not.toContain(secret.slice(0, 12));
      }
    });
  }

  it('reports invalid JSON without quoting the file', () => {
    const text = fixtureText('kdf_sha256_dh.json').replace('"Version"', 'Version');
    try {
      parseRootKeyFile(text);
      throw new Error('accepted');
    } catch (e) {
      expect((e as Error).message).toBe('root key: the file is not valid JSON');
    }
  });

  it('checks ECDH lengths', () => {
    const o = JSON.parse(fixtureText('kdf_sha256_ecdh_p256.json'));
    o.PublicKeyLength = 384;
    expect(() => rootKeyFromJsonObject(o)).toThrow(/ECDH_P256 needs PrivateKeyLength and PublicKeyLength 256/);
  });
});

describe('root keys from directory entries', () => {
  const v = loadVector('kdf_sha512_dh');
  const j = v.json;
  const entry = (overrides: Record<string, Array<string | Buffer>> = {}) => ({
    dn: `CN=${j.RootKeyId as string},CN=Master Root Keys,CN=Group Key Distribution Service,CN=Services,CN=Configuration,DC=corp,DC=example`,
    attributes: {
      cn: [j.RootKeyId as string],
      'mskds-version': ['1'],
      'mskds-kdfalgorithmid': ['SP800_108_CTR_HMAC'],
      'mskds-kdfparam': [Buffer.from(j.KdfParameters as string, 'hex')],
      'mskds-secretagreementalgorithmid': [Buffer.from('DH')],
      'mskds-secretagreementparam': [Buffer.from(j.SecretAgreementParameters as string, 'hex')],
      'mskds-privatekeylength': ['512'],
      'mskds-publickeylength': [Buffer.from('2048')],
      'mskds-rootkeydata': [Buffer.from(j.RootKeyData as string, 'hex')],
      'mskds-usestarttime': ['133280000000000000'],
      'mskds-createtime': ['133279000000000000'],
      ...overrides,
    },
  });

  it('builds the same key as the JSON file, and it decrypts the vector', () => {
    const key = rootKeyFromDirectoryEntry(entry());
    expect(key.id).toBe(v.rootKey.id);
    expect(key.keyData.equals(v.rootKey.keyData)).toBe(true);
    expect(key.useStartTime?.getTime()).toBe(Date.UTC(1601, 0, 1) + 13328000000000); // 133280000000000000 / 10^4 ms after 1601
    expect(decryptDpapiNg(v.blobs[0]!.bytes, key).plaintext.toString('hex')).toBe('00');
  });

  it('takes the id from the DN when cn was not requested, and accepts mixed-case names', () => {
    const e = entry();
    delete (e.attributes as Record<string, unknown>).cn;
    const mixed = { dn: e.dn, attributes: Object.fromEntries(Object.entries(e.attributes).map(([k, val]) => [k.replace('mskds', 'msKds'), val])) };
    expect(rootKeyFromDirectoryEntry(mixed).id).toBe(v.rootKey.id);
  });

  it('explains missing or text-mangled binary attributes', () => {
    const e = entry();
    delete (e.attributes as Record<string, unknown>)['mskds-rootkeydata'];
    expect(() => rootKeyFromDirectoryEntry(e)).toThrow(/msKds-RootKeyData is missing/);
    expect(() => rootKeyFromDirectoryEntry(entry({ 'mskds-kdfparam': ['text'] }))).toThrow(/request it as a binary attribute/);
    expect(ROOT_KEY_BINARY_ATTRIBUTES).toContain('msKds-RootKeyData');
  });
});
