/**
 * The lab's contract with every later test and with `lab status --json`: where the DC listens,
 * how to trust it, which accounts exist and where their (0600) password files are.
 * The manifest itself never holds a password.
 */
export interface LabAccount {
  dn: string;
  sAMAccountName: string;
  userPrincipalName: string;
  sid: string;
  kind: 'user' | 'computer';
  /** Path of a 0600 file holding the password (no trailing newline). */
  passwordFile: string;
}

export interface LabComputer {
  name: string;
  dn: string;
  /** Key of the OU in `ous`. */
  ou: string;
  /** What the seed made of it, for tests to assert classifications against. */
  seed: {
    legacyPassword: boolean;
    legacyExpired: boolean;
    operatingSystem?: string;
    operatingSystemVersion?: string;
    disabled: boolean;
    stale: boolean;
    /** Key in `accounts` when the lab knows this computer's account password. */
    account?: string;
    /** Key in `accounts` of the user that created (joined) it, when not Administrator. */
    joinedBy?: string;
  };
}

export interface LabManifest {
  version: 1;
  dir: string;
  ip: string;
  realm: string;
  netbiosDomain: string;
  dnsDomain: string;
  dnsHostName: string;
  baseDn: string;
  configDn: string;
  schemaDn: string;
  domainSid: string;
  urls: { ldaps: string; ldap: string };
  caFile: string;
  smbConf: string;
  /** Schema variant seeded: standard legacy names, or the legacy attribute renamed. */
  legacySchema: 'standard' | 'renamed' | 'none';
  accounts: Record<string, LabAccount>;
  groups: Record<string, { dn: string; sid: string }>;
  ous: Record<string, string>;
  computers: LabComputer[];
  gpos: Record<string, { dn: string; guid: string; displayName: string }>;
  snapshots: Record<string, string>;
  /** The scenario it was built from (absent: a lab made before scenarios, = legacy-estate). */
  scenario?: { name: string; seed: number; file?: string };
  /** The lab's SYSVOL top folder (holds <dnsDomain>/Policies). */
  sysvol?: string;
  /** Computers added offline under ous.bulk for benchmarks (not listed in `computers`). */
  bulkComputers?: number;
  createdAt: string;
}
