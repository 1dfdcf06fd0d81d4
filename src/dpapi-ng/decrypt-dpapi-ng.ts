/**
 * Opens a DPAPI-NG blob with a KDS root key (what NCryptUnprotectSecret does after GetKey):
 * parse -> pick the root key -> seed key (cached) -> KEK (nonce or DH/ECDH) -> AES-256 key
 * unwrap -> AES-256-GCM. Either the whole plaintext comes back or a typed error is thrown;
 * no partial plaintext ever leaves this function.
 */
import { createDecipheriv } from 'node:crypto';
import { parseDpapiNgBlob, type DpapiNgBlob } from './dpapi-ng-blob.js';
import { DpapiNgDecryptError } from './errors.js';
import { kekFromNonce, kekFromSharedSecret } from './kek.js';
import { parsePublicKeyBlob } from './public-key-blob.js';
import type { RootKey } from './root-key.js';
import { defaultSeedKeyCache, type SeedKeyCache } from './seed-key-cache.js';

/** One key, several keys, or a function from root key id (lowercase GUID) to key. */
export type RootKeyLookup = RootKey | readonly RootKey[] | ((rootKeyId: string) => RootKey | undefined);

export interface DecryptOptions {
  /** Seed key cache; default: one process-wide cache. */
  cache?: SeedKeyCache;
}

export interface DpapiNgDecryptResult {
  plaintext: Buffer;
  blob: DpapiNgBlob;
  rootKey: RootKey;
}

export const AES_WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');

export function findRootKey(keys: RootKeyLookup, rootKeyId: string): RootKey | undefined {
  if (typeof keys === 'function') return keys(rootKeyId);
  const list: readonly RootKey[] = Array.isArray(keys) ? keys : [keys as RootKey];
  return list.find((k) => k.id === rootKeyId);
}

function describeKeys(keys: RootKeyLookup): string {
  if (typeof keys === 'function') return 'the root key source has no such key';
  const list: readonly RootKey[] = Array.isArray(keys) ? keys : [keys as RootKey];
  return list.length === 0 ? 'no root key was supplied' : `supplied: ${list.map((k) => k.id).join(', ')}`;
}

function authFailed(what: string): DpapiNgDecryptError {
  return new DpapiNgDecryptError(`cannot decrypt: ${what}`, 'AUTHENTICATION_FAILED', {
    advice: 'check that the root key is the forest KDS root key the blob names; otherwise the blob was altered or damaged',
  });
}

/** AES key unwrap (RFC 3394); a failed integrity check is an authentication failure. */
export function unwrapKey(kek: Buffer, wrapped: Buffer): Buffer {
  try {
    const d = createDecipheriv('id-aes256-wrap', kek, AES_WRAP_IV);
    return Buffer.concat([d.update(wrapped), d.final()]);
  } catch {
    throw authFailed('the content-encryption key does not unwrap (wrong root key, or the key identifier, SID or wrapped key was altered)');
  }
}

/** AES-256-GCM open; returns nothing unless the tag verifies. */
export function gcmOpen(cek: Buffer, nonce: Buffer, encryptedContent: Buffer): Buffer {
  const tagStart = encryptedContent.length - 16;
  const parts: Buffer[] = [];
  try {
    const d = createDecipheriv('aes-256-gcm', cek, nonce, { authTagLength: 16 });
    d.setAuthTag(encryptedContent.subarray(tagStart));
    parts.push(d.update(encryptedContent.subarray(0, tagStart)));
    parts.push(d.final());
  } catch {
    for (const p of parts) p.fill(0);
    throw authFailed('the encrypted content failed authentication (ciphertext, tag or nonce altered)');
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

export function decryptDpapiNg(data: Buffer | DpapiNgBlob, keys: RootKeyLookup, options: DecryptOptions = {}): DpapiNgDecryptResult {
  const blob = Buffer.isBuffer(data) ? parseDpapiNgBlob(data) : data;
  const ki = blob.keyIdentifier;
  const rootKey = findRootKey(keys, ki.rootKeyId);
  if (!rootKey) {
    throw new DpapiNgDecryptError(`cannot decrypt: the blob was encrypted with KDS root key ${ki.rootKeyId}, which was not supplied (${describeKeys(keys)})`, 'ROOT_KEY_NOT_FOUND', {
      advice: 'export that root key (msKds-ProvRootKey with this cn) to a root key file',
    });
  }
  const cache = options.cache ?? defaultSeedKeyCache;
  const entry = cache.entry(rootKey, blob.sid, ki.l0, ki.l1, ki.l2);
  let kek: Buffer;
  if (ki.isPublicKey) {
    const peer = parsePublicKeyBlob(ki.keyInfo);
    const shared = entry.agreement().sharedSecret(peer);
    kek = kekFromSharedSecret(rootKey, shared);
    shared.fill(0);
  } else {
    kek = kekFromNonce(rootKey, entry.seed, ki.keyInfo);
  }
  let cek: Buffer | undefined;
  try {
    cek = unwrapKey(kek, blob.encryptedKey);
    const plaintext = gcmOpen(cek, blob.gcmNonce, blob.encryptedContent);
    return { plaintext, blob, rootKey };
  } finally {
    kek.fill(0);
    cek?.fill(0);
  }
}
