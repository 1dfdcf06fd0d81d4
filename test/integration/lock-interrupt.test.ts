/**
 * Issue 21, parts 2 and 3, through the built CLI against the lab DC: the state-folder lock
 * (exit 8 naming the holder; a dead holder's lock taken over; two overlapping writers never both
 * run) and SIGINT/SIGTERM during an apply (the write in flight finishes, the journal run ends
 * "interrupted", exit 130/143, a rerun resumes; temporary spools are removed).
 * A loopback proxy that delays every request makes a run slow enough to overlap or interrupt.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireStateLock } from '../../src/config/state-lock.js';
import type { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { applyPlan, JournalStore, type ApplyResult } from '../../src/journal/index.js';
import { dacl, delegationPlan } from './delegation-plan.js';
import { cli, cliAsync, connectAs, lab, resetLab, testRoot, type CliResult } from './lab-env.js';
import { startProxy, type TcpProxy } from './tcp-proxy.js';

const PROXY_PORT = 16392;
const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

let admin: LdapDirectory;
let state: string;
let store: JournalStore;
let proxy: TcpProxy;

beforeAll(async () => {
  const m = lab();
  proxy = await startProxy(m.ip, PROXY_PORT, m.ip, 389);
});
afterAll(async () => {
  await proxy.close();
});
beforeEach(async () => {
  admin = await connectAs('admin');
  state = mkdtempSync(join(testRoot(), 'lock-'));
  store = JournalStore.open(join(state, 'journal'));
  proxy.delayMs = 0;
});
afterEach(async () => {
  await admin.close();
  await resetLab();
});

/** Connection flags that go through the (slow) proxy. */
function viaProxy(): string[] {
  const m = lab();
  return ['--server', `ldap://${m.ip}:${PROXY_PORT}`, '--starttls', '--ca-file', m.caFile, '--user', m.accounts.admin!.userPrincipalName, '--password-file', m.accounts.admin!.passwordFile];
}

/** An applied run on four OUs, to roll back. */
async function runToRollBack(): Promise<{ run: ApplyResult; ous: string[]; originals: Buffer[] }> {
  const m = lab();
  const ous = [m.ous.workstations!, m.ous.finance!, m.ous.sales!, m.ous.servers!];
  const originals = await Promise.all(ous.map((dn) => dacl(admin, dn)));
  const run = await applyPlan(admin, await delegationPlan(admin, ous, m.groups.helpdesk!.sid, 'lock'), store);
  expect(run.exitCode).toBe(0);
  return { run, ous, originals };
}

/** Runs the CLI and sends `signal` once stderr shows `when` (or after `when` milliseconds); `again`: once more when stderr shows it. */
function cliInterrupted(args: string[], when: RegExp | number, signal: NodeJS.Signals, again?: RegExp): Promise<CliResult & { pid: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', XDG_CONFIG_HOME: join(testRoot(), 'config'), XDG_STATE_HOME: join(testRoot(), 'state'), NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d) => (stdout += d));
    if (typeof when === 'number') setTimeout(() => child.kill(signal), when);
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!sent && typeof when !== 'number' && when.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
      if (again?.test(stderr)) {
        again = undefined;
        child.kill(signal);
      }
    });
    child.stdin.end('');
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, pid: child.pid! }));
  });
}

describe('the state-folder lock', () => {
  it('a writer refuses with exit 8 naming the holder\'s PID and start time; a plan-only rollback still works; nothing is written', async () => {
    const { run } = await runToRollBack();
    const release = acquireStateLock('test holder', { dir: state });
    try {
      const holder = JSON.parse(readFileSync(join(state, 'lock'), 'utf8')) as { startedAt: string };
      const r = cli(['--state-dir', state, 'rollback', run.runId, '--apply', '--yes', '--profile', 'lab']);
      expect(r.code).toBe(8);
      expect(r.stderr).toContain(`locked by another laps-migrate run: PID ${process.pid}`);
      expect(r.stderr).toContain(holder.startedAt);
      expect(store.listRuns().runs).toHaveLength(1);
      const reveal = cli(['--state-dir', state, 'password', 'get', 'WS-GEN01', '--profile', 'lab', '--show-password']);
      expect(reveal.code).toBe(8);
      const plan = cli(['--state-dir', state, 'rollback', run.runId, '--profile', 'lab']);
      expect(plan.code, plan.stderr).toBe(0);
    } finally {
      release();
    }
  });

  it('a lock left by a dead process is taken over with a warning', async () => {
    const { run } = await runToRollBack();
    writeFileSync(join(state, 'lock'), JSON.stringify({ pid: 999_999_9, host: hostname(), startedAt: '2026-01-01T00:00:00.000Z', purpose: 'permissions --apply' }));
    const r = cli(['--state-dir', state, 'rollback', run.runId, '--apply', '--yes', '--profile', 'lab']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/took over the state-folder lock left by laps-migrate PID 9999999, started 2026-01-01T00:00:00.000Z/);
    expect(readdirSync(state)).not.toContain('lock');
  });

  it('two writers started together: one runs, the other exits 8; the journal holds one rollback run, records unmixed', async () => {
    const { run, ous, originals } = await runToRollBack();
    proxy.delayMs = 100;
    const args = ['--state-dir', state, 'rollback', run.runId, '--apply', '--yes', ...viaProxy()];
    const results = await Promise.all([cliAsync(args), cliAsync(args)]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 8]);
    const rollbacks = store.listRuns().runs.filter((r) => r.kind === 'rollback');
    expect(rollbacks).toHaveLength(1);
    const lines = readFileSync(store.runFile(rollbacks[0]!.runId), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { runId: string });
    expect(new Set(lines.map((l) => l.runId))).toEqual(new Set([rollbacks[0]!.runId]));
    for (const [i, dn] of ous.entries()) expect((await dacl(admin, dn)).equals(originals[i]!), dn).toBe(true);
  });
});

