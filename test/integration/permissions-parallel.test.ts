/**
 * permissions --per-computer --parallel N against the lab DC: partitions read on several
 * connections at once give the same reports (CSVs byte for byte, the JSON but its timestamp) and
 * the same plan as one paged search. The runs include what follows the computers' order: owners
 * (--fix-owners plans one change per computer), predictions (--explain) and every finding.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli, lab } from './lab-env.js';
import { jsonWithoutTimestamp, partitionSuite } from './partition-fixtures.js';

const FILES = ['access.csv', 'changes.csv', 'computers.csv', 'dirsync.csv', 'ous.csv', 'plan-mirror.csv', 'plan-self.csv'];

interface Run {
  dir: string;
  /** The --json document (result and plan) without its timestamps and report folder. */
  stdout: Record<string, unknown>;
}

describe('permissions --per-computer --parallel: the same reports and plan as one paged search', () => {
  const { tmp, added } = partitionSuite('lm-perm-par');
  const run = (name: string, args: string[]): Run => {
    const out = tmp(name);
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
  /** permissions.json without its timestamp. */
  const reportJson = (dir: string) => jsonWithoutTimestamp(join(dir, 'permissions.json'));

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
    expect(rows.length).toBe(m.computers.length + 1 /* the DC */ + added().length);
    for (const name of added()) expect(rows.filter((r) => r.includes(`CN=${name},`))).toHaveLength(1);
    const result = reportJson(one.dir) as { data: { summary: { perComputer: boolean }; predictions: Array<{ computers: unknown[] }>; plan: { changes: unknown[] } } };
    expect(result.data.summary.perComputer).toBe(true);
    expect(result.data.predictions[0]!.computers).toHaveLength(rows.length);
    expect(result.data.plan.changes.length).toBeGreaterThan(1);
    expect((one.stdout.plan as { changes: unknown[] }).changes.length).toBe(result.data.plan.changes.length);
  });

  it('--parallel outside 1-16 is a usage error naming the flag', () => {
    for (const bad of ['0', '17', 'abc']) {
      const out = tmp('bad');
      const r = cli(['permissions', '--profile', 'lab', '--per-computer', '--parallel', bad, '--out', out]);
      expect(r.code, bad).toBe(2);
      expect(r.stderr).toMatch(/--parallel/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
