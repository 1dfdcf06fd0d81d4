/**
 * "Who can read confidential attribute X / write X / use right R on this object (or on the
 * computers an OU will hold)": the principals named in the DACL that get the rights, each with
 * the ACEs that give them and the route, plus the owner and whoever may rewrite the DACL, who can
 * grant themselves anything.
 *
 * Routes: 'explicit' (an ACE naming the attribute or right), 'property-set' (an ACE naming the
 * attribute's property set), 'all-properties' (READ/WRITE_PROPERTY with no object type),
 * 'all-extended-rights' (CONTROL_ACCESS with no object type), 'full-control' (GenericAll or every
 * right GenericAll maps to), 'object' (other rights with no object type); and the indirect ones,
 * which do not give the access now but let the principal take it: 'owner', 'write-dac',
 * 'write-owner'. A CREATOR OWNER trustee stands for whoever creates the object.
 *
 * Group membership is not known here: a trustee is evaluated with its own SID plus what
 * `groupsOf` returns (nothing by default), and every deny ACE that applies to the target is
 * listed in `denies` so that a caller who knows memberships can check them.
 */
import { ADS_RIGHT_DS_CONTROL_ACCESS, ADS_RIGHT_DS_READ_PROP, ADS_RIGHT_DS_WRITE_PROP, ADS_RIGHT_GENERIC_ALL, ADS_RIGHT_WRITE_DAC, ADS_RIGHT_WRITE_OWNER, isFullControl, mapGenericRights } from './access-mask.js';
import { AceFlag, SdControl } from './constants.js';
import { inheritFromParent } from './inheritance.js';
import { aceAppliesTo, effectiveAccess, hasRights, isAllowAce, isDenyAce, targetPath, type AccessTarget, type EffectiveAccess } from './effective-access.js';
import type { Ace, Acl, SecurityDescriptor } from './security-descriptor.js';
import { sidDisplayName, WellKnownSids, type SidNameResolver } from './well-known-sids.js';

export type AccessRoute =
  | 'explicit'
  | 'property-set'
  | 'all-properties'
  | 'all-extended-rights'
  | 'full-control'
  | 'object'
  | 'owner'
  | 'write-dac'
  | 'write-owner';

/** READ_PROPERTY + CONTROL_ACCESS: what reading a confidential attribute takes. */
export const READ_CONFIDENTIAL = ADS_RIGHT_DS_READ_PROP | ADS_RIGHT_DS_CONTROL_ACCESS;

export interface WhoCanQuery extends AccessTarget {
  /** Rights that must all be granted, e.g. READ_CONFIDENTIAL, ADS_RIGHT_DS_WRITE_PROP. */
  rights: number;
}

export interface WhoCanOptions {
  /** Group SIDs of a trustee (transitively), when the caller knows them. */
  groupsOf?: (sid: string) => readonly string[];
  /** Names of domain SIDs (injected by the directory layer). */
  resolveName?: SidNameResolver;
  domainSid?: string;
}

export interface GrantingAce {
  aceIndex: number;
  ace: Ace;
  /** The requested rights this ACE decided. */
  rights: number;
  route: AccessRoute;
}

export interface WhoCanEntry {
  sid: string;
  name?: string;
  /** Has every requested right now. */
  effective: boolean;
  /** Routes of the ACEs that grant the rights, then the indirect ones; no duplicates. */
  routes: AccessRoute[];
  grantedBy: GrantingAce[];
  /** Requested rights denied to it by an ACE naming it (or one of its known groups). */
  denied: number;
  access: EffectiveAccess;
}

export interface WhoCanResult {
  entries: WhoCanEntry[];
  /** Deny ACEs that apply to the target (their trustees may be groups of the listed principals). */
  denies: Array<{ aceIndex: number; ace: Ace }>;
}

