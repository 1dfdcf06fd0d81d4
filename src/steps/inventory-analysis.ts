/**
 * Inventory conclusions, pure: raw per-computer facts (as read from AD, no secrets) in,
 * classification, per-OU rollup, GPO coverage and findings out.
 */
import { classifyOs, type OsReadiness } from '../laps/os-readiness.js';
import { effectiveGpos, type GpoLapsKind, type ScopeOfManagement } from '../laps/gpo-links.js';
import { ancestry, dnKey, friendlyPath, parentDn } from '../directory/dn.js';
import type { Finding } from '../model/step-result.js';

export type LapsState = 'legacy' | 'windows-clear' | 'windows-encrypted' | 'both' | 'none';
export type Health = 'rotating' | 'due' | 'overdue' | 'never-managed' | 'unknown';

import type { ComputerFacts } from '../directory/computers.js';

export type { ComputerFacts };

export interface ComputerRecord {
  name: string;
  dn: string;
  ou: string;
  ouPath: string;
  dnsHostName: string;
  operatingSystem: string;
  operatingSystemVersion: string;
  build: number | null;
  osReadiness: OsReadiness;
  osReason: string;
  enabled: boolean;
  domainController: boolean;
  stale: boolean;
  lastLogon: string | null;
  daysSinceLogon: number | null;
  whenCreated: string | null;
  creatorSid: string | null;
  state: LapsState;
  health: Health;
  expires: string | null;
  /** Days since the managed password was last written (replication metadata), if known. */
  passwordAgeDays: number | null;
  legacyExpires: string | null;
  legacyPasswordPresent: boolean | null;
  legacyPasswordChanges: number | null;
  windowsExpires: string | null;
  windowsClearPresent: boolean | null;
  windowsEncryptedPresent: boolean | null;
  windowsPasswordUpdated: string | null;
  historyCount: number | null;
  dsrmPresent: boolean | null;
  legacyGpos: string[];
}

export interface InventoryOptions {
  now: Date;
  staleDays: number;
  /** Days past expiry before a password counts as overdue (not rotating). */
  graceDays: number;
}

export const DEFAULT_INVENTORY_OPTIONS = { staleDays: 90, graceDays: 7 };

const DAY = 86_400_000;
const UAC_DISABLED = 0x2;
const UAC_SERVER_TRUST = 0x2000;

function iso(d: Date | undefined): string | null {
  return d ? d.toISOString() : null;
}

function later(a: { at: Date } | undefined, b: { at: Date } | undefined): boolean {
  if (!a) return false;
  if (!b) return true;
  return a.at.getTime() > b.at.getTime();
}

export function lapsState(f: ComputerFacts): LapsState {
  const legacy = f.legacyPasswordPresent === true || (f.legacyPasswordPresent === null && f.legacyExpires !== undefined);
  let windows: 'clear' | 'encrypted' | undefined;
  if (f.windowsEncryptedPresent === true) windows = 'encrypted';
  else if (f.windowsClearPresent === true) windows = 'clear';
  else if (f.windowsExpires !== undefined && f.windowsEncryptedPresent === null && f.windowsClearPresent !== false) {
    // values not visible: whichever attribute was written last is the one in use
    windows = later(f.windowsClearWritten, f.windowsEncryptedWritten) ? 'clear' : 'encrypted';
  } else if (f.windowsExpires !== undefined && f.windowsClearPresent === null && f.windowsEncryptedPresent !== false) {
    windows = later(f.windowsEncryptedWritten, f.windowsClearWritten) ? 'encrypted' : 'clear';
  }
  if (legacy && windows) return 'both';
  if (legacy) return 'legacy';
  if (windows === 'clear') return 'windows-clear';
  if (windows === 'encrypted') return 'windows-encrypted';
  return 'none';
}

