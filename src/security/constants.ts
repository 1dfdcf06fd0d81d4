/**
 * Numeric constants of MS-DTYP 2.4.4 (ACE types and flags), 2.4.6 (security descriptor control
 * bits) and the object ACE flags of 2.4.4.3.
 */

export const AceType = {
  ACCESS_ALLOWED: 0x00,
  ACCESS_DENIED: 0x01,
  SYSTEM_AUDIT: 0x02,
  SYSTEM_ALARM: 0x03,
  ACCESS_ALLOWED_COMPOUND: 0x04,
  ACCESS_ALLOWED_OBJECT: 0x05,
  ACCESS_DENIED_OBJECT: 0x06,
  SYSTEM_AUDIT_OBJECT: 0x07,
  SYSTEM_ALARM_OBJECT: 0x08,
  ACCESS_ALLOWED_CALLBACK: 0x09,
  ACCESS_DENIED_CALLBACK: 0x0a,
  ACCESS_ALLOWED_CALLBACK_OBJECT: 0x0b,
  ACCESS_DENIED_CALLBACK_OBJECT: 0x0c,
  SYSTEM_AUDIT_CALLBACK: 0x0d,
  SYSTEM_ALARM_CALLBACK: 0x0e,
  SYSTEM_AUDIT_CALLBACK_OBJECT: 0x0f,
  SYSTEM_ALARM_CALLBACK_OBJECT: 0x10,
  SYSTEM_MANDATORY_LABEL: 0x11,
  SYSTEM_RESOURCE_ATTRIBUTE: 0x12,
  SYSTEM_SCOPED_POLICY_ID: 0x13,
} as const;

export const AceTypeName: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(AceType).map(([k, v]) => [v, k]),
);

/** How the body of each ACE type is laid out (MS-DTYP 2.4.4.2 - 2.4.4.17). */
export type AceLayout = 'basic' | 'object' | 'opaque';

/** Types whose body is Mask + SID (+ application data after the SID for callback types). */
const BASIC_TYPES = new Set<number>([0x00, 0x01, 0x02, 0x03, 0x09, 0x0a, 0x0d, 0x0e, 0x11, 0x12, 0x13]);
/** Types whose body is Mask + Flags + [ObjectType] + [InheritedObjectType] + SID (+ data). */
const OBJECT_TYPES = new Set<number>([0x05, 0x06, 0x07, 0x08, 0x0b, 0x0c, 0x0f, 0x10]);
/** Types that carry application data after the SID (conditional expressions, claims). */
const DATA_TYPES = new Set<number>([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x12]);

export function aceLayout(type: number): AceLayout {
  if (BASIC_TYPES.has(type)) return 'basic';
  if (OBJECT_TYPES.has(type)) return 'object';
  return 'opaque';
}

export function isObjectAceType(type: number): boolean {
  return OBJECT_TYPES.has(type);
}

/** True for callback and resource-attribute ACEs, whose bytes after the SID are meaningful. */
export function aceTypeCarriesData(type: number): boolean {
  return DATA_TYPES.has(type);
}

export const AceFlag = {
  OBJECT_INHERIT: 0x01,
  CONTAINER_INHERIT: 0x02,
  NO_PROPAGATE_INHERIT: 0x04,
  INHERIT_ONLY: 0x08,
  INHERITED: 0x10,
  SUCCESSFUL_ACCESS: 0x40,
  FAILED_ACCESS: 0x80,
} as const;

/** Flags field of object ACEs: which of the two GUIDs follow. */
export const ObjectAceFlag = {
  OBJECT_TYPE_PRESENT: 0x1,
  INHERITED_OBJECT_TYPE_PRESENT: 0x2,
} as const;

/** SECURITY_DESCRIPTOR Control bits (MS-DTYP 2.4.6). */
export const SdControl = {
  OWNER_DEFAULTED: 0x0001,
  GROUP_DEFAULTED: 0x0002,
  DACL_PRESENT: 0x0004,
  DACL_DEFAULTED: 0x0008,
  SACL_PRESENT: 0x0010,
  SACL_DEFAULTED: 0x0020,
  DACL_TRUSTED: 0x0040,
  SERVER_SECURITY: 0x0080,
  DACL_AUTO_INHERIT_REQ: 0x0100,
  SACL_AUTO_INHERIT_REQ: 0x0200,
  DACL_AUTO_INHERITED: 0x0400,
  SACL_AUTO_INHERITED: 0x0800,
  DACL_PROTECTED: 0x1000,
  SACL_PROTECTED: 0x2000,
  RM_CONTROL_VALID: 0x4000,
  SELF_RELATIVE: 0x8000,
} as const;

/** The SD-flags control values (LDAP_SERVER_SD_FLAGS_OID) and which parts they return. */
export const SdFlags = {
  OWNER: 0x1,
  GROUP: 0x2,
  DACL: 0x4,
  SACL: 0x8,
} as const;
