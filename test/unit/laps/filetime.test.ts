import { describe, expect, it } from 'vitest';
import { FILETIME_NEVER, dateToFiletime, filetimeToDate, integer8TimeString } from '../../../src/dtyp/filetime.js';
import { filetimeToHex, parseFiletimeHex } from '../../../src/laps/filetime.js';
import { parseInteger8Time } from '../../../src/directory/ad-time.js';
import { LapsFormatError } from '../../../src/laps/laps-format-error.js';

describe('FILETIME', () => {
  it('converts the epochs', () => {
    expect(filetimeToDate(0n).toISOString()).toBe('1601-01-01T00:00:00.000Z');
    expect(filetimeToDate(116444736000000000n).toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(dateToFiletime(new Date('1970-01-01T00:00:00Z'))).toBe(116444736000000000n);
  });

  it('round-trips to the millisecond and matches the 100 ns arithmetic', () => {
    const d = new Date('2024-02-29T23:59:59.123Z');
    const ft = dateToFiletime(d);
    expect(ft).toBe(BigInt(d.getTime() - Date.UTC(1601, 0, 1)) * 10000n);
    expect(filetimeToDate(ft).toISOString()).toBe(d.toISOString());
    expect(integer8TimeString(d)).toBe(ft.toString());
    expect(filetimeToDate(ft + 9999n).toISOString()).toBe(d.toISOString());
  });

  it('reads LDAP Integer8 times (0, "never" and garbage are no time)', () => {
    expect(parseInteger8Time(' 133497600000000000 ')?.toISOString()).toBe(filetimeToDate(133497600000000000n).toISOString());
    expect(parseInteger8Time(FILETIME_NEVER.toString())).toBeUndefined();
    expect(parseInteger8Time('0')).toBeUndefined();
    expect(parseInteger8Time('-1')).toBeUndefined();
  });

  it('reads LAPS hex forms', () => {
    expect(parseFiletimeHex('1d8161b41c41cde')).toBe(0x1d8161b41c41cden);
    expect(filetimeToHex(0x1d8161b41c41cden)).toBe('1d8161b41c41cde');
    expect(() => parseFiletimeHex('0x12')).toThrow(/not a hexadecimal FILETIME/);
    expect(() => parseFiletimeHex('12345678901234567')).toThrow(LapsFormatError);
  });

  it('refuses dates outside the FILETIME range', () => {
    expect(() => dateToFiletime(new Date('1500-01-01T00:00:00Z'))).toThrow(RangeError);
    expect(() => dateToFiletime(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => filetimeToDate(-1n)).toThrow(RangeError);
  });
});
