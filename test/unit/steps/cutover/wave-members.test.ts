/**
 * Group and computer-list wave membership, on entries recorded from the migration-rehearsal lab
 * (a nested group "Wave Finance" holding FIN-WS01..03 and WS01). The double answers only the
 * searches the code is expected to make and throws on any other, so a change in what is read fails.
 */
import { describe, expect, it } from 'vitest';
import type { DirEntry, Directory, SearchOptions } from '../../../../src/directory/types.js';
import { sidToBytes } from '../../../../src/dtyp/sid.js';
import { IN_CHAIN, linkTargetsOf, resolveWaveMembers } from '../../../../src/steps/cutover/wave-members.js';
import { resolveWaves, waveOf, withMembers } from '../../../../src/steps/cutover/waves.js';

const D = 'DC=lab,DC=example,DC=test';
const DOM = 'S-1-5-21-186743264-837974842-4275150895';
const FIN = `OU=Finance,OU=Workstations,${D}`;
const GROUP = `CN=Wave Finance,OU=People,${D}`;
const computer = (name: string, ou: string, rid: number): DirEntry => ({ dn: `CN=${name},${ou}`, attributes: { samaccountname: [`${name}$`], objectsid: [Buffer.from(sidToBytes(`${DOM}-${rid}`))], objectclass: ['top', 'computer'] } });
const RECORDED = [computer('FIN-WS03', FIN, 1150), computer('FIN-WS02', FIN, 1149), computer('WS01', `OU=Workstations,${D}`, 1120), computer('FIN-WS01', FIN, 1148)];

function double(answers: Array<[(o: SearchOptions) => boolean, DirEntry[]]>, reads: Record<string, DirEntry> = {}): Directory & { filters: string[] } {
  const filters: string[] = [];
  const d = {
    filters,
    async searchAll(o: SearchOptions) {
      filters.push(o.filter ?? '');
      const a = answers.find(([m]) => m(o));
      if (!a) throw new Error(`not recorded: ${o.filter}`);
      return a[1];
    },
    async read(dn: string) {
      return reads[dn.toLowerCase()];
    },
  };
  return d as unknown as Directory & { filters: string[] };
}

const groupEntry: DirEntry = { dn: GROUP, attributes: { samaccountname: ['Wave Finance'], objectsid: [Buffer.from(sidToBytes(`${DOM}-1303`))] } };

describe('resolveWaveMembers', () => {
  const [wave] = resolveWaves([{ name: 'finance', group: 'Wave Finance', gpo: 'Windows LAPS - Broad', gates: { minVerifiedPercent: 100, maxFailures: 0, soakDays: 0 } }], D);

  it('a group wave: transitive members through LDAP_MATCHING_RULE_IN_CHAIN (and the primary group), the group as trustee, the members\' OUs as link targets', async () => {
    const dir = double([
      [(o) => o.filter!.includes('objectCategory=group'), [groupEntry]],
      [(o) => o.filter!.includes(`memberOf:${IN_CHAIN}:=${GROUP}`) && o.filter!.includes('(primaryGroupID=1303)'), RECORDED],
    ]);
    const m = await resolveWaveMembers(dir, D, D, wave!);
    expect(m.findings).toEqual([]);
    expect(m.members.map((x) => x.name).sort()).toEqual(['FIN-WS01', 'FIN-WS02', 'FIN-WS03', 'WS01']);
    expect(m.trustees).toEqual([{ sid: `${DOM}-1303`, name: 'Wave Finance' }]);
    expect(m.linkTargets).toEqual([FIN, `OU=Workstations,${D}`]);
    // only the members belong to the wave once it is resolved: a neighbour in the same OU does not
    const resolved = withMembers(wave!, m.members.map((x) => x.dn), m.linkTargets);
    expect(waveOf({ dn: `CN=FIN-WS02,${FIN}` }, [resolved])?.name).toBe('finance');
    expect(waveOf({ dn: `CN=FIN-WS04,${FIN}` }, [resolved])).toBeUndefined();
  });

  it('an unknown, an ambiguous or an empty group blocks with advice', async () => {
    expect((await resolveWaveMembers(double([[() => true, []]]), D, D, wave!)).findings.map((f) => f.code)).toEqual(['CUTOVER_WAVE_GROUP_UNKNOWN']);
    const two = double([[() => true, [groupEntry, { ...groupEntry, dn: `CN=Wave Finance,CN=Users,${D}` }]]]);
    expect((await resolveWaveMembers(two, D, D, wave!)).findings.map((f) => f.code)).toEqual(['CUTOVER_WAVE_GROUP_AMBIGUOUS']);
    const empty = double([
      [(o) => o.filter!.includes('objectCategory=group'), [groupEntry]],
      [() => true, []],
    ]);
    expect((await resolveWaveMembers(empty, D, D, wave!)).findings).toMatchObject([{ code: 'CUTOVER_WAVE_EMPTY', severity: 'blocker' }]);
  });

  it('a computer-list wave: names and DNs resolved, each computer a trustee; an unknown name blocks', async () => {
    const [list] = resolveWaves([{ name: 'list', computers: ['FIN-WS01', 'fin-ws02$', `CN=WS01,OU=Workstations,${D}`, 'GHOST'], gpo: 'G', gates: { minVerifiedPercent: 100, maxFailures: 0, soakDays: 0 } }], D);
    const dir = double([[(o) => o.filter!.includes('(sAMAccountName=fin-ws01$)'), [RECORDED[3]!, RECORDED[1]!]]], { [`cn=ws01,ou=workstations,${D.toLowerCase()}`]: RECORDED[2]! });
    const m = await resolveWaveMembers(dir, D, D, list!);
    expect(m.members.map((x) => x.name).sort()).toEqual(['FIN-WS01', 'FIN-WS02', 'WS01']);
    expect(m.trustees.map((t) => t.sid).sort()).toEqual([`${DOM}-1120`, `${DOM}-1148`, `${DOM}-1149`]);
    expect(m.findings).toMatchObject([{ code: 'CUTOVER_WAVE_COMPUTER_UNKNOWN', severity: 'blocker' }]);
    expect(m.findings[0]!.message).toContain('ghost');
  });
});

describe('linkTargetsOf', () => {
  it('the OUs holding members, once each; a member in CN=Computers links the domain head', () => {
    expect(linkTargetsOf([`CN=A,${FIN}`, `CN=B,${FIN}`, `CN=C,CN=Computers,${D}`], D)).toEqual([FIN, D].sort((a, b) => a.localeCompare(b)));
  });
});
