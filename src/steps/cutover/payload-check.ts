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
import { rootKeyToJsonObject, type RootKey } from '../../dpapi-ng/root-key.js';
import { SeedKeyCache } from '../../dpapi-ng/seed-key-cache.js';
import { parseEncryptedPasswordValue } from '../../laps/encrypted-password-value.js';
import { decodeEncryptedPayload } from '../../laps/password-payload.js';
import type { Finding } from '../../model/step-result.js';
import { blobHeader, type WaveComputer } from './verify.js';

export type PayloadOutcome = { ok: true; accountName: string } | { ok: false; error: string };

/** From this many current blobs on, decrypt on worker threads (LAPS_MIGRATE_DECRYPT_WORKERS=N forces N workers, 0 none). */
export const PAYLOAD_WORKER_THRESHOLD = 1000;

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

/** Values per batch (about 0.15 s of DH work on one core). */
const BATCH = 250;
/** Batches a worker holds at once: one in work, the next one ready. */
const IN_FLIGHT = 2;

interface Batch {
  values: readonly Buffer[];
  resolve: (o: PayloadOutcome[]) => void;
}

interface Slot {
  worker: Worker;
  dead: boolean;
  inFlight: Map<number, Batch>;
}

/**
 * Decrypts values on worker threads while they are still being read: batches queue here and each
 * worker is kept IN_FLIGHT batches deep. When the caller has nothing left to read (`results`),
 * this thread takes batches from the queue as well, so the last stretch runs on one more core
 * without one more worker (each costs some 35 MB of RSS). A worker that cannot start or dies
 * costs time, not the check: its batches go back to the queue. Root keys reach the workers as they
 * are learned and are zeroed there when the pool ends.
 */
class PayloadPool {
  private readonly workers: Slot[] = [];
  private readonly batches: Array<Promise<PayloadOutcome[]>> = [];
  private readonly queue: Array<Batch & { id: number }> = [];
  private readonly keys: RootKey[] = [];
  private readonly cache = new SeedKeyCache();
  private stopped = false;
  private settled = 0;
  /** Wakes `results` when a batch settles or a worker goes (its batches back in the queue). */
  private wake: (() => void) | undefined;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      let worker: Worker;
      try {
        // small heaps: the worker holds two batches of blobs and short-lived crypto buffers only
        worker = new Worker(new URL('./payload-worker.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 } });
      } catch {
        continue; // this thread does the work
      }
      const slot: Slot = { worker, dead: false, inFlight: new Map() };
      worker.on('message', (m: { id: number; outcomes: PayloadOutcome[] }) => {
        const batch = slot.inFlight.get(m.id);
        if (!batch) return;
        slot.inFlight.delete(m.id);
        batch.resolve(m.outcomes);
        this.pump();
        this.wake?.();
      });
      // a worker that cannot start (no compiled worker file under the tests) or dies: its
      // batches go back to the queue
      const gone = () => {
        if (slot.dead) return;
        slot.dead = true;
        for (const [id, batch] of slot.inFlight) {
          if (this.stopped) batch.resolve([]);
          else this.queue.unshift({ id, ...batch });
        }
        slot.inFlight.clear();
        this.pump();
        this.wake?.();
      };
      worker.once('error', gone);
      worker.once('exit', gone);
      this.workers.push(slot);
    }
  }

  addKey(key: RootKey): void {
    this.keys.push(key);
    for (const w of this.workers) if (!w.dead) w.worker.postMessage({ key: rootKeyToJsonObject(key) });
  }

  /** Queues one batch; its outcomes come back in the same order. */
  check(values: readonly Buffer[]): void {
    const id = this.batches.length;
    this.batches.push(
      new Promise<PayloadOutcome[]>((resolve) =>
        this.queue.push({
          id,
          values,
          resolve: (o) => {
            this.settled++;
            resolve(o);
          },
        }),
      ),
    );
    this.pump();
  }

  /** Hands queued batches to the workers that have room. */
  private pump(): void {
    for (const slot of this.workers) {
      while (!slot.dead && slot.inFlight.size < IN_FLIGHT && this.queue.length) {
        const batch = this.queue.shift()!;
        slot.inFlight.set(batch.id, batch);
        slot.worker.postMessage({ id: batch.id, values: batch.values });
      }
    }
  }

