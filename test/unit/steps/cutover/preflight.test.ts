/** Preflight of a cutover wave on plain facts: every blocker, the central-store warning, a clean wave. */
import { describe, expect, it } from 'vitest';
import { policyOptions } from '../../../../src/steps/cutover/options.js';
import { modernOnlySettings, wavePreflight, type WavePreflightInput } from '../../../../src/steps/cutover/preflight.js';

const policy = policyOptions.parse({ encryption: { enabled: true, principal: 'LAB\\LAPS Admins' }, historySize: 2 });

function ready(over: Partial<WavePreflightInput> = {}): WavePreflightInput {
  return {
    wave: { name: 'pilot', index: 0, gpo: 'Windows LAPS - Pilot' },
    policy,
    windowsLapsSchema: true,
    self: [{ ou: 'OU=Pilot,OU=Workstations,DC=lab', write: true, propertySetRead: true }],
    domainFunctionalLevel: 7,
    kds: { state: 'usable', usableFrom: '2026-01-01T00:00:00.000Z' },
    principal: { name: 'LAB\\LAPS Admins', sids: ['S-1-5-21-1-2-3-1105'] },
    builds: [22631, 26100, 19045],
    gpoExists: true,
    otherLapsGpos: [],
    centralStore: { exists: true, hasLapsAdmx: true },
    ...over,
  };
}
const codes = (i: WavePreflightInput) => wavePreflight(i).findings.map((f) => f.code);

describe('wavePreflight', () => {
  it('a ready wave has no finding', () => {
    expect(wavePreflight(ready())).toEqual({ findings: [], blocked: false });
  });

  it('the lab before steps 2 and 3: schema and SELF block the pilot', () => {
    const r = wavePreflight(ready({ windowsLapsSchema: false, self: [{ ou: 'OU=Pilot,DC=lab', write: false, propertySetRead: false }] }));
    expect(r.blocked).toBe(true);
    expect(r.findings.map((f) => f.code)).toEqual(['CUTOVER_SCHEMA_MISSING', 'CUTOVER_SELF_MISSING']);
    expect(r.findings.every((f) => f.advice.length > 0 && f.message.startsWith('wave pilot: '))).toBe(true);
  });

  it('history needs the SELF read of the property set; without history it is not asked', () => {
    const self = [{ ou: 'OU=Pilot,DC=lab', write: true, propertySetRead: false }];
    expect(codes(ready({ self }))).toEqual(['CUTOVER_SELF_READ_MISSING']);
    expect(codes(ready({ self, policy: policyOptions.parse({ historySize: 0 }), principal: undefined }))).toEqual([]);
  });

  it('encryption: DFL 2016, a usable KDS key, one SID for the principal', () => {
    expect(codes(ready({ domainFunctionalLevel: 4 }))).toEqual(['CUTOVER_DFL_TOO_LOW']);
    expect(codes(ready({ kds: { state: 'missing', usableFrom: null } }))).toEqual(['CUTOVER_KDS_MISSING']);
    const later = wavePreflight(ready({ kds: { state: 'not-yet-effective', usableFrom: '2026-12-04T00:00:00.000Z' } }));
    expect(later.findings[0]).toMatchObject({ code: 'CUTOVER_KDS_NOT_YET_USABLE', severity: 'blocker' });
    expect(later.findings[0]!.message).toContain('2026-12-04T00:00:00.000Z');
    expect(codes(ready({ kds: { state: 'unreadable', usableFrom: null } }))).toEqual(['CUTOVER_KDS_UNKNOWN']);
    expect(codes(ready({ principal: { name: 'Nobody', sids: [] } }))).toEqual(['CUTOVER_PRINCIPAL_UNRESOLVED']);
    const amb = wavePreflight(ready({ principal: { name: 'LAPS Admins', sids: ['S-1-5-21-1-2-3-1105', 'S-1-5-21-9-9-9-1105'] } }));
    expect(amb.findings[0]).toMatchObject({ code: 'CUTOVER_PRINCIPAL_AMBIGUOUS', evidence: 'S-1-5-21-1-2-3-1105 S-1-5-21-9-9-9-1105' });
  });

  it('no encryption: DFL, KDS and principal are not asked', () => {
    const clear = policyOptions.parse({ encryption: { enabled: false } });
    expect(codes(ready({ policy: clear, domainFunctionalLevel: 4, kds: { state: 'missing', usableFrom: null }, principal: undefined }))).toEqual([]);
  });

  it('settings that need 26100+ block a wave with older builds', () => {
    const modern = policyOptions.parse({ passwordComplexity: 6, passphraseLength: 5, postAuthentication: { actions: 11 } });
    expect(modernOnlySettings(modern)).toEqual(['passwordComplexity=6', 'passphraseLength=5', 'postAuthentication.actions=11']);
    const r = wavePreflight(ready({ policy: modern, principal: undefined }));
    expect(r.findings.map((f) => f.code)).toEqual(['CUTOVER_SETTING_NEEDS_26100']);
    expect(r.findings[0]!.message).toContain('2 of 3 computers');
    expect(codes(ready({ policy: modern, principal: undefined, builds: [26100, 26200] }))).toEqual([]);
  });

  it('the GPO must exist; another Windows LAPS GPO with other settings blocks, one with the same does not', () => {
    expect(codes(ready({ gpoExists: false }))).toEqual(['CUTOVER_GPO_MISSING']);
    const other = { name: 'Old LAPS', guid: '{1}', computers: 4, linkedAt: ['OU=Workstations,DC=lab'] };
    const conflict = wavePreflight(ready({ otherLapsGpos: [{ ...other, differs: ['PasswordLength=20 (playbook: 14)'] }] }));
    expect(conflict.findings.map((f) => f.code)).toEqual(['CUTOVER_CONFLICTING_GPO']);
    // names the GPO, where it is linked and the differing value
    expect(conflict.findings[0]!.message).toMatch(/"Old LAPS", linked on OU=Workstations,DC=lab.*PasswordLength=20 \(playbook: 14\)/);
    expect(conflict.blocked).toBe(true);
    const same = wavePreflight(ready({ otherLapsGpos: [{ ...other, differs: [] }] }));
    expect(same).toMatchObject({ blocked: false, findings: [{ code: 'CUTOVER_OTHER_GPO_SAME', severity: 'info' }] });
    const unread = wavePreflight(ready({ unreadGpos: ['Old LAPS {1}: no SYSVOL given'] }));
    expect(unread).toMatchObject({ blocked: false, findings: [{ code: 'CUTOVER_GPO_REACH_UNKNOWN', severity: 'warning' }] });
  });

  it("the previous wave's gate must be met", () => {
    const r = wavePreflight(ready({ previous: { name: 'pilot', met: false, unmet: ['3 of 10 verified (30%), the gate needs 95%'] } }));
    expect(r.findings[0]).toMatchObject({ code: 'CUTOVER_PREVIOUS_GATE', evidence: '3 of 10 verified (30%), the gate needs 95%' });
    expect(codes(ready({ previous: { name: 'pilot', met: true, unmet: [] } }))).toEqual([]);
  });

  it('a central store without LAPS.admx is a warning only', () => {
    const r = wavePreflight(ready({ centralStore: { exists: true, hasLapsAdmx: false } }));
    expect(r).toMatchObject({ blocked: false, findings: [{ code: 'CUTOVER_CENTRAL_STORE_NO_ADMX', severity: 'warning' }] });
    expect(codes(ready({ centralStore: { exists: false, hasLapsAdmx: false } }))).toEqual([]);
  });
});
