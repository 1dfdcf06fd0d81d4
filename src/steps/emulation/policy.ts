/**
 * The LAPS policy that reaches a container, as far as AD and SYSVOL can tell (pure). The GPOs
 * that reach it come from gPLink in Windows' application order (laps/effective-policy), their
 * Registry.pol is replayed (laps/laps-policy) and the result says: does a legacy policy with
 * AdmPwdEnabled=1 reach it, does a Windows LAPS GPO policy reach it. Each is "unknown" when a
 * GPO that may carry LAPS values could not be read (no --sysvol, file missing or malformed).
 * What AD cannot show (the CSP root, the local Config root, the CSE being installed) is never
 * guessed here: readiness reports it as unknown.
 */
import { gpoApplicationOrder } from '../../laps/effective-policy.js';
import type { GpoLapsKind, ScopeOfManagement } from '../../laps/gpo-links.js';
import { legacySettings, registryViewOf, windowsLapsGpoSettings, type LegacyLapsSettings, type WindowsLapsSettings } from '../../laps/laps-policy.js';
import type { PolicyEntry } from '../../laps/registry-pol.js';

export type Tri = 'yes' | 'no' | 'unknown';

/** How a GPO's Machine/Registry.pol was read. */
export type GpoFileState = 'read' | 'absent' | 'missing-folder' | 'malformed' | 'no-sysvol';

export interface LapsGpo {
  guid: string;
  name: string;
  kinds: GpoLapsKind[];
  computerSettingsDisabled: boolean;
  file: GpoFileState;
  /** Why the file could not be used (malformed: the reader's message with its byte offset). */
  error?: string;
  /** Parsed entries when file = 'read' ('absent' = no Registry.pol: no values). */
  entries?: PolicyEntry[];
}

export interface PolicyFacts {
  legacyEnabled: Tri;
  windowsPolicy: Tri;
  /** The Windows LAPS GPO root sets BackupDirectory=0 (Windows LAPS and emulation off). */
  windowsDisabled: boolean;
  /** A GPO listing the legacy CSE reaches it (known from AD alone, without SYSVOL). */
  legacyCseListed: boolean;
  legacy?: LegacyLapsSettings;
  windows?: WindowsLapsSettings;
  /** Display names of the LAPS-relevant GPOs that reach the container, in application order. */
  gpos: string[];
  /** GPOs whose values are unknown, with why. */
  unknown: string[];
}

/** The file carries values: read, or known to be empty. */
function known(g: LapsGpo): boolean {
  return g.file === 'read' || g.file === 'absent';
}

/** May this GPO carry LAPS registry values (legacy CSE or Administrative Templates listed)? */
export function mayCarryLaps(g: Pick<LapsGpo, 'kinds'>): boolean {
  return g.kinds.some((k) => k !== 'none');
}

export function policyFacts(chain: ScopeOfManagement[], gpos: Map<string, LapsGpo>): PolicyFacts {
  const order = gpoApplicationOrder(chain)
    .map((e) => gpos.get(e.guid.toUpperCase()))
    .filter((g): g is LapsGpo => !!g && !g.computerSettingsDisabled);
  const relevant = order.filter((g) => mayCarryLaps(g) || (known(g) && (g.entries?.length ?? 0) > 0));
  const view = registryViewOf(relevant.filter(known).map((g) => g.entries ?? []));
  const legacy = legacySettings(view);
  const windows = windowsLapsGpoSettings(view);
  const unread = relevant.filter((g) => !known(g));
  // an unread GPO may set, override or delete any value: then nothing is certain
  const uncertain = unread.length > 0;
  const legacyEnabled: Tri = uncertain ? 'unknown' : legacy?.enabled ? 'yes' : 'no';
  const windowsPolicy: Tri = uncertain ? 'unknown' : windows && windows.backupDirectory !== 'disabled' ? 'yes' : 'no';
  return {
    legacyEnabled,
    windowsPolicy,
    windowsDisabled: !uncertain && windows?.backupDirectory === 'disabled',
    legacyCseListed: order.some((g) => g.kinds.includes('legacy-laps')),
    ...(legacy ? { legacy } : {}),
    ...(windows ? { windows } : {}),
    gpos: relevant.map((g) => g.name),
    unknown: unread.map((g) => `${g.name}: ${fileStateText(g)}`),
  };
}

export function fileStateText(g: Pick<LapsGpo, 'file' | 'error'>): string {
  switch (g.file) {
    case 'read':
      return 'read';
    case 'absent':
      return 'no Machine/Registry.pol (no registry values)';
    case 'missing-folder':
      return 'its folder is missing from SYSVOL';
    case 'malformed':
      return `Registry.pol is malformed (${g.error ?? 'unreadable'})`;
    case 'no-sysvol':
      return 'settings unknown without --sysvol';
  }
}
