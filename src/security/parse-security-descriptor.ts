/**
 * Binary self-relative SECURITY_DESCRIPTOR -> plain object (MS-DTYP 2.4.6, 2.4.5, 2.4.4).
 * Every length and offset is checked against the bytes actually present: truncated, overlapping
 * or lying fields raise a SecurityDescriptorError with the byte offset, never anything else, and
 * nothing is allocated from a length field before it has been checked against the buffer.
 */
import { aceLayout, ObjectAceFlag, SdControl } from './constants.js';
import { guidFromBytes } from '../dtyp/guid.js';
import { SecurityDescriptorError } from './sd-error.js';
import { SID_MAX_SUB_AUTHORITIES, sidFromBytes } from '../dtyp/sid.js';
import type { Ace, Acl, SdLayout, SdPart, SecurityDescriptor } from './security-descriptor.js';

const HEADER = 20;

/**
 * Descriptors repeat the same SIDs and GUIDs over and over. Their text is kept in small
 * direct-mapped caches keyed by the raw bytes (compared word by word), which avoids formatting
 * them again and allocates nothing on a hit.
 */
const GUID_SLOTS = 4096;
const guidKeys = new Int32Array(GUID_SLOTS * 4);
const guidVals: Array<string | undefined> = new Array<string | undefined>(GUID_SLOTS);
const SID_SLOTS = 4096;
const SID_WORDS = 2 + SID_MAX_SUB_AUTHORITIES;
const sidKeys = new Int32Array(SID_SLOTS * SID_WORDS);
const sidLens = new Int32Array(SID_SLOTS);
const sidVals: Array<string | undefined> = new Array<string | undefined>(SID_SLOTS);

function i32(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24);
}

function cachedGuid(b: Uint8Array, o: number): string {
  const w0 = i32(b, o);
  const w1 = i32(b, o + 4);
  const w2 = i32(b, o + 8);
  const w3 = i32(b, o + 12);
  let h = w0 ^ Math.imul(w1, 0x9e3779b1) ^ Math.imul(w2, 0x85ebca6b) ^ Math.imul(w3, 0xc2b2ae35);
  h = (h ^ (h >>> 15) ^ (h >>> 27)) & (GUID_SLOTS - 1);
  const k = h * 4;
  const hit = guidVals[h];
  if (hit !== undefined && guidKeys[k] === w0 && guidKeys[k + 1] === w1 && guidKeys[k + 2] === w2 && guidKeys[k + 3] === w3) return hit;
  const text = guidFromBytes(b, o);
  guidKeys[k] = w0;
  guidKeys[k + 1] = w1;
  guidKeys[k + 2] = w2;
  guidKeys[k + 3] = w3;
  guidVals[h] = text;
  return text;
}

/** `len` is 8 + 4 * count (already checked against the buffer and the 15 sub-authority limit). */
function cachedSid(b: Uint8Array, o: number, len: number): string {
  const words = len >>> 2;
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < words; i++) h = Math.imul(h ^ i32(b, o + 4 * i), 0x01000193);
  h = (h ^ (h >>> 15) ^ (h >>> 27)) & (SID_SLOTS - 1);
  const k = h * SID_WORDS;
  const hit = sidVals[h];
  if (hit !== undefined && sidLens[h] === words) {
    let same = true;
    for (let i = 0; i < words; i++) {
      if (sidKeys[k + i] !== i32(b, o + 4 * i)) {
        same = false;
        break;
      }
    }
    if (same) return hit;
  }
  const text = sidFromBytes(b, o);
  for (let i = 0; i < words; i++) sidKeys[k + i] = i32(b, o + 4 * i);
  sidLens[h] = words;
  sidVals[h] = text;
  return text;
}

/** A copy (never a view on the caller's buffer). */
function copy(b: Uint8Array, start: number, end?: number): Uint8Array {
  return b.slice(start, end);
}

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8);
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

function fail(message: string, offset: number): never {
  throw new SecurityDescriptorError(message, offset);
}

/** Reads the SID at `offset`, which must end at or before `limit`; returns its text and length. */
function readSid(b: Uint8Array, offset: number, limit: number, what: string): [string, number] {
  if (offset + 8 > limit) fail(`${what} SID truncated: needs 8 bytes, ${Math.max(0, limit - offset)} left`, offset);
  const count = b[offset + 1]!;
  if (count > SID_MAX_SUB_AUTHORITIES) {
    fail(`${what} SID has ${count} sub-authorities (at most ${SID_MAX_SUB_AUTHORITIES})`, offset + 1);
  }
  const len = 8 + 4 * count;
  if (offset + len > limit) fail(`${what} SID truncated: needs ${len} bytes, ${limit - offset} left`, offset);
  return [cachedSid(b, offset, len), len];
}

