import { describe, expect, it } from 'vitest';
import {
  buildEncryptedPasswordValue,
  checkEncryptedPasswordValue,
  detectEncryptedInput,
  parseEncryptedPasswordValue,
} from '../../../src/laps/encrypted-password-value.js';
import { dateToFiletime } from '../../../src/dtyp/filetime.js';
import { LapsFormatError } from '../../../src/laps/laps-format-error.js';

const blob = Buffer.concat([Buffer.from('3082000a', 'hex'), Buffer.alloc(10, 0xab)]);
const when = new Date('2025-01-02T03:04:05.678Z');

describe('msLAPS-Encrypted* header', () => {
  it('is four little-endian dwords: FILETIME high, FILETIME low, size, 0', () => {
    const v = buildEncryptedPasswordValue(blob, when);
    const ft = dateToFiletime(when);
    expect(v.readUInt32LE(0)).toBe(Number(ft >> 32n));
    expect(v.readUInt32LE(4)).toBe(Number(ft & 0xffffffffn));
    expect(v.readUInt32LE(8)).toBe(blob.length);
    expect(v.readUInt32LE(12)).toBe(0);
    expect(v.subarray(16).equals(blob)).toBe(true);
    const p = parseEncryptedPasswordValue(v);
    expect(p.header.updateTime.toISOString()).toBe(when.toISOString());
    expect(p.header.updateTimestamp).toBe(ft);
    expect(p.blob.equals(blob)).toBe(true);
    expect(checkEncryptedPasswordValue(v)).toEqual([]);
  });

  it('says what is wrong with values written by other tools', () => {
    const good = buildEncryptedPasswordValue(blob, when);
    const sizeOff = Buffer.from(good);
    sizeOff.writeUInt32LE(99, 8);
    expect(checkEncryptedPasswordValue(sizeOff)).toEqual([`header size field says 99 bytes follow, but ${blob.length} do`]);

    const reserved = Buffer.from(good);
    reserved.writeUInt32LE(1, 12);
    expect(checkEncryptedPasswordValue(reserved)).toEqual(['reserved header dword is 0x00000001, 0 expected']);

    const swapped = Buffer.from(good);
    good.copy(swapped, 0, 4, 8);
    good.copy(swapped, 4, 0, 4);
    expect(checkEncryptedPasswordValue(swapped)[0]).toMatch(/look swapped/);

    const zero = Buffer.from(good);
    zero.fill(0, 0, 8);
    expect(checkEncryptedPasswordValue(zero)).toEqual(['header timestamp is zero']);

    expect(checkEncryptedPasswordValue(good.subarray(0, 10))).toEqual(['value is 10 bytes, shorter than the 16-byte header']);

    const notDer = buildEncryptedPasswordValue(Buffer.from('hello'), when);
    expect(checkEncryptedPasswordValue(notDer)).toEqual(['the data after the header does not start with a DER SEQUENCE (not a DPAPI-NG blob)']);

    expect(checkEncryptedPasswordValue(Buffer.concat([blob, Buffer.alloc(8)])).join('; ')).toMatch(/bare DPAPI-NG blob without the 16-byte header/);
  });

  it('throws one LapsFormatError (exit 2) listing every problem', () => {
    const bad = buildEncryptedPasswordValue(blob, when);
    bad.writeUInt32LE(5, 8);
    bad.writeUInt32LE(7, 12);
    try {
      parseEncryptedPasswordValue(bad);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(LapsFormatError);
      expect((e as LapsFormatError).exitCode).toBe(2);
      expect((e as Error).message).toMatch(/size field says 5 .*; reserved header dword is 0x00000007/);
    }
  });

  it('tells header values from bare blobs', () => {
    expect(detectEncryptedInput(buildEncryptedPasswordValue(blob, when))).toBe('laps-value');
    expect(detectEncryptedInput(blob)).toBe('dpapi-ng-blob');
    expect(detectEncryptedInput(Buffer.from('nope'))).toBe('unknown');
  });
});