describe('interrupts', () => {
  it('SIGINT during an apply: the write in flight finishes, the run ends "interrupted", exit 130, how to resume is printed; the rerun completes', async () => {
    const { run, ous, originals } = await runToRollBack();
    proxy.delayMs = 150;
    const r = await cliInterrupted(['--state-dir', state, 'rollback', run.runId, '--apply', '--yes', ...viaProxy()], /\] verified/, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGINT received: finishing the write in flight');
    expect(r.stderr).toMatch(/interrupted by SIGINT: run \S+ stopped with \d+ applied/);
    expect(r.stderr).toContain('To resume: run the same command again');
    const rb = store.listRuns().runs.find((x) => x.kind === 'rollback')!;
    expect(rb).toMatchObject({ status: 'interrupted', exitCode: 130 });
    const rec = store.readRun(rb.runId);
    expect(rec.interrupted).toEqual({ signal: 'SIGINT', inDoubt: [] });
    expect(rec.changes.some((c) => c.state === 'planned')).toBe(true);
    expect(rec.changes.every((c) => c.state === 'verified' || c.state === 'planned')).toBe(true);
    expect(readdirSync(state)).not.toContain('lock');

    proxy.delayMs = 0;
    const again = cli(['--state-dir', state, 'rollback', run.runId, '--apply', '--yes', '--profile', 'lab']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/already as before/);
    for (const [i, dn] of ous.entries()) expect((await dacl(admin, dn)).equals(originals[i]!), dn).toBe(true);
  });

  it('a second SIGINT stops at once: exit 130, the run still ends "interrupted" and names what is in doubt', async () => {
    const { run } = await runToRollBack();
    proxy.delayMs = 300;
    const r = await cliInterrupted(['--state-dir', state, 'rollback', run.runId, '--apply', '--yes', ...viaProxy()], /\] verified/, 'SIGINT', /SIGINT received/);
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('SIGINT again: stopping now');
    const rb = store.listRuns().runs.find((x) => x.kind === 'rollback')!;
    expect(rb).toMatchObject({ status: 'interrupted', exitCode: 130 });
    const rec = store.readRun(rb.runId);
    // whatever was being written when the second signal came is listed as in doubt, and only that
    const writing = rec.changes.filter((c) => c.state === 'writing').map((c) => c.change.id);
    expect(rec.interrupted?.inDoubt).toEqual(writing);
    expect(rec.changes.every((c) => ['verified', 'applied', 'writing', 'planned'].includes(c.state))).toBe(true);
    // a rerun re-reads and finishes
    proxy.delayMs = 0;
    expect(cli(['--state-dir', state, 'rollback', run.runId, '--apply', '--yes', '--profile', 'lab']).code).toBe(0);
  });

  it('SIGTERM during an apply: exit 143, recorded as interrupted by SIGTERM', async () => {
    const { run } = await runToRollBack();
    proxy.delayMs = 150;
    const r = await cliInterrupted(['--state-dir', state, 'rollback', run.runId, '--apply', '--yes', ...viaProxy()], /\] verified/, 'SIGTERM');
    expect(r.code, r.stderr).toBe(143);
    const rb = store.listRuns().runs.find((x) => x.kind === 'rollback')!;
    expect(rb).toMatchObject({ status: 'interrupted', exitCode: 143 });
    const show = cli(['--state-dir', state, 'journal', 'show', rb.runId]);
    expect(show.stdout).toMatch(/status {4}interrupted \(exit 143\) by SIGTERM/);
  });

  it('SIGINT while a step only reads: exit 130 and its temporary spool file is removed', async () => {
    proxy.delayMs = 150;
    const out = mkdtempSync(join(testRoot(), 'out-'));
    // every request waits 150 ms at the proxy: the inventory is still reading after 2 s
    const r = await cliInterrupted(['--state-dir', state, 'inventory', ...viaProxy(), '--out', out], 2000, 'SIGINT');
    expect(r.code, r.stderr).toBe(130);
    const left = readdirSync(tmpdir()).filter((n) => n.startsWith(`laps-migrate-inventory-${r.pid}-`));
    expect(left).toEqual([]);
  });
});
