/**
 * Registry.pol (MS-GPREG): "PReg" + u32 version 1, then entries [key;value;type;size;data]
 * where the brackets and semicolons are UTF-16LE characters, key and value are UTF-16LE
 * NUL-terminated, type and size are u32 LE and data is `size` raw bytes.
 *
 * The reader never throws anything but RegistryPolError (an InputError naming the byte offset)
 * and keeps each entry's exact bytes, so a file round-trips byte for byte and an edit (set or
 * remove one value) leaves every other entry, and the order, exactly as it was.
 */
import { InputError } from '../errors.js';

export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_BINARY = 3;
export const REG_DWORD = 4;
export const REG_MULTI_SZ = 7;
export const REG_QWORD = 11;

const SIGNATURE = 'PReg';
const VERSION = 1;
const HEADER = 8;
/** Keys and value names are far shorter in practice (registry limits: 255 / 16,383 characters). */
const MAX_NAME_CHARS = 32_767;

export interface PolicyEntry {
  key: string;
  value: string;
  type: number;
  data: Buffer;
  /** The entry's bytes as read (from "[" to "]"): written back as they are when present. */
  raw?: Buffer;
}

export class RegistryPolError extends InputError {
  /** Byte offset in the file where the malformation was found. */
  readonly offset: number;
  constructor(message: string, offset: number, source = 'Registry.pol') {
    super(`${source}: ${message} at byte ${offset}`, { reason: 'REGISTRY_POL_MALFORMED' });
    this.name = 'RegistryPolError';
    this.offset = offset;
  }
}

function utf16z(s: string): Buffer {
  return Buffer.from(`${s}\0`, 'utf16le');
}

export function dwordEntry(key: string, value: string, n: number): PolicyEntry {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InputError(`${value}: a REG_DWORD is an integer 0..4294967295, not ${n}`);
  const data = Buffer.alloc(4);
  data.writeUInt32LE(n >>> 0);
  return { key, value, type: REG_DWORD, data };
}

export function stringEntry(key: string, value: string, s: string): PolicyEntry {
  return { key, value, type: REG_SZ, data: utf16z(s) };
}

function serializeEntry(e: PolicyEntry): Buffer {
  if (e.raw) return e.raw;
  const typeBuf = Buffer.alloc(4);
  typeBuf.writeUInt32LE(e.type >>> 0);
  const sizeBuf = Buffer.alloc(4);
  sizeBuf.writeUInt32LE(e.data.length);
  const ch = (c: string) => Buffer.from(c, 'utf16le');
  return Buffer.concat([ch('['), utf16z(e.key), ch(';'), utf16z(e.value), ch(';'), typeBuf, ch(';'), sizeBuf, ch(';'), e.data, ch(']')]);
}

export function writeRegistryPol(entries: readonly PolicyEntry[]): Buffer {
  const header = Buffer.alloc(HEADER);
  header.write(SIGNATURE, 0, 'ascii');
  header.writeUInt32LE(VERSION, 4);
  return Buffer.concat([header, ...entries.map(serializeEntry)]);
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    readonly source: string,
  ) {
    this.pos = HEADER;
  }

  fail(message: string, at = this.pos): never {
    throw new RegistryPolError(message, at, this.source);
  }

  char(c: string, what: string): void {
    if (this.pos + 2 > this.buf.length) this.fail(`file ends where "${c}" (${what}) was expected`);
    if (this.buf.readUInt16LE(this.pos) !== c.charCodeAt(0)) this.fail(`expected "${c}" (${what}), found 0x${this.buf.readUInt16LE(this.pos).toString(16).padStart(4, '0')}`);
    this.pos += 2;
  }

  string(what: string): string {
    const start = this.pos;
    for (let i = start; i + 1 < this.buf.length; i += 2) {
      if (this.buf[i] === 0 && this.buf[i + 1] === 0) {
        this.pos = i + 2;
        return this.buf.toString('utf16le', start, i);
      }
      if ((i - start) / 2 >= MAX_NAME_CHARS) this.fail(`${what} longer than ${MAX_NAME_CHARS} characters`, start);
    }
    return this.fail(`${what} has no terminating NUL`, start);
  }

  u32(what: string): number {
    if (this.pos + 4 > this.buf.length) this.fail(`file ends inside the ${what}`);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
}

