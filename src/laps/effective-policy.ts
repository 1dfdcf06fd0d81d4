/**
 * Which LAPS implementation manages a computer, and with which settings, by Windows' rules
 * (LAPS-FACTS 1 and 3). Pure: the caller reads the directory and SYSVOL.
 *
 * Registry policy precedence: GPOs are applied domain first, then each OU down to the
 * computer's; within one container the links are applied from the last link order to link
 * order 1 (gPLink lists them in that order, so link order 1 is its last entry and is applied
 * last); enforced links are applied after all others, deepest container first, so an enforced
 * link at the domain wins over everything. A later GPO overwrites a value set by an earlier one.
 *
 * Windows LAPS policy roots never merge: the first of CSP, GPO, local Config with any value is
 * the policy; only when none has a value does the legacy AdmPwd key count (emulation), and only
 * when the legacy CSE is not installed and the computer is not a DC. Builds without Windows LAPS
 * (below 17763, and 14393) only run the legacy CSE, when installed.
 */
import { effectiveGpos, type EffectiveGpo, type ScopeOfManagement } from './gpo-links.js';
import { legacySettings, registryViewOf, windowsLapsGpoSettings, windowsLapsSettingsFrom, type LegacyLapsSettings, type RegistryValue, type WindowsLapsSettings } from './laps-policy.js';
import type { PolicyEntry } from './registry-pol.js';

export type LapsImplementation = 'legacy-cse' | 'emulation' | 'windows-laps' | 'unmanaged';

export interface GpoPolicyData {
  /** Parsed Machine/Registry.pol; empty when the GPO has none. */
  entries: PolicyEntry[];
  /** groupPolicyContainer `flags` bit 1: computer settings disabled. */
  computerSettingsDisabled?: boolean;
}

export interface EffectivePolicyInput {
  /** Containers from the domain head down to the computer's own OU. */
  chain: ScopeOfManagement[];
  /** Registry.pol of each GPO by {GUID} (upper-case); a GPO missing here contributes nothing. */
  gpos: Map<string, GpoPolicyData>;
  /** OS build (operatingSystemVersion "10.0 (build)"); undefined for non-Windows or unknown. */
  build: number | undefined;
  /** Windows at all (non-Windows computers are never managed). Default true when build is set. */
  windows?: boolean;
  dc: boolean;
  cseInstalled: boolean;
  /** Values of the CSP root (Intune), if any. */
  cspValues?: Map<string, RegistryValue>;
  /** Values of the local Config root (HKLM\...\LAPS\Config), if any. */
  localConfigValues?: Map<string, RegistryValue>;
}

export interface EffectivePolicy {
  implementation: LapsImplementation;
  /** Where the deciding policy came from. */
  source: 'csp' | 'gpo' | 'local' | 'legacy' | 'none';
  windows: WindowsLapsSettings | undefined;
  legacy: LegacyLapsSettings | undefined;
  /** GUIDs of the GPOs in the order they were applied (last wins). */
  appliedGpos: string[];
  /** One sentence on why. */
  reason: string;
}

/** True when this build can run Windows LAPS (assumes the April 2023 update where it is needed). */
export function hasWindowsLaps(build: number | undefined): boolean {
  return build !== undefined && build >= 17763;
}

/** The GPOs reaching objects in the last container of `chain`, in application order (last wins). */
export function gpoApplicationOrder(chain: ScopeOfManagement[]): EffectiveGpo[] {
  const all = effectiveGpos(chain);
  const depth = new Map(chain.map((s, i) => [s.dn.toLowerCase(), i]));
  const normal = all.filter((g) => !g.enforced);
  const enforced = all
    .map((g, i) => ({ g, i }))
    .filter(({ g }) => g.enforced)
    .sort((a, b) => (depth.get(b.g.linkedAt.toLowerCase()) ?? 0) - (depth.get(a.g.linkedAt.toLowerCase()) ?? 0) || a.i - b.i)
    .map(({ g }) => g);
  return [...normal, ...enforced];
}

export function effectivePolicy(input: EffectivePolicyInput): EffectivePolicy {
  const order = gpoApplicationOrder(input.chain).filter((g) => {
    const data = input.gpos.get(g.guid.toUpperCase());
    return !!data && !data.computerSettingsDisabled;
  });
  const appliedGpos = order.map((g) => g.guid);
  const view = registryViewOf(order.map((g) => input.gpos.get(g.guid.toUpperCase())!.entries));
  const legacy = legacySettings(view);
  const base = { appliedGpos, legacy };
  const windowsOs = input.windows ?? input.build !== undefined;
  if (!windowsOs) return { ...base, implementation: 'unmanaged', source: 'none', windows: undefined, reason: 'not a Windows computer' };

  const legacyCse = (why: string): EffectivePolicy =>
    input.cseInstalled && legacy?.enabled
      ? { ...base, implementation: 'legacy-cse', source: 'legacy', windows: undefined, reason: why }
      : { ...base, implementation: 'unmanaged', source: 'none', windows: undefined, reason: input.cseInstalled ? 'the legacy CSE is installed but no enabled legacy policy reaches it' : `no LAPS policy applies (${why})` };

  if (!hasWindowsLaps(input.build)) {
    return legacyCse(`build ${input.build ?? '?'} has no Windows LAPS; the legacy CSE is the only client`);
  }
  const build = input.build ?? 0;
  const roots: Array<['csp' | 'gpo' | 'local', WindowsLapsSettings | undefined]> = [
    ['csp', input.cspValues && input.cspValues.size > 0 ? windowsLapsSettingsFrom(input.cspValues, build) : undefined],
    ['gpo', windowsLapsGpoSettings(view, build)],
    ['local', input.localConfigValues && input.localConfigValues.size > 0 ? windowsLapsSettingsFrom(input.localConfigValues, build) : undefined],
  ];
  const first = roots.find(([, s]) => s !== undefined);
  if (first) {
    const [source, settings] = first;
    if (settings!.backupDirectory === 'disabled') {
      return { ...legacyCse(`the Windows LAPS ${source} policy sets BackupDirectory=0`), windows: settings };
    }
    return { ...base, implementation: 'windows-laps', source, windows: settings, reason: `a Windows LAPS policy (${source} root) applies; it beats any legacy policy` };
  }
  if (!legacy) return { ...base, implementation: 'unmanaged', source: 'none', windows: undefined, reason: 'no LAPS policy reaches this computer' };
  if (!legacy.enabled) return { ...base, implementation: 'unmanaged', source: 'none', windows: undefined, reason: 'the legacy policy does not set AdmPwdEnabled=1' };
  if (input.cseInstalled) return { ...base, implementation: 'legacy-cse', source: 'legacy', windows: undefined, reason: 'legacy policy only and the legacy CSE is installed: Windows LAPS defers to it (10033)' };
  if (input.dc) return { ...base, implementation: 'unmanaged', source: 'none', windows: undefined, reason: 'legacy policy only: Windows LAPS never emulates legacy LAPS on a domain controller' };
  return { ...base, implementation: 'emulation', source: 'legacy', windows: undefined, reason: 'legacy policy only and no legacy CSE: Windows LAPS emulates legacy LAPS (10023)' };
}
