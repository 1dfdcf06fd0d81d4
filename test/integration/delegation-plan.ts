/** Plans the journal tests apply to the lab: one read-delegation ACE per OU, as a permissions step would. */
import type { Directory } from '../../src/directory/types.js';
import { createPlan, replaceDacl, type Plan } from '../../src/journal/index.js';
import { mergeAce, parseSddlAce, parseSecurityDescriptor, serializeSecurityDescriptor } from '../../src/security/index.js';

export const SD_DACL = 4;

export async function dacl(dir: Directory, dn: string): Promise<Buffer> {
  const e = await dir.read(dn, ['nTSecurityDescriptor'], { binaryAttributes: ['nTSecurityDescriptor'], sdFlags: SD_DACL });
  return e!.attributes['ntsecuritydescriptor']![0] as Buffer;
}

/** A plan that grants one read ACE per OU (what a delegation step would do). */
export async function delegationPlan(dir: Directory, ous: string[], trusteeSid: string, tag: string): Promise<Plan> {
  const drafts = [];
  for (const dn of ous) {
    const before = await dacl(dir, dn);
    const sd = parseSecurityDescriptor(before);
    const ace = parseSddlAce(`(OA;CIIO;RP;bf967950-0de6-11d0-a285-00aa003049e2;bf967a86-0de6-11d0-a285-00aa003049e2;${trusteeSid})`);
    const merged = mergeAce(sd.dacl!, ace);
    const after = serializeSecurityDescriptor({ ...sd, dacl: merged.acl });
    drafts.push(replaceDacl({ dn, reason: `test delegation ${tag}`, before, after }));
  }
  return createPlan('permissions', drafts);
}
