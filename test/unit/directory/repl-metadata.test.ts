/** replPropertyMetaData: the whole vector, or one attribute's entry without decoding the rest. */
import { describe, expect, it } from 'vitest';
import { findPropertyMetaData, parseReplPropertyMetaData } from '../../../src/directory/repl-metadata.js';

const SECONDS_1601_TO_1970 = 11_644_473_600n;

function vector(entries: Array<{ attid: number; version: number; at: Date; usn: bigint }>): Buffer {
  const b = Buffer.alloc(16 + entries.length * 48);
  b.writeUInt32LE(1, 0);
  b.writeUInt32LE(entries.length, 8);
  entries.forEach((e, i) => {
    const o = 16 + i * 48;
    b.writeUInt32LE(e.attid, o);
    b.writeUInt32LE(e.version, o + 4);
    b.writeBigUInt64LE(BigInt(e.at.getTime() / 1000) + SECONDS_1601_TO_1970, o + 8);
    b.writeBigUInt64LE(e.usn, o + 40);
  });
  return b;
}

describe('replPropertyMetaData', () => {
  const at = (s: string) => new Date(s);
  const v = vector([
    { attid: 0x00090001, version: 1, at: at('2026-01-01T00:00:00Z'), usn: 10n },
    { attid: 0x0009008d, version: 7, at: at('2026-11-02T10:00:05Z'), usn: 99n },
    { attid: 0xa1b2c3d4, version: 3, at: at('2026-11-03T08:00:00Z'), usn: 120n },
  ]);

  it('findPropertyMetaData returns exactly the entry parseReplPropertyMetaData has for that attid', () => {
    const all = parseReplPropertyMetaData(v);
    expect(all).toHaveLength(3);
    for (const e of all) expect(findPropertyMetaData(v, e.attid)).toEqual(e);
    expect(findPropertyMetaData(v, 0x0009008d)).toEqual({ attid: 0x0009008d, version: 7, changed: at('2026-11-02T10:00:05Z'), localUsn: 99n });
    expect(findPropertyMetaData(v, 0x12345678)).toBeUndefined();
  });

  it('both refuse a malformed vector the same way', () => {
    const short = v.subarray(0, 40);
    expect(() => parseReplPropertyMetaData(short)).toThrow(/claims 3 entries but holds 0/);
    expect(() => findPropertyMetaData(short, 1)).toThrow(/claims 3 entries but holds 0/);
    const v2 = Buffer.from(v);
    v2.writeUInt32LE(2, 0);
    expect(() => findPropertyMetaData(v2, 1)).toThrow(/version 2 is not supported/);
    expect(() => findPropertyMetaData(Buffer.alloc(8), 1)).toThrow(/too short/);
  });
});
