/**
 * Input that names a directory object (a scope such as `--ou`, a search base such as
 * `--base-dn`) must name one that exists: otherwise a search "succeeds" with nothing in it and a
 * report says "0 computers" (issue 21). Reading the entry itself decides, before any search.
 */
import { InputError } from '../errors.js';
import type { Directory } from './types.js';

/** Throws InputError (exit 2) naming `flag` when `dn` is not an object the bound account can see. */
export async function assertEntryExists(dir: Directory, dn: string, flag: string): Promise<void> {
  let found: unknown;
  try {
    found = await dir.read(dn, ['1.1']);
  } catch (e) {
    // 32 noSuchObject (some servers answer a base read of a missing DN with it), 34 invalidDNSyntax
    const code = (e as { code?: unknown; cause?: { code?: unknown } }).code ?? (e as { cause?: { code?: unknown } }).cause?.code;
    if (code === 32 || code === 34) found = undefined;
    else throw e;
  }
  if (!found) {
    throw new InputError(`${flag} ${dn} does not exist (or is not visible to the bound account)`, {
      reason: 'NO_SUCH_OBJECT',
      advice: 'Check the DN (laps-migrate inventory lists the OUs), or the account\'s read rights on it.',
    });
  }
}
