/**
 * Typed errors of the security descriptor engine. Both are InputErrors (exit 2): a malformed
 * descriptor or SDDL string is bad input, never a bug. Each carries where the problem is.
 */
import { InputError } from '../errors.js';

/** A binary security descriptor that cannot be parsed; `offset` is the byte offset of the problem. */
export class SecurityDescriptorError extends InputError {
  readonly offset: number;

  constructor(message: string, offset: number, reason = 'MALFORMED_SECURITY_DESCRIPTOR') {
    super(`malformed security descriptor: ${message} (at byte offset ${offset})`, {
      reason,
      advice: 'pass the raw self-relative nTSecurityDescriptor value (read it with the SD-flags control)',
    });
    this.name = 'SecurityDescriptorError';
    this.offset = offset;
  }
}

/** An SDDL string that cannot be parsed; `position` is the 0-based character index of the problem. */
export class SddlError extends InputError {
  readonly position: number;

  constructor(message: string, position: number) {
    super(`malformed SDDL: ${message} (at character ${position})`, { reason: 'MALFORMED_SDDL' });
    this.name = 'SddlError';
    this.position = position;
  }
}
