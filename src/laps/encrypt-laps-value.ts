/**
 * Builds msLAPS-Encrypted* values as Windows LAPS writes them: the payload
 * {"n","t","p"} as UTF-16LE + NUL, encrypted to "SID=<sid>" with the time's group key (public-key
 * form by default, as a LAPS client gets it), content detached, behind the 16-byte header.
 * For the lab and tests; the header time, the payload "t" and the key period share one time.
 */
import { encryptDpapiNg, type EncryptOptions } from '../dpapi-ng/encrypt-dpapi-ng.js';
import { buildEncryptedPasswordValue } from './encrypted-password-value.js';
import { encodeEncryptedPayload } from './password-payload.js';

export interface EncryptLapsOptions extends Omit<EncryptOptions, 'contentPlacement' | 'time'> {
  /** Default now. */
  time?: Date;
}

export function encryptLapsValue(payload: { accountName: string; password: string }, options: EncryptLapsOptions): Buffer {
  const time = options.time ?? new Date();
  const plaintext = encodeEncryptedPayload({ accountName: payload.accountName, password: payload.password, updateTime: time });
  try {
    const blob = encryptDpapiNg(plaintext, { ...options, time, contentPlacement: 'detached' });
    return buildEncryptedPasswordValue(blob, time);
  } finally {
    plaintext.fill(0);
  }
}
