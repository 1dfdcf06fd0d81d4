/**
 * The Windows LAPS password payload: JSON {"n": account name, "t": update time as lowercase hex
 * FILETIME, "p": password}. msLAPS-Password holds it as text; the encrypted attributes hold it
 * as UTF-16LE followed by a UTF-16 NUL inside the DPAPI-NG blob.
 * Error messages never include the password.
 */
import { dateToFiletime, filetimeToDate } from '../dtyp/filetime.js';
import { filetimeToHex, parseFiletimeHex } from './filetime.js';
import { LapsFormatError } from './laps-format-error.js';

export interface LapsPasswordPayload {
  /** "n": the managed account's name. */
  accountName: string;
  /** "t": when the password was set (FILETIME). */
  updateTimestamp: bigint;
  updateTime: Date;
  /** "p": the password. Secret. */
  password: string;
}

export interface LapsPasswordInput {
  accountName: string;
  password: string;
  /** Default now. */
  updateTime?: Date | bigint;
}

export function parseLapsPasswordJson(text: string, what = 'LAPS password JSON'): LapsPasswordPayload {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    // JSON.parse messages quote the input, which holds the password: never pass them on.
    throw new LapsFormatError(`${what} is not valid JSON`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new LapsFormatError(`${what} is not a JSON object`);
  const o = obj as Record<string, unknown>;
  const missing = ['n', 't', 'p'].filter((k) => !(k in o));
  if (missing.length > 0) throw new LapsFormatError(`${what} lacks field(s) ${missing.map((k) => `"${k}"`).join(', ')}`);
  if (typeof o.n !== 'string') throw new LapsFormatError(`${what}: "n" (account name) is not a string`);
  if (typeof o.t !== 'string') throw new LapsFormatError(`${what}: "t" (update time) is not a string`);
  if (typeof o.p !== 'string') throw new LapsFormatError(`${what}: "p" (password) is not a string`);
  const updateTimestamp = parseFiletimeHex(o.t, `${what}: "t"`);
  return { accountName: o.n, updateTimestamp, updateTime: filetimeToDate(updateTimestamp), password: o.p };
}

export function serializeLapsPasswordJson(input: LapsPasswordInput): string {
  const t = input.updateTime === undefined ? dateToFiletime(new Date()) : typeof input.updateTime === 'bigint' ? input.updateTime : dateToFiletime(input.updateTime);
  return JSON.stringify({ n: input.accountName, t: filetimeToHex(t), p: input.password });
}

/** UTF-16LE JSON + NUL, the plaintext of msLAPS-Encrypted* blobs. */
export function encodeEncryptedPayload(input: LapsPasswordInput): Buffer {
  return Buffer.from(`${serializeLapsPasswordJson(input)}\0`, 'utf16le');
}

export function decodeEncryptedPayload(plaintext: Buffer): LapsPasswordPayload {
  if (plaintext.length % 2 !== 0) throw new LapsFormatError('decrypted LAPS payload has an odd length (not UTF-16LE)');
  let text = plaintext.toString('utf16le');
  if (text.endsWith('\0')) text = text.slice(0, -1);
  return parseLapsPasswordJson(text, 'decrypted LAPS payload');
}
