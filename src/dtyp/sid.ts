/**
 * SIDs (MS-DTYP 2.4.2): binary <-> "S-R-A-S1-S2-..." text. The identifier authority is printed
 * in decimal below 2^32 and as hex ("0x...") above, like Samba's dom_sid_string.
 * The one SID codec of the tool: security descriptors, directory values (objectSid, tokenGroups)
 * and DPAPI-NG protection descriptors (the stricter revision-1 text form at the end) use it.
 */

/** MS-DTYP 2.4.2.2: SubAuthorityCount is at most 15. */
export const SID_MAX_SUB_AUTHORITIES = 15;

const SID_RE = /^S-(\d{1,3})-(\d{1,10}|0[xX][0-9a-fA-F]{1,12})((?:-\d{1,10})*)$/;

/** Length in bytes of the SID starting at `offset` (reads the count byte only). */
export function sidByteLength(subAuthorityCount: number): number {
  return 8 + 4 * subAuthorityCount;
}

/** Formats the SID at `offset`; the caller has checked that all its bytes are in the buffer. */
export function sidFromBytes(b: Uint8Array, offset: number): string {
  const count = b[offset + 1]!;
  const hi = b[offset + 2]! * 0x100 + b[offset + 3]!;
  const lo = ((b[offset + 4]! << 24) >>> 0) + (b[offset + 5]! << 16) + (b[offset + 6]! << 8) + b[offset + 7]!;
  let s: string;
  if (hi === 0) {
    s = 'S-' + b[offset]! + '-' + lo;
  } else {
    s = 'S-' + b[offset]! + '-0x' + (hi * 0x100000000 + lo).toString(16);
  }
  let p = offset + 8;
  for (let i = 0; i < count; i++, p += 4) {
    s += '-' + ((b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0);
  }
  return s;
}

interface SidParts {
  revision: number;
  authority: number;
  subs: number[];
}

const cache = new Map<string, Uint8Array>();

function parseSidParts(sid: string): SidParts | undefined {
  const m = SID_RE.exec(sid);
  if (!m) return undefined;
  const revision = Number(m[1]);
  const authText = m[2]!;
  const authority = /^0[xX]/.test(authText) ? parseInt(authText.slice(2), 16) : Number(authText);
  const subs = m[3] ? m[3].slice(1).split('-').map(Number) : [];
  if (revision > 255 || authority > 0xffffffffffff || subs.length > SID_MAX_SUB_AUTHORITIES) return undefined;
  if (subs.some((x) => x > 0xffffffff)) return undefined;
  return { revision, authority, subs };
}

/** True when `sid` is a SID string this module can encode. */
export function isSid(sid: string): boolean {
  return parseSidParts(sid) !== undefined;
}

/** Binary form of a SID string; throws TypeError when the string is not a SID. */
export function sidToBytes(sid: string): Uint8Array {
  const hit = cache.get(sid);
  if (hit) return hit;
  const p = parseSidParts(sid);
  if (!p) throw new TypeError(`not a SID: ${sid}`);
  const b = new Uint8Array(sidByteLength(p.subs.length));
  b[0] = p.revision;
  b[1] = p.subs.length;
  const hi = Math.floor(p.authority / 0x100000000);
  const lo = p.authority % 0x100000000;
  b[2] = (hi >>> 8) & 0xff;
  b[3] = hi & 0xff;
  b[4] = (lo >>> 24) & 0xff;
  b[5] = (lo >>> 16) & 0xff;
  b[6] = (lo >>> 8) & 0xff;
  b[7] = lo & 0xff;
  p.subs.forEach((v, i) => {
    const o = 8 + i * 4;
    b[o] = v & 0xff;
    b[o + 1] = (v >>> 8) & 0xff;
    b[o + 2] = (v >>> 16) & 0xff;
    b[o + 3] = (v >>> 24) & 0xff;
  });
  if (cache.size < 10_000) cache.set(sid, b);
  return b;
}

/** Canonical text of a SID string (e.g. "s-1-5-0x12" -> "S-1-5-18"); throws TypeError when invalid. */
export function normalizeSid(sid: string): string {
  const text = sid.startsWith('s-') ? 'S-' + sid.slice(2) : sid;
  const b = sidToBytes(text);
  return sidFromBytes(b, 0);
}

/** The last sub-authority (the RID), or undefined for a SID without sub-authorities. */
export function ridOf(sid: string): number | undefined {
  const parts = sid.split('-');
  if (parts.length <= 3) return undefined;
  return Number(parts[parts.length - 1]);
}

/** The SID without its last sub-authority ("S-1-5-21-a-b-c-512" -> "S-1-5-21-a-b-c"). */
export function domainOf(sid: string): string | undefined {
  const parts = sid.split('-');
  if (parts.length <= 3) return undefined;
  return parts.slice(0, -1).join('-');
}

/** A binary SID value as the directory returns it (objectSid, tokenGroups) as text. */
export function sidToString(buf: Uint8Array): string {
  return sidFromBytes(buf, 0);
}

// ---- the text form DPAPI-NG protection descriptors carry ("SID=S-1-5-21-..."): revision 1, decimal
// authority below 2^48, at most 15 sub-authorities; "s-" is accepted, the canonical form has "S-" and no
// leading zeros. Windows refuses anything else in a descriptor, so these are stricter than isSid().

const DESCRIPTOR_SID_RE = /^S-1-(\d+)((?:-\d+){0,15})$/i;

/** Binary form of a revision-1 SID text; undefined when the text is not a valid SID. */
export function descriptorSidToBytes(text: string): Buffer | undefined {
  const m = DESCRIPTOR_SID_RE.exec(text);
  if (!m) return undefined;
  const authority = BigInt(m[1]!);
  if (authority >= 1n << 48n) return undefined;
  const subs = m[2] ? m[2].slice(1).split('-') : [];
  const out = Buffer.alloc(8 + 4 * subs.length);
  out[0] = 1;
  out[1] = subs.length;
  out.writeUIntBE(Number(authority), 2, 6);
  for (let i = 0; i < subs.length; i++) {
    const s = subs[i]!;
    if (s.length > 10) return undefined;
    const v = Number(s);
    if (v > 0xffffffff) return undefined;
    out.writeUInt32LE(v, 8 + 4 * i);
  }
  return out;
}

/** Canonical text form (uppercase S, no leading zeros, decimal authority), or undefined when invalid. */
export function canonicalSid(text: string): string | undefined {
  const b = descriptorSidToBytes(text);
  if (!b) return undefined;
  const parts = [`S-${b[0]}-${b.readUIntBE(2, 6)}`];
  for (let i = 0; i < b[1]!; i++) parts.push(String(b.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}

const CANONICAL_SID_RE = /^S-1-(?:0|[1-9]\d{0,14})((?:-(?:0|[1-9]\d{0,9})){0,15})$/;

/** True when text is a SID in canonical form (what Windows writes): no leading zeros, in range. */
export function isCanonicalSid(text: string): boolean {
  const m = CANONICAL_SID_RE.exec(text);
  if (!m) return false;
  const authority = Number(text.slice(4, text.indexOf('-', 4) === -1 ? undefined : text.indexOf('-', 4)));
  if (authority >= 2 ** 48) return false;
  if (m[1]) for (const sub of m[1].slice(1).split('-')) if (Number(sub) > 0xffffffff) return false;
  return true;
}
