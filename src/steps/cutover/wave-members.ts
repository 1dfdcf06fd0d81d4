/**
 * Who is in a group or computer-list wave, read from the directory, and where its GPO is linked.
 *
 * Group waves: the group's computer members, transitively (nested groups count, as they do in
 * the computer's token), found with one search using LDAP_MATCHING_RULE_IN_CHAIN
 * (memberOf:1.2.840.113556.1.4.1941:=GROUP; Samba 4 supports it), plus the computers whose
 * primary group it is (primaryGroupID is not in memberOf). The trustee of the GPO's security
 * filter is the group itself, so a computer added to the group later joins the wave (after its
 * next reboot, when its token holds the group).
 *
 * Computer-list waves: each name (sAMAccountName without $) or DN resolved to one computer; an
 * unknown one is a blocker. The trustees are the computers themselves.
 *
 * Link targets: the OU directly holding each member (the security filter keeps the GPO to the
 * members, so linking where they are is enough). A member in a container that is not an OU (such
 * as CN=Computers) makes the domain head a link target: GPOs link only to the domain, sites and
 * OUs, and the filter still keeps the GPO to exactly the members.
 */
import { dnKey, parentDn, splitDn } from '../../directory/dn.js';
import { escapeFilterValue, firstBinary, firstString } from '../../directory/entry.js';
import type { DirEntry, Directory } from '../../directory/types.js';
import { sidToString } from '../../dtyp/sid.js';
import type { Finding } from '../../model/step-result.js';
import type { ResolvedWave } from './waves.js';

export const IN_CHAIN = '1.2.840.113556.1.4.1941';

export interface WaveMember {
  dn: string;
  /** sAMAccountName without the trailing $. */
  name: string;
  sid: string;
}

export interface WaveMembers {
  members: WaveMember[];
  /** SIDs the GPO's security filter grants Read + Apply: the group, or each listed computer. */
  trustees: Array<{ sid: string; name: string }>;
  /** Where the wave's GPO is linked (OUs holding members; the domain head for other containers). */
  linkTargets: string[];
  /** Blockers (unknown group or computer, empty wave) with advice. */
  findings: Finding[];
}

const COMPUTER = '(objectCategory=computer)';
const ATTRS = ['sAMAccountName', 'objectSid'];

function member(e: DirEntry): WaveMember | undefined {
  const sid = firstBinary(e, 'objectSid');
  if (!sid) return undefined;
  return { dn: e.dn, name: (firstString(e, 'sAMAccountName') ?? '').replace(/\$$/, ''), sid: sidToString(sid) };
}

/** The link targets of a set of members (see the file comment). */
export function linkTargetsOf(memberDns: readonly string[], domainDn: string): string[] {
  const out = new Map<string, string>();
  for (const dn of memberDns) {
    const parent = parentDn(dn);
    const target = /^ou\s*=/i.test(splitDn(parent)[0] ?? '') ? parent : domainDn;
    if (!out.has(dnKey(target))) out.set(dnKey(target), target);
  }
  return [...out.values()].sort((a, b) => a.localeCompare(b));
}

async function findGroup(dir: Directory, domainDn: string, group: string): Promise<Array<{ dn: string; sid: string; name: string }>> {
  const found = group.includes('=')
    ? [await dir.read(group, ['objectSid', 'sAMAccountName', 'objectClass'], { binaryAttributes: ['objectSid'] })].filter((e) => !!e && (e.attributes['objectclass'] ?? []).some((c) => String(c).toLowerCase() === 'group'))
    : await dir.searchAll({ base: domainDn, scope: 'sub', filter: `(&(objectCategory=group)(|(sAMAccountName=${escapeFilterValue(group.replace(/^[^\\]+\\/, ''))})(cn=${escapeFilterValue(group.replace(/^[^\\]+\\/, ''))})))`, attributes: ['objectSid', 'sAMAccountName'], binaryAttributes: ['objectSid'] });
  return found.flatMap((e) => {
    const sid = e && firstBinary(e, 'objectSid');
    return e && sid ? [{ dn: e.dn, sid: sidToString(sid), name: firstString(e, 'sAMAccountName') ?? e.dn }] : [];
  });
}

