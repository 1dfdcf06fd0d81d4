/**
 * GPO security filtering on the groupPolicyContainer's DACL (what GPMC's "Security Filtering"
 * and Set-GPPermission edit). A computer applies a GPO when its token may read the GPO object
 * (READ_PROPERTY) and holds the "Apply Group Policy" extended right
 * (edacfd8f-ffb3-11d1-b41d-00a0c968f939). Since MS16-072 the GPO is read in the computer's own
 * security context, so the computers that must NOT apply it still need Read: the filter takes
 * Apply away from the broad trustees (Authenticated Users, Everyone, Domain Computers) and keeps
 * their Read, then grants Read + Apply to the wave's trustees (a group, or each listed computer).
 *
 * PowerShell equivalent (GroupPolicy module), for a group wave:
 *   Set-GPPermission -Name GPO -TargetName 'Authenticated Users' -TargetType Group -PermissionLevel GpoRead -Replace
 *   Set-GPPermission -Name GPO -TargetName GROUP -TargetType Group -PermissionLevel GpoApply
 * (-TargetType Computer per computer for a computer-list wave).
 *
 * GPMC writes the two rights as (A;CI;LCRPLORC;;;SID) and (OA;CI;CR;edacfd8f-…;;SID): container
 * inherit, so the GPO's Machine and User children carry them too. The SYSVOL folder's NTFS ACL
 * needs no change: Authenticated Users keep their read there. Pure: descriptors in and out.
 */
import {
  ADS_RIGHT_DS_CONTROL_ACCESS,
  ADS_RIGHT_DS_READ_PROP,
  AceFlag,
  AceType,
  DS_GENERIC_READ,
  WellKnownSids,
  effectiveAccess,
  hasRights,
  mapGenericRights,
  mergeAce,
  type Ace,
  type Acl,
  type SecurityDescriptor,
} from '../security/index.js';

export const APPLY_GROUP_POLICY_GUID = 'edacfd8f-ffb3-11d1-b41d-00a0c968f939';
const CR = ADS_RIGHT_DS_CONTROL_ACCESS;

/** The trustees that reach every computer: the filter takes Apply away from them (never Read). */
export function broadTrustees(domainSid: string): string[] {
  return [WellKnownSids.AUTHENTICATED_USERS, WellKnownSids.EVERYONE, `${domainSid}-515`];
}

/** Whether a computer with this token applies the GPO: Read (RP) and the Apply Group Policy right. */
export function gpoAppliesTo(sd: SecurityDescriptor, token: Iterable<string>): boolean {
  const sids = new Set(token);
  const read = hasRights(effectiveAccess(sd, sids), ADS_RIGHT_DS_READ_PROP);
  const apply = hasRights(effectiveAccess(sd, sids, { controlAccessRight: APPLY_GROUP_POLICY_GUID }), CR);
  return read && apply;
}

/** The Read ACE GPMC writes (GpoRead): list, read properties, list object, read control. */
export function gpoReadAce(sid: string): Ace {
  return { type: AceType.ACCESS_ALLOWED, flags: AceFlag.CONTAINER_INHERIT, mask: DS_GENERIC_READ, sid };
}

/** The Apply Group Policy ACE GPMC writes. */
export function gpoApplyAce(sid: string): Ace {
  return { type: AceType.ACCESS_ALLOWED_OBJECT, flags: AceFlag.CONTAINER_INHERIT, mask: CR, sid, objectType: APPLY_GROUP_POLICY_GUID };
}

export interface SecurityFilterEdit {
  /** The descriptor after the edit; undefined when it already filters exactly so (a rerun). */
  after: SecurityDescriptor | undefined;
  /** What changed, one line each (for the plan text and the journal reason). */
  changes: string[];
  /** Why the filter cannot hold (an inherited ACE still grants Apply to everyone; a deny ACE keeps a trustee out). */
  problems: string[];
}

function grantsApply(a: Ace): boolean {
  if (a.type !== AceType.ACCESS_ALLOWED && a.type !== AceType.ACCESS_ALLOWED_OBJECT) return false;
  if (a.flags & AceFlag.INHERIT_ONLY) return false;
  if (a.objectType !== undefined && a.objectType !== APPLY_GROUP_POLICY_GUID) return false;
  return (mapGenericRights(a.mask) & CR) !== 0;
}

/**
 * The GPO's descriptor filtered to `trustees` (SIDs): Apply taken from the broad trustees (an
 * Apply-only object ACE is removed, a wider ACE loses its CR bit and keeps the rest), Read + Apply
 * merged for each trustee (no duplicate ACEs). When no broad trustee can read the GPO any more,
 * Authenticated Users get Read (MS16-072). Inherited ACEs are never edited.
 */
export function securityFilterEdit(sd: SecurityDescriptor, trustees: readonly string[], domainSid: string): SecurityFilterEdit {
  const broad = new Set(broadTrustees(domainSid));
  const changes: string[] = [];
  const aces: Ace[] = [];
  for (const a of sd.dacl?.aces ?? []) {
    if (a.flags & AceFlag.INHERITED || !broad.has(a.sid) || !grantsApply(a)) {
      aces.push(a);
      continue;
    }
    if (a.objectType === APPLY_GROUP_POLICY_GUID) {
      changes.push(`remove Apply Group Policy from ${a.sid}`);
      continue;
    }
    const mask = (mapGenericRights(a.mask) & ~CR) >>> 0;
    changes.push(`remove the extended rights (Apply Group Policy among them) from ${a.sid}, keep its other rights`);
    if (mask !== 0) aces.push({ ...a, mask });
  }
  let dacl: Acl = { ...(sd.dacl ?? { revision: 4, aces: [] }), aces };
  const broadRead = () => hasRights(effectiveAccess({ ...sd, dacl }, broad), ADS_RIGHT_DS_READ_PROP);
  if (!broadRead()) {
    const r = mergeAce(dacl, gpoReadAce(WellKnownSids.AUTHENTICATED_USERS));
    if (r.outcome === 'added') changes.push(`grant ${WellKnownSids.AUTHENTICATED_USERS} Read (MS16-072: every computer must read the GPO)`);
    dacl = r.acl;
  }
  for (const sid of trustees) {
    for (const [ace, what] of [
      [gpoReadAce(sid), 'Read'],
      [gpoApplyAce(sid), 'Apply Group Policy'],
    ] as const) {
      const r = mergeAce(dacl, ace);
      if (r.outcome === 'added') changes.push(`grant ${sid} ${what}`);
      dacl = r.acl;
    }
  }
  dacl = { ...dacl, revision: Math.max(dacl.revision, 4) };
  const after: SecurityDescriptor = { ...sd, dacl };
  const problems: string[] = [];
  if (gpoAppliesTo(after, broad)) problems.push('an inherited ACE (not edited here) still grants Apply Group Policy to every computer (Authenticated Users, Everyone or Domain Computers): change it on CN=Policies or in GPMC');
  for (const sid of trustees) if (!gpoAppliesTo(after, [sid, ...broad])) problems.push(`${sid} still cannot apply the GPO (a deny ACE on it?)`);
  return { after: changes.length ? after : undefined, changes, problems };
}
