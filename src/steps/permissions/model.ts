/**
 * The permissions analysis' vocabulary (capabilities, tiers, routes, origins), its inputs (LAPS
 * GUIDs, containers, computers, accounts) and its outputs (holders, container and computer records,
 * the summary). Types only, plus the constant lists reports iterate over.
 */
import type { SecurityDescriptor } from '../../security/index.js';
import type { LapsAttributeKey } from '../../laps/attributes.js';
import type { Finding } from '../../model/step-result.js';
import type { Principal } from '../../directory/principals.js';

export type Capability = 'readLegacy' | 'readWindowsClear' | 'readWindowsEncrypted' | 'resetLegacy' | 'resetWindows';
export const CAPABILITIES: readonly Capability[] = ['readLegacy', 'readWindowsClear', 'readWindowsEncrypted', 'resetLegacy', 'resetWindows'];
export const CAPABILITY_LABELS: Record<Capability, string> = {
  readLegacy: 'read ms-Mcs-AdmPwd',
  readWindowsClear: 'read msLAPS-Password',
  readWindowsEncrypted: 'read msLAPS-EncryptedPassword',
  resetLegacy: 'reset legacy (write ms-Mcs-AdmPwdExpirationTime)',
  resetWindows: 'reset Windows LAPS (write msLAPS-PasswordExpirationTime)',
};

/**
 * Who a principal is, for severity: 'admin' (SYSTEM, Administrators, Domain/Enterprise/Schema
 * Admins, Administrator, or a member of one), 'dc' (domain controllers), 'operator' (built-in
 * operator groups, which AD's defaults make powerful on computers), 'broad' (Everyone,
 * Authenticated Users, Domain Users/Computers...), 'self' (S-1-5-10), 'creator' (CREATOR OWNER:
 * whoever creates the object), 'delegated' (everyone else: the accounts a review is about).
 */
export type Tier = 'admin' | 'dc' | 'operator' | 'broad' | 'self' | 'creator' | 'delegated';

/** How a principal gets the access. 'owner', 'write-dac', 'write-owner' are indirect: it may grant itself. */
export type Route = 'full-control' | 'all-extended-rights' | 'delegation' | 'creator-owner' | 'all-properties' | 'other' | 'owner' | 'write-dac' | 'write-owner';
export const ROUTE_ORDER: readonly Route[] = ['full-control', 'all-extended-rights', 'delegation', 'creator-owner', 'all-properties', 'other', 'owner', 'write-dac', 'write-owner'];

/** Where the deciding ACE comes from: set on the object, inherited from a container, or the class default. */
export type Origin = 'explicit' | 'inherited' | 'class-default' | 'implicit';

export interface Grant {
  route: Route;
  origin: Origin;
  /** The ACE in SDDL (domain aliases resolved). */
  ace: string;
  /** Path of the container whose explicit ACE it is, when found on the way up. */
  definedAt?: string;
}

export interface Holder {
  sid: string;
  name: string;
  tier: Tier;
  /** Has every right of the capability now. */
  effective: boolean;
  /** One of the rights is denied by an ACE naming it or one of its groups. */
  denied: boolean;
  /** Routes of the ACEs that grant it (most telling first), then the indirect ones. */
  routes: Route[];
  /** The deciding ACE's route (the one granting CONTROL_ACCESS for reads, WRITE_PROPERTY for resets). */
  route: Route | null;
  origin: Origin | null;
  definedAt?: string;
  /** The trustee of the deciding ACE: the principal itself (direct) or one of its groups. */
  via: string | null;
  grants: Grant[];
}

export interface SelfCoverage {
  /** SELF may write ms-Mcs-AdmPwd and read/write its expiration time (legacy CSE, emulation). */
  legacy: boolean;
  /** SELF may write msLAPS-Password, the encrypted attributes (and history) and read/write the expiration time. */
  windows: boolean;
  /** SELF may read its own msLAPS-EncryptedPassword (needed to keep the history). */
  readEncrypted: boolean;
  /** What is missing, e.g. "WP msLAPS-Password". */
  missing: string[];
}

// ---------------------------------------------------------------------------------------------
// inputs

export interface LapsAttributeGuid {
  name: string;
  guid: string;
  /** attributeSecurityGUID (the property set), when it has one. */
  propertySet?: string;
}

export interface LapsGuids {
  computerClass: string;
  /** The ms-LAPS-Encrypted-Password-Attributes property set (attributeSecurityGUID of msLAPS-EncryptedPassword). */
  propertySet?: string;
  attributes: Partial<Record<LapsAttributeKey, LapsAttributeGuid>>;
}

export interface ContainerInput {
  dn: string;
  kind: 'domain' | 'ou' | 'container';
  /** schemaIDGUIDs of its classes (for class-scoped inheritance). */
  classGuids: string[];
  /** nTSecurityDescriptor read with SD flags 5 (owner + DACL); undefined when it could not be read. */
  sd?: Buffer;
}

