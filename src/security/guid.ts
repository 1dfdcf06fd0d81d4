/**
 * GUIDs in the mixed-endian byte order of MS-DTYP 2.3.4.2: Data1 (u32), Data2 and Data3 (u16)
 * little-endian, Data4 (8 bytes) as is. Text form is lower-case "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Reads 16 bytes at `offset` (the caller checks bounds). */
export function guidFromBytes(b: Uint8Array, offset: number): string {
  const o = offset;
  return (
    HEX[b[o + 3]!]! + HEX[b[o + 2]!]! + HEX[b[o + 1]!]! + HEX[b[o]!]! + '-' +
    HEX[b[o + 5]!]! + HEX[b[o + 4]!]! + '-' +
    HEX[b[o + 7]!]! + HEX[b[o + 6]!]! + '-' +
    HEX[b[o + 8]!]! + HEX[b[o + 9]!]! + '-' +
    HEX[b[o + 10]!]! + HEX[b[o + 11]!]! + HEX[b[o + 12]!]! + HEX[b[o + 13]!]! + HEX[b[o + 14]!]! + HEX[b[o + 15]!]!
  );
}

export function isGuid(text: string): boolean {
  return GUID_RE.test(text);
}

/** Lower-cases a GUID string (accepting optional braces); throws TypeError when it is not one. */
export function normalizeGuid(text: string): string {
  const t = text.startsWith('{') && text.endsWith('}') ? text.slice(1, -1) : text;
  if (!GUID_RE.test(t)) throw new TypeError(`not a GUID: ${text}`);
  return t.toLowerCase();
}

const ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
const bytesCache = new Map<string, Uint8Array>();

function guidBytes(guid: string): Uint8Array {
  let v = bytesCache.get(guid);
  if (!v) {
    const h = guid.replace(/-/g, '');
    v = new Uint8Array(16);
    for (let i = 0; i < 16; i++) v[i] = parseInt(h.substr(ORDER[i]! * 2, 2), 16);
    if (bytesCache.size < 10_000) bytesCache.set(guid, v);
  }
  return v;
}

/** Writes the 16 mixed-endian bytes of `guid` (already validated) at `offset`. */
export function writeGuid(guid: string, b: Uint8Array, offset: number): void {
  b.set(guidBytes(guid), offset);
}

export function guidToBytes(guid: string): Buffer {
  const b = Buffer.alloc(16);
  writeGuid(normalizeGuid(guid), b, 0);
  return b;
}
