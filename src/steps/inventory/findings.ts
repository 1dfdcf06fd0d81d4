/**
 * The inventory findings (README "Finding codes") from the rollup and the schema facts, one
 * small function per group of codes.
 */
import type { Finding } from '../../model/step-result.js';
import type { GpoRecord, InventoryOptions, InventorySummary, OuRecord } from './model.js';
import { InventoryAccumulator } from './rollup.js';

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

/** LEGACY_SCHEMA_MISSING, LEGACY_SCHEMA_RENAMED, WINDOWS_LAPS_SCHEMA_MISSING. */
function schemaFindings(i: InventoryFindingInput): Finding[] {
  const f: Finding[] = [];
  if (!i.schema.legacyName) {
    f.push({ code: 'LEGACY_SCHEMA_MISSING', severity: 'info', object: 'schema', message: 'The legacy LAPS schema (ms-Mcs-AdmPwd) is not in this forest.', advice: 'Nothing to migrate from legacy LAPS; go straight to Windows LAPS.' });
  } else if (i.schema.legacyRenamed) {
    f.push({ code: 'LEGACY_SCHEMA_RENAMED', severity: 'info', object: 'schema', message: `The legacy LAPS password attribute is named ${i.schema.legacyName} in this forest (found by its attributeID).`, advice: 'Tools that look for ms-Mcs-AdmPwd by name will miss it; laps-migrate uses the attributeID.' });
  }
  if (!i.schema.windowsPresent) {
    f.push({ code: 'WINDOWS_LAPS_SCHEMA_MISSING', severity: 'info', object: 'schema', message: 'The Windows LAPS schema (msLAPS-*) is not extended yet.', advice: 'Run the schema step (laps-migrate schema) to check prerequisites and extend it.' });
  }
  return f;
}

/** PASSWORD_NOT_ROTATING, with the OUs that hold most of them. */
function rotationFindings(i: InventoryFindingInput): Finding[] {
  const f: Finding[] = [];
  const { summary: s, acc, options } = i;
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
  return f;
}

/** NEVER_MANAGED, OS_UNSUPPORTED, OS_PATCH_LEVEL_UNKNOWN: computers Windows LAPS must still reach. */
function coverageFindings(i: InventoryFindingInput): Finding[] {
  const f: Finding[] = [];
  const { summary: s, acc } = i;
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
  return f;
}

/** LEGACY_WITHOUT_GPO, GPO_INHERITANCE_BLOCKED, LEGACY_GPO_LINKED / _UNLINKED. */
function gpoFindings(i: InventoryFindingInput): Finding[] {
  const f: Finding[] = [];
  const { acc } = i;
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
  return f;
}

/** BOTH_PASSWORDS, DOMAIN_CONTROLLERS_DSRM, JOINER_OWNED_COMPUTERS, STALE_COMPUTERS, DISABLED_COMPUTERS. */
function accountFindings(i: InventoryFindingInput): Finding[] {
  const f: Finding[] = [];
  const { summary: s, acc, options } = i;
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
  return f;
}

/** PASSWORD_PRESENCE_NOT_READABLE. */
function presenceFindings(i: InventoryFindingInput): Finding[] {
  const f: Finding[] = [];
  const { summary: s } = i;
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

/** One function per group of codes, in the order the findings are listed. */
const FINDING_GROUPS: ReadonlyArray<(i: InventoryFindingInput) => Finding[]> = [
  schemaFindings,
  rotationFindings,
  coverageFindings,
  gpoFindings,
  accountFindings,
  presenceFindings,
];

export function inventoryFindings(i: InventoryFindingInput): Finding[] {
  return FINDING_GROUPS.flatMap((group) => group(i));
}
