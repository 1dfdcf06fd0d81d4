/**
 * permissions --per-computer --parallel N against the lab DC: partitions read on several
 * connections at once give the same reports (CSVs byte for byte, the JSON but its timestamp) and
 * the same plan as one paged search. The runs include what follows the computers' order: owners
 * (--fix-owners plans one change per computer), predictions (--explain) and every finding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli, connectAs, lab, resetLab } from './lab-env.js';

const FILES = ['access.csv', 'changes.csv', 'computers.csv', 'dirsync.csv', 'ous.csv', 'plan-mirror.csv', 'plan-self.csv'];

interface Run {
  dir: string;
  /** The --json document (result and plan) without its timestamps and report folder. */
  stdout: Record<string, unknown>;
}

describe('permissions --per-computer --parallel: the same reports and plan as one paged search', () => {
  const outs: string[] = [];
  const run = (name: string, args: string[]): Run => {
    const out = mkdtempSync(join(tmpdir(), `lm-perm-par-${name}-`));
    outs.push(out);
    const r = cli(['permissions', '--profile', 'lab', '--per-computer', '--fix-owners', '--remove-all-extended-rights', '--explain', lab().accounts['helpdesk2']!.userPrincipalName, '--out', out, '--json', ...args]);
    expect(r.code, r.stderr).toBe(0);
    const dirs = readdirSync(out).filter((d) => d.endsWith('-permissions'));
    expect(dirs).toHaveLength(1);
    const stdout = JSON.parse(r.stdout) as Record<string, unknown> & { generatedAt?: string; report?: string; plan?: { createdAt?: string } };
    expect(typeof stdout.generatedAt).toBe('string');
    delete stdout.generatedAt;
    delete stdout.plan!.createdAt;
    expect(stdout.report).toBe(join(out, dirs[0]!));
    delete stdout.report;
    return { dir: join(out, dirs[0]!), stdout };
  };
  /** permissions.json without its timestamp (the only thing two runs may differ in). */
  const reportJson = (dir: string) => {
    const j = JSON.parse(readFileSync(join(dir, 'permissions.json'), 'utf8')) as Record<string, unknown>;
    expect(typeof j.generatedAt).toBe('string');
    delete j.generatedAt;
    return j;
  };

  beforeAll(async () => {
    const m = lab();
    const dir = await connectAs('admin');
    try {
      // partitions of every kind: a plain container inside an OU (read as a subtree), CN=Computers
      // (a container without OUs), the OUs one level each
      await dir.add(`CN=Parked,OU=Servers,${m.baseDn}`, { objectClass: ['container'] });
      for (const [name, parent] of [['PARKED-01', `CN=Parked,OU=Servers,${m.baseDn}`], ['DEFAULT-01', `CN=Computers,${m.baseDn}`], ['DEFAULT-02', `CN=Computers,${m.baseDn}`]] as const) {
        await dir.add(`CN=${name},${parent}`, { objectClass: ['computer'], sAMAccountName: [`${name}$`], userAccountControl: ['4096'] });
      }
    } finally {
      await dir.close();
    }
  });

  afterAll(async () => {
    for (const d of outs) rmSync(d, { recursive: true, force: true });
    await resetLab();
  });

  it('--parallel 1, the default and --parallel 4 write the same CSVs, JSON and plan', () => {
    const one = run('1', ['--parallel', '1']);
    const dflt = run('d', []);
    const four = run('4', ['--parallel', '4']);
    for (const other of [dflt, four]) {
      for (const f of FILES) expect(readFileSync(join(other.dir, f), 'utf8'), f).toBe(readFileSync(join(one.dir, f), 'utf8'));
      expect(reportJson(other.dir)).toEqual(reportJson(one.dir));
      expect(other.stdout).toEqual(one.stdout);
    }
    // the comparison is not vacuous: every computer once (the added ones included), a plan with
    // per-computer changes, predictions for every computer
    const m = lab();
    const rows = readFileSync(join(one.dir, 'computers.csv'), 'utf8').trim().split('\r\n').slice(1);
    expect(rows.length).toBe(m.computers.length + 1 /* the DC */ + 3);
    for (const name of ['PARKED-01', 'DEFAULT-01', 'DEFAULT-02']) expect(rows.filter((r) => r.includes(`CN=${name},`))).toHaveLength(1);
    const result = reportJson(one.dir) as { data: { summary: { perComputer: boolean }; predictions: Array<{ computers: unknown[] }>; plan: { changes: unknown[] } } };
    expect(result.data.summary.perComputer).toBe(true);
    expect(result.data.predictions[0]!.computers).toHaveLength(rows.length);
    expect(result.data.plan.changes.length).toBeGreaterThan(1);
    expect((one.stdout.plan as { changes: unknown[] }).changes.length).toBe(result.data.plan.changes.length);
  });

  it('--parallel outside 1-16 is a usage error naming the flag', () => {
    for (const bad of ['0', '17', 'abc']) {
      const out = mkdtempSync(join(tmpdir(), 'lm-perm-par-bad-'));
      outs.push(out);
      const r = cli(['permissions', '--profile', 'lab', '--per-computer', '--parallel', bad, '--out', out]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/--parallel/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
