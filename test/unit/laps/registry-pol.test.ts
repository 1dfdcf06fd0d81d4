/**
 * Registry.pol: exact round trips, edits that keep every other entry's bytes and the order,
 * and a typed error with the byte offset for each kind of malformation.
 */
import { describe, expect, it } from 'vitest';
import {
  decodePolicyData,
  dwordEntry,
  findEntry,
  parseRegistryPol,
  REG_DWORD,
  REG_SZ,
  RegistryPolError,
  removePolicyValue,
  setPolicyValue,
  stringEntry,
  writeRegistryPol,
  type PolicyEntry,
} from '../../../src/laps/registry-pol.js';
import { InputError } from '../../../src/errors.js';

const LAPS = 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\LAPS';
const OTHER = 'Software\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU';

/** Bytes built by hand from MS-GPREG, independent of the writer under test. */
function handEntry(key: string, value: string, type: number, data: Buffer): Buffer {
  const u = (s: string) => Buffer.from(s, 'utf16le');
  const n = (x: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(x);
    return b;
  };
  return Buffer.concat([u('['), u(`${key}\0`), u(';'), u(`${value}\0`), u(';'), n(type), u(';'), n(data.length), u(';'), data, u(']')]);
}
const HEADER = Buffer.from('5052656701000000', 'hex');

function sample(): Buffer {
  return Buffer.concat([
    HEADER,
    handEntry(OTHER, 'NoAutoUpdate', REG_DWORD, Buffer.from([0, 0, 0, 0])),
    handEntry(LAPS, 'BackupDirectory', REG_DWORD, Buffer.from([1, 0, 0, 0])),
    // odd but legal: a REG_SZ without its NUL, and a mixed-case key (kept as written)
    handEntry(OTHER.toUpperCase(), 'Odd', REG_SZ, Buffer.from('ab', 'utf16le')),
    handEntry(LAPS, '**del.PasswordLength', REG_SZ, Buffer.from(' \0', 'utf16le')),
  ]);
}

describe('Registry.pol reader and writer', () => {
  it('reads MS-GPREG entries and writes them back byte for byte', () => {
    const buf = sample();
    const entries = parseRegistryPol(buf);
    expect(entries.map((e) => e.value)).toEqual(['NoAutoUpdate', 'BackupDirectory', 'Odd', '**del.PasswordLength']);
    expect(decodePolicyData(entries[1]!)).toBe(1);
    expect(decodePolicyData(entries[2]!)).toBe('ab');
    expect(writeRegistryPol(entries).equals(buf)).toBe(true);
    // entries built from scratch serialize exactly like the hand-built bytes
    const fresh = entries.map(({ raw: _raw, ...e }) => e);
    expect(writeRegistryPol(fresh).equals(buf)).toBe(true);
  });

  it('an empty policy is the 8-byte header', () => {
    expect(writeRegistryPol([]).equals(HEADER)).toBe(true);
    expect(parseRegistryPol(HEADER)).toEqual([]);
  });

  it('sets a value in place, keeping the other entries and the order; a new value goes last', () => {
    const buf = sample();
    const before = parseRegistryPol(buf);
    const changed = setPolicyValue(before, dwordEntry(LAPS.toLowerCase(), 'backupdirectory', 2));
    const out = writeRegistryPol(changed);
    const again = parseRegistryPol(out);
    expect(again.map((e) => e.value)).toEqual(['NoAutoUpdate', 'backupdirectory', 'Odd', '**del.PasswordLength']);
    expect(decodePolicyData(again[1]!)).toBe(2);
    for (const i of [0, 2, 3]) expect(again[i]!.raw!.equals(before[i]!.raw!)).toBe(true);

    const added = writeRegistryPol(setPolicyValue(before, dwordEntry(LAPS, 'PasswordAgeDays', 30)));
    expect(added.subarray(0, buf.length).equals(buf)).toBe(true);
    expect(decodePolicyData(findEntry(parseRegistryPol(added), LAPS, 'passwordagedays')!)).toBe(30);
  });

  it('setting a value drops its **del. marker; setting an unchanged value changes nothing', () => {
    const before = parseRegistryPol(sample());
    const out = setPolicyValue(before, dwordEntry(LAPS, 'PasswordLength', 20));
    expect(out.map((e) => e.value)).toEqual(['NoAutoUpdate', 'BackupDirectory', 'Odd', 'PasswordLength']);
    const same = setPolicyValue(before, dwordEntry(LAPS, 'BackupDirectory', 1));
    expect(writeRegistryPol(same).equals(sample())).toBe(true);
  });

  it('removes a value (every copy) and nothing else', () => {
    const before = parseRegistryPol(sample());
    const out = writeRegistryPol(removePolicyValue(before, LAPS, 'BACKUPDIRECTORY'));
    const expected = Buffer.concat([HEADER, before[0]!.raw!, before[2]!.raw!, before[3]!.raw!]);
    expect(out.equals(expected)).toBe(true);
    expect(writeRegistryPol(removePolicyValue(before, LAPS, 'Absent')).equals(sample())).toBe(true);
  });

  it('string values are UTF-16LE with their NUL', () => {
    const e = stringEntry(LAPS, 'ADPasswordEncryptionPrincipal', 'LAB\\LAPS Readers');
    expect(e.data.equals(Buffer.from('LAB\\LAPS Readers\0', 'utf16le'))).toBe(true);
    expect(() => dwordEntry(LAPS, 'X', -1)).toThrow(InputError);
  });
});

