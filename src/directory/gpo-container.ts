/**
 * The directory half of a GPO: its groupPolicyContainer (found by {GUID} or display name), the
 * containers that link it (a search for its GUID in gPLink under the domain), and which DC holds
 * the PDC emulator role (fSMORoleOwner of the domain head), the DC GPMC edits GPOs on.
 */
import { ExitCode, InputError, UserError } from '../errors.js';
import { dnKey, parentDn } from './dn.js';
import { allStrings, escapeFilterValue, firstString } from './entry.js';
import type { Directory } from './types.js';

export const GPO_ATTRIBUTES = ['cn', 'displayName', 'versionNumber', 'gPCMachineExtensionNames', 'gPCUserExtensionNames', 'gPCFileSysPath', 'flags', 'whenChanged'];

export interface GpoContainer {
  dn: string;
  /** "{XXXXXXXX-...}" upper-case. */
  guid: string;
  displayName: string | undefined;
  /** versionNumber exactly as the server returns it (undefined when absent). */
  versionNumber: string | undefined;
  machineExtensionNames: string | undefined;
  userExtensionNames: string | undefined;
  fileSysPath: string | undefined;
  flags: number | undefined;
  whenChanged: string | undefined;
}

export interface GpoLinkHolder {
  /** The domain head or an OU (site links live in the configuration NC and are not read). */
  dn: string;
  /** gPLink exactly as read. */
  gpLink: string;
  gpOptions: string | undefined;
}

export interface DcRoles {
  /** The DC this connection is bound to (rootDSE serverName, dnsHostName). */
  boundServer: string;
  boundDnsHostName: string;
  /** The PDC emulator's server object and DNS name (undefined when fSMORoleOwner is unreadable). */
  pdcServer: string | undefined;
  pdcDnsHostName: string | undefined;
  boundIsPdc: boolean | undefined;
}

const GUID_TEXT = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

export function policiesDn(domainDn: string): string {
  return `CN=Policies,CN=System,${domainDn}`;
}

function toContainer(e: { dn: string; attributes: Record<string, Array<string | Buffer>> }): GpoContainer {
  const s = (n: string) => firstString(e, n);
  const cn = s('cn') ?? /^CN=([^,]+)/i.exec(e.dn)?.[1] ?? '';
  const flags = s('flags');
  return {
    dn: e.dn,
    guid: cn.toUpperCase(),
    displayName: s('displayName'),
    versionNumber: s('versionNumber'),
    machineExtensionNames: s('gPCMachineExtensionNames'),
    userExtensionNames: s('gPCUserExtensionNames'),
    fileSysPath: s('gPCFileSysPath'),
    flags: flags === undefined ? undefined : Number(flags),
    whenChanged: s('whenChanged'),
  };
}

/** Finds a GPO by "{GUID}", a bare GUID, or its display name (exactly one must match). */
export async function findGpoContainer(dir: Directory, domainDn: string, nameOrGuid: string): Promise<GpoContainer> {
  const text = nameOrGuid.trim();
  if (!text) throw new InputError('a GPO name or {GUID} is required');
  const guid = GUID_TEXT.exec(text)?.[1];
  const filter = guid ? `(&(objectClass=groupPolicyContainer)(cn={${escapeFilterValue(guid)}}))` : `(&(objectClass=groupPolicyContainer)(displayName=${escapeFilterValue(text)}))`;
  const found = await dir.searchAll({ base: policiesDn(domainDn), scope: 'one', filter, attributes: GPO_ATTRIBUTES });
  if (found.length === 0) {
    throw new UserError(`no GPO ${guid ? `with GUID {${guid.toUpperCase()}}` : `named "${text}"`} under ${policiesDn(domainDn)}`, ExitCode.USAGE, {
      reason: 'GPO_NOT_FOUND',
      advice: 'Give its display name exactly as GPMC shows it, or its {GUID}.',
    });
  }
  if (found.length > 1) {
    throw new UserError(`${found.length} GPOs are named "${text}": give the {GUID}`, ExitCode.USAGE, { reason: 'GPO_NAME_AMBIGUOUS', advice: found.map((f) => firstString(f, 'cn')).join(', ') });
  }
  return toContainer(found[0]!);
}

/** Re-reads a container by DN (undefined when it is gone). */
export async function readGpoContainer(dir: Directory, dn: string): Promise<GpoContainer | undefined> {
  const e = await dir.read(dn, GPO_ATTRIBUTES);
  return e ? toContainer(e) : undefined;
}

/** Every OU (and the domain head) whose gPLink names this GPO, enabled or not (objectClass narrows the unindexed gPLink match). */
export async function findGpoLinkHolders(dir: Directory, domainDn: string, guid: string): Promise<GpoLinkHolder[]> {
  const found = await dir.searchAll({ base: domainDn, scope: 'sub', filter: `(&(|(objectClass=organizationalUnit)(objectClass=domainDNS))(gPLink=*${escapeFilterValue(guid)}*))`, attributes: ['gPLink', 'gPOptions'] });
  return found
    .map((e) => ({ dn: e.dn, gpLink: firstString(e, 'gPLink') ?? '', gpOptions: firstString(e, 'gPOptions') }))
    .filter((h) => h.gpLink.toUpperCase().includes(guid.toUpperCase()));
}

/** gPLink and gPOptions of one container (for link edits on containers not yet linking the GPO). */
export async function readLinkHolder(dir: Directory, dn: string): Promise<GpoLinkHolder> {
  const e = await dir.read(dn, ['gPLink', 'gPOptions']);
  if (!e) throw new UserError(`no object ${dn} to link to`, ExitCode.USAGE, { reason: 'LINK_TARGET_NOT_FOUND', advice: 'Give the DN of the domain head or of an OU.' });
  return { dn: e.dn, gpLink: firstString(e, 'gPLink') ?? '', gpOptions: firstString(e, 'gPOptions') };
}

/** The bound DC and the PDC emulator (where GPO edits are made). */
export async function readDcRoles(dir: Directory, domainDn: string): Promise<DcRoles> {
  const root = await dir.rootDse();
  const head = await dir.read(domainDn, ['fSMORoleOwner']);
  const owner = head ? allStrings(head, 'fSMORoleOwner')[0] : undefined;
  const pdcServer = owner ? parentDn(owner) : undefined;
  let pdcDnsHostName: string | undefined;
  if (pdcServer) {
    const s = await dir.read(pdcServer, ['dNSHostName']).catch(() => undefined);
    pdcDnsHostName = s ? firstString(s, 'dNSHostName') : undefined;
  }
  return {
    boundServer: root.serverName,
    boundDnsHostName: root.dnsHostName,
    pdcServer,
    pdcDnsHostName,
    boundIsPdc: pdcServer ? dnKey(pdcServer) === dnKey(root.serverName) : undefined,
  };
}

/** "DC=lab,DC=example,DC=test" -> "lab.example.test". */
export function dnsDomainOf(domainDn: string): string {
  return domainDn
    .split(',')
    .map((p) => /^\s*DC=(.*)$/i.exec(p)?.[1]?.trim())
    .filter((x): x is string => !!x)
    .join('.');
}
