/**
 * Test helper: DACL-only self-relative security descriptors (MS-DTYP 2.4.6: 20-byte header,
 * then an ACL header and ACEs), as a DC returns them with SD flags 4, plus a small describer
 * that prints them in SDDL style. It stands in for src/security in these unit tests: the journal
 * never parses descriptors itself, it only compares and stores the bytes.
 */

export interface TestAce {
  /** 0 allow, 1 deny, 5 allow-object */
  type: number;
  /** 0x02 CI, 0x08 IO, 0x10 inherited */
  flags: number;
  mask: number;
  sid: string;
}

function sidBytes(sid: string): Buffer {
  const parts = sid.split('-');
  if (parts[0] !== 'S' || parts[1] !== '1') throw new Error(`bad SID ${sid}`);
  const auth = Number(parts[2]);
  const subs = parts.slice(3).map(Number);
  const b = Buffer.alloc(8 + 4 * subs.length);
  b[0] = 1;
  b[1] = subs.length;
  b.writeUIntBE(auth, 2, 6);
  subs.forEach((s, i) => b.writeUInt32LE(s, 8 + 4 * i));
  return b;
}

function sidString(b: Buffer, off: number): { sid: string; size: number } {
  const count = b[off + 1]!;
  const auth = b.readUIntBE(off + 2, 6);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(b.readUInt32LE(off + 8 + 4 * i));
  return { sid: ['S', '1', String(auth), ...subs.map(String)].join('-'), size: 8 + 4 * count };
}

export function aceBytes(a: TestAce): Buffer {
  const sid = sidBytes(a.sid);
  const b = Buffer.alloc(8 + sid.length);
  b[0] = a.type;
  b[1] = a.flags;
  b.writeUInt16LE(b.length, 2);
  b.writeUInt32LE(a.mask >>> 0, 4);
  sid.copy(b, 8);
  return b;
}

/** SE_SELF_RELATIVE | SE_DACL_AUTO_INHERITED | SE_DACL_PRESENT, like AD returns for an OU. */
export const CONTROL_DEFAULT = 0x8404;

export function daclDescriptor(aces: TestAce[], control = CONTROL_DEFAULT): Buffer {
  const body = Buffer.concat(aces.map(aceBytes));
  const acl = Buffer.alloc(8);
  acl[0] = 4;
  acl.writeUInt16LE(8 + body.length, 2);
  acl.writeUInt16LE(aces.length, 4);
  const head = Buffer.alloc(20);
  head[0] = 1;
  head.writeUInt16LE(control, 2);
  head.writeUInt32LE(20, 16);
  return Buffer.concat([head, acl, body]);
}

export function parseTestDescriptor(sd: Buffer): { control: number; aces: TestAce[] } {
  const control = sd.readUInt16LE(2);
  const off = sd.readUInt32LE(16);
  const count = sd.readUInt16LE(off + 4);
  const aces: TestAce[] = [];
  let p = off + 8;
  for (let i = 0; i < count; i++) {
    const size = sd.readUInt16LE(p + 2);
    aces.push({ type: sd[p]!, flags: sd[p + 1]!, mask: sd.readUInt32LE(p + 4), sid: sidString(sd, p + 8).sid });
    p += size;
  }
  return { control, aces };
}

const TYPE: Record<number, string> = { 0: 'A', 1: 'D', 5: 'OA' };

/** "D:AI(A;CI;0x10;;;S-1-5-11)..." in the SDDL layout (masks as hex, flags as letters). */
export function describeTestDescriptor(sd: Buffer): string {
  const { control, aces } = parseTestDescriptor(sd);
  const dflags = `${control & 0x1000 ? 'P' : ''}${control & 0x400 ? 'AI' : ''}`;
  const flags = (f: number): string => `${f & 0x02 ? 'CI' : ''}${f & 0x08 ? 'IO' : ''}${f & 0x10 ? 'ID' : ''}`;
  return `D:${dflags}${aces.map((a) => `(${TYPE[a.type] ?? a.type};${flags(a.flags)};0x${a.mask.toString(16)};;;${a.sid})`).join('')}`;
}

/** A typical OU DACL: explicit ACEs first, then inherited ones. */
export function ouDescriptor(extra: TestAce[] = []): Buffer {
  return daclDescriptor([
    { type: 0, flags: 0, mask: 0xf01ff, sid: 'S-1-5-21-1-2-3-512' },
    { type: 0, flags: 0, mask: 0x20094, sid: 'S-1-5-11' },
    ...extra,
    { type: 0, flags: 0x12, mask: 0xf01ff, sid: 'S-1-5-18' },
    { type: 0, flags: 0x12, mask: 0x20094, sid: 'S-1-5-9' },
  ]);
}
