/**
 * Effective rights of a token on one node of an object: the object itself, one attribute, or one
 * control access right (MS-DTYP 2.5.3.2 AccessCheck with the object type list AD builds:
 * object class -> property set -> attribute; MS-ADTS 5.1.3.3).
 *
 * An ACE counts for the node when it is not INHERIT_ONLY, its trustee is in the token, and (for
 * object ACEs) it has no ObjectType or its ObjectType is the object's class, the attribute's
 * property set (attributeSecurityGUID), the attribute, or the queried control access right.
 * ACEs are read in order and the first ACE to decide a bit wins (so a deny placed before an allow
 * takes effect, as in a canonical DACL). Generic rights are mapped to DS rights first. The owner
 * gets READ_CONTROL and WRITE_DAC implicitly, and nobody can deny them, unless the DACL has
 * OWNER RIGHTS (S-1-3-4) ACEs, which then replace them. SELF (S-1-5-10) is in the token when the
 * token holds the object's own SID. A NULL DACL grants everything.
 *
 * Callback (conditional) ACEs cannot be evaluated here: allow callbacks are counted as granting
 * and deny callbacks as not denying, both marked `conditional`, so that the answer errs towards
 * reporting access (a missed reader is worse than an extra line in a report).
 */
import { ACCESS_RIGHT_NAMES, ADS_RIGHT_READ_CONTROL, ADS_RIGHT_WRITE_DAC, mapGenericRights } from './access-mask.js';
import { AceFlag, AceType, SdControl } from './constants.js';
import type { Ace, SecurityDescriptor } from './security-descriptor.js';
import { WellKnownSids } from './well-known-sids.js';

export interface AccessTarget {
  /** schemaIDGUIDs of the object's classes (structural and auxiliary). */
  objectClassGuids?: readonly string[];
  /** Property access: the attribute's schemaIDGUID and property set (attributeSecurityGUID). */
  attribute?: { guid: string; propertySet?: string | null; name?: string };
  /** Extended right or validated write: its rightsGuid. */
  controlAccessRight?: string;
  /** The object's own SID: a token holding it acts as SELF (S-1-5-10). */
  objectSid?: string;
}

export type DecisionSource = 'ace' | 'owner' | 'null-dacl';

export interface RightDecision {
  /** The single right bit. */
  right: number;
  name: string;
  granted: boolean;
  source: DecisionSource;
  aceIndex?: number;
  ace?: Ace;
  /** Decided by a callback ACE whose condition was not evaluated. */
  conditional?: boolean;
}

export interface EffectiveAccess {
  /** Rights granted on the node (DS rights, generic bits mapped). */
  granted: number;
  /** Rights explicitly denied on the node (before any allow). */
  denied: number;
  /** One entry per decided bit, in bit order. */
  decisions: RightDecision[];
}

const NAME_OF = new Map(ACCESS_RIGHT_NAMES.map(([b, n]) => [b, n]));

function rightName(bit: number): string {
  return NAME_OF.get(bit) ?? '0x' + bit.toString(16).padStart(8, '0');
}

const ALLOW_TYPES = new Set<number>([AceType.ACCESS_ALLOWED, AceType.ACCESS_ALLOWED_OBJECT, AceType.ACCESS_ALLOWED_CALLBACK, AceType.ACCESS_ALLOWED_CALLBACK_OBJECT]);
const DENY_TYPES = new Set<number>([AceType.ACCESS_DENIED, AceType.ACCESS_DENIED_OBJECT]);
const CALLBACK_TYPES = new Set<number>([AceType.ACCESS_ALLOWED_CALLBACK, AceType.ACCESS_ALLOWED_CALLBACK_OBJECT]);

/** The GUIDs an ACE's ObjectType may name for it to apply to this target's node. */
export function targetPath(target: AccessTarget): Set<string> {
  const path = new Set<string>();
  for (const g of target.objectClassGuids ?? []) path.add(g.toLowerCase());
  if (target.attribute) {
    path.add(target.attribute.guid.toLowerCase());
    if (target.attribute.propertySet) path.add(target.attribute.propertySet.toLowerCase());
  }
  if (target.controlAccessRight) path.add(target.controlAccessRight.toLowerCase());
  return path;
}

