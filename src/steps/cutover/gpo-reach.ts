/**
 * Other Windows LAPS GPOs already reaching a wave's computers (preflight, issue 17), and the
 * legacy LAPS GPOs reaching them (for the transition checks, transition.ts). For each
 * computer, the GPOs linked on its containers from the domain head down are taken in Windows'
 * application order with enforced links, disabled links and blocked inheritance respected
 * (effective-policy.ts gpoApplicationOrder); each GPO other than the wave's own is read from
 * SYSVOL (Machine/Registry.pol) and its values under the Windows LAPS GPO root are compared with
 * the playbook's. Registry policy values of several GPOs merge value by value (the GPO applied
 * last wins each value), so only a value the other GPO sets to something else is a conflict; a
 * GPO setting the same values is worth an info line. Security filtering and WMI filters of the
 * other GPOs are not evaluated: a GPO filtered away from these computers still counts
 * (conservative: a false blocker, never a missed one).
 */
import { somChain } from '../../directory/som-chain.js';
import { dnKey, parentDn } from '../../directory/dn.js';
import { readGpoFolder, resolvePoliciesDir } from '../../directory/sysvol.js';
import type { Directory } from '../../directory/types.js';
import { InputError } from '../../errors.js';
import { gpoApplicationOrder } from '../../laps/effective-policy.js';
import { decodeLapsSettings, type LapsSettingValue } from '../../laps/gpo-laps-settings.js';
import type { ScopeOfManagement } from '../../laps/gpo-links.js';
import { parseRegistryPol } from '../../laps/registry-pol.js';
import { readGpos, readScopesOfManagement } from '../inventory.js';
import type { OtherLapsGpo } from './preflight.js';

/** One GPO as the reach check needs it: its Windows LAPS values, or why they are unknown. */
export interface ReachGpo {
  name: string;
  computerSettingsDisabled: boolean;
  /** Values under the Windows LAPS GPO root; undefined = not read (see `unread`). */
  windowsLaps: Record<string, LapsSettingValue> | undefined;
  /** Legacy AdmPwd values (AdmPwdEnabled, AdminAccountName, ...); undefined when not read. */
  legacy?: Record<string, LapsSettingValue>;
  unread?: string;
}

/** A legacy LAPS GPO reaching the wave (its AdmPwd values), for the transition checks. */
export interface LegacyGpoReach {
  name: string;
  guid: string;
  enabled: boolean;
  /** AdminAccountName as set; '' = the built-in Administrator (not set). */
  adminAccountName: string;
  computers: number;
  linkedAt: string[];
}

export interface ReachInput {
  computers: readonly string[];
  soms: ReadonlyMap<string, ScopeOfManagement>;
  domainDn: string;
  /** The wave's own GPO ({GUID}, upper-case): never compared with itself. */
  waveGpo: string | undefined;
  /** Reads a GPO's values (the caller caches; undefined: no such GPO). */
  gpo: (guid: string) => ReachGpo | undefined;
  /** The playbook's values under the Windows LAPS GPO root. */
  wanted: Record<string, LapsSettingValue>;
}

export interface Reach {
  others: OtherLapsGpo[];
  legacy: LegacyGpoReach[];
  /** GPOs reaching the wave whose settings could not be read: "name: why". */
  unread: string[];
}

/** Containers from the domain head down to the computer's parent that carry GPO links. */
export function chainOf(dn: string, domainDn: string, soms: ReadonlyMap<string, ScopeOfManagement>): ScopeOfManagement[] {
  return somChain(parentDn(dn), domainDn, soms);
}

/** The values of `other` that differ from `wanted`, as "Name=value (playbook: value)". */
export function differingValues(other: Record<string, LapsSettingValue>, wanted: Record<string, LapsSettingValue>): string[] {
  const want = new Map(Object.entries(wanted).map(([k, v]) => [k.toLowerCase(), v]));
  const show = (v: LapsSettingValue | undefined) => (v === undefined ? 'not set' : typeof v === 'string' ? JSON.stringify(v) : String(v));
  return Object.entries(other)
    .filter(([k, v]) => {
      const w = want.get(k.toLowerCase());
      return typeof v === 'string' && typeof w === 'string' ? v.toLowerCase() !== w.toLowerCase() : v !== w;
    })
    .map(([k, v]) => `${k}=${show(v)} (playbook: ${show(want.get(k.toLowerCase()))})`);
}

