import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, cliAsync, resetLab, testRoot } from './lab-env.js';

const PLAYBOOKS = join(import.meta.dirname, '..', '..', 'playbooks');
const READINESS = join(PLAYBOOKS, 'readiness.yaml');

function fresh(): { out: string; state: string } {
  const d = mkdtempSync(join(testRoot(), 'run-'));
  return { out: join(d, 'reports'), state: join(d, 'state') };
}

function folders(out: string): string[] {
  return existsSync(out) ? readdirSync(out).filter((f) => !f.endsWith('.html')).sort() : [];
}

interface RunJson {
  step: string;
  files: string[];
  details: { exitCode: number; apply: boolean; resumeFrom?: string; steps: Array<{ step: string; verdict: string; exitCode?: number; report?: string }> };
}

function runJson(out: string): RunJson {
  const run = folders(out).find((f) => f.endsWith('-run'));
  expect(run).toBeDefined();
  return JSON.parse(readFileSync(join(out, run!, 'run.json'), 'utf8')) as RunJson;
}

describe('run --playbook', () => {
  afterAll(async () => {
    await resetLab();
  });

  it('readiness.yaml writes the three step reports and the run report, exit 3 on the lab (schema blockers)', () => {
    const { out, state } = fresh();
    const r = cli(['--state-dir', state, 'run', '--playbook', READINESS, '--out', out]);
    expect(r.stderr).not.toMatch(/unexpected failure/);
    expect(r.code).toBe(3);
    const f = folders(out);
    expect(f.map((x) => x.replace(/^\d{8}T\d{6}Z-/, '')).sort()).toEqual(['inventory', 'permissions', 'run', 'schema']);
    // plain timestamped progress lines without a terminal
    expect(r.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ inventory: started$/m);
    expect(r.stdout).toMatch(/Run report: .*-run\/report\.html/);
    const doc = runJson(out);
    expect(doc.files).toEqual(expect.arrayContaining(['report.html', 'summary.md', 'run.json', 'steps.csv']));
    expect(doc.details.exitCode).toBe(3);
    expect(doc.details.steps.map((s) => [s.step, s.verdict, s.exitCode])).toEqual([
      ['inventory', 'ready', 0],
      ['schema', 'blockers', 3],
      ['permissions', 'changes planned', 0],
    ]);
    // the run report links each step's own report folder
    const html = readFileSync(join(out, f.find((x) => x.endsWith('-run'))!, 'report.html'), 'utf8');
    for (const s of f.filter((x) => !x.endsWith('-run'))) expect(html).toContain(`<a href="../${s}/report.html">`);
    expect(html).toContain('no-go');
    // read-only: no journal was created
    expect(existsSync(join(state, 'journal'))).toBe(false);
  });

  it('--apply without --yes and without a terminal writes nothing (exit 2)', () => {
    const { out, state } = fresh();
    const r = cli(['--state-dir', state, 'run', '--playbook', READINESS, '--out', out, '--apply']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--apply needs --yes; nothing was run/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(state, 'journal'))).toBe(false);
  });

  it('--from permissions skips the earlier steps', () => {
    const { out, state } = fresh();
    const r = cli(['--state-dir', state, 'run', '--playbook', READINESS, '--out', out, '--from', 'permissions', '--json']);
    expect(r.code).toBe(0);
    expect(folders(out).map((x) => x.replace(/^\d{8}T\d{6}Z-/, '')).sort()).toEqual(['permissions', 'run']);
    const j = JSON.parse(r.stdout) as { exitCode: number; steps: Array<{ step: string; verdict: string }> };
    expect(j.exitCode).toBe(0);
    expect(j.steps.map((s) => s.step)).toEqual(['permissions']);
    expect(runJson(out).details.steps.map((s) => [s.step, s.verdict])).toEqual([
      ['inventory', 'not run'],
      ['schema', 'not run'],
      ['permissions', 'changes planned'],
    ]);
  });

  it('every step of pilot-then-broad.yaml is built, cleanup included: the run gets past step selection to the connection (exit 4)', () => {
    const { out, state } = fresh();
    const r = cli(['--state-dir', state, 'run', '--playbook', join(PLAYBOOKS, 'pilot-then-broad.yaml'), '--out', out, '--server', 'ldaps://127.0.0.1:1', '--user', 'nobody@lab.test'], { env: { LAPS_MIGRATE_PASSWORD: 'unused' } });
    expect(r.stderr).not.toMatch(/not available yet/);
    expect(r.code).toBe(4);
  });

  it('a malformed playbook: every problem at file:line:col with its key path, exit 2, nothing run', () => {
    const { out, state } = fresh();
    const bad = join(testRoot(), 'bad-playbook.yaml');
    const text = 'version: 1\nsteps: [inventory]\ninventory:\n  stale: 3\npolicy:\n  passwordAgeDays: 0\n';
    writeFileSync(bad, text);
    const r = cli(['--state-dir', state, 'run', '--playbook', bad, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}:4:3: inventory.stale: unknown key`);
    expect(r.stderr).toContain(`${bad}:6:3: policy.passwordAgeDays: must be 1-365`);
    expect(existsSync(out)).toBe(false);
  });

  it('--apply stops after a step that still has blockers, naming it and how to resume', () => {
    const { out, state } = fresh();
    const r = cli(['--state-dir', state, 'run', '--playbook', READINESS, '--out', out, '--apply', '--yes', '--confirm-irreversible']);
    expect(r.code).toBe(3);
    // the schema is extended (journaled) but the lab's functional level stays a blocker
    expect(r.stderr).toMatch(/Stopped at schema: fix what its report shows, then resume with: laps-migrate run --playbook .*readiness\.yaml --from schema --apply --yes/);
    const doc = runJson(out);
    expect(doc.details.resumeFrom).toBe('schema');
    expect(doc.details.steps.map((s) => [s.step, s.verdict])).toEqual([
      ['inventory', 'ready'],
      ['schema', 'blockers'],
      ['permissions', 'not run'],
    ]);
    expect(existsSync(join(state, 'journal'))).toBe(true);
  });

  it('two runs started together: the second is refused by the state-folder lock (exit 8) and writes nothing', async () => {
    const { out, state } = fresh();
    const second = fresh();
    const first = cliAsync(['--state-dir', state, 'run', '--playbook', READINESS, '--out', out]);
    const lock = join(state, 'lock');
    const deadline = Date.now() + 20_000;
    while (!existsSync(lock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(lock)).toBe(true);
    const holder = JSON.parse(readFileSync(lock, 'utf8')) as { pid: number; startedAt: string };
    const r2 = await cliAsync(['--state-dir', state, 'run', '--playbook', READINESS, '--out', second.out]);
    const r1 = await first;
    expect(r2.code).toBe(8);
    expect(r2.stderr).toContain(`PID ${holder.pid}`);
    expect(r2.stderr).toContain(holder.startedAt);
    expect(existsSync(second.out)).toBe(false);
    expect(r1.code).toBe(3);
    expect(folders(out)).toHaveLength(4);
    expect(existsSync(lock)).toBe(false);
  });
});
