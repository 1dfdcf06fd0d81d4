/**
 * `npm run demo`'s core (scripts/demo.mjs, everything after the package install and the build) on
 * the test suite's lab address: it stops the shared lab, the demo makes its own fresh
 * migration-rehearsal lab in its own folder and migrates it, and its five-line summary is checked
 * against the lab's manifest. The shared lab is started again afterwards.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labDown, labUp, readManifest } from '../../src/lab/lab.js';
import { listDevices } from '../../src/lab/device-state.js';
import { ROOT, builtSteps } from '../../scripts/migration-loop.mjs';
import { TEST_LAB_IP } from './global-setup.js';
import { labDir, testRoot } from './lab-env.js';
import { expectedLeftBehind } from './migration-driver.js';

const demoDir = () => join(testRoot(), 'demo');
let stdout = '';
let stderr = '';
let code = -1;

beforeAll(async () => {
  await labDown(labDir());
  // a folder left from an earlier demo: the demo must start from scratch
  mkdirSync(demoDir(), { recursive: true });
  writeFileSync(join(demoDir(), 'left-from-before'), 'x');
  await new Promise<void>((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.mjs'), '--dir', demoDir(), '--ip', TEST_LAB_IP, '--json-summary', join(testRoot(), 'demo-summary.json')], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' },
    });
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (c) => ((code = c ?? -1), resolve()));
  });
}, 240_000);

afterAll(async () => {
  await labDown(join(demoDir(), 'lab'));
  await labUp({ dir: labDir(), ip: TEST_LAB_IP, profileName: 'lab', log: () => undefined });
}, 120_000);

describe('npm run demo (its core, on the test lab address)', () => {
  it('runs every step and wave on a fresh lab and ends with the report path and a five-line summary that match the lab', async () => {
    expect(code, stderr + stdout.slice(-2000)).toBe(0);
    expect(existsSync(join(demoDir(), 'left-from-before'))).toBe(false);
    const m = readManifest(join(demoDir(), 'lab'))!;
    expect(m.scenario?.name).toBe('migration-rehearsal');

    // the shipped playbook waits for the pilot's soak first, and the demo says why it goes on
    expect(stdout).toMatch(/cutover waits: .*soak/);
    expect(stdout).toMatch(/the demo does not wait a day for the pilot's soak/i);

    const lines = stdout.trimEnd().split('\n');
    const summary = lines.slice(-5);
    expect(summary.map((l) => l.split(':')[0])).toEqual(['migrated', 'left behind', 'legacy clear text removed', 'runs', 'time taken']);
    const number = (i: number) => Number(/^[^:]+: (\d+)/.exec(summary[i]!)![1]);
    const behind = expectedLeftBehind(m);
    expect(number(0)).toBe(m.computers.length - behind.length);
    expect(number(1)).toBe(behind.length);
    const cleanup = (await builtSteps()).includes('cleanup');
    expect(number(2)).toBe(cleanup ? m.computers.length - behind.length : 0);
    expect(summary[4]).toMatch(/^time taken: (\d+ min )?\d+(\.\d)? s/);

    // the last run's report: an absolute path (no file:// URL) to a file that exists
    const reportLine = lines.find((l) => l.startsWith("Last run's report: "))!;
    const report = reportLine.slice("Last run's report: ".length);
    expect(isAbsolute(report) && report.endsWith('/report.html') && existsSync(report)).toBe(true);
    expect(stdout).not.toContain('file://');

    const j = JSON.parse(readFileSync(join(testRoot(), 'demo-summary.json'), 'utf8')) as { migrated: number; leftBehind: number; report: string };
    expect([j.migrated, j.leftBehind, j.report]).toEqual([number(0), number(1), report]);
  });

  it('prints no device password', () => {
    const devices = listDevices(join(demoDir(), 'lab')).filter((d) => d.mode !== 'unmanaged');
    expect(devices.filter((d) => (stdout + stderr).includes(d.localPassword)).map((d) => d.name)).toEqual([]);
  });
});
