/**
 * Well-known SIDs (MS-DTYP 2.4.2.4) with their display names and SDDL aliases (MS-DTYP 2.5.1.1,
 * the alias set of Samba 4.17's sddl.c). Domain SIDs other than the well-known RIDs are resolved
 * by a function the caller injects (the directory layer), so this module stays pure.
 */
import { domainOf, ridOf } from '../dtyp/sid.js';

export interface WellKnownSid {
  sid: string;
  name: string;
  /** SDDL two-letter alias, when SDDL has one. */
  alias?: string;
}

/** SIDs that are the same in every domain. */
export const UNIVERSAL_SIDS: readonly WellKnownSid[] = [
  { sid: 'S-1-0-0', name: 'NULL SID' },
  { sid: 'S-1-1-0', name: 'Everyone', alias: 'WD' },
  { sid: 'S-1-2-0', name: 'LOCAL' },
  { sid: 'S-1-2-1', name: 'CONSOLE LOGON' },
  { sid: 'S-1-3-0', name: 'CREATOR OWNER', alias: 'CO' },
  { sid: 'S-1-3-1', name: 'CREATOR GROUP', alias: 'CG' },
  { sid: 'S-1-3-4', name: 'OWNER RIGHTS', alias: 'OW' },
  { sid: 'S-1-5-1', name: 'DIALUP' },
  { sid: 'S-1-5-2', name: 'NETWORK', alias: 'NU' },
  { sid: 'S-1-5-3', name: 'BATCH' },
  { sid: 'S-1-5-4', name: 'INTERACTIVE', alias: 'IU' },
  { sid: 'S-1-5-6', name: 'SERVICE', alias: 'SU' },
  { sid: 'S-1-5-7', name: 'ANONYMOUS LOGON', alias: 'AN' },
  { sid: 'S-1-5-8', name: 'PROXY' },
  { sid: 'S-1-5-9', name: 'ENTERPRISE DOMAIN CONTROLLERS', alias: 'ED' },
  { sid: 'S-1-5-10', name: 'SELF', alias: 'PS' },
  { sid: 'S-1-5-11', name: 'Authenticated Users', alias: 'AU' },
  { sid: 'S-1-5-12', name: 'RESTRICTED', alias: 'RC' },
  { sid: 'S-1-5-13', name: 'TERMINAL SERVER USER' },
  { sid: 'S-1-5-14', name: 'REMOTE INTERACTIVE LOGON' },
  { sid: 'S-1-5-15', name: 'This Organization' },
  { sid: 'S-1-5-17', name: 'IUSR' },
  { sid: 'S-1-5-18', name: 'SYSTEM', alias: 'SY' },
  { sid: 'S-1-5-19', name: 'LOCAL SERVICE', alias: 'LS' },
  { sid: 'S-1-5-20', name: 'NETWORK SERVICE', alias: 'NS' },
  { sid: 'S-1-5-33', name: 'WRITE RESTRICTED', alias: 'WR' },
  { sid: 'S-1-5-32-544', name: 'BUILTIN\\Administrators', alias: 'BA' },
  { sid: 'S-1-5-32-545', name: 'BUILTIN\\Users', alias: 'BU' },
  { sid: 'S-1-5-32-546', name: 'BUILTIN\\Guests', alias: 'BG' },
  { sid: 'S-1-5-32-547', name: 'BUILTIN\\Power Users', alias: 'PU' },
  { sid: 'S-1-5-32-548', name: 'BUILTIN\\Account Operators', alias: 'AO' },
  { sid: 'S-1-5-32-549', name: 'BUILTIN\\Server Operators', alias: 'SO' },
  { sid: 'S-1-5-32-550', name: 'BUILTIN\\Print Operators', alias: 'PO' },
  { sid: 'S-1-5-32-551', name: 'BUILTIN\\Backup Operators', alias: 'BO' },
  { sid: 'S-1-5-32-552', name: 'BUILTIN\\Replicator', alias: 'RE' },
  { sid: 'S-1-5-32-554', name: 'BUILTIN\\Pre-Windows 2000 Compatible Access', alias: 'RU' },
  { sid: 'S-1-5-32-555', name: 'BUILTIN\\Remote Desktop Users', alias: 'RD' },
  { sid: 'S-1-5-32-556', name: 'BUILTIN\\Network Configuration Operators', alias: 'NO' },
  { sid: 'S-1-5-32-557', name: 'BUILTIN\\Incoming Forest Trust Builders' },
  { sid: 'S-1-5-32-558', name: 'BUILTIN\\Performance Monitor Users', alias: 'MU' },
  { sid: 'S-1-5-32-559', name: 'BUILTIN\\Performance Log Users', alias: 'LU' },
  { sid: 'S-1-5-32-560', name: 'BUILTIN\\Windows Authorization Access Group' },
  { sid: 'S-1-5-32-561', name: 'BUILTIN\\Terminal Server License Servers' },
  { sid: 'S-1-5-32-562', name: 'BUILTIN\\Distributed COM Users' },
  { sid: 'S-1-5-32-568', name: 'BUILTIN\\IIS_IUSRS', alias: 'IS' },
  { sid: 'S-1-5-32-569', name: 'BUILTIN\\Cryptographic Operators', alias: 'CY' },
  { sid: 'S-1-5-32-573', name: 'BUILTIN\\Event Log Readers', alias: 'ER' },
  { sid: 'S-1-5-32-574', name: 'BUILTIN\\Certificate Service DCOM Access', alias: 'CD' },
  { sid: 'S-1-5-32-575', name: 'BUILTIN\\RDS Remote Access Servers', alias: 'RA' },
  { sid: 'S-1-5-32-576', name: 'BUILTIN\\RDS Endpoint Servers', alias: 'ES' },
  { sid: 'S-1-5-32-577', name: 'BUILTIN\\RDS Management Servers', alias: 'MS' },
  { sid: 'S-1-5-32-578', name: 'BUILTIN\\Hyper-V Administrators', alias: 'HA' },
  { sid: 'S-1-5-32-579', name: 'BUILTIN\\Access Control Assistance Operators', alias: 'AA' },
  { sid: 'S-1-5-32-580', name: 'BUILTIN\\Remote Management Users', alias: 'RM' },
  { sid: 'S-1-5-64-10', name: 'NTLM Authentication' },
  { sid: 'S-1-5-64-14', name: 'SChannel Authentication' },
  { sid: 'S-1-5-64-21', name: 'Digest Authentication' },
  { sid: 'S-1-5-84-0-0-0-0-0', name: 'User-Mode Drivers', alias: 'UD' },
  { sid: 'S-1-5-1000', name: 'Other Organization' },
  { sid: 'S-1-15-2-1', name: 'ALL APPLICATION PACKAGES', alias: 'AC' },
  { sid: 'S-1-16-4096', name: 'Low Mandatory Level', alias: 'LW' },
  { sid: 'S-1-16-8192', name: 'Medium Mandatory Level', alias: 'ME' },
  { sid: 'S-1-16-8448', name: 'Medium Plus Mandatory Level', alias: 'MP' },
  { sid: 'S-1-16-12288', name: 'High Mandatory Level', alias: 'HI' },
  { sid: 'S-1-16-16384', name: 'System Mandatory Level', alias: 'SI' },
  { sid: 'S-1-18-1', name: 'Authentication authority asserted identity', alias: 'AS' },
  { sid: 'S-1-18-2', name: 'Service asserted identity', alias: 'SS' },
];

