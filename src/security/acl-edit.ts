/**
 * Editing DACLs in canonical order (explicit deny, explicit allow, then inherited ACEs in the
 * order they came), without ever reordering the ACEs already there. Every function returns a new
 * ACL; the input is not modified. mergeAce is idempotent: merging an ACE that is already present
 * (or covered by a present ACE with a superset mask) changes nothing, so delegations can be
 * re-applied safely.
 */
import { AceFlag, AceType } from './constants.js';
import type { Ace, Acl } from './security-descriptor.js';

function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || a.length === 0) return b === undefined || b.length === 0;
  if (b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same type, flags, mask, trustee, object GUIDs and data. */
export function aceEquals(a: Ace, b: Ace): boolean {
  return (
    a.type === b.type &&
    a.flags === b.flags &&
    a.mask >>> 0 === b.mask >>> 0 &&
    a.sid === b.sid &&
    (a.objectType ?? '') === (b.objectType ?? '') &&
    (a.inheritedObjectType ?? '') === (b.inheritedObjectType ?? '') &&
    bytesEqual(a.applicationData, b.applicationData) &&
    bytesEqual(a.opaque, b.opaque)
  );
}

export function isInherited(ace: Ace): boolean {
  return (ace.flags & AceFlag.INHERITED) !== 0;
}

function isDeny(ace: Ace): boolean {
  return ace.type === AceType.ACCESS_DENIED || ace.type === AceType.ACCESS_DENIED_OBJECT || ace.type === AceType.ACCESS_DENIED_CALLBACK || ace.type === AceType.ACCESS_DENIED_CALLBACK_OBJECT;
}

/** 0 explicit deny, 1 other explicit, 2 inherited. */
export function canonicalRank(ace: Ace): number {
  if (isInherited(ace)) return 2;
  return isDeny(ace) ? 0 : 1;
}

/** True when no ACE ranks below one before it (deny before allow, explicit before inherited). */
export function isCanonical(acl: Acl | null): boolean {
  if (!acl) return true;
  let prev = 0;
  for (const ace of acl.aces) {
    const r = canonicalRank(ace);
    if (r < prev) return false;
    prev = r;
  }
  return true;
}

/** Index at which `ace` goes: before the first ACE of a higher rank (at the end of its group). */
export function canonicalInsertIndex(acl: Acl, ace: Ace): number {
  const rank = canonicalRank(ace);
  if (rank === 2) return acl.aces.length;
  const i = acl.aces.findIndex((a) => canonicalRank(a) > rank);
  return i < 0 ? acl.aces.length : i;
}

/** Inserts `ace` at its canonical place. */
export function addAce(acl: Acl, ace: Ace): Acl {
  const i = canonicalInsertIndex(acl, ace);
  const aces = acl.aces.slice();
  aces.splice(i, 0, ace);
  return { ...acl, aces };
}

export type MergeOutcome = 'added' | 'present' | 'covered';

/** An explicit ACE identical to `ace` except for a mask that contains all of `ace`'s bits. */
export function findCoveringAce(acl: Acl, ace: Ace): number {
  return acl.aces.findIndex(
    (a) =>
      !isInherited(a) &&
      aceEquals({ ...a, mask: 0 }, { ...ace, mask: 0 }) &&
      ((a.mask & ace.mask) >>> 0) === ace.mask >>> 0,
  );
}

/**
 * Adds `ace` unless the ACL already grants exactly it (or a superset of its mask with the same
 * trustee, type, flags and object GUIDs). Deny ACEs are only "present" when identical.
 */
export function mergeAce(acl: Acl, ace: Ace): { acl: Acl; outcome: MergeOutcome } {
  if (acl.aces.some((a) => aceEquals(a, ace))) return { acl, outcome: 'present' };
  if (!isDeny(ace) && findCoveringAce(acl, ace) >= 0) return { acl, outcome: 'covered' };
  return { acl: addAce(acl, ace), outcome: 'added' };
}

/**
 * Removes the explicit ACEs equal to `ace` (or matching a predicate). Inherited ACEs are never
 * removed: they come back from the parent; change the parent instead.
 */
export function removeAce(acl: Acl, match: Ace | ((ace: Ace, index: number) => boolean)): { acl: Acl; removed: number } {
  const test = typeof match === 'function' ? match : (a: Ace) => aceEquals(a, match);
  const aces = acl.aces.filter((a, i) => isInherited(a) || !test(a, i));
  return { acl: aces.length === acl.aces.length ? acl : { ...acl, aces }, removed: acl.aces.length - aces.length };
}
