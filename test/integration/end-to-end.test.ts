/**
 * The end-to-end proof (issue 18): playbooks/pilot-then-broad.yaml on the migration-rehearsal
 * estate (~200 devices), `run --playbook ... --apply --yes --confirm-irreversible` one step at a
 * time, interleaved with simulator cycles, with the invariants of migration-driver.ts checked after
 * every step run and every cycle. First the playbook as shipped (the pilot gate's one-day soak
 * stops it: CUTOVER_WAITING, exit 0), then a copy with soakDays: 0 until the migration is complete.
 * Then the end state, a rerun of every step, and `rollback` of every reversible run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LdapDirectory } from '../../src/directory/ldap-directory.js';
import { kdsMasterRootKeysDn } from '../../src/directory/kds.js';
import { rootKeyFromDirectoryEntry, rootKeyToJsonObject, ROOT_KEY_ATTRIBUTES, ROOT_KEY_BINARY_ATTRIBUTES } from '../../src/dpapi-ng/root-key.js';
import { listDevices, readDevice } from '../../src/lab/device-state.js';
import type { LabManifest } from '../../src/lab/manifest.js';
import { ROOT, builtSteps, playbookSteps, rehearsalPlaybook, runCli, type DriveResult, type RunDocument } from '../../scripts/migration-loop.mjs';
import { cli, readTreeText, testRoot } from './lab-env.js';
import { driveChecked, expectedLeftBehind, InvariantChecker, ProgressWatch, snapshotConfiguration, snapshotDifferences, type Census } from './migration-driver.js';
import { useRehearsalLab } from './rehearsal-lab.js';

const PROFILE = 'e2e';
const rehearsal = useRehearsalLab({ folder: 'e2e-rehearsal', seed: 1, profileName: PROFILE });
const out = () => join(testRoot(), 'e2e-reports');
const SHIPPED = join(ROOT, 'playbooks', 'pilot-then-broad.yaml');

let m: LabManifest;
let admin: LdapDirectory;
let alice: LdapDirectory;
let checker: InvariantChecker;
let built: string[];
let before: Map<string, string>;
let final: DriveResult & { census: Census };
const timings: Record<string, number> = {};

const env = () => ({ XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME!, XDG_STATE_HOME: process.env.XDG_STATE_HOME! });
const drive = { labDir: '', out: '', runArgs: ['--profile', PROFILE] };

interface JournalRun {
  runId: string;
  kind: string;
  step: string;
  counts: { applied: number; planned: number };
}
function journalRuns(): JournalRun[] {
  const r = cli(['journal', 'list', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { runs: JournalRun[] }).runs;
}
const written = () => journalRuns().reduce((n, r) => n + r.counts.applied, 0);

beforeAll(async () => {
  m = rehearsal.manifest();
  admin = rehearsal.admin();
  alice = await LdapDirectory.connect({ server: m.urls.ldaps, caFile: m.caFile, user: m.accounts.alice!.userPrincipalName, password: readFileSync(m.accounts.alice!.passwordFile, 'utf8') });
  checker = new InvariantChecker(m, rehearsal.dir(), admin, alice);
  built = await builtSteps();
  Object.assign(drive, { labDir: rehearsal.dir(), out: out(), env: env() });
  return async () => {
    await alice.close();
  };
});

describe('end to end: pilot-then-broad on migration-rehearsal', () => {
  it('the migration completes through every step and wave; nothing is lost and the plain user reads nothing at any point', async () => {
    const t0 = Date.now();
    await checker.check('the seeded estate');
    before = await snapshotConfiguration(admin, m);

    // the playbook as shipped (only steps this build lacks are dropped): the pilot's soak stops it
    const shipped = join(testRoot(), 'e2e-pilot-then-broad.yaml');
    const asShipped = rehearsalPlaybook(SHIPPED, shipped, { built });
    const progress = new ProgressWatch();
    const first = await driveChecked(checker, { ...drive, progress, phase: 'as shipped', playbook: asShipped.missing.length ? shipped : SHIPPED, maxCycles: 3, stopWhen: (s) => s.soakingWave !== undefined });
    expect(first.complete).toBe(false);
    expect(first.state.soakingWave).toBe('pilot');
    expect(first.state.waiting).toMatch(/soak/);
    expect(first.lastRun.exitCode).toBe(0);
    const pilot = first.state.waves.find((w) => w.name === 'pilot')!;
    expect(pilot.counts.verified).toBe(pilot.computers.length);
    expect(first.state.waves.find((w) => w.name === 'broad')!.startedAt).toBeNull();

    // the same playbook without the soak
    const noSoak = join(testRoot(), 'e2e-no-soak.yaml');
    rehearsalPlaybook(SHIPPED, noSoak, { built, soakDays: 0 });
    final = await driveChecked(checker, { ...drive, progress, phase: 'soakDays: 0', playbook: noSoak, maxCycles: 5 });
    expect(final.complete, JSON.stringify(final.state.changed)).toBe(true);
    timings.migration = (Date.now() - t0) / 1000;
    timings.cycles = first.cycles + final.cycles;
    timings.stepRuns = first.stepsRun + final.stepsRun;
    timings.checks = checker.checks.length;
    process.stderr.write(`[e2e] ${m.computers.length} computers: migration ${timings.migration.toFixed(1)} s wall, ${timings.stepRuns} step runs, ${timings.cycles} simulator cycles, ${timings.checks} invariant checks\n`);
    expect(checker.checks.length).toBe(1 + timings.stepRuns + timings.cycles);
    // cleanup's gPLink edits no longer move a wave's start (the cutover dates it by its GPO's settings write)
    expect(progress.restarts).toEqual([]);
  }, 240_000);

  it('at the end: migrated computers are encrypted to the principal with history and no clear text; unsupported ones are untouched on legacy', async () => {
    const waves = final.state.waves;
    const inWave = new Map<string, { state: string; leftBehind: string | null }>();
    for (const w of waves) for (const c of w.computers) if (!inWave.has(c.name.toLowerCase())) inWave.set(c.name.toLowerCase(), c);
    const helpdesk = m.groups['LAPS Helpdesk']!.sid;
    const census = final.census.computers;
    const migrated = [...inWave.entries()].filter(([, c]) => c.state === 'verified').map(([n]) => n);
    const behind = [...inWave.entries()].filter(([, c]) => c.state === 'left-behind').map(([n]) => n);
    expect(migrated.length + behind.length).toBe(inWave.size);

    // what the lab was seeded with decides who must migrate: every Windows build with Windows LAPS
    const expectedBehind = expectedLeftBehind(m);
    expect(behind.sort()).toEqual(expectedBehind);
    expect(migrated.length).toBe(m.computers.length - expectedBehind.length);
    const build = (name: string) => readDevice(rehearsal.dir(), name.toUpperCase()).build;

    for (const n of migrated) {
      const c = census.get(n)!;
      expect({ n, encrypted: c.encrypted, clear: c.clear, principal: c.principal, foundIn: c.foundIn }).toEqual({ n, encrypted: true, clear: false, principal: helpdesk, foundIn: 'encrypted' });
      expect(c.history).toBeLessThanOrEqual(12);
      if (built.includes('cleanup')) expect({ n, legacy: c.legacy }).toEqual({ n, legacy: false });
    }
    for (const n of behind.filter((x) => build(x) === 14393)) {
      const c = census.get(n)!;
      expect({ n, legacy: c.legacy, foundIn: c.foundIn, encrypted: c.encrypted, clear: c.clear }).toEqual({ n, legacy: true, foundIn: 'legacy', encrypted: false, clear: false });
      const d = readDevice(rehearsal.dir(), n.toUpperCase());
      expect({ n, mode: d.mode, cse: d.cseInstalled }).toEqual({ n, mode: 'legacy-cse', cse: true });
      expect(d.events.some((e) => e.source === 'LAPS' && e.id === 10018)).toBe(false);
    }
    if (built.includes('cleanup')) {
      // the final exposure report lists exactly the left-behind computers that still hold legacy clear text
      const cleanup = final.lastRun.steps.find((s) => s.step === 'cleanup')!;
      const exposure = (cleanup.result!.data as { exposure: { remaining: Array<{ computer: string; attribute: string; reason: string }> } }).exposure;
      const holding = behind.filter((n) => census.get(n)!.legacy).sort();
      expect(holding.length).toBeGreaterThan(0);
      expect(exposure.remaining.map((r) => r.computer.toLowerCase()).sort()).toEqual(holding);
      expect(new Set(exposure.remaining.map((r) => `${r.attribute} ${r.reason}`))).toEqual(new Set(['ms-Mcs-AdmPwd left-behind']));
      const csv = readFileSync(join(cleanup.report!, 'clear-text.csv'), 'utf8').trim().split('\n').slice(1);
      expect(csv.map((l) => l.split(',')[0]!.toLowerCase()).sort()).toEqual(holding);
    }
    // the legacy GPO still reaches the Servers OU, where the Server 2016 machines live
    const servers = await admin.read(m.ous.Servers!, ['gPLink']);
    expect(String(servers!.attributes['gplink']?.[0] ?? '').toUpperCase()).toContain(m.gpos['LAPS Legacy - Servers']!.dn.toUpperCase());
  });

  it('a forced rotation keeps the previous password in the encrypted history (configured size 12), readable by an authorized reader', async () => {
    const migrated = final.state.waves.flatMap((w) => w.computers).filter((c) => c.state === 'verified');
    // in memory only, to compare with what the history holds after the rotation
    const previous = new Map(migrated.map((c) => [c.name.toLowerCase(), readDevice(rehearsal.dir(), c.name).localPassword]));
    const sim = await runCli(['lab', 'simulate', '--dir', rehearsal.dir(), '--cycles', '1', '--force-rotate', '--json'], { env: env() });
    expect(sim.code, sim.stderr).toBe(0);
    const census = await checker.check('after a forced rotation', { withHistory: true, previous });
    for (const c of migrated) {
      const x = census.computers.get(c.name.toLowerCase())!;
      expect({ n: c.name, history: x.history > 0 && x.history <= 12, decrypts: x.historyDecrypts, holdsPrevious: x.historyHoldsPrevious }).toEqual({ n: c.name, history: true, decrypts: true, holdsPrevious: true });
    }

    // the real command, as a member of the principal (LAPS Helpdesk reads on Workstations through the
    // mirrored delegation; the lab has no key service, so the lab admin exports the root key)
    const keyEntry = (await admin.searchAll({ base: kdsMasterRootKeysDn(m.configDn), scope: 'one', filter: '(objectClass=msKds-ProvRootKey)', attributes: [...ROOT_KEY_ATTRIBUTES], binaryAttributes: [...ROOT_KEY_BINARY_ATTRIBUTES] }))[0]!;
    const keyFile = join(testRoot(), 'e2e-root-key.json');
    writeFileSync(keyFile, JSON.stringify([rootKeyToJsonObject(rootKeyFromDirectoryEntry(keyEntry))]), { mode: 0o600 });
    const ws = migrated.find((c) => /OU=Finance,OU=Workstations/i.test(c.dn))!;
    const bob = m.accounts['hd-bob']!;
    const got = cli(['password', 'get', ws.name, '--profile', PROFILE, '--user', bob.userPrincipalName, '--password-file', bob.passwordFile, '--root-key', keyFile, '--include-history', '--show-password', '--json']);
    expect(got.code, got.stderr).toBe(0);
    const entries = (JSON.parse(got.stdout) as { entries: Array<{ attribute: string; password?: string }> }).entries;
    expect(entries.find((e) => e.attribute === 'msLAPS-EncryptedPassword')?.password === readDevice(rehearsal.dir(), ws.name).localPassword).toBe(true);
    expect(entries.some((e) => e.attribute === 'msLAPS-EncryptedPasswordHistory' && e.password === previous.get(ws.name.toLowerCase()))).toBe(true);
    const plain = cli(['password', 'get', ws.name, '--profile', PROFILE, '--user', m.accounts.alice!.userPrincipalName, '--password-file', m.accounts.alice!.passwordFile, '--json']);
    expect(plain.code, plain.stderr).toBe(0);
    expect((JSON.parse(plain.stdout) as { entries: unknown[] }).entries).toEqual([]);
  }, 120_000);

  it('rerunning any step changes nothing: every step is ready and the journal gains no change', async () => {
    const noSoak = join(testRoot(), 'e2e-no-soak.yaml');
    const writtenBefore = written();
    for (const step of playbookSteps(noSoak)) {
      const r = await runCli(['run', '--playbook', noSoak, '--step', step, '--apply', '--yes', '--confirm-irreversible', '--out', out(), '--json', '--profile', PROFILE], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      const doc = JSON.parse(r.stdout) as RunDocument;
      expect(doc.steps.map((s) => [s.step, s.verdict])).toEqual([[step, 'ready']]);
    }
    expect(written()).toBe(writtenBefore);
  }, 120_000);

  it('rollback of the reversible runs, newest first, restores every DACL, GPO file and link byte for byte', async () => {
    const migrated = await snapshotConfiguration(admin, m);
    const changed = snapshotDifferences(before, migrated);
    // the migration really changed OU DACLs, links and GPO files: the comparison below means something
    for (const kind of ['dacl ou=', 'gPLink ou=', 'file {']) expect(changed.some((k) => k.startsWith(kind)), kind).toBe(true);
    const runs = journalRuns().filter((r) => r.kind === 'apply' && r.counts.applied > 0).reverse();
    expect(runs.map((r) => r.step)).toEqual(expect.arrayContaining(['permissions', 'cutover']));
    for (const r of runs) {
      const rb = cli(['rollback', r.runId, '--apply', '--yes', '--profile', PROFILE]);
      expect(rb.code, `${r.runId}: ${rb.stdout}${rb.stderr}`).toBe(0);
    }
    const after = await snapshotConfiguration(admin, m);
    expect(snapshotDifferences(before, after)).toEqual([]);
    expect(before.size).toBeGreaterThan(m.computers.length);
  }, 120_000);

  it('no device password appears in any output, report or journal of the run', () => {
    const devices = listDevices(rehearsal.dir()).filter((d) => d.mode !== 'unmanaged');
    expect(devices.length).toBeGreaterThan(100);
    // the journal and every report the run wrote; compared as booleans
    const text = readTreeText(out()) + readTreeText(join(process.env.XDG_STATE_HOME!, 'laps-migrate'));
    expect(devices.filter((d) => text.includes(d.localPassword)).map((d) => d.name)).toEqual([]);
  });
});
