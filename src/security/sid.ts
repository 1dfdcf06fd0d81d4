/**
 * SIDs (MS-DTYP 2.4.2): binary <-> "S-R-A-S1-S2-..." text. The identifier authority is printed
 * in decimal below 2^32 and as hex ("0x...") above, like Samba's dom_sid_string.
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
