/**
 * The text forms LAPS gives FILETIMEs beyond LDAP's Integer8 decimal: lowercase hex for the "t"
 * field of the password JSON (the conversions themselves are in dtyp/filetime).
 */
import { MAX_FILETIME } from '../dtyp/filetime.js';
import { LapsFormatError } from './laps-format-error.js';

/** Parses an Integer8 FILETIME as LDAP returns it (decimal). */
export function parseFiletimeDecimal(text: string, what = 'FILETIME'): bigint {
  const t = text.trim();
  if (!/^\d{1,20}$/.test(t)) throw new LapsFormatError(`${what} is not a decimal FILETIME`);
  const v = BigInt(t);
  if (v > MAX_FILETIME) throw new LapsFormatError(`${what} is larger than 64 bits`);
  return v;
}

export function filetimeToDecimal(filetime: bigint): string {
  return filetime.toString(10);
}

/** Lowercase hex without leading zeros, as in msLAPS-Password's "t". */
export function filetimeToHex(filetime: bigint): string {
  return filetime.toString(16);
}

export function parseFiletimeHex(text: string, what = 'FILETIME'): bigint {
  if (!/^[0-9a-fA-F]{1,16}$/.test(text)) throw new LapsFormatError(`${what} is not a hexadecimal FILETIME`);
  return BigInt(`0x${text}`);
}
