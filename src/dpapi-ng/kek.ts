/**
 * Key-encryption keys (MS-GKDI 3.2.4.1.2 and what Windows' CNG DPAPI does with them):
 * - nonce form:      KEK = KDF(HashAlg, L2 seed, "KDS service", nonce (32 bytes), 32)
 * - public-key form: Z = DH / ECDH shared secret;
 *                    S = SP800-56A concat KDF(H, Z, AlgorithmID "SHA512", PartyUInfo "KDS public key",
 *                        PartyVInfo "KDS service") with H = SHA256 (DH, P-256), SHA384 (P-384),
 *                        SHA512 (P-521), |S| = |H|  (all strings UTF-16LE with NUL);
 *                    KEK = KDF(HashAlg, S, "KDS service", "KDS public key", 32)
 * HashAlg is the root key's KDF hash.
 */
import { KDS_PUBLIC_KEY_LABEL, KDS_SERVICE_LABEL, digestSize, sp800108CounterHmac, sp80056aConcatKdf, utf16z } from './kdf.js';
import type { RootKey } from './root-key.js';
import { agreementHash } from './secret-agreement.js';

export const KEK_LENGTH = 32;
const CONCAT_OTHER_INFO = Buffer.concat([utf16z('SHA512'), KDS_PUBLIC_KEY_LABEL, KDS_SERVICE_LABEL]);

export function kekFromNonce(rootKey: RootKey, l2Seed: Buffer, nonce: Buffer): Buffer {
  return sp800108CounterHmac(rootKey.kdfHash, l2Seed, KDS_SERVICE_LABEL, nonce, KEK_LENGTH);
}

export function kekFromSharedSecret(rootKey: RootKey, sharedSecret: Buffer): Buffer {
  const h = agreementHash(rootKey);
  const secret = sp80056aConcatKdf(h, sharedSecret, CONCAT_OTHER_INFO, digestSize(h));
  try {
    return sp800108CounterHmac(rootKey.kdfHash, secret, KDS_SERVICE_LABEL, KDS_PUBLIC_KEY_LABEL, KEK_LENGTH);
  } finally {
    secret.fill(0);
  }
}