export interface ComputerInput {
  dn: string;
  name: string;
  objectSid?: string;
  creatorSid?: string;
  userAccountControl: number;
  /** ms-Mcs-AdmPwdExpirationTime is set (the legacy CSE or emulation manages it). */
  legacyManaged: boolean;
  /** msLAPS-PasswordExpirationTime is set. */
  windowsManaged: boolean;
  /** The SID its msLAPS-EncryptedPassword is protected for (from the DPAPI-NG blob), when readable. */
  encryptedFor?: string;
  /** Its own nTSecurityDescriptor (SD flags 5), in per-computer mode. */
  sd?: Buffer;
  /** Its owner (read with SD flags 1 when the whole descriptor is not read). */
  ownerSid?: string;
}


export interface AnalysisContext {
  domainDn: string;
  domainSid: string;
  /** SID of the forest root domain (Enterprise/Schema Admins live there); default domainSid. */
  rootDomainSid?: string;
  laps: LapsGuids;
  /** The computer class defaultSecurityDescriptor, parsed. */
  classDefaultSd?: SecurityDescriptor;
  /** The domain root and every OU / container read (ancestors of computer containers included). */
  containers: ContainerInput[];
}

export interface AccountToken {
  /** What the caller calls it (sAMAccountName). */
  label: string;
  sid: string;
  groups: string[];
}

// ---------------------------------------------------------------------------------------------
// outputs

export interface HolderBrief {
  sid: string;
  name: string;
  tier: Tier;
  route: Route | null;
  routes: Route[];
  origin: Origin | null;
  definedAt?: string;
  /** The deciding ACE names this principal itself (not one of its groups). */
  direct: boolean;
}

export interface ContainerRecord {
  dn: string;
  path: string;
  kind: ContainerInput['kind'];
  protected: boolean;
  readable: boolean;
  computers: number;
  domainControllers: number;
  legacyManaged: number;
  windowsManaged: number;
  /** For a computer created here now. */
  self: SelfCoverage;
  /** Effective holders per capability (every tier). */
  holders: Record<Capability, HolderBrief[]>;
  /** Principals named in a deny ACE that takes the capability away from them. */
  denied: Record<Capability, HolderBrief[]>;
  /** Non-admin principals that may rewrite the DACL or owner of computers here (they can grant themselves anything). */
  canGrantThemselves: HolderBrief[];
  /** SIDs the encrypted passwords here are protected for (readable values only). */
  encryptedFor: Array<{ sid: string; name: string; computers: number }>;
  /** Per-computer mode: computers here whose own descriptor lacks the SELF rights. */
  computersMissingSelf?: { legacy: number; windows: number; readEncrypted: number };
}

export interface ComputerRecord {
  name: string;
  dn: string;
  ouPath: string;
  container: string;
  domainController: boolean;
  legacyManaged: boolean;
  windowsManaged: boolean;
  /** 'computer': its own descriptor was evaluated (--per-computer); 'container': the container's answer. */
  source: 'computer' | 'container';
  owner: string | null;
  ownerName: string | null;
  ownerTier: Tier | null;
  creator: string | null;
  creatorName: string | null;
  creatorTier: Tier | null;
  self: { legacy: boolean; windows: boolean; readEncrypted: boolean };
  /** Delegated principals (not admins, DCs or built-in operator groups) with the capability, by name. */
  nonAdmin: Record<Capability, string[]>;
  encryptedFor: string | null;
}

export interface AccessRow {
  container: string;
  dn: string;
  principal: string;
  sid: string;
  tier: Tier;
  capability: Capability;
  effective: boolean;
  denied: boolean;
  route: Route | null;
  routes: Route[];
  origin: Origin | null;
  definedAt: string | null;
}

export interface DirSyncHolder {
  sid: string;
  name: string;
  tier: Tier;
  rights: string[];
}

export interface AccountPrediction {
  account: string;
  sid: string;
  computers: Array<{ name: string; dn: string; source: 'computer' | 'container' } & Record<Capability, boolean>>;
}

export interface PermissionsSummary {
  containers: number;
  computers: number;
  perComputer: boolean;
  windowsLapsSchema: boolean;
  legacySchema: boolean;
  self: {
    legacyMissingContainers: number;
    legacyMissingComputers: number;
    windowsMissingContainers: number;
    windowsMissingComputers: number;
    readEncryptedMissingContainers: number;
  };
  protectedContainers: number;
  nonAdminLegacyReaders: number;
  nonAdminWindowsReaders: number;
  readGaps: number;
  resetGaps: number;
  /** Findings (above info) about risky routes held by delegated principals; ownerCanRead counts computers. */
  risky: { allExtendedRights: number; fullControl: number; ownerCanRead: number; dirSync: number; canGrantThemselves: number };
}

export interface PermissionsAnalysisResult {
  summary: PermissionsSummary;
  containers: ContainerRecord[];
  computers: ComputerRecord[];
  access: AccessRow[];
  dirSync: DirSyncHolder[];
  predictions: AccountPrediction[];
  principals: Array<{ sid: string; name: string; kind: Principal['kind']; tier: Tier }>;
  findings: Finding[];
}
