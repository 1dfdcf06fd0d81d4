/**
 * Group Policy links and extensions as AD stores them: gPLink ("[LDAP://cn={GUID},...;N]",
 * N bit 0 = link disabled, bit 1 = enforced), gPOptions (1 = block inheritance) and
 * gPCMachineExtensionNames ("[{CSE}{tool}][...]"). Pure: strings in, plain objects out.
 */
export const LEGACY_LAPS_CSE = '{D76B9641-3288-4F75-942D-087DE603E3EA}';
export const ADMIN_TEMPLATES_CSE = '{35378EAC-683F-11D2-A89A-00C04FBBCFA2}';

export interface GpLink {
  /** DN of the groupPolicyContainer as written in the link (case as stored). */
  gpoDn: string;
  /** The {GUID} from the DN, upper-case. */
  guid: string | undefined;
  disabled: boolean;
  enforced: boolean;
}

export function parseGpLink(value: string | undefined): GpLink[] {
  if (!value) return [];
  const out: GpLink[] = [];
  const re = /\[LDAP:\/\/([^;\]]+);(\d+)\]/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    const opt = Number(m[2]);
    const dn = m[1]!;
    const guid = /\{[0-9a-f-]{36}\}/i.exec(dn)?.[0]?.toUpperCase();
    out.push({ gpoDn: dn, guid, disabled: (opt & 1) === 1, enforced: (opt & 2) === 2 });
  }
  return out;
}

/** The client-side extension GUIDs listed in gPCMachineExtensionNames. */
export function parseExtensionNames(value: string | undefined): string[][] {
  if (!value) return [];
  const groups: string[][] = [];
  const re = /\[([^\]]*)\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    groups.push((m[1]!.match(/\{[0-9a-f-]{36}\}/gi) ?? []).map((g) => g.toUpperCase()));
  }
  return groups;
}

export type GpoLapsKind = 'legacy-laps' | 'admin-templates' | 'none';

/** What LAPS policy a GPO may carry, from its machine extensions alone (SYSVOL says more). */
export function gpoLapsKinds(machineExtensionNames: string | undefined): GpoLapsKind[] {
  const cses = new Set(parseExtensionNames(machineExtensionNames).map((g) => g[0]).filter((g): g is string => !!g));
  const kinds: GpoLapsKind[] = [];
  if (cses.has(LEGACY_LAPS_CSE)) kinds.push('legacy-laps');
  if (cses.has(ADMIN_TEMPLATES_CSE)) kinds.push('admin-templates');
  return kinds.length ? kinds : ['none'];
}

export interface ScopeOfManagement {
  dn: string;
  links: GpLink[];
  blocksInheritance: boolean;
}

export interface EffectiveGpo {
  guid: string;
  gpoDn: string;
  /** Where it is linked (the domain or an OU). */
  linkedAt: string;
  enforced: boolean;
}

/**
 * The GPOs that apply to objects directly in `chain[chain.length-1]`, given the chain of
 * containers from the domain head down. Enforced links pass blocked inheritance; disabled
 * links apply nowhere. (Security filtering and WMI filters are not evaluated.)
 */
export function effectiveGpos(chain: ScopeOfManagement[]): EffectiveGpo[] {
  let inherited: EffectiveGpo[] = [];
  for (let i = 0; i < chain.length; i++) {
    const som = chain[i]!;
    if (som.blocksInheritance && i > 0) inherited = inherited.filter((g) => g.enforced);
    const own = som.links
      .filter((l) => !l.disabled && l.guid)
      .map((l) => ({ guid: l.guid!, gpoDn: l.gpoDn, linkedAt: som.dn, enforced: l.enforced }));
    inherited = [...inherited, ...own];
  }
  const seen = new Set<string>();
  return inherited.filter((g) => (seen.has(g.guid) ? false : (seen.add(g.guid), true)));
}
