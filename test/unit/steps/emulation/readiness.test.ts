import { describe, expect, it } from 'vitest';
import { classifyOs } from '../../../../src/laps/os-readiness.js';
import { assessReadiness } from '../../../../src/steps/emulation/readiness.js';
import { computer, DOMAIN, legacyOnly } from './fixtures.js';

const run = (computers: ReturnType<typeof computer>[], over: { legacySchema?: boolean; enabled?: boolean; sysvol?: boolean } = {}) =>
  assessReadiness({ domainDn: DOMAIN, legacySchema: over.legacySchema ?? true, computers, sysvol: over.sysvol ?? true, enabled: over.enabled ?? true });

describe('emulation readiness', () => {
  it('is ready only when every condition holds', () => {
    const r = run([computer('A', 'OU=Pilot')]);
    expect(r.computers[0]).toMatchObject({ verdict: 'ready', reasons: [], conditions: { schema: 'yes', self: 'yes', build: 'yes', legacyPolicy: 'yes', noWindowsPolicy: 'yes', notDc: 'yes' } });
    expect(r.grantContainers).toEqual([]);
    expect(r.findings.map((f) => f.code)).toEqual(['EMULATION_READY']);
  });

  it('each failed condition is its own verdict, finding and advice', () => {
    const r = run([
      computer('SELF', 'OU=Sales', { legacySelf: 'no' }),
      computer('OLD', 'OU=Servers', { os: classifyOs('Windows Server 2016 Standard', '10.0 (14393)') }),
      computer('WIN', 'OU=Pilot', { policy: { ...legacyOnly, windowsPolicy: 'yes' } }),
      computer('PIN', 'OU=Pilot', { policy: { ...legacyOnly, windowsPolicy: 'no', windowsDisabled: true } }),
      computer('OFF', 'OU=Other', { policy: { ...legacyOnly, legacyEnabled: 'no' } }),
      computer('DC1', 'OU=Domain Controllers', { dc: true }),
      computer('LNX', 'OU=Servers', { os: classifyOs('Ubuntu', '22.04') }),
      computer('UNK', 'OU=Other', { policy: { ...legacyOnly, legacyEnabled: 'unknown', windowsPolicy: 'unknown', unknown: ['GPO X: settings unknown without --sysvol'] } }),
    ]);
    const v = Object.fromEntries(r.computers.map((c) => [c.name, c.verdict]));
    expect(v).toEqual({ SELF: 'needs-self', OLD: 'stays-legacy', WIN: 'windows-laps', PIN: 'pinned-off', OFF: 'no-legacy-policy', DC1: 'domain-controller', LNX: 'not-windows', UNK: 'unknown' });
    const codes = r.findings.map((f) => f.code).sort();
    expect(codes).toEqual(['EMULATION_DOMAIN_CONTROLLER', 'EMULATION_NOT_WINDOWS', 'EMULATION_NO_LEGACY_POLICY', 'EMULATION_PINNED_OFF', 'EMULATION_READINESS_UNKNOWN', 'EMULATION_READY', 'EMULATION_SELF_MISSING', 'EMULATION_UNSUPPORTED_BUILD', 'EMULATION_WINDOWS_POLICY']);
    const self = r.findings.find((f) => f.code === 'EMULATION_SELF_MISSING')!;
    expect(self).toMatchObject({ severity: 'warning', object: `OU=Sales,${DOMAIN}`, count: 1 });
    expect(self.evidence).toContain('10065');
    expect(self.advice).toContain('emulation --apply');
    expect(r.grantContainers).toEqual([`OU=Sales,${DOMAIN}`]);
    expect(r.computers.find((c) => c.name === 'UNK')!.reasons.join(' ')).toContain('settings unknown without --sysvol');
  });

  it('a missing legacy schema is a blocker before the SELF permission', () => {
    const r = run([computer('A', 'OU=Pilot', { legacySelf: 'no' })], { legacySchema: false });
    expect(r.computers[0]!.verdict).toBe('no-schema');
    expect(r.findings.find((f) => f.code === 'EMULATION_LEGACY_SCHEMA_MISSING')?.severity).toBe('blocker');
    expect(r.grantContainers).toEqual([]);
  });

  it('never re-grants the legacy right on an OU whose computers are all on Windows LAPS', () => {
    const r = run([computer('W1', 'OU=Done', { legacySelf: 'no', legacyManaged: false, windowsManaged: true }), computer('W2', 'OU=Done', { legacySelf: 'no', legacyManaged: false, windowsManaged: true })]);
    expect(r.grantContainers).toEqual([]);
    expect(r.windowsOnlyContainers).toEqual([`OU=Done,${DOMAIN}`]);
    // one legacy computer left there: it gets the grant
    const mixed = run([computer('W1', 'OU=Done', { legacySelf: 'no', legacyManaged: false, windowsManaged: true }), computer('L1', 'OU=Done', { legacySelf: 'no' })]);
    expect(mixed.grantContainers).toEqual([`OU=Done,${DOMAIN}`]);
  });

  it('with emulation not wanted it grants nothing and warns where emulation would start by itself', () => {
    const r = run([computer('A', 'OU=Pilot'), computer('B', 'OU=Sales', { legacySelf: 'no' })], { enabled: false });
    expect(r.grantContainers).toEqual([]);
    const f = r.findings.find((x) => x.code === 'EMULATION_WOULD_START')!;
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('2 computer(s)');
    expect(r.findings.some((x) => x.code === 'EMULATION_READY')).toBe(false);
  });

  it('without SYSVOL says which conclusions need it', () => {
    const r = run([computer('A', 'OU=Pilot')], { sysvol: false });
    expect(r.findings.find((f) => f.code === 'EMULATION_NO_SYSVOL')?.advice).toContain('--sysvol');
  });

  it('rolls up per OU with counts per verdict', () => {
    const r = run([computer('A', 'OU=Pilot'), computer('B', 'OU=Pilot', { legacySelf: 'no' }), computer('C', 'OU=Web,OU=Servers')]);
    const pilot = r.ous.find((o) => o.path === 'Pilot')!;
    expect(pilot).toMatchObject({ computers: 2, grant: true });
    expect(pilot.counts.ready).toBe(1);
    expect(pilot.counts['needs-self']).toBe(1);
    expect(r.ous.map((o) => o.path)).toEqual(['Pilot', 'Servers/Web']);
    expect(r.totals.ready).toBe(2);
  });
});