export function classifyComputer(f: ComputerFacts, opts: InventoryOptions, legacyGpos: string[], baseDn: string): ComputerRecord {
  const os = classifyOs(f.operatingSystem, f.operatingSystemVersion);
  const state = lapsState(f);
  const expiresAt = state === 'legacy' ? f.legacyExpires : state === 'none' ? undefined : (f.windowsExpires ?? f.legacyExpires);
  let health: Health;
  if (state === 'none') health = 'never-managed';
  else if (!expiresAt) health = 'unknown';
  else if (expiresAt.getTime() >= opts.now.getTime()) health = 'rotating';
  else if (opts.now.getTime() - expiresAt.getTime() <= opts.graceDays * DAY) health = 'due';
  else health = 'overdue';
  const lastActivity = f.lastLogon ?? f.whenCreated;
  const stale = lastActivity ? opts.now.getTime() - lastActivity.getTime() > opts.staleDays * DAY : false;
  const written = state === 'legacy' ? f.legacyPasswordWritten : state === 'none' ? undefined : (f.windowsEncryptedWritten ?? f.windowsClearWritten ?? f.legacyPasswordWritten);
  const writtenAt = (state === 'windows-encrypted' || state === 'both') && f.windowsEncryptedUpdated ? f.windowsEncryptedUpdated : written?.at;
  const ou = parentDn(f.dn);
  return {
    name: f.name,
    dn: f.dn,
    ou,
    ouPath: friendlyPath(ou, baseDn),
    dnsHostName: f.dnsHostName ?? '',
    operatingSystem: f.operatingSystem ?? '',
    operatingSystemVersion: f.operatingSystemVersion ?? '',
    build: os.build ?? null,
    osReadiness: os.readiness,
    osReason: os.reason,
    enabled: (f.userAccountControl & UAC_DISABLED) === 0,
    domainController: (f.userAccountControl & UAC_SERVER_TRUST) !== 0,
    stale,
    lastLogon: iso(f.lastLogon),
    daysSinceLogon: f.lastLogon ? Math.floor((opts.now.getTime() - f.lastLogon.getTime()) / DAY) : null,
    whenCreated: iso(f.whenCreated),
    creatorSid: f.creatorSid ?? null,
    state,
    health,
    expires: iso(expiresAt),
    passwordAgeDays: writtenAt ? Math.max(0, Math.floor((opts.now.getTime() - writtenAt.getTime()) / DAY)) : null,
    legacyExpires: iso(f.legacyExpires),
    legacyPasswordPresent: f.legacyPasswordPresent,
    legacyPasswordChanges: f.legacyPasswordWritten?.count ?? null,
    windowsExpires: iso(f.windowsExpires),
    windowsClearPresent: f.windowsClearPresent,
    windowsEncryptedPresent: f.windowsEncryptedPresent,
    windowsPasswordUpdated: iso(f.windowsEncryptedUpdated ?? f.windowsClearWritten?.at),
    historyCount: f.historyCount,
    dsrmPresent: f.dsrmPresent,
    legacyGpos,
  };
}

export interface GpoFacts {
  dn: string;
  guid: string;
  displayName: string;
  kinds: GpoLapsKind[];
  /** flags bit 1: computer configuration disabled. */
  computerSettingsDisabled: boolean;
}

export interface GpoRecord extends GpoFacts {
  links: Array<{ at: string; atPath: string; enforced: boolean; disabled: boolean }>;
  computersReached: number;
  legacyComputersReached: number;
}

export interface OuRecord {
  dn: string;
  path: string;
  computers: number;
  states: Record<LapsState, number>;
  health: Record<Health, number>;
  readiness: Record<OsReadiness, number>;
  enabled: number;
  disabled: number;
  stale: number;
  domainControllers: number;
  blocksInheritance: boolean;
  legacyGpos: string[];
}

export interface InventorySummary {
  computers: number;
  enabled: number;
  disabled: number;
  stale: number;
  domainControllers: number;
  states: Record<LapsState, number>;
  health: Record<Health, number>;
  readiness: Record<OsReadiness, number>;
  ous: number;
  gpos: { legacyLaps: number; adminTemplates: number; total: number };
  /** Whether the bound account could see password presence (else states come from expiry and metadata). */
  presenceReadable: { legacy: boolean; windowsClear: boolean; windowsEncrypted: boolean };
  passwordAgeHistogram: Array<{ label: string; count: number }>;
}

export const STATES: LapsState[] = ['legacy', 'windows-clear', 'windows-encrypted', 'both', 'none'];
export const HEALTHS: Health[] = ['rotating', 'due', 'overdue', 'never-managed', 'unknown'];
export const READINESS: OsReadiness[] = ['supported', 'supported-if-patched', 'unsupported', 'not-windows', 'unknown'];

function zero<K extends string>(keys: K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

export const AGE_BINS: Array<{ label: string; max: number }> = [
  { label: '0-7 d', max: 7 },
  { label: '8-14 d', max: 14 },
  { label: '15-30 d', max: 30 },
  { label: '31-60 d', max: 60 },
  { label: '61-90 d', max: 90 },
  { label: '91-180 d', max: 180 },
  { label: '> 180 d', max: Infinity },
];

/** Map from container DN key to the legacy-LAPS GPO names reaching objects directly in it. */
export function legacyGpoReach(
  containerDns: Iterable<string>,
  soms: Map<string, ScopeOfManagement>,
  gpos: Map<string, GpoFacts>,
  domainDn: string,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of containerDns) {
    const key = dnKey(c);
    if (out.has(key)) continue;
    const chain = ancestry(c, domainDn)
      .reverse()
      .map((dn) => soms.get(dnKey(dn)))
      .filter((s): s is ScopeOfManagement => !!s);
    const names = effectiveGpos(chain)
      .map((g) => gpos.get(g.guid))
      .filter((g): g is GpoFacts => !!g && g.kinds.includes('legacy-laps') && !g.computerSettingsDisabled)
      .map((g) => g.displayName);
    out.set(key, names);
  }
  return out;
}

