/**
 * The wizard's cutover on the migration-rehearsal estate (issue 19: "apply a pilot wave"), in a
 * real terminal (tmux). Schema and permissions are prepared with `run` first; the wizard starts at
 * the cutover, the pilot OU and the encryption principal are picked from what the domain holds.
 * First session: declines the write and saves the answers: `run` with the saved playbook plans
 * exactly what the wizard showed. Second session: applies, journaled (the GPO's files and the
 * link); the third wizard shows the pilot wave as started, from the cutover's report.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { listOus } from '../../src/directory/organizational-units.js';
import { listSecurityGroups } from '../../src/directory/security-groups.js';
import { cli, testRoot } from './lab-env.js';
import { useRehearsalLab } from './rehearsal-lab.js';
import { exitFileIn, TmuxSession } from './tmux-session.js';

const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');
const PROFILE = 'wizcut';
const rehearsal = useRehearsalLab({ folder: 'wizard-cutover-rehearsal', seed: 19, profileName: PROFILE });

describe('wizard: the cutover of a pilot wave', () => {
  let work: string;
  let pilotIndex: number;
  let principalIndex: number;
  let pilotDn: string;
  let session: TmuxSession | undefined;
  const env = (state: string) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color', NO_COLOR: '1', XDG_CONFIG_HOME: join(testRoot(), 'config'), XDG_STATE_HOME: state });
  const start = (name: string, state: string) => {
    session = TmuxSession.start(`lm-${name}-${process.pid}`, [process.execPath, CLI, 'wizard', '--profile', PROFILE, '--out', join(work, 'reports')], env(state), exitFileIn(work, name));
    return session;
  };
  afterEach(() => session?.kill());

  beforeAll(async () => {
    work = mkdtempSync(join(testRoot(), 'wizard-cutover-'));
    const m = rehearsal.manifest();
    const admin = rehearsal.admin();
    const ous = await listOus(admin, m.baseDn);
    pilotIndex = ous.findIndex((o) => o.path === 'Workstations/Pilot');
    pilotDn = ous[pilotIndex]!.dn;
    principalIndex = (await listSecurityGroups(admin, m.baseDn)).findIndex((g) => g.name === 'LAPS Admins');
    expect(pilotIndex).toBeGreaterThanOrEqual(0);
    expect(principalIndex).toBeGreaterThanOrEqual(0);
    // steps 2 and 3 done the non-interactive way: the wizard is tested on the cutover
    const prep = join(work, 'prep.yaml');
    writeFileSync(prep, `version: 1\nconnection: { profile: ${PROFILE} }\nsteps: [schema, permissions]\nschema: { extend: true }\npermissions: { self: true }\n`);
    const r = cli(['run', '--playbook', prep, '--apply', '--yes', '--confirm-irreversible', '--out', join(work, 'prep-reports')], { env: { XDG_STATE_HOME: join(work, 'prep-state') } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  }, 240_000);

  /** Start at the cutover and answer its form: the pilot OU, no broad wave, LAPS Admins, defaults. */
  async function answerCutoverForm(s: TmuxSession): Promise<void> {
    await s.waitFor('Start at:');
    s.keys('Down', 'Down', 'Down', 'Down', 'Enter');
    await s.waitFor('Pilot wave: the OUs');
    for (let i = 0; i < pilotIndex; i++) s.keys('Down');
    s.keys('Space', 'Enter');
    await s.waitFor('Broad wave: the OUs');
    s.keys('Enter');
    await s.waitFor('Who can decrypt the passwords');
    for (let i = 0; i < principalIndex; i++) s.keys('Down');
    s.keys('Enter');
    for (const q of ['Encrypted passwords kept as history', 'Days between rotations', 'Pilot gate: %', 'Pilot gate: days', 'replace: Windows LAPS takes over', 'The local account Windows LAPS manages']) {
      await s.waitFor(q);
      s.keys('Enter');
    }
  }

  it('shows the plan, writes nothing when declined, and saves a playbook that `run` plans the same way', async () => {
    const state = join(work, 'state1');
    const s = start('cut1', state);
    await answerCutoverForm(s);
    const screen = await s.waitFor(/Write \d+ change\(s\) to \S+\?/, 120_000);
    const planned = Number(/Cutover to Windows LAPS: \d+ blocker\(s\), \d+ warning\(s\), (\d+) change\(s\) planned/.exec(screen)?.[1]);
    expect(planned).toBeGreaterThan(0);
    expect(screen).toContain('Windows LAPS - Pilot');
    s.type('n');
    await s.waitFor('Continue with Cleanup?');
    s.type('n');
    const file = join(work, 'saved.yaml');
    await s.saveWizardPlaybook(file);
    expect(await s.exitCode()).toBe(0);
    const journal = JSON.parse(cli(['journal', 'list', '--json'], { env: { XDG_STATE_HOME: state } }).stdout);
    expect(journal.runs ?? journal).toHaveLength(0);

    const pb = parse(readFileSync(file, 'utf8')) as { steps: string[]; policy: { encryption: { principal: string }; historySize: number }; waves: Array<{ name: string; ous: string[]; gpo: string }> };
    expect(pb.steps).toEqual(['cutover']);
    expect(pb.policy.encryption.principal).toMatch(/\\LAPS Admins$/);
    expect(pb.policy.historySize).toBe(12);
    expect(pb.waves).toEqual([expect.objectContaining({ name: 'pilot', ous: [pilotDn], gpo: 'Windows LAPS - Pilot' })]);
    const run = cli(['run', '--playbook', file, '--json', '--out', join(work, 'run-reports')], { env: { XDG_STATE_HOME: state } });
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as { steps: Array<{ step: string; verdict: string; result?: { plan?: { changes: unknown[] } } }> };
    const cut = doc.steps.find((x) => x.step === 'cutover')!;
    expect(cut.verdict).toBe('changes planned');
    expect(cut.result?.plan?.changes).toHaveLength(planned);
  }, 300_000);

  it('applies the pilot wave after consent: the GPO settings and the link are journaled; the next wizard shows the wave', async () => {
    const state = join(work, 'state2');
    const s = start('cut2', state);
    await answerCutoverForm(s);
    await s.waitFor(/Write \d+ change\(s\) to \S+\?/, 120_000);
    s.type('y');
    await s.waitFor(/Applied run \S+-cutover-\S+: \d+ written and verified/, 120_000);
    await s.waitFor('Continue with Cleanup?');
    s.type('n');
    await s.waitFor('Save your answers as a playbook');
    s.type('n');
    expect(await s.exitCode()).toBe(0);
    const list = JSON.parse(cli(['journal', 'list', '--json'], { env: { XDG_STATE_HOME: state } }).stdout);
    const runs = (list.runs ?? list) as Array<{ runId: string; step: string; status: string }>;
    expect(runs.map((r) => [r.step, r.status])).toEqual([['cutover', 'completed']]);
    const shown = JSON.parse(cli(['journal', 'show', runs[0]!.runId, '--json'], { env: { XDG_STATE_HOME: state } }).stdout) as { changes: Array<{ kind: string; dn?: string; attribute?: string; path?: string }> };
    const changes = JSON.stringify(shown.changes);
    expect(changes).toContain('gPLink');
    expect(changes).toContain('Registry.pol');

    // the next wizard says where the migration stands: the pilot wave from the cutover's report
    const s3 = start('cut3', state);
    await s3.waitFor('Start at:');
    expect(s3.screen()).toMatch(/Wave pilot: \d+ \/ \d+ verified, gate (met|not met yet)/);
    s3.keys('C-c');
    expect(await s3.exitCode()).toBe(130);
  }, 300_000);
});
