/**
 * KDS root keys (MS-GKDI 3.1.1, AD class msKds-ProvRootKey), from a JSON file or from the
 * msKds-* attribute values of a directory entry.
 *
 * A root key is a secret: `keyData` is a non-enumerable property, so JSON.stringify, object
 * spreading and util.inspect never show it, and no error message here ever quotes a value.
 */
import { inspect } from 'node:util';
import { DpapiNgFormatError } from './errors.js';
import { guidToBytes, isGuidString, normalizeGuid } from '../dtyp/guid.js';
import { filetimeToUnixMs } from '../dtyp/filetime.js';
import { KDF_HASHES, type KdfHash } from './kdf.js';

export type SecretAgreementAlgorithm = 'DH' | 'ECDH_P256' | 'ECDH_P384' | 'ECDH_P521';
export const SECRET_AGREEMENT_ALGORITHMS: readonly SecretAgreementAlgorithm[] = ['DH', 'ECDH_P256', 'ECDH_P384', 'ECDH_P521'];
export const KDF_ALGORITHM = 'SP800_108_CTR_HMAC';

/** FFC DH parameters (MS-GKDI 2.2.2): big-endian p and g, each keyLength bytes. */
export interface DhParameters {
  keyLength: number;
  p: Buffer;
  g: Buffer;
}

export interface RootKey {
  /** Lowercase GUID, the cn of the msKds-ProvRootKey object. */
  readonly id: string;
  /** The same GUID in MS-DTYP binary order (as used in key identifiers and KDF contexts). */
  readonly idBytes: Buffer;
  readonly version: number;
  readonly kdfAlgorithm: typeof KDF_ALGORITHM;
  readonly kdfHash: KdfHash;
  readonly kdfParameters: Buffer;
  readonly secretAgreementAlgorithm: SecretAgreementAlgorithm;
  readonly secretAgreementParameters: Buffer;
  /** Present for 'DH'. */
  readonly dhParameters: DhParameters | undefined;
  /** Bits, as in msKds-PrivateKeyLength. */
  readonly privateKeyLength: number;
  /** Bits, as in msKds-PublicKeyLength. */
  readonly publicKeyLength: number;
  /** msKds-UseStartTime, when known. */
  readonly useStartTime?: Date | undefined;
  /** msKds-CreateTime, when known. */
  readonly createTime?: Date | undefined;
  /** msKds-RootKeyData (64 bytes). Secret; non-enumerable. */
  readonly keyData: Buffer;
}

export interface RootKeyFields {
  id: string;
  version?: number;
  kdfAlgorithm: string;
  kdfParameters: Buffer;
  secretAgreementAlgorithm: string;
  secretAgreementParameters: Buffer;
  privateKeyLength: number;
  publicKeyLength: number;
  keyData: Buffer;
  useStartTime?: Date;
  createTime?: Date;
}

const EXPECTED_LENGTHS: Record<Exclude<SecretAgreementAlgorithm, 'DH'>, number> = {
  ECDH_P256: 256,
  ECDH_P384: 384,
  ECDH_P521: 521,
};

function bad(message: string): never {
  throw new DpapiNgFormatError(`root key: ${message}`, { reason: 'ROOT_KEY_MALFORMED' });
}

/** Parses MS-GKDI 2.2.1 KDF parameters and returns the hash name. */
export function parseKdfParameters(buf: Buffer): KdfHash {
  if (buf.length < 18) bad('KdfParameters too short');
  if (buf.readUInt32LE(0) !== 0 || buf.readUInt32LE(4) !== 1 || buf.readUInt32LE(12) !== 0) bad('KdfParameters has a wrong magic');
  const len = buf.readUInt32LE(8);
  if (16 + len !== buf.length || len % 2 !== 0 || len < 4) bad('KdfParameters length field does not match its size');
  if (buf.readUInt16LE(buf.length - 2) !== 0) bad('KdfParameters hash name is not NUL-terminated');
  const name = buf.subarray(16, buf.length - 2).toString('utf16le');
  if (!(KDF_HASHES as readonly string[]).includes(name)) bad(`unsupported KDF hash "${name.replace(/[^A-Za-z0-9_-]/g, '?').slice(0, 16)}" (SHA1, SHA256, SHA384 or SHA512 expected)`);
  return name as KdfHash;
}

