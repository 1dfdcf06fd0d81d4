/**
 * The streaming analysis: containers and computers are fed one at a time while the directory is
 * paged through, in whatever order (one paged search, or partitions read at once); identical
 * descriptors are evaluated once, after the caller has resolved the SIDs they name; finish() rolls
 * everything up into records, findings and the summary, in an order that does not depend on the
 * order computers came in.
 * About 480 lines: one class whose state (descriptor cache, per-container tallies) only makes sense
 * together; its helpers already live in evaluate.ts, principals.ts and findings.ts.
 */
import { AceFlag, isDaclProtected, parseSecurityDescriptor, prospectiveChildSd, WellKnownSids, type Ace, type SecurityDescriptor } from '../../security/index.js';
import { createHash } from 'node:crypto';
import { dnKey, friendlyPath, parentDn } from '../../directory/dn.js';
import type { Principal } from '../../directory/principals.js';
import { type AccessRow, type AccountPrediction, type AccountToken, type AnalysisContext, CAPABILITIES, type Capability, type ComputerInput, type ComputerRecord, type ContainerInput, type ContainerRecord, type Holder, type HolderBrief, type PermissionsAnalysisResult } from './model.js';
import { PROSPECTIVE_COMPUTER_SID, PrincipalTable, isDelegated } from './principals.js';
import { type Evaluation, type OriginOf, accountCapabilities, aceKey, emptyHolders, evaluateDescriptor } from './evaluate.js';
import { dirSyncHolders } from './dirsync.js';
import { permissionsFindings } from './findings.js';
import { summarize } from './summary.js';

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
  /** The profile of the last computer seen here (not one naming its own computer). */
  lastProfile?: number;
  unreadable?: boolean;
}

const SERVER_TRUST_ACCOUNT = 0x2000;

/** The sort key of a computer in every output: container (DN key), name (case-insensitive), DN. */
export function computerOrderKey(containerKey: string, name: string, dn: string): string {
  return `${containerKey}\u0000${name.toLowerCase()}\u0000${dn}`;
}

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
    return [...out].sort();
  }

  /** Marks a container whose descriptor the caller tried and failed to read. */
  markUnreadable(dn: string, kind: ContainerInput['kind'] = 'container'): void {
    const key = dnKey(dn);
    const s = this.containers.get(key);
    if (s) s.unreadable = true;
    else this.containers.set(key, { input: { dn, kind, classGuids: [] }, explicitKeys: new Set(), computers: 0, dcs: 0, legacyManaged: 0, windowsManaged: 0, encryptedFor: new Map(), unreadable: true });
  }

  /** Parsed descriptors of every container read (for the plan), by DN key: the same whatever order the computers came in. */
  containerStates(): Array<{ input: ContainerInput; sd: SecurityDescriptor | undefined; computers: number; dcs: number; legacyManaged: number }> {
    return [...this.containers.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, s]) => ({ input: s.input, sd: s.sd, computers: s.computers, dcs: s.dcs, legacyManaged: s.legacyManaged }));
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
      profile = this.profileFor(c.sd, c.objectSid, state, container, key);
    }
    const e: ComputerEntry = { name: c.name, dn: c.dn, container, containerKey: key, uac: c.userAccountControl, legacyManaged: c.legacyManaged, windowsManaged: c.windowsManaged, profile };
    if (c.objectSid) e.objectSid = c.objectSid;
    if (c.creatorSid) e.creatorSid = c.creatorSid;
    if (c.ownerSid) e.ownerSid = c.ownerSid;
    if (c.encryptedFor) e.encryptedFor = c.encryptedFor;
    this.computers.push(e);
  }

  /**
   * The profile of a computer's descriptor. Identical descriptors are evaluated once per container
   * (per container because origins are looked up from there, so which computer comes first never
   * matters): the container's last profile is tried first (computers of one OU mostly carry the
   * same bytes), then a digest, confirmed byte for byte. A descriptor that names the computer's own
   * SID (a SELF-like trustee) is evaluated for that computer alone: evaluation compares SIDs.
   */
  private profileFor(bytes: Buffer, objectSid: string | undefined, state: ContainerState, container: string, key: string): number {
    const fits = (i: number) => {
      const p = this.profiles[i]!;
      return p.bytes!.equals(bytes) && (p.objectSid ? p.objectSid === objectSid : !(objectSid && p.sids!.has(objectSid)));
    };
    if (state.lastProfile !== undefined && fits(state.lastProfile)) return state.lastProfile;
    const digest = `${key}\u0000${createHash('sha1').update(bytes).digest('base64')}`;
    const candidates = this.profileByKey.get(digest) ?? [];
    let found = candidates.find(fits);
    if (found === undefined) {
      const sd = parseSecurityDescriptor(bytes);
      const sids = new Set<string>((sd.dacl?.aces ?? []).map((a) => a.sid));
      if (sd.owner) sids.add(sd.owner);
      const own = objectSid && sids.has(objectSid) ? objectSid : undefined;
      found = this.profiles.length;
      // a copy: the bytes read are a view into the LDAP message, which would stay in memory with them
      this.profiles.push({ id: found, sd, bytes: Buffer.from(bytes), sids, container, ...(own ? { objectSid: own } : {}) });
      this.profileByKey.set(digest, [...candidates, found]);
    }
    if (!this.profiles[found]!.objectSid) state.lastProfile = found;
    return found;
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

  /** Container (DN key), then name (case-insensitive), then DN: the order every output follows. */
  private sortComputers(): void {
    const keyed = this.computers.map((c) => ({ c, k: computerOrderKey(c.containerKey, c.name, c.dn) }));
    keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
    keyed.forEach((x, i) => (this.computers[i] = x.c));
  }

  get computerCount(): number {
    return this.computers.length;
  }

  /** Distinct descriptors seen on computers (per-computer mode). */
  get distinctComputerDescriptors(): number {
    return this.profiles.length;
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

    // computers, in canonical order (container, name, DN): the directory's order differs between
    // one paged search and partitions read at once, the reports must not
    this.sortComputers();
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
        encryptedFor: [...s.encryptedFor.entries()].map(([sid, n]) => ({ sid, name: principals.name(sid), computers: n })).sort((a, b) => b.computers - a.computers || (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0)),
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
