/**
 * Step 1, inventory (read-only, any domain account): streams every computer page by page,
 * classifies it, rolls up per OU, maps LAPS GPOs and their reach, and returns findings.
 * Password values are never read: presence of clear-text passwords comes from filter-only
 * searches that return DNs, so no password crosses the wire.
 */
import { VERSION } from '../version.js';
import type { Directory } from '../directory/types.js';
import { firstString as str } from '../directory/entry.js';
import { COMPUTER_FILTER, computerAttributes, decodeComputer } from '../directory/computers.js';
import { dnKey, friendlyPath, isUnder, splitDn, splitFirstRdn } from '../directory/dn.js';
import { readLapsSchema, type LapsSchema } from '../directory/laps-schema.js';
import { gpoLapsKinds, parseGpLink, type ScopeOfManagement } from '../laps/gpo-links.js';
import { lapsAttribute } from '../laps/attributes.js';
import {
  classifyComputer,
  InventoryAccumulator,
  inventoryFindings,
  legacyGpoReach,
  type ComputerFacts,
  type ComputerRecord,
  type ContainerOfComputer,
  type GpoFacts,
  type GpoRecord,
  type InventoryOptions,
  type InventorySummary,
  type OuRecord,
  recordKey,
  Smallest,
} from './inventory-analysis.js';
import type { StepResult, TargetInfo } from '../model/step-result.js';
import { pageComputers } from '../directory/computer-partitions.js';
import type { DirEntry } from '../directory/types.js';
import { PRESENCE_NOT_CHECKED, positivePresence, presenceOfLegacy, type PasswordPresence } from './inventory/presence.js';

export const INVENTORY_SCHEMA_VERSION = 1;

export interface InventoryData {
  options: { staleDays: number; graceDays: number; scope: string; presenceChecked: boolean };
  schema: {
    legacyPasswordAttribute: string | null;
    legacyExpirationAttribute: string | null;
    legacyRenamed: boolean;
    windowsLaps: boolean;
  };
  summary: InventorySummary;
  ous: OuRecord[];
  gpos: GpoRecord[];
  computers: ComputerRecord[];
}

export type InventoryResult = StepResult<InventoryData>;

export interface InventoryRunOptions extends InventoryOptions {
  /** Limit to computers under this DN (--ou). */
  scope?: string;
  /** Skip the presence searches (faster on large estates; presence facts are then unknown). */
  skipPresence?: boolean;
  /** A second connection for the presence searches, so they run while the main scan runs. */
  presenceDirectory?: Directory;
  /**
   * Receives each computer as it is classified instead of keeping it in data.computers (flat
   * memory at 100k). Presence fields may still be null: pass each record through
   * settlePresence(record, data.summary.presenceReadable) when reading them back.
   */
  recordSink?: (r: ComputerRecord, ouKey: string) => void;
  /**
   * More connections for the main scan: with any, the computers are read in partitions (one level
   * per OU, subtrees without OUs) on `dir` and these at once (directory/computer-partitions.ts);
   * without, in one paged search. The results are the same either way.
   */
  scanDirectories?: Directory[];
  onProgress?: (computers: number) => void;
}

/** Order within one container (a spool segment): name (case-insensitive), then DN. */
export function byNameDn(a: ComputerRecord, b: ComputerRecord): number {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.dn < b.dn ? -1 : a.dn > b.dn ? 1 : 0;
}

