/**
 * GUIDs in the mixed-endian byte order of MS-DTYP 2.3.4.2: Data1 (u32), Data2 and Data3 (u16)
 * little-endian, Data4 (8 bytes) as is. Text form is lower-case "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
 * The one GUID codec of the tool: security descriptors (object types), DPAPI-NG key identifiers,
 * LAPS password versions and directory values (objectGUID, schemaIDGUID) all use it.
 */

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Reads the 16 bytes at `offset`; throws RangeError when the buffer is too short. */
export function guidFromBytes(b: Uint8Array, offset = 0): string {
  if (b.length < offset + 16) throw new RangeError('GUID needs 16 bytes');
  const o = offset;
  return (
    HEX[b[o + 3]!]! + HEX[b[o + 2]!]! + HEX[b[o + 1]!]! + HEX[b[o]!]! + '-' +
    HEX[b[o + 5]!]! + HEX[b[o + 4]!]! + '-' +
    HEX[b[o + 7]!]! + HEX[b[o + 6]!]! + '-' +
    HEX[b[o + 8]!]! + HEX[b[o + 9]!]! + '-' +
    HEX[b[o + 10]!]! + HEX[b[o + 11]!]! + HEX[b[o + 12]!]! + HEX[b[o + 13]!]! + HEX[b[o + 14]!]! + HEX[b[o + 15]!]!
  );
}

/** The bare form only (as SDDL and the security descriptor model spell GUIDs). */
export function isGuid(text: string): boolean {
  return GUID_RE.test(text);
}

function unbraced(text: string): string {
  const t = text.trim();
  return t.startsWith('{') && t.endsWith('}') ? t.slice(1, -1) : t;
}

/** The bare or the braced form ("{...}", as registry values and PowerShell print them). */
export function isGuidString(text: string): boolean {
  return GUID_RE.test(unbraced(text));
}

/** Lower-cases a GUID string (accepting optional braces and surrounding blanks); throws RangeError when it is not one. */
export function normalizeGuid(text: string): string {
  const t = unbraced(text);
  if (!GUID_RE.test(t)) throw new RangeError(`not a GUID: ${text}`);
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

/** "2491e5f1-c935-27c4-22ba-b85f61b24768" (braces allowed) -> 16 bytes in MS-DTYP order; throws RangeError on bad input. */
export function guidToBytes(guid: string): Buffer {
  const b = Buffer.alloc(16);
  writeGuid(normalizeGuid(guid), b, 0);
  return b;
}
