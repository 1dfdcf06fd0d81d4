/**
 * FILETIME (100 ns intervals since 1601-01-01 UTC) <-> Date, and the text forms LAPS uses:
 * decimal strings for Integer8 attributes (msLAPS-PasswordExpirationTime, ms-Mcs-AdmPwdExpirationTime)
 * and lowercase hex for the "t" field of the password JSON.
 */
import { LapsFormatError } from './laps-format-error.js';

export const FILETIME_UNIX_EPOCH = 116444736000000000n;
/** The largest Integer8, used by AD for "never". */
export const FILETIME_NEVER = 0x7fffffffffffffffn;
const MAX_FILETIME = 0xffffffffffffffffn;

/** Millisecond precision: sub-millisecond ticks are dropped. */
export function filetimeToDate(filetime: bigint): Date {
  if (filetime < 0n || filetime > MAX_FILETIME) throw new RangeError('FILETIME out of range');
  return new Date(Number((filetime - FILETIME_UNIX_EPOCH) / 10000n));
}

export function dateToFiletime(date: Date): bigint {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  const ft = BigInt(Math.trunc(ms)) * 10000n + FILETIME_UNIX_EPOCH;
  if (ft < 0n) throw new RangeError('date before 1601');
  return ft;
}

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

/** Date -> Integer8 FILETIME decimal string, as LDAP writes msLAPS-PasswordExpirationTime and the like. */
export function integer8TimeString(date: Date): string {
  return dateToFiletime(date).toString(10);
}

/** Lowercase hex without leading zeros, as in msLAPS-Password's "t". */
export function filetimeToHex(filetime: bigint): string {
  return filetime.toString(16);
}

export function parseFiletimeHex(text: string, what = 'FILETIME'): bigint {
  if (!/^[0-9a-fA-F]{1,16}$/.test(text)) throw new LapsFormatError(`${what} is not a hexadecimal FILETIME`);
  return BigInt(`0x${text}`);
}
