/**
 * What a child object inherits (MS-DTYP 2.5.3.4.2 ComputeInheritedACLfromParent, as Active
 * Directory and Samba apply it: every directory object is a container).
 *
 * For each ACE of the parent's DACL:
 * - CONTAINER_INHERIT: applies to the child, unless it is an object ACE whose
 *   InheritedObjectType is not one of the child's classes (structural + auxiliary; AD does not
 *   match superclasses); then it is kept as INHERIT_ONLY for the grandchildren;
 * - OBJECT_INHERIT only: kept as INHERIT_ONLY (directory objects are containers);
 * - NO_PROPAGATE_INHERIT: applies to the child only (inheritance flags cleared) or is dropped;
 * - generic rights and CREATOR OWNER / CREATOR GROUP are expanded into an effective copy (mapped
 *   rights, owner/group SID, no inheritance flags, InheritedObjectType dropped) and the original
 *   is kept as INHERIT_ONLY;
 * every inherited ACE gets INHERITED_ACE. A protected DACL (SE_DACL_PROTECTED) inherits nothing.
 */
import { mapGenericRights, hasGenericRights } from './access-mask.js';
import { AceFlag, AceType, isObjectAceType, ObjectAceFlag, SdControl } from './constants.js';
import type { Ace, Acl, SecurityDescriptor } from './security-descriptor.js';
import { WellKnownSids } from './well-known-sids.js';

export interface InheritingChild {
  /** schemaIDGUIDs of the child's structural class and auxiliary classes. */
  classGuids: readonly string[];
  /** Owner and group of the child: CREATOR OWNER / CREATOR GROUP ACEs are expanded to these.
   *  Without them the expanded copies keep S-1-3-0 / S-1-3-1. */
  owner?: string;
  group?: string;
  /** Directory objects are containers (default true). */
  isContainer?: boolean;
}

const OBJECT_TO_PLAIN: Readonly<Record<number, number>> = {
  [AceType.ACCESS_ALLOWED_OBJECT]: AceType.ACCESS_ALLOWED,
  [AceType.ACCESS_DENIED_OBJECT]: AceType.ACCESS_DENIED,
  [AceType.SYSTEM_AUDIT_OBJECT]: AceType.SYSTEM_AUDIT,
  [AceType.SYSTEM_ALARM_OBJECT]: AceType.SYSTEM_ALARM,
  [AceType.ACCESS_ALLOWED_CALLBACK_OBJECT]: AceType.ACCESS_ALLOWED_CALLBACK,
  [AceType.ACCESS_DENIED_CALLBACK_OBJECT]: AceType.ACCESS_DENIED_CALLBACK,
  [AceType.SYSTEM_AUDIT_CALLBACK_OBJECT]: AceType.SYSTEM_AUDIT_CALLBACK,
};

function needsExpansion(ace: Ace): boolean {
  return hasGenericRights(ace.mask) || ace.sid === WellKnownSids.CREATOR_OWNER || ace.sid === WellKnownSids.CREATOR_GROUP;
}

/** The effective copy of an inheritable ACE on the child. */
function expand(ace: Ace, child: InheritingChild): Ace {
  // Audit flags are kept (Windows does; Samba 4.17 clears them, which only matters for SACLs).
  const out: Ace = { ...ace, mask: mapGenericRights(ace.mask), flags: AceFlag.INHERITED | (ace.flags & (AceFlag.SUCCESSFUL_ACCESS | AceFlag.FAILED_ACCESS)) };
  if (ace.sid === WellKnownSids.CREATOR_OWNER && child.owner) out.sid = child.owner;
  if (ace.sid === WellKnownSids.CREATOR_GROUP && child.group) out.sid = child.group;
  if (isObjectAceType(ace.type)) {
    delete out.inheritedObjectType;
    out.objectFlags = (ace.objectFlags ?? 0) & ~ObjectAceFlag.INHERITED_OBJECT_TYPE_PRESENT;
    if (!ace.objectType) {
      out.type = OBJECT_TO_PLAIN[ace.type] ?? ace.type;
      delete out.objectFlags;
      delete out.objectType;
    }
  }
  return out;
}

/** The inherited ACEs a child gets from its parent's DACL (or SACL). */
export function inheritFromParent(parentAcl: Acl | null, child: InheritingChild): Ace[] {
  if (!parentAcl) return [];
  const isContainer = child.isContainer ?? true;
  const classes = new Set(child.classGuids.map((g) => g.toLowerCase()));
  const out: Ace[] = [];
  for (const ace of parentAcl.aces) {
    if (ace.opaque !== undefined) continue;
    let applies = isContainer ? (ace.flags & AceFlag.CONTAINER_INHERIT) !== 0 : (ace.flags & AceFlag.OBJECT_INHERIT) !== 0;
    if (!applies && (ace.flags & AceFlag.OBJECT_INHERIT) === 0) continue;
    if (isObjectAceType(ace.type) && ace.inheritedObjectType && !classes.has(ace.inheritedObjectType)) applies = false;
    if (ace.flags & AceFlag.NO_PROPAGATE_INHERIT) {
      if (applies) out.push(expand(ace, child));
      continue;
    }
    if (applies && needsExpansion(ace)) {
      out.push(expand(ace, child));
      out.push({ ...ace, flags: ace.flags | AceFlag.INHERITED | AceFlag.INHERIT_ONLY });
    } else if (applies) {
      out.push({ ...ace, flags: (ace.flags | AceFlag.INHERITED) & ~AceFlag.INHERIT_ONLY });
    } else {
      out.push({ ...ace, flags: ace.flags | AceFlag.INHERITED | AceFlag.INHERIT_ONLY });
    }
  }
  return out;
}

export interface InheritanceLevel {
  /** The descriptor of this container (only control and dacl are used). */
  sd: Pick<SecurityDescriptor, 'control' | 'dacl'>;
  /** Its classes: needed to compute what it inherits from the level above. */
  classGuids?: readonly string[];
}

/**
 * The DACL a level ends up with: its explicit ACEs, then (unless protected) what it inherits
 * from the parent's effective DACL.
 */
export function effectiveDaclOf(explicit: readonly Ace[], parentDacl: Acl | null, level: InheritingChild & { protected?: boolean; revision?: number }): Acl {
  const aces = explicit.filter((a) => (a.flags & AceFlag.INHERITED) === 0);
  const inherited = level.protected ? [] : inheritFromParent(parentDacl, level);
  return { revision: level.revision ?? 4, aces: [...aces, ...inherited] };
}

/**
 * What a child of the last level inherits, recomputing the chain from the top: level 0's DACL is
 * taken as stored; every lower level keeps its explicit ACEs and inherits from the one above,
 * unless its DACL is protected. Use it for "what would computers under this OU get if we change
 * that ACE higher up", where the stored DACLs below no longer tell.
 */
export function inheritedDacl(chain: readonly InheritanceLevel[], child: InheritingChild): Ace[] {
  let parent: Acl | null = null;
  chain.forEach((level, i) => {
    if (i === 0) {
      parent = level.sd.dacl;
      return;
    }
    const explicit = level.sd.dacl?.aces ?? [];
    parent = effectiveDaclOf(explicit, parent, {
      classGuids: level.classGuids ?? [],
      protected: (level.sd.control & SdControl.DACL_PROTECTED) !== 0,
      revision: level.sd.dacl?.revision ?? 4,
    });
  });
  return inheritFromParent(parent, child);
}
