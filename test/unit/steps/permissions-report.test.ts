import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containerRow, permissionsReportModel } from '../../../src/steps/permissions-report.js';
import { writeReport } from '../../../src/report/index.js';
import { useTmpDir } from '../report/tmp-dir.js';
import { labFacts, runRecorded } from './replay-directory.js';

const { lab } = labFacts();

describe('permissions report', async () => {
  const before = await runRecorded('before-admin.json', true);
  const model = permissionsReportModel(before.result);
  const tmp = useTmpDir();

  it('has the OU x capability grid, the plan tables and every access route', () => {
    expect(model.step).toBe('permissions');
    expect(model.tables.map((t) => t.id)).toEqual(['grid', 'plan-self', 'plan-mirror', 'changes', 'access', 'computers', 'dirsync']);
    const grid = [...(model.tables[0]!.rows as Iterable<Record<string, unknown>>)];
    const fin = grid.find((r) => r.ou === 'Workstations/Finance')!;
    expect(fin.readLegacy).toBe('LAB\\LAPS Helpdesk (delegation at Workstations)');
    expect(fin.denied).toBe('LAB\\hd-bob');
    expect(fin.selfWindows).toBe('no');
    const web = grid.find((r) => r.ou === 'Servers/Web')!;
    expect(String(web.readWindowsClear)).toContain('LAB\\Web Operators (all-extended-rights');
    expect(grid.find((r) => r.ou === 'Workstations/Protected')!.protected).toBe('yes');
    const changes = [...(model.tables.find((t) => t.id === 'changes')!.rows as Iterable<Record<string, unknown>>)];
    expect(changes).toHaveLength(before.plan.changes.length);
    expect(model.headline.find((h) => h.label === 'Cannot write Windows LAPS')!.value).toBe(15);
  });

  it('leaves admins and operator groups out of the grid cells but not out of the access table', () => {
    const ws = before.result.data.containers.find((c) => c.path === 'Workstations')!;
    expect(String(containerRow(ws).readLegacy)).not.toContain('Domain Admins');
    expect(String(containerRow(ws).readLegacy)).not.toContain('Account Operators');
    expect(before.result.data.access.some((a) => a.container === 'Workstations' && a.principal === 'BUILTIN\\Account Operators' && a.route === 'full-control')).toBe(true);
  });

  it('writes the report files; nothing secret in them', async () => {
    const out = tmp();
    const written = await writeReport(model, { outDir: out, now: new Date('2025-06-01T00:00:00Z') });
    const files = readdirSync(written.dir).sort();
    expect(files).toEqual(expect.arrayContaining(['access.csv', 'changes.csv', 'computers.csv', 'ous.csv', 'permissions.json', 'plan-mirror.csv', 'plan-self.csv', 'report.html', 'summary.md']));
    const json = readFileSync(join(written.dir, 'permissions.json'), 'utf8');
    const parsed = JSON.parse(json) as { step: string; findings: Array<{ code: string }> };
    expect(parsed.step).toBe('permissions');
    expect(parsed.findings.map((f) => f.code)).toContain('SELF_WRITE_MISSING_WINDOWS_LAPS');
    // no attribute values, no descriptor bytes: the encrypted blob's DER prefix never appears
    const all = files.map((f) => readFileSync(join(written.dir, f), 'utf8')).join('\n');
    expect(all).not.toMatch(/MIIB|3082017C/i);
    expect(readFileSync(join(written.dir, 'summary.md'), 'utf8')).toContain('ALL_EXTENDED_RIGHTS');
    const computers = readFileSync(join(written.dir, 'computers.csv'), 'utf8');
    for (const c of lab.computers) expect(computers).toContain(c.name);
  });
});
