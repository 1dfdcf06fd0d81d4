/**
 * DirSync at the domain root: who holds DS-Replication-Get-Changes with Get-Changes-In-Filtered-Set
 * or Get-Changes-All (they can read confidential attributes by replication), DCs aside.
 */
import { ADS_RIGHT_DS_CONTROL_ACCESS, aceAppliesTo, effectiveAccess, Guids, isAllowAce, mapGenericRights, targetPath, type SecurityDescriptor } from '../../security/index.js';
import type { DirSyncHolder } from './model.js';
import { PrincipalTable } from './principals.js';

const DIRSYNC_RIGHTS: ReadonlyArray<readonly [string, string]> = [
  [Guids.DS_REPLICATION_GET_CHANGES, 'DS-Replication-Get-Changes'],
  [Guids.DS_REPLICATION_GET_CHANGES_IN_FILTERED_SET, 'DS-Replication-Get-Changes-In-Filtered-Set'],
  [Guids.DS_REPLICATION_GET_CHANGES_ALL, 'DS-Replication-Get-Changes-All'],
];

/**
 * Holders of DS-Replication-Get-Changes plus Get-Changes-In-Filtered-Set (DirSync returns
 * confidential attributes) or Get-Changes-All (full replication), except domain controllers.
 */
export function dirSyncHolders(sd: SecurityDescriptor, principals: PrincipalTable): DirSyncHolder[] {
  const classes = [Guids.DOMAIN_DNS_CLASS];
  const paths = DIRSYNC_RIGHTS.map(([g]) => targetPath({ objectClassGuids: classes, controlAccessRight: g }));
  const sids = new Set<string>();
  for (const ace of sd.dacl?.aces ?? []) {
    if (isAllowAce(ace) && (mapGenericRights(ace.mask) & ADS_RIGHT_DS_CONTROL_ACCESS) && paths.some((p) => aceAppliesTo(ace, p))) sids.add(ace.sid);
  }
  const out: DirSyncHolder[] = [];
  for (const sid of sids) {
    const tier = principals.tier(sid);
    if (tier === 'dc') continue;
    const token = principals.token(sid);
    const held = DIRSYNC_RIGHTS.filter(([guid]) => effectiveAccess(sd, token, { objectClassGuids: classes, controlAccessRight: guid }).granted & ADS_RIGHT_DS_CONTROL_ACCESS);
    const has = (g: string) => held.some(([x]) => x === g);
    if (has(Guids.DS_REPLICATION_GET_CHANGES) && (has(Guids.DS_REPLICATION_GET_CHANGES_IN_FILTERED_SET) || has(Guids.DS_REPLICATION_GET_CHANGES_ALL))) {
      out.push({ sid, name: principals.name(sid), tier, rights: held.map(([, n]) => n) });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
