/** The cutover report: per-OU state bars per wave, failure reasons, left behind, drift (issue 17). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newRootKey } from '../../../../src/dpapi-ng/new-root-key.js';
import { encryptLapsValue } from '../../../../src/laps/encrypt-laps-value.js';
import type { StepResult } from '../../../../src/model/step-result.js';
import { writeReport } from '../../../../src/report/index.js';
import type { ChartSpec } from '../../../../src/report/model.js';
import { cutoverReportModel } from '../../../../src/steps/cutover/report.js';
import { verdictFindings, waveJson, type CutoverData, type WaveStatus } from '../../../../src/steps/cutover/text.js';
import { countStates, evaluateGate, verifyComputer, type WaveComputer, type WaveExpectation } from '../../../../src/steps/cutover/verify.js';
import { useTmpDir } from '../../report/tmp-dir.js';

const BASE = 'DC=lab,DC=test';
const NEW = 'S-1-5-21-1-2-3-1105';
const OLD = 'S-1-5-21-1-2-3-512';
const rootKey = newRootKey({});
const start = new Date('2026-11-01T10:00:00Z');
const at = (min: number) => new Date(start.getTime() + min * 60_000);
const SECRET = 'Never-In-A-Report-7!';
const blob = (sid: string) => encryptLapsValue({ accountName: 'Administrator', password: SECRET }, { rootKey, sid, time: at(5) });
const x: WaveExpectation = { startedAt: start, encryption: true, principalSid: NEW, historySize: 2, accountName: '', graceDays: 7, now: at(120) };

function pc(name: string, ou: string, over: Partial<WaveComputer> = {}): WaveComputer {
  return { dn: `CN=${name},${ou},${BASE}`, name, build: 22631, windows: true, enabled: true, stale: false, writes: {}, clearPresent: false, history: [], ...over };
}

function wave(name: string, ous: string[], computers: WaveComputer[], startedAt: Date | undefined): WaveStatus {
  const verdicts = computers.map((c) => verifyComputer(c, { ...x, startedAt }));
  const counts = countStates(verdicts);
  const gates = { minVerifiedPercent: 95, maxFailures: 0, soakDays: 0 };
  const resolved = { index: 0, name, ous: ous.map((o) => `${o},${BASE}`), gpo: `Windows LAPS - ${name}`, gates };
  const gpo = { dn: `CN={${name}},CN=Policies,CN=System,${BASE}`, guid: `{${name}}`, displayName: resolved.gpo, versionNumber: '1', machineExtensionNames: undefined, userExtensionNames: undefined, fileSysPath: undefined, flags: 0, whenChanged: undefined };
  return { wave: resolved, gpo: { wave: resolved, gpo, links: [], ...(startedAt ? { startedAt } : {}) }, counts, gate: evaluateGate(counts, gates, startedAt, x.now), verdicts };
}

const pilotOu = 'OU=Pilot,OU=Workstations';
const salesOu = 'OU=Sales,OU=Workstations';
const statuses = [
  wave('pilot', [pilotOu], [
    pc('PC01', pilotOu, { writes: { encrypted: at(10) }, encrypted: blob(NEW), decrypted: { ok: true, accountName: 'Administrator' } }),
    pc('PC02', pilotOu, { writes: { encrypted: at(10) }, encrypted: blob(NEW), history: [blob(OLD)], decrypted: { ok: true, accountName: 'Administrator' } }),
    pc('PC03', pilotOu, { obstacles: ['the computer may not write its Windows LAPS attributes (SELF lacks WP msLAPS-EncryptedPassword): event 10017'] }),
    pc('PC04', pilotOu, { build: 14393 }),
  ], start),
  wave('broad', [salesOu], [pc('PC10', salesOu), pc('PC11', salesOu, { windows: false, build: undefined })], undefined),
];

function result(): StepResult<CutoverData> {
  return {
    step: 'cutover', schemaVersion: 1, tool: { name: 'laps-migrate', version: 'test' }, generatedAt: x.now.toISOString(),
    target: { server: 'ldaps://dc.lab.test', domain: 'lab.test', baseDn: BASE, boundAs: 'CN=Administrator' },
    findings: [], data: { waves: statuses.map(waveJson), next: { wave: 'broad', action: 'waiting', why: [] }, principalSid: NEW },
  };
}

describe('cutover report', () => {
  const tmp = useTmpDir();
  const model = cutoverReportModel(result(), statuses);
  const rows = (id: string) => [...(model.tables.find((t) => t.id === id)!.rows as Iterable<Record<string, unknown>>)];

  it('one stacked bar chart of states per OU for each wave (plus the waves side by side)', () => {
    const charts = model.charts as Array<Extract<ChartSpec, { kind: 'stacked-bar' }>>;
    expect(charts.map((c) => c.id)).toEqual(['wave-states', 'wave-pilot', 'wave-broad']);
    expect(charts[1]!.series.map((s) => s.label)).toEqual(['Verified', 'Pending', 'Failed', 'Stuck', 'Left behind']);
    expect(charts[1]!.bars).toEqual([{ label: 'Workstations/Pilot', values: [2, 0, 1, 0, 1] }]);
    expect(charts[2]!.title).toMatch(/not started/);
  });

  it('the failure reasons table (reason, count, examples), left behind apart, drift by SID', () => {
    expect(rows('failures')).toEqual([{ wave: 'pilot', state: 'Failed', reason: expect.stringMatching(/SELF lacks/), count: 1, examples: 'PC03' }]);
    expect(rows('left-behind').map((r) => [r.wave, r.count, r.examples])).toEqual([['pilot', 1, 'PC04'], ['broad', 1, 'PC11']]);
    expect(rows('drift-rollup')).toEqual([{ wave: 'pilot', kind: 'History encrypted to another principal', detail: `Domain Admins (${OLD})`, expected: NEW, count: 1, examples: 'PC02' }]);
    expect(rows('computers')[0]).toMatchObject({ computer: 'PC03', state: 'failed', ou: 'Workstations/Pilot' });
    expect(rows('computers').find((r) => r.computer === 'PC01')!.payload).toBe('ok');
    expect(model.headline.map((h) => h.label)).toEqual(['Wave pilot', 'Wave broad', 'Payloads decrypted', 'Drift']);
    expect(model.headline[0]).toMatchObject({ value: '2 / 3 verified', tone: 'bad' });
  });

  it('findings for failed computers (warning, with the top reasons) and principal drift (info, SIDs labelled)', () => {
    const f = verdictFindings('pilot', statuses[0]!.verdicts);
    expect(f.map((x) => [x.code, x.severity])).toEqual([['CUTOVER_COMPUTERS_FAILED', 'warning'], ['CUTOVER_PRINCIPAL_DRIFT', 'info']]);
    expect(f[0]!.evidence).toMatch(/^1 computer: the computer may not write .*SELF lacks/);
    expect(f[1]!.evidence).toBe(`encrypted to Domain Admins (${OLD})`);
    expect(verdictFindings('broad', statuses[1]!.verdicts)).toEqual([]);
  });

  it('writes report.html, computers.csv, drift.csv and failure-reasons.csv; no password in any file', async () => {
    const written = await writeReport(model, { outDir: tmp(), now: x.now });
    const names = written.files.map((f) => f.slice(written.dir.length + 1)).sort();
    expect(names).toEqual(expect.arrayContaining(['computers.csv', 'drift.csv', 'failure-reasons.csv', 'report.html', 'summary.md', 'cutover.json']));
    for (const f of written.files) expect(readFileSync(f, 'utf8').includes(SECRET), f).toBe(false);
    expect(readFileSync(join(written.dir, 'report.html'), 'utf8')).toContain('Why computers failed or are stuck');
  });
});
