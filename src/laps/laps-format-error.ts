/** A LAPS attribute value that does not have the expected format (exit 2). Never quotes a secret. */
import { InputError } from '../errors.js';

export class LapsFormatError extends InputError {
  constructor(message: string, options: { advice?: string } = {}) {
    super(message, { reason: 'LAPS_VALUE_MALFORMED', advice: options.advice });
    this.name = 'LapsFormatError';
  }
}
