/**
 * Which wave a computer belongs to. Waves may nest (OU=Pilot inside OU=Workstations): a computer
 * belongs to the FIRST wave, in playbook order, that contains it. OUs are relative to the base DN
 * or absolute; an absolute DN outside the base DN is an input error, as is the same OU reached by
 * two waves once relative and absolute names are resolved.
 */
import { dnKey, isUnder, splitDn } from '../../directory/dn.js';
import { InputError } from '../../errors.js';
import type { WaveOptions } from './options.js';

export interface ResolvedWave {
  index: number;
  name: string;
  /**
   * Absolute OU DNs (subtrees), when the wave is given by OUs. For a group or computer-list wave
   * whose membership has been read (wave-members.ts, withMembers): the containers its GPO is
   * linked to, and `members` decides who is in the wave.
   */
  ous: string[];
  /** DN keys of the computers of a group or computer-list wave, once read from the directory. */
  members?: ReadonlySet<string>;
  /** The group (a DN or a name) whose members form the wave. */
  group?: string;
  /** Lower-case names (without $) and DN keys of the listed computers. */
  computers?: Set<string>;
  gpo: string;
  gates: WaveOptions['gates'];
}

/** The computer as far as wave membership goes. */
export interface WaveCandidate {
  dn: string;
  /** sAMAccountName (with or without the trailing $). */
  name?: string;
  /** DNs of the groups it is a member of (memberOf, transitively resolved by the caller). */
  groups?: readonly string[];
}

function isAbsolute(dn: string): boolean {
  return splitDn(dn).some((rdn) => /^dc\s*=/i.test(rdn));
}

/** The waves with absolute OU DNs under `baseDn`. */
export function resolveWaves(waves: readonly WaveOptions[], baseDn: string): ResolvedWave[] {
  const seen = new Map<string, string>();
  return waves.map((w, index) => {
    const ous = (w.ous ?? []).map((ou, j) => {
      if (isAbsolute(ou) && !isUnder(ou, baseDn)) throw new InputError(`waves[${index}].ous[${j}]: ${ou} is not under the base DN ${baseDn}`, { advice: 'Give OUs relative to the base DN (OU=Pilot,OU=Workstations) or absolute DNs inside it.' });
      const abs = isAbsolute(ou) ? ou : `${ou},${baseDn}`;
      const other = seen.get(dnKey(abs));
      if (other) throw new InputError(`waves[${index}].ous[${j}]: ${abs} is already in wave "${other}"`, { advice: 'Each OU belongs to one wave; nest a smaller OU instead (the first wave containing a computer wins).' });
      seen.set(dnKey(abs), w.name);
      return abs;
    });
    return {
      index,
      name: w.name,
      ous,
      ...(w.group !== undefined ? { group: w.group } : {}),
      ...(w.computers ? { computers: new Set(w.computers.map((c) => (c.includes('=') ? dnKey(c) : c.toLowerCase().replace(/\$$/, '')))) } : {}),
      gpo: w.gpo,
      gates: w.gates,
    };
  });
}

function groupMatches(group: string, memberOf: readonly string[]): boolean {
  if (group.includes('=')) return memberOf.some((g) => dnKey(g) === dnKey(group));
  const want = group.toLowerCase();
  return memberOf.some((g) => (splitDn(g)[0] ?? '').replace(/^cn\s*=\s*/i, '').replace(/\\(.)/g, '$1').toLowerCase() === want);
}

export function waveContains(w: ResolvedWave, c: WaveCandidate): boolean {
  if (w.members) return w.members.has(dnKey(c.dn));
  if (w.ous.length) return w.ous.some((ou) => isUnder(c.dn, ou));
  if (w.computers) return w.computers.has(dnKey(c.dn)) || (!!c.name && w.computers.has(c.name.toLowerCase().replace(/\$$/, '')));
  if (w.group !== undefined) return groupMatches(w.group, c.groups ?? []);
  return false;
}

/** A group or computer-list wave with its membership read: `ous` become the link targets. */
export function withMembers(w: ResolvedWave, memberDns: readonly string[], linkTargets: readonly string[]): ResolvedWave {
  return { ...w, ous: [...linkTargets], members: new Set(memberDns.map(dnKey)) };
}

/** The first wave, in playbook order, that contains the computer (undefined: in no wave). */
export function waveOf(c: WaveCandidate, waves: readonly ResolvedWave[]): ResolvedWave | undefined {
  return waves.find((w) => waveContains(w, c));
}

/** Computers grouped by the wave they belong to ('' = none), in wave order. */
export function groupByWave<C extends WaveCandidate>(computers: Iterable<C>, waves: readonly ResolvedWave[]): Map<string, C[]> {
  const out = new Map<string, C[]>(waves.map((w) => [w.name, []]));
  out.set('', []);
  for (const c of computers) out.get(waveOf(c, waves)?.name ?? '')!.push(c);
  return out;
}