/** The route an allow ACE gives for one right bit on the target. */
export function routeOf(ace: Ace, bit: number, target: AccessTarget): AccessRoute {
  if ((ace.mask & ADS_RIGHT_GENERIC_ALL) !== 0 || isFullControl(ace.mask)) return 'full-control';
  const ot = ace.objectType;
  const classes = new Set((target.objectClassGuids ?? []).map((g) => g.toLowerCase()));
  if (ot === undefined || classes.has(ot)) {
    if (bit === ADS_RIGHT_DS_CONTROL_ACCESS) return 'all-extended-rights';
    if (bit === ADS_RIGHT_DS_READ_PROP || bit === ADS_RIGHT_DS_WRITE_PROP) return 'all-properties';
    return 'object';
  }
  if (target.attribute?.propertySet && ot === target.attribute.propertySet.toLowerCase() && ot !== target.attribute.guid.toLowerCase()) {
    return 'property-set';
  }
  return 'explicit';
}

function candidates(sd: SecurityDescriptor, path: ReadonlySet<string>): string[] {
  const seen = new Set<string>();
  for (const ace of sd.dacl?.aces ?? []) {
    if (isAllowAce(ace) && aceAppliesTo(ace, path)) seen.add(ace.sid);
  }
  if (sd.owner !== undefined) seen.add(sd.owner);
  return [...seen];
}

export interface TrusteeAccess {
  access: EffectiveAccess;
  /** Has every requested right now. */
  effective: boolean;
  /** Requested rights denied by an ACE in the token. */
  denied: number;
  /** The ACEs that granted requested rights, in the order of the rights they decided. */
  grantedBy: GrantingAce[];
}

/**
 * What one token gets of `rights` on the target, and through which ACEs. An ACE's route is the one
 * of its most telling right: `decisive` (CONTROL_ACCESS unless told otherwise) when the ACE's mask
 * holds it, else the lowest right it decided. The one evaluator of the tool: whoCan and the
 * permissions step both run every trustee through it.
 */
export function trusteeAccess(sd: SecurityDescriptor, token: Iterable<string>, target: AccessTarget, rights: number, decisive: number = ADS_RIGHT_DS_CONTROL_ACCESS): TrusteeAccess {
  const access = effectiveAccess(sd, token, target);
  const grantedBy: GrantingAce[] = [];
  for (const d of access.decisions) {
    if (!d.granted || d.source !== 'ace' || (d.right & rights) === 0) continue;
    const g = grantedBy.find((x) => x.aceIndex === d.aceIndex);
    if (g) {
      g.rights = (g.rights | d.right) >>> 0;
      continue;
    }
    const bit = mapGenericRights(d.ace!.mask) & decisive ? decisive : d.right;
    grantedBy.push({ aceIndex: d.aceIndex!, ace: d.ace!, rights: d.right, route: routeOf(d.ace!, bit >>> 0, target) });
  }
  return { access, effective: hasRights(access, rights), denied: (access.denied & rights) >>> 0, grantedBy };
}

/** The routes by which `sid` (holding `token`) could give itself any right: owning the object, or WRITE_DAC / WRITE_OWNER on it. */
export function indirectRoutes(sd: SecurityDescriptor, sid: string, token: Iterable<string>, objectTarget: AccessTarget): AccessRoute[] {
  const routes: AccessRoute[] = [];
  if (sd.owner === sid) routes.push('owner');
  const objectRights = effectiveAccess(sd, token, objectTarget).granted;
  if (objectRights & ADS_RIGHT_WRITE_DAC && sd.owner !== sid) routes.push('write-dac');
  if (objectRights & ADS_RIGHT_WRITE_OWNER) routes.push('write-owner');
  return routes;
}

