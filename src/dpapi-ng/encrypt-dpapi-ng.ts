/**
 * Produces DPAPI-NG blobs the way Windows does for a "SID=<sid>" protection descriptor:
 * the current (or given) time's L0/L1/L2 group key of a root key, a KEK from either a 32-byte
 * nonce or an ephemeral DH/ECDH key pair against the group public key, a random AES-256 CEK
 * wrapped with the KEK, and AES-256-GCM content. Content is detached by default (appended
 * after the DER, as Windows LAPS writes it).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { GCM_NONCE_LENGTH, serializeDpapiNgBlob, type ContentPlacement } from './dpapi-ng-blob.js';
import { AES_WRAP_IV } from './decrypt-dpapi-ng.js';
import { groupKeyIdForTime, type GroupKeyId } from './group-key-id.js';
import { kekFromNonce, kekFromSharedSecret } from './kek.js';
import { KEY_ID_FLAG_ENCRYPTION, KEY_ID_FLAG_PUBLIC_KEY, NONCE_KEY_INFO_LENGTH } from './key-identifier.js';
import { serializePublicKeyBlob } from './public-key-blob.js';
import type { RootKey } from './root-key.js';
import { senderAgreement } from './secret-agreement.js';
import { defaultSeedKeyCache, type SeedKeyCache } from './seed-key-cache.js';
import { canonicalSid } from '../dtyp/sid.js';

/** 'public-key': what a client that may not read the key gets (Windows LAPS clients); 'nonce': the seed-key form. */
export type KeyInfoKind = 'public-key' | 'nonce';

export interface EncryptOptions {
  rootKey: RootKey;
  /** The principal allowed to decrypt ("SID=<sid>"). */
  sid: string;
  /** Default 'public-key'. */
  keyKind?: KeyInfoKind;
  /** Time whose group key is used; default now. */
  time?: Date;
  /** Use these indexes instead of the time's (for tests and lab fixtures). */
  groupKeyId?: GroupKeyId;
  /** Default 'detached' (Windows LAPS). */
  contentPlacement?: ContentPlacement;
  domainName?: string;
  forestName?: string;
  cache?: SeedKeyCache;
  /** Tests only: fixed values instead of fresh random ones. */
  fixedRandom?: { cek?: Buffer; gcmNonce?: Buffer; nonce?: Buffer; senderPrivateKey?: Buffer };
}

export function wrapKey(kek: Buffer, cek: Buffer): Buffer {
  const c = createCipheriv('id-aes256-wrap', kek, AES_WRAP_IV);
  return Buffer.concat([c.update(cek), c.final()]);
}

export function gcmSeal(cek: Buffer, nonce: Buffer, plaintext: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', cek, nonce, { authTagLength: 16 });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

export function encryptDpapiNg(plaintext: Buffer, options: EncryptOptions): Buffer {
  const { rootKey } = options;
  const sid = canonicalSid(options.sid);
  if (!sid) throw new RangeError('invalid SID');
  const { l0, l1, l2 } = options.groupKeyId ?? groupKeyIdForTime(options.time ?? new Date());
  const cache = options.cache ?? defaultSeedKeyCache;
  const entry = cache.entry(rootKey, sid, l0, l1, l2);
  const fixed = options.fixedRandom ?? {};
  const kind = options.keyKind ?? 'public-key';
  let kek: Buffer;
  let keyInfo: Buffer;
  if (kind === 'nonce') {
    keyInfo = fixed.nonce ?? randomBytes(NONCE_KEY_INFO_LENGTH);
    if (keyInfo.length !== NONCE_KEY_INFO_LENGTH) throw new RangeError('nonce must be 32 bytes');
    kek = kekFromNonce(rootKey, entry.seed, keyInfo);
  } else {
    const sender = senderAgreement(rootKey, entry.agreement().publicKey(), fixed.senderPrivateKey);
    kek = kekFromSharedSecret(rootKey, sender.sharedSecret);
    sender.sharedSecret.fill(0);
    keyInfo = serializePublicKeyBlob(sender.publicKey);
  }
  const cek = fixed.cek ?? randomBytes(32);
  const gcmNonce = fixed.gcmNonce ?? randomBytes(GCM_NONCE_LENGTH);
  try {
    const encryptedKey = wrapKey(kek, cek);
    const encryptedContent = gcmSeal(cek, gcmNonce, plaintext);
    return serializeDpapiNgBlob({
      keyIdentifier: {
        version: 1,
        flags: KEY_ID_FLAG_ENCRYPTION | (kind === 'public-key' ? KEY_ID_FLAG_PUBLIC_KEY : 0),
        isPublicKey: kind === 'public-key',
        l0,
        l1,
        l2,
        rootKeyId: rootKey.id,
        keyInfo,
        domainName: options.domainName ?? '',
        forestName: options.forestName ?? '',
      },
      sid,
      encryptedKey,
      gcmNonce,
      encryptedContent,
      contentPlacement: options.contentPlacement ?? 'detached',
    });
  } finally {
    kek.fill(0);
    if (!fixed.cek) cek.fill(0);
  }
}
