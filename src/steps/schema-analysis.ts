/**
 * Step 2 conclusions, pure: a SchemaSnapshot (recorded entries, no secrets) in; the state of both
 * LAPS schemas, the extended right, functional levels, domain controllers, KDS root keys and
 * findings with stable codes out. The plan (what apply would write) is built from this analysis
 * by schema-plan.ts.
 */
import { dnKey, parentDn } from '../directory/dn.js';
import { functionalLevelName } from '../directory/domain-facts.js';
import { guidFromBytes } from '../dtyp/guid.js';
import { parseInteger8Time } from '../directory/ad-time.js';
import { allStrings, firstBuffer, firstString } from '../directory/entry.js';
import { kdsMasterRootKeysDn } from '../directory/kds.js';
import type { DirEntry } from '../directory/types.js';
import { parseKdfParameters } from '../dpapi-ng/root-key.js';
import {
  COMPUTER_CLASS_GUID,
  LAPS_ATTRIBUTES,
  LAPS_PROPERTY_SET_GUID,
  LAPS_PROPERTY_SET_NAME,
  SEARCH_FLAG_CONFIDENTIAL,
  type LapsAttributeDefinition,
  type LapsAttributeKey,
} from '../laps/attributes.js';
import { classifyOs, type OsReadiness } from '../laps/os-readiness.js';
import { lapsCommonName, windowsLapsAttributeEntries } from '../laps/schema-entries.js';
import type { SchemaSnapshot } from './schema-snapshot.js';
import type { Finding, Severity } from '../model/step-result.js';

/** msDS-Behavior-Version of Windows Server 2016: Windows LAPS encryption needs it (LAPS-FACTS 3, 4). */
export const DFL_2016 = 7;
/** The attribute Microsoft added later (rollback detection); older Update-LapsADSchema runs lack it. */
export const LATE_ATTRIBUTE: LapsAttributeKey = 'currentPasswordVersion';
/** Extended right rights: RIGHT_DS_READ_PROPERTY | RIGHT_DS_WRITE_PROPERTY. */
export const PROPERTY_SET_VALID_ACCESSES = 48;

const UAC_SERVER_TRUST_ACCOUNT = 0x2000;
const UAC_PARTIAL_SECRETS_ACCOUNT = 0x4000000;
const NTDSDSA_OPT_IS_GC = 1;

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

const lower = (s: string) => s.toLowerCase();

function num(e: DirEntry | undefined, name: string): number | null {
  const v = e ? firstString(e, name) : undefined;
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return null;
  return Number(v.trim());
}

function guidOf(e: DirEntry, name: string): string | null {
  const b = firstBuffer(e, name);
  return b && b.length === 16 ? guidFromBytes(b) : null;
}

function bool(e: DirEntry, name: string): boolean | null {
  const v = firstString(e, name);
  if (v === undefined) return null;
  return v.toUpperCase() === 'TRUE';
}

function searchFlagBits(n: number): string {
  const names: Array<[number, string]> = [
    [0x1, 'indexed'],
    [0x2, 'container-indexed'],
    [0x4, 'ANR'],
    [0x8, 'preserve-on-delete'],
    [0x10, 'copy'],
    [0x20, 'tuple-index'],
    [0x40, 'subtree-index'],
    [0x80, 'confidential'],
    [0x100, 'never-value-audit'],
    [0x200, 'RODC-filtered'],
  ];
  const set = names.filter(([b]) => (n & b) === b).map(([, s]) => s);
  return `${n}${set.length ? ` (${set.join(', ')})` : ''}`;
}

/** The computer class's mayContain + systemMayContain, lower-cased. */
function computerMayContain(s: SchemaSnapshot): Set<string> {
  const c = s.computerClass;
  if (!c) return new Set();
  return new Set([...allStrings(c, 'mayContain'), ...allStrings(c, 'systemMayContain')].map(lower));
}

/** Expected attributeSchema values for a Windows LAPS attribute (what Update-LapsADSchema writes). */
function expectedWindowsEntry(def: LapsAttributeDefinition, schemaDn: string): Record<string, Array<string | Buffer>> {
  const e = windowsLapsAttributeEntries(schemaDn).find((x) => lower(firstValue(x.attributes, 'lDAPDisplayName') ?? '') === lower(def.name));
  if (!e) throw new Error(`no schema entry for ${def.name}`);
  return e.attributes;
}

function firstValue(attrs: Record<string, Array<string | Buffer>>, name: string): string | undefined {
  const v = Object.entries(attrs).find(([k]) => lower(k) === lower(name))?.[1]?.[0];
  return v === undefined ? undefined : typeof v === 'string' ? v : v.toString('utf8');
}

