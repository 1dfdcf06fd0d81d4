/** AD time syntaxes as LDAP returns them: Integer8 FILETIME decimals and GeneralizedTime. */
import { FILETIME_NEVER, filetimeToDate } from '../dtyp/filetime.js';

/** An Integer8 time (lastLogonTimestamp, pwdLastSet, *ExpirationTime); 0, "never" and garbage give undefined. */
export function parseInteger8Time(value: string | undefined): Date | undefined {
  if (value === undefined || !/^\d{1,19}$/.test(value.trim())) return undefined;
  const n = BigInt(value.trim());
  if (n <= 0n || n >= FILETIME_NEVER) return undefined;
  return filetimeToDate(n);
}

/** GeneralizedTime ("20261125041500.0Z") as AD returns whenCreated / whenChanged. */
export function parseGeneralizedTime(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
