/**
 * replPropertyMetaData (MS-DRSR PROPERTY_META_DATA_EXT_VECTOR as AD and Samba store it):
 * u32 version (1), u32 reserved, u32 count, u32 reserved, then count entries of 48 bytes:
 * attid u32, version u32, originating change time u64 (seconds since 1601), originating
 * invocation id (16), originating USN u64, local USN u64. Readable by plain users, so it tells
 * when and how often each LAPS attribute was written even where the values are confidential.
 * Attributes added to the schema later are identified by their msDS-IntId.
 */
import { InputError } from '../errors.js';

export interface PropertyMetaData {
  attid: number;
  version: number;
  changed: Date;
  localUsn: bigint;
}

const SECONDS_1601_TO_1970 = 11_644_473_600n;

/** The number of entries, after checking the header and the length. */
function entryCount(buf: Buffer): number {
  if (buf.length < 16) throw new InputError(`replPropertyMetaData too short (${buf.length} bytes)`);
  const version = buf.readUInt32LE(0);
  if (version !== 1) throw new InputError(`replPropertyMetaData version ${version} is not supported`);
  const count = buf.readUInt32LE(8);
  if (16 + count * 48 > buf.length) throw new InputError(`replPropertyMetaData claims ${count} entries but holds ${Math.floor((buf.length - 16) / 48)}`);
  return count;
}

function entryAt(buf: Buffer, i: number): PropertyMetaData {
  const o = 16 + i * 48;
  const secs = buf.readBigUInt64LE(o + 8);
  return {
    attid: buf.readUInt32LE(o),
    version: buf.readUInt32LE(o + 4),
    changed: new Date(Number((secs - SECONDS_1601_TO_1970) * 1000n)),
    localUsn: buf.readBigUInt64LE(o + 40),
  };
}

export function parseReplPropertyMetaData(buf: Buffer): PropertyMetaData[] {
  const count = entryCount(buf);
  const out: PropertyMetaData[] = [];
  for (let i = 0; i < count; i++) out.push(entryAt(buf, i));
  return out;
}

/**
 * The entry of one attribute, or undefined when it was never written; only that entry is decoded
 * (a computer carries some 50, and the inventory and cutover read 10,000s of computers).
 */
export function findPropertyMetaData(buf: Buffer, attid: number): PropertyMetaData | undefined {
  const count = entryCount(buf);
  for (let i = 0; i < count; i++) if (buf.readUInt32LE(16 + i * 48) === attid) return entryAt(buf, i);
  return undefined;
}

/** msDS-IntId as LDAP returns it (a signed 32-bit decimal) -> the unsigned attid used in metadata. */
export function intIdToAttid(intId: string | number): number {
  return Number(intId) >>> 0;
}
