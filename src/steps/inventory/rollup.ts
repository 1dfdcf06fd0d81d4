/**
 * Rolling records up while the directory is paged through: per OU, password ages, the legacy
 * LAPS GPOs that reach each container, and the summary counts.
 */
import { effectiveGpos, type ScopeOfManagement } from '../../laps/gpo-links.js';
import { ancestry, dnKey } from '../../directory/dn.js';
import { type ComputerCounts, type ComputerRecord, type GpoFacts, HEALTHS, type InventorySummary, type OuRecord, READINESS, STATES } from './model.js';

function zero<K extends string>(keys: K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

function noCounts(): ComputerCounts {
  return { computers: 0, enabled: 0, disabled: 0, stale: 0, domainControllers: 0, states: zero(STATES), health: zero(HEALTHS), readiness: zero(READINESS) };
}

function count(c: ComputerCounts, r: ComputerRecord): void {
  c.computers++;
  if (r.enabled) c.enabled++;
  else c.disabled++;
  if (r.stale) c.stale++;
  if (r.domainController) c.domainControllers++;
  c.states[r.state]++;
  c.health[r.health]++;
  c.readiness[r.osReadiness]++;
}

const AGE_BINS: Array<{ label: string; max: number }> = [
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

/**
 * The `size` smallest values by key, whatever order they arrive in: example lists stay the same
 * when the computers are read in another order (several partitions at once).
 */
export class Smallest {
  private readonly items: Array<{ key: string; value: string }> = [];
  constructor(private readonly size: number) {}

  add(key: string, value: string): void {
    const items = this.items;
    if (items.length === this.size && key >= items[items.length - 1]!.key) return;
    let i = items.length;
    while (i > 0 && items[i - 1]!.key > key) i--;
    items.splice(i, 0, { key, value });
    if (items.length > this.size) items.pop();
  }

  values(): string[] {
    return this.items.map((x) => x.value);
  }
}

/** The order examples and report rows follow: container, then name, then DN. */
export function recordKey(ouKey: string, r: { name: string; dn: string }): string {
  return `${ouKey}\u0000${r.name.toLowerCase()}\u0000${r.dn}`;
}

type ExampleList = 'overdue' | 'neverManaged' | 'unsupported' | 'noGpo' | 'both' | 'dcs' | 'joinerOwned';

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
  private readonly smallest = new Map<ExampleList, Smallest>();
  noGpoLegacy = 0;
  unsupportedLegacy = 0;
  staleOverdue = 0;

  constructor() {
    this.summary = {
      ...noCounts(),
      ous: 0,
      gpos: { legacyLaps: 0, adminTemplates: 0, total: 0 },
      presenceReadable: { legacy: false, windowsClear: false, windowsEncrypted: false },
      passwordAgeHistogram: [],
    };
  }

  /** `ouKey` = dnKey(r.ou) when the caller has it already. */
  add(r: ComputerRecord, blocksInheritance: boolean, ouKey?: string): void {
    count(this.summary, r);
    const key = ouKey ?? dnKey(r.ou);
    let ou = this.ous.get(key);
    if (!ou) {
      ou = {
        dn: r.ou,
        path: r.ouPath,
        ...noCounts(),
        blocksInheritance,
        legacyGpos: r.legacyGpos,
      };
      this.ous.set(key, ou);
    }
    count(ou, r);
    if (r.passwordAgeDays !== null && r.state !== 'none') {
      const i = AGE_BINS.findIndex((b) => r.passwordAgeDays! <= b.max);
      this.ageBins[i]!++;
    }
    const exampleKey = recordKey(key, r);
    const keep = (list: ExampleList, name: string) => {
      let s = this.smallest.get(list);
      if (!s) this.smallest.set(list, (s = new Smallest(10)));
      s.add(exampleKey, name);
    };
    const legacyish = r.state === 'legacy' || r.state === 'both';
    if (r.health === 'overdue') {
      this.overdueByOu.set(key, (this.overdueByOu.get(key) ?? 0) + 1);
      keep('overdue', r.name);
      if (r.stale || !r.enabled) this.staleOverdue++;
    }
    if (r.state === 'none' && r.enabled && !r.stale && !r.domainController && r.osReadiness !== 'not-windows') keep('neverManaged', r.name);
    if (r.osReadiness === 'unsupported' && r.enabled) {
      keep('unsupported', r.name);
      if (legacyish) this.unsupportedLegacy++;
    }
    if (legacyish && r.legacyGpos.length === 0 && !r.domainController) {
      this.noGpoLegacy++;
      keep('noGpo', r.name);
    }
    if (r.state === 'both') keep('both', r.name);
    if (r.domainController) keep('dcs', r.name);
  }

  ouRecords(): OuRecord[] {
    return [...this.ous.values()].sort((a, b) => b.computers - a.computers || a.path.localeCompare(b.path));
  }

  finish(): InventorySummary {
    for (const [list, s] of this.smallest) this.examples[list] = s.values();
    this.summary.ous = this.ous.size;
    this.summary.passwordAgeHistogram = AGE_BINS.map((b, i) => ({ label: b.label, count: this.ageBins[i]! }));
    return this.summary;
  }
}
