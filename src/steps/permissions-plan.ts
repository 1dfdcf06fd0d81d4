/**
 * Step 3 apply plan (pure): which ACEs to add or remove where, computed from the descriptors the
 * audit read, and how to turn one descriptor into its planned successor.
 *
 * - SELF for Windows LAPS (Set-LapsADComputerSelfPermission equivalent), inheritable to computer
 *   objects: RP+WP and CONTROL_ACCESS on the ms-LAPS-Encrypted-Password-Attributes property set
 *   (write the encrypted password and history, read its own encrypted password back: the
 *   attributes are confidential), WP on msLAPS-Password, RP+WP on msLAPS-PasswordExpirationTime.
 *   The legacy SELF permission (WP ms-Mcs-AdmPwd, RP+WP its expiration time) where
 *   legacy-managed computers lack it (legacy CSE, emulation). Containers are taken from the top;
 *   a container that inherits a grant planned above it (its DACL is not protected) gets none.
 * - Mirroring: each explicit legacy ACE (allow or deny) on ms-Mcs-AdmPwd becomes the same ACE on
 *   msLAPS-Password and on the property set; one on ms-Mcs-AdmPwdExpirationTime the same on
 *   msLAPS-PasswordExpirationTime. Deny ACEs are mirrored too, so a denial survives the cutover.
 * - Opt-in: remove CONTROL_ACCESS from non-admin "All Extended Rights" ACEs that reach computers;
 *   make Domain Admins the owner of computers owned by a non-admin and drop that owner's
 *   CREATOR OWNER ACEs.
 * Every edit goes through mergeAce / removeAce, so applying a plan twice changes nothing.
 */
import {
  ADS_RIGHT_DS_CONTROL_ACCESS,
  ADS_RIGHT_DS_READ_PROP,
  ADS_RIGHT_DS_WRITE_PROP,
  AceFlag,
  AceType,
  aceEquals,
  aceToSddl,
  effectiveDaclOf,
  isFullControl,
  mapGenericRights,
  mergeAce,
  prospectiveChildSd,
  removeAce,
  SdControl,
  serializeSecurityDescriptor,
  WellKnownSids,
  type Ace,
  type Acl,
  type SecurityDescriptor,
} from '../security/index.js';
import { dnKey, friendlyPath, isUnder, parentDn } from '../directory/dn.js';
import { hasFamily, PROSPECTIVE_COMPUTER_SID, selfCoverage, type LapsGuids, type Tier } from './permissions-analysis.js';

