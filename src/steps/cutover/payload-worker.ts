/**
 * Worker thread of the cutover's payload check (payload-pool.ts runs it): receives root keys
 * (`{ key }`) and batches of current blobs (`{ id, values }`), decrypts each batch with its own
 * seed-key cache and posts back only the outcomes (an account name or why it failed), never a
 * password. At `{ end }` the root keys and cached seed keys are zeroed and the thread ends.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { rootKeyFromJsonObject, type RootKey } from '../../dpapi-ng/root-key.js';
import { SeedKeyCache } from '../../dpapi-ng/seed-key-cache.js';
import { checkPayload } from './payload-check.js';

/**
 * Below the main thread and the DC: the decryption fills the cores they leave idle instead of
 * slowing the search it overlaps (Linux: a thread's nice value is its own, set by thread id).
 */
function lowerThisThread(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 10);
  } catch {
    // not Linux, or not allowed: the same work at the same priority
  }
}
lowerThisThread();

const keys: RootKey[] = [];
const cache = new SeedKeyCache();
const port = parentPort!;

function wipe(): void {
  cache.clear();
  for (const k of keys) k.keyData.fill(0);
}

port.on('message', (m: { key?: Record<string, unknown>; id?: number; values?: Uint8Array[]; end?: true }) => {
  if (m.end) {
    wipe();
    port.close();
  } else if (m.key) keys.push(rootKeyFromJsonObject(m.key));
  // structured clone turns Buffers into Uint8Arrays: view them as Buffers again, no copy
  else if (m.values) port.postMessage({ id: m.id, outcomes: m.values.map((v) => checkPayload(Buffer.from(v.buffer, v.byteOffset, v.byteLength), keys, cache)) });
});
