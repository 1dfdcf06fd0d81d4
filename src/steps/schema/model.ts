/**
 * The schema step's analysis as data: the options, each attribute's and the extended right's state,
 * the domain controllers, the KDS root keys, and SchemaAnalysis that holds them with the findings.
 */
import type { LapsAttributeKey } from '../../laps/attributes.js';
import type { OsReadiness } from '../../laps/os-readiness.js';
import type { Finding, Severity } from '../../model/step-result.js';

/** msDS-Behavior-Version of Windows Server 2016: Windows LAPS encryption needs it (LAPS-FACTS 3, 4). */
export const DFL_2016 = 7;
/** The attribute Microsoft added later (rollback detection); older Update-LapsADSchema runs lack it. */
export const LATE_ATTRIBUTE: LapsAttributeKey = 'currentPasswordVersion';
/** Extended right rights: RIGHT_DS_READ_PROPERTY | RIGHT_DS_WRITE_PROPERTY. */
export const PROPERTY_SET_VALID_ACCESSES = 48;



export interface SchemaCheckOptions {
  now: Date;
  /** Windows LAPS will encrypt passwords (default true): DFL and KDS root key problems are blockers. */
  encryption?: boolean;
}

export interface AttributeDifference {
  property: string;
  expected: string;
  found: string;
  severity: Severity;
  /** A Schema Admin can correct it in place (searchFlags, attributeSecurityGUID, ranges); syntax cannot be changed. */
  fixable: boolean;
  why: string;
}

export type AttributeState = 'ok' | 'mismatch' | 'missing' | 'name-conflict';

export interface AttributeStatus {
  key: LapsAttributeKey;
  family: 'legacy' | 'windows';
  expectedName: string;
  attributeId: string;
  status: AttributeState;
  dn: string | null;
  /** lDAPDisplayName in this forest (differs from expectedName when renamed). */
  name: string | null;
  schemaIdGuid: string | null;
  searchFlags: number | null;
  inComputerMayContain: boolean;
  differences: AttributeDifference[];
  /** An attributeSchema that holds this attribute's name or cn with another attributeID. */
  conflict: { dn: string; name: string; attributeId: string } | null;
}

export interface ExtendedRightStatus {
  status: 'ok' | 'mismatch' | 'missing' | 'conflict';
  dn: string | null;
  rightsGuid: string | null;
  validAccesses: number | null;
  appliesToComputer: boolean | null;
  differences: AttributeDifference[];
}

export type DsrmBackup = 'possible' | 'if-patched' | 'not-possible' | 'unknown';

export interface DomainControllerRecord {
  name: string;
  dn: string;
  dnsHostName: string;
  operatingSystem: string;
  operatingSystemVersion: string;
  readOnly: boolean;
  globalCatalog: boolean | null;
  functionalLevel: { level: number; name: string } | null;
  windowsLaps: OsReadiness;
  dsrmBackup: DsrmBackup;
  dsrmReason: string;
  schemaMaster: boolean;
  boundDc: boolean;
}

export interface KdsRootKeySummary {
  id: string;
  dn: string;
  createdAt: string | null;
  usableFrom: string | null;
  usableNow: boolean;
  kdfAlgorithm: string | null;
  kdfHash: string | null;
  secretAgreement: string | null;
  privateKeyLength: number | null;
  publicKeyLength: number | null;
}

export type KdsState = 'usable' | 'not-yet-effective' | 'missing' | 'unreadable';

export interface KdsStatus {
  status: KdsState;
  /** Whether this account's view of the root keys is authoritative (it saw one, or it is a Domain/Enterprise Admin). */
  readableByAccount: boolean;
  serviceContainer: boolean | null;
  masterRootKeysContainer: boolean | null;
  rootKeys: KdsRootKeySummary[];
  /** The earliest time a root key becomes (or became) usable. */
  usableFrom: string | null;
}

export interface SchemaAnalysis {
  schemaVersion: { objectVersion: number | null; name: string | null };
  schemaMaster: { ntdsSettingsDn: string | null; serverDn: string | null; dnsHostName: string | null; boundDcIsMaster: boolean };
  boundAs: { dn: string; sid: string; schemaAdmin: boolean; domainAdmin: boolean; enterpriseAdmin: boolean };
  legacy: { status: 'present' | 'partial' | 'missing'; renamed: boolean; attributes: AttributeStatus[] };
  windowsLaps: {
    status: 'complete' | 'partial' | 'missing';
    attributes: AttributeStatus[];
    extendedRight: ExtendedRightStatus;
    /** lDAPDisplayNames apply adds to the computer class (existing or to-be-added attributes not listed yet). */
    mayContainToAdd: string[];
    /** Attributes apply would create. */
    attributesToAdd: LapsAttributeKey[];
  };
  functionalLevels: { domain: { level: number; name: string }; forest: { level: number; name: string }; encryptionSupported: boolean };
  domainControllers: DomainControllerRecord[];
  kds: KdsStatus;
  /** The forest's schema changes apply would make (attributes, right, mayContain). */
  schemaChangesNeeded: boolean;
  findings: Finding[];
}
