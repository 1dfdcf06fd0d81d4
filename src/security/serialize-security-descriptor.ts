/**
 * Plain object -> binary self-relative SECURITY_DESCRIPTOR. Parts are written in the order
 * recorded by the parser (layout.order; default: owner, group, SACL, DACL like Samba), with any
 * gap and trailing bytes the parser kept, so parse -> serialize reproduces the input exactly.
 */
import { aceLayout, isObjectAceType, ObjectAceFlag } from './constants.js';
import { isGuid, writeGuid } from '../dtyp/guid.js';
import { sidToBytes } from '../dtyp/sid.js';
import type { Ace, Acl, SdPart, SecurityDescriptor } from './security-descriptor.js';

const DEFAULT_ORDER: SdPart[] = ['owner', 'group', 'sacl', 'dacl'];

/** The object ACE Flags value implied by which GUIDs an ACE carries (unknown bits kept). */
export function objectFlagsOf(ace: Ace): number {
  if (!isObjectAceType(ace.type)) return 0;
  const known =
    (ace.objectType ? ObjectAceFlag.OBJECT_TYPE_PRESENT : 0) |
    (ace.inheritedObjectType ? ObjectAceFlag.INHERITED_OBJECT_TYPE_PRESENT : 0);
  return (known | ((ace.objectFlags ?? 0) & ~3)) >>> 0;
}

function checkGuid(g: string | undefined, what: string): void {
  if (g !== undefined && !isGuid(g)) throw new TypeError(`${what} is not a GUID: ${g}`);
}

/** Size in bytes of one ACE as it will be written. */
export function aceSize(ace: Ace): number {
  const layout = aceLayout(ace.type);
  if (layout === 'opaque') return 4 + (ace.opaque?.length ?? 0);
  let n = 8 + sidToBytes(ace.sid).length + (ace.applicationData?.length ?? 0);
  if (layout === 'object') n += 4 + (ace.objectType ? 16 : 0) + (ace.inheritedObjectType ? 16 : 0);
  return n;
}

function writeAce(ace: Ace, size: number, b: Uint8Array, p: number): number {
  if (size > 0xffff) throw new RangeError(`ACE too large (${size} bytes)`);
  b[p] = ace.type;
  b[p + 1] = ace.flags;
  b[p + 2] = size & 0xff;
  b[p + 3] = size >>> 8;
  const layout = aceLayout(ace.type);
  if (layout === 'opaque') {
    if (ace.opaque) b.set(ace.opaque, p + 4);
    return size;
  }
  writeU32(b, p + 4, ace.mask);
  let q = p + 8;
  if (layout === 'object') {
    checkGuid(ace.objectType, 'objectType');
    checkGuid(ace.inheritedObjectType, 'inheritedObjectType');
    writeU32(b, q, objectFlagsOf(ace));
    q += 4;
    if (ace.objectType) {
      writeGuid(ace.objectType, b, q);
      q += 16;
    }
    if (ace.inheritedObjectType) {
      writeGuid(ace.inheritedObjectType, b, q);
      q += 16;
    }
  }
  const sid = sidToBytes(ace.sid);
  b.set(sid, q);
  q += sid.length;
  if (ace.applicationData) b.set(ace.applicationData, q);
  return size;
}

function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v & 0xff;
  b[o + 1] = (v >>> 8) & 0xff;
  b[o + 2] = (v >>> 16) & 0xff;
  b[o + 3] = (v >>> 24) & 0xff;
}

function writeAcl(acl: Acl, sizes: number[], b: Uint8Array, p: number): number {
  let size = 8 + (acl.trailing?.length ?? 0);
  for (const n of sizes) size += n;
  if (size > 0xffff) throw new RangeError(`ACL too large (${size} bytes, at most 65535)`);
  if (acl.aces.length > 0xffff) throw new RangeError('too many ACEs');
  b[p] = acl.revision;
  b[p + 1] = acl.sbz1 ?? 0;
  b[p + 2] = size & 0xff;
  b[p + 3] = size >>> 8;
  b[p + 4] = acl.aces.length & 0xff;
  b[p + 5] = acl.aces.length >>> 8;
  b[p + 6] = (acl.sbz2 ?? 0) & 0xff;
  b[p + 7] = (acl.sbz2 ?? 0) >>> 8;
  let q = p + 8;
  for (let i = 0; i < acl.aces.length; i++) q += writeAce(acl.aces[i]!, sizes[i]!, b, q);
  if (acl.trailing) b.set(acl.trailing, q);
  return size;
}

/**
 * Serialises a descriptor. Throws TypeError/RangeError for a model that cannot be encoded (bad
 * SID or GUID text, an ACL over 64 KiB): those are programming errors, not user input.
 */
export function serializeSecurityDescriptor(sd: SecurityDescriptor): Buffer {
  const present = (part: SdPart): boolean =>
    part === 'owner' ? sd.owner !== undefined : part === 'group' ? sd.group !== undefined : sd[part] !== null && sd[part] !== undefined;
  const order = (sd.layout?.order ?? []).filter(present);
  for (const part of DEFAULT_ORDER) if (present(part) && !order.includes(part)) order.push(part);
  const gaps = sd.layout?.gapBefore ?? {};
  const sizes: Record<SdPart, number> = { owner: 0, group: 0, sacl: 0, dacl: 0 };
  const aceSizes: Partial<Record<SdPart, number[]>> = {};
  let total = 20;
  for (const part of order) {
    total += gaps[part]?.length ?? 0;
    if (part === 'owner' || part === 'group') sizes[part] = sidToBytes(sd[part]!).length;
    else {
      const acl = sd[part]!;
      const list = acl.aces.map(aceSize);
      aceSizes[part] = list;
      sizes[part] = 8 + (acl.trailing?.length ?? 0) + list.reduce((x, y) => x + y, 0);
    }
    total += sizes[part];
  }
  total += sd.layout?.trailing?.length ?? 0;
  const b = Buffer.alloc(total);
  b[0] = sd.revision;
  b[1] = sd.sbz1;
  b[2] = sd.control & 0xff;
  b[3] = (sd.control >>> 8) & 0xff;
  let p = 20;
  const fieldAt: Record<SdPart, number> = { owner: 4, group: 8, sacl: 12, dacl: 16 };
  for (const part of order) {
    const gap = gaps[part];
    if (gap) {
      b.set(gap, p);
      p += gap.length;
    }
    writeU32(b, fieldAt[part], p);
    if (part === 'owner' || part === 'group') b.set(sidToBytes(sd[part]!), p);
    else writeAcl(sd[part]!, aceSizes[part]!, b, p);
    p += sizes[part];
  }
  if (sd.layout?.trailing) b.set(sd.layout.trailing, p);
  return b;
}
