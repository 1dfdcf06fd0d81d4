/**
 * Whether each computer of a wave may write its own Windows LAPS attributes (and read its own
 * encrypted password, needed to keep the history), from its own security descriptor as the DC
 * stores it (inherited ACEs included), evaluated with the permissions step's evaluator. Also
 * whether the central store holds LAPS.admx.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { dnKey } from '../../directory/dn.js';
import { firstBinary } from '../../directory/entry.js';
import { resolvePoliciesDir } from '../../directory/sysvol.js';
import type { Directory } from '../../directory/types.js';
import { sidToString } from '../../dtyp/sid.js';
import { parseSecurityDescriptor, type SecurityDescriptor } from '../../security/index.js';
import { selfCoverage } from '../permissions/evaluate.js';
import type { LapsGuids, SelfCoverage } from '../permissions/model.js';

const NTSD = 'nTSecurityDescriptor';
const SD_OWNER_DACL = 0x5;

/**
 * SELF coverage of every computer under `ou`, by DN key (computers whose descriptor is unreadable
 * are left out). `each` sees every parsed descriptor (the principal-read check reuses them).
 */
export async function readSelfCoverage(dir: Directory, ou: string, guids: LapsGuids, domainSid: string, each?: (dn: string, sd: SecurityDescriptor) => void): Promise<Map<string, SelfCoverage>> {
  const out = new Map<string, SelfCoverage>();
  // page by page: 10,000 descriptors are never all in memory at once
  for await (const page of dir.searchPages({ base: ou, scope: 'sub', filter: '(objectCategory=computer)', attributes: [NTSD, 'objectSid'], binaryAttributes: [NTSD, 'objectSid'], sdFlags: SD_OWNER_DACL })) {
    for (const e of page) {
      const sd = firstBinary(e, NTSD);
      const sid = firstBinary(e, 'objectSid');
      if (!sd || !sid) continue;
      const parsed = parseSecurityDescriptor(sd);
      each?.(e.dn, parsed);
      out.set(dnKey(e.dn), selfCoverage(parsed, guids, sidToString(sid), domainSid));
    }
  }
  return out;
}

/** The central store (Policies/PolicyDefinitions) and whether it has LAPS.admx; undefined without SYSVOL. */
export function centralStore(sysvol: string | undefined, dnsDomain: string): { exists: boolean; hasLapsAdmx: boolean } | undefined {
  if (!sysvol) return undefined;
  const store = join(resolvePoliciesDir(sysvol, dnsDomain), 'PolicyDefinitions');
  if (!existsSync(store)) return { exists: false, hasLapsAdmx: false };
  return { exists: true, hasLapsAdmx: readdirSync(store).some((f) => f.toLowerCase() === 'laps.admx') };
}