function compareWindows(def: LapsAttributeDefinition, e: DirEntry, schemaDn: string): AttributeDifference[] {
  const exp = expectedWindowsEntry(def, schemaDn);
  const d: AttributeDifference[] = [];
  const name = firstString(e, 'lDAPDisplayName') ?? '';
  if (lower(name) !== lower(def.name)) {
    d.push({ property: 'lDAPDisplayName', expected: def.name, found: name, severity: 'blocker', fixable: false, why: 'Windows LAPS clients and tools address the attribute by this name' });
  }
  const syntax = firstString(e, 'attributeSyntax') ?? '';
  if (syntax !== def.attributeSyntax) {
    d.push({ property: 'attributeSyntax', expected: def.attributeSyntax, found: syntax || '(none)', severity: 'blocker', fixable: false, why: 'clients write values of the documented syntax' });
  }
  const om = num(e, 'oMSyntax');
  if (om !== def.oMSyntax) d.push({ property: 'oMSyntax', expected: String(def.oMSyntax), found: om === null ? '(none)' : String(om), severity: 'blocker', fixable: false, why: 'clients write values of the documented syntax' });
  const single = bool(e, 'isSingleValued');
  if (single !== def.singleValued) {
    d.push({ property: 'isSingleValued', expected: def.singleValued ? 'TRUE' : 'FALSE', found: single === null ? '(none)' : single ? 'TRUE' : 'FALSE', severity: 'blocker', fixable: false, why: def.singleValued ? 'one current value per computer' : 'history keeps several values' });
  }
  const sf = num(e, 'searchFlags') ?? 0;
  if (sf !== def.searchFlags) {
    const confidentialLost = (def.searchFlags & SEARCH_FLAG_CONFIDENTIAL) !== 0 && (sf & SEARCH_FLAG_CONFIDENTIAL) === 0;
    d.push({
      property: 'searchFlags',
      expected: searchFlagBits(def.searchFlags),
      found: searchFlagBits(sf),
      severity: confidentialLost ? 'blocker' : 'warning',
      fixable: true,
      why: confidentialLost
        ? 'without the confidential flag any account with Read All Properties on a computer can read the value'
        : (def.searchFlags & 0x200) !== 0 && (sf & 0x200) === 0
          ? 'without RODC filtering read-only DCs replicate the value'
          : 'differs from what Update-LapsADSchema sets',
    });
  }
  const expGuid = def.inPropertySet ? LAPS_PROPERTY_SET_GUID : null;
  const foundGuid = guidOf(e, 'attributeSecurityGUID');
  if (expGuid !== foundGuid) {
    d.push({
      property: 'attributeSecurityGUID',
      expected: expGuid ? `${expGuid} (${LAPS_PROPERTY_SET_NAME})` : '(not set)',
      found: foundGuid ?? '(not set)',
      severity: expGuid ? 'blocker' : 'warning',
      fixable: true,
      why: expGuid
        ? 'SELF and reader permissions are granted on the property set: without it computers cannot write their encrypted password'
        : 'permissions granted on a property set would reach this attribute unexpectedly',
    });
  }
  for (const prop of ['rangeLower', 'rangeUpper']) {
    const want = firstValue(exp, prop);
    const got = firstString(e, prop);
    if ((want ?? '') !== (got ?? '')) {
      d.push({ property: prop, expected: want ?? '(not set)', found: got ?? '(not set)', severity: 'warning', fixable: true, why: 'the value is a 16-byte GUID' });
    }
  }
  if (bool(e, 'systemOnly') === true) d.push({ property: 'systemOnly', expected: 'FALSE', found: 'TRUE', severity: 'blocker', fixable: false, why: 'only the system could write it' });
  if (bool(e, 'isMemberOfPartialAttributeSet') === true) {
    d.push({ property: 'isMemberOfPartialAttributeSet', expected: 'FALSE', found: 'TRUE', severity: 'warning', fixable: true, why: 'values would replicate to every global catalog' });
  }
  const cn = firstString(e, 'cn');
  if (cn !== undefined && lower(cn) !== lower(lapsCommonName(def))) {
    d.push({ property: 'cn', expected: lapsCommonName(def), found: cn, severity: 'info', fixable: false, why: 'cosmetic: tools use the lDAPDisplayName' });
  }
  return d;
}

function attributeStatus(def: LapsAttributeDefinition, s: SchemaSnapshot, mayContain: Set<string>): AttributeStatus {
  const byId = s.attributeSchemas.find((e) => firstString(e, 'attributeID') === def.attributeId);
  const base: AttributeStatus = {
    key: def.key,
    family: def.family,
    expectedName: def.name,
    attributeId: def.attributeId,
    status: 'missing',
    dn: null,
    name: null,
    schemaIdGuid: null,
    searchFlags: null,
    inComputerMayContain: false,
    differences: [],
    conflict: null,
  };
  if (byId) {
    const name = firstString(byId, 'lDAPDisplayName') ?? def.name;
    const differences = def.family === 'windows' ? compareWindows(def, byId, s.naming.schemaNamingContext) : [];
    return {
      ...base,
      status: differences.some((d) => d.severity !== 'info') ? 'mismatch' : 'ok',
      dn: byId.dn,
      name,
      schemaIdGuid: guidOf(byId, 'schemaIDGUID'),
      searchFlags: num(byId, 'searchFlags') ?? 0,
      inComputerMayContain: mayContain.has(lower(name)),
      differences,
    };
  }
  if (def.family === 'windows') {
    const cn = lower(lapsCommonName(def));
    const clash = s.attributeSchemas.find((e) => lower(firstString(e, 'lDAPDisplayName') ?? '') === lower(def.name) || lower(firstString(e, 'cn') ?? '') === cn);
    if (clash) {
      return {
        ...base,
        status: 'name-conflict',
        conflict: { dn: clash.dn, name: firstString(clash, 'lDAPDisplayName') ?? '', attributeId: firstString(clash, 'attributeID') ?? '' },
      };
    }
  }
  return base;
}