  /**
   * Every batch's outcomes, in the order the batches were queued; this thread works through the
   * queue alongside the workers, then the workers are ended.
   */
  async results(): Promise<PayloadOutcome[]> {
    try {
      while (this.settled < this.batches.length) {
        const batch = this.queue.shift();
        if (batch) {
          batch.resolve(this.checkHere(batch.values));
          // let the workers' answers in (and their next batches out) between two batches
          await new Promise((r) => setImmediate(r));
        } else {
          await new Promise<void>((r) => (this.wake = r));
          this.wake = undefined;
        }
      }
      return (await Promise.all(this.batches)).flat();
    } finally {
      this.cache.clear();
      // each worker wipes its keys and seed keys, then exits
      await Promise.all(this.workers.map((w) => (w.dead ? undefined : new Promise<void>((resolve) => {
        w.worker.once('exit', () => resolve());
        w.worker.postMessage({ end: true });
      }))));
    }
  }

  private checkHere(values: readonly Buffer[]): PayloadOutcome[] {
    return values.map((v) => checkPayload(v, this.keys, this.cache));
  }

  /** Ends the workers at once, outcomes dropped. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cache.clear();
    for (const b of this.queue.splice(0)) b.resolve([]);
    await Promise.all(this.workers.map((w) => w.worker.terminate().catch(() => undefined)));
  }
}

function checkInThisThread(values: readonly Buffer[], keys: readonly RootKey[]): PayloadOutcome[] {
  const cache = new SeedKeyCache();
  try {
    return values.map((v) => checkPayload(v, keys, cache));
  } finally {
    cache.clear();
  }
}

/** Checks values in this thread or on `workers` worker threads (same results, same order). */
export async function checkPayloads(values: readonly Buffer[], keys: readonly RootKey[], workers: number): Promise<PayloadOutcome[]> {
  if (workers <= 0 || values.length === 0) return checkInThisThread(values, keys);
  const pool = new PayloadPool(workers);
  for (const k of keys) pool.addKey(k);
  for (let i = 0; i < values.length; i += BATCH) pool.check(values.slice(i, i + BATCH));
  return pool.results();
}

/** Workers for `values` blobs: LAPS_MIGRATE_DECRYPT_WORKERS=N forces N (0: none). */
function workerCount(values: number): number {
  const forced = process.env.LAPS_MIGRATE_DECRYPT_WORKERS;
  if (forced !== undefined && /^\d+$/.test(forced)) return Math.min(Number(forced), 16);
  // one core stays with this thread, which reads meanwhile and joins the decryption once the
  // read is done (measured at 10,000 blobs on 2 cores: a second worker bought no time and
  // cost 35 MB of RSS)
  return values >= PAYLOAD_WORKER_THRESHOLD ? Math.max(1, Math.min(availableParallelism() - 1, 4)) : 0;
}

type KeyState = { state: 'loading'; waiting: WaveComputer[] } | { state: 'ready'; key: RootKey } | { state: 'unreadable'; id: string; computers: WaveComputer[] };

/**
 * The payload check of one started, encrypted wave, fed computer by computer while the wave is
 * read: each current blob is grouped by the root key it names; the key is read once (as soon as
 * the first blob names it) and, past PAYLOAD_WORKER_THRESHOLD blobs, batches go to worker
 * threads while the search goes on. `finish` sets `decrypted` on every computer it could check
 * and returns an info finding for the blobs left unchecked and why.
 */
export class WavePayloadCheck {
  private readonly byKey = new Map<string, KeyState>();
  private readonly loads: Array<Promise<void>> = [];
  /** Computers whose blobs are checked, in the order their outcomes will come back. */
  private readonly order: WaveComputer[] = [];
  private pending: WaveComputer[] = [];
  private pool: PayloadPool | undefined;
  private readonly keys: RootKey[] = [];
  private inThread: Buffer[] = [];

  constructor(private readonly dir: Directory, private readonly configDn: string, private readonly waveName: string, private readonly expected?: number) {}

  add(c: WaveComputer): void {
    const header = c.encrypted ? (c.encryptedHeader ?? blobHeader(c.encrypted)) : undefined;
    const id = header && 'rootKeyId' in header ? header.rootKeyId : undefined;
    if (!id) return;
    const k = id.toLowerCase();
    const known = this.byKey.get(k);
    if (!known) {
      const state: KeyState = { state: 'loading', waiting: [c] };
      this.byKey.set(k, state);
      this.loads.push(this.load(k, id, state));
    } else if (known.state === 'loading') known.waiting.push(c);
    else if (known.state === 'ready') this.queue(c);
    else known.computers.push(c);
  }

