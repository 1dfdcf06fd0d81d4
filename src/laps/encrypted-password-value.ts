/**
 * msLAPS-EncryptedPassword / -History / -EncryptedDSRMPassword / -History values: a 16-byte
 * header of four little-endian u32 (FILETIME high dword, FILETIME low dword, size of what
 * follows, reserved 0) followed by a DPAPI-NG blob (whose content is detached: the DER
 * ContentInfo, then the AES-GCM ciphertext and tag).
 */
import { dateToFiletime, filetimeToDate } from '../dtyp/filetime.js';
import { LapsFormatError } from './laps-format-error.js';

export const ENCRYPTED_VALUE_HEADER_LENGTH = 16;

export interface EncryptedPasswordHeader {
  /** When the password was stored (FILETIME). */
  updateTimestamp: bigint;
  updateTime: Date;
  /** The header's size field: bytes after the header. */
  encryptedBufferSize: number;
  /** The reserved dword (0 when written by Windows). */
  flagsReserved: number;
}

export interface EncryptedPasswordValue {
  header: EncryptedPasswordHeader;
  /** The DPAPI-NG blob after the header. */
  blob: Buffer;
}

const FILETIME_2000 = dateToFiletime(new Date('2000-01-01T00:00:00Z'));
const FILETIME_2200 = dateToFiletime(new Date('2200-01-01T00:00:00Z'));

function readTimestamp(value: Buffer): bigint {
  return (BigInt(value.readUInt32LE(0)) << 32n) | BigInt(value.readUInt32LE(4));
}

function readHeader(value: Buffer): EncryptedPasswordHeader {
  const updateTimestamp = readTimestamp(value);
  return {
    updateTimestamp,
    updateTime: filetimeToDate(updateTimestamp),
    encryptedBufferSize: value.readUInt32LE(8),
    flagsReserved: value.readUInt32LE(12),
  };
}

/**
 * The update time in a value's header without checking the rest (inventory reports when each
 * computer last stored a password, also for values it would flag as malformed); undefined when the
 * value is shorter than the header.
 */
export function encryptedValueUpdateTime(value: Buffer): Date | undefined {
  if (value.length < ENCRYPTED_VALUE_HEADER_LENGTH) return undefined;
  const d = filetimeToDate(readTimestamp(value));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Problems with a value, in words (empty when it is well formed). Used to report values written
 * by other tools; parseEncryptedPasswordValue throws them all in one message.
 */
export function checkEncryptedPasswordValue(value: Buffer): string[] {
  if (value.length < ENCRYPTED_VALUE_HEADER_LENGTH) {
    return [`value is ${value.length} bytes, shorter than the ${ENCRYPTED_VALUE_HEADER_LENGTH}-byte header`];
  }
  const problems: string[] = [];
  const size = value.readUInt32LE(8);
  const reserved = value.readUInt32LE(12);
  const timestamp = readTimestamp(value);
  const rest = value.length - ENCRYPTED_VALUE_HEADER_LENGTH;
  if (value[0] === 0x30 && (value[1]! & 0x80) !== 0 && size !== rest) {
    problems.push('value starts with a DER SEQUENCE: it looks like a bare DPAPI-NG blob without the 16-byte header');
  }
  if (size !== rest) problems.push(`header size field says ${size} bytes follow, but ${rest} do`);
  if (reserved !== 0) problems.push(`reserved header dword is 0x${reserved.toString(16).padStart(8, '0')}, 0 expected`);
  if (timestamp === 0n) {
    problems.push('header timestamp is zero');
  } else if (timestamp < FILETIME_2000 || timestamp >= FILETIME_2200) {
    const swapped = (BigInt(value.readUInt32LE(4)) << 32n) | BigInt(value.readUInt32LE(0));
    const hint = swapped >= FILETIME_2000 && swapped < FILETIME_2200 ? ' (the FILETIME dwords look swapped: high dword first is expected)' : '';
    problems.push(`header timestamp 0x${timestamp.toString(16)} is not a date between 2000 and 2200${hint}`);
  }
  if (rest > 0 && value[ENCRYPTED_VALUE_HEADER_LENGTH] !== 0x30) {
    problems.push('the data after the header does not start with a DER SEQUENCE (not a DPAPI-NG blob)');
  }
  return problems;
}

export function parseEncryptedPasswordValue(value: Buffer): EncryptedPasswordValue {
  const problems = checkEncryptedPasswordValue(value);
  if (problems.length > 0) {
    throw new LapsFormatError(`malformed msLAPS-Encrypted* value: ${problems.join('; ')}`);
  }
  return { header: readHeader(value), blob: value.subarray(ENCRYPTED_VALUE_HEADER_LENGTH) };
}

export function buildEncryptedPasswordValue(blob: Buffer, updateTime: Date | bigint): Buffer {
  const ft = typeof updateTime === 'bigint' ? updateTime : dateToFiletime(updateTime);
  const header = Buffer.alloc(ENCRYPTED_VALUE_HEADER_LENGTH);
  header.writeUInt32LE(Number(ft >> 32n), 0);
  header.writeUInt32LE(Number(ft & 0xffffffffn), 4);
  header.writeUInt32LE(blob.length, 8);
  header.writeUInt32LE(0, 12);
  return Buffer.concat([header, blob]);
}

/**
 * Tells a bare DPAPI-NG blob (starts with a DER SEQUENCE with a long-form length) from an
 * msLAPS-Encrypted* value (16-byte header whose size field matches).
 */
export function detectEncryptedInput(data: Buffer): 'laps-value' | 'dpapi-ng-blob' | 'unknown' {
  if (data.length >= ENCRYPTED_VALUE_HEADER_LENGTH && data.readUInt32LE(8) === data.length - ENCRYPTED_VALUE_HEADER_LENGTH) {
    return 'laps-value';
  }
  if (data.length >= 2 && data[0] === 0x30) return 'dpapi-ng-blob';
  return 'unknown';
}
