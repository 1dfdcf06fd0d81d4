/**
 * One GPO as the tool works on it: both halves (the groupPolicyContainer and its SYSVOL folder),
 * the containers linking it, and the DC roles, read together. Steps plan GPO edits from this
 * snapshot (plan-gpo-edit.ts) and `gpo show` describes it (describe-gpo.ts).
 */
import { dnsDomainOf, findGpoContainer, findGpoLinkHolders, readDcRoles, type DcRoles, type GpoContainer, type GpoLinkHolder } from '../directory/gpo-container.js';
import { readGpoFolder, resolvePoliciesDir, type GpoFolder } from '../directory/sysvol.js';
import type { Directory } from '../directory/types.js';

export interface GpoSnapshot {
  domainDn: string;
  dnsDomain: string;
  container: GpoContainer;
  /** Containers whose gPLink names this GPO. */
  linkHolders: GpoLinkHolder[];
  dc: DcRoles;
  /** The SYSVOL half; undefined when no --sysvol was given. */
  sysvol: GpoFolder | undefined;
  /** The --sysvol path as given. */
  sysvolPath: string | undefined;
}

export async function readGpo(dir: Directory, o: { domainDn: string; gpo: string; sysvol?: string }): Promise<GpoSnapshot> {
  const dnsDomain = dnsDomainOf(o.domainDn);
  // resolve SYSVOL first: a wrong --sysvol is an input error before any LDAP search
  const policiesDir = o.sysvol ? resolvePoliciesDir(o.sysvol, dnsDomain) : undefined;
  const container = await findGpoContainer(dir, o.domainDn, o.gpo);
  const [linkHolders, dc] = await Promise.all([findGpoLinkHolders(dir, o.domainDn, container.guid), readDcRoles(dir, o.domainDn)]);
  return {
    domainDn: o.domainDn,
    dnsDomain,
    container,
    linkHolders,
    dc,
    sysvol: policiesDir ? readGpoFolder(policiesDir, container.guid) : undefined,
    sysvolPath: o.sysvol,
  };
}
