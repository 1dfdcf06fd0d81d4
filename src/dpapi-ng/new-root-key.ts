/**
 * Creates a new KDS root key in memory, like Add-KdsRootKey (for the lab and tests): 64 random
 * bytes of key data, SP800_108_CTR_HMAC with the chosen hash, and DH with Windows' default
 * 2048-bit group (RFC 5114 section 2.3, the group every Windows-made DH root key carries) or
 * ECDH P-256 / P-384 / P-521.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { KdfHash } from './kdf.js';
import { buildDhParameters, buildKdfParameters, makeRootKey, type RootKey, type SecretAgreementAlgorithm } from './root-key.js';

const DH_P = Buffer.from(
  '87a8e61db4b6663cffbbd19c651959998ceef608660dd0f25d2ceed4435e3b00e00df8f1d61957d4faf7df4561b2aa30' +
  '16c3d91134096faa3bf4296d830e9a7c209e0c6497517abd5a8a9d306bcf67ed91f9e6725b4758c022e0b1ef4275bf7b' +
  '6c5bfc11d45f9088b941f54eb1e59bb8bc39a0bf12307f5c4fdb70c581b23f76b63acae1caa6b7902d52526735488a0e' +
  'f13c6d9a51bfa4ab3ad8347796524d8ef6a167b5a41825d967e144e5140564251ccacb83e6b486f6b3ca3f7971506026' +
  'c0b857f689962856ded4010abd0be621c3a3960a54e710c375f26375d7014103a4b54330c198af126116d2276e11715f' +
  '693877fad7ef09cadb094ae91e1a1597',
  'hex',
);
const DH_G = Buffer.from(
  '3fb32c9b73134d0b2e77506660edbd484ca7b18f21ef205407f4793a1a0ba12510dbc15077be463fff4fed4aac0bb555' +
  'be3a6c1b0c6b47b1bc3773bf7e8c6f62901228f8c28cbb18a55ae31341000a650196f931c77a57f2ddf463e5e9ec144b' +
  '777de62aaab8a8628ac376d282d6ed3864e67982428ebc831d14348f6f2f9193b5045af2767164e1dfc967c1fb3f2e55' +
  'a4bd1bffe83b9c80d052b985d182ea0adb2a3b7313d3fe14c8484b1e052588b9b7d2bbd2df016199ecd06e1557cd0915' +
  'b3353bbb64e0ec377fd028370df92b52c7891428cdc67eb6184b523d1db246c32f63078490f00ef8d647d148d4795451' +
  '5e2327cfef98c582664b4c0f6cc41659',
  'hex',
);

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
