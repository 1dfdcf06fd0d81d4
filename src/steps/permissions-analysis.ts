/**
 * Step 3 analysis (pure: descriptors, SIDs and plain objects in, plain objects out): who can read
 * and reset LAPS passwords of both families on every container holding computers (and, per
 * computer, on each computer's own descriptor), by which route, whether each computer may write
 * its own LAPS attributes (SELF), the gaps between the legacy and the Windows LAPS delegations,
 * DirSync holders at the domain root, and the findings.
 *
 * Rules are Windows' access check (src/security effectiveAccess): reading a confidential
 * attribute takes READ_PROPERTY + CONTROL_ACCESS on it or on its property set; a reset is
 * WRITE_PROPERTY on the expiration time. A container's answer is the one for a computer created
 * there now: its class default ACEs (CREATOR OWNER standing for whoever creates it) and what it
 * inherits from the container's stored DACL. Principals are evaluated with their own SID, their
 * groups (resolved by the caller) and Everyone / Authenticated Users.
 *
 * Computers are fed one at a time (addComputer) while the directory is paged through; identical
 * descriptors are evaluated once, after the caller has resolved the SIDs they name.
 */
import {
  ADS_RIGHT_DS_CONTROL_ACCESS,
  ADS_RIGHT_DS_READ_PROP,
  ADS_RIGHT_DS_WRITE_PROP,
  ADS_RIGHT_WRITE_DAC,
  ADS_RIGHT_WRITE_OWNER,
  AceFlag,
  aceAppliesTo,
  aceToSddl,
  domainOf,
  effectiveAccess,
  Guids,
  indirectRoutes,
  isAllowAce,
  isDaclProtected,
  isDenyAce,
  mapGenericRights,
  parseSecurityDescriptor,
  prospectiveChildSd,
  READ_CONFIDENTIAL,
  ridOf,
  sidDisplayName,
  targetPath,
  trusteeAccess,
  WellKnownSids,
  type AccessRoute,
  type AccessTarget,
  type Ace,
  type SecurityDescriptor,
} from '../security/index.js';
import { createHash } from 'node:crypto';
import type { LapsAttributeKey } from '../laps/attributes.js';
import { dnKey, friendlyPath, parentDn } from '../directory/dn.js';
import type { Finding, Severity } from '../model/step-result.js';
import type { Principal } from '../directory/principals.js';

export type { Principal };

// ---------------------------------------------------------------------------------------------
// vocabulary

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
const ROUTE_ORDER: readonly Route[] = ['full-control', 'all-extended-rights', 'delegation', 'creator-owner', 'all-properties', 'other', 'owner', 'write-dac', 'write-owner'];

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

// ---------------------------------------------------------------------------------------------
// principals and tiers

const ADMIN_RIDS = new Set([500, 512, 518, 519]);
const DC_RIDS = new Set([498, 516, 521]);
const BROAD_RIDS = new Set([513, 514, 515]);
const ADMIN_SIDS = new Set<string>([WellKnownSids.SYSTEM, WellKnownSids.BUILTIN_ADMINISTRATORS]);
const OPERATOR_SIDS = new Set<string>([WellKnownSids.ACCOUNT_OPERATORS, 'S-1-5-32-549', 'S-1-5-32-550', 'S-1-5-32-551']);
const BROAD_SIDS = new Set<string>([WellKnownSids.EVERYONE, WellKnownSids.AUTHENTICATED_USERS, WellKnownSids.ANONYMOUS, WellKnownSids.NETWORK, 'S-1-5-15', WellKnownSids.BUILTIN_USERS, WellKnownSids.PRE_WINDOWS_2000]);
/** Added to every principal's token (members of anything are authenticated users). */
const IMPLICIT_GROUPS = [WellKnownSids.EVERYONE, WellKnownSids.AUTHENTICATED_USERS];
/** A SID no principal has: stands for "a computer created here" in SELF checks. */
export const PROSPECTIVE_COMPUTER_SID = 'S-1-5-21-0-0-0-4294967294';

export class PrincipalTable {
  private readonly bySid = new Map<string, Principal>();
  private readonly tierCache = new Map<string, Tier>();
  private readonly tokenCache = new Map<string, string[]>();
  readonly domainSid: string;
  readonly rootDomainSid: string;

  constructor(principals: Iterable<Principal>, domainSid: string, rootDomainSid = domainSid) {
    for (const p of principals) this.bySid.set(p.sid, p);
    this.domainSid = domainSid;
    this.rootDomainSid = rootDomainSid;
  }

  get(sid: string): Principal | undefined {
    return this.bySid.get(sid);
  }

  all(): Principal[] {
    return [...this.bySid.values()];
  }

  name(sid: string): string {
    if (sid === WellKnownSids.CREATOR_OWNER) return 'CREATOR OWNER (whoever creates the computer)';
    const p = this.bySid.get(sid);
    if (p && p.name) return p.name;
    return sidDisplayName(sid, { domainSid: this.domainSid }) ?? sid;
  }

  /** The principal's SID, its groups and the implicit ones: what an ACE check sees for it. */
  token(sid: string): string[] {
    let t = this.tokenCache.get(sid);
    if (t) return t;
    const set = new Set<string>([sid, ...(this.bySid.get(sid)?.groups ?? [])]);
    if (sid !== WellKnownSids.CREATOR_OWNER && sid !== WellKnownSids.SELF) for (const g of IMPLICIT_GROUPS) if (g !== sid) set.add(g);
    if (sid === WellKnownSids.EVERYONE) set.delete(WellKnownSids.AUTHENTICATED_USERS);
    t = [...set];
    this.tokenCache.set(sid, t);
    return t;
  }

  private baseTier(sid: string): Tier | undefined {
    if (sid === WellKnownSids.SELF) return 'self';
    if (sid === WellKnownSids.CREATOR_OWNER) return 'creator';
    if (sid === WellKnownSids.ENTERPRISE_DOMAIN_CONTROLLERS) return 'dc';
    if (ADMIN_SIDS.has(sid)) return 'admin';
    if (OPERATOR_SIDS.has(sid)) return 'operator';
    if (BROAD_SIDS.has(sid)) return 'broad';
    const rid = ridOf(sid);
    const dom = domainOf(sid);
    if (rid !== undefined && (dom === this.domainSid || dom === this.rootDomainSid)) {
      if (ADMIN_RIDS.has(rid)) return 'admin';
      if (DC_RIDS.has(rid)) return 'dc';
      if (BROAD_RIDS.has(rid)) return 'broad';
    }
    return undefined;
  }

  tier(sid: string): Tier {
    const cached = this.tierCache.get(sid);
    if (cached) return cached;
    let tier = this.baseTier(sid);
    if (!tier) {
      const groups = this.bySid.get(sid)?.groups ?? [];
      const tiers = groups.map((g) => this.baseTier(g));
      tier = tiers.includes('admin') ? 'admin' : tiers.includes('dc') ? 'dc' : tiers.includes('operator') ? 'operator' : 'delegated';
    }
    this.tierCache.set(sid, tier);
    return tier;
  }
}

/** Tiers a review is about: accounts that are not admins, DCs, SELF or the creator placeholder. */
export function isNonAdmin(tier: Tier): boolean {
  return tier === 'delegated' || tier === 'broad' || tier === 'operator';
}

/** Principals given access by someone (not the built-in operator groups, whose access is AD's default). */
export function isDelegated(tier: Tier): boolean {
  return tier === 'delegated' || tier === 'broad';
}

// ---------------------------------------------------------------------------------------------
// capability targets

interface CapabilityTarget {
  target: AccessTarget;
  rights: number;
  /** The bit whose ACE decides the route. */
  decisive: number;
}

function attributeTarget(g: LapsGuids, key: LapsAttributeKey): AccessTarget['attribute'] | undefined {
  const a = g.attributes[key];
  if (!a) return undefined;
  return { guid: a.guid, propertySet: a.propertySet ?? null, name: a.name };
}