async function groupMembers(dir: Directory, baseDn: string, domainDn: string, wave: ResolvedWave): Promise<WaveMembers> {
  const w = `wave ${wave.name}`;
  const groups = await findGroup(dir, domainDn, wave.group!);
  if (groups.length !== 1) {
    const code = groups.length ? 'CUTOVER_WAVE_GROUP_AMBIGUOUS' : 'CUTOVER_WAVE_GROUP_UNKNOWN';
    const message = groups.length ? `${w}: the group "${wave.group}" matches ${groups.length} groups.` : `${w}: no group "${wave.group}" exists.`;
    return { members: [], trustees: [], linkTargets: [], findings: [{ code, severity: 'blocker', object: wave.group!, message, advice: 'Give the group as its DN (or a unique sAMAccountName) in `group:`; create it first when it does not exist.', ...(groups.length ? { evidence: groups.map((g) => g.dn).join('; ') } : {}) }] };
  }
  const g = groups[0]!;
  const rid = g.sid.split('-').pop()!;
  const entries = await dir.searchAll({ base: baseDn, scope: 'sub', filter: `(&${COMPUTER}(|(memberOf:${IN_CHAIN}:=${escapeFilterValue(g.dn)})(primaryGroupID=${rid})))`, attributes: ATTRS, binaryAttributes: ['objectSid'] });
  const members = entries.map(member).filter((m): m is WaveMember => !!m);
  const findings: Finding[] = members.length
    ? []
    : [{ code: 'CUTOVER_WAVE_EMPTY', severity: 'blocker', object: g.dn, message: `${w}: the group "${g.name}" has no computer members (nested groups included) under ${baseDn}.`, advice: 'Add the wave\'s computers to the group (Add-ADGroupMember), or fix `group:` in the playbook.' }];
  return { members, trustees: [{ sid: g.sid, name: g.name }], linkTargets: linkTargetsOf(members.map((m) => m.dn), domainDn), findings };
}

async function listedMembers(dir: Directory, baseDn: string, domainDn: string, wave: ResolvedWave): Promise<WaveMembers> {
  const listed = [...wave.computers!];
  const byDn = listed.filter((c) => c.includes('='));
  const byName = listed.filter((c) => !c.includes('='));
  const members: WaveMember[] = [];
  const unknown: string[] = [];
  for (const dn of byDn) {
    const e = await dir.read(dn, [...ATTRS, 'objectClass'], { binaryAttributes: ['objectSid'] });
    const m = e && (e.attributes['objectclass'] ?? []).some((c) => String(c).toLowerCase() === 'computer') ? member(e) : undefined;
    if (m) members.push(m);
    else unknown.push(dn);
  }
  for (let i = 0; i < byName.length; i += 100) {
    const chunk = byName.slice(i, i + 100);
    const found = await dir.searchAll({ base: baseDn, scope: 'sub', filter: `(&${COMPUTER}(|${chunk.map((n) => `(sAMAccountName=${escapeFilterValue(n)}$)`).join('')}))`, attributes: ATTRS, binaryAttributes: ['objectSid'] });
    const got = new Map(found.map(member).filter((m): m is WaveMember => !!m).map((m) => [m.name.toLowerCase(), m]));
    for (const n of chunk) {
      const m = got.get(n);
      if (m) members.push(m);
      else unknown.push(n);
    }
  }
  const findings: Finding[] = unknown.length
    ? [{ code: 'CUTOVER_WAVE_COMPUTER_UNKNOWN', severity: 'blocker', object: wave.name, message: `wave ${wave.name}: ${unknown.length} listed computer(s) do not exist under ${baseDn}: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}.`, advice: 'Fix the names in `computers:` (sAMAccountName without $, or the DN); remove computers deleted since the playbook was written.' }]
    : [];
  const unique = [...new Map(members.map((m) => [dnKey(m.dn), m])).values()];
  return { members: unique, trustees: unique.map((m) => ({ sid: m.sid, name: m.name })), linkTargets: linkTargetsOf(unique.map((m) => m.dn), domainDn), findings };
}

/** Members, filter trustees and link targets of a group or computer-list wave. */
export async function resolveWaveMembers(dir: Directory, baseDn: string, domainDn: string, wave: ResolvedWave): Promise<WaveMembers> {
  if (wave.group !== undefined) return groupMembers(dir, baseDn, domainDn, wave);
  if (wave.computers) return listedMembers(dir, baseDn, domainDn, wave);
  return { members: [], trustees: [], linkTargets: [], findings: [] };
}
