/** The legacy GPO per cutover.transition: side-by-side must manage another account; replace lists the builds that keep the legacy CSE. */
import { describe, expect, it } from 'vitest';
import { transitionFindings, type TransitionInput } from '../../../../src/steps/cutover/transition.js';

const legacyGpo = { name: 'LAPS Legacy - Workstations', guid: '{FF5DDCEB-B54C-4C09-A37A-E40970062ABC}', enabled: true, adminAccountName: '', computers: 12, linkedAt: ['OU=Workstations,DC=lab'] };
const input = (over: Partial<TransitionInput>): TransitionInput => ({
  wave: 'pilot',
  transition: 'side-by-side',
  administratorAccountName: 'lapsadmin',
  legacyGpos: [legacyGpo],
  computers: [
    { name: 'PLT-WS01', build: 22631, windows: true },
    { name: 'SRV16-01', build: 14393, windows: true },
    { name: 'OLD-01', build: 9600, windows: true },
    { name: 'LNX01', build: undefined, windows: false },
  ],
  sysvolRead: true,
  ...over,
});
const codes = (i: TransitionInput) => transitionFindings(i).map((f) => `${f.severity}:${f.code}`);

describe('transitionFindings', () => {
  it('side-by-side with different accounts (legacy built-in, Windows LAPS lapsadmin) is fine', () => {
    expect(codes(input({}))).toEqual([]);
  });

  it('side-by-side with the same account blocks, naming the legacy GPO and the account (names compare case-insensitively)', () => {
    const f = transitionFindings(input({ legacyGpos: [{ ...legacyGpo, adminAccountName: 'LapsAdmin' }] }));
    expect(f).toMatchObject([{ code: 'CUTOVER_SIDE_BY_SIDE_SAME_ACCOUNT', severity: 'blocker', object: `${legacyGpo.name} ${legacyGpo.guid}` }]);
    expect(f[0]!.message).toContain('"LapsAdmin"');
    // both empty = both the built-in Administrator
    expect(codes(input({ administratorAccountName: '' }))).toEqual(['blocker:CUTOVER_SIDE_BY_SIDE_SAME_ACCOUNT']);
    // a disabled legacy policy manages nothing
    expect(codes(input({ administratorAccountName: '', legacyGpos: [{ ...legacyGpo, enabled: false }] }))).toEqual([]);
  });

  it('side-by-side without SYSVOL is a warning (unknown), not a silent pass', () => {
    expect(codes(input({ sysvolRead: false }))).toEqual(['warning:CUTOVER_SIDE_BY_SIDE_UNCHECKED']);
  });

  it('replace: an info lists the Windows computers without Windows LAPS (14393, below 17763) that keep the legacy CSE', () => {
    const f = transitionFindings(input({ transition: 'replace' }));
    expect(f).toMatchObject([{ code: 'CUTOVER_LEGACY_KEPT_FOR_UNSUPPORTED', severity: 'info' }]);
    expect(f[0]!.message).toContain('2 computer(s) on builds without Windows LAPS (14393, 9600)');
    expect(f[0]!.message).toContain('SRV16-01, OLD-01');
    expect(codes(input({ transition: 'replace', computers: [{ name: 'PLT-WS01', build: 22631, windows: true }] }))).toEqual([]);
  });
});
