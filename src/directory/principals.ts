/**
 * Principals as the directory knows them: SIDs to names, kinds and transitive groups, each SID and
 * group looked up once per run. The permissions step resolves every trustee of every ACE through
 * this; the emulation and cutover steps resolve the readers they grant to.
 */
import { dnKey } from './dn.js';
import { allStrings, escapeFilterValue, firstBinary as buf, firstString as str } from './entry.js';
import { eachLimited } from './pipelining.js';
import type { DirEntry, Directory } from './types.js';
import { sidToString } from '../dtyp/sid.js';
import { sidDisplayName, universalSid } from '../security/well-known-sids.js';

export interface Principal {
  sid: string;
  name: string;
  kind: 'user' | 'group' | 'computer' | 'foreign' | 'well-known' | 'unknown';
  /** Transitive group SIDs (tokenGroups, nested groups); Everyone / Authenticated Users are added by the analysis. */
  groups: string[];
  dn?: string;
}

/** The transitive group SIDs the DC computes for an account (tokenGroups, primary group included); empty when unreadable. */
export async function readTokenGroups(dir: Directory, dn: string): Promise<string[]> {
  const e = await dir.read(dn, ['tokenGroups'], { binaryAttributes: ['tokenGroups'] });
  return (e?.attributes['tokengroups'] ?? []).filter(Buffer.isBuffer).map((b) => sidToString(b));
}

const FSP = 'foreignsecurityprincipal';

/**
 * SIDs to names and groups, each SID and group looked up once per run: objectSid searches in
 * batches (domain and BUILTIN principals, foreign security principals), well-known SIDs by table.
 */
export class PrincipalResolver {
  readonly principals = new Map<string, Principal>();
  private readonly groupCache = new Map<string, GroupNode>();
  private readonly dir: Directory;
  private readonly domainDn: string;
  private readonly netbios: string | undefined;

  constructor(dir: Directory, domainDn: string, netbios: string | undefined) {
    this.dir = dir;
    this.domainDn = domainDn;
    this.netbios = netbios;
  }

  async resolve(sids: Iterable<string>): Promise<Map<string, Principal>> {
    const wanted = [...new Set(sids)].filter((s) => !this.principals.has(s) && (/^S-1-5-(21|32)-/.test(s) || !universalSid(s)));
    const found = new Map<string, DirEntry>();
    for (let i = 0; i < wanted.length; i += 40) {
      const batch = wanted.slice(i, i + 40);
      const filter = `(|${batch.map((s) => `(objectSid=${escapeFilterValue(s)})`).join('')})`;
      for await (const page of this.dir.searchPages({ base: this.domainDn, filter, attributes: ['objectSid', 'sAMAccountName', 'objectClass', 'cn'], binaryAttributes: ['objectSid'] })) {
        for (const e of page) {
          const b = buf(e, 'objectSid');
          if (b) found.set(sidToString(b), e);
        }
      }
    }
    const prefix = (sid: string) => (sid.startsWith('S-1-5-32-') ? 'BUILTIN' : (this.netbios ?? ''));
    await eachLimited(wanted, 8, async (sid) => {
      const e = found.get(sid);
      if (!e) {
        this.principals.set(sid, { sid, name: sidDisplayName(sid) ?? sid, kind: universalSid(sid) ? 'well-known' : 'unknown', groups: [] });
        return;
      }
      const classes = allStrings(e, 'objectClass').map((v) => v.toLowerCase());
      const sam = str(e, 'sAMAccountName');
      if (classes.includes(FSP)) {
        this.principals.set(sid, { sid, name: `${sidDisplayName(sid) ?? sid} (foreign principal)`, kind: 'foreign', groups: [], dn: e.dn });
        return;
      }
      const kind: Principal['kind'] = classes.includes('computer') ? 'computer' : classes.includes('group') ? 'group' : classes.includes('user') ? 'user' : 'unknown';
      const name = sam ? (prefix(sid) ? `${prefix(sid)}\\${sam}` : sam) : (str(e, 'cn') ?? sid);
      this.principals.set(sid, { sid, name, kind, groups: await groupsOf(this.dir, e.dn, kind, this.groupCache), dn: e.dn });
    });
    return this.principals;
  }
}

