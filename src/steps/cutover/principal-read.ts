/**
 * Whether the encryption principal may read what it will be able to decrypt (issue 17 preflight,
 * the delegation Set-LapsADReadPasswordPermission makes): msLAPS-EncryptedPassword and, with a
 * history, msLAPS-EncryptedPasswordHistory, on each computer of the wave, evaluated on the
 * computer's own descriptor (inherited ACEs included) for the principal's token (its SID, every
 * group it is in, nested ones included, Everyone and Authenticated Users) with the permissions
 * step's evaluator (trusteeAccess: RP + CONTROL_ACCESS, the attributes being confidential).
 * The permissions step only reports this after the fact (ENCRYPTION_PRINCIPAL_CANNOT_READ, from
 * existing blobs) and never plans it, so the cutover warns before the first blob is written.
 * Without the read, members of the principal could decrypt the passwords but never fetch them.
 */
import { dnKey, parentDn } from '../../directory/dn.js';
import { escapeFilterValue, firstString } from '../../directory/entry.js';
import type { Directory } from '../../directory/types.js';
import { sidToString } from '../../dtyp/sid.js';
import { READ_CONFIDENTIAL, trusteeAccess, type SecurityDescriptor } from '../../security/index.js';
import type { Finding } from '../../model/step-result.js';
import { IMPLICIT_GROUPS } from '../permissions/principals.js';
import type { LapsGuids } from '../permissions/model.js';
import { IN_CHAIN } from './wave-members.js';

/** The principal's token: its SID and the SIDs of every group it is in (transitively). */
export async function principalToken(dir: Directory, domainDn: string, sid: string): Promise<string[]> {
  const self = await dir.searchAll({ base: domainDn, scope: 'sub', filter: `(objectSid=${escapeFilterValue(sid)})`, attributes: ['distinguishedName'] });
  const dn = self[0] ? (firstString(self[0], 'distinguishedName') ?? self[0].dn) : undefined;
  if (!dn) return [sid, ...IMPLICIT_GROUPS];
  const groups = await dir.searchAll({ base: domainDn, scope: 'sub', filter: `(&(objectCategory=group)(member:${IN_CHAIN}:=${escapeFilterValue(dn)}))`, attributes: ['objectSid'], binaryAttributes: ['objectSid'] });
  const sids = groups.map((g) => g.attributes['objectsid']?.[0]).filter((b): b is Buffer => Buffer.isBuffer(b)).map((b) => sidToString(b));
  return [sid, ...sids, ...IMPLICIT_GROUPS];
}

export interface ReadGap {
  /** The container holding the computers (their parent). */
  container: string;
  computers: number;
  /** The attributes the principal may not read there. */
  missing: string[];
}

/** Pure: where the principal's token may not read the encrypted password (and history) attributes. */
export function principalReadGaps(computers: ReadonlyArray<{ dn: string; sd: SecurityDescriptor }>, g: LapsGuids, token: readonly string[], history: boolean): ReadGap[] {
  const attrs = [g.attributes.encryptedPassword, ...(history ? [g.attributes.encryptedPasswordHistory] : [])].filter((a): a is NonNullable<typeof a> => !!a);
  const gaps = new Map<string, ReadGap>();
  // computers with the same descriptor bytes share one parsed descriptor (read-self.ts), and the
  // answer depends on the descriptor and the token only: evaluated once per descriptor
  const seen = new Map<SecurityDescriptor, string[]>();
  for (const c of computers) {
    let missing = seen.get(c.sd);
    if (!missing) {
      missing = attrs.filter((a) => !trusteeAccess(c.sd, token, { objectClassGuids: [g.computerClass], attribute: { guid: a.guid, propertySet: a.propertySet ?? null, name: a.name } }, READ_CONFIDENTIAL).effective).map((a) => a.name);
      seen.set(c.sd, missing);
    }
    if (!missing.length) continue;
    const container = parentDn(c.dn);
    const gap = gaps.get(dnKey(container)) ?? { container, computers: 0, missing: [] };
    gap.computers++;
    for (const m of missing) if (!gap.missing.includes(m)) gap.missing.push(m);
    gaps.set(dnKey(container), gap);
  }
  return [...gaps.values()];
}

export function principalReadFindings(wave: string, principal: string, gaps: readonly ReadGap[]): Finding[] {
  return gaps.map((gap) => ({
    code: 'CUTOVER_PRINCIPAL_CANNOT_READ',
    severity: 'warning' as const,
    object: gap.container,
    count: gap.computers,
    message: `wave ${wave}: the encryption principal ${principal} may not read ${gap.missing.join(' and ')} on ${gap.computers} computer(s) in ${gap.container}: its members could decrypt the passwords but not fetch them.`,
    advice: `Delegate the read (Set-LapsADReadPasswordPermission -Identity '${gap.container}' -AllowedPrincipals '${principal}'), or choose a principal that already reads there.`,
  }));
}