export class InventoryAccumulator {
  readonly summary: InventorySummary;
  private readonly ous = new Map<string, OuRecord>();
  private readonly ageBins = AGE_BINS.map(() => 0);
  private readonly overdueByOu = new Map<string, number>();
  readonly examples = {
    overdue: [] as string[],
    neverManaged: [] as string[],
    unsupported: [] as string[],
    noGpo: [] as string[],
    both: [] as string[],
    dcs: [] as string[],
    joinerOwned: [] as string[],
  };
  noGpoLegacy = 0;
  unsupportedLegacy = 0;
  staleOverdue = 0;

  constructor() {
    this.summary = {
      computers: 0,
      enabled: 0,
      disabled: 0,
      stale: 0,
      domainControllers: 0,
      states: zero(STATES),
      health: zero(HEALTHS),
      readiness: zero(READINESS),
      ous: 0,
      gpos: { legacyLaps: 0, adminTemplates: 0, total: 0 },
      presenceReadable: { legacy: false, windowsClear: false, windowsEncrypted: false },
      passwordAgeHistogram: [],
    };
  }

  add(r: ComputerRecord, blocksInheritance: boolean): void {
    const s = this.summary;
    s.computers++;
    if (r.enabled) s.enabled++;
    else s.disabled++;
    if (r.stale) s.stale++;
    if (r.domainController) s.domainControllers++;
    s.states[r.state]++;
    s.health[r.health]++;
    s.readiness[r.osReadiness]++;
    const key = dnKey(r.ou);
    let ou = this.ous.get(key);
    if (!ou) {
      ou = {
        dn: r.ou,
        path: r.ouPath,
        computers: 0,
        states: zero(STATES),
        health: zero(HEALTHS),
        readiness: zero(READINESS),
        enabled: 0,
        disabled: 0,
        stale: 0,
        domainControllers: 0,
        blocksInheritance,
        legacyGpos: r.legacyGpos,
      };
      this.ous.set(key, ou);
    }
    ou.computers++;
    ou.states[r.state]++;
    ou.health[r.health]++;
    ou.readiness[r.osReadiness]++;
    if (r.enabled) ou.enabled++;
    else ou.disabled++;
    if (r.stale) ou.stale++;
    if (r.domainController) ou.domainControllers++;
    if (r.passwordAgeDays !== null && r.state !== 'none') {
      const i = AGE_BINS.findIndex((b) => r.passwordAgeDays! <= b.max);
      this.ageBins[i]!++;
    }
    const keep = (list: string[], name: string) => {
      if (list.length < 10) list.push(name);
    };
    const legacyish = r.state === 'legacy' || r.state === 'both';
    if (r.health === 'overdue') {
      this.overdueByOu.set(key, (this.overdueByOu.get(key) ?? 0) + 1);
      keep(this.examples.overdue, r.name);
      if (r.stale || !r.enabled) this.staleOverdue++;
    }
    if (r.state === 'none' && r.enabled && !r.stale && !r.domainController && r.osReadiness !== 'not-windows') keep(this.examples.neverManaged, r.name);
    if (r.osReadiness === 'unsupported' && r.enabled) {
      keep(this.examples.unsupported, r.name);
      if (legacyish) this.unsupportedLegacy++;
    }
    if (legacyish && r.legacyGpos.length === 0 && !r.domainController) {
      this.noGpoLegacy++;
      keep(this.examples.noGpo, r.name);
    }
    if (r.state === 'both') keep(this.examples.both, r.name);
    if (r.domainController) keep(this.examples.dcs, r.name);
  }

  ouRecords(): OuRecord[] {
    return [...this.ous.values()].sort((a, b) => b.computers - a.computers || a.path.localeCompare(b.path));
  }

  finish(): InventorySummary {
    this.summary.ous = this.ous.size;
    this.summary.passwordAgeHistogram = AGE_BINS.map((b, i) => ({ label: b.label, count: this.ageBins[i]! }));
    return this.summary;
  }
}

