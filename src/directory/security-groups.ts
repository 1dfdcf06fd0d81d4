/**
 * The security groups of a domain (for pickers: the wizard's choice of an encryption principal).
 * groupType bit 0x80000000 = security-enabled (MS-ADTS 2.2.12); distribution groups cannot be
 * in a token and so can never decrypt. Sorted by name.
 */
import { firstString } from './entry.js';
import type { Directory } from './types.js';

/** LDAP_MATCHING_RULE_BIT_AND on GROUP_TYPE_SECURITY_ENABLED. */
const SECURITY_ENABLED = '(groupType:1.2.840.113556.1.4.803:=2147483648)';

export async function listSecurityGroups(dir: Directory, baseDn: string): Promise<Array<{ dn: string; name: string; description?: string }>> {
  const out: Array<{ dn: string; name: string; description?: string }> = [];
  for await (const page of dir.searchPages({ base: baseDn, filter: `(&(objectClass=group)${SECURITY_ENABLED})`, attributes: ['sAMAccountName', 'description'] })) {
    for (const e of page) {
      const name = firstString(e, 'sAMAccountName');
      if (!name) continue;
      const description = firstString(e, 'description');
      out.push({ dn: e.dn, name, ...(description ? { description } : {}) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
