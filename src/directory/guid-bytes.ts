/** GUIDs as AD stores them (first three fields little-endian) to canonical lower-case strings. */
import { guidFromBytes as fromBytes } from '../security/guid.js';

export function guidFromBytes(b: Buffer): string {
  if (b.length !== 16) throw new Error(`a GUID has 16 bytes, not ${b.length}`);
  return fromBytes(b, 0);
}
