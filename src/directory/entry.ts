/**
 * Reading values out of a DirEntry, and building filters from user or directory strings. The one
 * place for these helpers: steps and the CLI never index entry.attributes or escape by hand.
 */
import type { DirEntry } from './types.js';

/** First value of an attribute as a string (undefined when absent). */
export function firstString(entry: DirEntry, name: string): string | undefined {
  const v = entry.attributes[name.toLowerCase()]?.[0];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.toString('utf8');
}

/** First value of an attribute as a Buffer (undefined when absent); a string value (the attribute was
 * not requested as binary) is converted from UTF-8. */
export function firstBuffer(entry: DirEntry, name: string): Buffer | undefined {
  const v = entry.attributes[name.toLowerCase()]?.[0];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

/** First value of an attribute when it came back as binary (listed in binaryAttributes); undefined when
 * absent or when the server returned it as a string (so a mis-requested attribute is never decoded as bytes). */
export function firstBinary(entry: DirEntry, name: string): Buffer | undefined {
  const v = entry.attributes[name.toLowerCase()]?.[0];
  return Buffer.isBuffer(v) ? v : undefined;
}

/** All values of an attribute as strings. */
export function allStrings(entry: DirEntry, name: string): string[] {
  return (entry.attributes[name.toLowerCase()] ?? []).map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
}

/** RFC 4515 escaping of an assertion value. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