/** True when the ACE (ignoring its trustee) applies to the target's node. */
export function aceAppliesTo(ace: Ace, path: ReadonlySet<string>): boolean {
  if (ace.flags & AceFlag.INHERIT_ONLY) return false;
  if (!ALLOW_TYPES.has(ace.type) && !DENY_TYPES.has(ace.type)) return false;
  return ace.objectType === undefined || path.has(ace.objectType);
}

export function isAllowAce(ace: Ace): boolean {
  return ALLOW_TYPES.has(ace.type);
}

export function isDenyAce(ace: Ace): boolean {
  return DENY_TYPES.has(ace.type);
}

/** Effective rights of `tokenSids` (a principal's SID and all its group SIDs) on the target. */
export function effectiveAccess(sd: SecurityDescriptor, tokenSids: Iterable<string> | ReadonlySet<string>, target: AccessTarget = {}): EffectiveAccess {
  const given: ReadonlySet<string> = tokenSids instanceof Set ? tokenSids : new Set(tokenSids);
  const asSelf = target.objectSid !== undefined && given.has(target.objectSid);
  let asOwnerRights = false;
  const inToken = (sid: string): boolean =>
    given.has(sid) || (asSelf && sid === WellKnownSids.SELF) || (asOwnerRights && sid === WellKnownSids.OWNER_RIGHTS);
  const decisions: RightDecision[] = [];
  let granted = 0;
  let denied = 0;
  let decided = 0;
  const decide = (bits: number, allow: boolean, source: DecisionSource, ace?: Ace, aceIndex?: number, conditional?: boolean): void => {
    let rest = bits >>> 0;
    while (rest !== 0) {
      const bit = (rest & -rest) >>> 0;
      rest = (rest & ~bit) >>> 0;
      const d: RightDecision = { right: bit, name: rightName(bit), granted: allow, source };
      if (ace) {
        d.ace = ace;
        d.aceIndex = aceIndex!;
      }
      if (conditional) d.conditional = true;
      decisions.push(d);
    }
    if (allow) granted = (granted | bits) >>> 0;
    else denied = (denied | bits) >>> 0;
    decided = (decided | bits) >>> 0;
  };

  const dacl = sd.dacl;
  if (dacl === null) {
    // No DACL (or a NULL DACL): no protection at all.
    decide(0xffffffff, true, 'null-dacl');
    return { granted, denied, decisions: sortDecisions(decisions) };
  }
  const isOwner = sd.owner !== undefined && inToken(sd.owner);
  if (isOwner) {
    const ownerRightsAces = dacl.aces.some((a) => a.sid === WellKnownSids.OWNER_RIGHTS && !(a.flags & AceFlag.INHERIT_ONLY));
    if (ownerRightsAces) asOwnerRights = true;
    else decide(ADS_RIGHT_READ_CONTROL | ADS_RIGHT_WRITE_DAC, true, 'owner');
  }
  const path = targetPath(target);
  const aces = dacl.aces;
  for (let i = 0; i < aces.length && decided !== 0xffffffff; i++) {
    const ace = aces[i]!;
    if (!inToken(ace.sid) || !aceAppliesTo(ace, path)) continue;
    const fresh = (mapGenericRights(ace.mask) & ~decided) >>> 0;
    if (fresh === 0) continue;
    decide(fresh, ALLOW_TYPES.has(ace.type), 'ace', ace, i, CALLBACK_TYPES.has(ace.type));
  }
  return { granted, denied, decisions: sortDecisions(decisions) };
}

function sortDecisions(d: RightDecision[]): RightDecision[] {
  return d.sort((a, b) => a.right - b.right);
}

/** Whether every bit of `rights` is granted. */
export function hasRights(access: EffectiveAccess, rights: number): boolean {
  return ((access.granted & rights) >>> 0) === rights >>> 0;
}

/** The DACL is protected from inheritance. */
export function isDaclProtected(sd: SecurityDescriptor): boolean {
  return (sd.control & SdControl.DACL_PROTECTED) !== 0;
}
