/**
 * The payload check of the cutover's verification (issue 17): when the bound account can read the
 * KDS root key, each computer's current msLAPS-EncryptedPassword is decrypted and its payload must
 * be well formed ({"n","t","p"}, a non-empty password) for the configured account name. The
 * decrypted password never leaves checkPayload: only the account name or why it failed comes
 * back, the plaintext buffer is zeroed, nothing is logged, reported or journaled.
 *
 * Seed keys are cached per root key / L0 / L1 / L2 (one derivation chain per key period, not per
 * computer); past PAYLOAD_WORKER_THRESHOLD values the decryption runs on worker threads (the CPU
 * is the limit at 10,000 computers: 0.5-1 ms per DH blob), one fewer than the cores (each worker
 * costs about 50 MB of RSS).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { kdsMasterRootKeysDn, readRootKey } from '../../directory/kds.js';
import type { Directory } from '../../directory/types.js';
import { decryptDpapiNg } from '../../dpapi-ng/decrypt-dpapi-ng.js';
import { parseDpapiNgBlob } from '../../dpapi-ng/dpapi-ng-blob.js';
import { rootKeyToJsonObject, type RootKey } from '../../dpapi-ng/root-key.js';
import { SeedKeyCache } from '../../dpapi-ng/seed-key-cache.js';
import { parseEncryptedPasswordValue } from '../../laps/encrypted-password-value.js';
import { decodeEncryptedPayload } from '../../laps/password-payload.js';
import type { Finding } from '../../model/step-result.js';
import type { WaveComputer } from './verify.js';

export type PayloadOutcome = { ok: true; accountName: string } | { ok: false; error: string };

/** From this many current blobs on, decrypt on worker threads (LAPS_MIGRATE_DECRYPT_WORKERS=N forces N workers, 0 none). */
export const PAYLOAD_WORKER_THRESHOLD = 2000;

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

/** Checks values in this thread or on `workers` worker threads (same results, same order). */
export async function checkPayloads(values: readonly Buffer[], keys: readonly RootKey[], workers: number): Promise<PayloadOutcome[]> {
  const inThisThread = () => {
    const cache = new SeedKeyCache();
    try {
      return values.map((v) => checkPayload(v, keys, cache));
    } finally {
      cache.clear();
    }
  };
  if (workers <= 0 || values.length === 0) return inThisThread();
  const size = Math.ceil(values.length / workers);
  const slices = Array.from({ length: workers }, (_, i) => values.slice(i * size, (i + 1) * size)).filter((s) => s.length > 0);
  const keyObjects = keys.map(rootKeyToJsonObject);
  try {
    const parts = await Promise.all(slices.map((slice) => runWorker(slice, keyObjects)));
    return parts.flat();
  } catch {
    // a worker that cannot start or dies (memory limit, no compiled worker file) costs time, not the check
    return inThisThread();
  }
}

function runWorker(values: readonly Buffer[], keys: Array<Record<string, unknown>>): Promise<PayloadOutcome[]> {
  return new Promise((resolve, reject) => {
    // small heaps: the worker holds its share of the blobs and short-lived crypto buffers only
    const w = new Worker(new URL('./payload-worker.js', import.meta.url), { workerData: { keys, values }, resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 } });
    let result: PayloadOutcome[] | undefined;
    w.once('message', (m: PayloadOutcome[]) => (result = m));
    w.once('error', reject);
    w.once('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`payload check worker exited with code ${code}`))));
  });
}

function workerCount(values: number): number {
  const forced = process.env.LAPS_MIGRATE_DECRYPT_WORKERS;
  if (forced !== undefined && /^\d+$/.test(forced)) return Math.min(Number(forced), 16);
  // one core stays with the main thread, which reads and evaluates the descriptors meanwhile
  return values >= PAYLOAD_WORKER_THRESHOLD ? Math.max(1, Math.min(availableParallelism() - 1, 4)) : 0;
}

function rootKeyIdOf(value: Buffer): string | undefined {
  try {
    return parseDpapiNgBlob(parseEncryptedPasswordValue(value).blob).keyIdentifier.rootKeyId;
  } catch {
    return undefined; // verify.ts reports a value that does not parse
  }
}

/**
 * Sets `decrypted` on every computer of a started, encrypted wave whose current blob names a root
 * key this account can read; returns an info finding for the blobs left unchecked and why.
 */
export async function checkWavePayloads(dir: Directory, configDn: string, computers: readonly WaveComputer[], waveName: string): Promise<Finding[]> {
  const byKey = new Map<string, WaveComputer[]>();
  for (const c of computers) {
    const id = c.encrypted ? rootKeyIdOf(c.encrypted) : undefined;
    if (!id) continue;
    const list = byKey.get(id);
    if (list) list.push(c);
    else byKey.set(id, [c]);
  }
  if (byKey.size === 0) return [];
  const visible = new Set(
    (await dir.searchAll({ base: kdsMasterRootKeysDn(configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: ['cn'] }).catch(() => [])).map((e) => String(e.attributes['cn']?.[0] ?? '').toLowerCase()),
  );
  const keys: RootKey[] = [];
  const unreadable: string[] = [];
  let unchecked = 0;
  try {
    for (const [id, list] of byKey) {
      const key = await readRootKey(dir, configDn, id).catch(() => undefined);
      if (key) keys.push(key);
      else if (visible.size > 0 && !visible.has(id.toLowerCase())) {
        for (const c of list) c.decrypted = { ok: false, error: `encrypted with KDS root key ${id}, which is not in the forest (deleted?): nobody can decrypt it` };
      } else {
        unreadable.push(id);
        unchecked += list.length;
      }
    }
    const todo = keys.flatMap((k) => byKey.get(k.id) ?? []);
    const outcomes = await checkPayloads(todo.map((c) => c.encrypted!), keys, workerCount(todo.length));
    todo.forEach((c, i) => (c.decrypted = outcomes[i]!));
  } finally {
    for (const k of keys) k.keyData.fill(0); // the forest secret is not kept past the check
  }
  if (!unreadable.length) return [];
  return [{
    code: 'CUTOVER_PAYLOAD_NOT_CHECKED',
    severity: 'info',
    object: waveName,
    message: `wave ${waveName}: ${unchecked} current encrypted password(s) were checked for their principal only; their payload was not decrypted.`,
    evidence: `KDS root key ${unreadable.join(', ')} is not readable by the bound account (msKds-RootKeyData: Domain/Enterprise Admins only)`,
    advice: 'Run the cutover as a Domain Admin to also check that each current password decrypts and names the managed account.',
  }];
}