function extendedRightStatus(s: SchemaSnapshot): ExtendedRightStatus {
  const byGuid = s.extendedRights.find((e) => lower(firstString(e, 'rightsGuid') ?? '') === LAPS_PROPERTY_SET_GUID);
  if (!byGuid) {
    const clash = s.extendedRights.find((e) => lower(firstString(e, 'cn') ?? '') === lower(LAPS_PROPERTY_SET_NAME));
    if (clash) {
      return {
        status: 'conflict',
        dn: clash.dn,
        rightsGuid: firstString(clash, 'rightsGuid') ?? null,
        validAccesses: num(clash, 'validAccesses'),
        appliesToComputer: null,
        differences: [{ property: 'rightsGuid', expected: LAPS_PROPERTY_SET_GUID, found: firstString(clash, 'rightsGuid') ?? '(none)', severity: 'blocker', fixable: false, why: 'the attributes name the property set by this GUID' }],
      };
    }
    return { status: 'missing', dn: null, rightsGuid: null, validAccesses: null, appliesToComputer: null, differences: [] };
  }
  const va = num(byGuid, 'validAccesses');
  const applies = allStrings(byGuid, 'appliesTo').map(lower).includes(COMPUTER_CLASS_GUID);
  const differences: AttributeDifference[] = [];
  if (va === null || (va & PROPERTY_SET_VALID_ACCESSES) !== PROPERTY_SET_VALID_ACCESSES) {
    differences.push({ property: 'validAccesses', expected: `${PROPERTY_SET_VALID_ACCESSES} (read and write property)`, found: va === null ? '(none)' : String(va), severity: 'blocker', fixable: true, why: 'property-set grants of read/write would not apply' });
  } else if (va !== PROPERTY_SET_VALID_ACCESSES) {
    differences.push({ property: 'validAccesses', expected: String(PROPERTY_SET_VALID_ACCESSES), found: String(va), severity: 'warning', fixable: true, why: 'differs from what Update-LapsADSchema sets' });
  }
  if (!applies) {
    differences.push({ property: 'appliesTo', expected: `${COMPUTER_CLASS_GUID} (computer)`, found: allStrings(byGuid, 'appliesTo').join(', ') || '(none)', severity: 'warning', fixable: true, why: 'ACL editors offer the property set on computer objects only when it applies to them' });
  }
  return {
    status: differences.some((d) => d.severity === 'blocker' || d.severity === 'warning') ? 'mismatch' : 'ok',
    dn: byGuid.dn,
    rightsGuid: LAPS_PROPERTY_SET_GUID,
    validAccesses: va,
    appliesToComputer: applies,
    differences,
  };
}

