/**
 * FILETIME (MS-DTYP 2.3.3: 100 ns intervals since 1601-01-01 UTC) <-> Date, and the decimal
 * Integer8 text LDAP uses for it. The one FILETIME codec: LAPS payloads and expiry times, AD time
 * attributes, GKDI key periods and KDS root key times all convert through here.
 */

export const FILETIME_UNIX_EPOCH = 116444736000000000n;
/** The largest Integer8, used by AD for "never". */
export const FILETIME_NEVER = 0x7fffffffffffffffn;
const MAX_FILETIME = 0xffffffffffffffffn;

/** Milliseconds since 1970 without a range check (an invalid Date results beyond JavaScript's range). */
export function filetimeToUnixMs(filetime: bigint): number {
  return Number((filetime - FILETIME_UNIX_EPOCH) / 10000n);
}

/** Millisecond precision: sub-millisecond ticks are dropped. */
export function filetimeToDate(filetime: bigint): Date {
  if (filetime < 0n || filetime > MAX_FILETIME) throw new RangeError('FILETIME out of range');
  return new Date(filetimeToUnixMs(filetime));
}

/** Date -> FILETIME without the 1601 check (GKDI key periods are computed for any valid date). */
export function dateToFiletimeUnchecked(date: Date): bigint {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  return BigInt(Math.trunc(ms)) * 10000n + FILETIME_UNIX_EPOCH;
}

export function dateToFiletime(date: Date): bigint {
  const ft = dateToFiletimeUnchecked(date);
  if (ft < 0n) throw new RangeError('date before 1601');
  return ft;
}

/** Date -> Integer8 FILETIME decimal string, as LDAP writes msLAPS-PasswordExpirationTime and the like. */
export function integer8TimeString(date: Date): string {
  return dateToFiletime(date).toString(10);
}
