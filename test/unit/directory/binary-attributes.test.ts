/**
 * Attributes declared binary skip ldapts' UTF-8 decode attempt (ldap-directory.ts): their values
 * come out of the parser as the raw bytes, even bytes that happen to be valid UTF-8; other
 * attributes are still decoded as text.
 */
import { Attribute, BerReader, BerWriter } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { declareBinaryAttributes } from '../../../src/directory/ldap-directory.js';

function encoded(type: string, value: Buffer): Buffer {
  const w = new BerWriter();
  w.startSequence();
  w.writeString(type);
  w.startSequence(0x31);
  w.writeBuffer(value, 0x04);
  w.endSequence();
  w.endSequence();
  return w.buffer;
}

function parsed(type: string, value: Buffer): Attribute {
  const a = new Attribute();
  a.parse(new BerReader(encoded(type, value)));
  return a;
}

describe('declared binary attributes', () => {
  it('come back as the raw bytes (also when they are valid UTF-8); undeclared ones as text', () => {
    const ascii = Buffer.from('ABCD', 'latin1');
    expect(parsed('x-laps-test-undeclared', ascii).values).toEqual(['ABCD']);
    declareBinaryAttributes(['x-LAPS-Test-Blob']);
    const v = parsed('X-laps-test-blob', ascii).values[0];
    expect(Buffer.isBuffer(v)).toBe(true);
    expect(v).toEqual(ascii);
    // bytes that are not UTF-8 were already bytes: unchanged
    const bin = Buffer.from([0xff, 0x00, 0xfe]);
    expect(parsed('x-laps-test-undeclared', bin).values[0]).toEqual(bin);
  });
});