/** Pure: the other Windows LAPS GPOs reaching the computers, with where they are linked. */
export function lapsGposReaching(i: ReachInput): Reach {
  const byParent = new Map<string, ReturnType<typeof gpoApplicationOrder>>();
  const hits = new Map<string, { computers: number; linkedAt: Map<string, string> }>();
  for (const dn of i.computers) {
    const parent = dnKey(parentDn(dn));
    let order = byParent.get(parent);
    if (!order) byParent.set(parent, (order = gpoApplicationOrder(chainOf(dn, i.domainDn, i.soms))));
    const seen = new Set<string>();
    for (const g of order) {
      const guid = g.guid.toUpperCase();
      if (guid === i.waveGpo || seen.has(guid)) continue;
      seen.add(guid);
      const h = hits.get(guid) ?? { computers: 0, linkedAt: new Map<string, string>() };
      h.computers++;
      h.linkedAt.set(dnKey(g.linkedAt), g.linkedAt);
      hits.set(guid, h);
    }
  }
  const others: OtherLapsGpo[] = [];
  const legacy: LegacyGpoReach[] = [];
  const unread: string[] = [];
  for (const [guid, h] of hits) {
    const g = i.gpo(guid);
    if (!g || g.computerSettingsDisabled) continue;
    const adm = new Map(Object.entries(g.legacy ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    if (adm.size) legacy.push({ name: g.name, guid, enabled: adm.get('admpwdenabled') === 1, adminAccountName: String(adm.get('adminaccountname') ?? ''), computers: h.computers, linkedAt: [...h.linkedAt.values()] });
    if (!g.windowsLaps) {
      if (g.unread) unread.push(`${g.name} ${guid}: ${g.unread}`);
      continue;
    }
    if (Object.keys(g.windowsLaps).length === 0) continue;
    others.push({ name: g.name, guid, differs: differingValues(g.windowsLaps, i.wanted), computers: h.computers, linkedAt: [...h.linkedAt.values()] });
  }
  return { others, legacy, unread };
}

/** Reads links, GPOs and (with SYSVOL) their Registry.pol, then runs lapsGposReaching. */
export async function readGpoReach(dir: Directory, o: { domainDn: string; dnsDomain: string; sysvol: string | undefined; computers: readonly string[]; waveGpo: string | undefined; wanted: Record<string, LapsSettingValue> }): Promise<Reach> {
  const [soms, gpos] = await Promise.all([readScopesOfManagement(dir, o.domainDn), readGpos(dir, o.domainDn)]);
  const policiesDir = o.sysvol ? resolvePoliciesDir(o.sysvol, o.dnsDomain) : undefined;
  const cache = new Map<string, ReachGpo | undefined>();
  const gpo = (guid: string): ReachGpo | undefined => {
    if (cache.has(guid)) return cache.get(guid);
    const f = gpos.get(guid);
    let r: ReachGpo | undefined;
    if (f) {
      const base = { name: f.displayName, computerSettingsDisabled: f.computerSettingsDisabled };
      if (!policiesDir) r = { ...base, windowsLaps: undefined, ...(f.kinds.includes('admin-templates') ? { unread: 'no SYSVOL given (--sysvol or the profile\'s sysvol)' } : {}) };
      else {
        const folder = readGpoFolder(policiesDir, guid);
        if (!folder.gpoDir) r = { ...base, windowsLaps: undefined, unread: `its SYSVOL folder is missing under ${policiesDir}` };
        else try {
          const decoded = folder.registryPol ? decodeLapsSettings(parseRegistryPol(folder.registryPol, `${guid}/Machine/Registry.pol`)) : undefined;
          r = { ...base, windowsLaps: decoded?.windowsLaps ?? {}, legacy: decoded?.legacy ?? {} };
        } catch (e) {
          if (!(e instanceof InputError)) throw e;
          r = { ...base, windowsLaps: undefined, unread: e.message };
        }
      }
    }
    cache.set(guid, r);
    return r;
  };
  return lapsGposReaching({ computers: o.computers, soms, domainDn: o.domainDn, waveGpo: o.waveGpo, gpo, wanted: o.wanted });
}