function list(names: string[], total: number): string {
  return `${names.join(', ')}${total > names.length ? `, … (${total} in all)` : ''}`;
}

export interface InventoryFindingInput {
  acc: InventoryAccumulator;
  summary: InventorySummary;
  ous: OuRecord[];
  gpos: GpoRecord[];
  schema: { legacyName: string | undefined; legacyRenamed: boolean; windowsPresent: boolean };
  options: InventoryOptions;
  neverManagedCount: number;
  unsupportedCount: number;
  joinerOwned: { count: number; examples: string[] };
  presenceChecked: boolean;
}

export function inventoryFindings(i: InventoryFindingInput): Finding[] {
  const f: Finding[] = [];
  const { summary: s, acc, options } = i;
  if (!i.schema.legacyName) {
    f.push({ code: 'LEGACY_SCHEMA_MISSING', severity: 'info', object: 'schema', message: 'The legacy LAPS schema (ms-Mcs-AdmPwd) is not in this forest.', advice: 'Nothing to migrate from legacy LAPS; go straight to Windows LAPS.' });
  } else if (i.schema.legacyRenamed) {
    f.push({ code: 'LEGACY_SCHEMA_RENAMED', severity: 'info', object: 'schema', message: `The legacy LAPS password attribute is named ${i.schema.legacyName} in this forest (found by its attributeID).`, advice: 'Tools that look for ms-Mcs-AdmPwd by name will miss it; laps-migrate uses the attributeID.' });
  }
  if (!i.schema.windowsPresent) {
    f.push({ code: 'WINDOWS_LAPS_SCHEMA_MISSING', severity: 'info', object: 'schema', message: 'The Windows LAPS schema (msLAPS-*) is not extended yet.', advice: 'Run the schema step (laps-migrate schema) to check prerequisites and extend it.' });
  }
  const overdue = s.health.overdue;
  if (overdue > 0) {
    const top = [...i.ous].filter((o) => o.health.overdue > 0).sort((a, b) => b.health.overdue - a.health.overdue).slice(0, 5);
    f.push({
      code: 'PASSWORD_NOT_ROTATING',
      severity: 'warning',
      object: top.map((o) => o.path).join('; '),
      count: overdue,
      message: `${overdue} computer(s) have a LAPS password that expired more than ${options.graceDays} days ago and has not rotated: ${list(acc.examples.overdue, overdue)}.`,
      evidence: `${acc.staleOverdue} of them are stale or disabled (expected); by OU: ${top.map((o) => `${o.path} ${o.health.overdue}`).join(', ')}`,
      advice: 'For active computers, check that the LAPS GPO reaches them and that the CSE (or Windows LAPS) runs: event log AdmPwd / Microsoft-Windows-LAPS/Operational. Stale ones can be ignored or cleaned up.',
    });
  }
  if (i.neverManagedCount > 0) {
    f.push({
      code: 'NEVER_MANAGED',
      severity: 'warning',
      object: 'computers',
      count: i.neverManagedCount,
      message: `${i.neverManagedCount} enabled, active Windows computer(s) have no LAPS password at all: ${list(acc.examples.neverManaged, i.neverManagedCount)}.`,
      advice: 'Their local administrator password is not managed. Bring them under Windows LAPS policy during the migration.',
    });
  }
  if (i.unsupportedCount > 0) {
    f.push({
      code: 'OS_UNSUPPORTED',
      severity: 'warning',
      object: 'computers',
      count: i.unsupportedCount,
      message: `${i.unsupportedCount} enabled computer(s) run a Windows build without Windows LAPS: ${list(acc.examples.unsupported, i.unsupportedCount)}.`,
      evidence: `${acc.unsupportedLegacy} of them rely on legacy LAPS today`,
      advice: 'Keep the legacy CSE and its GPO for them (side by side) until they are upgraded; do not clean up legacy LAPS in their OUs.',
    });
  }
  if (s.readiness['supported-if-patched'] > 0) {
    f.push({
      code: 'OS_PATCH_LEVEL_UNKNOWN',
      severity: 'info',
      object: 'computers',
      count: s.readiness['supported-if-patched'],
      message: `${s.readiness['supported-if-patched']} computer(s) run a build that has Windows LAPS only with the April 2023 update or later.`,
      advice: 'AD does not record patch levels: confirm with your patch management before the cutover wave that includes them.',
    });
  }
  if (acc.noGpoLegacy > 0) {
    f.push({
      code: 'LEGACY_WITHOUT_GPO',
      severity: 'warning',
      object: 'computers',
      count: acc.noGpoLegacy,
      message: `${acc.noGpoLegacy} computer(s) hold a legacy LAPS password but no enabled legacy LAPS GPO reaches their OU: ${list(acc.examples.noGpo, acc.noGpoLegacy)}.`,
      advice: 'Their password will stop rotating (or already has). Check for blocked inheritance or an unlinked GPO; security filtering is not evaluated here.',
    });
  }
  for (const o of i.ous.filter((x) => x.blocksInheritance)) {
    f.push({
      code: 'GPO_INHERITANCE_BLOCKED',
      severity: 'info',
      object: o.dn,
      message: `${o.path} blocks GPO inheritance (${o.computers} computers); only enforced links above it apply.`,
      advice: 'Link the Windows LAPS GPO to this OU directly, or enforce it above.',
    });
  }
  for (const g of i.gpos.filter((x) => x.kinds.includes('legacy-laps'))) {
    const enabledLinks = g.links.filter((l) => !l.disabled);
    f.push({
      code: enabledLinks.length ? 'LEGACY_GPO_LINKED' : 'LEGACY_GPO_UNLINKED',
      severity: 'info',
      object: g.dn,
      message: enabledLinks.length
        ? `Legacy LAPS GPO "${g.displayName}" is linked at ${enabledLinks.map((l) => `${l.atPath}${l.enforced ? ' (enforced)' : ''}`).join(', ')} and reaches ${g.computersReached} computer(s).`
        : `Legacy LAPS GPO "${g.displayName}" is not linked anywhere (or only by disabled links).`,
      advice: 'The emulation and cutover steps replace it with a Windows LAPS policy; keep it until every computer it reaches is verified on Windows LAPS.',
    });
  }
  if (s.states.both > 0) {
    f.push({ code: 'BOTH_PASSWORDS', severity: 'info', object: 'computers', count: s.states.both, message: `${s.states.both} computer(s) carry both a legacy and a Windows LAPS password: ${list(acc.examples.both, s.states.both)}.`, advice: 'Normal during side-by-side migration; the cleanup step clears the legacy one once the Windows LAPS password is verified newer.' });
  }
  if (s.domainControllers > 0) {
    f.push({ code: 'DOMAIN_CONTROLLERS_DSRM', severity: 'info', object: 'domain controllers', count: s.domainControllers, message: `${s.domainControllers} domain controller(s): ${acc.examples.dcs.join(', ')}. Legacy LAPS never managed DCs; Windows LAPS can back up their DSRM password.`, advice: 'DSRM backup needs password encryption (domain functional level 2016) and ADBackupDSRMPassword=1 in a policy applied to the Domain Controllers OU.' });
  }
  if (i.joinerOwned.count > 0) {
    f.push({ code: 'JOINER_OWNED_COMPUTERS', severity: 'info', object: 'computers', count: i.joinerOwned.count, message: `${i.joinerOwned.count} computer(s) were created by a non-admin account (mS-DS-CreatorSID): ${i.joinerOwned.examples.join(', ')}.`, advice: 'The creator is the owner and may read the computer\'s LAPS password; the permissions step lists and can fix them.' });
  }
  if (s.stale > 0) {
    f.push({ code: 'STALE_COMPUTERS', severity: 'info', object: 'computers', count: s.stale, message: `${s.stale} computer(s) have not logged on for more than ${options.staleDays} days.`, advice: 'Exclude them from cutover waves or clean them up; their passwords cannot rotate.' });
  }
  if (s.disabled > 0) {
    f.push({ code: 'DISABLED_COMPUTERS', severity: 'info', object: 'computers', count: s.disabled, message: `${s.disabled} computer account(s) are disabled.`, advice: 'Their LAPS passwords do not rotate; exclude them from waves.' });
  }
  const pr = s.presenceReadable;
  if (!pr.legacy || !pr.windowsClear || !pr.windowsEncrypted) {
    const which = [!pr.legacy && 'ms-Mcs-AdmPwd', !pr.windowsClear && 'msLAPS-Password', !pr.windowsEncrypted && 'msLAPS-EncryptedPassword'].filter(Boolean);
    f.push({
      code: 'PASSWORD_PRESENCE_NOT_READABLE',
      severity: 'info',
      object: 'bound account',
      message: i.presenceChecked
        ? `The bound account cannot see whether ${which.join(', ')} hold a value (confidential attributes); LAPS states come from the expiration times and replication metadata instead.`
        : `Password presence was not checked (--no-presence) for ${which.join(', ')}; LAPS states come from the expiration times and replication metadata.`,
      advice: 'Run as an account that may read LAPS passwords for presence facts; the states are the same.',
    });
  }
  return f;
}