  private async load(k: string, id: string, loading: { waiting: WaveComputer[] }): Promise<void> {
    const key = await readRootKey(this.dir, this.configDn, id).catch(() => undefined);
    if (!key) {
      this.byKey.set(k, { state: 'unreadable', id, computers: loading.waiting });
      return;
    }
    this.keys.push(key);
    this.pool?.addKey(key);
    this.byKey.set(k, { state: 'ready', key });
    for (const c of loading.waiting) this.queue(c);
  }

  private queue(c: WaveComputer): void {
    this.order.push(c);
    this.pending.push(c);
    if (!this.pool && this.order.length >= Math.min(PAYLOAD_WORKER_THRESHOLD, this.expected ?? Infinity)) {
      const n = workerCount(Math.max(this.order.length, this.expected ?? 0));
      if (n > 0) {
        this.pool = new PayloadPool(n);
        for (const key of this.keys) this.pool.addKey(key);
      }
    }
    if (this.pool && this.pending.length >= BATCH) this.flush();
  }

  private flush(): void {
    const values = this.pending.map((c) => c.encrypted!);
    this.pending = [];
    if (!this.pool) this.inThread.push(...values);
    else for (let i = 0; i < values.length; i += BATCH) this.pool.check(values.slice(i, i + BATCH));
  }

  /** Waits for every outcome; zeroes the root keys (the forest secret is not kept past the check). */
  async finish(): Promise<Finding[]> {
    try {
      await Promise.all(this.loads);
      this.flush();
      const outcomes = this.pool ? await this.pool.results() : checkInThisThread(this.inThread, this.keys);
      this.order.forEach((c, i) => (c.decrypted = outcomes[i]!));
    } finally {
      for (const k of this.keys) k.keyData.fill(0);
    }
    return this.unreadableFinding();
  }

  /** The read failed: the workers are stopped and the root keys zeroed, no outcome is set. */
  async abort(): Promise<void> {
    await Promise.all(this.loads).catch(() => undefined);
    for (const k of this.keys) k.keyData.fill(0);
    await this.pool?.stop();
  }

  /** Keys the account could not read: gone from the forest (nobody can decrypt) or just not readable by it. */
  private async unreadableFinding(): Promise<Finding[]> {
    const unreadable = [...this.byKey.values()].filter((s): s is Extract<KeyState, { state: 'unreadable' }> => s.state === 'unreadable');
    if (!unreadable.length) return [];
    const visible = new Set(
      (await this.dir.searchAll({ base: kdsMasterRootKeysDn(this.configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: ['cn'] }).catch(() => [])).map((e) => String(e.attributes['cn']?.[0] ?? '').toLowerCase()),
    );
    const ids: string[] = [];
    let unchecked = 0;
    for (const s of unreadable) {
      const id = s.id;
      if (visible.size > 0 && !visible.has(id.toLowerCase())) {
        for (const c of s.computers) c.decrypted = { ok: false, error: `encrypted with KDS root key ${id}, which is not in the forest (deleted?): nobody can decrypt it` };
      } else {
        ids.push(id);
        unchecked += s.computers.length;
      }
    }
    if (!ids.length) return [];
    return [{
      code: 'CUTOVER_PAYLOAD_NOT_CHECKED',
      severity: 'info',
      object: this.waveName,
      message: `wave ${this.waveName}: ${unchecked} current encrypted password(s) were checked for their principal only; their payload was not decrypted.`,
      evidence: `KDS root key ${ids.join(', ')} is not readable by the bound account (msKds-RootKeyData: Domain/Enterprise Admins only)`,
      advice: 'Run the cutover as a Domain Admin to also check that each current password decrypts and names the managed account.',
    }];
  }
}

/**
 * Sets `decrypted` on every computer of a started, encrypted wave whose current blob names a root
 * key this account can read; returns an info finding for the blobs left unchecked and why.
 */
export async function checkWavePayloads(dir: Directory, configDn: string, computers: readonly WaveComputer[], waveName: string): Promise<Finding[]> {
  const check = new WavePayloadCheck(dir, configDn, waveName, computers.length);
  for (const c of computers) check.add(c);
  return check.finish();
}
