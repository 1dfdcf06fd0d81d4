/**
 * Registry.pol (MS-GPREG): "PReg" + u32 version 1, then entries [key;value;type;size;data]
 * where the brackets and semicolons are UTF-16LE characters, key and value are UTF-16LE
 * NUL-terminated, type and size are u32 LE and data is `size` raw bytes.
 */
import { InputError } from '../errors.js';

export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_BINARY = 3;
export const REG_DWORD = 4;
export const REG_MULTI_SZ = 7;
export const REG_QWORD = 11;

export interface PolicyEntry {
  key: string;
  value: string;
  type: number;
  data: Buffer;
}

function utf16z(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf16le');
}

export function dwordEntry(key: string, value: string, n: number): PolicyEntry {
  const data = Buffer.alloc(4);
  data.writeUInt32LE(n >>> 0);
  return { key, value, type: REG_DWORD, data };
}

export function stringEntry(key: string, value: string, s: string): PolicyEntry {
  return { key, value, type: REG_SZ, data: utf16z(s) };
}

export function writeRegistryPol(entries: PolicyEntry[]): Buffer {
  const parts: Buffer[] = [Buffer.from('PReg', 'ascii'), Buffer.from([1, 0, 0, 0])];
  const ch = (c: string) => Buffer.from(c, 'utf16le');
  for (const e of entries) {
    const typeBuf = Buffer.alloc(4);
    typeBuf.writeUInt32LE(e.type);
    const sizeBuf = Buffer.alloc(4);
    sizeBuf.writeUInt32LE(e.data.length);
    parts.push(ch('['), utf16z(e.key), ch(';'), utf16z(e.value), ch(';'), typeBuf, ch(';'), sizeBuf, ch(';'), e.data, ch(']'));
  }
  return Buffer.concat(parts);
}

function readZ(buf: Buffer, pos: number, what: string): [string, number] {
  for (let i = pos; i + 1 < buf.length; i += 2) {
    if (buf[i] === 0 && buf[i + 1] === 0) return [buf.toString('utf16le', pos, i), i + 2];
  }
  throw new InputError(`Registry.pol: unterminated ${what} starting at byte ${pos}`);
}

function expectChar(buf: Buffer, pos: number, c: string): number {
  if (pos + 2 > buf.length || buf.toString('utf16le', pos, pos + 2) !== c) {
    throw new InputError(`Registry.pol: expected "${c}" at byte ${pos}`);
  }
  return pos + 2;
}

export function parseRegistryPol(buf: Buffer): PolicyEntry[] {
  if (buf.length < 8 || buf.toString('ascii', 0, 4) !== 'PReg') throw new InputError('Registry.pol: missing "PReg" signature');
  const version = buf.readUInt32LE(4);
  if (version !== 1) throw new InputError(`Registry.pol: unsupported version ${version}`);
  const out: PolicyEntry[] = [];
  let pos = 8;
  while (pos < buf.length) {
    pos = expectChar(buf, pos, '[');
    const [key, p1] = readZ(buf, pos, 'key');
    pos = expectChar(buf, p1, ';');
    const [value, p2] = readZ(buf, pos, 'value name');
    pos = expectChar(buf, p2, ';');
    if (pos + 4 > buf.length) throw new InputError(`Registry.pol: truncated type at byte ${pos}`);
    const type = buf.readUInt32LE(pos);
    pos = expectChar(buf, pos + 4, ';');
    if (pos + 4 > buf.length) throw new InputError(`Registry.pol: truncated size at byte ${pos}`);
    const size = buf.readUInt32LE(pos);
    pos = expectChar(buf, pos + 4, ';');
    if (pos + size > buf.length) throw new InputError(`Registry.pol: data of ${size} bytes at byte ${pos} runs past the end (${buf.length})`);
    const data = Buffer.from(buf.subarray(pos, pos + size));
    pos = expectChar(buf, pos + size, ']');
    out.push({ key, value, type, data });
  }
  return out;
}
