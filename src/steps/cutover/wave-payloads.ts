/**
 * The payload check of one started, encrypted wave (issue 17), fed computer by computer while the
 * wave is read: blobs grouped by the KDS root key they name, each key read once, the decryption
 * on worker threads past PAYLOAD_WORKER_THRESHOLD blobs (payload-pool.ts).
 */
import { kdsMasterRootKeysDn, readRootKey } from '../../directory/kds.js';
import type { Directory } from '../../directory/types.js';
import type { RootKey } from '../../dpapi-ng/root-key.js';
import type { Finding } from '../../model/step-result.js';
import { checkInThisThread, PayloadPool, PAYLOAD_WORKER_THRESHOLD, workerCount } from './payload-pool.js';
import { blobHeader, type WaveComputer } from './verify.js';

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
  /** Computers checked before a pool exists (all of them when the wave stays below the threshold). */
  private pending: WaveComputer[] = [];
  private pool: PayloadPool | undefined;
  private readonly keys: RootKey[] = [];

  constructor(private readonly dir: Directory, private readonly configDn: string, private readonly waveName: string) {}

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
    if (this.pool) {
      this.pool.add(c.encrypted!);
      return;
    }
    this.pending.push(c);
    if (this.order.length < PAYLOAD_WORKER_THRESHOLD) return;
    const n = workerCount(this.order.length);
    if (n === 0) return;
    // past the threshold: what waited goes to the pool first (outcomes come back in `order`)
    this.pool = new PayloadPool(n);
    for (const key of this.keys) this.pool.addKey(key);
    for (const p of this.pending) this.pool.add(p.encrypted!);
    this.pending = [];
  }

  /** Waits for every outcome; zeroes the root keys (the forest secret is not kept past the check). */
  async finish(): Promise<Finding[]> {
    try {
      await Promise.all(this.loads);
      // below the threshold (or with no worker) the pending blobs are checked here
      const outcomes = this.pool ? await this.pool.results() : checkInThisThread(this.pending.map((c) => c.encrypted!), this.keys);
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
 * Runs a wave's read with `check` fed each computer as its page arrives (when there is a check);
 * a read that fails stops the check's workers and zeroes its root keys before the error goes on.
 */
export async function readFeeding<T>(check: WavePayloadCheck | undefined, read: (feed: { computer?: (c: WaveComputer) => void }) => Promise<T>): Promise<T> {
  try {
    return await read(check ? { computer: (c) => check.add(c) } : {});
  } catch (e) {
    await check?.abort();
    throw e;
  }
}
