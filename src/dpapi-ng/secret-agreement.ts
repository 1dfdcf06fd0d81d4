/**
 * The secret-agreement half of GKDI public-key KEKs (MS-GKDI 3.1.4.1.2, 3.2.4.1.2) on node:crypto:
 * a group private key derived from an L2 seed key, its public key, and the shared secret with a
 * peer's public key (FFC DH, or ECDH on P-256 / P-384 / P-521).
 *
 * One AgreementKey is built per (root key, L0, L1, L2, SID) and cached with the seed key, so the
 * expensive set-up (private key import, public key computation) happens once per key period;
 * each blob then costs one modular exponentiation or one scalar multiplication.
 */
import {
  createDiffieHellman,
  createECDH,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  randomBytes,
  type DiffieHellman,
  type ECDH,
  type KeyObject,
} from 'node:crypto';
import { derOid, derSequence, derTlv } from './der-writer.js';
import { agreementExponent } from './dh-group.js';
import { DerTag } from './der-reader.js';
import { DpapiNgDecryptError } from './errors.js';
import { KDS_SERVICE_LABEL, sp800108CounterHmac, utf16z } from './kdf.js';
import { EC_COORDINATE_LENGTH, curveOf, type EcCurve, type PublicKeyBlob } from './public-key-blob.js';
import type { RootKey } from './root-key.js';

/** Group orders; derived private keys are reduced modulo n (Windows' behaviour for values >= n is unknown; it is rare except on P-521). */
export const CURVE_ORDER: Record<EcCurve, bigint> = {
  'P-256': BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551'),
  'P-384': BigInt('0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973'),
  'P-521': BigInt('0x01' + 'FF'.repeat(32) + 'FA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409'),
};
const OPENSSL_CURVE: Record<EcCurve, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };
const CURVE_OID: Record<EcCurve, string> = { 'P-256': '1.2.840.10045.3.1.7', 'P-384': '1.3.132.0.34', 'P-521': '1.3.132.0.35' };

/** SubjectPublicKeyInfo header for an uncompressed point on each curve (everything before 04||X||Y). */
const SPKI_PREFIX: Record<EcCurve, Buffer> = Object.fromEntries(
  (Object.keys(CURVE_OID) as EcCurve[]).map((c) => {
    const alg = derSequence(derOid('1.2.840.10045.2.1'), derOid(CURVE_OID[c]));
    const point = 1 + 2 * EC_COORDINATE_LENGTH[c];
    const full = derSequence(alg, derTlv(DerTag.BIT_STRING, Buffer.alloc(1 + point)));
    return [c, full.subarray(0, full.length - point)];
  }),
) as Record<EcCurve, Buffer>;

export interface AgreementKey {
  /** The group public key for this seed key, as a key-info blob body. */
  publicKey(): PublicKeyBlob;
  /** Shared secret with a peer public key: DH y^x mod p, or the ECDH X coordinate, fixed length. */
  sharedSecret(peer: PublicKeyBlob): Buffer;
}

/** PrivKey = KDF(HashAlg, L2 seed, "KDS service", SecretAgreementAlgorithm name, PrivateKeyLength). */
export function derivePrivateKeyBytes(rootKey: RootKey, l2Seed: Buffer): Buffer {
  return sp800108CounterHmac(
    rootKey.kdfHash,
    l2Seed,
    KDS_SERVICE_LABEL,
    utf16z(rootKey.secretAgreementAlgorithm),
    Math.ceil(rootKey.privateKeyLength / 8),
  );
}

function invalidPeer(what: string): never {
  throw new DpapiNgDecryptError(`cannot decrypt: the sender's public key is not usable: ${what}`, 'INVALID_PUBLIC_KEY');
}

function leftPad(buf: Buffer, len: number): Buffer {
  if (buf.length === len) return buf;
  const out = Buffer.alloc(len);
  buf.copy(out, len - buf.length);
  return out;
}

function toFixed(value: bigint, len: number): Buffer {
  return Buffer.from(value.toString(16).padStart(len * 2, '0'), 'hex');
}

class DhAgreement implements AgreementKey {
  private readonly dh: DiffieHellman;
  private readonly keyLength: number;
  constructor(private readonly rootKey: RootKey, privateKey: Buffer) {
    const params = rootKey.dhParameters!;
    this.keyLength = params.keyLength;
    this.dh = createDiffieHellman(params.p, params.g);
    // x mod q in Windows' default group (dh-group.ts): the same public key and shared secrets, half the work
    const exponent = agreementExponent(params.p, params.g, privateKey);
    if (!exponent) throw new DpapiNgDecryptError('cannot decrypt: derived private key is zero modulo the group order', 'AUTHENTICATION_FAILED');
    this.dh.setPrivateKey(exponent);
    if (exponent !== privateKey) exponent.fill(0);
  }
  publicKey(): PublicKeyBlob {
    const params = this.rootKey.dhParameters!;
    const y = leftPad(this.dh.generateKeys(), this.keyLength);
    return { kind: 'DH', keyLength: this.keyLength, p: params.p, g: params.g, y };
  }
  sharedSecret(peer: PublicKeyBlob): Buffer {
    const params = this.rootKey.dhParameters!;
    if (peer.kind !== 'DH') invalidPeer('an ECDH key for a DH root key');
    if (peer.keyLength !== this.keyLength || !peer.p.equals(params.p) || !peer.g.equals(params.g)) {
      invalidPeer('its DH group differs from the root key\'s');
    }
    try {
      return leftPad(this.dh.computeSecret(peer.y), this.keyLength);
    } catch {
      return invalidPeer('the DH public value is out of range');
    }
  }
}