export interface PlanOptions {
  /** Grant the Windows LAPS SELF permission where computers lack it (default true). */
  self: boolean;
  /** Grant the legacy SELF permission where legacy-managed computers lack it (default true). */
  legacySelf: boolean;
  /** Mirror legacy read / reset / deny ACEs onto the Windows LAPS attributes (default true). */
  mirror: boolean;
  /** Remove CONTROL_ACCESS from non-admin All Extended Rights ACEs reaching computers (opt-in). */
  removeAllExtendedRights: boolean;
  /** Make Domain Admins the owner of computers owned by a non-admin (opt-in). */
  fixOwners: boolean;
  /** Containers chosen with --ou (each with its subtree); absent = every container. */
  scope?: string[];
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { self: true, legacySelf: true, mirror: true, removeAllExtendedRights: false, fixOwners: false };

export interface PlanContainer {
  dn: string;
  kind: 'domain' | 'ou' | 'container';
  classGuids: string[];
  /** As the audit read it (owner + DACL); undefined when unreadable. */
  sd?: SecurityDescriptor;
  computers: number;
  domainControllers: number;
  legacyManaged: number;
}

export interface PlanComputer {
  dn: string;
  name: string;
  /** The SID that owns it (per-computer mode) or created it (mS-DS-CreatorSID). */
  ownerOrCreator: string | null;
  ownerTier: Tier | null;
  ownerName: string | null;
  source: 'computer' | 'container';
}

export interface PlanInput {
  domainDn: string;
  domainSid: string;
  laps: LapsGuids;
  classDefaultSd?: SecurityDescriptor;
  containers: PlanContainer[];
  computers: PlanComputer[];
  tierOf: (sid: string) => Tier;
  nameOf: (sid: string) => string;
}

export type SelfAction = 'grant' | 'inherits-planned-grant' | 'covered' | 'not-requested' | 'skipped-dcs' | 'out-of-scope' | 'unreadable';

export interface SelfRow {
  container: string;
  dn: string;
  computers: number;
  legacyManaged: number;
  legacyNow: boolean;
  windowsNow: boolean;
  readEncryptedNow: boolean;
  action: SelfAction;
  grants: Array<'windows' | 'legacy'>;
  legacyAfter: boolean;
  windowsAfter: boolean;
  readEncryptedAfter: boolean;
}

export interface MirrorRow {
  container: string;
  dn: string;
  principal: string;
  sid: string;
  kinds: Array<'read' | 'reset' | 'deny' | 'other'>;
  legacyAces: string[];
  windowsAces: string[];
  status: 'add' | 'present';
}

export interface RemediationRow {
  kind: 'all-extended-rights' | 'owner';
  dn: string;
  object: string;
  principal: string;
  sid: string;
  detail: string;
}

export interface DescriptorEdit {
  dn: string;
  /** SD flags to read and write with: 4 DACL only, 5 owner + DACL (owner changes). */
  sdFlags: 4 | 5;
  reasons: string[];
  /** ACEs merged in (idempotent). */
  add: Ace[];
  /** Explicit ACEs removed (exact match). */
  remove: Ace[];
  /** Explicit ACEs replaced by a narrower one. */
  replace: Array<{ from: Ace; to: Ace }>;
  /** Make this SID the owner when the current owner is a non-admin; drop that owner's CREATOR OWNER ACEs. */
  newOwner?: string;
}

export interface PermissionsPlanModel {
  edits: DescriptorEdit[];
  self: SelfRow[];
  mirror: MirrorRow[];
  remediation: RemediationRow[];
  /** Containers the plan may touch (--ou and their subtrees, or every one). */
  scope: string[] | 'all';
}

const RP = ADS_RIGHT_DS_READ_PROP;
const WP = ADS_RIGHT_DS_WRITE_PROP;
const CR = ADS_RIGHT_DS_CONTROL_ACCESS;
const CIIO = AceFlag.CONTAINER_INHERIT | AceFlag.INHERIT_ONLY;

function objectAce(type: number, flags: number, mask: number, sid: string, objectType: string, inheritedObjectType: string | undefined): Ace {
  return { type, flags, mask, sid, objectType, ...(inheritedObjectType ? { inheritedObjectType } : {}) };
}

/** The inheritable SELF ACEs Set-LapsADComputerSelfPermission stands for (LAB-NOTES). */
export function windowsSelfAces(g: LapsGuids): Ace[] {
  const C = g.computerClass;
  const out: Ace[] = [];
  const ps = g.propertySet;
  const A = AceType.ACCESS_ALLOWED_OBJECT;
  if (ps) {
    out.push(objectAce(A, CIIO, RP | WP, WellKnownSids.SELF, ps, C));
    out.push(objectAce(A, CIIO, CR, WellKnownSids.SELF, ps, C));
  }
  if (g.attributes.password) out.push(objectAce(A, CIIO, WP, WellKnownSids.SELF, g.attributes.password.guid, C));
  if (g.attributes.expiration) out.push(objectAce(A, CIIO, RP | WP, WellKnownSids.SELF, g.attributes.expiration.guid, C));
  return out;
}

/** Set-AdmPwdComputerSelfPermission: WP ms-Mcs-AdmPwd, RP+WP ms-Mcs-AdmPwdExpirationTime. */
export function legacySelfAces(g: LapsGuids): Ace[] {
  const C = g.computerClass;
  const A = AceType.ACCESS_ALLOWED_OBJECT;
  const out: Ace[] = [];
  if (g.attributes.legacyPassword) out.push(objectAce(A, CIIO, WP, WellKnownSids.SELF, g.attributes.legacyPassword.guid, C));
  if (g.attributes.legacyExpiration) out.push(objectAce(A, CIIO, RP | WP, WellKnownSids.SELF, g.attributes.legacyExpiration.guid, C));
  return out;
}

const MIRRORABLE_TYPES = new Set<number>([AceType.ACCESS_ALLOWED_OBJECT, AceType.ACCESS_DENIED_OBJECT]);

/** The Windows LAPS ACEs a legacy ACE stands for (none when it does not name a legacy attribute). */
export function mirrorAce(ace: Ace, g: LapsGuids): Ace[] {
  if (!MIRRORABLE_TYPES.has(ace.type) || ace.flags & AceFlag.INHERITED || !ace.objectType || ace.sid === WellKnownSids.SELF) return [];
  const mask = mapGenericRights(ace.mask) & (RP | WP | CR);
  if (mask === 0) return [];
  const flags = ace.flags & ~AceFlag.INHERITED;
  const make = (objectType: string) => objectAce(ace.type, flags, mask, ace.sid, objectType, ace.inheritedObjectType);
  const a = g.attributes;
  if (a.legacyPassword && ace.objectType === a.legacyPassword.guid) {
    const out: Ace[] = [];
    if (a.password) out.push(make(a.password.guid));
    if (g.propertySet) out.push(make(g.propertySet));
    return out;
  }
  if (a.legacyExpiration && ace.objectType === a.legacyExpiration.guid && a.expiration) return [make(a.expiration.guid)];
  return [];
}

function mirrorKinds(ace: Ace, g: LapsGuids): Array<MirrorRow['kinds'][number]> {
  if (ace.type === AceType.ACCESS_DENIED_OBJECT) return ['deny'];
  const m = mapGenericRights(ace.mask);
  const kinds: Array<MirrorRow['kinds'][number]> = [];
  if (ace.objectType === g.attributes.legacyPassword?.guid && m & CR) kinds.push('read');
  if (ace.objectType === g.attributes.legacyExpiration?.guid && m & WP) kinds.push('reset');
  if (ace.objectType === g.attributes.legacyExpiration?.guid && m & RP && !(m & WP)) kinds.push('read');
  return kinds.length ? kinds : ['other'];
}

/** Merges ACEs that differ only in their mask (e.g. RP and RPWP on the same attribute). */
function combineMasks(aces: Ace[]): Ace[] {
  const out: Ace[] = [];
  for (const a of aces) {
    const same = out.find((b) => aceEquals({ ...b, mask: 0 }, { ...a, mask: 0 }));
    if (same) same.mask = (same.mask | a.mask) >>> 0;
    else out.push({ ...a });
  }
  return out;
}

/** An "All Extended Rights" allow ACE that reaches computer objects below the container. */
export function allExtendedRightsAce(ace: Ace, computerClass: string): boolean {
  if (ace.type !== AceType.ACCESS_ALLOWED && ace.type !== AceType.ACCESS_ALLOWED_OBJECT) return false;
  if (ace.flags & AceFlag.INHERITED || ace.objectType) return false;
  if (!(mapGenericRights(ace.mask) & CR) || isFullControl(ace.mask)) return false;
  if (!(ace.flags & AceFlag.CONTAINER_INHERIT)) return false;
  return !ace.inheritedObjectType || ace.inheritedObjectType === computerClass;
}

function daclOf(sd: SecurityDescriptor | undefined): Acl {
  return sd?.dacl ? { ...sd.dacl, aces: [...sd.dacl.aces] } : { revision: 4, aces: [] };
}

function withAces(sd: SecurityDescriptor, add: Ace[]): SecurityDescriptor {
  let dacl = daclOf(sd);
  for (const a of add) dacl = mergeAce(dacl, a).acl;
  return { ...sd, dacl: { ...dacl, revision: Math.max(dacl.revision, 4) } };
}

function inScope(dn: string, scope: string[] | undefined): boolean {
  return !scope || scope.some((s) => isUnder(dn, s));
}

export function planPermissions(input: PlanInput, options: PlanOptions): PermissionsPlanModel {
  const g = input.laps;
  const path = (dn: string) => friendlyPath(dn, input.domainDn);
  const byDn = new Map(input.containers.map((c) => [dnKey(c.dn), c]));
  const edits = new Map<string, DescriptorEdit>();
  const edit = (dn: string, sdFlags: 4 | 5): DescriptorEdit => {
    const k = dnKey(dn);
    let e = edits.get(k);
    if (!e) {
      e = { dn, sdFlags, reasons: [], add: [], remove: [], replace: [] };
      edits.set(k, e);
    }
    return e;
  };
  const explicitScope = options.scope?.map(dnKey);

  // the DACL a container would have once the planned additions above it (and on it) are made
  const simulated = (dn: string): Acl | null => {
    const c = byDn.get(dnKey(dn));
    if (!c?.sd) return null;
    const mine = edits.get(dnKey(dn))?.add ?? [];
    const own = mine.length ? withAces(c.sd, mine) : c.sd;
    const parent = parentDn(dn);
    const changedAbove = [...edits.keys()].some((k) => k !== dnKey(dn) && isUnder(dn, k));
    if (!changedAbove || dnKey(dn) === dnKey(input.domainDn) || !byDn.has(dnKey(parent))) return own.dacl;
    const parentDacl = simulated(parent);
    return effectiveDaclOf(own.dacl?.aces ?? [], parentDacl, { classGuids: c.classGuids, protected: (c.sd.control & SdControl.DACL_PROTECTED) !== 0, revision: own.dacl?.revision ?? 4 });
  };
  const coverageAfter = (dn: string) => {
    const dacl = simulated(dn);
    const child = prospectiveChildSd(dacl, { classGuids: [g.computerClass], ...(input.classDefaultSd ? { defaultSd: input.classDefaultSd } : {}) });
    return selfCoverage(child, g, PROSPECTIVE_COMPUTER_SID, input.domainSid);
  };

  // 1. SELF, from the top
  const selfRows: SelfRow[] = [];
  const wantWindows = options.self && hasFamily(g, 'windows');
  const wantLegacy = options.legacySelf && hasFamily(g, 'legacy');
  const holding = input.containers.filter((c) => c.computers > 0).sort((a, b) => a.dn.split(',').length - b.dn.split(',').length || path(a.dn).localeCompare(path(b.dn)));
  for (const c of holding) {
    const row: SelfRow = { container: path(c.dn), dn: c.dn, computers: c.computers, legacyManaged: c.legacyManaged, legacyNow: false, windowsNow: false, readEncryptedNow: false, action: 'covered', grants: [], legacyAfter: false, windowsAfter: false, readEncryptedAfter: false };
    if (!c.sd) {
      row.action = 'unreadable';
      selfRows.push(row);
      continue;
    }
    const now = coverageOf(c.sd, input);
    row.legacyNow = now.legacy;
    row.windowsNow = now.windows;
    row.readEncryptedNow = now.readEncrypted;
    const before = coverageAfter(c.dn);
    const explicitlyChosen = explicitScope?.includes(dnKey(c.dn)) ?? false;
    const onlyDcs = c.domainControllers === c.computers;
    const needWindows = wantWindows && (!before.windows || !before.readEncrypted);
    const needLegacy = wantLegacy && c.legacyManaged > 0 && !before.legacy;
    if (!needWindows && !needLegacy) {
      const inherits = (wantWindows && !now.windows && before.windows) || (wantLegacy && !now.legacy && before.legacy && c.legacyManaged > 0);
      const unwanted = (!wantWindows && hasFamily(g, 'windows') && !now.windows) || (!wantLegacy && hasFamily(g, 'legacy') && c.legacyManaged > 0 && !now.legacy);
      row.action = inherits ? 'inherits-planned-grant' : unwanted ? 'not-requested' : 'covered';
    } else if (!inScope(c.dn, options.scope)) {
      row.action = 'out-of-scope';
    } else if (onlyDcs && !explicitlyChosen) {
      row.action = 'skipped-dcs';
    } else {
      const e = edit(c.dn, 4);
      if (needWindows) {
        e.add.push(...windowsSelfAces(g));
        row.grants.push('windows');
        e.reasons.push(`grant SELF the Windows LAPS permissions (Set-LapsADComputerSelfPermission) for the ${c.computers} computer(s) here`);
      }
      if (needLegacy) {
        e.add.push(...legacySelfAces(g));
        row.grants.push('legacy');
        e.reasons.push(`grant SELF the legacy LAPS permission (Set-AdmPwdComputerSelfPermission) for the ${c.legacyManaged} legacy-managed computer(s) here`);
      }
      row.action = 'grant';
    }
    selfRows.push(row);
  }
  for (const row of selfRows) {
    if (row.action === 'unreadable') continue;
    const after = coverageAfter(row.dn);
    row.legacyAfter = after.legacy;
    row.windowsAfter = after.windows;
    row.readEncryptedAfter = after.readEncrypted;
  }

  // 2. mirroring
  const mirrorRows: MirrorRow[] = [];
  if (options.mirror && hasFamily(g, 'windows') && hasFamily(g, 'legacy')) {
    for (const c of input.containers) {
      if (!c.sd || !inScope(c.dn, options.scope)) continue;
      const perSid = new Map<string, { legacy: Ace[]; windows: Ace[]; kinds: Set<MirrorRow['kinds'][number]> }>();
      for (const ace of c.sd.dacl?.aces ?? []) {
        const mirrored = mirrorAce(ace, g);
        if (!mirrored.length) continue;
        const p = perSid.get(ace.sid) ?? { legacy: [], windows: [], kinds: new Set() };
        p.legacy.push(ace);
        p.windows.push(...mirrored);
        for (const k of mirrorKinds(ace, g)) p.kinds.add(k);
        perSid.set(ace.sid, p);
      }
      if (!perSid.size) continue;
      let dacl = daclOf(c.sd);
      for (const [sid, p] of perSid) {
        const windowsAces = combineMasks(p.windows);
        let added = false;
        for (const a of windowsAces) {
          const r = mergeAce(dacl, a);
          dacl = r.acl;
          if (r.outcome === 'added') added = true;
        }
        const kinds = [...p.kinds].sort();
        mirrorRows.push({
          container: path(c.dn),
          dn: c.dn,
          principal: input.nameOf(sid),
          sid,
          kinds,
          legacyAces: p.legacy.map((a) => `(${aceToSddl(a, { domainSid: input.domainSid })})`),
          windowsAces: windowsAces.map((a) => `(${aceToSddl(a, { domainSid: input.domainSid })})`),
          status: added ? 'add' : 'present',
        });
        if (added) {
          const e = edit(c.dn, 4);
          e.add.push(...windowsAces);
          e.reasons.push(`mirror the legacy ${kinds.join('/')} delegation of ${input.nameOf(sid)} onto the Windows LAPS attributes`);
        }
      }
    }
  }

  // 3. opt-in remediation
  const remediation: RemediationRow[] = [];
  if (options.removeAllExtendedRights) {
    const reachesComputers = (dn: string) => holding.some((h) => isUnder(h.dn, dn));
    for (const c of input.containers) {
      if (!c.sd || !inScope(c.dn, options.scope) || !reachesComputers(c.dn)) continue;
      for (const ace of c.sd.dacl?.aces ?? []) {
        if (!allExtendedRightsAce(ace, g.computerClass)) continue;
        const tier = input.tierOf(ace.sid);
        if (tier !== 'delegated' && tier !== 'broad') continue;
        const e = edit(c.dn, 4);
        const rest = mapGenericRights(ace.mask) & ~CR;
        const sddl = `(${aceToSddl(ace, { domainSid: input.domainSid })})`;
        if (rest === 0) {
          e.remove.push(ace);
          remediation.push({ kind: 'all-extended-rights', dn: c.dn, object: path(c.dn), principal: input.nameOf(ace.sid), sid: ace.sid, detail: `remove ${sddl}` });
        } else {
          const to = { ...ace, mask: rest >>> 0 };
          e.replace.push({ from: ace, to });
          remediation.push({ kind: 'all-extended-rights', dn: c.dn, object: path(c.dn), principal: input.nameOf(ace.sid), sid: ace.sid, detail: `replace ${sddl} by (${aceToSddl(to, { domainSid: input.domainSid })})` });
        }
        e.reasons.push(`remove All Extended Rights of ${input.nameOf(ace.sid)} (reads every confidential attribute of the computers below)`);
      }
    }
  }
  if (options.fixOwners) {
    const da = `${input.domainSid}-512`;
    for (const c of input.computers) {
      if (!c.ownerOrCreator || !c.ownerTier || (c.ownerTier !== 'delegated' && c.ownerTier !== 'broad')) continue;
      if (!inScope(c.dn, options.scope)) continue;
      const e = edit(c.dn, 5);
      e.newOwner = da;
      e.reasons.push(`make Domain Admins the owner instead of ${c.ownerName ?? c.ownerOrCreator}, and remove that account's CREATOR OWNER ACEs (it could read the LAPS password)`);
      remediation.push({ kind: 'owner', dn: c.dn, object: c.name, principal: c.ownerName ?? c.ownerOrCreator, sid: c.ownerOrCreator, detail: 'owner -> Domain Admins; creator ACEs removed' });
    }
  }

  // drop duplicated ACEs inside an edit (mergeAce makes them harmless, this keeps the plan short)
  for (const e of edits.values()) e.add = dedupe(e.add);
  return { edits: [...edits.values()], self: selfRows, mirror: mirrorRows, remediation, scope: options.scope ?? 'all' };
}

function dedupe(aces: Ace[]): Ace[] {
  const out: Ace[] = [];
  for (const a of aces) if (!out.some((b) => aceEquals(a, b))) out.push(a);
  return out;
}

function coverageOf(sd: SecurityDescriptor, input: PlanInput) {
  const child = prospectiveChildSd(sd.dacl, { classGuids: [input.laps.computerClass], ...(input.classDefaultSd ? { defaultSd: input.classDefaultSd } : {}) });
  return selfCoverage(child, input.laps, PROSPECTIVE_COMPUTER_SID, input.domainSid);
}

export interface EditContext {
  tierOf: (sid: string) => Tier;
  classDefaultSd?: SecurityDescriptor;
}

/** ACEs the class default gives CREATOR OWNER, as they appear on an object owned by `owner`. */
function creatorOwnerAces(owner: string, classDefault: SecurityDescriptor | undefined): Ace[] {
  return (classDefault?.dacl?.aces ?? [])
    .filter((a) => a.sid === WellKnownSids.CREATOR_OWNER && !(a.flags & AceFlag.INHERIT_ONLY))
    .map((a) => ({ ...a, sid: owner, mask: mapGenericRights(a.mask) }));
}

/**
 * The descriptor after the edit, applied to what the directory holds now; undefined when the
 * edit changes nothing (already done). Additions are merged (idempotent), removals match exactly.
 */
export function applyEdit(current: SecurityDescriptor, e: DescriptorEdit, ctx: EditContext): SecurityDescriptor | undefined {
  let dacl = daclOf(current);
  let changed = false;
  let owner = current.owner;
  for (const r of e.remove) {
    const res = removeAce(dacl, r);
    if (res.removed) {
      dacl = res.acl;
      changed = true;
    }
  }
  for (const { from, to } of e.replace) {
    const i = dacl.aces.findIndex((a) => !(a.flags & AceFlag.INHERITED) && aceEquals(a, from));
    if (i >= 0) {
      dacl = { ...dacl, aces: dacl.aces.map((a, j) => (j === i ? to : a)) };
      changed = true;
    }
  }
  if (e.newOwner && current.owner && current.owner !== e.newOwner) {
    const t = ctx.tierOf(current.owner);
    if (t === 'delegated' || t === 'broad') {
      const co = creatorOwnerAces(current.owner, ctx.classDefaultSd);
      const res = removeAce(dacl, (a) => co.some((c) => aceEquals({ ...a, mask: mapGenericRights(a.mask) }, c)));
      dacl = res.acl;
      owner = e.newOwner;
      changed = true;
    }
  }
  for (const a of e.add) {
    const r = mergeAce(dacl, a);
    if (r.outcome === 'added') {
      dacl = r.acl;
      changed = true;
    }
  }
  if (!changed) return undefined;
  const out: SecurityDescriptor = { ...current, dacl: { ...dacl, revision: Math.max(dacl.revision, e.add.length ? 4 : dacl.revision) } };
  if (owner !== undefined) out.owner = owner;
  return out;
}

/** applyEdit on bytes: the new descriptor's bytes, or undefined when nothing changes. */
export function applyEditBytes(current: SecurityDescriptor, e: DescriptorEdit, ctx: EditContext): Buffer | undefined {
  const after = applyEdit(current, e, ctx);
  return after ? serializeSecurityDescriptor(after) : undefined;
}
