/**
 * Principals as the analysis sees them: names, tokens (own SID, groups, Everyone and
 * Authenticated Users) and tiers (admin, DC, operator, broad, self, creator, delegated).
 */
import { domainOf, ridOf, sidDisplayName, WellKnownSids } from '../../security/index.js';
import type { Principal } from '../../directory/principals.js';
import type { Tier } from './model.js';

const ADMIN_RIDS = new Set([500, 512, 518, 519]);
const DC_RIDS = new Set([498, 516, 521]);
const BROAD_RIDS = new Set([513, 514, 515]);
const ADMIN_SIDS = new Set<string>([WellKnownSids.SYSTEM, WellKnownSids.BUILTIN_ADMINISTRATORS]);
const OPERATOR_SIDS = new Set<string>([WellKnownSids.ACCOUNT_OPERATORS, 'S-1-5-32-549', 'S-1-5-32-550', 'S-1-5-32-551']);
const BROAD_SIDS = new Set<string>([WellKnownSids.EVERYONE, WellKnownSids.AUTHENTICATED_USERS, WellKnownSids.ANONYMOUS, WellKnownSids.NETWORK, 'S-1-5-15', WellKnownSids.BUILTIN_USERS, WellKnownSids.PRE_WINDOWS_2000]);
/** Added to every principal's token (members of anything are authenticated users). */
export const IMPLICIT_GROUPS = [WellKnownSids.EVERYONE, WellKnownSids.AUTHENTICATED_USERS];
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
