/** The cutover's payload check: decrypt the current blob, keep only the account name (issue 17). */
import { describe, expect, it } from 'vitest';
import { newRootKey } from '../../../../src/dpapi-ng/new-root-key.js';
import { SeedKeyCache } from '../../../../src/dpapi-ng/seed-key-cache.js';
import { encryptDpapiNg } from '../../../../src/dpapi-ng/encrypt-dpapi-ng.js';
import { encryptLapsValue } from '../../../../src/laps/encrypt-laps-value.js';
import { buildEncryptedPasswordValue } from '../../../../src/laps/encrypted-password-value.js';
import { checkPayload } from '../../../../src/steps/cutover/payload-check.js';
import { checkPayloads } from '../../../../src/steps/cutover/payload-pool.js';
import { verifyComputer, type WaveComputer, type WaveExpectation } from '../../../../src/steps/cutover/verify.js';

const SID = 'S-1-5-21-1-2-3-1105';
const rootKey = newRootKey({});
const otherKey = newRootKey({});
const time = new Date('2026-11-01T10:05:00Z');
const SECRET = 'Secret-Payload-Value-42!';
const value = (accountName: string, password = SECRET, key = rootKey) => encryptLapsValue({ accountName, password }, { rootKey: key, sid: SID, time });
/** A well-encrypted blob whose plaintext is not a LAPS payload. */
const raw = (text: string) => buildEncryptedPasswordValue(encryptDpapiNg(Buffer.from(`${text}\0`, 'utf16le'), { rootKey, sid: SID, time, contentPlacement: 'detached' }), time);

describe('checkPayload', () => {
  it('returns the account name only (no password anywhere in the outcome)', () => {
    const r = checkPayload(value('LapsAdmin'), [rootKey], new SeedKeyCache());
    expect(r).toEqual({ ok: true, accountName: 'LapsAdmin' });
    expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it('fails without the blob\'s root key, on a malformed payload, on an empty password; never quoting the plaintext', () => {
    const cache = new SeedKeyCache();
    const noKey = checkPayload(value('Administrator', SECRET, otherKey), [rootKey], cache);
    expect(noKey).toMatchObject({ ok: false, error: expect.stringMatching(/root key .* was not supplied/) });
    const notJson = checkPayload(raw(`{"n":"Administrator","p":"${SECRET}"`), [rootKey], cache);
    expect(notJson).toMatchObject({ ok: false, error: expect.stringMatching(/not valid JSON/) });
    const missing = checkPayload(raw(`{"n":"Administrator","p":"${SECRET}"}`), [rootKey], cache);
    expect(missing).toMatchObject({ ok: false, error: expect.stringMatching(/lacks field\(s\) "t"/) });
    expect(checkPayload(value('Administrator', ''), [rootKey], cache)).toMatchObject({ ok: false, error: expect.stringMatching(/empty password/) });
    const tampered = value('Administrator');
    tampered[tampered.length - 3]! ^= 0xff;
    expect(checkPayload(tampered, [rootKey], cache)).toMatchObject({ ok: false, error: expect.stringMatching(/authentication/) });
    for (const r of [noKey, notJson, missing]) expect(JSON.stringify(r)).not.toContain(SECRET);
  });

  it('one derivation chain for many blobs of one key period (seed keys cached)', async () => {
    const values = Array.from({ length: 20 }, (_, i) => value(`Admin${i}`));
    const cache = new SeedKeyCache();
    values.forEach((v) => checkPayload(v, [rootKey], cache));
    expect(cache.stats.misses).toBe(1);
    expect(cache.stats.hits).toBe(19);
    const all = await checkPayloads(values, [rootKey], 0);
    expect(all.map((r) => (r.ok ? r.accountName : r.error))).toEqual(values.map((_, i) => `Admin${i}`));
  });
});

describe('the payload outcome in the verdict', () => {
  const start = new Date('2026-11-01T10:00:00Z');
  const x: WaveExpectation = { startedAt: start, encryption: true, principalSid: SID, historySize: 2, accountName: 'LapsAdmin', graceDays: 7, now: new Date('2026-11-01T12:00:00Z') };
  const pc = (over: Partial<WaveComputer>): WaveComputer => ({ dn: 'CN=PC1,OU=Pilot,DC=lab', name: 'PC1', build: 22631, windows: true, enabled: true, stale: false, writes: { encrypted: time }, clearPresent: false, history: [], encrypted: value('LapsAdmin'), ...over });

  it('ok, not-checked, failed (another account, does not decrypt)', () => {
    expect(verifyComputer(pc({ decrypted: { ok: true, accountName: 'lapsadmin' } }), x)).toMatchObject({ state: 'verified', payload: 'ok' });
    expect(verifyComputer(pc({}), x)).toMatchObject({ state: 'verified', payload: 'not-checked' });
    const other = verifyComputer(pc({ decrypted: { ok: true, accountName: 'Administrator' } }), x);
    expect(other).toMatchObject({ state: 'failed', payload: 'failed' });
    expect(other.reasons[0]).toMatch(/account "Administrator", the policy manages "LapsAdmin"/);
    const bad = verifyComputer(pc({ decrypted: { ok: false, error: 'cannot decrypt: authentication failed' } }), x);
    expect(bad).toMatchObject({ state: 'failed', payload: 'failed', reasons: ['the current encrypted password fails the payload check: cannot decrypt: authentication failed'] });
  });
});

describe('checkPayloads on worker threads', () => {
  it('falls back to this thread when a worker cannot start (same outcomes)', async () => {
    // under vitest the compiled payload-worker.js does not exist next to the TypeScript source
    const values = [value('Admin1'), value('Admin2', SECRET, otherKey)];
    const r = await checkPayloads(values, [rootKey], 2);
    expect(r[0]).toEqual({ ok: true, accountName: 'Admin1' });
    expect(r[1]).toMatchObject({ ok: false });
  });
});
