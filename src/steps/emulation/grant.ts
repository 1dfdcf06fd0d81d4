/**
 * The only directory change step 4 makes: the legacy SELF permission (Set-AdmPwdComputerSelfPermission:
 * WP ms-Mcs-AdmPwd, RP+WP ms-Mcs-AdmPwdExpirationTime, inheritable to computers) on the containers
 * whose emulation-bound computers lack it. The ACEs and the descriptor edit are the permissions
 * step's own (legacySelfAces, applyEditBytes: merged, so a rerun adds nothing); each container
 * is one journaled DACL change, re-read with the same SD flags the apply engine uses, so a
 * rollback restores the DACL byte for byte.
 */
import type { Directory } from '../../directory/types.js';
import { firstBuffer } from '../../directory/types.js';
import { createPlan, replaceDacl, type ChangeDraft, type Plan } from '../../journal/index.js';
import { parseSecurityDescriptor } from '../../security/index.js';
import { readComputerClass, resolveLapsGuids } from '../permissions.js';
import { applyEditBytes, legacySelfAces, type DescriptorEdit } from '../permissions-plan.js';

const NTSD = 'nTSecurityDescriptor';
const SD_DACL = 4;

export interface GrantInput {
  /** Containers (DNs) that get the legacy SELF permission. */
  containers: string[];
  domainSid: string;
  now: Date;
  /** Number of computers in each container the grant is for (DN lower-case -> count), for the reason text. */
  computers: Map<string, number>;
}

export async function planLegacySelfGrants(dir: Directory, g: GrantInput): Promise<Plan> {
  if (!g.containers.length) return createPlan('emulation', [], { createdAt: g.now });
  const root = await dir.rootDse();
  const computerClass = await readComputerClass(dir, root.schemaNamingContext, g.domainSid);
  const { guids } = await resolveLapsGuids(dir, root.schemaNamingContext, root.configurationNamingContext, computerClass.guid);
  const aces = legacySelfAces(guids);
  const drafts: ChangeDraft[] = [];
  if (!aces.length) return createPlan('emulation', [], { createdAt: g.now });
  for (const dn of g.containers) {
    const n = g.computers.get(dn.toLowerCase()) ?? 0;
    const edit: DescriptorEdit = {
      dn,
      sdFlags: SD_DACL,
      reasons: [`grant SELF the legacy LAPS permission (Set-AdmPwdComputerSelfPermission) for the ${n} emulation-bound computer(s) here (event 10065 otherwise)`],
      add: aces,
      remove: [],
      replace: [],
    };
    const e = await dir.read(dn, [NTSD], { binaryAttributes: [NTSD], sdFlags: SD_DACL });
    const before = e ? firstBuffer(e, NTSD) : undefined;
    if (!before) continue;
    const after = applyEditBytes(parseSecurityDescriptor(before), edit, { tierOf: () => 'admin', ...(computerClass.defaultSd ? { classDefaultSd: computerClass.defaultSd } : {}) });
    if (after) drafts.push(replaceDacl({ dn, reason: edit.reasons.join('; '), before, after, sdFlags: SD_DACL }));
  }
  return createPlan('emulation', drafts, { createdAt: g.now });
}