describe('Registry.pol malformations: typed errors with the byte offset', () => {
  const good = sample();
  const cases: Array<[string, Buffer, number, RegExp]> = [
    ['too short', Buffer.from('PReg'), 0, /shorter than the 8-byte header/],
    ['wrong signature', Buffer.concat([Buffer.from('PRex'), good.subarray(4)]), 0, /signature/],
    ['wrong version', Buffer.concat([Buffer.from('PReg'), Buffer.from([2, 0, 0, 0])]), 4, /version 2/],
    ['no opening bracket', Buffer.concat([HEADER, Buffer.from('x\0', 'latin1')]), 8, /expected "\["/],
    ['odd trailing byte', Buffer.concat([good, Buffer.from([0x5b])]), good.length, /file ends where "\["/],
    ['unterminated key', Buffer.concat([HEADER, Buffer.from('[abc', 'utf16le')]), 10, /key has no terminating NUL/],
    ['truncated in the type', good.subarray(0, 8 + 2 + Buffer.byteLength(`${OTHER}\0`, 'utf16le') + 2 + Buffer.byteLength('NoAutoUpdate\0', 'utf16le') + 2 + 2), 8 + 2 + Buffer.byteLength(`${OTHER}\0`, 'utf16le') + 2 + Buffer.byteLength('NoAutoUpdate\0', 'utf16le') + 2, /inside the type/],
  ];
  for (const [name, buf, offset, msg] of cases) {
    it(name, () => {
      let err: unknown;
      try {
        parseRegistryPol(buf, 'Machine/Registry.pol');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RegistryPolError);
      expect(err).toBeInstanceOf(InputError);
      expect((err as RegistryPolError).offset).toBe(offset);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).toMatch(/^Machine\/Registry\.pol: .* at byte \d+$/);
    });
  }

  it('a data size past the end names the size field', () => {
    const e = handEntry(LAPS, 'BackupDirectory', REG_DWORD, Buffer.from([2, 0, 0, 0]));
    const sizeAt = e.length - 2 - 4 - 2 - 4;
    e.writeUInt32LE(0xffffffff, sizeAt);
    try {
      parseRegistryPol(Buffer.concat([HEADER, e]));
      expect.unreachable();
    } catch (err) {
      expect((err as RegistryPolError).offset).toBe(8 + sizeAt);
      expect((err as Error).message).toMatch(/4294967295 bytes runs past the end/);
    }
  });

  it('a missing closing bracket after the data', () => {
    const e = handEntry(LAPS, 'BackupDirectory', REG_DWORD, Buffer.from([2, 0, 0, 0]));
    e.write('X', e.length - 2, 'utf16le');
    expect(() => parseRegistryPol(Buffer.concat([HEADER, e]))).toThrow(/expected "\]" \(end of the entry\), found 0x0058 at byte/);
  });

  it('entries that parse keep their data independent of the input buffer', () => {
    const buf = sample();
    const entries: PolicyEntry[] = parseRegistryPol(buf);
    buf.fill(0);
    expect(decodePolicyData(entries[1]!)).toBe(1);
  });
});
