/**
 * SID string <-> binary (MS-DTYP 2.4.2.2), only what the protection descriptor needs.
 * Kept local so that this pure module does not depend on src/security.
 */
const SID_RE = /^S-1-(\d+)((?:-\d+){0,15})$/i;

/** Parses "S-1-5-21-..." into its binary form; undefined when the text is not a valid SID. */
export function sidToBytes(text: string): Buffer | undefined {
  const m = SID_RE.exec(text);
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

export function isSidString(text: string): boolean {
  return sidToBytes(text) !== undefined;
}

/** Canonical text form (uppercase S, no leading zeros), or undefined when invalid. */
export function canonicalSid(text: string): string | undefined {
  const b = sidToBytes(text);
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
