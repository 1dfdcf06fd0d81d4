/**
 * Typed errors of the DPAPI-NG module (CONVENTIONS "Exit codes").
 * - DpapiNgFormatError (exit 2): the bytes are not a DPAPI-NG blob we can read (bad DER, wrong
 *   version, unknown algorithm, truncated...). Nothing was decrypted.
 * - DpapiNgDecryptError (exit 7): the blob is well formed but cannot be opened: wrong or missing
 *   root key, authentication failed (tampered ciphertext, tag, wrapped key, key identifier, SID),
 *   or an invalid public key (off-curve point, DH value out of range).
 * Messages never contain key material, plaintext or secrets; offsets and field names only.
 */
import { ExitCode, InputError, UserError } from '../errors.js';

export type DpapiNgFormatReason =
  | 'DPAPI_NG_MALFORMED'
  | 'DPAPI_NG_UNSUPPORTED'
  | 'ROOT_KEY_MALFORMED';

export class DpapiNgFormatError extends InputError {
  constructor(message: string, options: { reason?: DpapiNgFormatReason; advice?: string } = {}) {
    super(message, { reason: options.reason ?? 'DPAPI_NG_MALFORMED', advice: options.advice });
    this.name = 'DpapiNgFormatError';
  }
}

export type DpapiNgDecryptReason =
  /** AES key unwrap or AES-GCM tag check failed: wrong key or tampered data. */
  | 'AUTHENTICATION_FAILED'
  /** No root key with the blob's root key id was supplied. */
  | 'ROOT_KEY_NOT_FOUND'
  /** The sender's public key in the key identifier is not usable (off-curve, out of range, wrong group). */
  | 'INVALID_PUBLIC_KEY';

export class DpapiNgDecryptError extends UserError {
  constructor(message: string, reason: DpapiNgDecryptReason, options: { advice?: string } = {}) {
    super(message, ExitCode.CANNOT_DECRYPT, { reason, advice: options.advice });
    this.name = 'DpapiNgDecryptError';
  }
}