export interface WellKnownRid {
  rid: number;
  name: string;
  alias?: string;
}

/** Well-known relative identifiers inside a domain (S-1-5-21-a-b-c-RID). */
export const DOMAIN_RIDS: readonly WellKnownRid[] = [
  { rid: 498, name: 'Enterprise Read-only Domain Controllers', alias: 'RO' },
  { rid: 500, name: 'Administrator', alias: 'LA' },
  { rid: 501, name: 'Guest', alias: 'LG' },
  { rid: 502, name: 'krbtgt' },
  { rid: 512, name: 'Domain Admins', alias: 'DA' },
  { rid: 513, name: 'Domain Users', alias: 'DU' },
  { rid: 514, name: 'Domain Guests', alias: 'DG' },
  { rid: 515, name: 'Domain Computers', alias: 'DC' },
  { rid: 516, name: 'Domain Controllers', alias: 'DD' },
  { rid: 517, name: 'Cert Publishers', alias: 'CA' },
  { rid: 518, name: 'Schema Admins', alias: 'SA' },
  { rid: 519, name: 'Enterprise Admins', alias: 'EA' },
  { rid: 520, name: 'Group Policy Creator Owners', alias: 'PA' },
  { rid: 521, name: 'Read-only Domain Controllers' },
  { rid: 522, name: 'Cloneable Domain Controllers', alias: 'CN' },
  { rid: 525, name: 'Protected Users', alias: 'AP' },
  { rid: 526, name: 'Key Admins', alias: 'KA' },
  { rid: 527, name: 'Enterprise Key Admins', alias: 'EK' },
  { rid: 553, name: 'RAS and IAS Servers', alias: 'RS' },
  { rid: 571, name: 'Allowed RODC Password Replication Group' },
  { rid: 572, name: 'Denied RODC Password Replication Group' },
];

