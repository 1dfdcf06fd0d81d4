/**
 * Creates a new KDS root key in memory, like Add-KdsRootKey (for the lab and tests): 64 random
 * bytes of key data, SP800_108_CTR_HMAC with the chosen hash, and DH with Windows' default
 * 2048-bit group (RFC 5114 section 2.3, the group every Windows-made DH root key carries) or
 * ECDH P-256 / P-384 / P-521.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { RFC5114_2048_256_G as DH_G, RFC5114_2048_256_P as DH_P } from './dh-group.js';
import type { KdfHash } from './kdf.js';
import { buildDhParameters, buildKdfParameters, makeRootKey, type RootKey, type SecretAgreementAlgorithm } from './root-key.js';


/** msKds-SecretAgreementParam for Windows' default DH group. */
export const DEFAULT_DH_PARAMETERS = buildDhParameters({ keyLength: 256, p: DH_P, g: DH_G });

const LENGTHS: Record<SecretAgreementAlgorithm, [number, number]> = {
  DH: [512, 2048],
  ECDH_P256: [256, 256],
  ECDH_P384: [384, 384],
  ECDH_P521: [521, 521],
};

export interface NewRootKeyOptions {
  /** Default SHA512 (Windows' default). */
  kdfHash?: KdfHash;
  /** Default DH (Windows' default). */
  secretAgreementAlgorithm?: SecretAgreementAlgorithm;
  /** Default a random GUID. */
  id?: string;
  useStartTime?: Date;
}

export function newRootKey(options: NewRootKeyOptions = {}): RootKey {
  const alg = options.secretAgreementAlgorithm ?? 'DH';
  const [privateKeyLength, publicKeyLength] = LENGTHS[alg];
  const now = new Date();
  return makeRootKey({
    id: options.id ?? randomUUID(),
    kdfAlgorithm: 'SP800_108_CTR_HMAC',
    kdfParameters: buildKdfParameters(options.kdfHash ?? 'SHA512'),
    secretAgreementAlgorithm: alg,
    secretAgreementParameters: alg === 'DH' ? DEFAULT_DH_PARAMETERS : Buffer.alloc(0),
    privateKeyLength,
    publicKeyLength,
    keyData: randomBytes(64),
    useStartTime: options.useStartTime ?? now,
    createTime: now,
  });
}