/** Who can exercise `query.rights` on the target, and how. */
export function whoCan(sd: SecurityDescriptor, query: WhoCanQuery, options: WhoCanOptions = {}): WhoCanResult {
  const path = targetPath(query);
  const entries: WhoCanEntry[] = [];
  for (const sid of candidates(sd, path)) {
    const token = [sid, ...(options.groupsOf?.(sid) ?? [])];
    // A trustee that is the object itself acts as SELF as well.
    const { access, effective, denied, grantedBy } = trusteeAccess(sd, token, query, query.rights);
    const routes: AccessRoute[] = [];
    if (effective) for (const g of grantedBy) if (!routes.includes(g.route)) routes.push(g.route);
    routes.push(...indirectRoutes(sd, sid, token, { objectClassGuids: query.objectClassGuids, objectSid: query.objectSid }));
    if (!effective && routes.length === 0 && denied === 0) continue;
    const entry: WhoCanEntry = { sid, effective, routes, grantedBy: effective ? grantedBy : [], denied, access };
    const name = sidDisplayName(sid, { domainSid: options.domainSid, resolve: options.resolveName });
    if (name) entry.name = name;
    entries.push(entry);
  }
  entries.sort((a, b) => Number(b.effective) - Number(a.effective) || a.sid.localeCompare(b.sid));
  const denies = (sd.dacl?.aces ?? [])
    .map((ace, aceIndex) => ({ ace, aceIndex }))
    .filter(({ ace }) => isDenyAce(ace) && aceAppliesTo(ace, path) && (mapGenericRights(ace.mask) & query.rights) !== 0);
  return { entries, denies };
}

/**
 * Whether the object's own account (a computer, acting as SELF) has the rights on the object,
 * e.g. a computer writing its own LAPS password. `objectSid` is the object's objectSid.
 */
export function selfCan(sd: SecurityDescriptor, query: WhoCanQuery, objectSid: string): EffectiveAccess & { effective: boolean } {
  const access = effectiveAccess(sd, [objectSid], { ...query, objectSid });
  return { ...access, effective: hasRights(access, query.rights) };
}

export interface ProspectiveChild {
  /** Structural (+ auxiliary) class GUIDs of the objects the container will hold. */
  classGuids: readonly string[];
  /** The class's defaultSecurityDescriptor, parsed (explicit ACEs every new object gets). */
  defaultSd?: SecurityDescriptor;
  /** Who will create the objects; default CREATOR OWNER (S-1-3-0), i.e. "whoever joins it". */
  creator?: string;
}

/**
 * The descriptor a new child would get under a parent whose effective DACL is `parentDacl`: the
 * class default ACEs (CREATOR OWNER mapped to the creator) then the inherited ones (none when the
 * default descriptor is protected). Pass it to whoCan, or use whoCanOnChildren.
 */
export function prospectiveChildSd(parentDacl: Acl | null, child: ProspectiveChild): SecurityDescriptor {
  const owner = child.creator ?? WellKnownSids.CREATOR_OWNER;
  const def = child.defaultSd;
  const explicit = (def?.dacl?.aces ?? []).map((a) =>
    a.sid === WellKnownSids.CREATOR_OWNER && !(a.flags & AceFlag.INHERIT_ONLY) ? { ...a, sid: owner, mask: mapGenericRights(a.mask) } : a,
  );
  const isProtected = ((def?.control ?? 0) & SdControl.DACL_PROTECTED) !== 0;
  const inherited = isProtected ? [] : inheritFromParent(parentDacl, { classGuids: child.classGuids, owner, group: def?.group });
  return {
    revision: 1,
    sbz1: 0,
    control: SdControl.SELF_RELATIVE | SdControl.DACL_PRESENT | SdControl.DACL_AUTO_INHERITED | (isProtected ? SdControl.DACL_PROTECTED : 0),
    owner,
    group: def?.group,
    sacl: null,
    dacl: { revision: 4, aces: [...explicit, ...inherited] },
  };
}

/**
 * "Who can read/write X on the objects of this class under this container": whoCan on the
 * descriptor a new child would get. The owner of that child is CREATOR OWNER unless `creator`
 * is given, so "whoever creates (joins) the computer" shows up with the owner route and any
 * CREATOR OWNER rights of the class default.
 */
export function whoCanOnChildren(parentDacl: Acl | null, child: ProspectiveChild, query: Omit<WhoCanQuery, 'objectClassGuids'>, options: WhoCanOptions = {}): WhoCanResult {
  return whoCan(prospectiveChildSd(parentDacl, child), { ...query, objectClassGuids: child.classGuids }, options);
}
