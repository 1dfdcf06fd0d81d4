/**
 * GKDI seed keys (MS-GKDI 3.1.4.1.2) with a cache, so that a thousand blobs of one domain cost
 * one derivation chain:
 *   L0 seed      = KDF(RootKeyData, ctx(RKID, L0, -1, -1))
 *   L1[31]       = KDF(L0 seed,     ctx(RKID, L0, 31, -1) || SD)
 *   L1[n]        = KDF(L1[n+1],     ctx(RKID, L0, n,  -1))          n = 30 .. 0
 *   L2[31]       = KDF(L1[L1],      ctx(RKID, L0, L1, 31))
 *   L2[n]        = KDF(L2[n+1],     ctx(RKID, L0, L1, n))           n = 30 .. 0
 * with KDF = SP800-108 counter HMAC (root key's hash), label "KDS service", 64-byte outputs,
 * ctx = RKID (16) || L0 || L1 || L2 (signed 32-bit little-endian) and SD the protection
 * descriptor's security descriptor.
 *
 * Cached per root key object (two RootKey objects with the same id but different key data never
 * share entries) and per (L0, L1, L2, SID). The cache holds secrets in memory only; clear()
 * zeroes and forgets them.
 */
import { KDS_SERVICE_LABEL, sp800108CounterHmac } from './kdf.js';
import { protectionSecurityDescriptor } from './protection-security-descriptor.js';
import type { RootKey } from './root-key.js';
import { agreementKeyFor, type AgreementKey } from './secret-agreement.js';

export const SEED_KEY_LENGTH = 64;

export function kdfContext(rootKeyIdBytes: Buffer, l0: number, l1: number, l2: number): Buffer {
  const out = Buffer.alloc(28);
  rootKeyIdBytes.copy(out, 0);
  out.writeInt32LE(l0, 16);
  out.writeInt32LE(l1, 20);
  out.writeInt32LE(l2, 24);
  return out;
}

export interface SeedKeyCacheStats {
  /** KDF invocations for seed keys (L0 + L1 + L2 steps). */
  kdfCalls: number;
  /** Requests answered from a cached L2 entry. */
  hits: number;
  /** Requests that needed at least one derivation step. */
  misses: number;
  /** Agreement keys (group private keys) built. */
  agreementKeys: number;
}

export interface SeedKeyEntry {
  /** The L2 seed key, Key(SD, RK, L0, L1, L2). */
  readonly seed: Buffer;
  /** The group private/public key of this seed key, built on first use. */
  agreement(): AgreementKey;
}

interface RootState {
  l0: Map<number, Buffer>;
  /** `${l0}|${sid}` -> L1 seeds by index (filled from 31 downwards). */
  l1: Map<string, Array<Buffer | undefined>>;
  /** `${l0}|${l1}|${sid}` -> L2 seeds by index (filled from 31 downwards). */
  l2: Map<string, Array<Buffer | undefined>>;
  entries: Map<string, SeedKeyEntry>;
  sd: Map<string, Buffer>;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

export class SeedKeyCache {
  private readonly roots = new Map<RootKey, RootState>();
  readonly stats: SeedKeyCacheStats = { kdfCalls: 0, hits: 0, misses: 0, agreementKeys: 0 };

  /** maxEntries bounds each internal map (per root key); the oldest entries go first. */
  constructor(private readonly maxEntries = 4096) {}

  private state(rootKey: RootKey): RootState {
    let s = this.roots.get(rootKey);
    if (!s) {
      s = { l0: new Map(), l1: new Map(), l2: new Map(), entries: new Map(), sd: new Map() };
      this.roots.set(rootKey, s);
    }
    return s;
  }

  private kdf(rootKey: RootKey, key: Buffer, context: Buffer): Buffer {
    this.stats.kdfCalls++;
    return sp800108CounterHmac(rootKey.kdfHash, key, KDS_SERVICE_LABEL, context, SEED_KEY_LENGTH);
  }

  /** The security descriptor bytes for a SID (cached: they are mixed into every L1[31]). */
  securityDescriptor(rootKey: RootKey, sid: string): Buffer {
    const s = this.state(rootKey);
    let sd = s.sd.get(sid);
    if (!sd) {
      sd = protectionSecurityDescriptor(sid);
      remember(s.sd, sid, sd, this.maxEntries);
    }
    return sd;
  }

