import { describe, expect, it } from 'vitest';
import { LapsFormatError } from '../../../src/laps/laps-format-error.js';
import {
  decodeEncryptedPayload,
  encodeEncryptedPayload,
  parseLapsPasswordJson,
  serializeLapsPasswordJson,
} from '../../../src/laps/password-payload.js';
import { newPasswordVersion, parsePasswordVersion, passwordVersionToBytes } from '../../../src/laps/password-version.js';

describe('LAPS password JSON', () => {
  it('reads the documented msLAPS-Password example', () => {
    const p = parseLapsPasswordJson('{"n":"Administrator","t":"1d8161b41c41cde","p":"A6a3#7%eb!57be4a4B95Z43394ba956de69e5d8975#$8a6d)4f82da6ad500HGx"}');
    expect(p.accountName).toBe('Administrator');
    expect(p.updateTimestamp).toBe(0x1d8161b41c41cden);
    expect(p.updateTime.getUTCFullYear()).toBe(2022);
    expect(p.password).toHaveLength(64);
  });

  it('writes n, t, p in that order with a lowercase hex FILETIME', () => {
    const text = serializeLapsPasswordJson({ accountName: 'Admin', password: 'p"w\\d', updateTime: 0x1d8161b41c41cden });
    expect(text).toBe('{"n":"Admin","t":"1d8161b41c41cde","p":"p\\"w\\\\d"}');
    expect(parseLapsPasswordJson(text).password).toBe('p"w\\d');
  });

  it('encrypted payloads are UTF-16LE JSON with a UTF-16 NUL', () => {
    const buf = encodeEncryptedPayload({ accountName: 'Admin', password: 'Ünïcödé ✓ 𝄞', updateTime: new Date('2025-05-05T05:05:05Z') });
    expect(buf.subarray(buf.length - 2).toString('hex')).toBe('0000');
    expect(buf.subarray(0, 4).toString('hex')).toBe('7b002200'); // '{"'
    const p = decodeEncryptedPayload(buf);
    expect(p.password).toBe('Ünïcödé ✓ 𝄞');
    expect(p.updateTime.toISOString()).toBe('2025-05-05T05:05:05.000Z');
    // Tolerates a payload without the NUL.
    expect(decodeEncryptedPayload(buf.subarray(0, buf.length - 2)).accountName).toBe('Admin');
  });

  it('reports malformed payloads without quoting the password', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"n":"a","t":"1d8","p":secret}', /not valid JSON/],
      ['["secret"]', /not a JSON object/],
      ['{"n":"a","p":"secret"}', /lacks field\(s\) "t"/],
      ['{"n":1,"t":"1d8","p":"secret"}', /"n" \(account name\) is not a string/],
      ['{"n":"a","t":"when","p":"secret"}', /"t".*not a hexadecimal FILETIME/],
      ['{"n":"a","t":"1d8","p":7}', /"p" \(password\) is not a string/],
    ];
    for (const [text, re] of cases) {
      try {
        parseLapsPasswordJson(text);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(LapsFormatError);
        expect((e as Error).message).toMatch(re);
        expect((e as Error).message).not.toContain('secret');
      }
    }
    expect(() => decodeEncryptedPayload(Buffer.from([0x7b]))).toThrow(/odd length/);
  });
});

describe('msLAPS-CurrentPasswordVersion', () => {
  it('is a GUID in MS-DTYP byte order', () => {
    const bytes = passwordVersionToBytes('01234567-89ab-cdef-0123-456789abcdef');
    expect(bytes.toString('hex')).toBe('67452301ab89efcd0123456789abcdef');
    expect(parsePasswordVersion(bytes)).toBe('01234567-89ab-cdef-0123-456789abcdef');
    const fresh = newPasswordVersion();
    expect(parsePasswordVersion(fresh.bytes)).toBe(fresh.guid);
    expect(() => parsePasswordVersion(Buffer.alloc(15))).toThrow(/15 bytes, 16 expected/);
    expect(() => passwordVersionToBytes('nope')).toThrow(LapsFormatError);
  });
});
