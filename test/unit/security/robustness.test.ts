import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseSecurityDescriptor, SecurityDescriptorError, serializeSecurityDescriptor } from '../../../src/security/index.js';
import { sdOf } from './corpus.js';

function errorOf(bytes: Uint8Array): SecurityDescriptorError {
  try {
    parseSecurityDescriptor(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(SecurityDescriptorError);
    expect(e).toBeInstanceOf(InputError);
    return e as SecurityDescriptorError;
  }
  throw new Error('parsed without error');
}

const u16 = (b: Buffer, o: number, v: number) => b.writeUInt16LE(v, o);
const u32 = (b: Buffer, o: number, v: number) => b.writeUInt32LE(v, o);

describe('malformed descriptors give a typed error with the byte offset', () => {
  // Samba layout: owner @20, group, SACL, DACL
  const good = sdOf('CN=WS01,OU=Workstations,OU=Estate');
  const daclAt = good.readUInt32LE(16);
  const saclAt = good.readUInt32LE(12);

  it('parses the unmodified descriptor', () => {
    expect(() => parseSecurityDescriptor(good)).not.toThrow();
  });
  it('truncated header', () => {
    const e = errorOf(good.subarray(0, 12));
    expect(e.offset).toBe(0);
    expect(e.message).toMatch(/header truncated: 12 bytes/);
    expect(e.exitCode).toBe(2);
  });
  it('truncated DACL', () => {
    const e = errorOf(good.subarray(0, good.length - 7));
    expect(e.offset).toBe(daclAt + 2);
    expect(e.message).toMatch(/DACL claims size \d+, beyond the end/);
  });
  it('offset into the header or past the end', () => {
    const b = Buffer.from(good);
    u32(b, 4, 8);
    expect(errorOf(b).offset).toBe(4);
    u32(b, 4, b.length + 100);
    expect(errorOf(b).message).toMatch(/owner offset \d+ points past the end/);
  });
  it('overlapping parts (group pointing into the owner SID, DACL at the SACL)', () => {
    const b = Buffer.from(good);
    u32(b, 8, 24);
    expect(errorOf(b).message).toMatch(/overlaps/);
    const c = Buffer.from(good);
    u32(c, 16, saclAt);
    expect(errorOf(c).message).toMatch(/overlaps/);
  });
  it('an ACE count that cannot fit, a zero-size ACE, an ACE running past its ACL', () => {
    const b = Buffer.from(good);
    u16(b, daclAt + 4, 0xffff);
    const e = errorOf(b);
    expect(e.offset).toBe(daclAt + 4);
    expect(e.message).toMatch(/claims 65535 ACEs/);
    const c = Buffer.from(good);
    u16(c, daclAt + 8 + 2, 0);
    expect(errorOf(c).message).toMatch(/ACE 0 claims size 0, below its 4-byte header/);
    const d = Buffer.from(good);
    u16(d, daclAt + 8 + 2, 0xfff0);
    expect(errorOf(d).message).toMatch(/beyond the end of its ACL/);
  });
  it('a SID with more than 15 sub-authorities, or longer than its ACE', () => {
    const b = Buffer.from(good);
    b[21] = 16;
    expect(errorOf(b).offset).toBe(21);
    const c = Buffer.from(good);
    c[21] = 15; // owner SID now claims 68 bytes and runs into the group
    expect(errorOf(c).message).toMatch(/overlaps/);
  });
  it('revision and self-relative checks', () => {
    const b = Buffer.from(good);
    b[0] = 2;
    expect(errorOf(b).message).toMatch(/revision 2/);
    const c = Buffer.from(good);
    c[3] &= 0x7f;
    expect(errorOf(c).offset).toBe(2);
  });
  it('keeps unreferenced bytes so that odd but valid layouts still round-trip', () => {
    const padded = Buffer.concat([good.subarray(0, 20), Buffer.from([9, 9, 9, 9]), good.subarray(20), Buffer.from([7, 7])]);
    for (const o of [4, 8, 12, 16]) if (padded.readUInt32LE(o)) u32(padded, o, padded.readUInt32LE(o) + 4);
    const sd = parseSecurityDescriptor(padded);
    expect(Array.from(sd.layout!.gapBefore!.owner!)).toEqual([9, 9, 9, 9]);
    expect(Array.from(sd.layout!.trailing!)).toEqual([7, 7]);
    expect(serializeSecurityDescriptor(sd).equals(padded)).toBe(true);
  });
});
