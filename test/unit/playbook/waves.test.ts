import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { wavesOptions } from '../../../src/steps/cutover/options.js';
import { groupByWave, resolveWaves, waveOf } from '../../../src/playbook/waves.js';

const BASE = 'DC=lab,DC=example,DC=test';
const waves = wavesOptions.parse([
  { name: 'pilot', ous: ['OU=Finance,OU=Workstations'], gpo: 'P' },
  { name: 'named', computers: ['SRV-WEB01', 'CN=KIOSK01,OU=Kiosks,DC=lab,DC=example,DC=test'], gpo: 'N' },
  { name: 'group', group: 'LAPS Pilot Computers', gpo: 'G' },
  { name: 'broad', ous: ['OU=Workstations', `OU=Servers,${BASE}`], gpo: 'B' },
]);

describe('wave selection', () => {
  const resolved = resolveWaves(waves, BASE);
  it('resolves relative OUs under the base DN and keeps absolute ones', () => {
    expect(resolved[0]!.ous).toEqual([`OU=Finance,OU=Workstations,${BASE}`]);
    expect(resolved[3]!.ous).toEqual([`OU=Workstations,${BASE}`, `OU=Servers,${BASE}`]);
  });

  it('puts a computer in the first wave that contains it (nested OUs)', () => {
    expect(waveOf({ dn: `CN=FIN-WS01,OU=Finance,OU=Workstations,${BASE}` }, resolved)?.name).toBe('pilot');
    expect(waveOf({ dn: `CN=WS-GEN01,OU=Workstations,${BASE}` }, resolved)?.name).toBe('broad');
    expect(waveOf({ dn: `CN=SRV-WEB01,OU=Web,OU=Servers,${BASE}`, name: 'srv-web01$' }, resolved)?.name).toBe('named');
    expect(waveOf({ dn: `cn=kiosk01,ou=kiosks,${BASE.toLowerCase()}` }, resolved)?.name).toBe('named');
    expect(waveOf({ dn: `CN=LNX-01,OU=Kiosks,${BASE}`, groups: [`CN=LAPS Pilot Computers,OU=People,${BASE}`] }, resolved)?.name).toBe('group');
    expect(waveOf({ dn: `CN=UNK-01,OU=Kiosks,${BASE}` }, resolved)).toBeUndefined();
  });

  it('groups computers by wave in wave order, the rest under ""', () => {
    const g = groupByWave([{ dn: `CN=A,OU=Workstations,${BASE}` }, { dn: `CN=B,OU=Finance,OU=Workstations,${BASE}` }, { dn: `CN=C,OU=Kiosks,${BASE}` }], resolved);
    expect([...g.keys()]).toEqual(['pilot', 'named', 'group', 'broad', '']);
    expect(g.get('broad')!.map((c) => c.dn.slice(3, 4))).toEqual(['A']);
    expect(g.get('')!.length).toBe(1);
  });

  it('refuses an absolute OU outside the base DN and the same OU named relatively and absolutely', () => {
    expect(() => resolveWaves(wavesOptions.parse([{ name: 'x', ous: ['OU=W,DC=other,DC=test'], gpo: 'g' }]), BASE)).toThrow(InputError);
    expect(() => resolveWaves(wavesOptions.parse([{ name: 'x', ous: ['OU=W'], gpo: 'g' }, { name: 'y', ous: [`ou=w,${BASE}`], gpo: 'h' }]), BASE)).toThrow(/already in wave "x"/);
  });
});
