/** Loads the Windows-produced DPAPI-NG vectors (test/fixtures/dpapi-ng, MIT, see LICENSE.dpapi-ng). */
import { readFileSync } from 'node:fs';
import { rootKeyFromJsonObject, type RootKey } from '../../../src/dpapi-ng/root-key.js';

const DIR = new URL('../../fixtures/dpapi-ng/', import.meta.url);

export const VECTOR_NAMES = [
  'kdf_sha256_dh',
  'kdf_sha256_ecdh_p256',
  'kdf_sha256_ecdh_p384',
  'kdf_sha256_nonce',
  'kdf_sha512_dh',
  'kdf_sha512_ecdh_p256',
  'kdf_sha512_ecdh_p384',
  'kdf_sha512_nonce',
] as const;
export type VectorName = (typeof VECTOR_NAMES)[number];

export interface Vector {
  name: string;
  json: Record<string, unknown>;
  rootKey: RootKey;
  /** Every blob of the file ("Data", "Data1", ...). */
  blobs: Array<{ field: string; bytes: Buffer }>;
}

export function fixtureText(file: string): string {
  return readFileSync(new URL(file, DIR), 'utf8');
}

export function loadVector(name: VectorName): Vector {
  const json = JSON.parse(fixtureText(`${name}.json`)) as Record<string, unknown>;
  const blobs = Object.keys(json)
    .filter((k) => /^Data\d*$/.test(k))
    .map((field) => ({ field, bytes: Buffer.from(json[field] as string, 'hex') }));
  return { name, json, rootKey: rootKeyFromJsonObject(json), blobs };
}

export function loadSeedKeyFixture(): Record<string, unknown> {
  return JSON.parse(fixtureText('seed_key.json')) as Record<string, unknown>;
}
