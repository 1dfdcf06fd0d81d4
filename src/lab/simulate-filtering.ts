/**
 * GPO security filtering as the simulated devices see it: each GPO container's DACL and each
 * computer's token (its own SID, its primary group, every group it is a member of, nested groups
 * included, plus Authenticated Users and Everyone). A device applies a GPO only when the token may
 * read it and holds the Apply Group Policy right (laps/gpo-security-filter.ts), as the Group
 * Policy engine decides on Windows. Read once per cycle as the lab admin.
 */
import { dnKey } from '../directory/dn.js';
import { firstBinary, firstString } from '../directory/entry.js';
import type { Directory } from '../directory/types.js';
import { sidToString } from '../dtyp/sid.js';
import type { GpoPolicyData } from '../laps/effective-policy.js';
import { gpoAppliesTo } from '../laps/gpo-security-filter.js';
import { parseSecurityDescriptor, WellKnownSids, type SecurityDescriptor } from '../security/index.js';

export interface FilteringWorld {
  /** GPO {GUID} (upper-case) -> its container's descriptor (DACL). */
  gpoSds: Map<string, SecurityDescriptor>;
  /** sAMAccountName (upper-case, with $) -> the computer's token SIDs. */
  tokens: Map<string, string[]>;
}

const SD_DACL = 4;

export async function readFiltering(admin: Directory, baseDn: string, domainSid: string): Promise<FilteringWorld> {
  const gpoSds = new Map<string, SecurityDescriptor>();
  const gpos = await admin.searchAll({ base: `CN=Policies,CN=System,${baseDn}`, scope: 'one', filter: '(objectClass=groupPolicyContainer)', attributes: ['cn', 'nTSecurityDescriptor'], binaryAttributes: ['nTSecurityDescriptor'], sdFlags: SD_DACL });
  for (const g of gpos) {
    const sd = firstBinary(g, 'nTSecurityDescriptor');
    if (sd) gpoSds.set(String(firstString(g, 'cn') ?? '').toUpperCase(), parseSecurityDescriptor(sd));
  }
  const groups = new Map<string, { sid: string; memberOf: string[] }>();
  for (const g of await admin.searchAll({ base: baseDn, filter: '(objectClass=group)', attributes: ['objectSid', 'memberOf'], binaryAttributes: ['objectSid'] })) {
    const sid = firstBinary(g, 'objectSid');
    if (sid) groups.set(dnKey(g.dn), { sid: sidToString(sid), memberOf: (g.attributes['memberof'] ?? []).map(String) });
  }
  const closure = (direct: string[]): string[] => {
    const seen = new Set<string>();
    const todo = [...direct];
    while (todo.length) {
      const k = dnKey(todo.pop()!);
      if (seen.has(k)) continue;
      seen.add(k);
      todo.push(...(groups.get(k)?.memberOf ?? []));
    }
    return [...seen].map((k) => groups.get(k)?.sid).filter((s): s is string => !!s);
  };
  const tokens = new Map<string, string[]>();
  for await (const page of admin.searchPages({ base: baseDn, filter: '(objectCategory=computer)', attributes: ['sAMAccountName', 'objectSid', 'primaryGroupID', 'memberOf'], binaryAttributes: ['objectSid'] })) {
    for (const e of page) {
      const sid = firstBinary(e, 'objectSid');
      if (!sid) continue;
      const primary = firstString(e, 'primaryGroupID');
      tokens.set(String(firstString(e, 'sAMAccountName') ?? '').toUpperCase(), [
        sidToString(sid),
        ...(primary ? [`${domainSid}-${primary}`] : []),
        ...closure((e.attributes['memberof'] ?? []).map(String)),
        WellKnownSids.AUTHENTICATED_USERS,
        WellKnownSids.EVERYONE,
      ]);
    }
  }
  return { gpoSds, tokens };
}

/** The GPOs a device applies: those whose security filtering lets its token read and apply them. */
export function gposFor(world: FilteringWorld & { gpos: Map<string, GpoPolicyData> }, samAccountName: string): Map<string, GpoPolicyData> {
  const token = world.tokens.get(samAccountName.toUpperCase());
  if (!token) return world.gpos;
  const out = new Map<string, GpoPolicyData>();
  for (const [guid, data] of world.gpos) {
    const sd = world.gpoSds.get(guid);
    if (!sd || gpoAppliesTo(sd, token)) out.set(guid, data);
  }
  return out;
}
