/**
 * The payload check of the cutover's verification (issue 17): when the bound account can read the
 * KDS root key, each computer's current msLAPS-EncryptedPassword is decrypted and its payload must
 * be well formed ({"n","t","p"}, a non-empty password) for the configured account name. The
 * decrypted password never leaves checkPayload: only the account name or why it failed comes
 * back, the plaintext buffer is zeroed, nothing is logged, reported or journaled. Seed keys are
 * cached per root key / L0 / L1 / L2 (one derivation chain per key period, not per computer).
 * payload-pool.ts runs it on worker threads, wave-payloads.ts feeds it a wave's blobs.
 */
import { decryptDpapiNg } from '../../dpapi-ng/decrypt-dpapi-ng.js';
import type { RootKey } from '../../dpapi-ng/root-key.js';
import type { SeedKeyCache } from '../../dpapi-ng/seed-key-cache.js';
import { parseEncryptedPasswordValue } from '../../laps/encrypted-password-value.js';
import { decodeEncryptedPayload } from '../../laps/password-payload.js';

export type PayloadOutcome = { ok: true; accountName: string } | { ok: false; error: string };

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Decrypts one stored value and checks its payload. The password is dropped here, never returned. */
export function checkPayload(value: Buffer, keys: readonly RootKey[], cache: SeedKeyCache): PayloadOutcome {
  let plaintext: Buffer | undefined;
  try {
    const { blob } = parseEncryptedPasswordValue(value);
    plaintext = decryptDpapiNg(blob, keys, { cache }).plaintext;
    // the parsed payload (and its password) stays in this scope; only the name goes out
    const payload = decodeEncryptedPayload(plaintext);
    if (payload.password.length === 0) return { ok: false, error: 'the decrypted payload holds an empty password ("p")' };
    if (payload.accountName.trim() === '') return { ok: false, error: 'the decrypted payload names no account ("n" is empty)' };
    return { ok: true, accountName: payload.accountName };
  } catch (e) {
    // LapsFormatError / DpapiNg* messages never quote the plaintext
    return { ok: false, error: messageOf(e) };
  } finally {
    plaintext?.fill(0);
  }
}
