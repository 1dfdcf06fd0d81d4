/**
 * GUIDs in the MS-DTYP binary layout (Data1..Data3 little-endian, Data4 as is), which is how
 * root key ids appear in KDSK key identifiers and in the GKDI KDF context.
 * Kept local so that this pure module depends on nothing but node:crypto.
 */
const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

export function isGuidString(text: string): boolean {
  return GUID_RE.test(text);
}

/** "2491e5f1-c935-27c4-22ba-b85f61b24768" -> 16 bytes, MS-DTYP order. Throws RangeError on bad input. */
export function guidToBytes(text: string): Buffer {
  const m = GUID_RE.exec(text.trim());
  if (!m) throw new RangeError('not a GUID string');
  const out = Buffer.alloc(16);
  out.writeUInt32LE(parseInt(m[1]!, 16), 0);
  out.writeUInt16LE(parseInt(m[2]!, 16), 4);
  out.writeUInt16LE(parseInt(m[3]!, 16), 6);
  Buffer.from(m[4]! + m[5]!, 'hex').copy(out, 8);
  return out;
}

/** 16 bytes in MS-DTYP order -> lowercase GUID string without braces. */
export function guidFromBytes(bytes: Buffer, offset = 0): string {
  if (bytes.length < offset + 16) throw new RangeError('GUID needs 16 bytes');
  const d1 = bytes.readUInt32LE(offset).toString(16).padStart(8, '0');
  const d2 = bytes.readUInt16LE(offset + 4).toString(16).padStart(4, '0');
  const d3 = bytes.readUInt16LE(offset + 6).toString(16).padStart(4, '0');
  const d4 = bytes.subarray(offset + 8, offset + 10).toString('hex');
  const d5 = bytes.subarray(offset + 10, offset + 16).toString('hex');
  return `${d1}-${d2}-${d3}-${d4}-${d5}`;
}

/** Lowercase, brace-less canonical form; throws RangeError on bad input. */
export function normalizeGuid(text: string): string {
  return guidFromBytes(guidToBytes(text));
}
