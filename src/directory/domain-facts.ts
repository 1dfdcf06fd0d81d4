/**
 * What an admin checks first about a domain and about the bound account: names, DC, functional
 * levels, schema version, and whether the account is a Domain / Schema / Enterprise Admin.
 */
import { sidToString } from '../dtyp/sid.js';
import type { BoundIdentity, ConnectionFacts, Directory, RootDse } from './types.js';

export const FUNCTIONAL_LEVEL_NAMES: Record<number, string> = {
  0: '2000',
  1: '2003 interim',
  2: '2003',
  3: '2008',
  4: '2008 R2',
  5: '2012',
  6: '2012 R2',
  7: '2016',
  10: '2025',
};

export function functionalLevelName(level: number): string {
  return FUNCTIONAL_LEVEL_NAMES[level] ?? `unknown (${level})`;
}

/** Schema objectVersion -> the Windows Server release whose adprep set it. */
export const SCHEMA_VERSION_NAMES: Record<number, string> = {
  13: 'Windows 2000',
  30: 'Windows Server 2003',
  31: 'Windows Server 2003 R2',
  44: 'Windows Server 2008',
  47: 'Windows Server 2008 R2',
  56: 'Windows Server 2012',
  69: 'Windows Server 2012 R2',
  87: 'Windows Server 2016',
  88: 'Windows Server 2019/2022',
  91: 'Windows Server 2025',
};

export interface DomainFacts {
  dnsDomain: string;
  netbiosDomain: string | undefined;
  domainDn: string;
  domainSid: string;
  forestRootDn: string;
  forestRootSid: string;
  dcHost: string;
  domainFunctionalLevel: { level: number; name: string };
  forestFunctionalLevel: { level: number; name: string };
  dcFunctionalLevel: { level: number; name: string };
  schemaVersion: { objectVersion: number | undefined; name: string | undefined };
  connection: ConnectionFacts;
  boundAs: {
    dn: string;
    sid: string;
    groupCount: number;
    domainAdmin: boolean;
    schemaAdmin: boolean;
    enterpriseAdmin: boolean;
  };
}

export function dnToDnsName(dn: string): string {
  return dn
    .split(',')
    .filter((p) => /^dc=/i.test(p.trim()))
    .map((p) => p.trim().slice(3))
    .join('.')
    .toLowerCase();
}

async function sidOf(dir: Directory, dn: string): Promise<string> {
  const e = await dir.read(dn, ['objectSid'], { binaryAttributes: ['objectSid'] });
  const b = e?.attributes['objectsid']?.[0];
  return Buffer.isBuffer(b) ? sidToString(b) : '';
}

export function adminFlags(identity: BoundIdentity, domainSid: string, forestRootSid: string) {
  const all = new Set([identity.sid, ...identity.groupSids]);
  return {
    domainAdmin: all.has(`${domainSid}-512`),
    schemaAdmin: all.has(`${forestRootSid}-518`),
    enterpriseAdmin: all.has(`${forestRootSid}-519`),
  };
}

export async function gatherDomainFacts(dir: Directory): Promise<DomainFacts> {
  const root: RootDse = await dir.rootDse();
  const identity = await dir.whoAmI();
  const domainDn = root.defaultNamingContext;
  const [domainSid, forestRootSid] = await Promise.all([sidOf(dir, domainDn), sidOf(dir, root.rootDomainNamingContext)]);
  const partitions = await dir.searchAll({
    base: `CN=Partitions,${root.configurationNamingContext}`,
    scope: 'one',
    filter: '(&(objectClass=crossRef)(nETBIOSName=*))',
    attributes: ['nETBIOSName', 'nCName', 'dnsRoot'],
  });
  const own = partitions.find((p) => String(p.attributes['ncname']?.[0] ?? '').toLowerCase() === domainDn.toLowerCase());
  const schema = await dir.read(root.schemaNamingContext, ['objectVersion']);
  const ov = schema?.attributes['objectversion']?.[0];
  const objectVersion = ov === undefined ? undefined : Number(ov);
  const flags = adminFlags(identity, domainSid, forestRootSid);
  return {
    dnsDomain: dnToDnsName(domainDn),
    netbiosDomain: own ? String(own.attributes['netbiosname']?.[0]) : undefined,
    domainDn,
    domainSid,
    forestRootDn: root.rootDomainNamingContext,
    forestRootSid,
    dcHost: root.dnsHostName,
    domainFunctionalLevel: { level: root.domainFunctionality, name: functionalLevelName(root.domainFunctionality) },
    forestFunctionalLevel: { level: root.forestFunctionality, name: functionalLevelName(root.forestFunctionality) },
    dcFunctionalLevel: { level: root.domainControllerFunctionality, name: functionalLevelName(root.domainControllerFunctionality) },
    schemaVersion: { objectVersion, name: objectVersion === undefined ? undefined : SCHEMA_VERSION_NAMES[objectVersion] },
    connection: dir.facts,
    boundAs: { dn: identity.dn, sid: identity.sid, groupCount: identity.groupSids.length, ...flags },
  };
}