export function buildKdfParameters(hash: KdfHash): Buffer {
  const name = Buffer.from(`${hash}\0`, 'utf16le');
  const head = Buffer.alloc(16);
  head.writeUInt32LE(1, 4);
  head.writeUInt32LE(name.length, 8);
  return Buffer.concat([head, name]);
}

/** Parses MS-GKDI 2.2.2 FFC DH parameters ("DHPM"). */
export function parseDhParameters(buf: Buffer): DhParameters {
  if (buf.length < 12) bad('SecretAgreementParameters too short for DH');
  if (buf.readUInt32LE(0) !== buf.length) bad('DH parameters length field does not match its size');
  if (buf.subarray(4, 8).toString('latin1') !== 'DHPM') bad('DH parameters have a wrong magic (DHPM expected)');
  const keyLength = buf.readUInt32LE(8);
  if (keyLength === 0 || 12 + 2 * keyLength !== buf.length) bad('DH parameters key length does not match their size');
  return { keyLength, p: Buffer.from(buf.subarray(12, 12 + keyLength)), g: Buffer.from(buf.subarray(12 + keyLength)) };
}

export function buildDhParameters(params: DhParameters): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt32LE(12 + 2 * params.keyLength, 0);
  head.write('DHPM', 4, 'latin1');
  head.writeUInt32LE(params.keyLength, 8);
  return Buffer.concat([head, params.p, params.g]);
}

/** Validates fields and builds a RootKey whose keyData never shows in JSON or inspect output. */
export function makeRootKey(f: RootKeyFields): RootKey {
  if (!isGuidString(f.id)) bad('RootKeyId is not a GUID');
  const version = f.version ?? 1;
  if (version !== 1) bad(`unsupported version ${version} (1 expected)`);
  if (f.kdfAlgorithm !== KDF_ALGORITHM) bad(`unsupported KdfAlgorithm (${KDF_ALGORITHM} expected)`);
  const kdfHash = parseKdfParameters(f.kdfParameters);
  if (!(SECRET_AGREEMENT_ALGORITHMS as readonly string[]).includes(f.secretAgreementAlgorithm)) {
    bad(`unsupported SecretAgreementAlgorithm (one of ${SECRET_AGREEMENT_ALGORITHMS.join(', ')} expected)`);
  }
  const alg = f.secretAgreementAlgorithm as SecretAgreementAlgorithm;
  if (!Number.isInteger(f.privateKeyLength) || f.privateKeyLength <= 0 || f.privateKeyLength > 8192) bad('PrivateKeyLength must be a positive number of bits');
  if (!Number.isInteger(f.publicKeyLength) || f.publicKeyLength <= 0 || f.publicKeyLength > 16384) bad('PublicKeyLength must be a positive number of bits');
  let dhParameters: DhParameters | undefined;
  if (alg === 'DH') {
    dhParameters = parseDhParameters(f.secretAgreementParameters);
    if (dhParameters.keyLength * 8 !== f.publicKeyLength) bad('PublicKeyLength does not match the DH parameters');
  } else {
    if (f.secretAgreementParameters.length !== 0) bad(`${alg} takes no SecretAgreementParameters`);
    const bits = EXPECTED_LENGTHS[alg];
    if (f.privateKeyLength !== bits || f.publicKeyLength !== bits) bad(`${alg} needs PrivateKeyLength and PublicKeyLength ${bits}`);
  }
  if (f.keyData.length !== 64) bad(`RootKeyData must be 64 bytes (found ${f.keyData.length})`);
  const id = normalizeGuid(f.id);
  const key = {
    id,
    idBytes: guidToBytes(id),
    version,
    kdfAlgorithm: KDF_ALGORITHM,
    kdfHash,
    kdfParameters: Buffer.from(f.kdfParameters),
    secretAgreementAlgorithm: alg,
    secretAgreementParameters: Buffer.from(f.secretAgreementParameters),
    dhParameters,
    privateKeyLength: f.privateKeyLength,
    publicKeyLength: f.publicKeyLength,
    useStartTime: f.useStartTime,
    createTime: f.createTime,
  } as RootKey;
  Object.defineProperty(key, 'keyData', { value: Buffer.from(f.keyData), enumerable: false, writable: false });
  Object.defineProperty(key, inspect.custom, {
    value: () => `RootKey { id: '${id}', ${alg}, ${kdfHash}, keyData: <secret> }`,
    enumerable: false,
  });
  return Object.freeze(key);
}

