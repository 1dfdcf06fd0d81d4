/**
 * A minimal DER writer: definite minimal lengths, low tag numbers. Each function returns the
 * complete encoding of one element.
 */
import { DerTag, encodeOidContent } from './der-reader.js';

export function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function derTlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

export function derSequence(...items: Buffer[]): Buffer {
  return derTlv(DerTag.SEQUENCE, Buffer.concat(items));
}

export function derSet(...items: Buffer[]): Buffer {
  return derTlv(DerTag.SET, Buffer.concat(items));
}

export function derOctetString(content: Buffer): Buffer {
  return derTlv(DerTag.OCTET_STRING, content);
}

export function derUtf8String(text: string): Buffer {
  return derTlv(DerTag.UTF8_STRING, Buffer.from(text, 'utf8'));
}

/** A non-negative INTEGER that fits in a JavaScript number. */
export function derInteger(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError('derInteger: non-negative safe integer expected');
  const bytes: number[] = [];
  let v = value;
  do {
    bytes.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! >= 0x80) bytes.unshift(0);
  return derTlv(DerTag.INTEGER, Buffer.from(bytes));
}

export function derOid(oid: string): Buffer {
  const arcs = oid.split('.');
  if (arcs.length < 2 || arcs.some((a) => !/^\d+$/.test(a)) || Number(arcs[0]) > 2) throw new RangeError(`derOid: bad OID ${oid}`);
  return derTlv(DerTag.OID, encodeOidContent(oid));
}
