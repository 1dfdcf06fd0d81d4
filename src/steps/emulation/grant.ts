/**
 * The only directory change step 4 makes: the legacy SELF permission (Set-AdmPwdComputerSelfPermission:
 * WP ms-Mcs-AdmPwd, RP+WP ms-Mcs-AdmPwdExpirationTime, inheritable to computers) on the containers
 * whose emulation-bound computers lack it. The ACEs and the descriptor edit are the permissions
 * step's own (legacySelfAces, applyEditBytes: merged, so a rerun adds nothing); each container
 * is one journaled DACL change, re-read with the same SD flags the apply engine uses, so a
 * rollback restores the DACL byte for byte.
 */
import type { Directory } from '../../directory/types.js';
import { firstBuffer } from '../../directory/entry.js';
import { createPlan, replaceDacl, type ChangeDraft, type Plan } from '../../journal/index.js';
import { dnKey, parentDn } from '../../directory/dn.js';
import { parseSecurityDescriptor, SdControl, type SecurityDescriptor } from '../../security/index.js';
import { readComputerClass, resolveLapsGuids } from '../permissions.js';
import { legacySelfAces } from '../permissions/plan-aces.js';
import { applyEditBytes } from '../permissions/plan-edit.js';
import type { DescriptorEdit } from '../permissions/plan-model.js';

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
  // read every descriptor first: a direct child of a container that gets the grant inherits it
  // (the ACEs are container-inherit) unless its DACL is protected; deeper ones are granted
  // themselves (an OU in between that is not read here might block inheritance)
  const current = new Map<string, Buffer | undefined>();
  for (const dn of g.containers) {
    const e = await dir.read(dn, [NTSD], { binaryAttributes: [NTSD], sdFlags: SD_DACL });
    current.set(dn, e ? firstBuffer(e, NTSD) : undefined);
  }
  const parsed = new Map([...current].filter((e): e is [string, Buffer] => !!e[1]).map(([dn, b]) => [dn, { bytes: b, sd: parseSecurityDescriptor(b) }]));
  const grantedParent = (dn: string, sd: SecurityDescriptor) => ((sd.control & SdControl.DACL_PROTECTED) === 0 ? [...parsed.keys()].find((other) => dnKey(other) === dnKey(parentDn(dn))) : undefined);
  const count = new Map(g.containers.map((dn) => [dn, g.computers.get(dn.toLowerCase()) ?? 0]));
  const own = [...parsed].filter(([dn, { sd }]) => {
    const parent = grantedParent(dn, sd);
    if (parent) count.set(parent, (count.get(parent) ?? 0) + (count.get(dn) ?? 0));
    return !parent;
  });
  for (const [dn, { bytes, sd }] of own) {
    const edit: DescriptorEdit = {
      dn,
      sdFlags: SD_DACL,
      reasons: [`grant SELF the legacy LAPS permission (Set-AdmPwdComputerSelfPermission) for the ${count.get(dn) ?? 0} emulation-bound computer(s) here and in the OUs below that inherit it (event 10065 otherwise)`],
      add: aces,
      remove: [],
      replace: [],
    };
    const after = applyEditBytes(sd, edit, { tierOf: () => 'admin', ...(computerClass.defaultSd ? { classDefaultSd: computerClass.defaultSd } : {}) });
    if (after) drafts.push(replaceDacl({ dn, reason: edit.reasons.join('; '), before: bytes, after, sdFlags: SD_DACL }));
  }
  return createPlan('emulation', drafts, { createdAt: g.now });
}
