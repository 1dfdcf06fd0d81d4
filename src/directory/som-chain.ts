/**
 * The scopes of management (domain head, OUs) that carry GPO links, from the domain head down to
 * a container, in the order Windows applies their GPOs (MS-GPOL 3.2.5.1.5: domain first, then
 * each OU down to the object's own). Sites are not modelled. Shared by the emulation, cutover and
 * cleanup readers: all three must see the same GPOs reaching a computer.
 */
import type { ScopeOfManagement } from '../laps/gpo-links.js';
import { dnKey, isUnder, parentDn } from './dn.js';

export function somChain(containerDn: string, domainDn: string, soms: ReadonlyMap<string, ScopeOfManagement>): ScopeOfManagement[] {
  const out: ScopeOfManagement[] = [];
  let cur = containerDn;
  for (let i = 0; i < 64 && cur && isUnder(cur, domainDn); i++) {
    const som = soms.get(dnKey(cur));
    if (som) out.unshift(som);
    if (dnKey(cur) === dnKey(domainDn)) break;
    cur = parentDn(cur);
  }
  return out;
}