  l0Seed(rootKey: RootKey, l0: number): Buffer {
    const s = this.state(rootKey);
    let seed = s.l0.get(l0);
    if (!seed) {
      seed = this.kdf(rootKey, rootKey.keyData, kdfContext(rootKey.idBytes, l0, -1, -1));
      remember(s.l0, l0, seed, this.maxEntries);
    }
    return seed;
  }

  l1Seed(rootKey: RootKey, sid: string, l0: number, l1: number): Buffer {
    checkIndexes(l0, l1, 0);
    const s = this.state(rootKey);
    const key = `${l0}|${sid}`;
    let chain = s.l1.get(key);
    if (!chain) {
      chain = new Array<Buffer | undefined>(32);
      const sd = this.securityDescriptor(rootKey, sid);
      chain[31] = this.kdf(rootKey, this.l0Seed(rootKey, l0), Buffer.concat([kdfContext(rootKey.idBytes, l0, 31, -1), sd]));
      remember(s.l1, key, chain, this.maxEntries);
    }
    let n = l1;
    while (!chain[n]) n++;
    for (; n > l1; n--) chain[n - 1] = this.kdf(rootKey, chain[n]!, kdfContext(rootKey.idBytes, l0, n - 1, -1));
    return chain[l1]!;
  }

  l2Seed(rootKey: RootKey, sid: string, l0: number, l1: number, l2: number): Buffer {
    return this.entry(rootKey, sid, l0, l1, l2).seed;
  }

  /** The cached L2 entry (seed key + lazily built agreement key). */
  entry(rootKey: RootKey, sid: string, l0: number, l1: number, l2: number): SeedKeyEntry {
    checkIndexes(l0, l1, l2);
    const s = this.state(rootKey);
    const entryKey = `${l0}|${l1}|${l2}|${sid}`;
    const cached = s.entries.get(entryKey);
    if (cached) {
      this.stats.hits++;
      return cached;
    }
    this.stats.misses++;
    const chainKey = `${l0}|${l1}|${sid}`;
    let chain = s.l2.get(chainKey);
    if (!chain) {
      chain = new Array<Buffer | undefined>(32);
      chain[31] = this.kdf(rootKey, this.l1Seed(rootKey, sid, l0, l1), kdfContext(rootKey.idBytes, l0, l1, 31));
      remember(s.l2, chainKey, chain, this.maxEntries);
    }
    let n = l2;
    while (!chain[n]) n++;
    for (; n > l2; n--) chain[n - 1] = this.kdf(rootKey, chain[n]!, kdfContext(rootKey.idBytes, l0, l1, n - 1));
    const seed = chain[l2]!;
    let agreement: AgreementKey | undefined;
    const stats = this.stats;
    const entry: SeedKeyEntry = {
      seed,
      agreement(): AgreementKey {
        if (!agreement) {
          agreement = agreementKeyFor(rootKey, seed);
          stats.agreementKeys++;
        }
        return agreement;
      },
    };
    remember(s.entries, entryKey, entry, this.maxEntries);
    return entry;
  }

  /** Forgets (and zeroes) every cached seed key. */
  clear(): void {
    for (const s of this.roots.values()) {
      for (const b of s.l0.values()) b.fill(0);
      for (const chain of [...s.l1.values(), ...s.l2.values()]) for (const b of chain) b?.fill(0);
      s.l0.clear();
      s.l1.clear();
      s.l2.clear();
      s.entries.clear();
      s.sd.clear();
    }
    this.roots.clear();
  }
}

function checkIndexes(l0: number, l1: number, l2: number): void {
  if (!Number.isInteger(l0) || l0 < 0 || l0 > 0x7fffffff) throw new RangeError('L0 index out of range');
  if (!Number.isInteger(l1) || l1 < 0 || l1 > 31) throw new RangeError('L1 index out of range');
  if (!Number.isInteger(l2) || l2 < 0 || l2 > 31) throw new RangeError('L2 index out of range');
}

/** A process-wide cache used when the caller passes none. */
export const defaultSeedKeyCache = new SeedKeyCache();