class EcAgreement implements AgreementKey {
  private readonly ecdh: ECDH;
  private readonly curve: EcCurve;
  private readonly len: number;
  /** P-384 and P-521 are faster through EVP key objects than through ECDH.computeSecret on OpenSSL 3.0. */
  private readonly privateKeyObject: KeyObject | undefined;
  constructor(curve: EcCurve, privateKey: Buffer) {
    this.curve = curve;
    this.len = EC_COORDINATE_LENGTH[curve];
    const n = CURVE_ORDER[curve];
    const d = BigInt(`0x${privateKey.toString('hex')}`) % n;
    if (d === 0n) throw new DpapiNgDecryptError('cannot decrypt: derived private key is zero', 'AUTHENTICATION_FAILED');
    const dBytes = toFixed(d, this.len);
    this.ecdh = createECDH(OPENSSL_CURVE[curve]);
    this.ecdh.setPrivateKey(dBytes);
    if (curve !== 'P-256') {
      const pub = this.ecdh.getPublicKey();
      this.privateKeyObject = createPrivateKey({
        key: {
          kty: 'EC',
          crv: curve,
          d: dBytes.toString('base64url'),
          x: pub.subarray(1, 1 + this.len).toString('base64url'),
          y: pub.subarray(1 + this.len).toString('base64url'),
        },
        format: 'jwk',
      });
    }
  }
  publicKey(): PublicKeyBlob {
    const pub = this.ecdh.getPublicKey();
    return { kind: 'ECDH', curve: this.curve, keyLength: this.len, x: pub.subarray(1, 1 + this.len), y: pub.subarray(1 + this.len) };
  }
  sharedSecret(peer: PublicKeyBlob): Buffer {
    if (peer.kind !== 'ECDH') invalidPeer('a DH key for an ECDH root key');
    if (peer.curve !== this.curve) invalidPeer(`a ${peer.curve} key for a ${this.curve} root key`);
    const point = Buffer.concat([Buffer.from([4]), peer.x, peer.y]);
    try {
      if (!this.privateKeyObject) return leftPad(this.ecdh.computeSecret(point), this.len);
      const publicKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX[this.curve], point]), format: 'der', type: 'spki' });
      return leftPad(diffieHellman({ privateKey: this.privateKeyObject, publicKey }), this.len);
    } catch {
      return invalidPeer(`the point is not on ${this.curve}`);
    }
  }
}

/** The agreement key for an L2 seed key of this root key. */
export function agreementKeyFor(rootKey: RootKey, l2Seed: Buffer): AgreementKey {
  const priv = derivePrivateKeyBytes(rootKey, l2Seed);
  try {
    const curve = curveOf(rootKey.secretAgreementAlgorithm);
    return curve ? new EcAgreement(curve, priv) : new DhAgreement(rootKey, priv);
  } finally {
    priv.fill(0);
  }
}

/** Hash used by the SP800-56A concat KDF for each agreement algorithm (BCrypt's choice per key size). */
export function agreementHash(rootKey: RootKey): 'SHA256' | 'SHA384' | 'SHA512' {
  switch (rootKey.secretAgreementAlgorithm) {
    case 'ECDH_P384':
      return 'SHA384';
    case 'ECDH_P521':
      return 'SHA512';
    default:
      return 'SHA256';
  }
}

/**
 * The sender's side of a public-key KEK: a fresh key pair in the root key's group and the
 * shared secret with the group public key. `fixedPrivateKey` exists for tests only.
 */
export function senderAgreement(
  rootKey: RootKey,
  groupPublicKey: PublicKeyBlob,
  fixedPrivateKey?: Buffer,
): { publicKey: PublicKeyBlob; sharedSecret: Buffer } {
  const curve = curveOf(rootKey.secretAgreementAlgorithm);
  if (curve) {
    if (groupPublicKey.kind !== 'ECDH') throw new RangeError('group public key kind mismatch');
    const len = EC_COORDINATE_LENGTH[curve];
    const ecdh = createECDH(OPENSSL_CURVE[curve]);
    if (fixedPrivateKey) ecdh.setPrivateKey(fixedPrivateKey);
    else ecdh.generateKeys();
    const pub = ecdh.getPublicKey();
    const shared = leftPad(ecdh.computeSecret(Buffer.concat([Buffer.from([4]), groupPublicKey.x, groupPublicKey.y])), len);
    return { publicKey: { kind: 'ECDH', curve, keyLength: len, x: pub.subarray(1, 1 + len), y: pub.subarray(1 + len) }, sharedSecret: shared };
  }
  const params = rootKey.dhParameters!;
  if (groupPublicKey.kind !== 'DH') throw new RangeError('group public key kind mismatch');
  const dh = createDiffieHellman(params.p, params.g);
  const r = fixedPrivateKey ?? randomBytes(Math.ceil(rootKey.privateKeyLength / 8));
  // the group public key is g^x, in the prime-order subgroup: (g^x)^r = (g^x)^(r mod q)
  const exponent = agreementExponent(params.p, params.g, r) ?? r;
  dh.setPrivateKey(exponent);
  if (exponent !== r) exponent.fill(0);
  const y = leftPad(dh.generateKeys(), params.keyLength);
  const shared = leftPad(dh.computeSecret(groupPublicKey.y), params.keyLength);
  return { publicKey: { kind: 'DH', keyLength: params.keyLength, p: params.p, g: params.g, y }, sharedSecret: shared };
}
