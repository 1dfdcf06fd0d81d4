/**
 * The sender's public key in a public-key KDSK key identifier (MS-GKDI 2.2.3):
 * - FFC DH key:  "DHPB" | u32 cbKey | p (cbKey, big-endian) | g (cbKey) | y (cbKey)
 * - ECDH key:    "ECK1" (P-256) / "ECK3" (P-384) / "ECK5" (P-521) | u32 cbKey | X (cbKey) | Y (cbKey)
 *   (these are the BCRYPT_DH_KEY_BLOB / BCRYPT_ECCKEY_BLOB public layouts).
 */
import { DpapiNgFormatError } from './errors.js';
import type { SecretAgreementAlgorithm } from './root-key.js';

export type EcCurve = 'P-256' | 'P-384' | 'P-521';

export type PublicKeyBlob =
  | { kind: 'DH'; keyLength: number; p: Buffer; g: Buffer; y: Buffer }
  | { kind: 'ECDH'; curve: EcCurve; keyLength: number; x: Buffer; y: Buffer };

const EC_MAGIC: Record<string, EcCurve> = { ECK1: 'P-256', ECK3: 'P-384', ECK5: 'P-521' };
const EC_MAGIC_BY_CURVE: Record<EcCurve, string> = { 'P-256': 'ECK1', 'P-384': 'ECK3', 'P-521': 'ECK5' };
/** Coordinate size in bytes per curve. */
export const EC_COORDINATE_LENGTH: Record<EcCurve, number> = { 'P-256': 32, 'P-384': 48, 'P-521': 66 };

export function curveOf(alg: SecretAgreementAlgorithm): EcCurve | undefined {
  return alg === 'ECDH_P256' ? 'P-256' : alg === 'ECDH_P384' ? 'P-384' : alg === 'ECDH_P521' ? 'P-521' : undefined;
}

function bad(what: string): never {
  throw new DpapiNgFormatError(`malformed DPAPI-NG public key: ${what}`);
}

export function parsePublicKeyBlob(buf: Buffer): PublicKeyBlob {
  if (buf.length < 8) bad('too short');
  const magic = buf.subarray(0, 4).toString('latin1');
  const keyLength = buf.readUInt32LE(4);
  if (magic === 'DHPB') {
    if (keyLength === 0 || buf.length !== 8 + 3 * keyLength) bad(`DH key length ${keyLength} does not match its ${buf.length} bytes`);
    return {
      kind: 'DH',
      keyLength,
      p: buf.subarray(8, 8 + keyLength),
      g: buf.subarray(8 + keyLength, 8 + 2 * keyLength),
      y: buf.subarray(8 + 2 * keyLength),
    };
  }
  const curve = EC_MAGIC[magic];
  if (!curve) bad('unknown magic (DHPB, ECK1, ECK3 or ECK5 expected)');
  if (keyLength !== EC_COORDINATE_LENGTH[curve]) bad(`${curve} coordinate length ${keyLength} (expected ${EC_COORDINATE_LENGTH[curve]})`);
  if (buf.length !== 8 + 2 * keyLength) bad(`ECDH key length ${keyLength} does not match its ${buf.length} bytes`);
  return { kind: 'ECDH', curve, keyLength, x: buf.subarray(8, 8 + keyLength), y: buf.subarray(8 + keyLength) };
}

export function serializePublicKeyBlob(key: PublicKeyBlob): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(key.keyLength, 4);
  if (key.kind === 'DH') {
    head.write('DHPB', 0, 'latin1');
    return Buffer.concat([head, key.p, key.g, key.y]);
  }
  head.write(EC_MAGIC_BY_CURVE[key.curve], 0, 'latin1');
  return Buffer.concat([head, key.x, key.y]);
}