function hexField(obj: Record<string, unknown>, name: string, required: boolean): Buffer {
  const v = obj[name];
  if (v === undefined || v === null) {
    if (required) bad(`missing ${name}`);
    return Buffer.alloc(0);
  }
  if (typeof v !== 'string' || !/^(?:[0-9a-fA-F]{2})*$/.test(v)) bad(`${name} must be a hex string`);
  return Buffer.from(v, 'hex');
}

function intField(obj: Record<string, unknown>, name: string): number {
  const v = obj[name];
  if (typeof v !== 'number' || !Number.isInteger(v)) bad(`${name} must be an integer`);
  return v;
}

function stringField(obj: Record<string, unknown>, name: string): string {
  const v = obj[name];
  if (typeof v !== 'string') bad(`${name} must be a string`);
  return v;
}

/** One root key object in the shape of the dpapi-ng test vector files; other fields are ignored. */
export function rootKeyFromJsonObject(obj: unknown): RootKey {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) bad('a JSON object is expected');
  const o = obj as Record<string, unknown>;
  const version = o.Version === undefined ? undefined : intField(o, 'Version');
  return makeRootKey({
    id: stringField(o, 'RootKeyId'),
    version,
    kdfAlgorithm: stringField(o, 'KdfAlgorithm'),
    kdfParameters: hexField(o, 'KdfParameters', true),
    secretAgreementAlgorithm: stringField(o, 'SecretAgreementAlgorithm'),
    secretAgreementParameters: hexField(o, 'SecretAgreementParameters', false),
    privateKeyLength: intField(o, 'PrivateKeyLength'),
    publicKeyLength: intField(o, 'PublicKeyLength'),
    keyData: hexField(o, 'RootKeyData', true),
  });
}

/**
 * Parses a root key file: one object, or an array of objects, in the shape of the vector files
 * (RootKeyId, KdfAlgorithm, KdfParameters, SecretAgreementAlgorithm, SecretAgreementParameters,
 * PrivateKeyLength, PublicKeyLength, RootKeyData; Version optional and 1; others ignored).
 */
export function parseRootKeyFile(text: string): RootKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse messages quote the input: never pass them on.
    bad('the file is not valid JSON');
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0) bad('the file holds no root key');
  return list.map((o, i) => {
    try {
      return rootKeyFromJsonObject(o);
    } catch (e) {
      if (list.length > 1 && e instanceof DpapiNgFormatError) bad(`entry ${i}: ${e.message.replace(/^root key: /, '')}`);
      throw e;
    }
  });
}

/** The shape of a directory entry (compatible with src/directory DirEntry, without importing it). */
export interface AttributeEntry {
  dn?: string;
  attributes: Record<string, Array<string | Buffer>>;
}

function attr(entry: AttributeEntry, name: string): string | Buffer | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(entry.attributes)) if (k.toLowerCase() === lower) return v[0];
  return undefined;
}

function attrString(entry: AttributeEntry, name: string, required: boolean): string | undefined {
  const v = attr(entry, name);
  if (v === undefined) {
    if (required) bad(`msKds attribute ${name} is missing (is the bound account allowed to read root keys?)`);
    return undefined;
  }
  return typeof v === 'string' ? v : v.toString('utf8');
}