export function capabilityTargets(g: LapsGuids): Partial<Record<Capability, CapabilityTarget>> {
  const out: Partial<Record<Capability, CapabilityTarget>> = {};
  const classes = [g.computerClass];
  const add = (cap: Capability, key: LapsAttributeKey, rights: number, decisive: number) => {
    const attribute = attributeTarget(g, key);
    if (attribute) out[cap] = { target: { objectClassGuids: classes, attribute }, rights, decisive };
  };
  add('readLegacy', 'legacyPassword', READ_CONFIDENTIAL, ADS_RIGHT_DS_CONTROL_ACCESS);
  add('readWindowsClear', 'password', READ_CONFIDENTIAL, ADS_RIGHT_DS_CONTROL_ACCESS);
  add('readWindowsEncrypted', 'encryptedPassword', READ_CONFIDENTIAL, ADS_RIGHT_DS_CONTROL_ACCESS);
  add('resetLegacy', 'legacyExpiration', ADS_RIGHT_DS_WRITE_PROP, ADS_RIGHT_DS_WRITE_PROP);
  add('resetWindows', 'expiration', ADS_RIGHT_DS_WRITE_PROP, ADS_RIGHT_DS_WRITE_PROP);
  return out;
}

interface SelfRequirement {
  group: 'legacy' | 'windows' | 'readEncrypted';
  key: LapsAttributeKey;
  rights: number;
  label: string;
}

const RP = ADS_RIGHT_DS_READ_PROP;
const WP = ADS_RIGHT_DS_WRITE_PROP;

export function selfRequirements(g: LapsGuids): SelfRequirement[] {
  const req: SelfRequirement[] = [];
  const need = (group: SelfRequirement['group'], key: LapsAttributeKey, rights: number, verb: string) => {
    const a = g.attributes[key];
    if (a) req.push({ group, key, rights, label: `${verb} ${a.name}` });
  };
  need('legacy', 'legacyPassword', WP, 'WP');
  need('legacy', 'legacyExpiration', RP | WP, 'RPWP');
  need('windows', 'password', WP, 'WP');
  need('windows', 'expiration', RP | WP, 'RPWP');
  need('windows', 'encryptedPassword', WP, 'WP');
  need('windows', 'encryptedPasswordHistory', WP, 'WP');
  need('readEncrypted', 'encryptedPassword', READ_CONFIDENTIAL, 'RP+CR');
  return req;
}

/** True when both families' password attributes are in the schema. */
export function hasFamily(g: LapsGuids, family: 'legacy' | 'windows'): boolean {
  const a = g.attributes;
  return family === 'legacy' ? !!(a.legacyPassword && a.legacyExpiration) : !!(a.password && a.expiration && a.encryptedPassword);
}

// ---------------------------------------------------------------------------------------------
// evaluating one descriptor

export interface Evaluation {
  owner: string | undefined;
  protected: boolean;
  holders: Record<Capability, Holder[]>;
  self: SelfCoverage;
  /** Principals (not admins) that may rewrite the DACL / owner: route write-dac, write-owner or owner. */
  canGrantThemselves: Holder[];
}

/** Where an ACE on an evaluated descriptor comes from. */
export type OriginOf = (ace: Ace, index: number) => { origin: Origin; definedAt?: string };

function aceKey(ace: Ace, sid = ace.sid): string {
  return `${isDenyAce(ace) ? 'D' : 'A'}|${sid}|${mapGenericRights(ace.mask)}|${ace.objectType ?? ''}`;
}

function emptyHolders(): Record<Capability, Holder[]> {
  return { readLegacy: [], readWindowsClear: [], readWindowsEncrypted: [], resetLegacy: [], resetWindows: [] };
}

function sortRoutes(r: Iterable<Route>): Route[] {
  return [...new Set(r)].sort((a, b) => ROUTE_ORDER.indexOf(a) - ROUTE_ORDER.indexOf(b));
}

/**
 * The token a computer presents when it writes to itself: its SID (so SELF applies), Domain
 * Computers, Everyone and Authenticated Users.
 */
export function computerToken(objectSid: string, domainSid: string): string[] {
  return [objectSid, `${domainSid}-515`, WellKnownSids.EVERYONE, WellKnownSids.AUTHENTICATED_USERS];
}

export function selfCoverage(sd: SecurityDescriptor, g: LapsGuids, objectSid: string, domainSid: string): SelfCoverage {
  const token = new Set(computerToken(objectSid, domainSid));
  const ok = { legacy: true, windows: true, readEncrypted: true };
  const missing: string[] = [];
  const groups = new Set<SelfRequirement['group']>();
  for (const r of selfRequirements(g)) {
    groups.add(r.group);
    if (!trusteeAccess(sd, token, { objectClassGuids: [g.computerClass], attribute: attributeTarget(g, r.key)!, objectSid }, r.rights).effective) {
      ok[r.group] = false;
      missing.push(r.label);
    }
  }
  // a family whose schema is absent is not "covered"
  if (!groups.has('legacy') || !hasFamily(g, 'legacy')) ok.legacy = false;
  if (!groups.has('windows') || !hasFamily(g, 'windows')) ok.windows = false;
  if (!groups.has('readEncrypted')) ok.readEncrypted = false;
  return { ...ok, missing };
}

/** Every trustee an evaluation looks at: ACEs that apply to a capability or to the object, and the owner. */
function candidates(sd: SecurityDescriptor, targets: Partial<Record<Capability, CapabilityTarget>>, computerClass: string): string[] {
  const paths = Object.values(targets).map((t) => ({ path: targetPath(t!.target), rights: t!.rights }));
  const objectPath = targetPath({ objectClassGuids: [computerClass] });
  const out = new Set<string>();
  for (const ace of sd.dacl?.aces ?? []) {
    if (!isAllowAce(ace) && !isDenyAce(ace)) continue;
    if (ace.sid === WellKnownSids.SELF) continue;
    const mask = mapGenericRights(ace.mask);
    const relevant = paths.some((p) => aceAppliesTo(ace, p.path) && (mask & p.rights) !== 0) || (isAllowAce(ace) && aceAppliesTo(ace, objectPath) && (mask & (ADS_RIGHT_WRITE_DAC | ADS_RIGHT_WRITE_OWNER)) !== 0);
    if (relevant) out.add(ace.sid);
  }
  if (sd.owner !== undefined && sd.owner !== WellKnownSids.SELF) out.add(sd.owner);
  return [...out];
}

