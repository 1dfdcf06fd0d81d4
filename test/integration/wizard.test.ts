/**
 * The real wizard in a terminal (tmux) against the lab: pick the lab profile, answer the
 * questions, read the inventory, stop, save the answers as a playbook; apply the permissions
 * step through its consent; Ctrl-C at a consent prompt writes nothing and exits 130.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cli, lab, resetLab, testRoot } from './lab-env.js';
import { startProxy, type TcpProxy } from './tcp-proxy.js';
import { exitFileIn, TmuxSession } from './tmux-session.js';

const PROXY_PORT = 16393;

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/** The permissions step's five questions, each answered with its default. */
async function answerPermissionQuestions(s: TmuxSession): Promise<void> {
  for (const q of ['grant the Windows LAPS SELF permission', 'grant the legacy SELF permission', 'mirror legacy read/reset/deny', 'remove All Extended Rights', 'make Domain Admins the owner']) {
    await s.waitFor(`? ${q}`);
    s.keys('Enter');
  }
}

/** Lab profile, start at Permissions, default answers, up to the consent question. */
async function toPermissionsConsent(s: TmuxSession): Promise<void> {
  await s.waitFor('Connect with:');
  s.keys('Enter');
  await s.waitFor('Start at:');
  s.keys('Down', 'Down', 'Enter');
  await answerPermissionQuestions(s);
  await s.waitFor(/Write \d+ change\(s\) to lab\.example\.test\?/, 90_000);
}

