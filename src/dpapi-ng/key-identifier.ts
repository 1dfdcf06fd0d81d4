/**
 * The KDSK key identifier carried in KEKRecipientInfo.kekid.keyIdentifier. Not published as such
 * by Microsoft; it mirrors the MS-GKDI 2.2.4 Group Key Envelope header:
 *   u32 version (1) | "KDSK" | u32 flags | i32 L0 | i32 L1 | i32 L2 | root key GUID (16, MS-DTYP order)
 *   | u32 cbKeyInfo | u32 cbDomainName | u32 cbForestName | key info | domain (UTF-16LE+NUL) | forest (UTF-16LE+NUL)
 * flags: bit 0 = key info is the sender's public key (else a 32-byte KDF context "nonce");
 *        bit 1 = the key may be used for encryption and decryption (Windows always sets it).
 */
import { DpapiNgFormatError } from './errors.js';
import { guidFromBytes, guidToBytes } from '../dtyp/guid.js';

export const KDSK_MAGIC = Buffer.from('KDSK', 'latin1');
export const KEY_ID_FLAG_PUBLIC_KEY = 0x1;
export const KEY_ID_FLAG_ENCRYPTION = 0x2;
const KNOWN_FLAGS = KEY_ID_FLAG_PUBLIC_KEY | KEY_ID_FLAG_ENCRYPTION;
const HEADER = 52;
/** Key info size for the nonce form. */
export const NONCE_KEY_INFO_LENGTH = 32;

export interface KeyIdentifier {
  version: number;
  flags: number;
  isPublicKey: boolean;
  l0: number;
  l1: number;
  l2: number;
  /** Lowercase GUID string. */
  rootKeyId: string;
  /** The sender's public key blob (DHPB / ECK1 / ECK3 / ECK5) or the 32-byte KDF context. */
  keyInfo: Buffer;
  domainName: string;
  forestName: string;
}

function bad(what: string): never {
  throw new DpapiNgFormatError(`malformed DPAPI-NG key identifier: ${what}`);
}

function readName(buf: Buffer, start: number, len: number, what: string): string {
  if (len === 0) return '';
  if (len % 2 !== 0 || len < 2) bad(`${what} length is odd`);
  if (buf.readUInt16LE(start + len - 2) !== 0) bad(`${what} is not NUL-terminated`);
  const text = buf.subarray(start, start + len - 2).toString('utf16le');
  if (text.includes('\0')) bad(`${what} holds an embedded NUL`);
  return text;
}

export function parseKeyIdentifier(buf: Buffer): KeyIdentifier {
  if (buf.length < HEADER) bad(`${buf.length} bytes, at least ${HEADER} expected`);
  const version = buf.readUInt32LE(0);
  if (version !== 1) bad(`version ${version} (1 expected)`);
  if (!buf.subarray(4, 8).equals(KDSK_MAGIC)) bad('magic is not "KDSK"');
  const flags = buf.readUInt32LE(8);
  if ((flags & ~KNOWN_FLAGS) !== 0) bad(`unknown flags 0x${flags.toString(16)}`);
  const l0 = buf.readInt32LE(12);
  const l1 = buf.readInt32LE(16);
  const l2 = buf.readInt32LE(20);
  if (l0 < 0) bad(`L0 index ${l0} is negative`);
  if (l1 < 0 || l1 > 31) bad(`L1 index ${l1} is outside 0..31`);
  if (l2 < 0 || l2 > 31) bad(`L2 index ${l2} is outside 0..31`);
  const rootKeyId = guidFromBytes(buf, 24);
  const cbKeyInfo = buf.readUInt32LE(40);
  const cbDomain = buf.readUInt32LE(44);
  const cbForest = buf.readUInt32LE(48);
  const total = HEADER + cbKeyInfo + cbDomain + cbForest;
  if (total !== buf.length) bad(`the length fields add up to ${total} bytes but it has ${buf.length}`);
  const isPublicKey = (flags & KEY_ID_FLAG_PUBLIC_KEY) !== 0;
  if (!isPublicKey && cbKeyInfo !== NONCE_KEY_INFO_LENGTH) bad(`nonce key info is ${cbKeyInfo} bytes (${NONCE_KEY_INFO_LENGTH} expected)`);
  if (isPublicKey && cbKeyInfo < 8) bad('public key info too short');
  const keyInfo = Buffer.from(buf.subarray(HEADER, HEADER + cbKeyInfo));
  const domainName = readName(buf, HEADER + cbKeyInfo, cbDomain, 'domain name');
  const forestName = readName(buf, HEADER + cbKeyInfo + cbDomain, cbForest, 'forest name');
  return { version, flags, isPublicKey, l0, l1, l2, rootKeyId, keyInfo, domainName, forestName };
}

export function serializeKeyIdentifier(k: Omit<KeyIdentifier, 'isPublicKey'> & { isPublicKey?: boolean }): Buffer {
  const domain = Buffer.from(`${k.domainName}\0`, 'utf16le');
  const forest = Buffer.from(`${k.forestName}\0`, 'utf16le');
  const head = Buffer.alloc(HEADER);
  head.writeUInt32LE(k.version, 0);
  KDSK_MAGIC.copy(head, 4);
  head.writeUInt32LE(k.flags, 8);
  head.writeInt32LE(k.l0, 12);
  head.writeInt32LE(k.l1, 16);
  head.writeInt32LE(k.l2, 20);
  guidToBytes(k.rootKeyId).copy(head, 24);
  head.writeUInt32LE(k.keyInfo.length, 40);
  head.writeUInt32LE(domain.length, 44);
  head.writeUInt32LE(forest.length, 48);
  return Buffer.concat([head, k.keyInfo, domain, forest]);
}
