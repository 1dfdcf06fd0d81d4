/**
 * The legacy delegations cleanup removes (pure): explicit allow ACEs on a container that name
 * ms-Mcs-AdmPwd or ms-Mcs-AdmPwdExpirationTime as their object type: SELF's write permission
 * (Set-AdmPwdComputerSelfPermission), read (CONTROL_ACCESS / READ_PROPERTY, Set-AdmPwdReadPasswordPermission)
 * and reset (WRITE_PROPERTY on the expiration time, Set-AdmPwdResetPasswordPermission). Deny
 * ACEs are kept (removing one could only widen access), inherited ACEs belong to the parent,
 * ACEs without an object type (full control, all properties) are not legacy delegations.
 */
import { ADS_RIGHT_DS_CONTROL_ACCESS, ADS_RIGHT_DS_READ_PROP, ADS_RIGHT_DS_WRITE_PROP, AceFlag, AceType, mapGenericRights, removeAce, serializeSecurityDescriptor, WellKnownSids, type Ace, type SecurityDescriptor } from '../../security/index.js';

export interface LegacyAttributeGuids {
  password?: string | undefined;
  expiration?: string | undefined;
}

export type DelegationKind = 'self' | 'read' | 'reset' | 'other';

export function isLegacyDelegation(ace: Ace, g: LegacyAttributeGuids): boolean {
  if (ace.type !== AceType.ACCESS_ALLOWED_OBJECT || ace.flags & AceFlag.INHERITED || !ace.objectType) return false;
  const t = ace.objectType.toLowerCase();
  return t === g.password?.toLowerCase() || t === g.expiration?.toLowerCase();
}

export function delegationKind(ace: Ace, g: LegacyAttributeGuids): DelegationKind {
  if (ace.sid === WellKnownSids.SELF) return 'self';
  const m = mapGenericRights(ace.mask);
  const t = ace.objectType?.toLowerCase();
  if (t === g.expiration?.toLowerCase() && m & ADS_RIGHT_DS_WRITE_PROP) return 'reset';
  if (m & (ADS_RIGHT_DS_CONTROL_ACCESS | ADS_RIGHT_DS_READ_PROP)) return 'read';
  return 'other';
}

/** The legacy delegation ACEs of a descriptor's DACL. */
export function legacyDelegations(sd: SecurityDescriptor, g: LegacyAttributeGuids): Ace[] {
  return (sd.dacl?.aces ?? []).filter((a) => isLegacyDelegation(a, g));
}

/** The descriptor without its legacy delegations (bytes), or undefined when it has none (a rerun). */
export function withoutLegacyDelegations(sd: SecurityDescriptor, g: LegacyAttributeGuids): Buffer | undefined {
  if (!sd.dacl) return undefined;
  const r = removeAce(sd.dacl, (a) => isLegacyDelegation(a, g));
  if (r.removed === 0) return undefined;
  return serializeSecurityDescriptor({ ...sd, dacl: r.acl });
}