/** One group's SID and the groups it is a direct member of, read once per run. */
type GroupNode = { sid: string | undefined; memberOf: string[] };

/**
 * Transitive groups: tokenGroups for accounts (the DC computes it, primary group included); for
 * groups, memberOf followed upwards (each group read once: an in-chain matching-rule search
 * scans the whole directory on Samba, 0.7 s per group at 10k objects).
 */
async function groupsOf(dir: Directory, dn: string, kind: Principal['kind'], cache: Map<string, GroupNode>): Promise<string[]> {
  if (kind === 'user' || kind === 'computer') {
    const tg = await readTokenGroups(dir, dn);
    if (tg.length) return tg;
  }
  const node = async (d: string): Promise<GroupNode> => {
    const k = dnKey(d);
    let n = cache.get(k);
    if (!n) {
      const e = await dir.read(d, ['objectSid', 'memberOf'], { binaryAttributes: ['objectSid'] });
      const b = e ? buf(e, 'objectSid') : undefined;
      n = { sid: b ? sidToString(b) : undefined, memberOf: e ? allStrings(e, 'memberOf') : [] };
      cache.set(k, n);
    }
    return n;
  };
  const out = new Set<string>();
  const seen = new Set<string>([dnKey(dn)]);
  const queue = [...(await node(dn)).memberOf];
  while (queue.length) {
    const g = queue.shift()!;
    if (seen.has(dnKey(g))) continue;
    seen.add(dnKey(g));
    const n = await node(g);
    if (n.sid) out.add(n.sid);
    queue.push(...n.memberOf);
  }
  return [...out];
}

/** sAMAccountName of a SID (for naming the decryptor of an encrypted password), each SID looked up once. */
export function accountNameResolver(dir: Directory, domainDn: string): (sid: string) => Promise<string | undefined> {
  const cache = new Map<string, string | undefined>();
  return async (sid) => {
    if (!cache.has(sid)) {
      const found = await dir.searchAll({ base: domainDn, filter: `(objectSid=${escapeFilterValue(sid)})`, attributes: ['sAMAccountName'] });
      cache.set(sid, found[0] ? str(found[0], 'sAMAccountName') : undefined);
    }
    return cache.get(sid);
  };
}

/**
 * The SIDs an encryption principal (ADPasswordEncryptionPrincipal) names: a SID as is; DOMAIN\name
 * or name@domain of this domain by sAMAccountName. An isolated name is what Windows calls ambiguous
 * (event 10034): it is reported `isolated` with the SIDs that name matches, for the advice.
 */
export async function resolvePrincipalName(dir: Directory, d: { domainDn: string; dnsDomain: string; netbiosDomain: string | undefined }, text: string): Promise<{ sids: string[]; isolated: boolean }> {
  if (/^S-1-[0-9-]+$/i.test(text)) return { sids: [text.toUpperCase()], isolated: false };
  const nt = /^([^\\@]+)\\(.+)$/.exec(text);
  const upn = nt ? undefined : /^(.+)@([^@]+)$/.exec(text);
  const name = nt?.[2] ?? upn?.[1] ?? text;
  const domain = (nt?.[1] ?? upn?.[2])?.toLowerCase();
  if (domain !== undefined && domain !== d.dnsDomain.toLowerCase() && domain !== d.netbiosDomain?.toLowerCase()) return { sids: [], isolated: false };
  const found = await dir.searchAll({ base: d.domainDn, filter: `(sAMAccountName=${escapeFilterValue(name)})`, attributes: ['objectSid'], binaryAttributes: ['objectSid'] });
  const sids = found.map((e) => buf(e, 'objectSid')).filter((b): b is Buffer => !!b).map((b) => sidToString(b));
  return { sids, isolated: domain === undefined };
}