function attrBuffer(entry: AttributeEntry, name: string, required: boolean): Buffer {
  const v = attr(entry, name);
  if (v === undefined) {
    if (required) bad(`msKds attribute ${name} is missing (is the bound account allowed to read root keys?)`);
    return Buffer.alloc(0);
  }
  // A binary attribute read as a string would be mangled: require the directory layer to ask for Buffers.
  if (typeof v === 'string') bad(`${name} was read as text; request it as a binary attribute`);
  return v;
}

function attrInt(entry: AttributeEntry, name: string, required: boolean): number | undefined {
  const s = attrString(entry, name, required);
  if (s === undefined) return undefined;
  if (!/^-?\d+$/.test(s.trim())) bad(`${name} is not an integer`);
  return Number(s.trim());
}

function attrFiletime(entry: AttributeEntry, name: string): Date | undefined {
  const s = attrString(entry, name, false);
  if (s === undefined || !/^\d+$/.test(s.trim())) return undefined;
  const ft = BigInt(s.trim());
  return new Date(filetimeToUnixMs(ft));
}

/**
 * Builds a RootKey from an msKds-ProvRootKey entry as read over LDAP (attribute names in any case;
 * msKds-RootKeyData, msKds-KDFParam and msKds-SecretAgreementParam must be Buffers, the others
 * may be strings or Buffers). The root key id is the entry's cn (or the first RDN of its dn).
 */
export function rootKeyFromDirectoryEntry(entry: AttributeEntry): RootKey {
  let id = attrString(entry, 'cn', false);
  if (id === undefined && entry.dn) id = /^cn=([^,]+)/i.exec(entry.dn)?.[1];
  if (id === undefined || !isGuidString(id)) bad('the entry has no GUID cn (msKds-ProvRootKey objects are named CN=<root key id>)');
  return makeRootKey({
    id,
    version: attrInt(entry, 'msKds-Version', false),
    kdfAlgorithm: attrString(entry, 'msKds-KDFAlgorithmID', true)!,
    kdfParameters: attrBuffer(entry, 'msKds-KDFParam', true),
    secretAgreementAlgorithm: attrString(entry, 'msKds-SecretAgreementAlgorithmID', true)!,
    secretAgreementParameters: attrBuffer(entry, 'msKds-SecretAgreementParam', false),
    privateKeyLength: attrInt(entry, 'msKds-PrivateKeyLength', true)!,
    publicKeyLength: attrInt(entry, 'msKds-PublicKeyLength', true)!,
    keyData: attrBuffer(entry, 'msKds-RootKeyData', true),
    useStartTime: attrFiletime(entry, 'msKds-UseStartTime'),
    createTime: attrFiletime(entry, 'msKds-CreateTime'),
  });
}

/** The attributes to request for rootKeyFromDirectoryEntry, and which of them are binary. */
export const ROOT_KEY_ATTRIBUTES = [
  'cn',
  'msKds-Version',
  'msKds-KDFAlgorithmID',
  'msKds-KDFParam',
  'msKds-SecretAgreementAlgorithmID',
  'msKds-SecretAgreementParam',
  'msKds-PrivateKeyLength',
  'msKds-PublicKeyLength',
  'msKds-RootKeyData',
  'msKds-UseStartTime',
  'msKds-CreateTime',
] as const;
export const ROOT_KEY_BINARY_ATTRIBUTES = ['msKds-KDFParam', 'msKds-SecretAgreementParam', 'msKds-RootKeyData'] as const;

/** A JSON object in the vector-file shape (for writing a root key file in the lab). Contains the secret. */
export function rootKeyToJsonObject(key: RootKey): Record<string, unknown> {
  return {
    Version: key.version,
    RootKeyId: key.id,
    KdfAlgorithm: key.kdfAlgorithm,
    KdfParameters: key.kdfParameters.toString('hex').toUpperCase(),
    SecretAgreementAlgorithm: key.secretAgreementAlgorithm,
    SecretAgreementParameters: key.secretAgreementParameters.toString('hex').toUpperCase(),
    PrivateKeyLength: key.privateKeyLength,
    PublicKeyLength: key.publicKeyLength,
    RootKeyData: key.keyData.toString('hex').toUpperCase(),
  };
}
