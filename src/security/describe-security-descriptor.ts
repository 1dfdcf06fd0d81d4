/**
 * A readable JSON view of a descriptor (for `sd decode --json` and reports): control flag names,
 * owner and group with names, each ACE with type, flag and right names and its object types
 * resolved to names where they are well known (or by an injected schema resolver).
 */
import { accessMaskNames } from './access-mask.js';
import { AceTypeName, SdControl } from './constants.js';
import type { Ace, Acl, SecurityDescriptor } from './security-descriptor.js';
import { aceToSddl } from './to-sddl.js';
import { objectTypeName } from './well-known-guids.js';
import { sidDisplayName, type SidNameResolver } from './well-known-sids.js';

export interface DescribeOptions {
  domainSid?: string;
  resolveName?: SidNameResolver;
  /** Schema lookup for forest-specific GUIDs (e.g. ms-Mcs-AdmPwd): GUID -> lDAPDisplayName. */
  resolveGuid?: (guid: string) => string | undefined;
}

export interface DescribedSid {
  sid: string;
  name?: string;
}

export interface DescribedAce {
  index: number;
  type: string;
  typeCode: number;
  flags: string[];
  mask: string;
  rights: string[];
  trustee?: DescribedSid;
  objectType?: { guid: string; name?: string };
  inheritedObjectType?: { guid: string; name?: string };
  inherited: boolean;
  applicationDataHex?: string;
  opaqueHex?: string;
  sddl: string;
}

export interface DescribedAcl {
  revision: number;
  aceCount: number;
  aces: DescribedAce[];
}

export interface DescribedSecurityDescriptor {
  revision: number;
  control: string;
  controlFlags: string[];
  owner?: DescribedSid;
  group?: DescribedSid;
  dacl: DescribedAcl | null;
  sacl: DescribedAcl | null;
}

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [0x01, 'OBJECT_INHERIT'],
  [0x02, 'CONTAINER_INHERIT'],
  [0x04, 'NO_PROPAGATE_INHERIT'],
  [0x08, 'INHERIT_ONLY'],
  [0x10, 'INHERITED'],
  [0x40, 'SUCCESSFUL_ACCESS'],
  [0x80, 'FAILED_ACCESS'],
];

function bitNames(value: number, table: ReadonlyArray<readonly [number, string]>, width: number): string[] {
  const out: string[] = [];
  let rest = value;
  for (const [bit, name] of table) {
    if (rest & bit) {
      out.push(name);
      rest &= ~bit;
    }
  }
  if (rest) out.push('0x' + rest.toString(16).padStart(width, '0'));
  return out;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function describeSid(sid: string, o: DescribeOptions): DescribedSid {
  const name = sidDisplayName(sid, { domainSid: o.domainSid, resolve: o.resolveName });
  return name ? { sid, name } : { sid };
}

function describeGuid(guid: string, mask: number, o: DescribeOptions): { guid: string; name?: string } {
  const name = objectTypeName(guid, mask) ?? o.resolveGuid?.(guid);
  return name ? { guid, name } : { guid };
}

function describeAce(ace: Ace, index: number, o: DescribeOptions): DescribedAce {
  const d: DescribedAce = {
    index,
    type: AceTypeName[ace.type] ?? `UNKNOWN_0x${ace.type.toString(16).padStart(2, '0')}`,
    typeCode: ace.type,
    flags: bitNames(ace.flags, FLAG_NAMES, 2),
    mask: '0x' + (ace.mask >>> 0).toString(16).padStart(8, '0'),
    rights: accessMaskNames(ace.mask),
    inherited: (ace.flags & 0x10) !== 0,
    sddl: '(' + aceToSddl(ace, { domainSid: o.domainSid }) + ')',
  };
  if (ace.opaque !== undefined) d.opaqueHex = hex(ace.opaque);
  else d.trustee = describeSid(ace.sid, o);
  if (ace.objectType) d.objectType = describeGuid(ace.objectType, ace.mask, o);
  if (ace.inheritedObjectType) d.inheritedObjectType = describeGuid(ace.inheritedObjectType, 0, o);
  if (ace.applicationData && ace.applicationData.length > 0) d.applicationDataHex = hex(ace.applicationData);
  return d;
}

function describeAcl(acl: Acl | null, o: DescribeOptions): DescribedAcl | null {
  if (!acl) return null;
  return { revision: acl.revision, aceCount: acl.aces.length, aces: acl.aces.map((a, i) => describeAce(a, i, o)) };
}

const CONTROL_NAMES: ReadonlyArray<readonly [number, string]> = Object.entries(SdControl).map(([k, v]) => [v, k] as const);

export function describeSecurityDescriptor(sd: SecurityDescriptor, options: DescribeOptions = {}): DescribedSecurityDescriptor {
  return {
    revision: sd.revision,
    control: '0x' + sd.control.toString(16).padStart(4, '0'),
    controlFlags: bitNames(sd.control, CONTROL_NAMES, 4),
    ...(sd.owner !== undefined ? { owner: describeSid(sd.owner, options) } : {}),
    ...(sd.group !== undefined ? { group: describeSid(sd.group, options) } : {}),
    dacl: describeAcl(sd.dacl, options),
    sacl: describeAcl(sd.sacl, options),
  };
}
