/**
 * Public API of the security descriptor engine (pure: bytes and plain objects in and out).
 *
 * - bytes <-> model: parseSecurityDescriptor, serializeSecurityDescriptor (byte-identical round trip)
 * - SDDL: toSddl, parseSddl, parseSddlAce (Samba 4.17-compatible rendering)
 * - editing: addAce, mergeAce (idempotent), removeAce, isCanonical
 * - inheritance: inheritFromParent, inheritedDacl (chain of parents), effectiveDaclOf
 * - evaluation: effectiveAccess, whoCan, whoCanOnChildren, selfCan, READ_CONFIDENTIAL
 * - names: WellKnownSids, sidDisplayName (inject a resolver for domain SIDs), Guids, objectTypeName,
 *   describeSecurityDescriptor; rights constants ADS_RIGHT_* and mapGenericRights
 * Malformed input raises SecurityDescriptorError / SddlError (InputError, exit 2).
 */
export * from './access-mask.js';
export * from './constants.js';
export * from '../dtyp/guid.js';
export * from './parse-security-descriptor.js';
export * from './sd-error.js';
export type * from './security-descriptor.js';
export * from './serialize-security-descriptor.js';
export * from '../dtyp/sid.js';
export * from './parse-sddl.js';
export * from './sddl-tables.js';
export * from './to-sddl.js';
export * from './well-known-sids.js';
export * from './acl-edit.js';
export * from './inheritance.js';
export * from './effective-access.js';
export * from './who-can.js';
export * from './well-known-guids.js';
export * from './describe-security-descriptor.js';
