import { describe, expect, it } from 'vitest';
import { classifyOs } from '../../../../src/laps/os-readiness.js';
import { monitor, type MonitorComputer } from '../../../../src/steps/emulation/monitoring.js';

const NOW = new Date('2026-12-03T12:00:00Z');
const START = new Date('2026-11-20T00:00:00Z');
const day = (d: string) => new Date(`${d}T00:00:00Z`);

function c(name: string, over: Partial<MonitorComputer>): MonitorComputer {
  return { dn: `CN=${name},OU=A,DC=x`, name, container: 'OU=A,DC=x', containerPath: 'A', verdict: 'ready', legacySelf: 'yes', os: classifyOs('Windows 11', '10.0 (22631)'), ageDays: 30, ...over };
}

describe('emulation monitoring', () => {
  const computers = [
    // rotated after the start, expiry ahead: rotating
    c('ROT', { legacyWrite: { at: day('2026-11-25'), version: 4 }, legacyExpires: day('2026-12-25') }),
    // written before the start, expiry ahead: not due yet
    c('WAIT', { legacyWrite: { at: day('2026-11-10'), version: 2 }, legacyExpires: day('2026-12-10') }),
    // expired long ago and never rotated since: stuck (refused for lack of SELF)
    c('STUCK', { legacySelf: 'no', verdict: 'needs-self', legacyWrite: { at: day('2026-09-01'), version: 1 }, legacyExpires: day('2026-10-01'), lastLogon: day('2026-12-01') }),
    // expired yesterday: within the grace
    c('GRACE', { legacyWrite: { at: day('2026-11-01'), version: 3 }, legacyExpires: day('2026-12-02') }),
    // no expiry readable: policy age from the last write decides
    c('NOEXP', { legacyWrite: { at: day('2026-10-01'), version: 1 }, ageDays: 14, lastLogon: day('2026-09-01') }),
    // verdicts that do not write the legacy attribute are not monitored
    c('WIN', { verdict: 'windows-laps', legacyExpires: day('2026-01-01') }),
  ];

  it('classifies each computer from the write time, version and expiry', () => {
    const r = monitor({ now: NOW, start: { at: START, source: 'since' }, graceDays: 7, computers });
    const s = Object.fromEntries(r.rows.map((x) => [x.name, x.status]));
    expect(s).toEqual({ ROT: 'rotating', WAIT: 'waiting', STUCK: 'stuck', GRACE: 'waiting', NOEXP: 'stuck' });
    expect(r.counts).toMatchObject({ rotating: 1, waiting: 2, stuck: 2 });
    expect(r.rows.find((x) => x.name === 'ROT')).toMatchObject({ rotatedSinceStart: true, writes: 4 });
    expect(r.active).toBe(true);
  });

  it('EMULATION_STUCK names the likely causes', () => {
    const r = monitor({ now: NOW, start: { at: START, source: 'journal', runId: 'run-1' }, graceDays: 7, computers });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ code: 'EMULATION_STUCK', severity: 'warning', count: 2, object: 'OU=A,DC=x' });
    expect(f.advice).toContain('legacy SELF permission is missing');
    expect(f.advice).toContain('no logon since 2026-09-01');
    expect(f.advice).toContain('Get-WinEvent -LogName Microsoft-Windows-LAPS/Operational');
    expect(r.rows.find((x) => x.name === 'STUCK')!.causes.join(' ')).not.toContain('no logon');
  });

  it('a device that keeps rotating is never stuck, whatever its CSE', () => {
    const r = monitor({ now: NOW, start: { at: START, source: 'since' }, graceDays: 0, computers: [c('CSE', { legacyWrite: { at: day('2026-12-03'), version: 9 }, legacyExpires: day('2027-01-02') })] });
    expect(r.rows[0]!.status).toBe('rotating');
    expect(r.findings).toEqual([]);
  });

  it('without a start nothing is stuck: overdue is shown, no finding', () => {
    const r = monitor({ now: NOW, start: undefined, graceDays: 7, computers });
    expect(r.active).toBe(false);
    expect(r.findings).toEqual([]);
    expect(r.counts.overdue).toBe(2);
    expect(r.rows.every((x) => x.rotatedSinceStart === null)).toBe(true);
  });
});
