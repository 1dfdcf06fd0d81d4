/** Binary SID (objectSid, tokenGroups values) to its S-1-... string form (the security module's parser). */
import { sidFromBytes } from '../security/sid.js';

export function sidToString(buf: Buffer): string {
  return sidFromBytes(buf, 0);
}
