/** SDDL for plans and journal views; a descriptor that does not parse is shown by size only. */
import { parseSecurityDescriptor, toSddl } from './index.js';

export function describeDescriptor(buf: Buffer): string {
  try {
    return toSddl(parseSecurityDescriptor(buf));
  } catch {
    return `(unparseable descriptor, ${buf.length} bytes)`;
  }
}
