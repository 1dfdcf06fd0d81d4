/**
 * The cutover's payload checks on worker threads (issue 17 speed: 10,000 DH blobs are about six
 * CPU-seconds): batches are handed out while the wave is still being read, and the calling thread
 * joins in once it has nothing else to do. A worker costs some 35 MB of RSS, so there is one fewer
 * than the cores (measured at 10,000 blobs on 2 cores: a second worker bought no time).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { rootKeyToJsonObject, type RootKey } from '../../dpapi-ng/root-key.js';
import { SeedKeyCache } from '../../dpapi-ng/seed-key-cache.js';
import { checkPayload, type PayloadOutcome } from './payload-check.js';

/** From this many current blobs on, decrypt on worker threads (LAPS_MIGRATE_DECRYPT_WORKERS=N forces N workers, 0 none). */
export const PAYLOAD_WORKER_THRESHOLD = 250;

/** Values per batch (about 75 ms of DH work on one core: at the end, when this thread joins in, little is left waiting on a worker). */
const BATCH = 125;
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
 * Decrypts values on worker threads while they are still being read: values are gathered into
 * batches of BATCH, which queue here, and each worker is kept IN_FLIGHT batches deep. When the caller has nothing left to read (`results`),
 * this thread takes batches from the queue as well, so the last stretch runs on one more core
 * without one more worker (each costs some 35 MB of RSS). A worker that cannot start or dies
 * costs time, not the check: its batches go back to the queue. Root keys reach the workers as they
 * are learned and are zeroed there when the pool ends.
 */
export class PayloadPool {
  private readonly workers: Slot[] = [];
  private readonly batches: Array<Promise<PayloadOutcome[]>> = [];
  private readonly queue: Array<Batch & { id: number }> = [];
  /** Values added since the last batch went out. */
  private gathering: Buffer[] = [];
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

  /** Adds one value; `results` gives the outcomes in the order the values were added. */
  add(value: Buffer): void {
    this.gathering.push(value);
    if (this.gathering.length >= BATCH) this.enqueue();
  }

  /** Queues what has been gathered as one batch. */
  private enqueue(): void {
    if (!this.gathering.length) return;
    const values = this.gathering;
    this.gathering = [];
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
    this.enqueue();
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

export function checkInThisThread(values: readonly Buffer[], keys: readonly RootKey[]): PayloadOutcome[] {
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
  for (const v of values) pool.add(v);
  return pool.results();
}

/** Workers for `values` blobs: LAPS_MIGRATE_DECRYPT_WORKERS=N forces N (0: none). */
export function workerCount(values: number): number {
  const forced = process.env.LAPS_MIGRATE_DECRYPT_WORKERS;
  if (forced !== undefined && /^\d+$/.test(forced)) return Math.min(Number(forced), 16);
  // one core stays with this thread, which reads meanwhile and joins the decryption once the
  // read is done (measured at 10,000 blobs on 2 cores: a second worker bought no time and
  // cost 35 MB of RSS)
  return values >= PAYLOAD_WORKER_THRESHOLD ? Math.max(1, Math.min(availableParallelism() - 1, 4)) : 0;
}
