/**
 * Step 4 against the real Samba DC and the simulated devices of the migration-rehearsal scenario:
 * readiness matches what the devices then do, device by device; --apply grants the legacy SELF
 * permission so that the refused OU rotates on the next cycle; after the CSE removal the monitor
 * shows devices rotating under emulation; a device whose expiry passed is stuck only if it really
 * stopped rotating; rollback restores the DACL byte for byte. This file stops the shared lab,
 * builds its own on the same address, and starts the shared one again.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import type { LabManifest } from '../../src/lab/manifest.js';
import { dateToFiletime } from '../../src/dtyp/filetime.js';
import { useRehearsalLab } from './rehearsal-lab.js';
import { cli, testRoot, type CliResult } from './lab-env.js';

const rehearsal = useRehearsalLab({ folder: 'emulation-lab', seed: 11, profileName: 'emulation' });
const dir = rehearsal.dir;
let m: LabManifest;
let admin: LdapDirectory;
beforeAll(() => {
  m = rehearsal.manifest();
  admin = rehearsal.admin();
});
const state = () => join(testRoot(), 'emulation-state');
const out = () => join(testRoot(), 'emulation-reports');

function ou(path: string): string {
  return `${path.split('/').reverse().map((p) => `OU=${p}`).join(',')},${m.baseDn}`;
}

function emulation(...args: string[]): CliResult {
  return cli(['--state-dir', state(), 'emulation', '--profile', 'emulation', '--out', out(), ...args]);
}

function emulationJson(...args: string[]): { code: number; json: Json; stderr: string } {
  const r = emulation('--json', ...args);
  return { code: r.code, json: r.stdout ? (JSON.parse(r.stdout) as Json) : ({} as Json), stderr: r.stderr };
}

interface Json {
  findings: Array<{ code: string; object: string; evidence?: string; message: string }>;
  report: string;
  artifacts: string[];
  plan: { changes: Array<{ id: string; dn: string }> };
  result?: { runId: string; counts: { applied: number } };
  data: {
    summary: { verdicts: Record<string, number> };
    ous: Array<{ path: string; computers: number; counts: Record<string, number>; grant: boolean }>;
    gpos: Array<{ name: string; legacy: string; windows: string }>;
    monitor: { active: boolean; start: { source: string } | null; rows: Array<{ name: string; status: string; rotatedSinceStart: boolean | null }> };
  };
}

interface Device {
  name: string;
  dn: string;
  mode: string;
  build: number | null;
  cseInstalled: boolean;
  lastEvent: { id: number } | null;
}

function devices(ouPath?: string): Device[] {
  const r = cli(['lab', 'devices', '--dir', dir(), '--json', ...(ouPath ? ['--ou', ou(ouPath)] : [])]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Device[];
}

function sim(...args: string[]): void {
  const r = cli(['lab', 'simulate', '--dir', dir(), ...args]);
  expect(r.code, r.stderr).toBe(0);
}

/** Computer name -> readiness verdict, from the report's per-computer CSV. */
function verdicts(reportDir: string): Map<string, string> {
  const lines = readFileSync(join(reportDir, 'readiness-computers.csv'), 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter(Boolean);
  expect(lines[0]!.startsWith('Computer,OU,Readiness')).toBe(true);
  return new Map(lines.slice(1).map((l) => l.split(',').slice(0, 3)).map(([name, , verdict]) => [name!, verdict!]));
}

async function dacl(dn: string): Promise<Buffer> {
  const e = await admin.read(dn, ['nTSecurityDescriptor'], { binaryAttributes: ['nTSecurityDescriptor'], sdFlags: 4 });
  return e!.attributes['ntsecuritydescriptor']![0] as Buffer;
}

let applyRun = '';
let daclBefore: Buffer;
let readinessReport = '';


describe('emulation on the migration-rehearsal scenario', () => {
  it('refuses bad input with exit 2 and a message naming the flag', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--since', '2026-02-30'], /--since/],
      [['--grace-days', '1e3'], /--grace-days/],
      [['--monitor', '--apply'], /--monitor is read-only/],
      [['--monitor'], /--monitor needs a start/],
      [['--sysvol', join(testRoot(), 'no-such-sysvol')], /--sysvol .*not a folder/],
      [['--ou', 'OU=Nope,DC=lab,DC=example,DC=test'], /--ou .* does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = emulation(...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/unexpected|at .*\.js:\d+/);
    }
  });

  it('without SYSVOL it runs from LDAP alone and says which conclusions need SYSVOL', () => {
    const r = cli(['--state-dir', state(), 'emulation', '--server', m.urls.ldaps, '--ca-file', m.caFile, '--user', m.accounts.admin!.userPrincipalName, '--password-file', m.accounts.admin!.passwordFile, '--out', out(), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Json;
    expect(j.findings.map((f) => f.code)).toContain('EMULATION_NO_SYSVOL');
    expect(j.data.summary.verdicts.ready).toBe(0);
    expect(j.data.summary.verdicts.unknown).toBeGreaterThan(100);
    expect(j.data.gpos.find((g) => g.name === 'LAPS Legacy - Workstations')?.legacy).toBe('unknown');
  });

  it('readiness per OU, GPO settings from SYSVOL, the planned grant and the artifacts', () => {
    const { code, json: j, stderr } = emulationJson();
    expect(code, stderr).toBe(0);
    readinessReport = j.report;
    const grid = Object.fromEntries(j.data.ous.map((o) => [o.path, o]));
    expect(grid['Workstations/Sales']!.counts['needs-self']).toBe(grid['Workstations/Sales']!.computers);
    expect(grid['Workstations/Pilot']!.counts.ready).toBe(grid['Workstations/Pilot']!.computers);
    expect(grid['Workstations/Finance']!.counts.ready).toBe(grid['Workstations/Finance']!.computers);
    expect(grid['Servers']!.counts['stays-legacy']).toBe(10);
    expect(grid['Servers']!.counts['not-windows']).toBe(3);
    expect(j.data.gpos.find((g) => g.name === 'LAPS Legacy - Servers')?.legacy).toContain('AdmPwdEnabled=1; age 14 d');
    const self = j.findings.filter((f) => f.code === 'EMULATION_SELF_MISSING').map((f) => f.object);
    expect(self).toContain(ou('Workstations/Sales'));
    expect(j.findings.some((f) => f.code === 'EMULATION_UNSUPPORTED_BUILD' && f.object === ou('Servers'))).toBe(true);
    // one grant on Workstations covers Sales too (its DACL inherits)
    expect(j.plan.changes.map((c) => c.dn)).toEqual([ou('Workstations')]);
    expect(j.artifacts).toEqual(['README.md', 'Remove-LegacyLapsCse.ps1', 'Set-LapsEmulationPin.ps1', 'LapsEmulationPin-Set.Registry.pol', 'LapsEmulationPin-Clear.Registry.pol']);
    for (const f of j.artifacts) expect(statSync(join(j.report, 'artifacts', f)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(j.report, 'artifacts', 'README.md'), 'utf8')).toContain('Workstations/Sales');
    expect(readFileSync(join(j.report, 'report.html'), 'utf8')).toContain('Readiness per OU');
  });

  it('readiness matches what the devices then do, device by device', () => {
    const v = verdicts(readinessReport);
    sim('--force-rotate');
    let checked = 0;
    for (const d of devices()) {
      const verdict = v.get(d.name);
      expect(verdict, d.name).toBeDefined();
      const expected = verdict === 'ready' ? (d.cseInstalled ? 'legacy-cse' : 'emulation') : verdict === 'needs-self' ? 'refused' : verdict === 'stays-legacy' ? 'legacy-cse' : 'unmanaged';
      expect(`${d.name}: ${d.mode}`).toBe(`${d.name}: ${expected}`);
      checked++;
    }
    expect(checked).toBeGreaterThan(190);
  });

  it('--apply grants the legacy SELF permission through the journal; a rerun writes nothing', async () => {
    daclBefore = await dacl(ou('Workstations'));
    const { code, json: j, stderr } = emulationJson('--apply', '--yes');
    expect(code, stderr).toBe(0);
    expect(j.result!.counts.applied).toBe(1);
    applyRun = j.result!.runId;
    expect((await dacl(ou('Workstations'))).equals(daclBefore)).toBe(false);
    const granted = await dacl(ou('Workstations'));
    const again = emulation('--apply', '--yes');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Nothing to change');
    expect((await dacl(ou('Workstations'))).equals(granted)).toBe(true);
  });

  it('the OU without legacy SELF is ready now, and its devices rotate on the next cycle', () => {
    const { json: j } = emulationJson();
    const sales = j.data.ous.find((o) => o.path === 'Workstations/Sales')!;
    expect(sales.counts.ready).toBe(sales.computers);
    sim('--ou', ou('Workstations/Sales'));
    const after = devices('Workstations/Sales');
    expect(after.every((d) => d.mode === 'emulation' && d.lastEvent?.id !== 10065)).toBe(true);
  });

  it('after --uninstall-cse the monitor (started by the journaled apply) shows Finance rotating under emulation', () => {
    expect(cli(['lab', 'devices', '--dir', dir(), '--ou', ou('Workstations/Finance'), '--uninstall-cse']).code).toBe(0);
    sim('--ou', ou('Workstations/Finance'), '--force-rotate');
    const finance = devices('Workstations/Finance');
    expect(finance.every((d) => d.mode === 'emulation' && !d.cseInstalled)).toBe(true);
    const { code, json: j, stderr } = emulationJson('--monitor', '--grace-days', '0');
    expect(code, stderr).toBe(0);
    expect(j.data.monitor.start?.source).toBe('journal');
    const rows = new Map(j.data.monitor.rows.map((r) => [r.name, r]));
    for (const d of finance) expect(rows.get(d.name)).toMatchObject({ status: 'rotating', rotatedSinceStart: true });
    for (const d of devices('Workstations/Sales')) expect(rows.get(d.name)?.status).toBe('rotating');
  });

  it('a device whose CSE stays installed and whose expiry passed is stuck only if it really stopped rotating', async () => {
    const web = devices('Servers/Web').filter((d) => d.cseInstalled);
    expect(web.length).toBeGreaterThanOrEqual(2);
    const [rotates, stops] = [web[0]!, web[1]!];
    const past = dateToFiletime(new Date(Date.now() - 2 * 86_400_000)).toString();
    for (const d of [rotates, stops]) await admin.modify(d.dn, [{ operation: 'replace', attribute: 'ms-Mcs-AdmPwdExpirationTime', values: [past] }]);
    sim('--device', rotates.name);
    const { json: j } = emulationJson('--monitor', '--grace-days', '0');
    const rows = new Map(j.data.monitor.rows.map((r) => [r.name, r]));
    expect(rows.get(rotates.name)?.status).toBe('rotating');
    expect(rows.get(stops.name)?.status).toBe('stuck');
    const stuck = j.findings.filter((f) => f.code === 'EMULATION_STUCK');
    expect(stuck.map((f) => f.object)).toEqual([ou('Servers/Web')]);
    expect(stuck[0]!.evidence).toContain(stops.name);
    expect(stuck[0]!.evidence).not.toContain(`${rotates.name} (`);
    expect(j.data.monitor.rows.filter((r) => r.status === 'stuck').map((r) => r.name)).toEqual([stops.name]);
  });

  it('rollback restores the DACL byte for byte', async () => {
    const r = cli(['--state-dir', state(), 'rollback', applyRun, '--profile', 'emulation', '--apply', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect((await dacl(ou('Workstations'))).equals(daclBefore)).toBe(true);
    const { json: j } = emulationJson();
    expect(j.plan.changes.map((c) => c.dn)).toEqual([ou('Workstations')]);
    expect(existsSync(join(state(), 'journal'))).toBe(true);
  });
});
