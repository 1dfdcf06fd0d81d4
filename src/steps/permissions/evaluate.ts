/**
 * Evaluating one descriptor: what each LAPS capability takes (capability targets, SELF
 * requirements), and for every trustee the ACEs that give it, by which route and origin, through
 * the one access evaluator in security/who-can (trusteeAccess, indirectRoutes).
 */
import { ADS_RIGHT_DS_CONTROL_ACCESS, ADS_RIGHT_DS_READ_PROP, ADS_RIGHT_DS_WRITE_PROP, ADS_RIGHT_WRITE_DAC, ADS_RIGHT_WRITE_OWNER, aceAppliesTo, aceToSddl, indirectRoutes, isAllowAce, isDaclProtected, isDenyAce, mapGenericRights, READ_CONFIDENTIAL, targetPath, trusteeAccess, WellKnownSids, type AccessRoute, type AccessTarget, type Ace, type SecurityDescriptor } from '../../security/index.js';
import type { LapsAttributeKey } from '../../laps/attributes.js';
import { type AccountToken, CAPABILITIES, type Capability, type Grant, type Holder, type LapsGuids, type Origin, ROUTE_ORDER, type Route, type SelfCoverage } from './model.js';
import { IMPLICIT_GROUPS, PrincipalTable, isNonAdmin } from './principals.js';

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

function capabilityTargets(g: LapsGuids): Partial<Record<Capability, CapabilityTarget>> {
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

function selfRequirements(g: LapsGuids): SelfRequirement[] {
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

export function aceKey(ace: Ace, sid = ace.sid): string {
  return `${isDenyAce(ace) ? 'D' : 'A'}|${sid}|${mapGenericRights(ace.mask)}|${ace.objectType ?? ''}`;
}

export function emptyHolders(): Record<Capability, Holder[]> {
  return { readLegacy: [], readWindowsClear: [], readWindowsEncrypted: [], resetLegacy: [], resetWindows: [] };
}

function sortRoutes(r: Iterable<Route>): Route[] {
  return [...new Set(r)].sort((a, b) => ROUTE_ORDER.indexOf(a) - ROUTE_ORDER.indexOf(b));
}

/**
 * The token a computer presents when it writes to itself: its SID (so SELF applies), Domain
 * Computers, Everyone and Authenticated Users.
 */
function computerToken(objectSid: string, domainSid: string): string[] {
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
