/**
 * A minimal, strict DER reader: just what CMS EnvelopedData needs. Definite lengths only, minimal
 * length encodings only, low tag numbers only. Every problem becomes a DpapiNgFormatError naming
 * the field and the byte offset, never the bytes themselves.
 */
import { DpapiNgFormatError } from './errors.js';

/** Tag bytes used by DPAPI-NG blobs (class | constructed | number). */
export const DerTag = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Context-specific tag byte: [n] IMPLICIT/EXPLICIT, primitive or constructed. */
export function contextTag(n: number, constructed: boolean): number {
  return 0x80 | (constructed ? 0x20 : 0) | n;
}

export interface DerElement {
  /** The identifier octet (class, constructed bit and tag number in one byte). */
  tag: number;
  /** Offset of the identifier octet in the underlying buffer. */
  start: number;
  contentStart: number;
  /** Offset one past the last content byte. */
  end: number;
}

export class DerReader {
  private pos: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly limit = buf.length,
    /** Name of the structure being read, for error messages. */
    private readonly context = 'DER',
  ) {
    this.pos = start;
  }

  get offset(): number {
    return this.pos;
  }

  get atEnd(): boolean {
    return this.pos >= this.limit;
  }

  fail(what: string, at = this.pos): never {
    throw new DpapiNgFormatError(`malformed DPAPI-NG blob: ${this.context}: ${what} (at byte ${at})`);
  }

  /** The next identifier octet without consuming it; undefined at the end. */
  peekTag(): number | undefined {
    return this.pos < this.limit ? this.buf[this.pos] : undefined;
  }

  /** Reads the next element's header and skips over its content. */
  readElement(what: string): DerElement {
    const start = this.pos;
    if (start >= this.limit) this.fail(`${what}: missing (structure ends early)`);
    const tag = this.buf[start]!;
    if ((tag & 0x1f) === 0x1f) this.fail(`${what}: high tag numbers are not supported`, start);
    let p = start + 1;
    if (p >= this.limit) this.fail(`${what}: truncated length`, start);
    const first = this.buf[p++]!;
    let length: number;
    if (first < 0x80) {
      length = first;
    } else {
      const n = first & 0x7f;
      if (n === 0) this.fail(`${what}: indefinite length is not DER`, start);
      if (n > 4) this.fail(`${what}: length field too long`, start);
      if (p + n > this.limit) this.fail(`${what}: truncated length`, start);
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + this.buf[p++]!;
      // DER: the shortest form must be used.
      if (length < 0x80 || (n > 1 && this.buf[p - n] === 0)) this.fail(`${what}: non-minimal length encoding`, start);
    }
    const contentStart = p;
    const end = contentStart + length;
    if (end > this.limit) this.fail(`${what}: content runs past the end of its container (needs ${length} bytes, ${this.limit - contentStart} left)`, start);
    this.pos = end;
    return { tag, start, contentStart, end };
  }

  /** Reads an element and checks its identifier octet. */
  expect(tag: number, what: string): DerElement {
    const t = this.peekTag();
    if (t === undefined) this.fail(`${what}: missing (structure ends early)`);
    if (t !== tag) this.fail(`${what}: expected tag 0x${hex2(tag)}, found 0x${hex2(t)}`);
    return this.readElement(what);
  }

  /** A reader over a constructed element's content (SEQUENCE, SET, [n] constructed). */
  enter(tag: number, what: string): DerReader {
    const el = this.expect(tag, what);
    return new DerReader(this.buf, el.contentStart, el.end, what);
  }

  sequence(what: string): DerReader {
    return this.enter(DerTag.SEQUENCE, what);
  }

  content(el: DerElement): Buffer {
    return this.buf.subarray(el.contentStart, el.end);
  }

  /** The complete encoding (header and content) of an element. */
  raw(el: DerElement): Buffer {
    return this.buf.subarray(el.start, el.end);
  }

  octetString(what: string, tag: number = DerTag.OCTET_STRING): Buffer {
    return this.content(this.expect(tag, what));
  }

  utf8String(what: string): string {
    const bytes = this.content(this.expect(DerTag.UTF8_STRING, what));
    if (bytes.every((b) => b < 0x80)) return bytes.toString('latin1'); // ASCII fast path
    try {
      return UTF8.decode(bytes);
    } catch {
      return this.fail(`${what}: invalid UTF-8`);
    }
  }

  /** A small non-negative INTEGER (versions, tag lengths). */
  smallInteger(what: string): number {
    const el = this.expect(DerTag.INTEGER, what);
    const c = this.content(el);
    if (c.length === 0) this.fail(`${what}: empty INTEGER`, el.start);
    if (c.length > 1 && ((c[0] === 0 && c[1]! < 0x80) || (c[0] === 0xff && c[1]! >= 0x80))) this.fail(`${what}: non-minimal INTEGER`, el.start);
    if (c[0]! >= 0x80) this.fail(`${what}: negative INTEGER`, el.start);
    if (c.length > 4) this.fail(`${what}: INTEGER too large`, el.start);
    let v = 0;
    for (const b of c) v = v * 256 + b;
    return v;
  }

  /**
   * Reads an OBJECT IDENTIFIER and checks it against the expected value by its encoding (fast);
   * the error names the OID that was found.
   */
  expectOid(expected: string, what: string, describe = (found: string) => `${found} (${expected} expected)`): void {
    const el = this.expect(DerTag.OID, what);
    const c = this.content(el);
    if (!c.equals(cachedOidContent(expected))) {
      const found = decodeOid(c, () => this.fail(`${what}: invalid OBJECT IDENTIFIER`, el.start));
      this.fail(`${what}: ${describe(found)}`, el.start);
    }
  }

  /** True when the next element is this OBJECT IDENTIFIER; consumes nothing. */
  peekOid(expected: string): boolean {
    const save = this.pos;
    try {
      const el = this.readElement('OBJECT IDENTIFIER');
      return el.tag === DerTag.OID && this.content(el).equals(cachedOidContent(expected));
    } finally {
      this.pos = save;
    }
  }

  oid(what: string): string {
    const el = this.expect(DerTag.OID, what);
    return decodeOid(this.content(el), () => this.fail(`${what}: invalid OBJECT IDENTIFIER`, el.start));
  }

  /** Fails unless every byte of this container was consumed. */
  end(): void {
    if (this.pos !== this.limit) this.fail(`${this.limit - this.pos} unexpected trailing byte(s)`);
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const OID_CONTENT_CACHE = new Map<string, Buffer>();

function cachedOidContent(oid: string): Buffer {
  let enc = OID_CONTENT_CACHE.get(oid);
  if (!enc) {
    enc = encodeOidContent(oid);
    OID_CONTENT_CACHE.set(oid, enc);
  }
  return enc;
}

/** The content octets of an OBJECT IDENTIFIER (without tag and length). */
export function encodeOidContent(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [];
  const push = (v: number): void => {
    const chunk: number[] = [v & 0x7f];
    for (let x = Math.floor(v / 128); x > 0; x = Math.floor(x / 128)) chunk.unshift(0x80 | (x & 0x7f));
    out.push(...chunk);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) push(a);
  return Buffer.from(out);
}

export function decodeOid(c: Buffer, onError: () => never): string {
  if (c.length === 0) onError();
  const arcs: number[] = [];
  let v = 0;
  let started = false;
  for (let i = 0; i < c.length; i++) {
    const b = c[i]!;
    if (!started && b === 0x80) onError(); // leading 0x80 is non-minimal
    started = true;
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) onError();
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0;
      started = false;
    } else if (i === c.length - 1) {
      onError();
    }
  }
  const first = arcs[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
