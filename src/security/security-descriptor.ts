/**
 * The plain-object model of a self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6). SIDs are
 * strings ("S-1-5-32-544"), GUIDs are lower-case strings in the usual text form; everything the
 * engine does not interpret is kept as bytes, so that parse -> serialize gives back the same bytes.
 */

export interface Ace {
  /** AceType (see AceType). */
  type: number;
  /** AceFlags (see AceFlag). */
  flags: number;
  /** Access mask; 0 for opaque ACEs. */
  mask: number;
  /** Trustee SID; '' for opaque ACEs. */
  sid: string;
  /** Object ACEs only: the raw Flags field (normally derived from the two GUIDs below; unknown
   *  bits are kept). */
  objectFlags?: number;
  /** Object ACEs only: ObjectType GUID (property, property set, extended right, child class). */
  objectType?: string;
  /** Object ACEs only: InheritedObjectType GUID (the class of objects that inherit the ACE). */
  inheritedObjectType?: string;
  /** Bytes after the SID: application data of callback/resource ACEs, padding of the others. */
  applicationData?: Uint8Array;
  /** ACE types this engine does not know: the whole body after the 4-byte header, untouched. */
  opaque?: Uint8Array;
}

export interface Acl {
  /** AclRevision: 2 (ACL_REVISION) or 4 (ACL_REVISION_DS, needed for object ACEs). */
  revision: number;
  aces: Ace[];
  /** Reserved fields, kept for byte-identical output (0 in every descriptor seen so far). */
  sbz1?: number;
  sbz2?: number;
  /** Bytes inside AclSize after the last ACE. */
  trailing?: Uint8Array;
}

export type SdPart = 'owner' | 'group' | 'sacl' | 'dacl';

/** Where the parts were found, so that re-serialising reproduces the original byte layout. */
export interface SdLayout {
  /** Order of the parts in the buffer (Samba writes owner, group, SACL, DACL; Windows SACL, DACL,
   *  owner, group). */
  order: SdPart[];
  /** Unreferenced bytes found just before a part. */
  gapBefore?: Partial<Record<SdPart, Uint8Array>>;
  /** Unreferenced bytes after the last part. */
  trailing?: Uint8Array;
}

export interface SecurityDescriptor {
  /** Revision; always 1. */
  revision: number;
  /** Sbz1 (resource manager control bits), kept as found. */
  sbz1: number;
  /** Control bits (see SdControl), kept exactly as found. */
  control: number;
  owner?: string;
  group?: string;
  /** null: no SACL in the bytes (offset 0). */
  sacl: Acl | null;
  /** null: no DACL in the bytes (offset 0); with DACL_PRESENT that is a NULL DACL (no protection). */
  dacl: Acl | null;
  layout?: SdLayout;
}