/** Well-known SIDs by name, for code that grants or looks for them. */
export const WellKnownSids = {
  EVERYONE: 'S-1-1-0',
  CREATOR_OWNER: 'S-1-3-0',
  CREATOR_GROUP: 'S-1-3-1',
  OWNER_RIGHTS: 'S-1-3-4',
  NETWORK: 'S-1-5-2',
  ANONYMOUS: 'S-1-5-7',
  ENTERPRISE_DOMAIN_CONTROLLERS: 'S-1-5-9',
  SELF: 'S-1-5-10',
  AUTHENTICATED_USERS: 'S-1-5-11',
  SYSTEM: 'S-1-5-18',
  BUILTIN_ADMINISTRATORS: 'S-1-5-32-544',
  BUILTIN_USERS: 'S-1-5-32-545',
  ACCOUNT_OPERATORS: 'S-1-5-32-548',
  PRE_WINDOWS_2000: 'S-1-5-32-554',
} as const;

const bySid = new Map(UNIVERSAL_SIDS.map((w) => [w.sid, w]));
const byRid = new Map(DOMAIN_RIDS.map((w) => [w.rid, w]));

export function universalSid(sid: string): WellKnownSid | undefined {
  return bySid.get(sid);
}

export function domainRid(rid: number): WellKnownRid | undefined {
  return byRid.get(rid);
}

/** True for S-1-5-21-a-b-c-RID: an account or group of a domain (or a machine). */
export function isDomainAccountSid(sid: string): boolean {
  return /^S-1-5-21-\d+-\d+-\d+-\d+$/.test(sid);
}

/** A resolver the directory layer provides: SID -> "DOMAIN\name" (or undefined when unknown). */
export type SidNameResolver = (sid: string) => string | undefined;

/**
 * The display name of a SID: well-known universal SIDs, then well-known RIDs of domain SIDs
 * (prefixed "<domain> " when the SID is not of `domainSid`), then the injected resolver.
 */
export function sidDisplayName(sid: string, options: { domainSid?: string; resolve?: SidNameResolver } = {}): string | undefined {
  const u = bySid.get(sid);
  if (u) return u.name;
  const resolved = options.resolve?.(sid);
  if (resolved) return resolved;
  if (isDomainAccountSid(sid)) {
    const w = byRid.get(ridOf(sid)!);
    if (w) return options.domainSid === undefined || domainOf(sid) === options.domainSid ? w.name : `${w.name} (${domainOf(sid)})`;
  }
  return undefined;
}
