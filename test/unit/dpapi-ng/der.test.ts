import { describe, expect, it } from 'vitest';
import { DerReader, DerTag, contextTag, decodeOid } from '../../../src/dpapi-ng/der-reader.js';
import { derInteger, derLength, derOctetString, derOid, derSequence, derTlv, derUtf8String } from '../../../src/dpapi-ng/der-writer.js';
import { DpapiNgFormatError } from '../../../src/dpapi-ng/errors.js';

describe('DER writer', () => {
  it('encodes lengths minimally', () => {
    expect(derLength(0).toString('hex')).toBe('00');
    expect(derLength(127).toString('hex')).toBe('7f');
    expect(derLength(128).toString('hex')).toBe('8180');
    expect(derLength(256).toString('hex')).toBe('820100');
    expect(derLength(0x10000).toString('hex')).toBe('83010000');
  });

  it('encodes OIDs, integers and strings as in the Windows blobs', () => {
    expect(derOid('1.2.840.113549.1.7.3').toString('hex')).toBe('06092a864886f70d010703');
    expect(derOid('1.3.6.1.4.1.311.74.1.1').toString('hex')).toBe('060a2b0601040182374a0101');
    expect(derOid('2.16.840.1.101.3.4.1.46').toString('hex')).toBe('060960864801650304012e');
    expect(derInteger(2).toString('hex')).toBe('020102');
    expect(derInteger(128).toString('hex')).toBe('02020080');
    expect(derInteger(0).toString('hex')).toBe('020100');
    expect(derUtf8String('SID').toString('hex')).toBe('0c03534944');
    expect(() => derInteger(-1)).toThrow(RangeError);
    expect(() => derOid('3.1')).toThrow(RangeError);
  });

  it('round-trips through the reader', () => {
    const payload = Buffer.alloc(300, 7);
    const enc = derSequence(derOid('1.2.3.4.5.99999'), derInteger(4), derOctetString(payload), derTlv(contextTag(0, false), Buffer.from('x')));
    const r = new DerReader(enc).sequence('test');
    expect(r.oid('oid')).toBe('1.2.3.4.5.99999');
    expect(r.smallInteger('int')).toBe(4);
    expect(r.octetString('octets').equals(payload)).toBe(true);
    expect(r.octetString('implicit', contextTag(0, false)).toString()).toBe('x');
    r.end();
  });
});

describe('DER reader strictness', () => {
  const read = (hex: string, fn: (r: DerReader) => unknown) => () => fn(new DerReader(Buffer.from(hex, 'hex')));

  it('rejects indefinite and non-minimal lengths, overlong length fields, high tags', () => {
    expect(read('3080', (r) => r.readElement('x'))).toThrow(/indefinite/);
    expect(read('30810100', (r) => r.readElement('x'))).toThrow(/non-minimal/);
    expect(read('3082000100', (r) => r.readElement('x'))).toThrow(/non-minimal/);
    expect(read('308500000000', (r) => r.readElement('x'))).toThrow(/too long/);
    expect(read('1f0100', (r) => r.readElement('x'))).toThrow(/high tag/);
  });

  it('rejects content running past its container and trailing bytes', () => {
    expect(read('3005020101', (r) => r.readElement('x'))).toThrow(/runs past the end/);
    expect(read('3003020101ff', (r) => { r.readElement('x'); r.end(); })).toThrow(/trailing/);
    expect(read('30', (r) => r.readElement('x'))).toThrow(/truncated length/);
    expect(read('', (r) => r.readElement('x'))).toThrow(/missing/);
  });

  it('rejects wrong tags, bad integers and bad OIDs with typed errors naming the field and offset', () => {
    try {
      new DerReader(Buffer.from('0400', 'hex'), 0, 2, 'Thing').smallInteger('Thing.version');
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(DpapiNgFormatError);
      expect((e as DpapiNgFormatError).exitCode).toBe(2);
      expect((e as Error).message).toMatch(/Thing\.version: expected tag 0x02, found 0x04 \(at byte 0\)/);
    }
    expect(read('02020001', (r) => r.smallInteger('i'))).toThrow(/non-minimal INTEGER/);
    expect(read('020180', (r) => r.smallInteger('i'))).toThrow(/negative/);
    expect(read('0200', (r) => r.smallInteger('i'))).toThrow(/empty/);
    expect(read('06028001', (r) => r.oid('o'))).toThrow(/OBJECT IDENTIFIER/);
    expect(read('060181', (r) => r.oid('o'))).toThrow(/OBJECT IDENTIFIER/);
    expect(read('0c02c328', (r) => r.utf8String('s'))).toThrow(/UTF-8/);
  });

  it('decodes OIDs with large arcs', () => {
    expect(decodeOid(derOid('2.999.1').subarray(2), () => { throw new Error('bad'); })).toBe('2.999.1');
    expect(DerTag.SEQUENCE).toBe(0x30);
  });
});
