import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parsePlaybook } from '../../../src/playbook/load.js';
import { selectSteps } from '../../../src/playbook/select.js';
import { goNoGo, runReportModel, type RunDocument, type StepOutcome } from '../../../src/playbook/run-report.js';
import { writeReport } from '../../../src/report/write-report.js';

const pb = parsePlaybook('version: 1\nsteps: [inventory, schema, permissions]\n', 'p.yaml');
const full = parsePlaybook("version: 1\nsteps: [inventory, schema, permissions, emulation, cutover]\nwaves: [{ name: a, ous: ['OU=A'], gpo: G }]\n", 'full.yaml');
const withCleanup = parsePlaybook("version: 1\nsteps: [inventory, schema, permissions, emulation, cutover, cleanup]\nwaves: [{ name: a, ous: ['OU=A'], gpo: G }]\n", 'cleanup.yaml');

describe('step selection', () => {
  it('runs every step, one (--step) or from one on (--from)', () => {
    expect(selectSteps(pb, {}).run.map((s) => s.name)).toEqual(['inventory', 'schema', 'permissions']);
    expect(selectSteps(pb, { step: 'schema' }).run.map((s) => s.name)).toEqual(['schema']);
    const from = selectSteps(pb, { from: 'schema' });
    expect(from.run.map((s) => s.name)).toEqual(['schema', 'permissions']);
    expect(from.skipped.map((s) => s.name)).toEqual(['inventory']);
  });

  it('refuses a step outside the playbook and --step with --from', () => {
    expect(() => selectSteps(pb, { step: 'cleanup' })).toThrow(/--step cleanup: not one of this playbook's steps \(inventory, schema, permissions\)/);
    expect(() => selectSteps(pb, { step: 'schema', from: 'schema' })).toThrow(InputError);
  });

  it('every step is built: a whole playbook runs, --from cleanup runs cleanup alone', () => {
    expect(selectSteps(withCleanup, {}).run.map((s) => s.name)).toEqual(['inventory', 'schema', 'permissions', 'emulation', 'cutover', 'cleanup']);
    expect(selectSteps(withCleanup, { from: 'cleanup' }).run.map((s) => s.name)).toEqual(['cleanup']);
    expect(selectSteps(full, { from: 'cutover' }).run.map((s) => s.name)).toEqual(['cutover']);
    expect(selectSteps(full, { step: 'permissions' }).run.map((s) => s.name)).toEqual(['permissions']);
  });
});

describe('run report', () => {
  const target = { server: 'ldaps://dc', domain: 'lab.test', baseDn: 'DC=lab,DC=test', boundAs: 'CN=a' };
  const outcomes: StepOutcome[] = [
    { step: 'inventory', title: 'Inventory', verdict: 'ready', exitCode: 0, reportDir: '/r/20261203T100000Z-inventory', headline: [{ label: 'Computers', value: 1204 }], findings: [] },
    { step: 'schema', title: 'Schema', verdict: 'blockers', exitCode: 3, reportDir: '/r/20261203T100001Z-schema', headline: [], findings: [{ code: 'DFL_BELOW_2016', severity: 'blocker', object: 'domain', message: 'low', advice: 'raise' }] },
    { step: 'permissions', title: 'Permissions', verdict: 'not run', headline: [], findings: [], message: 'the run stopped at schema' },
  ];
  const doc: RunDocument = { playbook: 'p.yaml', apply: true, startedAt: '2026-12-03T10:00:00Z', finishedAt: '2026-12-03T10:00:02Z', exitCode: 3, resumeFrom: 'schema', resumeHint: 'Stopped at schema: fix it', steps: [] };

  it('is no-go when a step has blockers, go when every step that ran is ready', () => {
    expect(goNoGo(outcomes)).toBe('no-go');
    expect(goNoGo([outcomes[0]!, outcomes[2]!])).toBe('go');
  });

  it('writes one row per step with a link to its report folder, like every other report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'lm-runrep-'));
    const w = await writeReport(runReportModel(doc, outcomes, target), { outDir: out, now: new Date('2026-12-03T10:00:03Z') });
    expect(w.dir).toMatch(/20261203T100003Z-run$/);
    const html = readFileSync(join(w.dir, 'report.html'), 'utf8');
    expect(html).toContain('<a href="../20261203T100000Z-inventory/report.html">20261203T100000Z-inventory</a>');
    expect(html).toContain('<a href="../20261203T100001Z-schema/report.html">');
    expect(html).toContain('Computers: 1,<wbr>204');
    expect(html).toContain('Stopped at schema: fix it');
    const md = readFileSync(join(w.dir, 'summary.md'), 'utf8');
    expect(md).toContain('| [20261203T100000Z-inventory](../20261203T100000Z-inventory/report.html) |');
    const run = JSON.parse(readFileSync(join(w.dir, 'run.json'), 'utf8')) as { step: string; details: RunDocument; files: string[] };
    expect(run.step).toBe('run');
    expect(run.details.resumeFrom).toBe('schema');
    expect(run.files.filter((f) => f === 'run.json')).toHaveLength(1);
    expect(readFileSync(join(w.dir, 'steps.csv'), 'utf8')).toMatch(/not run: the run stopped at schema/);
  });
});
