/**
 * Worker thread of the cutover's payload check (payload-check.ts): decrypts its share of the
 * current blobs with its own seed-key cache and posts back only the outcomes (an account name or
 * why it failed), never a password. The root key it received is zeroed before it exits.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { rootKeyFromJsonObject } from '../../dpapi-ng/root-key.js';
import { SeedKeyCache } from '../../dpapi-ng/seed-key-cache.js';
import { checkPayload } from './payload-check.js';

const data = workerData as { keys: unknown[]; values: Uint8Array[] };
const keys = data.keys.map(rootKeyFromJsonObject);
const cache = new SeedKeyCache();
try {
  // structured clone turns Buffers into Uint8Arrays: view them as Buffers again, no copy
  parentPort!.postMessage(data.values.map((v) => checkPayload(Buffer.from(v.buffer, v.byteOffset, v.byteLength), keys, cache)));
} finally {
  cache.clear();
  for (const k of keys) k.keyData.fill(0);
}