/** Evaluates one descriptor: every capability for every candidate trustee, SELF coverage, DACL writers. */
export function evaluateDescriptor(
  sd: SecurityDescriptor,
  g: LapsGuids,
  principals: PrincipalTable,
  originOf: OriginOf,
  self: { objectSid: string; domainSid: string },
  classDefault?: SecurityDescriptor,
): Evaluation {
  const targets = capabilityTargets(g);
  const holders = emptyHolders();
  const canGrant: Holder[] = [];
  const defaultKeys = new Set((classDefault?.dacl?.aces ?? []).map((a) => aceKey(a)));
  const fromCreatorOwner = (ace: Ace): boolean =>
    ace.sid === WellKnownSids.CREATOR_OWNER || (sd.owner !== undefined && ace.sid === sd.owner && defaultKeys.has(aceKey(ace, WellKnownSids.CREATOR_OWNER)));
  const objectTarget: AccessTarget = { objectClassGuids: [g.computerClass] };
  for (const sid of candidates(sd, targets, g.computerClass)) {
    const token = principals.token(sid);
    const tier = principals.tier(sid);
    const name = principals.name(sid);
    const indirect: Route[] = indirectRoutes(sd, sid, token, objectTarget) as Route[];
    for (const cap of CAPABILITIES) {
      const t = targets[cap];
      if (!t) continue;
      const ta = trusteeAccess(sd, token, t.target, t.rights, t.decisive);
      const effective = ta.effective;
      const denied = ta.denied !== 0;
      const grants: Grant[] = [];
      let decisive: Grant | undefined;
      let via: string | null = null;
      for (const gb of ta.grantedBy) {
        const ace = gb.ace;
        let route = mapRoute(gb.route);
        const o = originOf(ace, gb.aceIndex);
        if (fromCreatorOwner(ace) && (o.origin === 'class-default' || ace.sid === WellKnownSids.CREATOR_OWNER)) route = 'creator-owner';
        const gr: Grant = { route, origin: o.origin, ace: aceToSddl(ace, { domainSid: principals.domainSid }), ...(o.definedAt ? { definedAt: o.definedAt } : {}) };
        grants.push(gr);
        if (gb.rights & t.decisive) {
          decisive = gr;
          via = ace.sid;
        }
      }
      if (!effective && !denied && indirect.length === 0) continue;
      const routes = effective ? sortRoutes(grants.map((x) => x.route)) : [];
      const holder: Holder = {
        sid,
        name,
        tier,
        effective,
        denied,
        routes: [...routes, ...indirect],
        route: effective ? (decisive?.route ?? routes[0] ?? null) : null,
        origin: effective ? (decisive?.origin ?? null) : null,
        via: effective ? via : null,
        grants: effective ? grants : [],
      };
      if (effective && decisive?.definedAt) holder.definedAt = decisive.definedAt;
      holders[cap].push(holder);
    }
    if (indirect.length && isNonAdmin(tier)) {
      canGrant.push({ sid, name, tier, effective: false, denied: false, routes: indirect, route: indirect[0]!, origin: sd.owner === sid ? 'implicit' : null, via: sid, grants: [] });
    }
  }
  for (const cap of CAPABILITIES) holders[cap].sort((a, b) => Number(b.effective) - Number(a.effective) || a.name.localeCompare(b.name));
  return {
    owner: sd.owner,
    protected: isDaclProtected(sd),
    holders,
    self: selfCoverage(sd, g, self.objectSid, self.domainSid),
    canGrantThemselves: canGrant,
  };
}

function mapRoute(r: AccessRoute): Route {
  switch (r) {
    case 'explicit':
    case 'property-set':
      return 'delegation';
    case 'object':
      return 'other';
    default:
      return r;
  }
}