/** Parses a Registry.pol file. `source` names the file in error messages. */
export function parseRegistryPol(buf: Buffer, source = 'Registry.pol'): PolicyEntry[] {
  if (!Buffer.isBuffer(buf)) throw new RegistryPolError('not a byte buffer', 0, source);
  if (buf.length < HEADER) throw new RegistryPolError(`file is ${buf.length} bytes, shorter than the 8-byte header`, 0, source);
  if (buf.toString('latin1', 0, 4) !== SIGNATURE) throw new RegistryPolError('missing "PReg" signature', 0, source);
  const version = buf.readUInt32LE(4);
  if (version !== VERSION) throw new RegistryPolError(`unsupported version ${version} (expected 1)`, 4, source);
  const r = new Reader(buf, source);
  const out: PolicyEntry[] = [];
  while (r.pos < buf.length) {
    const start = r.pos;
    r.char('[', 'start of an entry');
    const key = r.string('key');
    r.char(';', 'after the key');
    const value = r.string('value name');
    r.char(';', 'after the value name');
    const type = r.u32('type');
    r.char(';', 'after the type');
    const sizeAt = r.pos;
    const size = r.u32('data size');
    r.char(';', 'after the data size');
    if (size > buf.length - r.pos) r.fail(`data of ${size} bytes runs past the end of the file (${buf.length - r.pos} bytes left)`, sizeAt);
    const data = Buffer.from(buf.subarray(r.pos, r.pos + size));
    r.pos += size;
    r.char(']', 'end of the entry');
    out.push({ key, value, type, data, raw: Buffer.from(buf.subarray(start, r.pos)) });
  }
  return out;
}

/** Registry keys and value names are case-insensitive. */
export function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The entry for key\value, if any (the last one wins, as when a client applies the file). */
export function findEntry(entries: readonly PolicyEntry[], key: string, value: string): PolicyEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    if (sameName(e.key, key) && sameName(e.value, value)) return e;
  }
  return undefined;
}

function sameContent(a: PolicyEntry, b: PolicyEntry): boolean {
  return a.type === b.type && a.data.equals(b.data) && a.key === b.key && a.value === b.value;
}

/**
 * Sets key\value: an existing entry is replaced where it stands (one copy kept), a new one is
 * appended; a "**del.value" marker for the same key is dropped (as the GroupPolicy module does).
 * Every other entry keeps its bytes and position. Unchanged input gives the same array back.
 */
export function setPolicyValue(entries: readonly PolicyEntry[], entry: PolicyEntry): PolicyEntry[] {
  const fresh: PolicyEntry = { key: entry.key, value: entry.value, type: entry.type, data: Buffer.from(entry.data) };
  const matches = entries.filter((e) => sameName(e.key, entry.key) && sameName(e.value, entry.value));
  const marker = `**del.${entry.value}`;
  const hasMarker = entries.some((e) => sameName(e.key, entry.key) && sameName(e.value, marker));
  if (matches.length === 1 && sameContent(matches[0]!, fresh) && !hasMarker) return [...entries];
  const out: PolicyEntry[] = [];
  let placed = false;
  for (const e of entries) {
    if (sameName(e.key, entry.key) && sameName(e.value, marker)) continue;
    if (sameName(e.key, entry.key) && sameName(e.value, entry.value)) {
      if (!placed) out.push(matches.length === 1 && sameContent(e, fresh) ? e : fresh);
      placed = true;
      continue;
    }
    out.push(e);
  }
  if (!placed) out.push(fresh);
  return out;
}

/** Removes key\value (every copy). Other entries keep their bytes and position. */
export function removePolicyValue(entries: readonly PolicyEntry[], key: string, value: string): PolicyEntry[] {
  return entries.filter((e) => !(sameName(e.key, key) && sameName(e.value, value)));
}

/** A value as a plain JSON-friendly thing: number for DWORD/QWORD, string for SZ, hex otherwise. */
export function decodePolicyData(e: Pick<PolicyEntry, 'type' | 'data'>): number | bigint | string | string[] {
  switch (e.type) {
    case REG_DWORD:
      return e.data.length === 4 ? e.data.readUInt32LE(0) : `<${e.data.length}-byte REG_DWORD: ${e.data.toString('hex')}>`;
    case REG_QWORD:
      return e.data.length === 8 ? e.data.readBigUInt64LE(0) : `<${e.data.length}-byte REG_QWORD: ${e.data.toString('hex')}>`;
    case REG_SZ:
    case REG_EXPAND_SZ:
      return e.data.toString('utf16le', 0, e.data.length - (e.data.length % 2)).replace(/\0+$/, '');
    case REG_MULTI_SZ:
      return e.data
        .toString('utf16le', 0, e.data.length - (e.data.length % 2))
        .replace(/\0+$/, '')
        .split('\0');
    default:
      return `hex:${e.data.toString('hex')}`;
  }
}

export function typeName(type: number): string {
  return ({ 1: 'REG_SZ', 2: 'REG_EXPAND_SZ', 3: 'REG_BINARY', 4: 'REG_DWORD', 7: 'REG_MULTI_SZ', 11: 'REG_QWORD' } as Record<number, string>)[type] ?? `type ${type}`;
}