function domainControllers(s: SchemaSnapshot, masterServerDn: string | null, encryptionSupported: boolean): DomainControllerRecord[] {
  const serverByDn = new Map(s.servers.map((e) => [dnKey(e.dn), e]));
  const dsaByServer = new Map(s.dsaSettings.map((e) => [dnKey(parentDn(e.dn)), e]));
  const bound = dnKey(s.naming.serverName);
  return s.domainControllers
    .map((e): DomainControllerRecord => {
      const uac = num(e, 'userAccountControl') ?? 0;
      const readOnly = (uac & UAC_PARTIAL_SECRETS_ACCOUNT) !== 0 && (uac & UAC_SERVER_TRUST_ACCOUNT) === 0;
      const serverDn = firstString(e, 'serverReferenceBL') ?? s.servers.find((x) => dnKey(firstString(x, 'serverReference') ?? '') === dnKey(e.dn))?.dn;
      const server = serverDn ? serverByDn.get(dnKey(serverDn)) : undefined;
      const dsa = serverDn ? dsaByServer.get(dnKey(serverDn)) : undefined;
      const level = num(dsa, 'msDS-Behavior-Version');
      const options = num(dsa, 'options');
      const os = firstString(e, 'operatingSystem') ?? '';
      const osv = firstString(e, 'operatingSystemVersion') ?? '';
      const readiness = classifyOs(os, osv);
      let dsrmBackup: DsrmBackup;
      let dsrmReason: string;
      if (readiness.readiness === 'not-windows' || readiness.readiness === 'unsupported') {
        dsrmBackup = 'not-possible';
        dsrmReason = readiness.readiness === 'not-windows' ? `${os || 'this OS'} is not Windows: no Windows LAPS` : readiness.reason;
      } else if (readiness.readiness === 'unknown') {
        dsrmBackup = 'unknown';
        dsrmReason = readiness.reason;
      } else if (!encryptionSupported) {
        dsrmBackup = 'not-possible';
        dsrmReason = 'DSRM backup needs password encryption, which needs domain functional level 2016';
      } else if (readOnly) {
        dsrmBackup = 'unknown';
        dsrmReason = 'read-only DC: whether Windows LAPS backs up DSRM passwords on RODCs is not documented (UNCONFIRMED)';
      } else if (readiness.readiness === 'supported-if-patched') {
        dsrmBackup = 'if-patched';
        dsrmReason = readiness.reason;
      } else {
        dsrmBackup = 'possible';
        dsrmReason = readiness.reason;
      }
      const dnsHostName = firstString(e, 'dNSHostName') ?? (server ? firstString(server, 'dNSHostName') : undefined) ?? '';
      return {
        name: firstString(e, 'cn') ?? e.dn.replace(/^CN=([^,]+),.*$/i, '$1'),
        dn: e.dn,
        dnsHostName,
        operatingSystem: os,
        operatingSystemVersion: osv,
        readOnly,
        globalCatalog: options === null ? null : (options & NTDSDSA_OPT_IS_GC) !== 0,
        functionalLevel: level === null ? null : { level, name: functionalLevelName(level) },
        windowsLaps: readiness.readiness,
        dsrmBackup,
        dsrmReason,
        schemaMaster: !!serverDn && !!masterServerDn && dnKey(serverDn) === dnKey(masterServerDn),
        boundDc: !!serverDn && dnKey(serverDn) === bound,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function kdsStatus(s: SchemaSnapshot, now: Date, authoritative: boolean): KdsStatus {
  const keys: KdsRootKeySummary[] = s.kds.rootKeys.map((e) => {
    const useStart = parseInteger8Time(firstString(e, 'msKds-UseStartTime'));
    const created = parseInteger8Time(firstString(e, 'msKds-CreateTime'));
    const kdfParam = firstBuffer(e, 'msKds-KDFParam');
    let kdfHash: string | null = null;
    if (kdfParam) {
      try {
        kdfHash = parseKdfParameters(kdfParam);
      } catch {
        kdfHash = 'unrecognised';
      }
    }
    return {
      id: firstString(e, 'cn') ?? e.dn.replace(/^CN=([^,]+),.*$/i, '$1'),
      dn: e.dn,
      createdAt: created ? created.toISOString() : null,
      usableFrom: useStart ? useStart.toISOString() : null,
      usableNow: !!useStart && useStart.getTime() <= now.getTime(),
      kdfAlgorithm: firstString(e, 'msKds-KDFAlgorithmID') ?? null,
      kdfHash,
      secretAgreement: firstString(e, 'msKds-SecretAgreementAlgorithmID') ?? null,
      privateKeyLength: num(e, 'msKds-PrivateKeyLength'),
      publicKeyLength: num(e, 'msKds-PublicKeyLength'),
    };
  });
  keys.sort((a, b) => (a.usableFrom ?? '').localeCompare(b.usableFrom ?? ''));
  const readable = keys.length > 0 || authoritative;
  const status: KdsState = keys.some((k) => k.usableNow) ? 'usable' : keys.length > 0 ? 'not-yet-effective' : readable ? 'missing' : 'unreadable';
  const containerKnown = (e: DirEntry | undefined) => (e ? true : readable ? false : null);
  const starts = keys.map((k) => k.usableFrom).filter((x): x is string => !!x).sort();
  return {
    status,
    readableByAccount: readable,
    serviceContainer: containerKnown(s.kds.serviceContainer),
    masterRootKeysContainer: containerKnown(s.kds.masterRootKeys),
    rootKeys: keys,
    usableFrom: starts[0] ?? null,
  };
}

function listNames(a: AttributeStatus[]): string {
  return a.map((x) => x.expectedName).join(', ');
}

function worst(d: AttributeDifference[]): Severity {
  if (d.some((x) => x.severity === 'blocker')) return 'blocker';
  if (d.some((x) => x.severity === 'warning')) return 'warning';
  return 'info';
}

function describeDifferences(d: AttributeDifference[]): string {
  return d
    .filter((x) => x.severity !== 'info')
    .map((x) => `${x.property}: expected ${x.expected}, found ${x.found} (${x.why})`)
    .join('; ');
}

export function analyzeSchema(s: SchemaSnapshot, options: SchemaCheckOptions): SchemaAnalysis {
  const encryption = options.encryption ?? true;
  const encSeverity: Severity = encryption ? 'blocker' : 'warning';
  const f: Finding[] = [];
  const facts = s.facts;
  const mayContain = computerMayContain(s);

  // --- schema head, schema master, bound account
  const objectVersion = num(s.schemaHead, 'objectVersion') ?? facts.schemaVersion.objectVersion ?? null;
  const fsmo = s.schemaHead ? firstString(s.schemaHead, 'fSMORoleOwner') ?? null : null;
  const masterServerDn = fsmo ? parentDn(fsmo) : null;
  const masterServer = masterServerDn ? s.servers.find((e) => dnKey(e.dn) === dnKey(masterServerDn)) : undefined;
  const schemaMaster = {
    ntdsSettingsDn: fsmo,
    serverDn: masterServerDn,
    dnsHostName: masterServer ? firstString(masterServer, 'dNSHostName') ?? null : null,
    boundDcIsMaster: !!masterServerDn && dnKey(masterServerDn) === dnKey(s.naming.serverName),
  };
  const boundAs = {
    dn: facts.boundAs.dn,
    sid: facts.boundAs.sid,
    schemaAdmin: facts.boundAs.schemaAdmin,
    domainAdmin: facts.boundAs.domainAdmin,
    enterpriseAdmin: facts.boundAs.enterpriseAdmin,
  };

  // --- legacy schema
  const legacyAttrs = LAPS_ATTRIBUTES.filter((a) => a.family === 'legacy').map((d) => attributeStatus(d, s, mayContain));
  const legacyFound = legacyAttrs.filter((a) => a.status !== 'missing');
  const legacyStatus = legacyFound.length === legacyAttrs.length ? 'present' : legacyFound.length ? 'partial' : 'missing';
  const renamed = legacyFound.filter((a) => a.name !== null && lower(a.name) !== lower(a.expectedName));
  if (legacyStatus === 'missing') {
    f.push({
      code: 'LEGACY_SCHEMA_MISSING',
      severity: 'info',
      object: 'schema',
      message: 'The legacy LAPS schema (ms-Mcs-AdmPwd, ms-Mcs-AdmPwdExpirationTime) is not in this forest, under any name.',
      evidence: `no attributeSchema with attributeID ${legacyAttrs.map((a) => a.attributeId).join(' or ')}`,
      advice: 'Nothing to migrate from legacy LAPS; deploy Windows LAPS directly. Legacy emulation mode is not available without this schema (event 10012).',
    });
  } else if (legacyStatus === 'partial') {
    const missing = legacyAttrs.filter((a) => a.status === 'missing');
    f.push({
      code: 'LEGACY_SCHEMA_PARTIAL',
      severity: 'warning',
      object: 'schema',
      message: `Only part of the legacy LAPS schema is present: ${listNames(missing)} ${missing.length === 1 ? 'is' : 'are'} missing.`,
      evidence: legacyFound.map((a) => `${a.name} (${a.attributeId})`).join(', '),
      advice: 'Legacy LAPS (and Windows LAPS legacy emulation) needs both attributes; if legacy LAPS is still in use, rerun Update-AdmPwdADSchema, otherwise move straight to Windows LAPS.',
    });
  }
  for (const a of renamed) {
    f.push({
      code: 'LEGACY_SCHEMA_RENAMED',
      severity: 'info',
      object: a.dn ?? 'schema',
      message: `The legacy attribute ${a.expectedName} is named ${a.name} in this forest (found by its attributeID).`,
      evidence: `attributeID ${a.attributeId}, lDAPDisplayName ${a.name}`,
      advice: 'laps-migrate finds it by attributeID. Tools that look for the standard name will miss it; Microsoft does not document whether Windows LAPS legacy emulation handles a renamed attribute: pilot emulation on a few computers before relying on it.',
    });
  }
  const legacyNotAllowed = legacyFound.filter((a) => !a.inComputerMayContain);
  if (legacyNotAllowed.length) {
    f.push({
      code: 'LEGACY_NOT_IN_COMPUTER_MAYCONTAIN',
      severity: 'warning',
      object: `CN=Computer,${s.naming.schemaNamingContext}`,
      message: `The computer class does not list ${legacyNotAllowed.map((a) => a.name).join(', ')} in mayContain: computers cannot hold legacy LAPS values.`,
      evidence: `computer mayContain/systemMayContain: ${[...mayContain].filter((n) => /admpwd/i.test(n)).join(', ') || 'no AdmPwd attribute'}`,
      advice: 'If legacy LAPS is still in use, rerun Update-AdmPwdADSchema (it adds them to the computer class).',
    });
  }
  const legacyPwd = legacyAttrs.find((a) => a.key === 'legacyPassword');
  if (legacyPwd && legacyPwd.status !== 'missing' && legacyPwd.searchFlags !== null && (legacyPwd.searchFlags & SEARCH_FLAG_CONFIDENTIAL) === 0) {
    f.push({
      code: 'LEGACY_PASSWORD_NOT_CONFIDENTIAL',
      severity: 'warning',
      object: legacyPwd.dn ?? 'schema',
      message: `${legacyPwd.name} is not marked confidential: every account with Read All Properties on a computer can read its legacy password.`,
      evidence: `searchFlags ${searchFlagBits(legacyPwd.searchFlags)}`,
      advice: 'Set the confidential bit (0x80) in its searchFlags now (Schema Admin), or hurry the migration to encrypted Windows LAPS passwords and the cleanup of legacy values.',
    });
  }

  // --- Windows LAPS schema
  const winAttrs = LAPS_ATTRIBUTES.filter((a) => a.family === 'windows').map((d) => attributeStatus(d, s, mayContain));
  const right = extendedRightStatus(s);
  const present = winAttrs.filter((a) => a.status === 'ok' || a.status === 'mismatch');
  const missing = winAttrs.filter((a) => a.status === 'missing');
  const conflicts = winAttrs.filter((a) => a.status === 'name-conflict');
  const coreMissing = missing.filter((a) => a.key !== LATE_ATTRIBUTE);
  const attributesToAdd = missing.map((a) => a.key);
  const mayContainToAdd = winAttrs.filter((a) => (a.status === 'missing' || ((a.status === 'ok' || a.status === 'mismatch') && !a.inComputerMayContain))).map((a) => a.name ?? a.expectedName);
  const windowsStatus: SchemaAnalysis['windowsLaps']['status'] =
    present.length === 0 && conflicts.length === 0 && right.status === 'missing'
      ? 'missing'
      : present.length === winAttrs.length && winAttrs.every((a) => a.status === 'ok' && a.inComputerMayContain) && right.status === 'ok'
        ? 'complete'
        : 'partial';

  if (windowsStatus === 'missing') {
    f.push({
      code: 'WINDOWS_LAPS_SCHEMA_MISSING',
      severity: 'blocker',
      object: 'schema',
      message: 'The Windows LAPS schema is not extended: none of the seven msLAPS-* attributes, nor the ms-LAPS-Encrypted-Password-Attributes extended right, exists.',
      evidence: `no attributeSchema with attributeID 1.2.840.113556.1.6.44.1.1 .. .7; no controlAccessRight with rightsGuid ${LAPS_PROPERTY_SET_GUID}`,
      advice: 'Extend it: laps-migrate schema --apply --confirm-irreversible (as a Schema Admin, against the schema master), or Update-LapsADSchema. Windows LAPS clients cannot back up to AD until then (event 10012).',
    });
  } else {
    if (coreMissing.length) {
      f.push({
        code: 'WINDOWS_LAPS_SCHEMA_PARTIAL',
        severity: 'blocker',
        object: 'schema',
        message: `The Windows LAPS schema is only partly extended: ${listNames(coreMissing)} ${coreMissing.length === 1 ? 'is' : 'are'} missing.`,
        evidence: `present: ${present.map((a) => a.name).join(', ') || 'none'}; missing: ${listNames(missing)}`,
        advice: 'Apply the schema step to add only what is missing (laps-migrate schema --apply --confirm-irreversible), or rerun Update-LapsADSchema.',
      });
    } else if (missing.some((a) => a.key === LATE_ATTRIBUTE)) {
      f.push({
        code: 'WINDOWS_LAPS_VERSION_ATTRIBUTE_MISSING',
        severity: 'warning',
        object: 'schema',
        message: 'msLAPS-CurrentPasswordVersion is missing: the schema was extended by an earlier Update-LapsADSchema. Windows LAPS works, but cannot detect an OS image rollback (a restored snapshot keeps a password that AD no longer has).',
        evidence: 'no attributeSchema with attributeID 1.2.840.113556.1.6.44.1.7',
        advice: 'Add it: laps-migrate schema --apply --confirm-irreversible, or run Update-LapsADSchema from Windows Server 2025 / Windows 11 24H2.',
      });
    }
    if (right.status === 'missing') {
      f.push({
        code: 'LAPS_EXTENDED_RIGHT_MISSING',
        severity: 'blocker',
        object: `CN=Extended-Rights,${s.naming.configurationNamingContext}`,
        message: `The ${LAPS_PROPERTY_SET_NAME} extended right (property set ${LAPS_PROPERTY_SET_GUID}) is missing: permissions on the encrypted attributes cannot be granted as Windows LAPS grants them.`,
        evidence: `no controlAccessRight with rightsGuid ${LAPS_PROPERTY_SET_GUID} under CN=Extended-Rights`,
        advice: 'Apply the schema step (it adds the extended right), or rerun Update-LapsADSchema.',
      });
    }
  }
  for (const a of winAttrs.filter((x) => x.status === 'mismatch')) {
    const sev = worst(a.differences);
    const unfixable = a.differences.some((d) => d.severity !== 'info' && !d.fixable);
    f.push({
      code: 'WINDOWS_LAPS_ATTRIBUTE_MISMATCH',
      severity: sev,
      object: a.dn ?? a.expectedName,
      message: `${a.name ?? a.expectedName} exists but differs from Microsoft's definition: ${a.differences.filter((d) => d.severity !== 'info').map((d) => d.property).join(', ')}.`,
      evidence: describeDifferences(a.differences),
      advice: unfixable
        ? 'Syntax and single/multi-value cannot be changed on an existing attribute. Do not deploy Windows LAPS against it: open a case with Microsoft support (the attribute must be made defunct and the forest cannot reuse its attributeID).'
        : 'A Schema Admin can correct these properties on the attributeSchema object (searchFlags, attributeSecurityGUID, ranges); laps-migrate does not change existing schema objects.',
    });
  }
  for (const a of conflicts) {
    f.push({
      code: 'WINDOWS_LAPS_ATTRIBUTE_NAME_CONFLICT',
      severity: 'blocker',
      object: a.conflict!.dn,
      message: `An attribute named ${a.conflict!.name} exists with attributeID ${a.conflict!.attributeId}, not Microsoft's ${a.attributeId}: ${a.expectedName} cannot be added.`,
      evidence: `${a.conflict!.dn}: lDAPDisplayName ${a.conflict!.name}, attributeID ${a.conflict!.attributeId}`,
      advice: 'Someone created a look-alike attribute. Find out what uses it; it must be renamed or made defunct (Schema Admin) before Update-LapsADSchema or this step can add the real one.',
    });
  }
  const notInClass = present.filter((a) => !a.inComputerMayContain);
  if (notInClass.length) {
    f.push({
      code: 'WINDOWS_LAPS_NOT_IN_COMPUTER_MAYCONTAIN',
      severity: 'blocker',
      object: `CN=Computer,${s.naming.schemaNamingContext}`,
      message: `The computer class does not allow ${notInClass.map((a) => a.name).join(', ')}: computers cannot store ${notInClass.length === 1 ? 'it' : 'them'}.`,
      evidence: `not in computer mayContain or systemMayContain`,
      advice: 'Apply the schema step (it adds them to the computer class), or rerun Update-LapsADSchema.',
    });
  }
  if (right.status === 'mismatch' || right.status === 'conflict') {
    f.push({
      code: 'LAPS_EXTENDED_RIGHT_MISMATCH',
      severity: worst(right.differences),
      object: right.dn ?? 'extended rights',
      message: right.status === 'conflict'
        ? `An extended right named ${LAPS_PROPERTY_SET_NAME} exists with another rightsGuid: the encrypted attributes' property set cannot be granted.`
        : `The ${LAPS_PROPERTY_SET_NAME} extended right differs from Microsoft's definition.`,
      evidence: describeDifferences(right.differences),
      advice: right.status === 'conflict'
        ? 'Find out what created it; it must be removed or renamed (Enterprise Admin) before the real one can be added.'
        : 'An Enterprise Admin can correct validAccesses / appliesTo on the controlAccessRight object.',
    });
  }
  if (windowsStatus === 'complete') {
    f.push({
      code: 'WINDOWS_LAPS_SCHEMA_READY',
      severity: 'info',
      object: 'schema',
      message: 'The Windows LAPS schema is complete: seven msLAPS-* attributes as Microsoft defines them, in the computer class, and the ms-LAPS-Encrypted-Password-Attributes extended right.',
      advice: 'Nothing to do.',
    });
  }
  const schemaChangesNeeded = attributesToAdd.length > 0 || mayContainToAdd.length > 0 || right.status === 'missing';
  if (schemaChangesNeeded && !boundAs.schemaAdmin) {
    f.push({
      code: 'NOT_SCHEMA_ADMIN',
      severity: 'warning',
      object: boundAs.dn,
      message: `${boundAs.dn} is not a member of Schema Admins: it cannot make the schema changes this plan lists.`,
      evidence: `tokenGroups of the bound account do not contain ${facts.forestRootSid}-518`,
      advice: 'Run the apply as a member of Schema Admins (add the account temporarily and remove it afterwards), or have a Schema Admin run it.',
    });
  }
  if (schemaChangesNeeded && !schemaMaster.boundDcIsMaster) {
    f.push({
      code: 'NOT_SCHEMA_MASTER',
      severity: 'warning',
      object: s.naming.serverName,
      message: `This DC (${facts.dcHost}) is not the schema master${schemaMaster.dnsHostName ? ` (${schemaMaster.dnsHostName} is)` : ''}: schema changes must be written there.`,
      evidence: `fSMORoleOwner ${fsmo ?? '(not readable)'}`,
      advice: `Run the apply with --server ldaps://${schemaMaster.dnsHostName ?? '<schema master>'}.`,
    });
  }

  // --- functional levels and DCs
  const domainLevel = facts.domainFunctionalLevel;
  const forestLevel = facts.forestFunctionalLevel;
  const encryptionSupported = domainLevel.level >= DFL_2016;
  const dcs = domainControllers(s, masterServerDn, encryptionSupported);
  if (!encryptionSupported) {
    const old = dcs.filter((d) => d.functionalLevel && d.functionalLevel.level < DFL_2016);
    f.push({
      code: 'DFL_BELOW_2016',
      severity: encSeverity,
      object: facts.domainDn,
      message: `The domain functional level is ${domainLevel.name}, below 2016: Windows LAPS cannot encrypt passwords in this domain, so it can keep neither a password history nor DSRM passwords of DCs.`,
      evidence: `domain msDS-Behavior-Version ${domainLevel.level} (${domainLevel.name}), forest ${forestLevel.level} (${forestLevel.name})${old.length ? `; DCs below 2016: ${old.map((d) => `${d.name} (${d.functionalLevel!.name})`).join(', ')}` : ''}`,
      advice: encryption
        ? 'Raise the domain functional level to 2016 (every DC must run Windows Server 2016 or later) before enabling encryption. Until then a policy with ADPasswordEncryptionEnabled=1 (the default) makes clients log event 10006 and store nothing: set ADPasswordEncryptionEnabled=0 to store clear-text msLAPS-Password instead, protected by ACLs only.'
        : 'You plan Windows LAPS without encryption: passwords stay readable by anyone with the right ACLs, with no history and no DSRM backup. Set ADPasswordEncryptionEnabled=0 in the policy (its default, 1, makes clients log event 10006 and store nothing).',
    });
  } else {
    f.push({
      code: 'DFL_SUPPORTS_ENCRYPTION',
      severity: 'info',
      object: facts.domainDn,
      message: `The domain functional level is ${domainLevel.name}: Windows LAPS can encrypt passwords, keep a history and back up DSRM passwords.`,
      evidence: `domain msDS-Behavior-Version ${domainLevel.level}, forest ${forestLevel.level} (${forestLevel.name})`,
      advice: 'Nothing to do.',
    });
  }
  const noDsrm = dcs.filter((d) => d.dsrmBackup === 'not-possible' || d.dsrmBackup === 'unknown');
  if (noDsrm.length) {
    f.push({
      code: 'DSRM_BACKUP_UNAVAILABLE',
      severity: 'info',
      object: 'domain controllers',
      count: noDsrm.length,
      message: `Windows LAPS cannot (or may not) back up the DSRM password on ${noDsrm.length} of ${dcs.length} DC(s): ${noDsrm.map((d) => d.name).join(', ')}.`,
      evidence: noDsrm.map((d) => `${d.name}: ${d.dsrmReason}`).join('; '),
      advice: 'Keep the DSRM passwords of these DCs in your existing vault; upgrade or replace DCs that cannot run Windows LAPS.',
    });
  }

  // --- KDS root keys
  const kds = kdsStatus(s, options.now, boundAs.domainAdmin || boundAs.enterpriseAdmin);
  const keyList = (keys: KdsRootKeySummary[]) =>
    keys.map((k) => `${k.id} (${k.kdfAlgorithm ?? '?'}/${k.kdfHash ?? '?'}, ${k.secretAgreement ?? '?'}${k.publicKeyLength ? ` ${k.publicKeyLength}-bit` : ''}, usable from ${k.usableFrom ?? 'unknown'})`).join('; ');
  if (kds.status === 'usable') {
    f.push({
      code: 'KDS_ROOT_KEY_READY',
      severity: 'info',
      object: kdsMasterRootKeysDn(s.naming.configurationNamingContext),
      message: `${kds.rootKeys.filter((k) => k.usableNow).length} KDS root key(s) are usable: DCs can hand out the group keys Windows LAPS encrypts to.`,
      evidence: keyList(kds.rootKeys),
      advice: 'Nothing to do. Never delete a root key that was ever used: passwords (and gMSA passwords) encrypted with it could no longer be decrypted.',
    });
  } else if (kds.status === 'not-yet-effective') {
    f.push({
      code: 'KDS_ROOT_KEY_NOT_YET_EFFECTIVE',
      severity: 'warning',
      object: kdsMasterRootKeysDn(s.naming.configurationNamingContext),
      message: `A KDS root key exists but is not usable before ${kds.usableFrom}: Windows LAPS encryption fails until then.`,
      evidence: keyList(kds.rootKeys),
      advice: 'Wait until that time (Add-KdsRootKey makes keys usable after 10 hours so that every DC has replicated them). Do not create another key to hurry it.',
    });
  } else if (kds.status === 'missing') {
    f.push({
      code: 'KDS_ROOT_KEY_MISSING',
      severity: encSeverity,
      object: `CN=Services,${s.naming.configurationNamingContext}`,
      message: 'There is no KDS root key in this forest: DCs cannot hand out the group keys that Windows LAPS encrypts passwords to.',
      evidence: `${kds.serviceContainer ? '' : 'no CN=Group Key Distribution Service container; '}${kds.masterRootKeysContainer ? 'CN=Master Root Keys holds no msKds-ProvRootKey' : 'no CN=Master Root Keys container'} (read as ${boundAs.dn}, ${boundAs.enterpriseAdmin ? 'an Enterprise' : 'a Domain'} Admin)`,
      advice: 'On a DC, as Domain Admin of the forest root or Enterprise Admin, run Add-KdsRootKey (usable after 10 hours). It is permanent: group managed service accounts depend on these keys too. In a lab: laps-migrate schema --apply --confirm-irreversible --create-kds-root-key.',
    });
  } else {
    f.push({
      code: 'KDS_ROOT_KEY_UNREADABLE',
      severity: 'warning',
      object: `CN=Services,${s.naming.configurationNamingContext}`,
      message: 'Whether a KDS root key exists is unknown: root keys are not readable by this account.',
      evidence: `${boundAs.dn} saw no msKds-ProvRootKey and is neither a Domain Admin nor an Enterprise Admin`,
      advice: 'Rerun this check as a Domain Admin or Enterprise Admin, or run Get-KdsRootKey on a DC.',
    });
  }

  return {
    schemaVersion: { objectVersion, name: facts.schemaVersion.name ?? null },
    schemaMaster,
    boundAs,
    legacy: { status: legacyStatus, renamed: renamed.length > 0, attributes: legacyAttrs },
    windowsLaps: { status: windowsStatus, attributes: winAttrs, extendedRight: right, mayContainToAdd, attributesToAdd },
    functionalLevels: { domain: domainLevel, forest: forestLevel, encryptionSupported },
    domainControllers: dcs,
    kds,
    schemaChangesNeeded,
    findings: f,
  };
}
