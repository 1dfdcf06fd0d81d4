/**
 * The text forms LAPS gives FILETIMEs beyond LDAP's Integer8 decimal: lowercase hex for the "t"
 * field of the password JSON (the conversions themselves are in dtyp/filetime).
 */
import { LapsFormatError } from './laps-format-error.js';

/** Lowercase hex without leading zeros, as in msLAPS-Password's "t". */
export function filetimeToHex(filetime: bigint): string {
  return filetime.toString(16);
}

export function parseFiletimeHex(text: string, what = 'FILETIME'): bigint {
  if (!/^[0-9a-fA-F]{1,16}$/.test(text)) throw new LapsFormatError(`${what} is not a hexadecimal FILETIME`);
  return BigInt(`0x${text}`);
}