describe('wizard', () => {
  let work: string;
  let session: TmuxSession | undefined;
  const env = (state: string) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color', NO_COLOR: '1', XDG_CONFIG_HOME: join(testRoot(), 'config'), XDG_STATE_HOME: state });
  const start = (name: string, state: string) => {
    session = TmuxSession.start(`lm-${name}-${process.pid}`, [process.execPath, CLI, 'wizard', '--out', join(work, `${name}-reports`)], env(state), exitFileIn(work, name));
    return session;
  };
  let proxy: TcpProxy;
  beforeAll(async () => {
    await resetLab();
    work = mkdtempSync(join(testRoot(), 'wizard-'));
    proxy = await startProxy(lab().ip, PROXY_PORT, lab().ip, 389);
  });
  afterAll(async () => {
    await proxy.close();
  });
  afterEach(() => session?.kill());

  it('reads the inventory, stops when asked and saves the answers as a playbook', async () => {
    const s = start('inv', join(work, 'state1'));
    await s.waitFor('Connect with:');
    s.keys('Enter');
    await s.waitFor('Domain              lab.example.test');
    await s.waitFor('Start at:');
    expect(s.screen()).toContain('Inventory                  not run yet');
    s.keys('Enter');
    await s.waitFor('only computers under this DN');
    s.keys('Enter');
    await s.waitFor('no logon for more than N days');
    s.keys('Enter');
    const screen = await s.waitFor('Continue with Schema and prerequisites?');
    expect(screen).toMatch(/Inventory: \d+ blocker\(s\), \d+ warning\(s\), 0 change\(s\) planned/);
    expect(screen).toContain('Inventory of lab.example.test: 16 computers');
    s.type('n');
    const file = join(work, 'saved.yaml');
    await s.saveWizardPlaybook(file);
    expect(await s.exitCode()).toBe(0);
    const pb = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(pb).toMatchObject({ version: 1, connection: { profile: 'lab' }, steps: ['inventory'], inventory: { staleDays: 90, graceDays: 7, presence: true } });
    expect(readdirSync(join(work, 'inv-reports')).some((d) => d.endsWith('-inventory'))).toBe(true);
  });

  it('Ctrl-C at the consent prompt writes nothing and exits 130 with how to resume', async () => {
    const state = join(work, 'state2');
    const s = start('ctrlc', state);
    await toPermissionsConsent(s);
    s.keys('C-c');
    expect(await s.exitCode()).toBe(130);
    expect(s.screen()).toContain('Resume with: laps-migrate wizard');
    const j = cli(['journal', 'list', '--json'], { env: { XDG_STATE_HOME: state } });
    expect(JSON.parse(j.stdout).runs ?? JSON.parse(j.stdout)).toHaveLength(0);
  });

  it('applies the permissions step after its consent, journaled; a second wizard proposes what is still open', async () => {
    const state = join(work, 'state3');
    const s = start('perm', state);
    await toPermissionsConsent(s);
    s.type('y');
    const done = await s.waitFor(/Verified: a new plan has nothing to change/, 90_000);
    expect(done).toMatch(/Applied run \S+-permissions-\S+: \d+ written and verified/);
    // step 4 (emulation) is built: the wizard offers it next; this test stops after step 3
    await s.waitFor('Continue with Legacy emulation?');
    s.type('n');
    await s.waitFor('Save your answers as a playbook');
    s.type('n');
    expect(await s.exitCode()).toBe(0);
    const runs = JSON.parse(cli(['journal', 'list', '--json'], { env: { XDG_STATE_HOME: state } }).stdout);
    const list = (runs.runs ?? runs) as Array<{ step: string; status: string }>;
    expect(list.map((r) => [r.step, r.status])).toEqual([['permissions', 'completed']]);
    await resetLab();
  });

  it('Ctrl-C in the middle of an apply: the write in flight finishes, the journal run ends interrupted, exit 130; the next wizard proposes that step (the schema extension: the lab is reset afterwards)', async () => {
    const state = join(work, 'state4');
    const m = lab();
    // a proxy that delays every request makes the apply slow enough to interrupt
    proxy.delayMs = 150;
    const via = ['--server', `ldap://${m.ip}:${PROXY_PORT}`, '--starttls', '--ca-file', m.caFile, '--user', m.accounts.admin!.userPrincipalName, '--password-file', m.accounts.admin!.passwordFile];
    session = TmuxSession.start(`lm-int-${process.pid}`, [process.execPath, CLI, 'wizard', ...via, '--out', join(work, 'int-reports')], env(state), exitFileIn(work, 'int'));
    const s = session;
    await s.waitFor('Save this connection as a profile', 90_000);
    s.type('n');
    await s.waitFor('Start at:');
    // the schema extension: several changes, each slowed by the proxy
    s.keys('Down', 'Enter');
    await s.waitFor('Windows LAPS will encrypt passwords');
    s.type('n');
    await s.waitFor('also create a KDS root key');
    s.keys('Enter');
    await s.waitFor(/Type the domain name \(lab\.example\.test\) to confirm/, 120_000);
    s.type('lab.example.test');
    await s.waitFor(/1\/\d+ \[\S+\] verified/, 120_000);
    s.keys('C-c');
    expect(await s.exitCode(120_000)).toBe(130);
    const screen = s.screen();
    expect(screen).toContain('SIGINT received: finishing the write in flight');
    expect(screen).toContain('Resume with: laps-migrate wizard');
    proxy.delayMs = 0;
    const list = JSON.parse(cli(['journal', 'list', '--json'], { env: { XDG_STATE_HOME: state } }).stdout);
    const runs = (list.runs ?? list) as Array<{ runId: string; step: string; status: string }>;
    expect(runs.map((r) => [r.step, r.status])).toEqual([['schema', 'interrupted']]);
    const shown = JSON.parse(cli(['journal', 'show', runs[0]!.runId, '--json'], { env: { XDG_STATE_HOME: state } }).stdout) as { changes: Array<{ state: string }> };
    // consistent: every change either verified or never started, none in doubt
    expect(shown.changes.every((c) => c.state === 'verified' || c.state === 'planned')).toBe(true);
    expect(shown.changes.some((c) => c.state === 'planned')).toBe(true);

    const again = start('int2', state);
    await again.waitFor('Connect with:');
    again.keys('Enter');
    await again.waitFor('Start at:');
    expect(again.screen()).toMatch(/Schema and prerequisites .*last apply \S+ interrupted/);
    expect(again.screen()).toMatch(/❯ Schema and prerequisites/);
    again.keys('C-c');
    expect(await again.exitCode()).toBe(130);
    await resetLab();
  }, 300_000);
});
