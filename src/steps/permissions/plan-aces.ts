/**
 * The ACEs the permissions plan writes: SELF for both LAPS families (inheritable to computers),
 * legacy ACEs mirrored onto the Windows LAPS attributes, and the All Extended Rights test.
 */
import { ADS_RIGHT_DS_CONTROL_ACCESS, ADS_RIGHT_DS_READ_PROP, ADS_RIGHT_DS_WRITE_PROP, AceFlag, AceType, aceEquals, isFullControl, mapGenericRights, WellKnownSids, type Ace } from '../../security/index.js';
import type { LapsGuids } from './model.js';
import type { MirrorRow } from './plan-model.js';

const RP = ADS_RIGHT_DS_READ_PROP;
const WP = ADS_RIGHT_DS_WRITE_PROP;
export const CR = ADS_RIGHT_DS_CONTROL_ACCESS;
const CIIO = AceFlag.CONTAINER_INHERIT | AceFlag.INHERIT_ONLY;

function objectAce(type: number, flags: number, mask: number, sid: string, objectType: string, inheritedObjectType: string | undefined): Ace {
  return { type, flags, mask, sid, objectType, ...(inheritedObjectType ? { inheritedObjectType } : {}) };
}

/** The inheritable SELF ACEs Set-LapsADComputerSelfPermission stands for (LAB-NOTES). */
export function windowsSelfAces(g: LapsGuids): Ace[] {
  const C = g.computerClass;
  const out: Ace[] = [];
  const ps = g.propertySet;
  const A = AceType.ACCESS_ALLOWED_OBJECT;
  if (ps) {
    out.push(objectAce(A, CIIO, RP | WP, WellKnownSids.SELF, ps, C));
    out.push(objectAce(A, CIIO, CR, WellKnownSids.SELF, ps, C));
  }
  if (g.attributes.password) out.push(objectAce(A, CIIO, WP, WellKnownSids.SELF, g.attributes.password.guid, C));
  if (g.attributes.expiration) out.push(objectAce(A, CIIO, RP | WP, WellKnownSids.SELF, g.attributes.expiration.guid, C));
  return out;
}

/** Set-AdmPwdComputerSelfPermission: WP ms-Mcs-AdmPwd, RP+WP ms-Mcs-AdmPwdExpirationTime. */
export function legacySelfAces(g: LapsGuids): Ace[] {
  const C = g.computerClass;
  const A = AceType.ACCESS_ALLOWED_OBJECT;
  const out: Ace[] = [];
  if (g.attributes.legacyPassword) out.push(objectAce(A, CIIO, WP, WellKnownSids.SELF, g.attributes.legacyPassword.guid, C));
  if (g.attributes.legacyExpiration) out.push(objectAce(A, CIIO, RP | WP, WellKnownSids.SELF, g.attributes.legacyExpiration.guid, C));
  return out;
}

const MIRRORABLE_TYPES = new Set<number>([AceType.ACCESS_ALLOWED_OBJECT, AceType.ACCESS_DENIED_OBJECT]);

/** The Windows LAPS ACEs a legacy ACE stands for (none when it does not name a legacy attribute). */
export function mirrorAce(ace: Ace, g: LapsGuids): Ace[] {
  if (!MIRRORABLE_TYPES.has(ace.type) || ace.flags & AceFlag.INHERITED || !ace.objectType || ace.sid === WellKnownSids.SELF) return [];
  const mask = mapGenericRights(ace.mask) & (RP | WP | CR);
  if (mask === 0) return [];
  const flags = ace.flags & ~AceFlag.INHERITED;
  const make = (objectType: string) => objectAce(ace.type, flags, mask, ace.sid, objectType, ace.inheritedObjectType);
  const a = g.attributes;
  if (a.legacyPassword && ace.objectType === a.legacyPassword.guid) {
    const out: Ace[] = [];
    if (a.password) out.push(make(a.password.guid));
    if (g.propertySet) out.push(make(g.propertySet));
    return out;
  }
  if (a.legacyExpiration && ace.objectType === a.legacyExpiration.guid && a.expiration) return [make(a.expiration.guid)];
  return [];
}

export function mirrorKinds(ace: Ace, g: LapsGuids): Array<MirrorRow['kinds'][number]> {
  if (ace.type === AceType.ACCESS_DENIED_OBJECT) return ['deny'];
  const m = mapGenericRights(ace.mask);
  const kinds: Array<MirrorRow['kinds'][number]> = [];
  if (ace.objectType === g.attributes.legacyPassword?.guid && m & CR) kinds.push('read');
  if (ace.objectType === g.attributes.legacyExpiration?.guid && m & WP) kinds.push('reset');
  if (ace.objectType === g.attributes.legacyExpiration?.guid && m & RP && !(m & WP)) kinds.push('read');
  return kinds.length ? kinds : ['other'];
}

/** Merges ACEs that differ only in their mask (e.g. RP and RPWP on the same attribute). */
export function combineMasks(aces: Ace[]): Ace[] {
  const out: Ace[] = [];
  for (const a of aces) {
    const same = out.find((b) => aceEquals({ ...b, mask: 0 }, { ...a, mask: 0 }));
    if (same) same.mask = (same.mask | a.mask) >>> 0;
    else out.push({ ...a });
  }
  return out;
}

/** An "All Extended Rights" allow ACE that reaches computer objects below the container. */
export function allExtendedRightsAce(ace: Ace, computerClass: string): boolean {
  if (ace.type !== AceType.ACCESS_ALLOWED && ace.type !== AceType.ACCESS_ALLOWED_OBJECT) return false;
  if (ace.flags & AceFlag.INHERITED || ace.objectType) return false;
  if (!(mapGenericRights(ace.mask) & CR) || isFullControl(ace.mask)) return false;
  if (!(ace.flags & AceFlag.CONTAINER_INHERIT)) return false;
  return !ace.inheritedObjectType || ace.inheritedObjectType === computerClass;
}
