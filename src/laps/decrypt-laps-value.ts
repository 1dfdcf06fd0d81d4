/**
 * Decrypts an msLAPS-Encrypted* value (or a bare DPAPI-NG blob) with KDS root keys and parses
 * the LAPS payload. This is the entry point for `password get` and `dpapi-ng decrypt`.
 * Pure: it never logs and never records anything; the caller journals the read.
 *
 * Errors: LapsFormatError / DpapiNgFormatError (InputError, exit 2) for malformed input;
 * DpapiNgDecryptError (UserError, exit 7) when it cannot decrypt (missing or wrong root key,
 * authentication failed).
 */
import { decryptDpapiNg, findRootKey, type RootKeyLookup } from '../dpapi-ng/decrypt-dpapi-ng.js';
import { describeDpapiNgBlob, type DpapiNgBlobSummary } from '../dpapi-ng/describe-dpapi-ng-blob.js';
import { parseDpapiNgBlob } from '../dpapi-ng/dpapi-ng-blob.js';
import type { RootKey } from '../dpapi-ng/root-key.js';
import type { SeedKeyCache } from '../dpapi-ng/seed-key-cache.js';
import { checkEncryptedPasswordValue, detectEncryptedInput, parseEncryptedPasswordValue, type EncryptedPasswordHeader } from './encrypted-password-value.js';
import { LapsFormatError } from './laps-format-error.js';
import { decodeEncryptedPayload, type LapsPasswordPayload } from './password-payload.js';

/** Root keys by id; may be asynchronous (e.g. read from AD on demand). */
export type RootKeyProvider = (rootKeyId: string) => RootKey | undefined | Promise<RootKey | undefined>;

export interface DecryptLapsOptions {
  cache?: SeedKeyCache;
  /** Accept a bare DPAPI-NG blob without the 16-byte header (default false). */
  allowBareBlob?: boolean;
  /** Fail when the plaintext is not a LAPS JSON payload (default true). */
  requirePayload?: boolean;
}

export interface LapsDecryptResult {
  source: 'laps-value' | 'dpapi-ng-blob';
  /** The 16-byte header, for msLAPS-Encrypted* values. */
  header: EncryptedPasswordHeader | undefined;
  blob: DpapiNgBlobSummary;
  /** Secret. */
  plaintext: Buffer;
  /** The parsed {n, t, p} payload (secret), when the plaintext is one. */
  payload: LapsPasswordPayload | undefined;
  /** Why the plaintext is not a LAPS payload (only with requirePayload: false). */
  payloadProblem: string | undefined;
}

/** Splits input into header (when present) and DPAPI-NG blob bytes, with precise errors. */
export function splitEncryptedInput(data: Buffer, allowBareBlob: boolean): { header: EncryptedPasswordHeader | undefined; blob: Buffer } {
  const kind = detectEncryptedInput(data);
  if (kind === 'dpapi-ng-blob' && allowBareBlob) return { header: undefined, blob: data };
  if (kind === 'dpapi-ng-blob') {
    throw new LapsFormatError('this is a bare DPAPI-NG blob, not an msLAPS-Encrypted* value (the 16-byte header is missing)');
  }
  if (allowBareBlob) {
    // Neither form fits: say so, then what is wrong when read as a LAPS value.
    const problems = checkEncryptedPasswordValue(data);
    if (problems.length > 0) {
      throw new LapsFormatError(`input is neither a DPAPI-NG blob (no DER SEQUENCE at the start) nor a valid msLAPS-Encrypted* value: ${problems.join('; ')}`);
    }
  }
  const parsed = parseEncryptedPasswordValue(data);
  return { header: parsed.header, blob: parsed.blob };
}

export async function decryptLapsValue(
  data: Buffer,
  keys: RootKeyProvider | RootKeyLookup,
  options: DecryptLapsOptions = {},
): Promise<LapsDecryptResult> {
  const { header, blob: blobBytes } = splitEncryptedInput(data, options.allowBareBlob ?? false);
  const blob = parseDpapiNgBlob(blobBytes);
  const summary = describeDpapiNgBlob(blob);
  let lookup: RootKeyLookup;
  if (typeof keys === 'function') {
    const key = await keys(blob.keyIdentifier.rootKeyId);
    lookup = key ? [key] : [];
  } else {
    const key = findRootKey(keys, blob.keyIdentifier.rootKeyId);
    lookup = key ? [key] : keys;
  }
  const { plaintext } = decryptDpapiNg(blob, lookup, { cache: options.cache });
  let payload: LapsPasswordPayload | undefined;
  let payloadProblem: string | undefined;
  try {
    payload = decodeEncryptedPayload(plaintext);
  } catch (e) {
    if (options.requirePayload ?? true) {
      plaintext.fill(0);
      throw e;
    }
    payloadProblem = e instanceof Error ? e.message : String(e);
  }
  return { source: header ? 'laps-value' : 'dpapi-ng-blob', header, blob: summary, plaintext, payload, payloadProblem };
}
