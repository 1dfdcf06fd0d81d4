/**
 * What the simulated devices see at the start of one policy cycle, read afresh from the DC and
 * the lab's SYSVOL (an admin may change GPOs, links or the schema between cycles): containers
 * with gPLink/gPOptions, GPO containers and their Registry.pol, the computers' current DNs, the
 * LAPS schema, the domain functional level, and the KDS root key.
 *
 * The simulator reads the KDS root key as the lab admin: a Windows device asks a DC for the
 * group public key over GKDI (MS-GKDI GetKey) and never sees the root key; the lab has no GKDI
 * service, so the simulator derives the same public-key-mode blob itself from the root key.
 * Encryption principals are resolved once per cycle (a device's own lookup sees the same objects).
 */
import type { Directory } from '../directory/types.js';
import { readLapsSchema, type LapsSchema } from '../directory/laps-schema.js';
import { parseGpLink, type ScopeOfManagement } from '../laps/gpo-links.js';
import type { GpoPolicyData } from '../laps/effective-policy.js';
import { rootKeyFromDirectoryEntry, ROOT_KEY_ATTRIBUTES, ROOT_KEY_BINARY_ATTRIBUTES, type RootKey } from '../dpapi-ng/root-key.js';
import { kdsMasterRootKeysDn } from '../directory/kds.js';
import { escapeFilterValue } from '../directory/entry.js';
import { sidToString } from '../dtyp/sid.js';
import { readGpoPolicy } from './gpo-folder.js';
import { readFiltering, type FilteringWorld } from './simulate-filtering.js';
import type { LabManifest } from './manifest.js';

export interface CycleWorld extends FilteringWorld {
  at: Date;
  soms: Map<string, ScopeOfManagement>;
  gpos: Map<string, GpoPolicyData>;
  /** Problems reading SYSVOL (a malformed Registry.pol): the GPO then contributes nothing. */
  gpoProblems: string[];
  /** sAMAccountName (upper-case, with $) -> current DN. */
  computerDns: Map<string, string>;
  schema: LapsSchema;
  domainFunctionality: number;
  rootKey: RootKey | undefined;
  resolvePrincipal(p: string | undefined): Promise<{ sid: string } | { problem: 'ambiguous' | 'unresolved'; message: string }>;
  baseDn: string;
  domainSid: string;
}

const key = (dn: string) => dn.toLowerCase().replace(/\s*,\s*/g, ',');

/** Containers from the domain head down to `dn`'s parent that can carry GPO links. */
export function somChain(world: Pick<CycleWorld, 'soms' | 'baseDn'>, dn: string): ScopeOfManagement[] {
  const parts = dn.split(/,(?=\s*(?:OU|CN|DC)=)/i).slice(1);
  const chain: ScopeOfManagement[] = [];
  for (let i = parts.length - 1; i >= 0; i--) {
    const som = world.soms.get(key(parts.slice(i).join(',')));
    if (som) chain.push(som);
  }
  return chain;
}

export async function readWorld(admin: Directory, m: LabManifest, sysvolTop: string): Promise<CycleWorld> {
  const at = new Date();
  const root = await admin.rootDse();
  const soms = new Map<string, ScopeOfManagement>();
  const containers = await admin.searchAll({ base: m.baseDn, filter: '(|(objectClass=organizationalUnit)(objectClass=domainDNS))', attributes: ['gPLink', 'gPOptions'] });
  for (const e of containers) {
    const link = e.attributes['gplink']?.[0];
    soms.set(key(e.dn), { dn: e.dn, links: parseGpLink(link === undefined ? undefined : String(link)), blocksInheritance: (Number(e.attributes['gpoptions']?.[0] ?? 0) & 1) === 1 });
  }
  const gpos = new Map<string, GpoPolicyData>();
  const gpoProblems: string[] = [];
  const containersOfGpos = await admin.searchAll({ base: `CN=Policies,CN=System,${m.baseDn}`, scope: 'one', filter: '(objectClass=groupPolicyContainer)', attributes: ['cn', 'flags'] });
  for (const g of containersOfGpos) {
    const guid = String(g.attributes['cn']?.[0] ?? '').toUpperCase();
    let entries: GpoPolicyData['entries'] = [];
    try {
      entries = readGpoPolicy(sysvolTop, m.dnsDomain, guid);
    } catch (e) {
      gpoProblems.push(`${guid}: ${(e as Error).message}`);
    }
    gpos.set(guid, { entries, computerSettingsDisabled: (Number(g.attributes['flags']?.[0] ?? 0) & 2) === 2 });
  }
  const computerDns = new Map<string, string>();
  for await (const page of admin.searchPages({ base: m.baseDn, filter: '(objectCategory=computer)', attributes: ['sAMAccountName'] })) {
    for (const e of page) computerDns.set(String(e.attributes['samaccountname']?.[0] ?? '').toUpperCase(), e.dn);
  }
  const schema = await readLapsSchema(admin, root.schemaNamingContext);
  const keys = await admin
    .searchAll({ base: kdsMasterRootKeysDn(m.configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: [...ROOT_KEY_ATTRIBUTES], binaryAttributes: [...ROOT_KEY_BINARY_ATTRIBUTES] })
    .catch(() => []);
  const usable = keys
    .map((e) => rootKeyFromDirectoryEntry(e))
    .filter((k) => !k.useStartTime || k.useStartTime.getTime() <= at.getTime())
    .sort((a, b) => (b.createTime?.getTime() ?? 0) - (a.createTime?.getTime() ?? 0));
  const principals = new Map<string, Awaited<ReturnType<CycleWorld['resolvePrincipal']>>>();
  const resolvePrincipal: CycleWorld['resolvePrincipal'] = async (p) => {
    if (!p) return { sid: `${m.domainSid}-512` }; // Domain Admins
    const cached = principals.get(p.toLowerCase());
    if (cached) return cached;
    let r: Awaited<ReturnType<CycleWorld['resolvePrincipal']>>;
    if (/^S-1-[0-9-]+$/i.test(p)) {
      r = { sid: p.toUpperCase() };
    } else {
      const m1 = /^([^\\@]+)\\(.+)$/.exec(p);
      const m2 = /^(.+)@([^@]+)$/.exec(p);
      const name = m1?.[2] ?? m2?.[1];
      const domainOk = m1 ? m1[1]!.toUpperCase() === m.netbiosDomain.toUpperCase() || m1[1]!.toLowerCase() === m.dnsDomain : m2 ? m2[2]!.toLowerCase() === m.dnsDomain : false;
      if (!name) {
        r = { problem: 'ambiguous', message: `encryption principal "${p}" is an isolated name; give DOMAIN\\name, name@domain or a SID` };
      } else if (!domainOk) {
        r = { problem: 'unresolved', message: `encryption principal "${p}" names another domain` };
      } else {
        const found = await admin.searchAll({ base: m.baseDn, filter: `(sAMAccountName=${escapeFilterValue(name)})`, attributes: ['objectSid'], binaryAttributes: ['objectSid'] });
        const sid = found[0]?.attributes['objectsid']?.[0];
        r = Buffer.isBuffer(sid) ? { sid: sidToString(sid) } : { problem: 'unresolved', message: `encryption principal "${p}" cannot be resolved` };
      }
    }
    principals.set(p.toLowerCase(), r);
    return r;
  };
  const filtering = await readFiltering(admin, m.baseDn, m.domainSid);
  return { at, soms, gpos, ...filtering, gpoProblems, computerDns, schema, domainFunctionality: root.domainFunctionality, rootKey: usable[0], resolvePrincipal, baseDn: m.baseDn, domainSid: m.domainSid };
}