function readAce(b: Uint8Array, p: number, aclEnd: number, index: number): [Ace, number] {
  if (p + 4 > aclEnd) fail(`ACE ${index} header truncated: needs 4 bytes, ${aclEnd - p} left in the ACL`, p);
  const type = b[p]!;
  const flags = b[p + 1]!;
  const size = u16(b, p + 2);
  if (size < 4) fail(`ACE ${index} claims size ${size}, below its 4-byte header`, p + 2);
  const end = p + size;
  if (end > aclEnd) fail(`ACE ${index} claims size ${size}, beyond the end of its ACL (${aclEnd - p} bytes left)`, p + 2);
  const layout = aceLayout(type);
  if (layout === 'opaque') {
    return [{ type, flags, mask: 0, sid: '', opaque: copy(b, p + 4, end) }, size];
  }
  if (p + 8 > end) fail(`ACE ${index} (type 0x${type.toString(16)}) too short for its access mask`, p);
  const mask = u32(b, p + 4);
  let q = p + 8;
  const ace: Ace = { type, flags, mask, sid: '' };
  if (layout === 'object') {
    if (q + 4 > end) fail(`object ACE ${index} too short for its object flags`, q);
    const objectFlags = u32(b, q);
    q += 4;
    ace.objectFlags = objectFlags;
    if (objectFlags & ObjectAceFlag.OBJECT_TYPE_PRESENT) {
      if (q + 16 > end) fail(`object ACE ${index} too short for its ObjectType GUID`, q);
      ace.objectType = cachedGuid(b, q);
      q += 16;
    }
    if (objectFlags & ObjectAceFlag.INHERITED_OBJECT_TYPE_PRESENT) {
      if (q + 16 > end) fail(`object ACE ${index} too short for its InheritedObjectType GUID`, q);
      ace.inheritedObjectType = cachedGuid(b, q);
      q += 16;
    }
  }
  const [sid, sidLen] = readSid(b, q, end, `ACE ${index} trustee`);
  ace.sid = sid;
  q += sidLen;
  if (q < end) ace.applicationData = copy(b, q, end);
  return [ace, size];
}

function readAcl(b: Uint8Array, offset: number, what: 'DACL' | 'SACL'): [Acl, number] {
  if (offset + 8 > b.length) fail(`${what} header truncated: needs 8 bytes, ${b.length - offset} left`, offset);
  const revision = b[offset]!;
  const sbz1 = b[offset + 1]!;
  const size = u16(b, offset + 2);
  const count = u16(b, offset + 4);
  const sbz2 = u16(b, offset + 6);
  if (size < 8) fail(`${what} claims size ${size}, below its 8-byte header`, offset + 2);
  const end = offset + size;
  if (end > b.length) fail(`${what} claims size ${size}, beyond the end of the descriptor (${b.length - offset} bytes left)`, offset + 2);
  // Every ACE takes at least 4 bytes: a count that cannot fit is a lie, caught before any work.
  if (count * 4 > size - 8) fail(`${what} claims ${count} ACEs, which cannot fit in its ${size} bytes`, offset + 4);
  const aces: Ace[] = new Array<Ace>(count);
  let p = offset + 8;
  for (let i = 0; i < count; i++) {
    const [ace, len] = readAce(b, p, end, i);
    aces[i] = ace;
    p += len;
  }
  const acl: Acl = { revision, aces };
  if (sbz1 !== 0) acl.sbz1 = sbz1;
  if (sbz2 !== 0) acl.sbz2 = sbz2;
  if (p < end) acl.trailing = copy(b, p, end);
  return [acl, size];
}

/**
 * Parses a self-relative security descriptor. Throws SecurityDescriptorError (an InputError)
 * for anything malformed.
 */
export function parseSecurityDescriptor(input: Uint8Array): SecurityDescriptor {
  // a plain Uint8Array view: slices are then copies of the same class whatever the caller passed
  const b = Buffer.isBuffer(input) ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength) : input;
  if (b.length < HEADER) fail(`header truncated: ${b.length} bytes, a descriptor needs at least ${HEADER}`, 0);
  const revision = b[0]!;
  if (revision !== 1) fail(`revision ${revision}, only revision 1 exists`, 0);
  const sbz1 = b[1]!;
  const control = u16(b, 2);
  if ((control & SdControl.SELF_RELATIVE) === 0) {
    fail('control lacks SE_SELF_RELATIVE (0x8000): not a self-relative descriptor', 2);
  }
  const offsets: Record<SdPart, number> = {
    owner: u32(b, 4),
    group: u32(b, 8),
    sacl: u32(b, 12),
    dacl: u32(b, 16),
  };
  const fieldAt: Record<SdPart, number> = { owner: 4, group: 8, sacl: 12, dacl: 16 };
  const ranges: Array<[SdPart, number, number]> = [];
  const sd: SecurityDescriptor = { revision, sbz1, control, sacl: null, dacl: null };
  for (const part of ['owner', 'group', 'sacl', 'dacl'] as const) {
    const off = offsets[part];
    if (off === 0) continue;
    if (off < HEADER) fail(`${part} offset ${off} points into the 20-byte header`, fieldAt[part]);
    if (off >= b.length) fail(`${part} offset ${off} points past the end (length ${b.length})`, fieldAt[part]);
    let len: number;
    if (part === 'owner' || part === 'group') {
      const [sid, n] = readSid(b, off, b.length, part);
      sd[part] = sid;
      len = n;
    } else {
      const [acl, n] = readAcl(b, off, part === 'dacl' ? 'DACL' : 'SACL');
      sd[part] = acl;
      len = n;
    }
    ranges.push([part, off, off + len]);
  }
  ranges.sort((x, y) => x[1] - y[1]);
  const layout: SdLayout = { order: ranges.map((r) => r[0]) };
  let pos = HEADER;
  for (const [part, start, end] of ranges) {
    if (start < pos) {
      const other = ranges.find((r) => r[0] !== part && r[1] <= start && r[2] > start);
      fail(`${part} (bytes ${start}-${end - 1}) overlaps ${other ? other[0] : 'another part'}`, fieldAt[part]);
    }
    if (start > pos) (layout.gapBefore ??= {})[part] = copy(b, pos, start);
    pos = end;
  }
  if (pos < b.length) layout.trailing = copy(b, pos);
  sd.layout = layout;
  return sd;
}