/** The capabilities one account (its SID + groups) has on a descriptor. */
export function accountCapabilities(sd: SecurityDescriptor, g: LapsGuids, account: AccountToken, objectSid?: string): Record<Capability, boolean> {
  const token = new Set([account.sid, ...account.groups, ...IMPLICIT_GROUPS]);
  const targets = capabilityTargets(g);
  const out = { readLegacy: false, readWindowsClear: false, readWindowsEncrypted: false, resetLegacy: false, resetWindows: false };
  for (const cap of CAPABILITIES) {
    const t = targets[cap];
    if (!t) continue;
    out[cap] = trusteeAccess(sd, token, objectSid ? { ...t.target, objectSid } : t.target, t.rights).effective;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DirSync at the domain root

const DIRSYNC_RIGHTS: ReadonlyArray<readonly [string, string]> = [
  [Guids.DS_REPLICATION_GET_CHANGES, 'DS-Replication-Get-Changes'],
  [Guids.DS_REPLICATION_GET_CHANGES_IN_FILTERED_SET, 'DS-Replication-Get-Changes-In-Filtered-Set'],
  [Guids.DS_REPLICATION_GET_CHANGES_ALL, 'DS-Replication-Get-Changes-All'],
];

/**
 * Holders of DS-Replication-Get-Changes plus Get-Changes-In-Filtered-Set (DirSync returns
 * confidential attributes) or Get-Changes-All (full replication), except domain controllers.
 */
export function dirSyncHolders(sd: SecurityDescriptor, principals: PrincipalTable): DirSyncHolder[] {
  const classes = [Guids.DOMAIN_DNS_CLASS];
  const paths = DIRSYNC_RIGHTS.map(([g]) => targetPath({ objectClassGuids: classes, controlAccessRight: g }));
  const sids = new Set<string>();
  for (const ace of sd.dacl?.aces ?? []) {
    if (isAllowAce(ace) && (mapGenericRights(ace.mask) & ADS_RIGHT_DS_CONTROL_ACCESS) && paths.some((p) => aceAppliesTo(ace, p))) sids.add(ace.sid);
  }
  const out: DirSyncHolder[] = [];
  for (const sid of sids) {
    const tier = principals.tier(sid);
    if (tier === 'dc') continue;
    const token = principals.token(sid);
    const held = DIRSYNC_RIGHTS.filter(([guid]) => effectiveAccess(sd, token, { objectClassGuids: classes, controlAccessRight: guid }).granted & ADS_RIGHT_DS_CONTROL_ACCESS);
    const has = (g: string) => held.some(([x]) => x === g);
    if (has(Guids.DS_REPLICATION_GET_CHANGES) && (has(Guids.DS_REPLICATION_GET_CHANGES_IN_FILTERED_SET) || has(Guids.DS_REPLICATION_GET_CHANGES_ALL))) {
      out.push({ sid, name: principals.name(sid), tier, rights: held.map(([, n]) => n) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------------------------------------
// the streaming analysis

interface Profile {
  id: number;
  sd: SecurityDescriptor;
  /** The descriptor as read (computer profiles), and the SIDs it names. */
  bytes?: Buffer;
  sids?: Set<string>;
  /** Set for computer profiles whose descriptor names the computer's own SID. */
  objectSid?: string;
  /** DN of the container whose inherited ACEs it carries (for origins). */
  container: string;
  evaluation?: Evaluation;
}

interface ComputerEntry {
  name: string;
  dn: string;
  container: string;
  /** dnKey(container) */
  containerKey: string;
  uac: number;
  objectSid?: string;
  creatorSid?: string;
  ownerSid?: string;
  legacyManaged: boolean;
  windowsManaged: boolean;
  encryptedFor?: string;
  /** Index into profiles, or -1: use the container's prospective profile. */
  profile: number;
}

interface ContainerState {
  input: ContainerInput;
  sd?: SecurityDescriptor;
  explicitKeys: Set<string>;
  computers: number;
  dcs: number;
  legacyManaged: number;
  windowsManaged: number;
  encryptedFor: Map<string, number>;
  prospective?: Profile;
  unreadable?: boolean;
}

const SERVER_TRUST_ACCOUNT = 0x2000;

export interface FinishOptions {
  /** Accounts to predict access for, computer by computer. */
  accounts?: AccountToken[];
  /** Whether the encrypted values could be read (so encryptedFor facts are complete). */
  encryptedReadable?: boolean;
}

export class PermissionsAnalysis {
  private readonly ctx: AnalysisContext;
  private readonly containers = new Map<string, ContainerState>();
  private readonly profiles: Profile[] = [];
  private readonly profileByKey = new Map<string, number[]>();
  private readonly computers: ComputerEntry[] = [];
  private perComputer = false;
  private rootSd: SecurityDescriptor | undefined;

  constructor(ctx: AnalysisContext) {
    this.ctx = ctx;
    for (const c of ctx.containers) this.addContainer(c);
  }

  /**
   * A container read by the caller (the domain root, an OU, a container). May come after the
   * computers it holds (containers such as CN=Computers are only known once computers are seen).
   */
  addContainer(c: ContainerInput): void {
    const key = dnKey(c.dn);
    const sd = c.sd ? parseSecurityDescriptor(c.sd) : undefined;
    const explicitKeys = new Set<string>();
    for (const a of sd?.dacl?.aces ?? []) if (!(a.flags & AceFlag.INHERITED)) explicitKeys.add(aceKey(a));
    const existing = this.containers.get(key);
    if (existing) {
      existing.input = c;
      existing.sd = sd;
      existing.explicitKeys = explicitKeys;
      delete existing.prospective;
    } else {
      this.containers.set(key, { input: c, sd, explicitKeys, computers: 0, dcs: 0, legacyManaged: 0, windowsManaged: 0, encryptedFor: new Map() });
    }
    if (key === dnKey(this.ctx.domainDn)) this.rootSd = sd;
  }

  /** DNs of containers that hold computers or lie between them and the domain root, and were not read yet. */
  missingContainers(): string[] {
    const out = new Set<string>();
    const stop = dnKey(this.ctx.domainDn);
    for (const s of this.containers.values()) {
      if (s.computers === 0) continue;
      for (let cur = s.input.dn; cur; cur = parentDn(cur)) {
        const k = dnKey(cur);
        const known = this.containers.get(k);
        if (!known || (!known.sd && !known.unreadable)) out.add(cur);
        if (k === stop) break;
      }
    }
    return [...out];
  }

  /** Marks a container whose descriptor the caller tried and failed to read. */
  markUnreadable(dn: string, kind: ContainerInput['kind'] = 'container'): void {
    const key = dnKey(dn);
    const s = this.containers.get(key);
    if (s) s.unreadable = true;
    else this.containers.set(key, { input: { dn, kind, classGuids: [] }, explicitKeys: new Set(), computers: 0, dcs: 0, legacyManaged: 0, windowsManaged: 0, encryptedFor: new Map(), unreadable: true });
  }

  /** Parsed descriptors of every container read (for the plan). */
  containerStates(): Array<{ input: ContainerInput; sd: SecurityDescriptor | undefined; computers: number; dcs: number; legacyManaged: number }> {
    return [...this.containers.values()].map((s) => ({ input: s.input, sd: s.sd, computers: s.computers, dcs: s.dcs, legacyManaged: s.legacyManaged }));
  }

  /** Parsed descriptor of a container read by the caller (undefined when unreadable or unknown). */
  containerSd(dn: string): SecurityDescriptor | undefined {
    return this.containers.get(dnKey(dn))?.sd;
  }

  addComputer(c: ComputerInput): void {
    const { container, key } = this.containerOf(c.dn);
    let state = this.containers.get(key);
    if (!state) {
      // a container the caller did not read: record it without a descriptor
      state = { input: { dn: container, kind: 'container', classGuids: [] }, explicitKeys: new Set(), computers: 0, dcs: 0, legacyManaged: 0, windowsManaged: 0, encryptedFor: new Map() };
      this.containers.set(key, state);
    }
    const dc = (c.userAccountControl & SERVER_TRUST_ACCOUNT) !== 0;
    state.computers++;
    if (dc) state.dcs++;
    if (c.legacyManaged) state.legacyManaged++;
    if (c.windowsManaged) state.windowsManaged++;
    if (c.encryptedFor) state.encryptedFor.set(c.encryptedFor, (state.encryptedFor.get(c.encryptedFor) ?? 0) + 1);
    let profile = -1;
    if (c.sd) {
      this.perComputer = true;
      // identical descriptors are evaluated once (found by digest, confirmed byte for byte); one
      // that names the computer's own SID (SELF-like trustee) is evaluated for that computer alone
      const digest = createHash('sha1').update(c.sd).digest('base64');
      const candidates = this.profileByKey.get(digest) ?? [];
      let found = candidates.find((i) => this.profiles[i]!.bytes!.equals(c.sd!) && (!this.profiles[i]!.objectSid || this.profiles[i]!.objectSid === c.objectSid));
      if (found !== undefined && c.objectSid && !this.profiles[found]!.objectSid && this.profiles[found]!.sids!.has(c.objectSid)) found = undefined;
      if (found !== undefined) profile = found;
      else {
        const sd = parseSecurityDescriptor(c.sd);
        const sids = new Set<string>((sd.dacl?.aces ?? []).map((a) => a.sid));
        if (sd.owner) sids.add(sd.owner);
        const own = c.objectSid && sids.has(c.objectSid) ? c.objectSid : undefined;
        profile = this.profiles.length;
        this.profiles.push({ id: profile, sd, bytes: c.sd, sids, container, ...(own ? { objectSid: own } : {}) });
        this.profileByKey.set(digest, [...candidates, profile]);
      }
    }
    const e: ComputerEntry = { name: c.name, dn: c.dn, container, containerKey: key, uac: c.userAccountControl, legacyManaged: c.legacyManaged, windowsManaged: c.windowsManaged, profile };
    if (c.objectSid) e.objectSid = c.objectSid;
    if (c.creatorSid) e.creatorSid = c.creatorSid;
    if (c.ownerSid) e.ownerSid = c.ownerSid;
    if (c.encryptedFor) e.encryptedFor = c.encryptedFor;
    this.computers.push(e);
  }

  private readonly containerCache = new Map<string, { container: string; key: string }>();

  /** The parent DN and its key, worked out once per distinct parent (computers share a few). */
  private containerOf(dn: string): { container: string; key: string } {
    let i = 0;
    while (i < dn.length && dn[i] !== ',') i += dn[i] === '\\' ? 2 : 1;
    const raw = dn.slice(i + 1);
    let hit = this.containerCache.get(raw);
    if (!hit) {
      const container = parentDn(dn);
      hit = { container, key: dnKey(container) };
      this.containerCache.set(raw, hit);
    }
    return hit;
  }

  get computerCount(): number {
    return this.computers.length;
  }

  /** Distinct descriptors seen on computers (per-computer mode). */
  get distinctComputerDescriptors(): number {
    return this.profiles.length;
  }

  /** The containers that hold computers, in DN order from the top. */
  computerContainers(): ContainerInput[] {
    return [...this.containers.values()].filter((s) => s.computers > 0).map((s) => s.input);
  }

  /** Every SID the caller should resolve (names, groups) before finish(). */
  sidsToResolve(): Set<string> {
    const out = new Set<string>();
    const addSd = (sd: SecurityDescriptor | undefined) => {
      if (!sd) return;
      if (sd.owner) out.add(sd.owner);
      for (const a of sd.dacl?.aces ?? []) if (a.sid) out.add(a.sid);
    };
    for (const s of this.containers.values()) {
      addSd(s.sd);
      for (const sid of s.encryptedFor.keys()) out.add(sid);
    }
    for (const p of this.profiles) addSd(p.sd);
    for (const c of this.computers) {
      if (c.creatorSid) out.add(c.creatorSid);
      if (c.ownerSid) out.add(c.ownerSid);
    }
    return out;
  }

  private ancestorsOrSelf(dn: string): ContainerState[] {
    const out: ContainerState[] = [];
    const stop = dnKey(this.ctx.domainDn);
    for (let cur = dn; cur; cur = parentDn(cur)) {
      const s = this.containers.get(dnKey(cur));
      if (s) out.push(s);
      if (dnKey(cur) === stop) break;
    }
    return out;
  }

  /** The nearest container (from `start` upwards) with an explicit ACE like `ace`. */
  private definer(ace: Ace, start: string): string | undefined {
    const k = aceKey(ace);
    const co = aceKey(ace, WellKnownSids.CREATOR_OWNER);
    for (const s of this.ancestorsOrSelf(start)) {
      if (s.explicitKeys.has(k) || s.explicitKeys.has(co)) return friendlyPath(s.input.dn, this.ctx.domainDn);
    }
    return undefined;
  }

  private computerOrigins(profile: Profile): OriginOf {
    const defaults = new Set((this.ctx.classDefaultSd?.dacl?.aces ?? []).map((a) => aceKey(a)));
    const owner = profile.sd.owner;
    return (ace) => {
      if (ace.flags & AceFlag.INHERITED) {
        const at = this.definer(ace, profile.container);
        return { origin: 'inherited', ...(at ? { definedAt: at } : {}) };
      }
      const isDefault = defaults.has(aceKey(ace)) || (owner !== undefined && ace.sid === owner && defaults.has(aceKey(ace, WellKnownSids.CREATOR_OWNER)));
      return { origin: isDefault ? 'class-default' : 'explicit' };
    };
  }

  private prospective(state: ContainerState): Profile | undefined {
    if (state.prospective) return state.prospective;
    if (!state.sd) return undefined;
    const sd = prospectiveChildSd(state.sd.dacl, { classGuids: [this.ctx.laps.computerClass], ...(this.ctx.classDefaultSd ? { defaultSd: this.ctx.classDefaultSd } : {}) });
    state.prospective = { id: -1, sd, container: state.input.dn };
    return state.prospective;
  }

  private prospectiveOrigins(state: ContainerState): OriginOf {
    const nDefault = this.ctx.classDefaultSd?.dacl?.aces.length ?? 0;
    return (ace, index) => {
      if (index < nDefault) return { origin: 'class-default' };
      const at = this.definer(ace, state.input.dn);
      return { origin: 'inherited', ...(at ? { definedAt: at } : {}) };
    };
  }

  finish(principalList: Iterable<Principal>, options: FinishOptions = {}): PermissionsAnalysisResult {
    const ctx = this.ctx;
    const g = ctx.laps;
    const principals = new PrincipalTable(principalList, ctx.domainSid, ctx.rootDomainSid ?? ctx.domainSid);
    const domainSid = ctx.domainSid;
    const path = (dn: string) => friendlyPath(dn, ctx.domainDn);

    // containers holding computers: the answer for a computer created there now
    const holding = [...this.containers.values()].filter((s) => s.computers > 0).sort((a, b) => a.input.dn.split(',').length - b.input.dn.split(',').length || path(a.input.dn).localeCompare(path(b.input.dn)));
    const containerEval = new Map<string, Evaluation>();
    for (const s of holding) {
      const p = this.prospective(s);
      if (!p) continue;
      p.evaluation = evaluateDescriptor(p.sd, g, principals, this.prospectiveOrigins(s), { objectSid: PROSPECTIVE_COMPUTER_SID, domainSid }, ctx.classDefaultSd);
      containerEval.set(dnKey(s.input.dn), p.evaluation);
    }
    // computers' own descriptors
    for (const p of this.profiles) {
      p.evaluation = evaluateDescriptor(p.sd, g, principals, this.computerOrigins(p), { objectSid: p.objectSid ?? PROSPECTIVE_COMPUTER_SID, domainSid }, ctx.classDefaultSd);
    }

    const brief = (h: Holder): HolderBrief => ({ sid: h.sid, name: h.name, tier: h.tier, route: h.route, routes: h.routes, origin: h.origin, ...(h.definedAt ? { definedAt: h.definedAt } : {}), direct: h.via === h.sid || h.via === null });
    // per evaluated descriptor, computed once and shared by the computers that have it
    const perEvaluation = new Map<Evaluation | undefined, { self: ComputerRecord['self']; nonAdmin: Record<Capability, string[]> }>();
    const summaryOf = (ev: Evaluation | undefined) => {
      let x = perEvaluation.get(ev);
      if (!x) {
        const nonAdmin = {} as Record<Capability, string[]>;
        for (const cap of CAPABILITIES) nonAdmin[cap] = ev ? ev.holders[cap].filter((h) => h.effective && isDelegated(h.tier)).map((h) => h.name) : [];
        x = { self: ev ? { legacy: ev.self.legacy, windows: ev.self.windows, readEncrypted: ev.self.readEncrypted } : { legacy: false, windows: false, readEncrypted: false }, nonAdmin };
        perEvaluation.set(ev, x);
      }
      return x;
    };
    const ouPaths = new Map<string, string>();
    const pathOf = (container: string) => {
      let p = ouPaths.get(container);
      if (p === undefined) {
        p = path(container);
        ouPaths.set(container, p);
      }
      return p;
    };

    // computers
    const missingSelf = new Map<string, { legacy: number; windows: number; readEncrypted: number }>();
    const computers: ComputerRecord[] = [];
    for (const c of this.computers) {
      const state = this.containers.get(c.containerKey)!;
      const ev = c.profile >= 0 ? this.profiles[c.profile]!.evaluation : state.prospective?.evaluation;
      const dc = (c.uac & SERVER_TRUST_ACCOUNT) !== 0;
      const owner = c.profile >= 0 ? (ev?.owner ?? null) : (c.ownerSid ?? null);
      const { self, nonAdmin } = summaryOf(ev);
      if (c.profile >= 0 && !dc) {
        const m = missingSelf.get(c.containerKey) ?? { legacy: 0, windows: 0, readEncrypted: 0 };
        if (!self.legacy && c.legacyManaged) m.legacy++;
        if (!self.windows) m.windows++;
        if (!self.readEncrypted) m.readEncrypted++;
        missingSelf.set(c.containerKey, m);
      }
      computers.push({
        name: c.name,
        dn: c.dn,
        ouPath: pathOf(c.container),
        container: c.container,
        domainController: dc,
        legacyManaged: c.legacyManaged,
        windowsManaged: c.windowsManaged,
        source: c.profile >= 0 ? 'computer' : 'container',
        owner,
        ownerName: owner ? principals.name(owner) : null,
        ownerTier: owner ? principals.tier(owner) : null,
        creator: c.creatorSid ?? null,
        creatorName: c.creatorSid ? principals.name(c.creatorSid) : null,
        creatorTier: c.creatorSid ? principals.tier(c.creatorSid) : null,
        self,
        nonAdmin,
        encryptedFor: c.encryptedFor ?? null,
      });
    }

    // containers
    const containers: ContainerRecord[] = [];
    const access: AccessRow[] = [];
    for (const s of holding) {
      const ev = containerEval.get(dnKey(s.input.dn));
      const holders = emptyHolders() as unknown as Record<Capability, HolderBrief[]>;
      const denied = emptyHolders() as unknown as Record<Capability, HolderBrief[]>;
      for (const cap of CAPABILITIES) {
        holders[cap] = (ev?.holders[cap] ?? []).filter((h) => h.effective).map(brief);
        denied[cap] = (ev?.holders[cap] ?? []).filter((h) => !h.effective && h.denied).map(brief);
        for (const h of ev?.holders[cap] ?? []) {
          if (!h.effective && !h.denied) continue;
          access.push({
            container: path(s.input.dn),
            dn: s.input.dn,
            principal: h.name,
            sid: h.sid,
            tier: h.tier,
            capability: cap,
            effective: h.effective,
            denied: h.denied,
            route: h.route,
            routes: h.routes,
            origin: h.origin,
            definedAt: h.definedAt ?? null,
          });
        }
      }
      const rec: ContainerRecord = {
        dn: s.input.dn,
        path: path(s.input.dn),
        kind: s.input.kind,
        protected: s.sd ? isDaclProtected(s.sd) : false,
        readable: !!s.sd,
        computers: s.computers,
        domainControllers: s.dcs,
        legacyManaged: s.legacyManaged,
        windowsManaged: s.windowsManaged,
        self: ev?.self ?? { legacy: false, windows: false, readEncrypted: false, missing: ['(descriptor not readable)'] },
        holders,
        denied,
        canGrantThemselves: (ev?.canGrantThemselves ?? []).map(brief),
        encryptedFor: [...s.encryptedFor.entries()].map(([sid, n]) => ({ sid, name: principals.name(sid), computers: n })).sort((a, b) => b.computers - a.computers),
      };
      const m = missingSelf.get(dnKey(s.input.dn));
      if (this.perComputer) rec.computersMissingSelf = m ?? { legacy: 0, windows: 0, readEncrypted: 0 };
      containers.push(rec);
    }

    const dirSync = this.rootSd ? dirSyncHolders(this.rootSd, principals) : [];

    // predictions for named accounts
    const predictions: AccountPrediction[] = [];
    for (const account of options.accounts ?? []) {
      const cache = new Map<SecurityDescriptor, Record<Capability, boolean>>();
      const rows: AccountPrediction['computers'] = [];
      for (const c of this.computers) {
        const state = this.containers.get(c.containerKey)!;
        const sd = c.profile >= 0 ? this.profiles[c.profile]!.sd : this.prospective(state)?.sd;
        if (!sd) continue;
        // the account acting on itself is SELF there: not cacheable with the others
        const itself = c.objectSid !== undefined && c.objectSid === account.sid;
        let caps = itself ? undefined : cache.get(sd);
        if (!caps) {
          caps = accountCapabilities(sd, g, account, c.objectSid);
          if (!itself) cache.set(sd, caps);
        }
        rows.push({ name: c.name, dn: c.dn, source: c.profile >= 0 ? 'computer' : 'container', ...caps });
      }
      predictions.push({ account: account.label, sid: account.sid, computers: rows });
    }

    const usedSids = new Set<string>();
    for (const r of access) usedSids.add(r.sid);
    for (const c of containers) for (const h of c.canGrantThemselves) usedSids.add(h.sid);
    for (const d of dirSync) usedSids.add(d.sid);
    const principalRows = [...usedSids].map((sid) => ({ sid, name: principals.name(sid), kind: principals.get(sid)?.kind ?? 'unknown', tier: principals.tier(sid) })).sort((a, b) => a.name.localeCompare(b.name));

    const analysis = { containers, computers, access, dirSync, predictions, principals: principalRows };
    const capabilityOf = (containerDn: string, sid: string, cap: Capability): boolean => {
      const sd = this.containers.get(dnKey(containerDn))?.prospective?.sd;
      return !!sd && accountCapabilities(sd, g, { label: sid, sid, groups: principals.token(sid) })[cap];
    };
    const findings = permissionsFindings({ ...analysis, ctx, principals, perComputer: this.perComputer, containerEval, encryptedReadable: options.encryptedReadable ?? true, capabilityOf });
    const summary = summarize(analysis, findings, this.perComputer, g);
    return { summary, ...analysis, findings };
  }
}


// ---------------------------------------------------------------------------------------------
// findings

interface FindingInput {
  ctx: AnalysisContext;
  principals: PrincipalTable;
  perComputer: boolean;
  containers: ContainerRecord[];
  computers: ComputerRecord[];
  dirSync: DirSyncHolder[];
  containerEval: Map<string, Evaluation>;
  encryptedReadable: boolean;
  /** Whether a principal (with its groups) has a capability on a computer created in the container. */
  capabilityOf: (containerDn: string, sid: string, cap: Capability) => boolean;
}

function list(items: string[], max = 8): string {
  const uniq = [...new Set(items)];
  return uniq.length <= max ? uniq.join(', ') : `${uniq.slice(0, max).join(', ')} and ${uniq.length - max} more`;
}

function severityFor(tier: Tier, base: Severity): Severity {
  return tier === 'broad' ? 'blocker' : tier === 'operator' ? 'info' : base;
}

/** Non-DC computers: what SELF coverage and delegations matter for. */
function memberComputers(c: ContainerRecord): number {
  return c.computers - c.domainControllers;
}

export function permissionsFindings(i: FindingInput): Finding[] {
  const f: Finding[] = [];
  const g = i.ctx.laps;
  const legacy = hasFamily(g, 'legacy');
  const windows = hasFamily(g, 'windows');
  if (!legacy) {
    f.push({ code: 'LEGACY_SCHEMA_MISSING', severity: 'info', object: 'schema', message: 'The legacy LAPS schema (ms-Mcs-AdmPwd) is not in this forest: there are no legacy delegations to review or mirror.', advice: 'Nothing to migrate from legacy LAPS.' });
  }
  if (!windows) {
    f.push({
      code: 'WINDOWS_LAPS_SCHEMA_MISSING',
      severity: 'warning',
      object: 'schema',
      message: 'The Windows LAPS schema (msLAPS-*) is not extended: who could read or write the new attributes cannot be evaluated, and nothing can be delegated on them yet.',
      advice: 'Run the schema step first (laps-migrate schema), then this step again.',
    });
  }
  const unreadable = i.containers.filter((c) => !c.readable);
  if (unreadable.length) {
    f.push({
      code: 'DESCRIPTOR_UNREADABLE',
      severity: 'warning',
      object: list(unreadable.map((c) => c.path)),
      count: unreadable.length,
      message: `The security descriptor of ${unreadable.length} container(s) holding computers could not be read: ${list(unreadable.map((c) => c.path))}. Nothing is predicted for them.`,
      advice: 'Run as an account with READ_CONTROL on them (any domain user has it by default).',
    });
  }

  // SELF coverage, inheritance
  for (const c of i.containers) {
    if (!c.readable) continue;
    const members = memberComputers(c);
    if (c.protected) {
      f.push({
        code: 'DACL_PROTECTED',
        severity: 'info',
        object: c.dn,
        count: c.computers,
        message: `${c.path} has a protected DACL (inheritance blocked): delegations and SELF permissions set on the containers above it do not reach its ${c.computers} computer(s).`,
        advice: 'Delegate on this OU itself (the apply plan does, for SELF and mirrored delegations), or remove the protection if it is not intended.',
      });
    }
    if (members === 0) continue;
    const computersMissing = (k: 'legacy' | 'windows' | 'readEncrypted', fallback: number) => (c.computersMissingSelf ? c.computersMissingSelf[k] : fallback);
    if (legacy && !c.self.legacy && c.legacyManaged > 0) {
      const n = computersMissing('legacy', c.legacyManaged);
      f.push({
        code: 'SELF_WRITE_MISSING_LEGACY',
        severity: 'warning',
        object: c.dn,
        count: n,
        message: `Computers in ${c.path} cannot write their own legacy LAPS password (${c.legacyManaged} of them are legacy-managed): the legacy CSE and Windows LAPS in legacy emulation mode fail there (event 10065).`,
        evidence: `SELF lacks: ${c.self.missing.filter((m) => /AdmPwd/i.test(m) || /Mcs/i.test(m)).join(', ') || 'legacy attribute rights'}`,
        advice: 'The apply plan grants the legacy SELF permission here (Set-AdmPwdComputerSelfPermission equivalent).',
      });
    }
    if (windows && !c.self.windows) {
      const n = computersMissing('windows', members);
      f.push({
        code: 'SELF_WRITE_MISSING_WINDOWS_LAPS',
        severity: 'blocker',
        object: c.dn,
        count: n,
        message: `Computers in ${c.path} cannot write their Windows LAPS attributes (${members} computer(s)): a Windows LAPS policy there fails to back up the password.`,
        evidence: `SELF lacks: ${c.self.missing.filter((m) => /msLAPS/i.test(m)).join(', ')}`,
        advice: 'The apply plan grants the Windows LAPS SELF permission here (Set-LapsADComputerSelfPermission equivalent).',
      });
    } else if (windows && !c.self.readEncrypted) {
      f.push({
        code: 'SELF_READ_ENCRYPTED_MISSING',
        severity: 'warning',
        object: c.dn,
        count: computersMissing('readEncrypted', members),
        message: `Computers in ${c.path} can write but not read back their own msLAPS-EncryptedPassword (a confidential attribute needs CONTROL_ACCESS too): encrypted password history cannot be kept.`,
        advice: 'The apply plan adds CONTROL_ACCESS on the ms-LAPS-Encrypted-Password-Attributes property set for SELF here.',
      });
    }
    if (c.computersMissingSelf && windows && c.self.windows && c.computersMissingSelf.windows > 0) {
      f.push({
        code: 'SELF_WRITE_MISSING_ON_COMPUTER',
        severity: 'warning',
        object: c.dn,
        count: c.computersMissingSelf.windows,
        message: `${c.computersMissingSelf.windows} computer(s) in ${c.path} cannot write their Windows LAPS attributes although the OU grants it (their own DACL is protected or denies it).`,
        advice: 'Check those computers\' DACLs (laps-migrate sd) and re-enable inheritance on them.',
      });
    }
  }

  // risky routes and delegations, rolled up per principal
  type Acc = { name: string; tier: Tier; where: string[]; computers: number; definedAt: Set<string> };
  const roll = () => new Map<string, Acc>();
  const add = (m: Map<string, Acc>, h: HolderBrief, c: ContainerRecord) => {
    const a = m.get(h.sid) ?? { name: h.name, tier: h.tier, where: [], computers: 0, definedAt: new Set<string>() };
    a.where.push(c.path);
    a.computers += c.computers;
    if (h.definedAt) a.definedAt.add(h.definedAt);
    m.set(h.sid, a);
  };
  const aer = roll();
  const full = roll();
  const legacyDelegation = roll();
  const legacyReset = roll();
  const grantors = roll();
  for (const c of i.containers) {
    const readers = new Map<string, HolderBrief>();
    for (const cap of ['readLegacy', 'readWindowsClear', 'readWindowsEncrypted'] as const) for (const h of c.holders[cap]) readers.set(h.sid, h);
    for (const h of readers.values()) {
      if (!isNonAdmin(h.tier) || !h.direct) continue;
      if (h.route === 'all-extended-rights') add(aer, h, c);
      if (h.route === 'full-control') add(full, h, c);
    }
    for (const h of c.holders.readLegacy) if (h.route === 'delegation' && h.direct && isNonAdmin(h.tier)) add(legacyDelegation, h, c);
    for (const h of c.holders.resetLegacy) if (h.route === 'delegation' && h.direct && isNonAdmin(h.tier)) add(legacyReset, h, c);
    for (const h of c.canGrantThemselves) add(grantors, h, c);
  }
  for (const [sid, a] of aer) {
    f.push({
      code: 'ALL_EXTENDED_RIGHTS',
      severity: severityFor(a.tier, 'warning'),
      object: list(a.where),
      count: a.computers,
      message: `${a.name} holds All Extended Rights on computers in ${list(a.where)} (${a.computers} computer(s)): it reads every confidential attribute there, LAPS passwords of both families included.`,
      evidence: `SID ${sid}${a.definedAt.size ? `; granted at ${[...a.definedAt].join(', ')}` : ''}`,
      advice: 'Replace it with the specific rights it needs; --remove-all-extended-rights removes the CONTROL_ACCESS part of such ACEs on these OUs (journaled, reversible).',
    });
  }
  for (const [sid, a] of full) {
    f.push({
      code: 'FULL_CONTROL',
      severity: severityFor(a.tier, 'warning'),
      object: list(a.where),
      count: a.computers,
      message: `${a.name} has full control (GenericAll) of computers in ${list(a.where)} (${a.computers} computer(s)), so it reads their LAPS passwords.`,
      evidence: `SID ${sid}${a.definedAt.size ? `; granted at ${[...a.definedAt].join(', ')}` : ''}`,
      advice: 'Grant narrower rights; full control of a computer object also allows taking it over.',
    });
  }
  for (const [sid, a] of grantors) {
    f.push({
      code: 'CAN_GRANT_ITSELF',
      severity: severityFor(a.tier, 'warning'),
      object: list(a.where),
      count: a.computers,
      message: `${a.name} may rewrite the DACL or owner of computers in ${list(a.where)}: it can grant itself LAPS password read at any time.`,
      evidence: `SID ${sid}`,
      advice: 'Remove WRITE_DAC / WRITE_OWNER from non-admin principals on computer OUs.',
    });
  }
  const mirrored = (sid: string, caps: Capability[], where: string[]) =>
    where.every((path) => {
      const c = i.containers.find((x) => x.path === path);
      return !!c && caps.every((cap) => c.holders[cap].some((h) => h.sid === sid));
    });
  for (const [sid, a] of legacyDelegation) {
    const done = windows && mirrored(sid, ['readWindowsClear', 'readWindowsEncrypted'], a.where);
    f.push({
      code: 'LEGACY_READ_DELEGATION',
      severity: 'info',
      object: list(a.where),
      count: a.computers,
      message: `${a.name} is delegated to read legacy LAPS passwords in ${list(a.where)}${a.definedAt.size ? ` (delegated at ${[...a.definedAt].join(', ')})` : ''}${done ? '; it reads the Windows LAPS passwords there too' : ''}.`,
      evidence: `SID ${sid}`,
      advice: done ? 'Nothing to do before cutover; the cleanup step removes the legacy delegation later.' : 'The apply plan mirrors it onto the Windows LAPS attributes on the same OU (Set-LapsADReadPasswordPermission equivalent).',
    });
  }
  for (const [sid, a] of legacyReset) {
    const done = windows && mirrored(sid, ['resetWindows'], a.where);
    f.push({
      code: 'LEGACY_RESET_DELEGATION',
      severity: 'info',
      object: list(a.where),
      count: a.computers,
      message: `${a.name} is delegated to reset legacy LAPS passwords in ${list(a.where)}${a.definedAt.size ? ` (delegated at ${[...a.definedAt].join(', ')})` : ''}${done ? '; it resets Windows LAPS passwords there too' : ''}.`,
      evidence: `SID ${sid}`,
      advice: done ? 'Nothing to do before cutover; the cleanup step removes the legacy delegation later.' : 'The apply plan mirrors it onto msLAPS-PasswordExpirationTime on the same OU (Set-LapsADResetPasswordPermission equivalent).',
    });
  }

  // deny ACEs on LAPS attributes
  for (const c of i.containers) {
    const denied = new Map<string, { name: string; caps: Capability[] }>();
    for (const cap of CAPABILITIES) {
      for (const h of c.denied[cap]) {
        const d = denied.get(h.sid) ?? { name: h.name, caps: [] };
        d.caps.push(cap);
        denied.set(h.sid, d);
      }
    }
    for (const [sid, d] of denied) {
      f.push({
        code: 'LAPS_DENY_ACE',
        severity: 'info',
        object: c.dn,
        message: `${d.name} is denied ${d.caps.map((x) => CAPABILITY_LABELS[x]).join(', ')} in ${c.path}.`,
        evidence: `SID ${sid}`,
        advice: 'Deny ACEs on the legacy attributes are mirrored onto the Windows LAPS attributes by the apply plan, so the denial survives the cutover.',
      });
    }
  }

  // gaps between the families
  if (legacy && windows) {
    const gap = (code: string, severity: Severity, a: Capability, b: Capability | Capability[], verb: string, advice: string) => {
      const bs = Array.isArray(b) ? b : [b];
      const per = new Map<string, { name: string; tier: Tier; where: string[]; computers: number }>();
      for (const c of i.containers) {
        if (memberComputers(c) === 0) continue;
        const ev = i.containerEval.get(dnKey(c.dn));
        if (!ev) continue;
        const eff = (cap: Capability, sid: string) => ev.holders[cap].some((h) => h.sid === sid && h.effective);
        const holders = ev.holders[a].filter((h) => h.effective && isDelegated(h.tier));
        const withGap = new Set(holders.filter((h) => !bs.every((x) => eff(x, h.sid))).map((h) => h.sid));
        for (const h of holders) {
          if (!withGap.has(h.sid)) continue;
          // a member whose access comes from a group with the same gap is covered by the group's finding
          if (h.via && h.via !== h.sid && withGap.has(h.via)) continue;
          const sid = h.sid;
          const p = per.get(sid) ?? { name: i.principals.name(sid), tier: i.principals.tier(sid), where: [], computers: 0 };
          p.where.push(c.path);
          p.computers += c.computers;
          per.set(sid, p);
        }
      }
      for (const [sid, p] of per) {
        f.push({ code, severity, object: list(p.where), count: p.computers, message: `${p.name} ${verb} in ${list(p.where)} (${p.computers} computer(s)).`, evidence: `SID ${sid}`, advice });
      }
    };
    gap('READ_GAP_LEGACY_ONLY', 'warning', 'readLegacy', ['readWindowsClear', 'readWindowsEncrypted'], 'reads legacy LAPS passwords but will not read the Windows LAPS ones', 'Mirror the delegation (the apply plan does) before computers move to Windows LAPS, or the principal loses access at cutover.');
    gap('READ_GAP_WINDOWS_ONLY', 'warning', 'readWindowsClear', 'readLegacy', 'reads Windows LAPS passwords but not the legacy ones (access the legacy delegation did not give)', 'Check that this is intended; a deny on the legacy attribute may not have been carried over.');
    gap('READ_GAP_WINDOWS_ONLY', 'warning', 'readWindowsEncrypted', 'readLegacy', 'reads Windows LAPS encrypted passwords but not the legacy ones (access the legacy delegation did not give)', 'Check that this is intended; a deny on the legacy attribute may not have been carried over.');
    gap('RESET_GAP_LEGACY_ONLY', 'warning', 'resetLegacy', 'resetWindows', 'can reset legacy LAPS passwords but not Windows LAPS ones', 'Mirror the reset delegation onto msLAPS-PasswordExpirationTime (the apply plan does).');
    gap('RESET_GAP_WINDOWS_ONLY', 'info', 'resetWindows', 'resetLegacy', 'can reset Windows LAPS passwords but not legacy ones', 'Check that this is intended.');
    // de-duplicate the two READ_GAP_WINDOWS_ONLY passes (same principal, same OUs)
    const seen = new Set<string>();
    for (let k = f.length - 1; k >= 0; k--) {
      const x = f[k]!;
      if (x.code !== 'READ_GAP_WINDOWS_ONLY') continue;
      const key = `${x.evidence}|${x.object}`;
      if (seen.has(key)) f.splice(k, 1);
      else seen.add(key);
    }
  }

  // encrypted blobs protected for someone else
  if (windows) {
    for (const c of i.containers) {
      if (c.encryptedFor.length === 0) continue;
      const targets = new Set(c.encryptedFor.map((e) => e.sid));
      for (const h of c.holders.readWindowsEncrypted) {
        if (!isDelegated(h.tier)) continue;
        const token = new Set(i.principals.token(h.sid));
        if ([...targets].some((t) => token.has(t))) continue;
        f.push({
          code: 'ENCRYPTED_READ_USELESS',
          severity: 'warning',
          object: c.dn,
          message: `${h.name} may read msLAPS-EncryptedPassword in ${c.path}, but the values there are encrypted to ${list(c.encryptedFor.map((e) => e.name))}: it cannot decrypt them.`,
          evidence: `SID ${h.sid}; ${c.encryptedFor.map((e) => `${e.computers} value(s) for ${e.sid}`).join(', ')}`,
          advice: 'Set ADPasswordEncryptionPrincipal in the Windows LAPS policy for this OU to a group this principal is in, or drop the read delegation.',
        });
      }
      for (const e of c.encryptedFor) {
        const canRead = i.capabilityOf(c.dn, e.sid, 'readWindowsEncrypted');
        if (!canRead) {
          f.push({
            code: 'ENCRYPTION_PRINCIPAL_CANNOT_READ',
            severity: 'warning',
            object: c.dn,
            count: e.computers,
            message: `${e.computers} encrypted password(s) in ${c.path} are encrypted to ${e.name}, which has no right to read msLAPS-EncryptedPassword there.`,
            evidence: `SID ${e.sid}`,
            advice: 'Delegate read of the Windows LAPS attributes to that principal on this OU, or change ADPasswordEncryptionPrincipal.',
          });
        }
      }
    }
  }
  if (windows && !i.encryptedReadable) {
    f.push({ code: 'ENCRYPTED_VALUES_NOT_READABLE', severity: 'info', object: 'bound account', message: 'The bound account cannot read msLAPS-EncryptedPassword values, so whom they are encrypted to is unknown.', advice: 'Run as an account that may read them (a Domain Admin) to check encryption principals against the read delegations.' });
  }

  // owners and creators of computers
  const owned = new Map<string, { name: string; tier: Tier; computers: string[]; created: number; perComputer: number }>();
  for (const c of i.computers) {
    const sid = c.owner ?? c.creator;
    const tier = c.owner ? c.ownerTier : c.creatorTier;
    if (!sid || !tier || !isDelegated(tier)) continue;
    const o = owned.get(sid) ?? { name: i.principals.name(sid), tier, computers: [], created: 0, perComputer: 0 };
    o.computers.push(c.name);
    if (c.creator === sid) o.created++;
    if (c.source === 'computer') o.perComputer++;
    owned.set(sid, o);
  }
  for (const [sid, o] of owned) {
    const n = o.computers.length;
    f.push({
      code: 'OWNER_CAN_READ',
      severity: severityFor(o.tier, 'warning'),
      object: 'computers',
      count: n,
      message: `${o.name} owns ${n} computer(s): ${list(o.computers)}. The owner may rewrite their DACL, and the account that created (joined) a computer gets the CREATOR OWNER rights of the computer class: both read its LAPS passwords.`,
      evidence: `SID ${sid}; owner SID of ${n} computer(s)${o.created ? `, mS-DS-CreatorSID of ${o.created}` : ''}${o.perComputer ? `; read access confirmed on ${o.perComputer} own descriptor(s)` : ' (run with --per-computer to evaluate their descriptors)'}`,
      advice: "--fix-owners makes Domain Admins the owner and removes the creator's CREATOR OWNER ACEs (journaled, reversible).",
    });
  }

  // DirSync at the domain root
  for (const d of i.dirSync) {
    if (!isNonAdmin(d.tier)) continue;
    f.push({
      code: 'DIRSYNC_READER',
      severity: severityFor(d.tier, 'warning'),
      object: i.ctx.domainDn,
      message: `${d.name} holds ${d.rights.join(' + ')} on the domain root: with DirSync (or replication) it reads confidential attributes, LAPS passwords of every computer included.`,
      evidence: `SID ${d.sid}`,
      advice: 'Remove the replication rights unless this is a synchronisation service that must have them.',
    });
  }
  return f;
}

function summarize(a: Pick<PermissionsAnalysisResult, 'containers' | 'computers' | 'dirSync'>, findings: Finding[], perComputer: boolean, g: LapsGuids): PermissionsSummary {
  const count = (code: string) => findings.filter((x) => x.code === code).length;
  // risky routes held by delegated principals (built-in operator groups' defaults are info only)
  const risky = (code: string) => findings.filter((x) => x.code === code && x.severity !== 'info').length;
  const members = a.containers.filter((c) => memberComputers(c) > 0 && c.readable);
  const names = (cap: Capability) => new Set(a.containers.flatMap((c) => c.holders[cap].filter((h) => isDelegated(h.tier)).map((h) => h.sid)));
  const winReaders = new Set([...names('readWindowsClear'), ...names('readWindowsEncrypted')]);
  const computersIn = (pred: (c: ContainerRecord) => boolean, key: 'legacy' | 'windows') =>
    members.filter(pred).reduce((n, c) => n + (c.computersMissingSelf ? c.computersMissingSelf[key] : key === 'legacy' ? c.legacyManaged : memberComputers(c)), 0);
  return {
    containers: a.containers.length,
    computers: a.computers.length,
    perComputer,
    windowsLapsSchema: hasFamily(g, 'windows'),
    legacySchema: hasFamily(g, 'legacy'),
    self: {
      legacyMissingContainers: members.filter((c) => !c.self.legacy && c.legacyManaged > 0).length,
      legacyMissingComputers: computersIn((c) => !c.self.legacy && c.legacyManaged > 0, 'legacy'),
      windowsMissingContainers: members.filter((c) => !c.self.windows).length,
      windowsMissingComputers: computersIn((c) => !c.self.windows, 'windows'),
      readEncryptedMissingContainers: members.filter((c) => !c.self.readEncrypted).length,
    },
    protectedContainers: a.containers.filter((c) => c.protected).length,
    nonAdminLegacyReaders: names('readLegacy').size,
    nonAdminWindowsReaders: winReaders.size,
    readGaps: count('READ_GAP_LEGACY_ONLY') + count('READ_GAP_WINDOWS_ONLY'),
    resetGaps: count('RESET_GAP_LEGACY_ONLY') + count('RESET_GAP_WINDOWS_ONLY'),
    risky: {
      allExtendedRights: risky('ALL_EXTENDED_RIGHTS'),
      fullControl: risky('FULL_CONTROL'),
      ownerCanRead: findings.filter((x) => x.code === 'OWNER_CAN_READ').reduce((n, x) => n + (x.count ?? 0), 0),
      dirSync: risky('DIRSYNC_READER'),
      canGrantThemselves: risky('CAN_GRANT_ITSELF'),
    },
  };
}
