import { describe, expect, it } from 'vitest';
import { encryptDpapiNg } from '../../../src/dpapi-ng/encrypt-dpapi-ng.js';
import { DpapiNgDecryptError } from '../../../src/dpapi-ng/errors.js';
import { newRootKey } from '../../../src/dpapi-ng/new-root-key.js';
import { SeedKeyCache } from '../../../src/dpapi-ng/seed-key-cache.js';
import { decryptLapsValue } from '../../../src/laps/decrypt-laps-value.js';
import { encryptLapsValue } from '../../../src/laps/encrypt-laps-value.js';
import { LapsFormatError } from '../../../src/laps/laps-format-error.js';

const SID = 'S-1-5-21-1-2-3-512';

describe('decryptLapsValue', () => {
  const key = newRootKey({ secretAgreementAlgorithm: 'ECDH_P256', kdfHash: 'SHA512' });
  const time = new Date('2025-04-01T10:00:00Z');
  const value = encryptLapsValue({ accountName: 'Administrator', password: 'Sup3r-S3cret!' }, { rootKey: key, sid: SID, time, domainName: 'corp.example', forestName: 'example' });

  it('returns payload plus metadata, with an async root key provider', async () => {
    const asked: string[] = [];
    const r = await decryptLapsValue(value, async (id) => {
      asked.push(id);
      return id === key.id ? key : undefined;
    });
    expect(asked).toEqual([key.id]);
    expect(r.source).toBe('laps-value');
    expect(r.payload).toMatchObject({ accountName: 'Administrator', password: 'Sup3r-S3cret!' });
    expect(r.payload!.updateTime.toISOString()).toBe(time.toISOString());
    expect(r.header!.updateTime.toISOString()).toBe(time.toISOString());
    expect(r.blob).toMatchObject({ rootKeyId: key.id, sid: SID, keyKind: 'ECDH_P256', domainName: 'corp.example', forestName: 'example', contentPlacement: 'detached' });
    expect(r.plaintext.toString('utf16le')).toContain('"p":"Sup3r-S3cret!"');
  });

  it('cannot decrypt without the right key: typed, exit 7', async () => {
    await expect(decryptLapsValue(value, () => undefined)).rejects.toMatchObject({ exitCode: 7, reason: 'ROOT_KEY_NOT_FOUND' });
    const other = newRootKey({ id: key.id, secretAgreementAlgorithm: 'ECDH_P256' });
    await expect(decryptLapsValue(value, [other])).rejects.toBeInstanceOf(DpapiNgDecryptError);
  });

  it('requires the header unless bare blobs are allowed', async () => {
    const bare = encryptDpapiNg(Buffer.from('{"n":"a","t":"1","p":"b"}\0', 'utf16le'), { rootKey: key, sid: SID });
    await expect(decryptLapsValue(bare, [key])).rejects.toThrow(/bare DPAPI-NG blob.*header is missing/);
    await expect(decryptLapsValue(bare, [key])).rejects.toBeInstanceOf(LapsFormatError);
    const r = await decryptLapsValue(bare, [key], { allowBareBlob: true });
    expect(r.source).toBe('dpapi-ng-blob');
    expect(r.header).toBeUndefined();
    expect(r.payload?.password).toBe('b');
  });

  it('costs one derivation chain for many values of one key period', async () => {
    const cache = new SeedKeyCache();
    const values = Array.from({ length: 50 }, (_, i) =>
      encryptLapsValue({ accountName: 'Administrator', password: `pw-${i}` }, { rootKey: key, sid: SID, time, cache: new SeedKeyCache() }),
    );
    for (const [i, v] of values.entries()) expect((await decryptLapsValue(v, [key], { cache })).payload?.password).toBe(`pw-${i}`);
    expect(cache.stats.misses).toBe(1);
    expect(cache.stats.hits).toBe(49);
    expect(cache.stats.agreementKeys).toBe(1);
  });
});