/** Report and example order: container (DN key), then name, then DN; the same however the directory was read. */
function sortByContainerNameDn(records: ComputerRecord[]): void {
  const keyed = records.map((r) => ({ r, k: recordKey(dnKey(r.ou), r) }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  keyed.forEach((x, i) => (records[i] = x.r));
}

/** Where presence was readable, "unknown" becomes "absent"; where it was not, history and DSRM facts are unknown too. */
export function settlePresence(r: ComputerRecord, readable: InventorySummary['presenceReadable']): ComputerRecord {
  if (readable.legacy && r.legacyPasswordPresent === null) r.legacyPasswordPresent = false;
  if (readable.windowsClear && r.windowsClearPresent === null) r.windowsClearPresent = false;
  if (readable.windowsEncrypted) {
    if (r.windowsEncryptedPresent === null) r.windowsEncryptedPresent = false;
  } else {
    r.historyCount = null;
    r.dsrmPresent = null;
  }
  return r;
}

export async function readGpos(dir: Directory, domainDn: string): Promise<Map<string, GpoFacts>> {
  const gpos = new Map<string, GpoFacts>();
  const entries = await dir.searchAll({
    base: `CN=Policies,CN=System,${domainDn}`,
    scope: 'one',
    filter: '(objectClass=groupPolicyContainer)',
    attributes: ['cn', 'displayName', 'gPCMachineExtensionNames', 'flags'],
  });
  for (const e of entries) {
    const guid = (str(e, 'cn') ?? '').toUpperCase();
    gpos.set(guid, {
      dn: e.dn,
      guid,
      displayName: str(e, 'displayName') ?? guid,
      kinds: gpoLapsKinds(str(e, 'gPCMachineExtensionNames')),
      computerSettingsDisabled: (Number(str(e, 'flags') ?? 0) & 2) === 2,
    });
  }
  return gpos;
}

export async function readScopesOfManagement(dir: Directory, domainDn: string): Promise<Map<string, ScopeOfManagement>> {
  const soms = new Map<string, ScopeOfManagement>();
  const head = await dir.read(domainDn, ['gPLink', 'gPOptions']);
  soms.set(dnKey(domainDn), { dn: domainDn, links: parseGpLink(head ? str(head, 'gPLink') : undefined), blocksInheritance: false });
  for await (const page of dir.searchPages({ base: domainDn, filter: '(objectClass=organizationalUnit)', attributes: ['gPLink', 'gPOptions'] })) {
    for (const e of page) {
      soms.set(dnKey(e.dn), { dn: e.dn, links: parseGpLink(str(e, 'gPLink')), blocksInheritance: Number(str(e, 'gPOptions') ?? 0) === 1 });
    }
  }
  return soms;
}

export async function runInventory(dir: Directory, target: TargetInfo, opts: InventoryRunOptions): Promise<InventoryResult> {
  const root = await dir.rootDse();
  const domainDn = root.defaultNamingContext;
  const scope = opts.scope ?? target.baseDn;
  if (!isUnder(scope, domainDn)) {
    const { InputError } = await import('../errors.js');
    throw new InputError(`--ou ${scope} is not inside the domain ${domainDn}`);
  }
  const schema: LapsSchema = await readLapsSchema(dir, root.schemaNamingContext);
  performance.mark('laps-migrate:inventory-schema');
  const name = (k: keyof LapsSchema) => schema[k]?.name;
  const legacyPwd = name('legacyPassword');
  const legacyExp = name('legacyExpiration');
  const winExp = name('expiration');
  const winPwd = name('password');
  const winEnc = name('encryptedPassword');

  // Presence of clear-text passwords without reading them: filter-only searches that return
  // DNs. They run on a second connection (when the caller gives one) while the main scan runs.
  const computerFilter = COMPUTER_FILTER;
  const presenceDir = opts.presenceDirectory ?? dir;
  type Presence = { legacy: PasswordPresence; clear: PasswordPresence };
  // a few computers with a legacy expiration time from the first page, for the presence probe
  let sampleReady: (dns: string[]) => void = () => undefined;
  const sample = new Promise<string[]>((resolve) => (sampleReady = resolve));
  let presence: Presence | undefined;
  const presenceTask = (async (): Promise<Presence> => {
    const legacy = !legacyPwd || opts.skipPresence ? PRESENCE_NOT_CHECKED : legacyExp ? await presenceOfLegacy(presenceDir, scope, legacyPwd, legacyExp, sample) : await positivePresence(presenceDir, scope, legacyPwd);
    performance.mark('laps-migrate:inventory-presence-legacy');
    const clear = !winPwd || opts.skipPresence ? PRESENCE_NOT_CHECKED : await positivePresence(presenceDir, scope, winPwd);
    presence = { legacy, clear };
    performance.mark('laps-migrate:inventory-presence-clear');
    return presence;
  })();
  presenceTask.catch(() => undefined); // awaited below; avoid an unhandled rejection meanwhile

  const soms = await readScopesOfManagement(dir, domainDn);
  performance.mark('laps-migrate:inventory-ous');
  const gpoFacts = await readGpos(dir, domainDn);
  performance.mark('laps-migrate:inventory-gpos');

  const { attributes, binaryAttributes: binary } = computerAttributes(schema);

  const reach = new Map<string, string[]>();
  const acc = new InventoryAccumulator();
  const computers: ComputerRecord[] = [];
  let count = 0;
  const written = { legacy: 0, clear: 0, encrypted: 0 };
  let encryptedSeen = 0;
  let neverManaged = 0;
  let unsupported = 0;
  const joiner = { count: 0, examples: [] as string[] };
  const joinerExamples = new Smallest(10);
  const gpoReachCount = new Map<string, { all: number; legacy: number }>();
  // what every computer of one container shares: worked out once per container
  const containers = new Map<string, ContainerOfComputer & { key: string; blocks: boolean }>();
  const containerOf = (rawParent: string) => {
    let c = containers.get(rawParent);
    if (!c) {
      const dn = splitDn(rawParent).join(',');
      const key = dnKey(dn);
      let legacyGpos = reach.get(key);
      if (!legacyGpos) {
        legacyGpos = legacyGpoReach([dn], soms, gpoFacts, domainDn).get(key) ?? [];
        reach.set(key, legacyGpos);
      }
      c = { dn, key, path: friendlyPath(dn, domainDn), legacyGpos, blocks: soms.get(key)?.blocksInheritance ?? false };
      containers.set(rawParent, c);
    }
    return c;
  };
  // Presence is knowable where the presence search found something; where it found nothing the
  // account may simply not see the attribute: unknown now, settled after the scan.
  const take = (f: ComputerFacts, p: Presence) => {
    const { rdn, parent: rawParent } = splitFirstRdn(f.dn);
    const container = containerOf(rawParent);
    const k = container.key ? `${rdn.toLowerCase()},${container.key}` : rdn.toLowerCase();
    f.legacyPasswordPresent = p.legacy.of(k, f.legacyExpirationSet === true);
    f.windowsClearPresent = p.clear.of(k, false);
    const legacyGpos = container.legacyGpos;
    const r = classifyComputer(f, opts, legacyGpos, domainDn, container);
    count++;
    if (opts.recordSink) opts.recordSink(r, container.key);
    else computers.push(r);
    acc.add(r, container.blocks, container.key);
    if (r.state === 'none' && r.enabled && !r.stale && !r.domainController && r.osReadiness !== 'not-windows') neverManaged++;
    if (r.osReadiness === 'unsupported' && r.enabled) unsupported++;
    if (r.creatorSid) {
      joiner.count++;
      joinerExamples.add(recordKey(container.key, r), r.name);
    }
    for (const g of legacyGpos) {
      const c = gpoReachCount.get(g) ?? { all: 0, legacy: 0 };
      c.all++;
      if (r.state === 'legacy' || r.state === 'both') c.legacy++;
      gpoReachCount.set(g, c);
    }
  };
  // entries read before the presence search has answered wait here (facts only, no values)
  let waiting: ComputerFacts[] = [];
  let sampled = false;
  const onPage = (page: DirEntry[]) => {
    for (const e of page) {
      const f = decodeComputer(e, schema);
      if (f.legacyPasswordWritten) written.legacy++;
      if (f.windowsClearWritten) written.clear++;
      if (f.windowsEncryptedWritten) written.encrypted++;
      if (f.windowsEncryptedPresent) encryptedSeen++;
      if (presence) take(f, presence);
      else waiting.push(f);
    }
    // the presence probe's sample: 8 computers with a legacy expiration time, or none in the first 1,000
    if (!sampled) {
      const withExpiration = waiting.filter((f) => f.legacyExpirationSet);
      if (withExpiration.length >= 8 || waiting.length >= 1000) {
        sampled = true;
        sampleReady(withExpiration.slice(0, 8).map((f) => f.dn));
      }
    }
    if (presence && waiting.length) {
      for (const w of waiting) take(w, presence);
      waiting = [];
    }
    opts.onProgress?.(count + waiting.length);
  };
  const search = { filter: computerFilter, attributes, binaryAttributes: binary };
  await pageComputers(dir, opts.scanDirectories ?? [], scope, root.schemaNamingContext, search, onPage, () => performance.mark('laps-migrate:inventory-partitions'));
  performance.mark('laps-migrate:inventory-scan');
  sampleReady(waiting.filter((f) => f.legacyExpirationSet).slice(0, 8).map((f) => f.dn));
  const settledPresence = await presenceTask;
  for (const w of waiting) take(w, settledPresence);
  waiting = [];
  joiner.examples = joinerExamples.values();
  if (!opts.recordSink) sortByContainerNameDn(computers);

  // Settle presence: where nothing was ever written, "not present" is certain for every account.
  const presenceReadable = {
    legacy: settledPresence.legacy.visible || written.legacy === 0,
    windowsClear: settledPresence.clear.visible || written.clear === 0,
    windowsEncrypted: encryptedSeen > 0 || written.encrypted === 0,
  };
  for (const r of computers) settlePresence(r, presenceReadable);
  const summary = acc.finish();
  summary.presenceReadable = presenceReadable;
  const allGpos = [...gpoFacts.values()];
  summary.gpos = {
    total: allGpos.length,
    legacyLaps: allGpos.filter((g) => g.kinds.includes('legacy-laps')).length,
    adminTemplates: allGpos.filter((g) => g.kinds.includes('admin-templates')).length,
  };
  const gpos: GpoRecord[] = allGpos
    .map((g) => {
      const links: GpoRecord['links'] = [];
      for (const som of soms.values()) {
        for (const l of som.links) if (l.guid === g.guid) links.push({ at: som.dn, atPath: friendlyPath(som.dn, domainDn), enforced: l.enforced, disabled: l.disabled });
      }
      const c = gpoReachCount.get(g.displayName) ?? { all: 0, legacy: 0 };
      return { ...g, links, computersReached: g.kinds.includes('legacy-laps') ? c.all : 0, legacyComputersReached: c.legacy };
    })
    .sort((a, b) => Number(b.kinds.includes('legacy-laps')) - Number(a.kinds.includes('legacy-laps')) || a.displayName.localeCompare(b.displayName));
  performance.mark('laps-migrate:inventory-classified');
  const ous = acc.ouRecords();
  const schemaFacts = {
    legacyPasswordAttribute: legacyPwd ?? null,
    legacyExpirationAttribute: legacyExp ?? null,
    legacyRenamed: !!legacyPwd && legacyPwd !== lapsAttribute('legacyPassword').name,
    windowsLaps: !!(winExp && winPwd && winEnc),
  };
  const findings = inventoryFindings({
    acc,
    summary,
    ous,
    gpos,
    schema: { legacyName: legacyPwd, legacyRenamed: schemaFacts.legacyRenamed, windowsPresent: schemaFacts.windowsLaps },
    options: opts,
    neverManagedCount: neverManaged,
    unsupportedCount: unsupported,
    joinerOwned: joiner,
    presenceChecked: !opts.skipPresence,
  });
  return {
    step: 'inventory',
    schemaVersion: INVENTORY_SCHEMA_VERSION,
    tool: { name: 'laps-migrate', version: VERSION },
    generatedAt: opts.now.toISOString(),
    target: { ...target, scope },
    findings,
    data: {
      options: { staleDays: opts.staleDays, graceDays: opts.graceDays, scope, presenceChecked: !opts.skipPresence },
      schema: schemaFacts,
      summary,
      ous,
      gpos,
      computers,
    },
  };
}
