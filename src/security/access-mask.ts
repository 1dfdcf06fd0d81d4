/**
 * Directory service access rights (ADS_RIGHTS_ENUM, MS-ADTS 5.1.3.2) and the generic-rights
 * mapping Active Directory applies (MS-ADTS 5.1.3.3, Samba's map_generic_rights_ds).
 */

export const ADS_RIGHT_DS_CREATE_CHILD = 0x00000001;
export const ADS_RIGHT_DS_DELETE_CHILD = 0x00000002;
export const ADS_RIGHT_ACTRL_DS_LIST = 0x00000004;
export const ADS_RIGHT_DS_SELF = 0x00000008;
export const ADS_RIGHT_DS_READ_PROP = 0x00000010;
export const ADS_RIGHT_DS_WRITE_PROP = 0x00000020;
export const ADS_RIGHT_DS_DELETE_TREE = 0x00000040;
export const ADS_RIGHT_DS_LIST_OBJECT = 0x00000080;
export const ADS_RIGHT_DS_CONTROL_ACCESS = 0x00000100;
export const ADS_RIGHT_DELETE = 0x00010000;
export const ADS_RIGHT_READ_CONTROL = 0x00020000;
export const ADS_RIGHT_WRITE_DAC = 0x00040000;
export const ADS_RIGHT_WRITE_OWNER = 0x00080000;
export const ADS_RIGHT_SYNCHRONIZE = 0x00100000;
export const ADS_RIGHT_ACCESS_SYSTEM_SECURITY = 0x01000000;
export const ADS_RIGHT_GENERIC_ALL = 0x10000000;
export const ADS_RIGHT_GENERIC_EXECUTE = 0x20000000;
export const ADS_RIGHT_GENERIC_WRITE = 0x40000000;
export const ADS_RIGHT_GENERIC_READ = 0x80000000;

/** What the generic rights mean on directory objects. */
export const DS_GENERIC_READ = ADS_RIGHT_READ_CONTROL | ADS_RIGHT_ACTRL_DS_LIST | ADS_RIGHT_DS_READ_PROP | ADS_RIGHT_DS_LIST_OBJECT; // 0x20094
export const DS_GENERIC_WRITE = ADS_RIGHT_READ_CONTROL | ADS_RIGHT_DS_SELF | ADS_RIGHT_DS_WRITE_PROP; // 0x20028
export const DS_GENERIC_EXECUTE = ADS_RIGHT_READ_CONTROL | ADS_RIGHT_ACTRL_DS_LIST; // 0x20004
/** Full control: every specific DS right plus DELETE, READ_CONTROL, WRITE_DAC, WRITE_OWNER. */
export const DS_GENERIC_ALL = 0x000f01ff;

const GENERIC_BITS = ADS_RIGHT_GENERIC_ALL | ADS_RIGHT_GENERIC_EXECUTE | ADS_RIGHT_GENERIC_WRITE | ADS_RIGHT_GENERIC_READ;

/** Replaces generic bits by the specific DS rights they stand for. */
export function mapGenericRights(mask: number): number {
  if ((mask & GENERIC_BITS) === 0) return mask >>> 0;
  let m = mask & ~GENERIC_BITS;
  if (mask & ADS_RIGHT_GENERIC_ALL) m |= DS_GENERIC_ALL;
  if (mask & ADS_RIGHT_GENERIC_EXECUTE) m |= DS_GENERIC_EXECUTE;
  if (mask & ADS_RIGHT_GENERIC_WRITE) m |= DS_GENERIC_WRITE;
  if (mask & ADS_RIGHT_GENERIC_READ) m |= DS_GENERIC_READ;
  return m >>> 0;
}

export function hasGenericRights(mask: number): boolean {
  return (mask & GENERIC_BITS) !== 0;
}

/** True when the mask amounts to full control (GenericAll, or every bit GenericAll maps to). */
export function isFullControl(mask: number): boolean {
  return (mapGenericRights(mask) & DS_GENERIC_ALL) === DS_GENERIC_ALL;
}

/** Names of the rights, in bit order, as shown by `sd decode --json` and reports. */
export const ACCESS_RIGHT_NAMES: ReadonlyArray<readonly [number, string]> = [
  [ADS_RIGHT_DS_CREATE_CHILD, 'CREATE_CHILD'],
  [ADS_RIGHT_DS_DELETE_CHILD, 'DELETE_CHILD'],
  [ADS_RIGHT_ACTRL_DS_LIST, 'LIST_CHILDREN'],
  [ADS_RIGHT_DS_SELF, 'SELF_WRITE'],
  [ADS_RIGHT_DS_READ_PROP, 'READ_PROPERTY'],
  [ADS_RIGHT_DS_WRITE_PROP, 'WRITE_PROPERTY'],
  [ADS_RIGHT_DS_DELETE_TREE, 'DELETE_TREE'],
  [ADS_RIGHT_DS_LIST_OBJECT, 'LIST_OBJECT'],
  [ADS_RIGHT_DS_CONTROL_ACCESS, 'CONTROL_ACCESS'],
  [ADS_RIGHT_DELETE, 'DELETE'],
  [ADS_RIGHT_READ_CONTROL, 'READ_CONTROL'],
  [ADS_RIGHT_WRITE_DAC, 'WRITE_DAC'],
  [ADS_RIGHT_WRITE_OWNER, 'WRITE_OWNER'],
  [ADS_RIGHT_SYNCHRONIZE, 'SYNCHRONIZE'],
  [ADS_RIGHT_ACCESS_SYSTEM_SECURITY, 'ACCESS_SYSTEM_SECURITY'],
  [0x02000000, 'MAXIMUM_ALLOWED'],
  [ADS_RIGHT_GENERIC_ALL, 'GENERIC_ALL'],
  [ADS_RIGHT_GENERIC_EXECUTE, 'GENERIC_EXECUTE'],
  [ADS_RIGHT_GENERIC_WRITE, 'GENERIC_WRITE'],
  [ADS_RIGHT_GENERIC_READ, 'GENERIC_READ'],
];

/** Names of the bits set in a mask; bits without a name appear as hex (e.g. "0x00000200"). */
export function accessMaskNames(mask: number): string[] {
  const names: string[] = [];
  let rest = mask >>> 0;
  for (const [bit, name] of ACCESS_RIGHT_NAMES) {
    if (rest & bit) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  for (let bit = 0; bit < 32 && rest !== 0; bit++) {
    const b = (1 << bit) >>> 0;
    if (rest & b) {
      names.push('0x' + b.toString(16).padStart(8, '0'));
      rest = (rest & ~b) >>> 0;
    }
  }
  return names;
}
