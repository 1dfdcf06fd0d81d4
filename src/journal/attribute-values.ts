/**
 * Attribute values as the journal handles them: comparison (exact or case-insensitive, string
 * and binary alike), the journaled encoding (text or base64) and the secret-safe summary that
 * stands in for secret values (presence, count and byte lengths only).
 */

export type Value = string | Buffer;

/** How values are compared: byte for byte, or case-insensitively for directory strings. */
export type ValueMatch = 'exact' | 'case-ignore';

/** A value as written to the journal: text, or base64 for binary values. */
export type EncodedValue = { t: string } | { b64: string };

/** What the journal records for an attribute's values. */
export type JournalValues =
  | { values: EncodedValue[] }
  | { redacted: true; present: boolean; count: number; lengths: number[] };

function asBuffer(v: Value): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

export function valueEquals(a: Value, b: Value, match: ValueMatch = 'exact'): boolean {
  if (match === 'case-ignore' && typeof a === 'string' && typeof b === 'string') {
    return a.toLowerCase() === b.toLowerCase();
  }
  if (match === 'case-ignore' && (typeof a === 'string' || typeof b === 'string')) {
    return asBuffer(a).toString('utf8').toLowerCase() === asBuffer(b).toString('utf8').toLowerCase();
  }
  return asBuffer(a).equals(asBuffer(b));
}

export function containsValue(list: readonly Value[], v: Value, match: ValueMatch = 'exact'): boolean {
  return list.some((x) => valueEquals(x, v, match));
}

/** Values of `a` that are not in `b`. */
export function valuesMinus(a: readonly Value[], b: readonly Value[], match: ValueMatch = 'exact'): Value[] {
  return a.filter((v) => !containsValue(b, v, match));
}

/** Same set of values (LDAP attributes are sets: order and repetition do not matter). */
export function sameValueSet(a: readonly Value[], b: readonly Value[], match: ValueMatch = 'exact'): boolean {
  return valuesMinus(a, b, match).length === 0 && valuesMinus(b, a, match).length === 0;
}

/** Union keeping the first spelling of each value. */
export function valuesUnion(a: readonly Value[], b: readonly Value[], match: ValueMatch = 'exact'): Value[] {
  return [...a, ...valuesMinus(b, a, match)];
}

export function encodeValue(v: Value): EncodedValue {
  return typeof v === 'string' ? { t: v } : { b64: v.toString('base64') };
}

export function decodeValue(e: EncodedValue): Value {
  return 't' in e ? e.t : Buffer.from(e.b64, 'base64');
}

/** Presence and byte lengths only: what the journal keeps for a secret attribute. */
export function redactValues(values: readonly Value[]): JournalValues {
  return { redacted: true, present: values.length > 0, count: values.length, lengths: values.map((v) => asBuffer(v).length) };
}

export function journalValues(values: readonly Value[], secret: boolean): JournalValues {
  return secret ? redactValues(values) : { values: values.map(encodeValue) };
}

/** Decoded values, or undefined when the journal holds only a secret summary. */
export function valuesFromJournal(j: JournalValues): Value[] | undefined {
  return 'values' in j ? j.values.map(decodeValue) : undefined;
}

const PRINTABLE = /^[\x20-\x7e\u00a0-\uffff]*$/;

/** One value for humans: text as is (quoted when it has edge spaces), binary as length + hex head. */
export function describeValue(v: Value): string {
  if (typeof v === 'string') {
    if (!PRINTABLE.test(v)) return `<text, ${Buffer.byteLength(v, 'utf8')} bytes, not printable>`;
    return v.trim() === v && v !== '' ? v : JSON.stringify(v);
  }
  const head = v.subarray(0, 16).toString('hex');
  return `<binary, ${v.length} bytes: ${head}${v.length > 16 ? '...' : ''}>`;
}

/** The journaled form for humans (secret summaries say only what the journal knows). */
export function describeJournalValues(j: JournalValues): string[] {
  if ('redacted' in j) {
    if (!j.present) return ['<secret: absent>'];
    return [`<secret: ${j.count} value${j.count === 1 ? '' : 's'}, ${j.lengths.join('+')} bytes; value not recorded>`];
  }
  return j.values.map((e) => describeValue(decodeValue(e)));
}
