/**
 * The permissions step's summary: the counts the report's headline and the JSON document show,
 * taken from the records and the findings.
 */
import type { Finding } from '../../model/step-result.js';
import type { Capability, ContainerRecord, LapsGuids, PermissionsAnalysisResult, PermissionsSummary } from './model.js';
import { isDelegated } from './principals.js';
import { hasFamily } from './evaluate.js';
import { memberComputers } from './findings.js';

export function summarize(a: Pick<PermissionsAnalysisResult, 'containers' | 'computers' | 'dirSync'>, findings: Finding[], perComputer: boolean, g: LapsGuids): PermissionsSummary {
  const count = (code: string) => findings.filter((x) => x.code === code).length;
  // risky routes held by delegated principals (built-in operator groups' defaults are info only)
  const risky = (code: string) => findings.filter((x) => x.code === code && x.severity !== 'info').length;
  const members = a.containers.filter((c) => memberComputers(c) > 0 && c.readable);
  const names = (cap: Capability) => new Set(a.containers.flatMap((c) => c.holders[cap].filter((h) => isDelegated(h.tier)).map((h) => h.sid)));
  const winReaders = new Set([...names('readWindowsClear'), ...names('readWindowsEncrypted')]);
  const computersIn = (pred: (c: ContainerRecord) => boolean, key: 'legacy' | 'windows') =>
    members.filter(pred).reduce((n, c) => n + (c.computersMissingSelf ? c.computersMissingSelf[key] : key === 'legacy' ? c.legacyManaged : memberComputers(c)), 0);
  return {
    containers: a.containers.length,
    computers: a.computers.length,
    perComputer,
    windowsLapsSchema: hasFamily(g, 'windows'),
    legacySchema: hasFamily(g, 'legacy'),
    self: {
      legacyMissingContainers: members.filter((c) => !c.self.legacy && c.legacyManaged > 0).length,
      legacyMissingComputers: computersIn((c) => !c.self.legacy && c.legacyManaged > 0, 'legacy'),
      windowsMissingContainers: members.filter((c) => !c.self.windows).length,
      windowsMissingComputers: computersIn((c) => !c.self.windows, 'windows'),
      readEncryptedMissingContainers: members.filter((c) => !c.self.readEncrypted).length,
    },
    protectedContainers: a.containers.filter((c) => c.protected).length,
    nonAdminLegacyReaders: names('readLegacy').size,
    nonAdminWindowsReaders: winReaders.size,
    readGaps: count('READ_GAP_LEGACY_ONLY') + count('READ_GAP_WINDOWS_ONLY'),
    resetGaps: count('RESET_GAP_LEGACY_ONLY') + count('RESET_GAP_WINDOWS_ONLY'),
    risky: {
      allExtendedRights: risky('ALL_EXTENDED_RIGHTS'),
      fullControl: risky('FULL_CONTROL'),
      ownerCanRead: findings.filter((x) => x.code === 'OWNER_CAN_READ').reduce((n, x) => n + (x.count ?? 0), 0),
      dirSync: risky('DIRSYNC_READER'),
      canGrantThemselves: risky('CAN_GRANT_ITSELF'),
    },
  };
}
