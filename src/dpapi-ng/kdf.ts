/**
 * The two KDFs GKDI uses, on node:crypto.
 * - SP800-108 counter mode with HMAC (MS-GKDI "KDF(HashAlg, KI, Label, Context, L)"):
 *   K(i) = HMAC(KI, [i]32be || Label || 0x00 || Context || [L in bits]32be), i = 1, 2, ...
 * - SP800-56A single-step (concatenation) KDF with a hash:
 *   K(i) = H([i]32be || Z || OtherInfo), OtherInfo = AlgorithmID || PartyUInfo || PartyVInfo
 *   (raw concatenation, as BCryptDeriveKey's SP800_56A_CONCAT does with these parameters).
 */
import { createHash, createHmac } from 'node:crypto';

export type KdfHash = 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512';

export const KDF_HASHES: readonly KdfHash[] = ['SHA1', 'SHA256', 'SHA384', 'SHA512'];

const NODE_NAME: Record<KdfHash, string> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512' };
const DIGEST_SIZE: Record<KdfHash, number> = { SHA1: 20, SHA256: 32, SHA384: 48, SHA512: 64 };

export function digestSize(hash: KdfHash): number {
  return DIGEST_SIZE[hash];
}

/** UTF-16LE with a terminating NUL, the way every GKDI label and name is encoded. */
export function utf16z(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf16le');
}

export const KDS_SERVICE_LABEL = utf16z('KDS service');
export const KDS_PUBLIC_KEY_LABEL = utf16z('KDS public key');

function u32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

export function sp800108CounterHmac(hash: KdfHash, key: Buffer, label: Buffer, context: Buffer, length: number): Buffer {
  const h = NODE_NAME[hash];
  const fixed = Buffer.concat([label, Buffer.from([0]), context, u32be(length * 8)]);
  const blocks = Math.ceil(length / DIGEST_SIZE[hash]);
  if (blocks === 1) return createHmac(h, key).update(u32be(1)).update(fixed).digest().subarray(0, length);
  const out: Buffer[] = [];
  for (let i = 1; i <= blocks; i++) out.push(createHmac(h, key).update(u32be(i)).update(fixed).digest());
  return Buffer.concat(out).subarray(0, length);
}

export function sp80056aConcatKdf(hash: KdfHash, sharedSecret: Buffer, otherInfo: Buffer, length: number): Buffer {
  const h = NODE_NAME[hash];
  const blocks = Math.ceil(length / DIGEST_SIZE[hash]);
  const out: Buffer[] = [];
  for (let i = 1; i <= blocks; i++) out.push(createHash(h).update(u32be(i)).update(sharedSecret).update(otherInfo).digest());
  return Buffer.concat(out).subarray(0, length);
}
