/**
 * The cutover's payload check on real worker threads (the compiled dist/, as the CLI runs it; the
 * unit tests run the TypeScript sources, where no worker file exists and the check falls back to
 * one thread): batches go out while values are still handed over, this thread joins in at the
 * end, and the outcomes come back complete and in order, the same as in one thread.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = (p: string) => import(pathToFileURL(join(process.cwd(), 'dist', p)).href);

describe('payload check on worker threads (built CLI code)', () => {
  it('1,100 blobs of two root keys (one not supplied) and a tampered one: same outcomes, same order as one thread; no password in them', async () => {
    const [{ newRootKey }, { encryptLapsValue }, { SeedKeyCache }, { checkPayloads }] = await Promise.all([
      dist('dpapi-ng/new-root-key.js'), dist('laps/encrypt-laps-value.js'), dist('dpapi-ng/seed-key-cache.js'), dist('steps/cutover/payload-pool.js'),
    ]);
    const key = newRootKey({});
    const other = newRootKey({});
    const cache = new SeedKeyCache();
    const time = new Date();
    const secret = (i: number) => `Worker-Secret-${i}-x`;
    const values: Buffer[] = Array.from({ length: 1100 }, (_, i) =>
      encryptLapsValue({ accountName: `Admin${i}`, password: secret(i) }, { rootKey: i % 97 === 5 ? other : key, sid: 'S-1-5-21-1-2-3-1105', time, cache }),
    );
    values[700] = Buffer.from(values[700]!);
    values[700][values[700].length - 5]! ^= 0x55;
    const here = await checkPayloads(values, [key], 0);
    const pooled = await checkPayloads(values, [key], 2);
    expect(pooled).toHaveLength(values.length);
    expect(pooled).toEqual(here);
    expect(pooled[0]).toEqual({ ok: true, accountName: 'Admin0' });
    expect(pooled[1099]).toEqual({ ok: true, accountName: 'Admin1099' });
    expect(pooled[5]).toMatchObject({ ok: false, error: expect.stringMatching(/not supplied/) });
    expect(pooled[700]).toMatchObject({ ok: false, error: expect.stringMatching(/authentication/) });
    expect(pooled.filter((o: { ok: boolean }) => o.ok)).toHaveLength(1100 - 12 - 1);
    const text = JSON.stringify(pooled);
    for (const i of [0, 5, 700, 1099]) expect(text).not.toContain(secret(i));
  }, 120_000);
});
