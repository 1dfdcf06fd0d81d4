/**
 * Security descriptor -> SDDL text, equal to Samba 4.17's as_sddl() for everything Samba renders
 * correctly. Without a domain SID only universal aliases (SY, BA, AU, PS, WD, CO, ...) are used;
 * with one, the domain-relative aliases (DA, DU, DC, EA, SA, ...) too.
 *
 * Deliberate differences (Samba's output there is wrong or lossy):
 * - a NULL DACL (DACL_PRESENT, no DACL) is "D:NO_ACCESS_CONTROL" (Samba omits the D: part);
 * - ACE types Samba 4.17 does not name are rendered with their MS-DTYP tokens (XA, XD, ZA, XU, ML,
 *   RA, SP) or as "0xNN"; their application data as a 7th field "0x<hex>" (conditional
 *   expressions are not decompiled); opaque ACEs as (0xNN;flags;;;;;0x<hex body>);
 * - unknown ACE flag bits are appended as "0xNN" (Samba 4.17 crashes on them).
 */
import { aceTypeCarriesData, isObjectAceType, SdControl } from './constants.js';
import { NO_ACCESS_CONTROL, SDDL_ACE_FLAGS, SDDL_ACE_TYPES, SDDL_ACL_FLAGS, SDDL_RIGHTS } from './sddl-tables.js';
import type { Ace, Acl, SecurityDescriptor } from './security-descriptor.js';
import { domainRid, universalSid } from './well-known-sids.js';

export interface SddlOptions {
  /** The domain SID that domain-relative aliases (DA, DU, ...) refer to. */
  domainSid?: string;
}

const typeToken = new Map(SDDL_ACE_TYPES.map(([t, v]) => [v, t]));

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** The SDDL form of one SID: an alias when there is one, else the S-... text. */
export function sidToSddl(sid: string, options: SddlOptions = {}): string {
  const u = universalSid(sid);
  if (u?.alias) return u.alias;
  const d = options.domainSid;
  if (d !== undefined && sid.length > d.length + 1 && sid.startsWith(d) && sid[d.length] === '-') {
    const rest = sid.slice(d.length + 1);
    if (/^\d+$/.test(rest)) {
      const w = domainRid(Number(rest));
      if (w?.alias) return w.alias;
    }
  }
  return sid;
}

/** Renders an access mask the way Samba does: known tokens, else the whole mask as 0x%08x. */
export function maskToSddl(mask: number): string {
  let rest = mask >>> 0;
  let s = '';
  for (const [token, bit] of SDDL_RIGHTS) {
    if (rest & bit) {
      s += token;
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest !== 0) return '0x' + (mask >>> 0).toString(16).padStart(8, '0');
  return s;
}

function flagsToSddl(flags: number): string {
  let rest = flags;
  let s = '';
  for (const [token, bit] of SDDL_ACE_FLAGS) {
    if (rest & bit) {
      s += token;
      rest &= ~bit;
    }
  }
  if (rest !== 0) s += '0x' + rest.toString(16).padStart(2, '0');
  return s;
}

function typeToSddl(type: number): string {
  return typeToken.get(type) ?? '0x' + type.toString(16).padStart(2, '0');
}

/** One ACE without its parentheses. */
export function aceToSddl(ace: Ace, options: SddlOptions = {}): string {
  if (ace.opaque !== undefined) {
    return `${typeToSddl(ace.type)};${flagsToSddl(ace.flags)};;;;;0x${hex(ace.opaque)}`;
  }
  let s = `${typeToSddl(ace.type)};${flagsToSddl(ace.flags)};${maskToSddl(ace.mask)};`;
  if (isObjectAceType(ace.type)) s += `${ace.objectType ?? ''};${ace.inheritedObjectType ?? ''};`;
  else s += ';;';
  s += sidToSddl(ace.sid, options);
  if (aceTypeCarriesData(ace.type) && ace.applicationData && ace.applicationData.length > 0) {
    s += ';0x' + hex(ace.applicationData);
  }
  return s;
}

function aclToSddl(acl: Acl | null, flagBits: number, options: SddlOptions): string {
  let s = '';
  for (const [token, bit] of SDDL_ACL_FLAGS) if (flagBits & bit) s += token;
  if (acl === null) return s + NO_ACCESS_CONTROL;
  for (const ace of acl.aces) s += '(' + aceToSddl(ace, options) + ')';
  return s;
}

/** Renders a whole descriptor: O:, G:, D: (when DACL_PRESENT), S: (when SACL_PRESENT). */
export function toSddl(sd: SecurityDescriptor, options: SddlOptions = {}): string {
  let s = '';
  if (sd.owner !== undefined) s += 'O:' + sidToSddl(sd.owner, options);
  if (sd.group !== undefined) s += 'G:' + sidToSddl(sd.group, options);
  if (sd.control & SdControl.DACL_PRESENT) s += 'D:' + aclToSddl(sd.dacl, sd.control, options);
  if (sd.control & SdControl.SACL_PRESENT) s += 'S:' + aclToSddl(sd.sacl, sd.control >>> 1, options);
  return s;
}
